/**
 * `signatures export` (issue #20, push-down): each format read back the way its SIEM reads it, the
 * Sigma rules checked against the official Sigma rule JSON schema, and a round trip — the Splunk
 * lookup applied to a Squid log with the README's query semantics gives the same (user, service)
 * pairs as `scan logs` of that log.
 */
import { cliInProcess } from "../cli/__fixtures__/run-cli.js";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse as parseCsv } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

import { SUSPECTED_PREFIX } from "../core/finding.js";
import { bundledSignatureDir, loadSignatures } from "../match/load.js";
import { fingerprint, hashFiles } from "../match/catalogue-cache.js";
import { signatureFiles } from "../match/load.js";
import { Matcher } from "../match/matcher.js";
import {
  CSV_HEADER, domainRows, exportCatalogue, SENTINEL_HEADER, SPLUNK_HEADER, SPLUNK_TRANSFORMS_STANZA, toCsv, toSplunkLookup, uuidV5, type DomainRow, type ExportFormat,
} from "./export.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const cli = cliInProcess;

const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-export-"));

/** Export `format` through the CLI into a file and return its text. */
async function exported(format: ExportFormat, extra: string[] = []): Promise<string> {
  const out = join(tmp, `catalogue.${format}`);
  const r = await cli(["signatures", "export", "--format", format, "--out", out, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, "utf8");
}

const csvRecords = (text: string): Record<string, string>[] => parseCsv(text, { columns: true, relax_column_count: false }) as Record<string, string>[];
const csvHeader = (text: string): string[] => (parseCsv(text, { to_line: 1 }) as string[][])[0]!;

describe("signatures export", () => {
  it("splunk-lookup: a CSV lookup with the field names on the first row; per domain the domain and *.domain, most specific first", async () => {
    const text = await exported("splunk-lookup");
    expect(csvHeader(text)).toEqual([...SPLUNK_HEADER]);
    const rows = csvRecords(text);
    const csvText = await exported("csv");
    const plain = csvRecords(csvText);
    expect(rows.length).toBe(2 * plain.length);
    const byPattern = new Map(rows.map((r) => [r["host_pattern"]!, r]));
    expect(byPattern.get("chatgpt.com")?.["service_id"]).toBe("openai-chatgpt");
    expect(byPattern.get("*.chatgpt.com")?.["domain"]).toBe("chatgpt.com");
    // the nested claim (chat.openai.com is ChatGPT, openai.com the API platform) comes before its parent
    const idx = (p: string) => rows.findIndex((r) => r["host_pattern"] === p);
    expect(idx("*.chat.openai.com")).toBeGreaterThanOrEqual(0);
    expect(idx("*.chat.openai.com")).toBeLessThan(idx("*.openai.com"));
    for (const r of rows) {
      expect(r["catalogue_version"]).toMatch(/^\d+\.\d+\.\d+/);
      expect(r["catalogue_sha256"]).toMatch(/^[0-9a-f]{64}$/);
      expect(r["host_pattern"] === r["domain"] || r["host_pattern"] === `*.${r["domain"]}`).toBe(true);
    }
  });

  it("sentinel-watchlist: header first (no lines to skip), the Domain search-key column unique and lower-case", async () => {
    const text = await exported("sentinel-watchlist");
    expect(csvHeader(text)).toEqual([...SENTINEL_HEADER]);
    const rows = csvRecords(text);
    expect(rows.length).toBeGreaterThan(100);
    const keys = rows.map((r) => r["Domain"]!);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[a-z0-9.-]+$/);
    expect(rows.find((r) => r["Domain"] === "claude.ai")?.["ServiceId"]).toBe("anthropic-claude");
    expect(Buffer.byteLength(text)).toBeLessThan(3.8 * 1024 * 1024);
  });

  it("elastic-lookup: NDJSON lines that parse, action and document alternating, _id = domain, ending with a newline", async () => {
    const text = await exported("elastic-lookup", ["--index", "ai-catalogue"]);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length % 2).toBe(0);
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i] as { index?: { _index: string; _id: string } };
      const doc = lines[i + 1] as Record<string, string>;
      expect(Object.keys(action)).toEqual(["index"]);
      expect(action.index!._index).toBe("ai-catalogue");
      expect(action.index!._id).toBe(doc["domain"]);
      expect(Object.keys(doc)).toEqual([...CSV_HEADER]);
    }
    const bad = await cli(["signatures", "export", "--format", "elastic-lookup", "--index", "Bad*Name"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("elastic index name");
  });

  it("sigma: every rule validates against the official Sigma rule schema; proxy rules on cs-host, DNS rules on query; one pair per service", async () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "__fixtures__/sigma-detection-rule-schema.json"), "utf8")) as Record<string, unknown>;
    // the schema's "$schema" ends with "#", which Ajv does not know as a meta-schema id: validate with the 2020-12 dialect it names
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, validateSchema: false }));
    const validate = ajv.compile(schema);
    const text = await exported("sigma");
    const docs = parseAllDocuments(text);
    const services = new Set(csvRecords(await exported("csv")).map((r) => r["service_id"]));
    expect(docs.length).toBe(2 * services.size);
    const ids = new Set<string>();
    for (const d of docs) {
      expect(d.errors).toEqual([]);
      const rule = d.toJS() as { id: string; logsource: { category: string }; detection: Record<string, unknown>; level: string };
      const ok = validate(rule);
      expect(ok, JSON.stringify(validate.errors)).toBe(true);
      ids.add(rule.id);
      const field = rule.logsource.category === "proxy" ? "cs-host" : "query";
      expect(["proxy", "dns"]).toContain(rule.logsource.category);
      expect(Object.keys(rule.detection["selection_domain"] as object)).toEqual([field]);
      expect(Object.keys(rule.detection["selection_subdomain"] as object)).toEqual([`${field}|endswith`]);
    }
    expect(ids.size).toBe(docs.length);
    // a rule that breaks the schema is caught (the validator is not vacuous)
    expect(validate({ title: "x", logsource: {}, detection: {}, level: "severe" })).toBe(false);
  });

  it("sigma --placeholder: two schema-valid rules on %name%; sigma-pipeline holds every domain and *.domain under that name for value_placeholders", async () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "__fixtures__/sigma-detection-rule-schema.json"), "utf8")) as Record<string, unknown>;
    const validate = addFormats(new Ajv2020({ allErrors: true, strict: false, validateSchema: false })).compile(schema);
    const rules = parseAllDocuments(await exported("sigma", ["--placeholder", "ai_hosts"])).map((d) => d.toJS() as { logsource: { category: string }; detection: Record<string, unknown> });
    expect(rules.map((r) => r.logsource.category)).toEqual(["proxy", "dns"]);
    for (const r of rules) expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(rules[0]!.detection["selection"]).toEqual({ "cs-host|expand": "%ai_hosts%" });
    expect(rules[1]!.detection["selection"]).toEqual({ "query|expand": "%ai_hosts%" });
    const pipeline = parseAllDocuments(await exported("sigma-pipeline", ["--placeholder", "ai_hosts"]));
    expect(pipeline.length).toBe(1);
    const p = pipeline[0]!.toJS() as { vars: Record<string, string[]>; transformations: { type: string; include: string[] }[] };
    // the keys pySigma's ProcessingPipeline.from_dict accepts
    for (const k of Object.keys(p)) expect(["vars", "transformations", "postprocessing", "finalizers", "priority", "name", "allowed_backends"]).toContain(k);
    expect(p.transformations).toEqual([expect.objectContaining({ type: "value_placeholders", include: ["ai_hosts"] })]);
    const domains = csvRecords(await exported("csv")).map((r) => r["domain"]!);
    expect(p.vars["ai_hosts"]!.length).toBe(2 * domains.length);
    expect(p.vars["ai_hosts"]).toContain("openai.com");
    expect(p.vars["ai_hosts"]).toContain("*.openai.com");
    const bad = await cli(["signatures", "export", "--format", "sigma", "--placeholder", "a%b"]);
    expect(bad.code).toBe(2);
  });

  it("the catalogue hash is the build's file hash over the signature files in path order", async () => {
    const text = await exported("csv");
    const files = signatureFiles(bundledSignatureDir());
    const first = csvRecords(text)[0]!;
    expect(first["catalogue_sha256"]).toBe(hashFiles(files));
    // the build's cache fingerprint is the same hash with the loader's code appended
    expect(fingerprint(files)).not.toBe(hashFiles(files));
    expect(first["catalogue_version"]).toBe((JSON.parse(readFileSync(join(bundledSignatureDir(), "../package.json"), "utf8")) as { version: string }).version);
  });

  it("with an organisation directory (--config signatures.extraDirs): its files enter the hash and its more specific domain is its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-export-org-"));
    mkdirSync(join(dir, "sigs"));
    writeFileSync(join(dir, "sigs", "contoso-llm.yaml"), [
      "id: contoso-llm", "name: Contoso LLM gateway", 'vendor: "=Contoso (internal)"', "category: llm_api",
      'references: ["https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"]', 'lastValidated: "2026-12-07"',
      "match: { domains: [contoso.openai.azure.com] }", "overrides: [azure-openai]",
      'euAiAct: { tier: gpai, articles: ["Art. 4"], rationale: "Contoso\'s own Azure OpenAI resource for internal drafting." }',
      "examples: { match: [{ host: contoso.openai.azure.com }], noMatch: [{ host: fabrikam.openai.azure.com }] }",
    ].join("\n") + "\n");
    const cfg = join(dir, "shadow-ai.yaml");
    writeFileSync(cfg, "signatures:\n  extraDirs: [sigs]\n", { mode: 0o600 });
    const out = join(dir, "catalogue.csv");
    const r = await cli(["--config", cfg, "signatures", "export", "--format", "csv", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRecords(readFileSync(out, "utf8"));
    const contoso = rows.find((x) => x["domain"] === "contoso.openai.azure.com")!;
    expect(contoso["service_id"]).toBe("contoso-llm");
    expect(contoso["vendor"]).toBe("'=Contoso (internal)");
    expect(rows.find((x) => x["domain"] === "openai.azure.com")?.["service_id"]).toBe("azure-openai");
    expect(contoso["catalogue_sha256"]).toBe(hashFiles([...signatureFiles(bundledSignatureDir()), join(dir, "sigs", "contoso-llm.yaml")]));
    expect(contoso["catalogue_sha256"]).not.toBe(hashFiles(signatureFiles(bundledSignatureDir())));
  });

  it("formula-leading cells are neutralised and quotes escaped (values from a hostile organisation catalogue)", () => {
    const rows: DomainRow[] = [{ domain: "evil.example", serviceId: "x", serviceName: '=HYPERLINK("http://x","y")', vendor: "+cmd|' /C calc'!A0", category: "assistant", tier: "minimal" }];
    const id = { version: "0.1.0", sha256: "0".repeat(64) };
    for (const text of [toCsv(rows, id), toSplunkLookup(rows, id)]) {
      const r = csvRecords(text)[0]!;
      expect(r["service_name"]).toBe(`'=HYPERLINK("http://x","y")`);
      expect(r["vendor"]).toBe("'+cmd|' /C calc'!A0");
    }
  });

  it("rule ids are RFC 9562 version 5 UUIDs, stable per name", () => {
    // RFC 9562 appendix A.4 test vector: v5 of "www.example.com" in the DNS namespace
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(uuidV5("shadow-ai/a/proxy")).toBe(uuidV5("shadow-ai/a/proxy"));
    expect(uuidV5("shadow-ai/a/proxy")).not.toBe(uuidV5("shadow-ai/a/dns"));
  });

  it("README: the ES|QL query builds suffixes as deep as the catalogue's deepest domain; the Splunk stanza is the exported one", () => {
    const readme = readFileSync(join(bundledSignatureDir(), "../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Push-down to a SIEM"), readme.indexOf("## Remediation"));
    expect(section).toContain("LOOKUP JOIN shadow-ai-catalogue ON domain");
    expect(section).toContain("_GetWatchlist('shadow_ai_catalogue')");
    expect(section).toContain(SPLUNK_TRANSFORMS_STANZA);
    expect(section).toContain("shadow-ai scan siem");
    const depths = [...section.matchAll(/MV_SLICE\(labels, -(\d+), -1\)/g)].map((m) => Number(m[1]));
    const services = loadSignatures().map((s) => s.service);
    const deepest = Math.max(...domainRows(services, new Matcher(services)).map((r) => r.domain.split(".").length));
    // every suffix length from 2 to the deepest domain has its line (the host itself covers the rest)
    for (let k = 2; k <= deepest; k++) expect(depths, `README ES|QL lacks the ${k}-label suffix`).toContain(k);
  });

  it("a domain two signatures list goes to the one the matcher gives it", () => {
    const sigs = loadSignatures();
    const services = sigs.map((s) => s.service);
    const rows = domainRows(services, new Matcher(services));
    const matcher = new Matcher(services);
    for (const r of rows) expect(matcher.matchHost(r.domain)).toEqual({ id: r.serviceId, domain: r.domain });
    expect(new Set(rows.map((r) => r.domain)).size).toBe(rows.length);
    // exportCatalogue over the same catalogue gives one CSV row per domain row
    const text = exportCatalogue("csv", { signatures: sigs, matcher, dirs: [bundledSignatureDir()] });
    expect(csvRecords(text).length).toBe(rows.length);
  });
});

/**
 * The README's query semantics on a Splunk lookup, done here in code: a `WILDCARD(host_pattern)`
 * match (`*` = any characters), case-insensitive, the first matching row in file order
 * (`max_matches = 1`), then `stats count, sum(bytes) by user, service_id, host, day`.
 */
function aggregate(lookup: Record<string, string>[], events: { user: string; host: string; bytes: number; time: number }[]) {
  const patterns = lookup.map((r) => ({
    re: new RegExp(`^${r["host_pattern"]!.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i"),
    serviceId: r["service_id"]!,
  }));
  const out = new Map<string, { user: string; serviceId: string; host: string; day: string; count: number; bytes: number }>();
  for (const e of events) {
    const hit = patterns.find((p) => p.re.test(e.host));
    if (!hit) continue;
    const day = new Date(e.time * 1000).toISOString().slice(0, 10);
    const key = [e.user, hit.serviceId, e.host, day].join("\0");
    const a = out.get(key) ?? { user: e.user, serviceId: hit.serviceId, host: e.host, day, count: 0, bytes: 0 };
    a.count++;
    a.bytes += e.bytes;
    out.set(key, a);
  }
  return [...out.values()];
}

describe("round trip: the exported lookup on a proxy log gives what scan logs stores", () => {
  it("same (user, service) pairs, nested domains going to the more specific service, look-alikes matching nothing", async () => {
    const t0 = 1765094400; // 2025-12-07T08:00:00Z
    const events = [
      { user: "alice", host: "chat.openai.com", bytes: 3000, time: t0 },
      { user: "alice", host: "chat.openai.com", bytes: 1200, time: t0 + 60 },
      { user: "alice", host: "api.openai.com", bytes: 800, time: t0 + 86400 },
      { user: "bob", host: "sora.chatgpt.com", bytes: 5000, time: t0 + 5 },
      { user: "bob", host: "CLAUDE.AI", bytes: 700, time: t0 + 6 },
      { user: "bob", host: "chatgpt.com", bytes: 100, time: t0 + 7 },
      { user: "carol", host: "gemini.google.com", bytes: 900, time: t0 + 8 },
      { user: "carol", host: "notchatgpt.com", bytes: 10, time: t0 + 9 },
      { user: "carol", host: "claude.ai.example.net", bytes: 10, time: t0 + 10 },
      { user: "dave", host: "www.wikipedia.org", bytes: 10, time: t0 + 11 },
    ];
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-roundtrip-"));
    const log = join(dir, "access.log");
    // Squid native format: time elapsed client code/status bytes method URL user hierarchy/peer type
    writeFileSync(log, events.map((e) => `${e.time}.000    120 10.0.0.5 TCP_TUNNEL/200 ${e.bytes} CONNECT ${e.host}:443 ${e.user} HIER_DIRECT/203.0.113.9 -`).join("\n") + "\n");

    const lookup = csvRecords(await exported("splunk-lookup"));
    const aggregates = aggregate(lookup, events);
    // the aggregates themselves: per user × service × host × day, with count and bytes
    expect(aggregates.find((a) => a.user === "alice" && a.host === "chat.openai.com")).toMatchObject({ serviceId: "openai-chatgpt", day: "2025-12-07", count: 2, bytes: 4200 });
    expect(aggregates.find((a) => a.user === "alice" && a.host === "api.openai.com")).toMatchObject({ serviceId: "openai-api", day: "2025-12-08", count: 1 });
    expect(aggregates.find((a) => a.host === "sora.chatgpt.com")?.serviceId).toBe("openai-sora");
    expect(aggregates.some((a) => a.user === "dave" || a.host.includes("notchatgpt") || a.host.includes("example.net"))).toBe(false);

    const db = join(dir, "inv.db");
    const scan = await cli(["--db", db, "scan", "logs", "--format", "squid", log, "--json"]);
    expect(scan.code, scan.stderr).toBe(0);
    const inv = await cli(["--db", db, "inventory", "--json"]);
    expect(inv.code, inv.stderr).toBe(0);
    const records = JSON.parse(inv.stdout) as { serviceId: string; users: { id: string }[] }[];
    // suspected-AI findings come from heuristics, not the catalogue: no catalogue table can carry them
    const stored = new Set(records.filter((r) => !r.serviceId.startsWith(SUSPECTED_PREFIX)).flatMap((r) => r.users.map((u) => `${u.id} ${r.serviceId}`)));
    const pushed = new Set(aggregates.map((a) => `${a.user} ${a.serviceId}`));
    expect([...pushed].sort()).toEqual([...stored].sort());
    expect(pushed.size).toBe(6);
  });
});
