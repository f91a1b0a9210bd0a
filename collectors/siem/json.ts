/**
 * Search results saved as JSON, in the shapes each SIEM's API returns them, streamed row by row
 * with bounded memory:
 *
 * - Splunk, `GET /services/search/v2/jobs/{sid}/results?output_mode=json`: one object
 *   `{"preview": false, "init_offset": 0, "messages": [...], "fields": [...], "results": [{field: value}, ...]}`
 *   (https://help.splunk.com/splunk-enterprise/search/search-manual/9.0/export-search-results/export-data-using-the-splunk-rest-api).
 *   A `preview: true` page holds unfinished results and is refused.
 * - Splunk, `POST /services/search/v2/jobs/export` with `output_mode=json`: one JSON object per
 *   line, `{"preview": false, "offset": 0, "result": {field: value}}`, and lines without `result`
 *   (`{"preview": false, "lastrow": true}`, messages). Lines with `preview: true` are skipped.
 * - Azure Monitor Log Analytics (Microsoft Sentinel's workspace), the query API
 *   (https://learn.microsoft.com/en-us/rest/api/loganalytics/dataaccess/query/get, response format
 *   https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format):
 *   `{"tables": [{"name": "PrimaryResult", "columns": [{"name", "type"}], "rows": [[...], ...]}]}`.
 *   The first table is read (`PrimaryResult`); a top-level `error` (partial results) is refused.
 *   The Azure CLI's `az monitor log-analytics query` prints the same rows as an array of objects,
 *   each with a `TableName` member (`[{"day": "...", "count": "2", "TableName": "PrimaryResult"}]`,
 *   https://learn.microsoft.com/cli/azure/monitor/log-analytics#az-monitor-log-analytics-query).
 * - Elastic ES|QL, `POST /_query` (https://www.elastic.co/guide/en/elasticsearch/reference/current/esql-rest.html):
 *   `{"columns": [{"name", "type"}], "values": [[...], ...], "is_partial": false}`. Columnar
 *   results (`"columnar": true`) are not rows and give an error per value; `is_partial: true` is refused.
 *
 * The whole file is first checked as JSON by src/io/json-file.ts (so invalid JSON is an error with
 * line, column and byte offset before any row is used); rows are then read one at a time, each
 * at most {@link MAX_ROW_CHARS} of JSON text.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { getManyValues, isMany, none } from "stream-chain/core";
import { Assembler } from "stream-json/core/assembler.js";
import { jsonParser, type Token } from "stream-json/core/parser.js";
import type { CollectContext } from "../../src/core/collector.js";
import { bound } from "../../src/core/observation.js";
import { describeShape, isObject, ItemArray, outlineJsonFile, oversizeMessage, readJsonRecords, type JsonOutline } from "../../src/io/json-file.js";
import { headerCell, type Column, type RawRow, type SiemKind } from "./columns.js";

/** Longest JSON text of one row (one line of a Splunk export, one element of `rows`/`values`/`results`). */
export const MAX_ROW_CHARS = 1024 * 1024;

/** Most columns of a result. */
export const MAX_COLUMNS = 256;

/** The JSON result shapes read here. */
export type JsonShape = "splunk-results" | "splunk-export" | "log-analytics" | "az-cli" | "esql";

/** The SIEM each shape comes from. */
export const SHAPE_SIEM: Record<JsonShape, SiemKind> = { "splunk-results": "splunk", "splunk-export": "splunk", "log-analytics": "sentinel", "az-cli": "sentinel", esql: "elastic" };

/** One row read from a JSON result. */
export interface JsonRow {
  /** The line (JSON lines) or the row's path (`values[3]`, `tables[0].rows[3]`, `results[3]`). */
  ref: { line: number } | { id: string };
  row?: RawRow;
  /** Why the row could not be read (it is skipped). */
  error?: string;
}

/** A file-level problem: the file is refused (or, with rows before it, ends there). */
export class SiemFileError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
  }
}

/**
 * A result's column list (`columns` of ES|QL and Log Analytics, `fields` of Splunk) as our
 * columns, by position (`undefined` at a Splunk `__mv_` column, which must stay empty).
 * @throws SiemFileError naming the first column that is not ours.
 */
export function columnMap(columns: unknown, where: string): (Column | `__mv_${string}`)[] {
  if (!Array.isArray(columns)) throw new SiemFileError(`${where}: expected an array of columns, got ${describeShape(columns)}`);
  if (columns.length > MAX_COLUMNS) throw new SiemFileError(`${where}: ${columns.length} columns, more than the ${MAX_COLUMNS} a result may have`);
  const seen = new Set<string>();
  return columns.map((c, i) => {
    const name = isObject(c) ? c["name"] : c;
    if (typeof name !== "string") throw new SiemFileError(`${where}[${i}]: a column without a name (${describeShape(c)})`);
    const cell = headerCell(name);
    if ("unknown" in cell) throw new SiemFileError(`${where}[${i}]: unknown column ${JSON.stringify(cell.unknown)}; expected the columns of the README's queries (day, user, src, host, count, bytes, first_seen, last_seen, ...)`);
    const col = "column" in cell ? cell.column : (cell.mv as `__mv_${string}`);
    if (seen.has(col)) throw new SiemFileError(`${where}[${i}]: column ${JSON.stringify(col)} named more than once; which one holds the value cannot be told`);
    seen.add(col);
    return col;
  });
}

/** A positional row (an array) as a {@link RawRow}, or why not. */
function positional(value: unknown, columns: readonly (Column | `__mv_${string}`)[]): { row?: RawRow; error?: string } {
  if (!Array.isArray(value)) return { error: `expected an array of ${columns.length} values, got ${describeShape(value)} (columnar results are not supported: leave "columnar" unset)` };
  if (value.length !== columns.length) return { error: `${value.length} values for ${columns.length} columns (a columnar result, "columnar": true, is not read: leave it unset)` };
  const row: RawRow = {};
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (c.startsWith("__mv_")) {
      if (value[i] !== null && value[i] !== "") return { error: `${c}: a multi-valued field; expected one value per cell` };
    } else row[c as Column] = value[i];
  }
  return { row };
}

/** A Splunk result object as a {@link RawRow}, or why not. */
function keyed(value: unknown): { row?: RawRow; error?: string } {
  if (!isObject(value)) return { error: `expected an object of fields, got ${describeShape(value)}` };
  const row: RawRow = {};
  for (const [k, v] of Object.entries(value)) {
    const cell = headerCell(k);
    if ("unknown" in cell) return { error: `unknown field ${JSON.stringify(cell.unknown)}; expected the columns of the README's query` };
    if ("mv" in cell) {
      if (v !== null && v !== "") return { error: `${cell.mv}: a multi-valued field; expected one value per cell` };
      continue;
    }
    row[cell.column] = v;
  }
  return { row };
}

/** The first line of a file (at most {@link MAX_ROW_CHARS}), or undefined when there is none that short. */
async function firstLine(file: string): Promise<string | undefined> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(MAX_ROW_CHARS + 4);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString("utf8", 0, bytesRead).replace(/^\uFEFF/, "");
    const nl = text.indexOf("\n");
    return nl < 0 ? (bytesRead < buf.length ? text : undefined) : text.slice(0, nl);
  } finally {
    await fh.close();
  }
}

/** Whether a file is a Splunk export (JSON lines): its first line is one complete export record. */
async function isSplunkExport(file: string): Promise<boolean> {
  const line = await firstLine(file);
  if (line === undefined) return false;
  try {
    const o: unknown = JSON.parse(line);
    return isObject(o) && !("results" in o) && ("result" in o || "lastrow" in o || ("preview" in o && "offset" in o));
  } catch {
    return false;
  }
}

/**
 * The lines of a file, each at most `max` characters (a longer one is reported as `undefined`
 * and skipped to its end), with 1-based line numbers.
 */
async function* boundedLines(file: string, max: number): AsyncGenerator<{ line: number; text: string | undefined }> {
  let buf = "";
  let over = false;
  let n = 0;
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 });
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      const piece = chunk.slice(start, nl < 0 ? undefined : nl);
      if (!over) {
        if (buf.length + piece.length > max) {
          over = true;
          buf = "";
        } else buf += piece;
      }
      if (nl < 0) break;
      n++;
      yield { line: n, text: over ? undefined : buf.replace(/\r$/, "").replace(/^\uFEFF/, "") };
      buf = "";
      over = false;
      start = nl + 1;
    }
  }
  if (buf.length > 0 || over) yield { line: n + 1, text: over ? undefined : buf.replace(/\r$/, "") };
}

/** The rows of a Splunk export (JSON lines). */
async function* splunkExportRows(file: string): AsyncGenerator<JsonRow, { previews: number }> {
  let previews = 0;
  for await (const { line, text } of boundedLines(file, MAX_ROW_CHARS)) {
    if (text === undefined) {
      yield { ref: { line }, error: `a line longer than ${MAX_ROW_CHARS} characters` };
      continue;
    }
    if (text.trim() === "") continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      yield { ref: { line }, error: `not JSON: ${bound((e as Error).message, 120)}` };
      continue;
    }
    if (!isObject(o)) {
      yield { ref: { line }, error: `expected an export record {"preview", "offset", "result"}, got ${describeShape(o)}` };
      continue;
    }
    if (!("result" in o)) continue; // lastrow markers and messages
    if (o["preview"] === true) {
      previews++;
      continue;
    }
    yield { ref: { line }, ...keyed(o["result"]) };
  }
  return { previews };
}

/**
 * Follows stream-json's token stream through a Log Analytics response and hands over the first
 * table's columns and then each of its rows, each assembled within {@link MAX_ROW_CHARS}.
 */
class TablesWalker {
  /** Open containers: objects with their current key, arrays with their current index. */
  private readonly stack: { array: boolean; key?: string; index: number }[] = [];
  private cap: { asm: Assembler; size: number; depth: number; what: "columns" | "row"; index: number } | undefined;
  private skipDepth = 0;
  columns: unknown;
  readonly rows: JsonRow[] = [];
  map: (Column | `__mv_${string}`)[] | undefined;
  tables = 0;
  error: SiemFileError | undefined;

  token(t: Token): void {
    if (this.error) return;
    if (this.cap) return this.feed(t);
    if (this.skipDepth > 0) {
      if (t.name === "startObject" || t.name === "startArray") this.skipDepth++;
      else if (t.name === "endObject" || t.name === "endArray") {
        this.skipDepth--;
        if (this.skipDepth === 0) this.valueDone();
      }
      return;
    }
    const top = this.stack[this.stack.length - 1];
    if (t.name === "keyValue") {
      top!.key = t.value;
      return;
    }
    if (t.name === "endObject" || t.name === "endArray") {
      this.stack.pop();
      this.valueDone();
      return;
    }
    // a value starts at the current path
    const path = this.stack.map((f) => (f.array ? f.index : f.key));
    const d = path.length;
    const inFirstTable = d >= 2 && path[0] === "tables" && path[1] === 0;
    const start = t.name === "startObject" || t.name === "startArray";
    if (inFirstTable && d === 3 && path[2] === "columns") return this.begin("columns", 0, t);
    if (inFirstTable && d === 4 && path[2] === "rows") return this.begin("row", path[3] as number, t);
    if (d === 2 && path[0] === "tables" && start && (path[1] as number) > 0) {
      this.skipDepth = 1; // further tables are not read
      return;
    }
    if (start && (d === 0 || (d === 1 && path[0] === "tables") || (inFirstTable && d === 2) || (inFirstTable && d === 3 && path[2] === "rows"))) {
      if (d === 2 && path[0] === "tables") this.tables++;
      this.stack.push({ array: t.name === "startArray", index: 0 });
      return;
    }
    if (start) {
      this.skipDepth = 1;
      return;
    }
    this.valueDone();
  }

  /** A value ended in the current container: the next array element gets the next index. */
  private valueDone(): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.array) top.index++;
  }

  private begin(what: "columns" | "row", index: number, t: Token): void {
    this.cap = { asm: new Assembler(), size: 0, depth: 0, what, index };
    this.feed(t);
  }

  private feed(t: Token): void {
    const c = this.cap!;
    const v = (t as { value?: unknown }).value;
    c.size += typeof v === "string" ? v.length + 3 : 2;
    if (c.size <= MAX_ROW_CHARS) c.asm.consume(t);
    if (t.name === "startObject" || t.name === "startArray") c.depth++;
    else if (t.name === "endObject" || t.name === "endArray") c.depth--;
    if (c.depth > 0) return;
    this.cap = undefined;
    this.valueDone();
    const id = c.what === "columns" ? "tables[0].columns" : `tables[0].rows[${c.index}]`;
    if (c.size > MAX_ROW_CHARS) {
      if (c.what === "columns") this.error = new SiemFileError(`${id}: over ${MAX_ROW_CHARS} characters`);
      else this.rows.push({ ref: { id }, error: `a row over ${MAX_ROW_CHARS} characters of JSON` });
      return;
    }
    if (c.what === "columns") {
      try {
        this.map = columnMap(c.asm.current, id);
      } catch (e) {
        this.error = e as SiemFileError;
      }
      return;
    }
    if (!this.map) {
      this.error = new SiemFileError(`${id}: rows before the table's columns; expected "columns" first, as the Log Analytics API writes it`);
      return;
    }
    this.rows.push({ ref: { id }, ...positional(c.asm.current, this.map) });
  }
}

/** The rows of a Log Analytics response, in batches (one per 64 KiB read). */
async function* logAnalyticsRows(outline: JsonOutline): AsyncGenerator<JsonRow[]> {
  if (outline.encoding.kind === "utf16be") throw new SiemFileError("UTF-16 big-endian: save the response as UTF-8");
  const walker = new TablesWalker();
  const parser = jsonParser({ streamValues: false, maxDepth: outline.limits.maxDepth, maxPackedLength: outline.limits.maxRecordChars });
  const feed = (out: unknown) => {
    if (out === none) return;
    if (isMany(out)) for (const t of getManyValues(out) as Token[]) walker.token(t);
    else walker.token(out as Token);
  };
  const stream = createReadStream(outline.file, { encoding: outline.encoding.kind === "utf16le" ? "utf16le" : "utf8", highWaterMark: 64 * 1024 });
  let first = true;
  for await (let chunk of stream as AsyncIterable<string>) {
    if (first) chunk = chunk.replace(/^\uFEFF/, "");
    first = false;
    feed(parser(chunk));
    if (walker.error) throw walker.error;
    if (walker.rows.length > 0) yield walker.rows.splice(0);
  }
  feed((parser as unknown as (end: typeof none) => unknown)(none));
  if (walker.error) throw walker.error;
  if (walker.rows.length > 0) yield walker.rows.splice(0);
  if (walker.tables === 0) throw new SiemFileError("tables is empty: the response holds no result table");
  if (!walker.map) throw new SiemFileError("tables[0] has no columns");
}

/** The outline's message about rows over the bound, as a {@link JsonResult} field. */
function oversizeOf(outline: JsonOutline): { oversize?: string } {
  const msg = oversizeMessage(outline);
  return msg ? { oversize: msg } : {};
}

/** What {@link readJsonResult} found before reading rows. */
export interface JsonResult {
  shape: JsonShape;
  rows: AsyncGenerator<JsonRow[], void>;
  /** Rows left out on purpose (Splunk preview results), known once `rows` is done. */
  skipped(): { previews: number };
  /** Rows over {@link MAX_ROW_CHARS} that the outline found and the rows leave out (`results`, `values`). */
  oversize?: string;
}

/**
 * Open a saved search result: check it, tell its shape and return its rows. `undefined` when the
 * file was refused and the reason already went to `ctx.onError` (invalid JSON, unreadable).
 * @throws SiemFileError when the file is valid JSON of another shape, is a preview or a partial
 *   result, or names a column that is not ours.
 */
export async function readJsonResult(file: string, ctx: Pick<CollectContext, "onError">): Promise<JsonResult | undefined> {
  if (await isSplunkExport(file)) {
    let previews = 0;
    async function* rows(): AsyncGenerator<JsonRow[], void> {
      const it = splunkExportRows(file);
      let batch: JsonRow[] = [];
      for (;;) {
        const r = await it.next();
        if (r.done) {
          previews = r.value.previews;
          break;
        }
        batch.push(r.value);
        if (batch.length >= 1000) yield batch.splice(0);
      }
      if (batch.length > 0) yield batch;
    }
    return { shape: "splunk-export", rows: rows(), skipped: () => ({ previews }) };
  }
  const outline = await outlineJsonFile(file, ctx, { itemArrays: ["results", "values", "tables"], maxRecordChars: MAX_ROW_CHARS });
  if (!outline) return undefined;
  const m = outline.members;
  const none = () => ({ previews: 0 });
  if (outline.top === "array") {
    async function* rows(): AsyncGenerator<JsonRow[], void> {
      for await (const batch of readJsonRecords(outline!)) {
        const first = batch[0];
        if (first?.index === 0 && !(isObject(first.value) && "TableName" in first.value)) {
          throw new SiemFileError(`an array whose first element is ${describeShape(first.value)}: expected the rows of "az monitor log-analytics query" (objects with "TableName")`);
        }
        yield batch.map((r) => {
          if (!isObject(r.value)) return { ref: { id: `[${r.index}]` }, error: `expected an object of columns, got ${describeShape(r.value)}` };
          const { TableName: _t, ...rest } = r.value;
          return { ref: { id: `[${r.index}]` }, ...keyed(rest) };
        });
      }
    }
    return { shape: "az-cli", rows: rows(), skipped: none, ...oversizeOf(outline) };
  }
  if (outline.top !== "object") throw new SiemFileError(`expected a search result object (Splunk "results", Log Analytics "tables" or ES|QL "columns" + "values"), got a scalar`);
  if (m["tables"] instanceof ItemArray) {
    if (m["error"] !== undefined && m["error"] !== null) {
      const err = isObject(m["error"]) ? m["error"] : {};
      throw new SiemFileError(`the Log Analytics API reported an error with these results (${JSON.stringify(bound(String(err["code"] ?? ""), 80))}: ${JSON.stringify(bound(String(err["message"] ?? ""), 200))}); partial results would replace a whole day: run the query again`);
    }
    return { shape: "log-analytics", rows: logAnalyticsRows(outline), skipped: none };
  }
  if (m["values"] instanceof ItemArray) {
    if (m["is_partial"] === true) throw new SiemFileError(`"is_partial": true: ES|QL could not search every shard; partial results would replace a whole day: run the query again`);
    const map = columnMap(m["columns"], "columns");
    async function* rows(): AsyncGenerator<JsonRow[], void> {
      for await (const batch of readJsonRecords(outline!, new Set(["values"]))) {
        yield batch.map((r) => ({ ref: { id: `values[${r.index}]` }, ...positional(r.value, map) }));
      }
    }
    return { shape: "esql", rows: rows(), skipped: none, ...oversizeOf(outline) };
  }
  if (m["results"] instanceof ItemArray) {
    if (m["preview"] === true) throw new SiemFileError(`"preview": true: these are a running search's preview results; fetch the results when the job is done`);
    if (m["fields"] !== undefined) columnMap(m["fields"], "fields");
    async function* rows(): AsyncGenerator<JsonRow[], void> {
      for await (const batch of readJsonRecords(outline!, new Set(["results"]))) {
        yield batch.map((r) => ({ ref: { id: `results[${r.index}]` }, ...keyed(r.value) }));
      }
    }
    return { shape: "splunk-results", rows: rows(), skipped: none, ...oversizeOf(outline) };
  }
  throw new SiemFileError(`not a search result: expected Splunk "results", Log Analytics "tables" or ES|QL "columns" + "values", got ${describeShape(Object.fromEntries(Object.entries(m)))}`);
}
