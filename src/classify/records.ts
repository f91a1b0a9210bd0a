/**
 * Assembling inventory records: stored facts (src/store) + catalogue entries (src/match) +
 * governance (human decisions) → classification (engine.ts) and risk score (risk.ts). Pure: no I/O.
 */
import type { Classification } from "../core/classification.js";
import type { AISystemRecord, DecidedFacts, Governance } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import { isUnverifiedPublisher, SUSPECTED_PREFIX } from "../core/finding.js";
import { dismissedKeys, emptyGovernance } from "../store/governance.js";
import type { SystemFacts } from "../store/inventory.js";
import { buildAgentRecord } from "./agents.js";
import { buildMcpRecord } from "./mcp.js";
import { classify } from "./engine.js";
import { riskScore } from "./risk.js";

export interface BuildOptions {
  /** YYYY-MM-DD for obligation dates; today by default. */
  today?: string;
  /** ISO time for recency in the risk score; now by default. */
  now?: string;
}

function unclassified(serviceId: string, today: string, reasons: string[]): Classification {
  const suspected = serviceId.startsWith(SUSPECTED_PREFIX);
  return {
    regime: "EU2024/1689+EU2026/1744", rulesetVersion: "-", evaluatedAt: today, tier: "unclassified", disposition: "requires_review",
    articles: [], provenance: suspected ? "observed" : "catalog", role: { value: "deployer", basis: [], disposition: "requires_review" }, findings: [],
    obligations: [], purpose: { tags: [], source: null },
    rationale: suspected
      ? `Not in the catalogue, but looks like AI (${reasons.join("; ")}). Confirm it by setting a status, or dismiss it: ` +
        `shadow-ai review ${serviceId} --status dismissed.`
      : `The signature "${serviceId}" is no longer in the catalogue; the stored evidence is kept and needs a human review.`,
  };
}

/** What the compliance file of a record still lacks. */
export function missingOf(c: Classification, g: Governance): string[] {
  const out: string[] = [];
  if (!g.owner) out.push("owner");
  if (!g.purpose) out.push("purpose");
  if (c.obligations.some((o) => o.needs === "oversight") && !g.oversight) out.push("oversight");
  if (c.obligations.some((o) => o.needs === "fria") && !g.fria) out.push("fria");
  return out;
}

/** Build one record per (service, organisational unit) with evidence, in the order of `facts`. */
export function buildRecords(
  facts: readonly SystemFacts[],
  services: ReadonlyMap<string, AIService>,
  governance: ReadonlyMap<string, Governance>,
  options: BuildOptions = {},
): AISystemRecord[] {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  // A dismissal of a suspected record holds for that key in every org unit; dismissed records stay in
  // the inventory (exports and `review` see them, and a dismissal can be undone), the table hides them.
  const dismissed = dismissedKeys(governance);
  return facts.map((f) => {
    const s = services.get(f.serviceId);
    const suspected = f.serviceId.startsWith(SUSPECTED_PREFIX);
    const suspectedStatus = suspected && dismissed.has(f.serviceId.slice(SUSPECTED_PREFIX.length)) ? ("dismissed" as const) : ("suspected" as const);
    const g = governance.get(f.id) ?? (suspected ? { ...emptyGovernance(), status: suspectedStatus } : emptyGovernance());
    // an AI agent its platform lists: a record of kind `agent` (classify/agents.ts)
    if (f.agent) return buildAgentRecord({ ...f, agent: f.agent }, g, today, missingOf, options.now);
    // an MCP server configured on endpoints: a record of kind `mcp_server` (classify/mcp.ts)
    if (f.mcpServer) return buildMcpRecord({ ...f, mcpServer: f.mcpServer }, g, services, today, missingOf, options.now);
    const classification = s
      ? classify(
          {
            service: s, orgUnit: f.orgUnit, jobTitles: f.jobTitles, userCount: f.users.length,
            attested: { purposeTags: g.purposeTags, ...(g.exposure ? { exposure: g.exposure } : {}) },
          },
          { today, ...(g.classOverride ? { override: g.classOverride } : {}) },
        )
      : unclassified(f.serviceId, today, f.matchedBy.filter((m) => m.startsWith("suspected:")).map((m) => m.slice("suspected:".length)));
    const hasGrants = (f.evidence["oauth_grant"] ?? 0) + (f.evidence["oauth_event"] ?? 0) > 0;
    return {
      id: f.id,
      kind: "service" as const,
      serviceId: f.serviceId,
      name: s?.name ?? (suspected ? f.serviceId.slice(SUSPECTED_PREFIX.length) : f.serviceId),
      vendor: s?.vendor ?? "unknown",
      category: s?.category ?? (suspected ? "suspected" : "unknown"),
      orgUnit: f.orgUnit,
      users: f.users,
      jobTitles: f.jobTitles,
      scopes: f.scopes,
      evidence: f.evidence,
      sources: f.sources,
      matchedBy: f.matchedBy,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
      status: g.status,
      owner: g.owner,
      governance: g,
      classification,
      missing: missingOf(classification, g),
      risk: riskScore({
        scopes: f.scopes,
        userCount: f.users.filter((u) => u.kind === "user" || u.kind === "client").length,
        // an admin consent for all users, or app-only permissions, reach every user's data
        allUsersConsent: f.users.some((u) => u.kind === "all_users" || u.kind === "application"),
        status: g.status,
        vendorFacts: s?.vendorFacts,
        hasGrants,
        verifiedPublisher: f.verifiedPublisher,
        lastSeen: f.lastSeen,
        ...unverifiedPublisherOf(f.matchedBy),
        ...(options.now ? { now: options.now } : {}),
      }),
    };
  });
}

/** The matcher's reason when a record is a third-party app using a brand (`suspected:unverified publisher: ...`). */
function unverifiedPublisherOf(matchedBy: readonly string[]): { unverifiedPublisher?: string } {
  const m = matchedBy.find(isUnverifiedPublisher);
  return m ? { unverifiedPublisher: m.slice(m.indexOf(":") + 1) } : {};
}

/** The facts a decision about `r` is about: its users, scopes and class now (sorted, so comparable). */
export function decidedFactsOf(r: AISystemRecord): DecidedFacts {
  return { users: r.users.map((u) => u.id).sort(), scopes: [...r.scopes].sort(), tier: r.classification.tier };
}
