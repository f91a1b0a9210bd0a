/**
 * SIEM daily aggregates as a registry source (`scan siem FILE|DIR...`): the results of the
 * README's push-down queries, exported from Splunk, Microsoft Sentinel (Log Analytics) or Elastic
 * as CSV or JSON. See index.ts for what is read and how.
 */
import type { Source } from "../../src/core/source.js";
import { SIEM_KINDS, type SiemKind } from "./columns.js";
import { siemConfigSchema, type SiemConfig } from "./config.js";
import { readHeader } from "./csv.js";
import { collectSiem, displayName, docsUrl } from "./index.js";

/** `--siem`: one of {@link SIEM_KINDS}, else an error naming them (exit 2). */
function parseKind(v: string): string {
  if (!(SIEM_KINDS as readonly string[]).includes(v)) throw new Error(`--siem: "${v}" is not a SIEM this reads (expected one of ${SIEM_KINDS.join(", ")})`);
  return v;
}

/** `--query-name`: a non-empty name of at most 200 characters. */
function parseQueryName(v: string): string {
  const s = v.trim();
  if (s.length === 0 || s.length > 200) throw new Error("--query-name: expected the saved search's or query's name, 1 to 200 characters");
  return s;
}

/** JSON search results: a result container and our `first_seen` column near the start (two linear scans, no backtracking). */
const JSON_CONTAINER = /"(?:tables|columns|results|result)"\s*:/;
const JSON_FIRST_SEEN = /"first_seen"/;

export const siemSource: Source = {
  id: "siem",
  displayName,
  description: "import daily aggregates that Splunk, Microsoft Sentinel or Elastic computed with the README's push-down queries (CSV or JSON search results)",
  docsUrl,
  kind: "file",
  observationSources: ["siem:"],
  configKey: "siem",
  settings: {
    key: "siem",
    schema: siemConfigSchema,
    description: "SIEM exports: which SIEM wrote the CSV files (kind) and the query's name (queryName)",
  },
  credentials: [],
  options: [
    { flags: "--siem <kind>", description: `which SIEM exported the CSV files (${SIEM_KINDS.join(", ")}; default: detected, else csv)`, parse: parseKind },
    { flags: "--query-name <name>", description: "the saved search or query that produced the files, recorded with each row", parse: parseQueryName },
  ],
  perFile: true,
  accept: (n) => /\.(csv|tsv|json|jsonl|ndjson)$/i.test(n),
  sniff: (head) => {
    const text = head.text.replace(/^\uFEFF/, "");
    if (/^\s*\{/.test(text)) return JSON_CONTAINER.test(text) && JSON_FIRST_SEEN.test(text);
    if (/^\s*\[/.test(text)) return /"TableName"\s*:/.test(text) && JSON_FIRST_SEEN.test(text);
    const h = readHeader(text.split(/\r?\n/, 1)[0] ?? "");
    return h !== undefined;
  },
  collect: (files, ctx) => {
    const cfg = (ctx.settings ?? {}) as SiemConfig;
    const kind = (ctx.options["siem"] ?? cfg.kind) as SiemKind | undefined;
    const queryName = ctx.options["queryName"] ?? cfg.queryName;
    return collectSiem(files, { ...(kind ? { kind } : {}), ...(queryName ? { queryName } : {}) }, ctx);
  },
};
