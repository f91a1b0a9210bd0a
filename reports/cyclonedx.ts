/**
 * CycloneDX 1.6 JSON export (`inventory --format cyclonedx --out FILE`; spec:
 * https://cyclonedx.org/docs/1.6/json/), built with `@cyclonedx/cyclonedx-library` (its `Models`,
 * `Serialize.JsonSerializer`'s normaliser for `Spec.Spec1dot6`) and checked with its strict JSON
 * validator.
 *
 * Each AI system record is one `services[]` entry (CycloneDX models a SaaS endpoint as a service):
 * - `bom-ref` = record id, `name` = service name, `provider.name` = vendor, `description` = who uses
 *   it (and the attested purpose);
 * - `endpoints` = `https://<domain>` for each matched `domain:` identifier (the signature matches
 *   the domain and its subdomains; the scheme is assumed);
 * - `data[]` = one flow per kind of data the granted OAuth scopes reach (`email`, `files`,
 *   `calendar`, `contacts`, `directory`, `identity`, `other`): `inbound` (data enters the service)
 *   for read scopes, `bi-directional` when a scope in the group can write; `description` lists the
 *   scopes. No entry without an OAuth grant: captures show traffic, not what data went;
 * - `x-trust-boundary` = true (a third-party service); `authenticated` = true where OAuth grants were seen;
 * - `properties[]`, namespaced `aiact:` (the EU AI Act classification) and `shadow-ai:` (inventory
 *   facts and governance); names are listed in `CYCLONEDX_PROPERTIES`.
 * Individual users are left out on purpose (data minimisation): a BOM carries `shadow-ai:userCount`,
 * and of a vendor roster section (`shadow-ai:roster:*`) only counts and the vendor's key ids.
 *
 * The library's Service model has no `endpoints`, `data`, `authenticated` or `x-trust-boundary`
 * (all in the 1.6 schema), so they are added to the normalised JSON before it is written; the
 * strict 1.6 schema validation in the tests covers them.
 */
import { randomUUID } from "node:crypto";
import { Enums, Models, Serialize, Spec, Validation } from "@cyclonedx/cyclonedx-library";
import type { AISystemRecord } from "../src/core/finding.js";

/** Property names this exporter writes; `×` marks one property per value. */
export const CYCLONEDX_PROPERTIES: Readonly<Record<string, string>> = {
  "aiact:tier": "prohibited, high_risk, transparency, gpai, minimal or unclassified",
  "aiact:disposition": "determined, requires_review or blocked",
  "aiact:citation": "× an article behind the class (`Art. 50(1)`, `Annex III 4(a)`)",
  "aiact:role": "deployer or provider",
  "aiact:provenance": "catalog, observed, attested or reviewed",
  "aiact:rationale": "why the class",
  "aiact:rule": "× id of a rule that fired",
  "aiact:purposeTag": "× purpose tag the rules saw",
  "aiact:obligation": "× `citation | applies|upcoming | YYYY-MM-DD | title` (`| candidate` when it rests on a candidate class)",
  "aiact:classOverride": "reviewer's class: `tier: why`",
  "aiact:regime": "regulation the ruleset implements",
  "aiact:rulesetVersion": "ruleset version",
  "aiact:evaluatedAt": "date of the classification",
  "shadow-ai:serviceId": "catalogue id",
  "shadow-ai:category": "service category",
  "shadow-ai:orgUnit": "users' department (absent when none)",
  "shadow-ai:status": "governance status",
  "shadow-ai:owner": "accountable owner (absent when none)",
  "shadow-ai:purpose": "business purpose (absent when none)",
  "shadow-ai:exposure": "who is exposed to the output (absent when none)",
  "shadow-ai:oversight": "human oversight, Art. 26(2) (absent when none)",
  "shadow-ai:fria": "FRIA reference, Art. 27 (absent when none)",
  "shadow-ai:missing": "× what the compliance file lacks",
  "shadow-ai:riskScore": "security risk score 0-100",
  "shadow-ai:risk:<factor>": "`points/max: detail` per risk factor",
  "shadow-ai:userCount": "distinct users or clients",
  "shadow-ai:firstSeen": "ISO 8601 UTC",
  "shadow-ai:lastSeen": "ISO 8601 UTC",
  "shadow-ai:evidence:<kind>": "observation count of that kind",
  "shadow-ai:source": "× collector that saw it",
  "shadow-ai:matchedBy": "× matched signature identifier",
  "shadow-ai:roster:vendor": "OpenAI's and Anthropic's services: the vendor whose roster `seats` reconciled (absent for other records, with the roster properties below)",
  "shadow-ai:roster:asOf": "ISO 8601 UTC end of the windows (the latest scan)",
  "shadow-ai:roster:seats": "members the vendor lists now",
  "shadow-ai:roster:<finding>": "count of `unusedSeats`, `noSeat`, `orphanedKeys`, `orphanedServiceAccounts`, `staleKeys`, `unsupervisedAgents`",
  "shadow-ai:roster:orphanedKey": "× id of one of the first five keys of departed or unknown owners (the vendor's key id; no person, no key value)",
  "shadow-ai:roster:staleKey": "× id of one of the first five keys unused for more than 90 days",
};

/** Options of the CycloneDX export. */
export interface CycloneDxOptions {
  /** The tool that wrote it, recorded in `metadata.tools`. */
  tool: { name: string; version: string };
  /** `metadata.timestamp`; now by default. */
  timestamp?: Date;
  /** `serialNumber` (`urn:uuid:...`); a random UUID by default. */
  serialNumber?: string;
  /** `pseudonymizationInfo(key)` when the records were pseudonymized (recorded in metadata properties). */
  pseudonymization?: { method: string; keyId: string } | null;
}

type DataCategory = "email" | "files" | "calendar" | "contacts" | "directory" | "identity" | "other";

const CATEGORY_RULES: [DataCategory, RegExp[]][] = [
  ["email", [/^https:\/\/mail\.google\.com\/?$/i, /\/auth\/gmail\./i, /^Mail\./i, /^(EAS|EWS|IMAP|POP|SMTP)\./i]],
  ["files", [/\/auth\/drive(\.|$)/i, /^Files\./i, /^Sites\./i]],
  ["calendar", [/\/auth\/calendar/i, /^Calendars\./i, /^OnlineMeetings\./i]],
  ["contacts", [/\/auth\/contacts/i, /^Contacts\./i]],
  ["directory", [/^Directory\./i, /^User\.(Read|ReadBasic)\.All$/i, /^Group\./i, /\/auth\/admin\.directory\./i]],
  ["identity", [/^(openid|email|profile|offline_access)$/i, /\/auth\/userinfo\./i, /^User\.Read$/i]],
];

/** Whether a scope lets the service write: Graph `ReadWrite`/`Send`, Google scopes that are not read-only. */
function canWrite(scope: string): boolean {
  if (/ReadWrite|\.Send\b/i.test(scope)) return true;
  if (/^https:\/\/mail\.google\.com\/?$/i.test(scope)) return true;
  return /^https:\/\/www\.googleapis\.com\/auth\/(gmail|drive|calendar|contacts)/i.test(scope) && !/readonly/i.test(scope);
}

/** The data flows of a record's OAuth scopes, one per kind of data, in CATEGORY_RULES order. */
export function scopeDataFlows(scopes: readonly string[]): { flow: "inbound" | "bi-directional"; classification: DataCategory; name: string; description: string }[] {
  const groups = new Map<DataCategory, string[]>();
  for (const s of scopes) {
    const cat = CATEGORY_RULES.find(([, res]) => res.some((r) => r.test(s)))?.[0] ?? "other";
    groups.set(cat, [...(groups.get(cat) ?? []), s]);
  }
  const order: DataCategory[] = [...CATEGORY_RULES.map(([c]) => c), "other"];
  return order
    .filter((c) => groups.has(c))
    .map((c) => {
      const ss = groups.get(c) ?? [];
      return {
        flow: ss.some(canWrite) ? "bi-directional" : "inbound",
        classification: c,
        name: `${c} (OAuth grant)`,
        description: `Granted scopes: ${ss.join(", ")}`,
      };
    });
}

/** `https://<domain>` for each `domain:` identifier that is a plain host name. */
function endpointsOf(r: AISystemRecord): string[] {
  return [
    ...new Set(
      r.matchedBy
        .filter((m) => m.startsWith("domain:"))
        .map((m) => m.slice("domain:".length).toLowerCase())
        .filter((d) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(d))
        .map((d) => `https://${d}`),
    ),
  ];
}

function propertiesOf(r: AISystemRecord): [string, string][] {
  const c = r.classification;
  const g = r.governance;
  const p: [string, string][] = [
    ["aiact:tier", c.tier],
    ["aiact:disposition", c.disposition],
    ...c.articles.map((a): [string, string] => ["aiact:citation", a]),
    ["aiact:role", c.role.value],
    ["aiact:provenance", c.provenance],
    ["aiact:rationale", c.rationale],
    ...c.findings.map((f): [string, string] => ["aiact:rule", f.ruleId]),
    ...c.purpose.tags.map((t): [string, string] => ["aiact:purposeTag", t]),
    ...c.obligations.map((o): [string, string] => ["aiact:obligation", `${o.citation} | ${o.status} | ${o.appliesFrom} | ${o.title}${o.candidate ? " | candidate" : ""}`]),
  ];
  if (g.classOverride) p.push(["aiact:classOverride", `${g.classOverride.tier}: ${g.classOverride.why}`]);
  p.push(["aiact:regime", c.regime], ["aiact:rulesetVersion", c.rulesetVersion], ["aiact:evaluatedAt", c.evaluatedAt]);
  p.push(["shadow-ai:serviceId", r.serviceId], ["shadow-ai:category", r.category]);
  if (r.orgUnit !== null) p.push(["shadow-ai:orgUnit", r.orgUnit]);
  p.push(["shadow-ai:status", r.status]);
  if (r.owner !== null) p.push(["shadow-ai:owner", r.owner]);
  if (g.purpose !== null) p.push(["shadow-ai:purpose", g.purpose]);
  if (g.exposure !== null) p.push(["shadow-ai:exposure", g.exposure]);
  if (g.oversight !== null) p.push(["shadow-ai:oversight", g.oversight]);
  if (g.fria !== null) p.push(["shadow-ai:fria", g.fria]);
  p.push(...r.missing.map((m): [string, string] => ["shadow-ai:missing", m]));
  p.push(["shadow-ai:riskScore", String(r.risk.score)]);
  p.push(...r.risk.factors.map((f): [string, string] => [`shadow-ai:risk:${f.factor}`, `${f.points}/${f.max}: ${f.detail}`]));
  p.push(["shadow-ai:userCount", String(r.users.length)], ["shadow-ai:firstSeen", r.firstSeen], ["shadow-ai:lastSeen", r.lastSeen]);
  p.push(...Object.entries(r.evidence).map(([k, n]): [string, string] => [`shadow-ai:evidence:${k}`, String(n)]));
  p.push(...r.sources.map((s): [string, string] => ["shadow-ai:source", s]));
  p.push(...r.matchedBy.map((m): [string, string] => ["shadow-ai:matchedBy", m]));
  const x = r.roster;
  if (x) {
    // counts and key ids only: a BOM names no person (module comment)
    p.push(["shadow-ai:roster:vendor", x.vendor], ["shadow-ai:roster:asOf", x.asOf], ["shadow-ai:roster:seats", String(x.seats)]);
    for (const k of ["unusedSeats", "noSeat", "orphanedKeys", "orphanedServiceAccounts", "staleKeys", "unsupervisedAgents"] as const) p.push([`shadow-ai:roster:${k}`, String(x[k].count)]);
    p.push(...x.orphanedKeys.first.map((i): [string, string] => ["shadow-ai:roster:orphanedKey", i.id]));
    p.push(...x.staleKeys.first.map((i): [string, string] => ["shadow-ai:roster:staleKey", i.id]));
  }
  return p;
}

/** The service's description: who uses it, and the attested purpose. */
function describe(r: AISystemRecord): string {
  const who = r.orgUnit !== null ? `used in ${r.orgUnit}` : "used by clients with no department on record";
  return `${r.name} (${r.vendor}), ${who}.${r.governance.purpose ? ` Purpose: ${r.governance.purpose}` : ""}`;
}

/** Extra 1.6 service fields the library's model lacks. */
interface ServiceExtras {
  endpoints?: string[];
  authenticated?: boolean;
  "x-trust-boundary"?: boolean;
  data?: ReturnType<typeof scopeDataFlows>;
}

/**
 * The records as a CycloneDX 1.6 JSON BOM (pretty-printed UTF-8 text with a trailing newline),
 * one `services[]` entry per record in input order (mapping in the module comment).
 * @throws Error when two records share an id (a bom-ref must be unique).
 */
export function inventoryCycloneDx(records: readonly AISystemRecord[], options: CycloneDxOptions): string {
  const ids = new Set<string>();
  for (const r of records) {
    if (ids.has(r.id)) throw new Error(`duplicate record id ${JSON.stringify(r.id)}: a CycloneDX bom-ref must be unique`);
    ids.add(r.id);
  }
  const bom = new Models.Bom();
  bom.serialNumber = options.serialNumber ?? `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = options.timestamp ?? new Date();
  bom.metadata.lifecycles.add(Enums.LifecyclePhase.Operations);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, options.tool.name, { version: options.tool.version }));
  bom.metadata.properties.add(new Models.Property("shadow-ai:recordCount", String(records.length)));
  bom.metadata.properties.add(
    new Models.Property("shadow-ai:pseudonymization", options.pseudonymization ? `${options.pseudonymization.method}; keyId ${options.pseudonymization.keyId}` : "none"),
  );
  const extras = new Map<string, ServiceExtras>();
  for (const r of records) {
    const s = new Models.Service(r.name, {
      bomRef: r.id,
      provider: new Models.OrganizationalEntity({ name: r.vendor }),
      description: describe(r),
    });
    for (const [name, value] of propertiesOf(r)) s.properties.add(new Models.Property(name, value));
    bom.services.add(s);
    const endpoints = endpointsOf(r);
    const data = scopeDataFlows(r.scopes);
    const oauth = (r.evidence["oauth_grant"] ?? 0) + (r.evidence["oauth_event"] ?? 0) > 0;
    extras.set(r.id, {
      ...(endpoints.length ? { endpoints } : {}),
      ...(oauth ? { authenticated: true } : {}),
      "x-trust-boundary": true,
      ...(data.length ? { data } : {}),
    });
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  // sortLists: false keeps services in record order and properties in the order above.
  const normalized = serializer.normalizerFactory.makeForBom().normalize(bom, { sortLists: false });
  normalized.services = (normalized.services ?? []).map((s) => {
    const ref = s["bom-ref"];
    const x = ref !== undefined ? extras.get(ref) : undefined;
    if (!x) return s;
    // Field order of the spec: name, version, description, endpoints, authenticated, x-trust-boundary, data, ..., properties.
    const { properties, ...head } = s;
    return { ...head, ...x, ...(properties ? { properties } : {}) } as typeof s;
  });
  return `${JSON.stringify(normalized, null, 2)}\n`;
}

/**
 * Validate a CycloneDX JSON text against the strict CycloneDX 1.6 JSON schema (the library's
 * `Validation.JsonStrictValidator`). Resolves to null when valid, else to the validator's error
 * details (ajv errors).
 * @throws Validation.MissingOptionalDependencyError when `ajv`, `ajv-formats` or `ajv-formats-draft2019` is not installed.
 */
export async function validateCycloneDx(json: string): Promise<null | unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
}
