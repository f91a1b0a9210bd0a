/**
 * `scan siem`: daily aggregates that a SIEM computed from its own proxy and DNS logs (the queries
 * in README.md, "Push-down to a SIEM"), imported as they were exported: Splunk CSV and JSON,
 * Microsoft Sentinel / Log Analytics CSV and query-API JSON, Elastic ES|QL JSON and CSV, or any
 * CSV with our header. Columns and row rules: `columns.ts`; CSV: `csv.ts`; JSON: `json.ts`.
 *
 * Each row becomes one observation with `count` set, which the store keeps as the day's rollup
 * for its person (or client address), service and host, replaced when the same day is imported
 * again: re-imports are idempotent and a later export of a day wins. Nothing is kept between
 * scans (no cursor): a file is read whole each time.
 */
import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import type { CollectContext } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import { rowToObservation, type RawRow, type SiemKind, type TimeStyle } from "./columns.js";
import { readCsvResult } from "./csv.js";
import { readJsonResult, SHAPE_SIEM, SiemFileError } from "./json.js";

export const id = "siem";
export const displayName = "SIEM daily aggregates (Splunk, Microsoft Sentinel, Elastic)";
export const docsUrl = "https://learn.microsoft.com/en-us/rest/api/loganalytics/dataaccess/query/get";

export { COLUMNS, REQUIRED_COLUMNS, SIEM_KINDS, type SiemKind } from "./columns.js";

/** Most rows read from one file; the rest of a longer file is refused with an error (split the export by day). */
export const MAX_ROWS_PER_FILE = 1_000_000;

/** Refused rows reported one by one per file; the rest are counted in one message. */
export const ROW_ERRORS_SHOWN = 20;

/** What `scan siem` is told besides the files. */
export interface SiemOptions {
  /** Which SIEM exported the CSV files (JSON results name their SIEM by their shape). Default: detected, else `csv`. */
  kind?: SiemKind;
  /** The saved search or query that produced the files, recorded in `action` when a row has no `search_name`. */
  queryName?: string;
  /** Most rows read from one file (default {@link MAX_ROWS_PER_FILE}; tests lower it). */
  maxRows?: number;
}

/** Bytes of a file's head read to tell JSON from CSV and to read the CSV header. */
const HEAD_BYTES = 64 * 1024;

/**
 * 53 bits of SHA-1 of a row key (never 0): the per-file duplicate check keeps numbers, not keys.
 * Two different keys share a hash with a probability under 6e-5 at {@link MAX_ROWS_PER_FILE} rows.
 */
function keyHash(key: string): number {
  return Number(createHash("sha1").update(key).digest().readBigUInt64BE(0) >> 11n) || 1;
}

/**
 * Row-key hashes seen in one file, each with the line (or row index) that had it: an
 * open-addressing table in typed arrays (12 bytes a slot, at most half full), so a file of
 * {@link MAX_ROWS_PER_FILE} rows needs about 25 MB and no garbage-collected objects per row.
 */
class SeenKeys {
  private keys = new Float64Array(1 << 12);
  private where = new Int32Array(1 << 12);
  private size = 0;

  /** The line or index stored with `hash`, or undefined; stores `at` when absent. */
  getOrAdd(hash: number, at: number): number | undefined {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = hash % this.keys.length; ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === 0) {
        this.keys[i] = hash;
        this.where[i] = at;
        this.size++;
        return undefined;
      }
      if (k === hash) return this.where[i];
    }
  }

  private grow(): void {
    const keys = this.keys;
    const where = this.where;
    this.keys = new Float64Array(keys.length * 2);
    this.where = new Int32Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.getOrAdd(keys[i]!, where[i]!);
  }
}

/** One file's rows → observations: the row bound, duplicate keys, refused rows (first few shown, then counted). */
class FileRows {
  rows = 0;
  empty = 0;
  refused = 0;
  stopped = false;
  private readonly seen = new SeenKeys();

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly style: TimeStyle,
    private readonly queryName: string | undefined,
    private readonly ctx: CollectContext,
    private readonly maxRows: number,
  ) {}

  private refuse(ref: { line: number } | { id: string }, message: string): void {
    this.refused++;
    if (this.refused > ROW_ERRORS_SHOWN) return;
    const where = "line" in ref ? { line: ref.line } : {};
    const prefix = "id" in ref ? `${ref.id}: ` : "";
    this.ctx.onError({ input: this.file, ...where, message: `${prefix}${message}; row skipped`, partial: true });
  }

  /** The observation of one row, or undefined when it was refused, empty, or over the bound. */
  take(ref: { line: number } | { id: string }, row: RawRow | undefined, error: string | undefined): Observation | undefined {
    if (this.stopped) return undefined;
    if (++this.rows > this.maxRows) {
      this.stopped = true;
      this.ctx.onError({ input: this.file, ...("line" in ref ? { line: ref.line } : {}), message: `more than ${this.maxRows} rows: the rest of the file is not read; export one day per file`, partial: true });
      return undefined;
    }
    if (error !== undefined || row === undefined) {
      this.refuse(ref, error ?? "unreadable row");
      return undefined;
    }
    const r = rowToObservation(row, { source: this.source, file: this.file, ref, style: this.style, ...(this.queryName ? { queryName: this.queryName } : {}) });
    if ("error" in r) {
      this.refuse(ref, r.error);
      return undefined;
    }
    if ("empty" in r) {
      this.empty++;
      return undefined;
    }
    // the earlier row is named by its line, or by its path with this row's index replaced
    const at = "line" in ref ? ref.line : Number(/\[(\d+)\]$/.exec(ref.id)?.[1] ?? -1);
    const earlier = this.seen.getOrAdd(keyHash(r.key), at);
    if (earlier !== undefined) {
      const label = "line" in ref ? `line ${earlier}` : ref.id.replace(/\[\d+\]$/, `[${earlier}]`);
      this.refuse(ref, `the same day, user (or src when user is empty) and host as ${label}: the store keeps one aggregate per day, person and host, so one would replace the other; group the query by day, user (else src) and host`);
      return undefined;
    }
    return r.observation;
  }

  /** Report what was counted: refused rows beyond those shown, rows standing for no events. */
  finish(): void {
    if (this.refused > ROW_ERRORS_SHOWN) {
      this.ctx.onError({ input: this.file, message: `${this.refused - ROW_ERRORS_SHOWN} more row(s) refused (${this.refused} in all; the first ${ROW_ERRORS_SHOWN} are shown above)`, partial: true });
    }
    if (this.empty > 0) this.ctx.onWarning?.({ input: this.file, code: "zero-count", count: this.empty, message: `${this.empty} row(s) with count 0 stand for no events; nothing stored for them` });
  }
}

/** The first {@link HEAD_BYTES} of a file as text; throws when it is not a regular file. */
async function readHead(file: string): Promise<{ text: string; size: number }> {
  const st = await stat(file);
  if (!st.isFile()) throw new SiemFileError("not a regular file: expected a saved search result (CSV or JSON)");
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { text: buf.toString("utf8", 0, bytesRead).replace(/^\uFEFF/, ""), size: st.size };
  } finally {
    await fh.close();
  }
}

/**
 * The observations of SIEM exports, a batch per chunk read, file by file.
 *
 * JSON or CSV is told by the first character (`{` is JSON). A CSV's SIEM is `options.kind`, else
 * detected (` [UTC]` column names: Sentinel's portal export; `__mv_` columns: Splunk), else `csv`;
 * a JSON result's SIEM is its shape's. Errors never stop the scan and never throw: a file that
 * cannot be read, is not a search result, lacks a required column or names an unknown one is
 * refused (`partial: false`); a row that does not fit is reported with its file and line (CSV,
 * Splunk export lines) or row path (JSON) and skipped (`partial: true`); so are rows beyond
 * {@link MAX_ROWS_PER_FILE} and rows repeating an earlier row's day, user (else src) and host.
 */
export async function* collectSiem(files: readonly string[], options: SiemOptions, ctx: CollectContext): AsyncGenerator<Observation[]> {
  for (const file of files) {
    let rows: FileRows | undefined;
    try {
      const head = await readHead(file);
      if (head.size === 0 || head.text.trim() === "") {
        ctx.onWarning?.({ input: file, code: "empty", count: 0, message: "empty file: no rows" });
        continue;
      }
      if (/^\s*[{[]/.test(head.text)) {
        const result = await readJsonResult(file, ctx);
        if (!result) continue;
        if (result.oversize) ctx.onError({ input: file, message: result.oversize, partial: true });
        rows = new FileRows(file, `siem:${SHAPE_SIEM[result.shape]}`, {}, options.queryName, ctx, options.maxRows ?? MAX_ROWS_PER_FILE);
        for await (const batch of result.rows) {
          const out: Observation[] = [];
          for (const r of batch) {
            const o = rows.take(r.ref, r.row, r.error);
            if (o) out.push(o);
          }
          if (out.length > 0) yield out;
          if (rows.stopped) break;
        }
        const { previews } = result.skipped();
        if (previews > 0) ctx.onWarning?.({ input: file, code: "preview", count: previews, message: `${previews} preview result(s) ("preview": true) skipped; the final results were read` });
      } else {
        const nl = head.text.indexOf("\n");
        const { header, rows: csvRows } = await readCsvResult(file, nl < 0 ? head.text : head.text.slice(0, nl));
        const kind: SiemKind = options.kind ?? (header.portal ? "sentinel" : header.splunkMv ? "splunk" : "csv");
        rows = new FileRows(file, `siem:${kind}`, { portal: header.portal }, options.queryName, ctx, options.maxRows ?? MAX_ROWS_PER_FILE);
        for await (const batch of csvRows) {
          const out: Observation[] = [];
          for (const r of batch) {
            const o = rows.take({ line: r.line }, r.row, r.error);
            if (o) out.push(o);
          }
          if (out.length > 0) yield out;
          if (rows.stopped) break;
        }
      }
    } catch (e) {
      const line = e instanceof SiemFileError ? e.line : undefined;
      const message = e instanceof SiemFileError ? e.message : `cannot read: ${bound((e as Error).message, 300)}`;
      ctx.onError({ input: file, ...(line !== undefined ? { line } : {}), message, partial: (rows?.rows ?? 0) > 0 });
    }
    rows?.finish();
  }
}
