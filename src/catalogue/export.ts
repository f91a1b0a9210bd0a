/**
 * Push-down of the catalogue into a SIEM (issue #20): the catalogue's matchable host values, each
 * domain with the service that owns it, written in the shape each SIEM loads as a table to join its
 * proxy and DNS logs against. The queries that use these tables are in README.md ("Push-down to a
 * SIEM").
 *
 * Matching semantics, the same as the matcher's (src/match/matcher.ts): a host matches a domain
 * when it equals it or ends with "." + the domain; when several catalogue domains match, the one
 * with the most labels (the longest suffix) decides. A domain two signatures list belongs to the
 * one the matcher gives it (the first in catalogue order), so no table here disagrees with
 * `scan logs`.
 *
 * Every value comes from our own catalogue, but CSV cells still go through csv-stringify with
 * `escape_formulas` (a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`), and
 * Sigma YAML through the `yaml` library.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as csvStringify } from "csv-stringify/sync";
import { stringify as yamlStringify } from "yaml";

import { packageRoot } from "../core/paths.js";
import type { AIService, AiActTier } from "../core/service.js";
import { hashFiles } from "../match/catalogue-cache.js";
import type { LoadedSignature } from "../match/loaded.js";
import { signatureFiles } from "../match/load.js";
import type { Matcher } from "../match/matcher.js";

/** The `--format` values of `signatures export`. */
export const EXPORT_FORMATS = ["splunk-lookup", "sentinel-watchlist", "elastic-lookup", "sigma", "sigma-pipeline", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which catalogue a table was made from: the package version and the SHA-256 of its signature files. */
export interface CatalogueIdentity {
  /** `version` of package.json. */
  version: string;
  /** {@link hashFiles} over the signature files (bundled, then each extra directory), in path order; 64 hex digits. */
  sha256: string;
}

/** One matchable value: a catalogue domain and the service it identifies. */
export interface DomainRow {
  /** Lower-case DNS name; a host matches it when equal or ending with "." + domain. */
  domain: string;
  serviceId: string;
  serviceName: string;
  vendor: string;
  category: string;
  tier: AiActTier;
}

/**
 * The catalogue's identity: package version and {@link hashFiles} over the signature files of
 * `dirs` (each directory's files in path order, as `loadSignatures` reads them).
 * @param dirs the signature directories the catalogue was loaded from, bundled first.
 */
export function catalogueIdentity(dirs: readonly string[]): CatalogueIdentity {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return { version: pkg.version, sha256: hashFiles(dirs.flatMap((d) => signatureFiles(d))) };
}

/** Labels of a DNS name. */
const labels = (d: string): number => d.split(".").length;

/**
 * Every catalogue domain with the service the matcher gives it, most specific first: more labels
 * first, then by name. In that order the first row whose domain a host equals or ends with (after a
 * dot) is the matcher's answer, which is what a Splunk lookup with `max_matches = 1` takes.
 * A domain claimed by an earlier signature is left out for the later one (the matcher never gives it).
 */
export function domainRows(services: readonly AIService[], matcher: Matcher): DomainRow[] {
  const rows: DomainRow[] = [];
  for (const s of services) {
    for (const raw of s.match.domains) {
      const domain = raw.toLowerCase();
      const owner = matcher.matchHost(domain);
      if (!owner || owner.id !== s.id || owner.domain !== domain) continue;
      rows.push({ domain, serviceId: s.id, serviceName: s.name, vendor: s.vendor, category: s.category, tier: s.euAiAct.tier });
    }
  }
  return rows.sort((a, b) => labels(b.domain) - labels(a.domain) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}

/** CSV text (RFC 4180, CRLF-free `\n` records) with a header row; formula-leading cells neutralised. */
function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return csvStringify([header, ...rows], { escape_formulas: true, record_delimiter: "unix" });
}

/** Header of the plain CSV (`--format csv`). */
export const CSV_HEADER = ["domain", "service_id", "service_name", "vendor", "category", "ai_act_tier", "catalogue_version", "catalogue_sha256"] as const;

/** Plain CSV: one row per domain, {@link CSV_HEADER}. */
export function toCsv(rows: readonly DomainRow[], id: CatalogueIdentity): string {
  return csv(CSV_HEADER, rows.map((r) => [r.domain, r.serviceId, r.serviceName, r.vendor, r.category, r.tier, id.version, id.sha256]));
}

/**
 * Header of the Splunk lookup. `host_pattern` is the match field (transforms.conf
 * `match_type = WILDCARD(host_pattern)`), `domain` the catalogue value it came from.
 */
export const SPLUNK_HEADER = ["host_pattern", "domain", "service_id", "service_name", "vendor", "category", "ai_act_tier", "catalogue_version", "catalogue_sha256"] as const;

/**
 * The transforms.conf stanza for the lookup file (written as `shadow_ai_catalogue.csv`).
 * `max_matches = 1` takes the first matching row in file order
 * (https://help.splunk.com/en/splunk-enterprise/manage-knowledge-objects/knowledge-management-manual/10.2/use-the-configuration-files-to-configure-lookups/add-field-matching-rules-to-your-lookup-configuration),
 * which {@link domainRows}' order makes the longest suffix.
 */
export const SPLUNK_TRANSFORMS_STANZA = [
  "[shadow_ai_catalogue]",
  "filename = shadow_ai_catalogue.csv",
  "match_type = WILDCARD(host_pattern)",
  "max_matches = 1",
  "min_matches = 0",
  "case_sensitive_match = false",
].join("\n");

/**
 * Splunk CSV lookup (https://help.splunk.com/ "Configure a CSV lookup"): the first row names the
 * fields; per domain two rows, `host_pattern` = `openai.com` (the domain itself) and `*.openai.com`
 * (its subdomains), both with `domain` = `openai.com`. Rows are most specific first so that, with
 * {@link SPLUNK_TRANSFORMS_STANZA}, a host gets the matcher's service.
 */
export function toSplunkLookup(rows: readonly DomainRow[], id: CatalogueIdentity): string {
  const out: string[][] = [];
  for (const r of rows) {
    const rest = [r.domain, r.serviceId, r.serviceName, r.vendor, r.category, r.tier, id.version, id.sha256];
    out.push([r.domain, ...rest], [`*.${r.domain}`, ...rest]);
  }
  return csv(SPLUNK_HEADER, out);
}

/**
 * Header of the Sentinel watchlist. `Domain` is the column to name as the watchlist's SearchKey
 * (`itemsSearchKey`, https://learn.microsoft.com/en-us/rest/api/securityinsights/watchlists/create-or-update);
 * `_GetWatchlist('<alias>')` then returns it again as the `SearchKey` column
 * (https://learn.microsoft.com/en-us/azure/sentinel/watchlists-queries).
 */
export const SENTINEL_HEADER = ["Domain", "ServiceId", "ServiceName", "Vendor", "Category", "AiActTier", "CatalogueVersion", "CatalogueSha256"] as const;

/** The column to give as the watchlist's search key. */
export const SENTINEL_SEARCH_KEY = "Domain";

/**
 * Sentinel watchlist CSV: header on the first line (`numberOfLinesToSkip` 0), one row per domain.
 * A local-file upload is limited to 3.8 MB (https://learn.microsoft.com/en-us/cli/azure/sentinel/watchlist);
 * the bundled catalogue is far below.
 */
export function toSentinelWatchlist(rows: readonly DomainRow[], id: CatalogueIdentity): string {
  return csv(SENTINEL_HEADER, rows.map((r) => [r.domain, r.serviceId, r.serviceName, r.vendor, r.category, r.tier, id.version, id.sha256]));
}

/** Default name of the Elastic lookup index. */
export const ELASTIC_INDEX = "shadow-ai-catalogue";

/**
 * The index to create before the bulk load: `index.mode: lookup` (one shard, usable by ES|QL
 * `LOOKUP JOIN`, https://www.elastic.co/docs/reference/query-languages/esql/commands/lookup-join),
 * keyword fields so the join is on the exact value.
 */
export function elasticIndexBody(): Record<string, unknown> {
  const keyword = { type: "keyword" };
  return {
    settings: { "index.mode": "lookup" },
    mappings: {
      properties: {
        domain: keyword, service_id: keyword, service_name: keyword, vendor: keyword, category: keyword,
        ai_act_tier: keyword, catalogue_version: keyword, catalogue_sha256: keyword,
      },
    },
  };
}

/**
 * NDJSON body for `POST /<index>/_bulk` (https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk):
 * per domain an `index` action (`_id` = the domain, so a reload replaces the document) and the
 * document; the body ends with a newline, as `_bulk` requires.
 * @param index the lookup index name (a specific name: LOOKUP JOIN takes no wildcard).
 * @throws Error when `index` is not a valid Elasticsearch index name (lower case, no `\ / * ? " < > | , #` or space, not starting with `-_+`, at most 255 bytes).
 */
export function toElasticBulk(rows: readonly DomainRow[], id: CatalogueIdentity, index = ELASTIC_INDEX): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) {
    throw new Error(`elastic index name "${index.slice(0, 80)}": lower-case letters, digits, ".", "_" and "-" only, not starting with "-", "_" or "+", at most 255 characters`);
  }
  let out = "";
  for (const r of rows) {
    out += JSON.stringify({ index: { _index: index, _id: r.domain } }) + "\n";
    out += JSON.stringify({
      domain: r.domain, service_id: r.serviceId, service_name: r.serviceName, vendor: r.vendor, category: r.category,
      ai_act_tier: r.tier, catalogue_version: id.version, catalogue_sha256: id.sha256,
    }) + "\n";
  }
  return out;
}

/** Sigma `level` for a tier: how much a hit deserves attention. */
const LEVEL: Record<AiActTier, string> = { prohibited: "high", high_risk: "medium", transparency: "low", gpai: "low", minimal: "informational" };

/** A fixed namespace for the rule ids (UUID v5 of `shadow-ai/<service>/<log source>`). */
const RULE_NAMESPACE = "8a3c1f0e-6b2d-5e4f-9a1b-2c3d4e5f6a7b";

/**
 * UUID version 5 (SHA-1, name-based) of `name` in `namespace` (RFC 9562 §5.5): the same service and
 * log source always give the same rule id, so a re-import replaces the rule.
 */
export function uuidV5(name: string, namespace = RULE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const b = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The two Sigma log sources and their host field (Sigma taxonomy: proxy `cs-host`, dns `query`). */
const SIGMA_SOURCES = [
  { category: "proxy", field: "cs-host", fields: ["c-ip", "cs-host", "c-uri", "cs-bytes", "sc-bytes"] },
  { category: "dns", field: "query", fields: ["src_ip", "query", "answer"] },
] as const;

/**
 * Sigma rules (https://github.com/SigmaHQ/sigma-specification), one YAML document per service and
 * log source (`category: proxy` on `cs-host`, `category: dns` on `query`), in one multi-document
 * stream that `sigma convert` reads as a collection. One rule per service rather than per category:
 * a hit then names the service and carries its EU AI Act tier as the rule's level without a second
 * lookup, the rule id is stable per service (UUID v5), and a catalogue update changes only the rules
 * of the services that changed. Each rule matches the exact domains (`cs-host`) or their subdomains
 * (`cs-host|endswith: .domain`).
 */
export function toSigma(signatures: readonly LoadedSignature[], rows: readonly DomainRow[], id: CatalogueIdentity): string {
  const byService = new Map<string, string[]>();
  for (const r of rows) byService.set(r.serviceId, [...(byService.get(r.serviceId) ?? []), r.domain]);
  const docs: string[] = [];
  for (const { service: s } of signatures) {
    const domains = byService.get(s.id);
    if (!domains) continue;
    domains.sort();
    for (const src of SIGMA_SOURCES) {
      const rule = {
        title: `AI service use: ${s.name} (${src.category})`.slice(0, 256),
        id: uuidV5(`shadow-ai/${s.id}/${src.category}`),
        status: "experimental",
        description:
          `Traffic to ${s.name} (${s.vendor}), an AI service of category ${s.category}, EU AI Act default class ${s.euAiAct.tier}. ` +
          `shadow-ai catalogue ${id.version}, SHA-256 ${id.sha256}, signature ${s.id}.`,
        references: [...new Set(s.references)],
        author: "shadow-ai catalogue",
        modified: s.lastValidated,
        tags: ["detection.threat_hunting"],
        logsource: { category: src.category },
        detection: {
          selection_domain: { [src.field]: domains },
          selection_subdomain: { [`${src.field}|endswith`]: domains.map((d) => `.${d}`) },
          condition: "1 of selection_*",
        },
        fields: [...src.fields],
        falsepositives: ["A host under the service's domain that serves something other than its AI product"],
        level: LEVEL[s.euAiAct.tier],
      };
      docs.push(yamlStringify(rule, { lineWidth: 0 }));
    }
  }
  return docs.join("---\n");
}

/** A loaded catalogue: its signatures in load order, the matcher built from them, and the directories they came from. */
export interface LoadedCatalogue {
  signatures: readonly LoadedSignature[];
  /** Decides which service owns a domain two signatures list. */
  matcher: Matcher;
  /** Signature directories, bundled first (for the hash). */
  dirs: readonly string[];
}

/** A Sigma placeholder name: what `%name%` may hold (letters, digits, `_`, `-`). */
const PLACEHOLDER = /^[A-Za-z0-9_-]{1,64}$/;

function checkPlaceholder(name: string): void {
  if (!PLACEHOLDER.test(name)) throw new Error(`placeholder "${name.slice(0, 80)}": letters, digits, "_" and "-" only, at most 64`);
}

/**
 * Sigma rules that name a placeholder instead of the values: two rules, `category: proxy` with
 * `cs-host|expand: '%name%'` and `category: dns` with `query|expand: '%name%'` (Sigma's `expand`
 * modifier). The values come at conversion from a processing pipeline's `vars`
 * ({@link toSigmaPipeline}, pySigma's `value_placeholders`), or stay a SIEM-side list with
 * `query_expression_placeholders`. Exact domains and `*.domain` are both in the list, so one
 * selection covers a domain and its subdomains; the rule does not say which service matched.
 */
export function toSigmaPlaceholderRules(name: string, id: CatalogueIdentity): string {
  checkPlaceholder(name);
  return SIGMA_SOURCES.map((src) =>
    yamlStringify({
      title: `AI service use (${src.category}), catalogue list %${name}%`,
      id: uuidV5(`shadow-ai/placeholder/${name}/${src.category}`),
      status: "experimental",
      description: `Traffic to any AI service of the shadow-ai catalogue (${id.version}, SHA-256 ${id.sha256}); the hosts come from the placeholder %${name}%.`,
      author: "shadow-ai catalogue",
      tags: ["detection.threat_hunting"],
      logsource: { category: src.category },
      detection: { selection: { [`${src.field}|expand`]: `%${name}%` }, condition: "selection" },
      fields: [...src.fields],
      falsepositives: ["A host under an AI service's domain that serves something other than its AI product"],
      level: "low",
    }, { lineWidth: 0 }),
  ).join("---\n");
}

/**
 * A pySigma processing pipeline (`sigma convert -p FILE`) whose `vars` hold, under `name`, every
 * domain and its `*.domain`, and which replaces `%name%` with them (`value_placeholders`):
 * https://github.com/SigmaHQ/pySigma/blob/main/sigma/processing/pipeline.py (`ProcessingPipeline.from_dict`).
 */
export function toSigmaPipeline(rows: readonly DomainRow[], id: CatalogueIdentity, name: string): string {
  checkPlaceholder(name);
  const values = rows.flatMap((r) => [r.domain, `*.${r.domain}`]);
  return yamlStringify({
    name: `shadow-ai catalogue ${id.version} (${id.sha256.slice(0, 12)})`,
    priority: 10,
    vars: { [name]: values },
    transformations: [{ id: "shadow_ai_catalogue", type: "value_placeholders", include: [name] }],
  }, { lineWidth: 0 });
}

/** Default placeholder name of the placeholder rules and pipeline. */
export const SIGMA_PLACEHOLDER = "shadow_ai_domains";

/**
 * The catalogue in `format`, as text to write to a file or standard output.
 * @param options.index the Elastic lookup index name (elastic-lookup only).
 * @param options.placeholder sigma: write the two placeholder rules ({@link toSigmaPlaceholderRules})
 *   instead of the values; sigma-pipeline: the variable name (default {@link SIGMA_PLACEHOLDER}).
 * @throws Error for a bad index or placeholder name; a file system error when a
 *   signature directory cannot be read for the hash.
 */
export function exportCatalogue(format: ExportFormat, { signatures, matcher, dirs }: LoadedCatalogue, options: { index?: string; placeholder?: string } = {}): string {
  const id = catalogueIdentity(dirs);
  const rows = domainRows(signatures.map((s) => s.service), matcher);
  switch (format) {
    case "splunk-lookup":
      return toSplunkLookup(rows, id);
    case "sentinel-watchlist":
      return toSentinelWatchlist(rows, id);
    case "elastic-lookup":
      return toElasticBulk(rows, id, options.index);
    case "sigma":
      return options.placeholder === undefined ? toSigma(signatures, rows, id) : toSigmaPlaceholderRules(options.placeholder, id);
    case "sigma-pipeline":
      return toSigmaPipeline(rows, id, options.placeholder ?? SIGMA_PLACEHOLDER);
    case "csv":
      return toCsv(rows, id);
  }
}
