/**
 * The generic readers for logs of no built-in format: CSV with a header row (or configured
 * column names) and JSON lines (or a JSON array), whose columns or keys `logs.mapping` in
 * `shadow-ai.yaml` names (see `config.ts`).
 *
 * Every record gives one observation of `mapping.kind` (default `log`); its time is required
 * (RFC 3339 / ISO 8601, or Unix seconds, ms, µs or ns told by size), and so is a host (the `host`
 * column, or the host of the `url` column). Values are kept as data: a cell such as
 * `=HYPERLINK(...)` is a string like any other (exporters neutralise formulas when they write CSV).
 *
 * CSV: RFC 4180 quoting through `csv-parse` (https://csv.js.org/parse/); one record per line.
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import type { LogMapping, LogsConfig } from "../config-base.js";
import { at, isoFromAny, isRecord, MAX_PATH_LENGTH, splitTarget, sumCounts, text, toCount, toPort, userOf, type LineParser, type ParseResult, type ParserContext, jsonLine } from "./index.js";
import { delimiterChar, splitCsv } from "../csv.js";

type Get = (name: string) => unknown;

/** Build the observation of one record from its field getter. */
function fromRecord(source: string, mapping: LogMapping, get: Get, ref: Observation["ref"], timeZone: string | undefined): Observation | string {
  const rawTime = get(mapping.time);
  const time = isoFromAny(typeof rawTime === "string" ? rawTime.trim() : rawTime, timeZone);
  if (!time) return `'${mapping.time}' (mapping.time): expected an ISO 8601 time or Unix seconds/ms/µs/ns, found ${JSON.stringify(String(rawTime ?? "(missing)").slice(0, 40))}`;
  const target = mapping.url ? splitTarget(String(get(mapping.url) ?? "").trim()) : {};
  const host = (mapping.host ? text(get(mapping.host)) : undefined) ?? target.host;
  if (!host) return `no host: '${mapping.host ?? mapping.url}' is empty or missing`;
  const o: Observation = { source, kind: mapping.kind ?? "log", time, host: bound(host), ref };
  const path = (mapping.path ? text(get(mapping.path), MAX_PATH_LENGTH) : undefined) ?? target.path;
  if (path) o.path = path;
  const port = (mapping.port ? toPort(text(get(mapping.port), 8)) : undefined) ?? target.port;
  if (port !== undefined) o.port = port;
  const user = mapping.user ? userOf(get(mapping.user)) : undefined;
  if (user) o.user = user;
  const str = (k: string | undefined, max?: number) => (k ? text(get(k), max) : undefined);
  const client = str(mapping.client, 64);
  if (client) o.client = client;
  const server = str(mapping.server, 64);
  if (server) o.server = server;
  const ua = str(mapping.userAgent);
  if (ua) o.userAgent = ua;
  const method = str(mapping.method, 32);
  if (method) o.method = method;
  const appName = str(mapping.appName, 256);
  if (appName) o.appName = appName;
  const department = str(mapping.department, 256);
  if (department) o.department = department;
  const action = str(mapping.action, 128);
  if (action) o.action = action;
  const qtype = str(mapping.qtype, 32);
  if (qtype) o.qtype = qtype;
  if (mapping.bytes !== undefined) {
    const cols = Array.isArray(mapping.bytes) ? mapping.bytes : [mapping.bytes];
    const bytes = sumCounts(...cols.map((c) => toCount(typeof get(c) === "string" ? (get(c) as string).trim() : get(c))));
    if (bytes !== undefined) o.bytes = bytes;
  }
  return o;
}

/** `--format csv`: CSV with a header row naming the mapped columns, or `logs.csv.columns`. */
export class CsvParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  private columns: Map<string, number> | undefined;
  private readonly delimiter: string;
  private readonly configured: boolean;
  /** The header row lacks a mapped column: the file is not read (reported once). */
  private broken = false;

  constructor(
    private readonly ctx: ParserContext,
    private readonly mapping: LogMapping,
    csv: LogsConfig["csv"],
  ) {
    this.delimiter = delimiterChar(csv?.delimiter, ",");
    this.configured = csv?.columns !== undefined;
    if (csv?.columns) this.columns = new Map(csv.columns.map((c, i) => [c, i]));
  }

  prime(headLines: string[]): void {
    if (!this.configured && headLines[0] !== undefined) this.header(headLines[0]);
  }

  private header(l: string): ParseResult {
    const f = splitCsv(l, this.delimiter);
    if (typeof f === "string") return `header row: ${f}`;
    this.columns = new Map(f.map((c, i) => [c.trim(), i]));
    const missing = [this.mapping.time, this.mapping.host ?? this.mapping.url!].filter((c) => !this.columns!.has(c));
    if (missing.length > 0) {
      this.broken = true;
      return `header row has no column ${missing.map((c) => JSON.stringify(c)).join(", ")} named by logs.mapping; it has ${[...this.columns.keys()].slice(0, 12).map((c) => JSON.stringify(bound(c, 40))).join(", ")}`;
    }
    return undefined;
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    if (this.broken) return undefined;
    const l = t.slice(start, end);
    if (!this.columns) return this.header(l);
    const f = splitCsv(l, this.delimiter);
    if (typeof f === "string") return f;
    const cols = this.columns;
    const o = fromRecord("logs:csv", this.mapping, (name) => {
      const i = cols.get(name);
      return i === undefined ? undefined : f[i];
    }, { file: this.ctx.file, line, offset }, this.ctx.timeZone);
    if (typeof o === "string") return o;
    this.out.push(o);
    return undefined;
  }
}

/** `--format jsonl`: JSON objects, one per line (or a JSON array), keys named by the mapping. */
export class JsonlParser implements LineParser {
  out: Observation[] = [];
  readonly json = true;

  constructor(
    private readonly ctx: ParserContext,
    private readonly mapping: LogMapping,
  ) {}

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    return jsonLine(this, t, start, end, line, offset);
  }

  record(v: unknown, line: number, offset: number): ParseResult {
    if (!isRecord(v)) return "expected a JSON object";
    const o = fromRecord("logs:jsonl", this.mapping, (name) => at(v, name), { file: this.ctx.file, line, offset }, this.ctx.timeZone);
    if (typeof o === "string") return o;
    this.out.push(o);
    return undefined;
  }
}

/** Why `format` (csv or jsonl) cannot read a file without `logs.mapping`. */
export function missingMapping(format: "csv" | "jsonl"): string {
  return `format ${format} needs a column mapping: add logs.mapping to shadow-ai.yaml naming at least the time and the host (or url) ${format === "csv" ? "columns" : "keys"}`;
}
