/**
 * The EU AI Act rules engine (Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744).
 *
 * Input: the catalogue's facts about a service (intended purpose: `catalog`), what the evidence shows
 * about its use in one organisational unit (department, job titles, users: `observed`) and what a
 * reviewer stated (purpose, exposure: `attested`). Output: every rule that fired (a finding), the
 * headline class (the most severe finding), a disposition, the organisation's role, and the
 * obligations with their application dates.
 *
 * Rules run in a fixed gate order: scope, Art. 5, Annex I, Annex III, Art. 50, GPAI, minimal. A
 * finding whose decisive facts include an `observed` one is a candidate (`requires_review`), never a
 * verdict; an Art. 5 finding from catalogue or attested facts is `blocked`. The Art. 6(3) derogation
 * and an Art. 25 change of role are never applied automatically.
 */
import type { AiActTier } from "../core/service.js";
import { AI_ACT_TIERS, tierRank } from "../core/service.js";
import { loadRuleSet, renderCitation, type Condition, type Rule, type RuleSet } from "./rules.js";

import type {
  Attestation,
  Classification,
  ClassificationInput,
  Disposition,
  Fact,
  FactSource,
  ObligationStatus,
  Role,
  RuleFinding,
} from "../core/classification.js";

export type { Attestation, Classification, ClassificationInput, Disposition, Fact, FactSource, ObligationStatus, Role, RuleFinding };

/** Build the fact set of one use. */
export function buildFacts(input: ClassificationInput, rules: RuleSet): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  const s = input.service;
  facts.set("service.id", { value: s.id, source: "catalog" });
  facts.set("service.name", { value: s.name, source: "catalog" });
  facts.set("service.category", { value: s.category, source: "catalog" });
  facts.set("service.tier", { value: s.euAiAct.tier, source: "catalog" });
  facts.set("service.articles", { value: s.euAiAct.articles, source: "catalog" });
  facts.set("service.tags", { value: s.tags.map((t) => t.toLowerCase()), source: "catalog" });
  if (input.orgUnit) facts.set("context.orgUnit", { value: input.orgUnit, source: "observed" });
  facts.set("context.userCount", { value: input.userCount, source: "observed" });
  if (input.attested?.purposeTags && input.attested.purposeTags.length > 0) {
    facts.set("context.purpose", { value: [...input.attested.purposeTags].sort(), source: "attested" });
  } else {
    const tags = inferPurposes(input.orgUnit, input.jobTitles, rules);
    if (tags.length > 0) facts.set("context.purpose", { value: tags, source: "observed" });
  }
  if (input.attested?.exposure) facts.set("context.exposure", { value: input.attested.exposure, source: "attested" });
  if (input.interactsWithPeople !== undefined) facts.set("context.interactsWithPeople", { value: input.interactsWithPeople, source: "observed" });
  return facts;
}

/** Purpose tags suggested by a department and job titles (`context.yaml`), sorted. */
export function inferPurposes(orgUnit: string | null, jobTitles: readonly string[], rules: RuleSet): string[] {
  const out = new Set<string>();
  for (const p of rules.purposes) {
    if (orgUnit && p.departments.some((re) => re.test(orgUnit))) out.add(p.tag);
    if (jobTitles.some((t) => p.jobTitles.some((re) => re.test(t)))) out.add(p.tag);
  }
  return [...out].sort();
}

interface Eval {
  ok: boolean;
  decisive: Set<string>;
  matched: string[];
}

function evaluate(c: Condition, facts: Map<string, Fact>): Eval {
  if ("all" in c) {
    const parts = c.all.map((x) => evaluate(x, facts));
    return { ok: parts.every((p) => p.ok), decisive: union(parts), matched: parts.flatMap((p) => p.matched) };
  }
  if ("any" in c) {
    const parts = c.any.map((x) => evaluate(x, facts));
    const hits = parts.filter((p) => p.ok);
    return { ok: hits.length > 0, decisive: union(hits), matched: hits.flatMap((p) => p.matched) };
  }
  if ("not" in c) {
    // A negation never makes a fact decisive: the absence of a trigger is not evidence for one.
    return { ok: !evaluate(c.not, facts).ok, decisive: new Set(), matched: [] };
  }
  if ("always" in c) return { ok: true, decisive: new Set(), matched: [] };
  const f = facts.get(c.fact);
  const none: Eval = { ok: false, decisive: new Set(), matched: [] };
  if (!f) return none;
  const values = Array.isArray(f.value) ? f.value.map(String) : [String(f.value)];
  let matched: string[] = [];
  if (c.equals !== undefined) matched = values.filter((v) => v === String(c.equals));
  else if (c.in) matched = values.filter((v) => c.in!.includes(v));
  else if (c.includesAny) matched = values.filter((v) => c.includesAny!.includes(v));
  else if (c.matchesAny) matched = values.filter((v) => c.matchesAny!.some((re) => new RegExp(re, "i").test(v)));
  else if (c.gte !== undefined) matched = values.filter((v) => Number(v) >= c.gte!);
  return matched.length > 0 ? { ok: true, decisive: new Set([`${c.fact}:${f.source}`]), matched } : none;
}

function union(parts: Eval[]): Set<string> {
  const s = new Set<string>();
  for (const p of parts) for (const d of p.decisive) s.add(d);
  return s;
}

function render(template: string, facts: Map<string, Fact>, matched: string[]): string {
  return template
    .replace(/\{\{\s*([a-zA-Z.]+)\s*\}\}/g, (_, key: string) => {
      if (key === "matched") return matched.length ? [...new Set(matched)].join(", ") : "-";
      const f = facts.get(key);
      if (!f) return key === "context.orgUnit" ? "an unattributed group of users" : "-";
      return Array.isArray(f.value) ? f.value.join(", ") : String(f.value);
    })
    .replace(/\s+/g, " ")
    .trim();
}

function dispositionOf(rule: Rule, decisive: Set<string>): Disposition {
  const observed = [...decisive].some((d) => d.endsWith(":observed"));
  if (observed) return "requires_review";
  return rule.gate === "art5" ? "blocked" : "determined";
}

const DISPOSITION_RANK: Record<Disposition, number> = { blocked: 0, determined: 1, requires_review: 2 };

/**
 * Classify one use. `today` (YYYY-MM-DD) sets which obligations apply now; `override` is a
 * reviewer's class with its justification, which becomes the headline with provenance `reviewed`
 * while every finding is kept.
 */
export function classify(
  input: ClassificationInput,
  options: { today?: string; override?: { tier: AiActTier; why: string }; rules?: RuleSet } = {},
): Classification {
  const rules = options.rules ?? loadRuleSet();
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const facts = buildFacts(input, rules);
  const findings: RuleFinding[] = [];
  for (const rule of rules.rules) {
    if (rule.onlyIfNoOtherFinding && findings.length > 0) continue;
    const e = evaluate(rule.when, facts);
    if (!e.ok) continue;
    const citations = rule.citations.map(renderCitation);
    if (rule.citeServiceArticles) for (const a of input.service.euAiAct.articles) if (!citations.includes(a)) citations.push(a);
    findings.push({
      ruleId: rule.id,
      ruleVersion: rule.version,
      gate: rule.gate,
      tier: rule.tier,
      role: rule.role,
      citations,
      rationale: render(rule.rationale, facts, e.matched),
      decisiveFacts: [...e.decisive].sort(),
      disposition: dispositionOf(rule, e.decisive),
      appliesFrom: rule.appliesFrom,
    });
  }

  // Headline: the most severe tier; among its findings, a determined or blocked one beats a candidate.
  const worst = findings.reduce((t, f) => (tierRank(f.tier) < tierRank(t) ? f.tier : t), AI_ACT_TIERS[AI_ACT_TIERS.length - 1]!);
  const top = findings.filter((f) => f.tier === worst).sort((a, b) => DISPOSITION_RANK[a.disposition] - DISPOSITION_RANK[b.disposition]);
  const lead = top[0]!;
  const articles = [...new Set(findings.flatMap((f) => f.citations))];
  const providerFindings = findings.filter((f) => f.role === "provider");
  const role: Classification["role"] = providerFindings.length
    ? {
        value: "provider",
        basis: providerFindings.map((f) => f.ruleId),
        disposition: providerFindings.some((f) => f.disposition !== "requires_review") ? "determined" : "requires_review",
      }
    : { value: "deployer", basis: [], disposition: "determined" };
  const sources = new Set(lead.decisiveFacts.map((d) => d.split(":")[1] as FactSource));
  const purposeFact = facts.get("context.purpose");
  const base: Classification = {
    regime: "EU2024/1689+EU2026/1744",
    rulesetVersion: rules.version,
    evaluatedAt: today,
    tier: worst,
    disposition: lead.disposition,
    articles,
    rationale: top.map((f) => f.rationale).join(" "),
    provenance: sources.has("observed") ? "observed" : sources.has("attested") ? "attested" : "catalog",
    role,
    findings,
    obligations: obligationsOf(findings, rules, today),
    purpose: { tags: purposeFact ? (purposeFact.value as string[]) : [], source: purposeFact?.source ?? null },
  };
  if (options.override) {
    return {
      ...base,
      tier: options.override.tier,
      disposition: "determined",
      provenance: "reviewed",
      rationale: `Class set by a reviewer: ${options.override.why} (rules said ${worst}: ${base.rationale})`,
    };
  }
  return base;
}

function obligationsOf(findings: RuleFinding[], rules: RuleSet, today: string): ObligationStatus[] {
  const byId = new Map<string, ObligationStatus>();
  for (const f of findings) {
    for (const id of rules.rules.find((r) => r.id === f.ruleId)!.obligations) {
      const o = rules.obligations.get(id)!;
      const prev = byId.get(id);
      if (prev) {
        prev.basis.push(f.ruleId);
        prev.candidate &&= f.disposition === "requires_review";
        continue;
      }
      const days = Math.round((Date.parse(o.appliesFrom) - Date.parse(today)) / 86_400_000);
      byId.set(id, {
        id,
        title: o.title,
        citation: o.citation,
        holder: o.holder,
        appliesFrom: o.appliesFrom,
        status: days <= 0 ? "applies" : "upcoming",
        daysUntil: days,
        candidate: f.disposition === "requires_review",
        ...(o.needs ? { needs: o.needs } : {}),
        basis: [f.ruleId],
      });
    }
  }
  return [...byId.values()].sort((a, b) => a.appliesFrom.localeCompare(b.appliesFrom) || a.id.localeCompare(b.id));
}
