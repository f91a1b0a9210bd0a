/**
 * Loading the EU AI Act rules, obligations and context table from `src/classify/rules/*.yaml`
 * (see its README), validated with zod; errors name the file and the field.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { packageRoot } from "../core/paths.js";
import { AI_ACT_TIERS } from "../core/service.js";

/** The legal regime the rules implement. */
export const REGIME = "EU2024/1689+EU2026/1744";
/** The rule gates in evaluation order (scope, Art. 5, Annex I, Annex III, Art. 50, GPAI, minimal). */
export const GATES = ["scope", "art5", "annex_i", "annex_iii", "art50", "gpai", "minimal"] as const;
export type Gate = (typeof GATES)[number];

/** A structured citation of Regulation (EU) 2024/1689 as amended; rendered by {@link renderCitation}. */
export const citationSchema = z
  .object({
    article: z.string().optional(),
    paragraph: z.string().optional(),
    point: z.string().optional(),
    annex: z.string().optional(),
    /** A citation given as text (from a signature's `euAiAct.articles`). */
    text: z.string().optional(),
  })
  .strict();
export type Citation = z.infer<typeof citationSchema>;

/** `Art. 5(1)(f)`, `Art. 6(2)`, `Annex III 4(a)`, `Art. 27`, or the text as given. */
export function renderCitation(c: Citation): string {
  if (c.text) return c.text;
  if (c.annex) return `Annex ${c.annex}${c.point ? ` ${c.point}` : ""}`;
  let s = `Art. ${c.article ?? "?"}`;
  if (c.paragraph) s += `(${c.paragraph})`;
  if (c.point) s += `(${c.point})`;
  return s;
}

const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");

/** A predicate over facts. Facts are addressed by key (`service.tags`, `context.purpose`). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { always: true }
  | { fact: string; equals?: string | number | boolean; in?: string[]; includesAny?: string[]; matchesAny?: string[]; gte?: number };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z.object({ always: z.literal(true) }).strict(),
    z
      .object({
        fact: z.string().regex(/^(service|context)\.[a-zA-Z]+$/),
        equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
        in: z.array(z.string()).optional(),
        includesAny: z.array(z.string()).optional(),
        matchesAny: z.array(z.string()).optional(),
        gte: z.number().optional(),
      })
      .strict()
      .refine((c) => [c.equals, c.in, c.includesAny, c.matchesAny, c.gte].filter((x) => x !== undefined).length === 1, {
        message: "a fact predicate needs exactly one of equals, in, includesAny, matchesAny, gte",
      }),
  ]),
);

export const ruleSchema = z
  .object({
    id: z.string().regex(/^AIA-[A-Za-z0-9.-]+$/),
    version: z.string(),
    gate: z.enum(GATES),
    tier: z.enum(AI_ACT_TIERS),
    /** The organisation's role this rule implies; `deployer` when absent. */
    role: z.enum(["deployer", "provider"]).default("deployer"),
    citations: z.array(citationSchema).min(1),
    /** The date from which the obligations this rule triggers apply. */
    appliesFrom: ISO_DATE,
    when: conditionSchema,
    /** Add the signature's own `euAiAct.articles` to the citations. */
    citeServiceArticles: z.boolean().default(false),
    /** Fire only when no other rule fired (the residual `minimal` class). */
    onlyIfNoOtherFinding: z.boolean().default(false),
    obligations: z.array(z.string()).default([]),
    rationale: z.string().min(20),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

export const obligationSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    citation: z.string(),
    holder: z.enum(["deployer", "provider"]),
    appliesFrom: ISO_DATE,
    /** The governance field that shows the obligation is addressed (`oversight`, `fria`). */
    needs: z.enum(["oversight", "fria"]).optional(),
  })
  .strict();
export type Obligation = z.infer<typeof obligationSchema>;

const contextSchema = z
  .object({
    version: z.string(),
    purposes: z.array(
      z.object({ tag: z.string(), departments: z.array(z.string()).default([]), jobTitles: z.array(z.string()).default([]) }).strict(),
    ),
  })
  .strict();

/** Everything the engine needs, loaded once. */
export interface RuleSet {
  version: string;
  rules: Rule[];
  obligations: Map<string, Obligation>;
  purposes: { tag: string; departments: RegExp[]; jobTitles: RegExp[] }[];
}

/** A rules file that does not validate: the file and the field path. */
export class RuleError extends Error {
  constructor(file: string, field: string, reason: string) {
    super(`${file}: ${field}: ${reason}`);
    this.name = "RuleError";
  }
}

function read<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parseYaml(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new RuleError(file, i.path.join(".") || "(top level)", i.message);
  }
  return parsed.data;
}

/** The bundled rules directory. */
export function rulesDir(): string {
  return join(packageRoot(), "src", "classify", "rules");
}

let cached: RuleSet | undefined;

/**
 * Load and validate the rule set from `dir` (default: the bundled one), rules in gate order then
 * file order. Checks that every obligation a rule names exists.
 * @throws RuleError naming the file and field.
 */
export function loadRuleSet(dir = rulesDir()): RuleSet {
  if (cached && dir === rulesDir()) return cached;
  const ruleFiles = readdirSync(dir).filter((f) => /^rules-.*\.ya?ml$/.test(f)).sort();
  const rules = ruleFiles.flatMap((f) => read(join(dir, f), z.array(ruleSchema)));
  rules.sort((a, b) => GATES.indexOf(a.gate) - GATES.indexOf(b.gate));
  const obl = read(join(dir, "obligations.yaml"), z.object({ version: z.string(), obligations: z.array(obligationSchema) }).strict());
  const obligations = new Map(obl.obligations.map((o) => [o.id, o]));
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new RuleError(dir, r.id, "rule id defined twice");
    seen.add(r.id);
    for (const o of r.obligations) if (!obligations.has(o)) throw new RuleError(dir, `${r.id}.obligations`, `unknown obligation ${o}`);
  }
  const ctx = read(join(dir, "context.yaml"), contextSchema);
  const set: RuleSet = {
    version: `${REGIME}@${[...new Set([...rules.map((r) => r.version), obl.version, ctx.version])].sort().join("+")}`,
    rules,
    obligations,
    purposes: ctx.purposes.map((p) => ({
      tag: p.tag,
      departments: p.departments.map((d) => new RegExp(d, "i")),
      jobTitles: p.jobTitles.map((j) => new RegExp(j, "i")),
    })),
  };
  if (dir === rulesDir()) cached = set;
  return set;
}
