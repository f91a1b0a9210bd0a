/**
 * The JSON export's schema. A zod schema of `AISystemRecord` (src/core/finding.ts), checked at
 * compile time to be the same type as the TypeScript interface, and the export document that wraps
 * the records. `reports/inventory.schema.json` is `inventoryJsonSchema()` written out (JSON Schema
 * draft 2020-12, https://json-schema.org/draft/2020-12/schema); `reports/schema.test.ts` fails when
 * the file and the zod schema drift apart, and rewrites the file when run with
 * `SHADOW_AI_WRITE_SCHEMA=1`.
 *
 * Two shapes share the record definition:
 * - `inventory --json` prints a bare array of records (`#/$defs/AISystemRecord`), for pipes and jq;
 * - `inventory --format json --out FILE` writes the export document (the schema's root): the records
 *   with `$schema`, `schemaVersion`, `generatedAt`, `tool` and `pseudonymization`, so a file that
 *   travels says what it is, which version of the format, and whether its identities are pseudonyms.
 */
import { z } from "zod";
import type { AISystemRecord } from "../src/core/finding.js";
import { SANCTION_STATUSES } from "../src/core/finding.js";
import { AI_ACT_TIERS } from "../src/core/service.js";

/** `$id` of the export schema and the `$schema` value of every export document. */
export const INVENTORY_SCHEMA_ID = "urn:shadow-ai:schema:inventory-export:1";
/** Version of the export document format; a breaking change to a record bumps it. */
export const INVENTORY_SCHEMA_VERSION = "1";

const isoTime = () => z.iso.datetime().describe("ISO 8601 UTC time (`2026-11-22T05:04:46.091Z`)");
const isoDate = () => z.iso.date().describe("ISO 8601 date (`2027-12-02`)");
const count = () => z.number().int().nonnegative();

const tier = z.enum(AI_ACT_TIERS);
const factSource = z.enum(["catalog", "observed", "attested", "reviewed"]);
const disposition = z.enum(["determined", "requires_review", "blocked"]);
const role = z.enum(["deployer", "provider"]);

export const systemUserSchema = z
  .object({
    id: z.string().describe("E-mail/UPN (lower-case), a client IP address, `all users` or `application permissions`; a pseudonym `u_<16 hex>` in a pseudonymized export"),
    kind: z.enum(["user", "client", "all_users", "application"]),
    department: z.string().optional().describe("From the identity source, where it gave one"),
    observations: count(),
    firstSeen: isoTime(),
    lastSeen: isoTime(),
  })
  .meta({ id: "SystemUser", description: "A user or client seen using the AI system, with how often and when." });

export const governanceSchema = z
  .object({
    owner: z.string().nullable(),
    status: z.enum(SANCTION_STATUSES),
    purpose: z.string().nullable().describe("Business purpose, in the owner's words"),
    purposeTags: z.array(z.string()).describe("Purpose tags a reviewer attested (`recruitment`, `customer_chat`)"),
    exposure: z.string().nullable().describe("Who is exposed to the output: `internal`, `external_users`, `public`"),
    oversight: z.string().nullable().describe("Human-oversight arrangements (Art. 26(2))"),
    fria: z.string().nullable().describe("Reference to the fundamental-rights impact assessment (Art. 27)"),
    classOverride: z.object({ tier, why: z.string() }).nullable().describe("A reviewer's class, overriding the rules, with its justification"),
    updatedAt: isoTime().nullable(),
  })
  .meta({ id: "Governance", description: "Human decisions about the record; never written by a scan." });

export const ruleFindingSchema = z
  .object({
    ruleId: z.string(),
    ruleVersion: z.string(),
    gate: z.enum(["scope", "art5", "annex_i", "annex_iii", "art50", "gpai", "minimal"]),
    tier,
    role,
    citations: z.array(z.string()),
    rationale: z.string(),
    decisiveFacts: z.array(z.string()).describe("Fact keys the result depended on, with their sources (`context.purpose:observed`)"),
    disposition,
    appliesFrom: isoDate(),
  })
  .meta({ id: "RuleFinding", description: "A classification rule that fired." });

export const obligationSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    citation: z.string(),
    holder: role,
    appliesFrom: isoDate(),
    status: z.enum(["applies", "upcoming"]).describe("`applies` when appliesFrom is on or before the evaluation date"),
    daysUntil: z.number().int().describe("Days from the evaluation date until it applies (0 or negative once it applies)"),
    candidate: z.boolean().describe("True when every rule that triggered it is a candidate needing review"),
    needs: z.enum(["oversight", "fria"]).optional().describe("Governance field that shows it addressed"),
    basis: z.array(z.string()).describe("Rule ids that triggered it"),
  })
  .meta({ id: "ObligationStatus", description: "An obligation that applies to the record, with its date." });

export const classificationSchema = z
  .object({
    regime: z.string(),
    rulesetVersion: z.string(),
    evaluatedAt: isoDate(),
    tier: z.union([tier, z.literal("unclassified")]).describe("The most severe finding; `unclassified` only when the service left the catalogue"),
    disposition,
    articles: z.array(z.string()),
    rationale: z.string(),
    provenance: factSource,
    role: z.object({ value: role, basis: z.array(z.string()), disposition }),
    findings: z.array(ruleFindingSchema),
    obligations: z.array(obligationSchema),
    purpose: z.object({ tags: z.array(z.string()), source: factSource.nullable() }),
  })
  .meta({ id: "Classification", description: "EU AI Act classification (Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744)." });

export const riskScoreSchema = z
  .object({
    score: z.number().int().min(0).max(100),
    factors: z.array(
      z.object({
        factor: z.enum(["scopes", "users", "status", "training", "publisher", "jurisdiction", "recency", "unverified publisher"]),
        points: count(),
        max: count(),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: "RiskScore", description: "Security risk score 0-100 and its factors (table in src/classify/risk.ts)." });

/** zod schema of one inventory record; the same type as `AISystemRecord` (checked below). */
export const aiSystemRecordSchema = z
  .object({
    id: z.string().describe("`<serviceId>` or `<serviceId>@<org-unit-slug>`, stable across scans"),
    serviceId: z.string(),
    name: z.string(),
    vendor: z.string(),
    category: z.string(),
    orgUnit: z.string().nullable().describe("The users' department, or null when the evidence names none"),
    users: z.array(systemUserSchema),
    jobTitles: z.array(z.string()),
    scopes: z.array(z.string()).describe("OAuth scopes granted to the service, sorted"),
    evidence: z.record(z.string(), count()).describe("Observation counts by kind (`dns`, `tls`, `oauth_grant`)"),
    sources: z.array(z.string()),
    matchedBy: z.array(z.string()).describe("Matched signature identifiers (`domain:openai.com`, `appName:^Otter`)"),
    firstSeen: isoTime(),
    lastSeen: isoTime(),
    status: z.enum(SANCTION_STATUSES),
    owner: z.string().nullable(),
    governance: governanceSchema,
    classification: classificationSchema,
    missing: z.array(z.string()).describe("What the compliance file still lacks: `owner`, `purpose`, `oversight`, `fria`"),
    risk: riskScoreSchema,
  })
  .meta({ id: "AISystemRecord", description: "One inventory entry: an AI service used by one organisational unit. Field meanings: README.md, `inventory --json`." });

/** Pseudonymization applied to an export, or null when identities are in clear. */
export const pseudonymizationSchema = z
  .object({
    method: z.literal("hmac-sha256-64").describe("`u_` + the first 16 hex digits of HMAC-SHA-256(key, identity)"),
    keyId: z.string().regex(/^[0-9a-f]{8}$/).describe("Fingerprint of the key: exports with the same keyId have joinable pseudonyms"),
  })
  .meta({ id: "Pseudonymization" });

/** The export document of `inventory --format json --out FILE`. */
export const inventoryExportSchema = z
  .object({
    $schema: z.literal(INVENTORY_SCHEMA_ID),
    schemaVersion: z.literal(INVENTORY_SCHEMA_VERSION),
    generatedAt: isoTime(),
    tool: z.object({ name: z.string(), version: z.string() }),
    pseudonymization: pseudonymizationSchema.nullable(),
    records: z.array(aiSystemRecordSchema).describe("Sorted by id"),
  })
  .meta({ title: "shadow-ai inventory export", description: "AI systems an organisation uses, with their EU AI Act classification, governance and evidence." });

/** The export document's TypeScript type. */
export type InventoryExport = z.infer<typeof inventoryExportSchema>;

// Compile-time check: the zod schema and the AISystemRecord interface describe the same type.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const recordTypeInSync: Equals<z.infer<typeof aiSystemRecordSchema>, AISystemRecord> = true;
void recordTypeInSync;

/**
 * The JSON Schema (draft 2020-12) of the export document, with the record and its parts under
 * `$defs` (`#/$defs/AISystemRecord` is one element of `inventory --json`). Objects are closed
 * (`additionalProperties: false`): a field added to the record without the schema fails the tests.
 */
export function inventoryJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(inventoryExportSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  // Put $id first for readers of the file.
  return { $schema: s["$schema"], $id: INVENTORY_SCHEMA_ID, ...s };
}
