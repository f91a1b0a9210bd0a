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
    decidedFacts: z
      .object({ users: z.array(z.string()), scopes: z.array(z.string()), tier: z.string() })
      .nullable()
      .exactOptional()
      .describe("What a person decided on when they last set a deciding status (users, scopes, class then): `--fail-on` stays quiet while the facts are within these"),
    escalationOwner: z.string().nullable().exactOptional().describe("Agents: who is called when the agent fails or is unsure"),
    unsupervisedDecisions: z.string().nullable().exactOptional().describe("Agents: the decisions it may take unsupervised"),
    humanDecisions: z.string().nullable().exactOptional().describe("Agents: the decisions that need a human"),
    rollback: z.string().nullable().exactOptional().describe("Agents: how its actions are rolled back"),
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
        factor: z.enum([
          "scopes", "users", "status", "training", "publisher", "jurisdiction", "recency", "unverified publisher",
          "plaintext secret", "plain HTTP", "unpinned package", "shell or whole-filesystem access",
        ]),
        points: count(),
        max: count(),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: "RiskScore", description: "Security risk score 0-100 and its factors (table in src/classify/risk.ts)." });

const agentPrincipal = z.object({
  id: z.string(),
  name: z.string().exactOptional(),
  type: z.enum(["user", "servicePrincipal", "group", "unknown"]),
});

export const agentViewSchema = z
  .object({
    id: z.string().describe("Record id, `agent:<platform>:<id at the source>`"),
    platform: z.enum(["entra", "agent365", "copilot-studio", "endpoint"]),
    source: z.string(),
    externalId: z.string(),
    name: z.string(),
    appId: z.string().exactOptional(),
    blueprint: z.object({ id: z.string(), name: z.string().exactOptional(), present: z.boolean().exactOptional() }).exactOptional(),
    publisher: z.string().exactOptional(),
    enabled: z.boolean().nullable(),
    owners: z.array(agentPrincipal).exactOptional(),
    sponsors: z.array(agentPrincipal).exactOptional(),
    permissions: z.array(
      z.object({
        value: z.string(),
        type: z.enum(["application", "delegated"]),
        resource: z.string().exactOptional(),
        inherited: z.boolean().exactOptional(),
        consentType: z.enum(["AllPrincipals", "Principal"]).exactOptional(),
        risk: z.enum(["high", "medium", "low"]),
      }),
    ),
    users: z.array(z.string()),
    activeUsers30d: count().exactOptional(),
    lastActivity: z.string().exactOptional(),
    createdAt: z.string().exactOptional(),
    interactsWithPeople: z.boolean(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
    notes: z.array(z.string()),
    firstScanId: z.number().int(),
    lastScanId: z.number().int(),
    flags: z.array(z.enum(["no-owner-or-sponsor", "orphaned", "high-privilege"])),
  })
  .meta({ id: "AgentView", description: "An AI agent as its platform lists it (src/core/agent.ts), and what is wrong with it (`flags`)." });

const mcpSecretRef = z.object({
  name: z.string(),
  literal: z.boolean().describe("The file holds the value itself (not a `${VAR}` reference)"),
  secret: z.boolean().describe("A literal credential (by its name or shape)"),
  hash: z.string().exactOptional().describe("HMAC-SHA256 of the value under the bundle's key (32 hex digits); never the value"),
  reference: z.string().exactOptional().describe("The variable a reference names"),
});
const mcpFlag = z.enum(["plaintext-secret", "plain-http", "unpinned", "broad-access"]);

export const mcpServerViewSchema = z
  .object({
    id: z.string().describe("Record id, `mcp:<identity>`"),
    source: z.string(),
    name: z.string(),
    transport: z.enum(["stdio", "http", "sse"]),
    url: z.string().exactOptional(),
    command: z.string().exactOptional(),
    package: z.object({ ecosystem: z.enum(["npm", "pypi", "docker"]), name: z.string(), version: z.string().exactOptional(), pinned: z.boolean() }).exactOptional(),
    flags: z.array(mcpFlag),
    installs: z.array(
      z.object({
        host: z.string(), user: z.string(), client: z.string(), file: z.string(), scope: z.enum(["user", "project", "local"]), project: z.string().exactOptional(),
        name: z.string(), collectedAt: z.string(), flags: z.array(mcpFlag), keyId: z.string(), env: z.array(mcpSecretRef), headers: z.array(mcpSecretRef),
        args: z.array(z.string()).exactOptional(), disabled: z.boolean().exactOptional(),
      }),
    ),
    hosts: z.array(z.string()),
    signature: z.object({ id: z.string(), matched: z.string() }).exactOptional(),
    firstScanId: z.number().int(),
    lastScanId: z.number().int(),
  })
  .meta({ id: "McpServerView", description: "An MCP server configured on endpoints (src/core/mcp.ts): where, how it runs, and what is wrong (`flags`). No secret value." });

const rosterSampleItem = z.object({
  id: z.string().describe("The vendor's id of the seat, key, service account or agent; for a person with no seat, or a seat of a member export, the e-mail (a pseudonym in a pseudonymized export)"),
  org: z.string().exactOptional().describe("The vendor organisation"),
  user: z.string().exactOptional().describe("E-mail of the person concerned: seat holder, person observed, key owner (a pseudonym in a pseudonymized export)"),
  name: z.string().exactOptional().describe("Key, service account or agent name as the vendor gives it (left out of pseudonymized exports)"),
  redacted: z.string().exactOptional().describe("Redacted key value exactly as the vendor's API gave it; never more of a key"),
  ownerStatus: z.string().exactOptional().describe("Owner status in the directory: `suspended`, `disabled`, `deleted`, `unknown`, `removed_from_vendor`"),
  lastUsed: isoTime().nullable().exactOptional().describe("Last use the evidence shows; null when none"),
}).meta({ id: "RosterSampleItem", description: "One finding of `seats`, as a record shows it." });
const rosterFindingSample = z
  .object({ count: count(), first: z.array(rosterSampleItem).describe("The first five, in `seats` order") })
  .meta({ id: "RosterFindingSample", description: "How many findings of one kind, and the first few." });

export const rosterSectionSchema = z
  .object({
    vendor: z.enum(["openai", "anthropic"]),
    asOf: isoTime().describe("The windows end here: the end of the latest scan (or $SHADOW_AI_NOW)"),
    days: count().describe("Window of observed use, in days"),
    staleKeyDays: count().describe("A key unused for longer is stale"),
    seats: count().describe("Members the vendor lists now (users, and seats of member exports), not deactivated"),
    keys: count().describe("Keys the vendor lists now"),
    unusedSeats: rosterFindingSample.describe("Seats with no use seen in the window"),
    noSeat: rosterFindingSample.describe("People observed using the vendor's services in the window with no seat: personal accounts"),
    orphanedKeys: rosterFindingSample.describe("Active keys whose owner is suspended, disabled, deleted, unknown to the directory or gone from the vendor"),
    orphanedServiceAccounts: rosterFindingSample.describe("Service accounts whose creator is suspended, disabled, deleted or unknown to the directory"),
    staleKeys: rosterFindingSample.describe("Active keys unused for more than staleKeyDays days"),
    unsupervisedAgents: rosterFindingSample.describe("Managed agents with tools that run without approval"),
    notes: z.array(z.string()),
  })
  .meta({ id: "RosterSection", description: "What `shadow-ai seats` finds for the vendor of the record's service (OpenAI, Anthropic), from the vendor's roster and the other sources' evidence (src/store/rosters.ts)." });

/** zod schema of one inventory record; the same type as `AISystemRecord` (checked below). */
export const aiSystemRecordSchema = z
  .object({
    id: z.string().describe("`<serviceId>` or `<serviceId>@<org-unit-slug>`, stable across scans; `agent:<platform>:<id>` for an agent"),
    kind: z.enum(["service", "agent", "mcp_server"]).exactOptional().describe("`service` (default), `agent` (with `agent`), `mcp_server`"),
    agent: agentViewSchema.exactOptional().describe("Agents only: what the platform says, and what is wrong"),
    mcpServer: mcpServerViewSchema.exactOptional().describe("MCP servers only: installs per host, user and client, and what is wrong"),
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
    roster: rosterSectionSchema.exactOptional().describe("OpenAI's and Anthropic's services: what `seats` finds for the vendor, the same on each of its records"),
  })
  .meta({ id: "AISystemRecord", description: "One inventory entry: an AI service used by one organisational unit. Field meanings: README.md, `inventory --json`." });

/** One governance journal entry of a record (`review --history`), in the export. */
export const journalEntrySchema = z
  .object({
    at: isoTime(),
    by: z.string().describe("Who made the change (`--as`, or the OS user)"),
    field: z.string().describe("Governance field: `owner`, `status`, `purpose`, `classOverride`, ..."),
    old: z.string().nullable(),
    new: z.string().nullable(),
    why: z.string().nullable().describe("The reason given with `--why`"),
  })
  .meta({ id: "JournalEntry", description: "Who changed which governance field of the record, when, from what to what, and why." });

/** Where a raw record is: capture file + frame + byte offset, log file + line + byte offset, or API + record id. */
export const evidenceRefSchema = z
  .object({
    file: z.string().exactOptional(),
    frame: z.number().int().nonnegative().exactOptional().describe("1-based frame number (Wireshark's frame.number)"),
    offset: z.number().int().nonnegative().exactOptional().describe("Byte offset in the file"),
    line: z.number().int().nonnegative().exactOptional().describe("1-based line number"),
    api: z.string().exactOptional().describe("API endpoint the record came from"),
    id: z.string().exactOptional().describe("The API's record id"),
  })
  .meta({ id: "EvidenceRef" });

/** One observation behind a record, with the reference to its raw record (src/store/evidence.ts). */
export const evidenceItemSchema = z
  .object({
    time: isoTime(),
    source: z.string().describe("Collector id: `pcap`, `google-workspace`, `logs:zeek`, ..."),
    kind: z.string().describe("`dns`, `tls`, `http`, `oauth_grant`, ..."),
    user: z.string().nullable().describe("E-mail/UPN, or a pseudonym in a pseudonymized export"),
    client: z.string().nullable().describe("Client address, or a pseudonym in a pseudonymized export"),
    host: z.string().nullable(),
    app: z.string().nullable().describe("App name, or its client ID / app ID"),
    action: z.string().nullable(),
    matched: z.string().describe("Signature field that matched, and the value: `domain: openai.com`"),
    refs: z
      .array(evidenceRefSchema)
      .describe("Where the raw records are: for a day's rollup of traffic, the first few events' and the last's; otherwise the record and every other file it was read from"),
    count: z.number().int().min(1).describe("Events this item stands for: 1 for an identity fact, the day's count for a traffic rollup"),
    lastTime: isoTime().describe("The last event's time (equal to `time` for a single event)"),
    bytes: z.number().int().min(0).nullable().describe("Bytes the source counted over those events, when it counts them"),
  })
  .meta({ id: "EvidenceItem", description: "One observation behind the record. Strings come from the evidence: attacker-controlled." });

/** A record in the export document: the record, its governance journal and a sample of its evidence. */
export const exportRecordSchema = aiSystemRecordSchema
  .extend({
    journal: z.array(journalEntrySchema).describe("Governance journal, oldest first"),
    evidenceSample: z.array(evidenceItemSchema).describe("A bounded sample of the evidence: the earliest and the latest observations, newest first"),
  })
  .meta({ id: "ExportRecord", description: "An AISystemRecord with its governance journal and a bounded sample of its evidence (export document only; `inventory --json` prints bare AISystemRecords)." });

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
    records: z.array(exportRecordSchema).describe("Sorted by id"),
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
  // The export's records are ExportRecords; `inventory --json` prints bare AISystemRecords, which
  // the document does not reference: add their definition (its parts are the same $defs).
  const recordDefs = (z.toJSONSchema(aiSystemRecordSchema, { target: "draft-2020-12" }) as { $defs: Record<string, unknown> }).$defs;
  const defs = { ...recordDefs, ...(s["$defs"] as Record<string, unknown>) };
  const sorted = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // Put $id first for readers of the file.
  return { $schema: s["$schema"], $id: INVENTORY_SCHEMA_ID, ...s, $defs: sorted };
}
