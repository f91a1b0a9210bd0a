/**
 * Search results saved as CSV (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180), streamed with
 * csv-parse (https://csv.js.org/parse/) row by row. The first record is the header; columns are
 * found by name ({@link headerCell}), so their order does not matter. How each SIEM writes it:
 *
 * - Splunk: `| outputcsv` (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/outputcsv)
 *   and the REST API's `output_mode=csv`
 *   (https://help.splunk.com/splunk-enterprise/search/search-manual/9.0/export-search-results/export-data-using-the-splunk-rest-api).
 *   Results files may carry `__mv_<field>` companion columns for multivalue fields
 *   (https://help.splunk.com/splunk-enterprise/search/search-manual/9.1/evaluate-and-manipulate-fields/evaluate-and-manipulate-fields-with-multiple-values),
 *   which must be empty here.
 * - Microsoft Sentinel / Log Analytics: the Azure portal's "Export to CSV" appends ` [UTC]` to the
 *   names of datetime columns and writes their values as `M/D/YYYY, h:mm:ss.fff AM` (seen in
 *   portal exports, e.g. `"TimeGenerated [UTC]"` / `"2/25/2025, 9:19:25.391 AM"`; Microsoft does
 *   not document the layout). The README's KQL query formats its own columns as text, so only
 *   `first_seen`/`last_seen` may come this way.
 * - Elastic: ES|QL's `format=csv` (or `tsv`, or `csv` with `delimiter`)
 *   (https://www.elastic.co/guide/en/elasticsearch/reference/current/esql-rest.html).
 *
 * The delimiter is taken from the header line: the first of `,` `;` tab `|` that splits it into
 * names that are all ours.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { bound } from "../../src/core/observation.js";
import { headerCell, REQUIRED_COLUMNS, type Column, type RawRow } from "./columns.js";
import { SiemFileError } from "./json.js";

/** Longest CSV record (bytes of text), header included. */
export const MAX_RECORD_CHARS = 64 * 1024;

/** Most columns of a header. */
export const MAX_CSV_COLUMNS = 256;

/** What a CSV header told. */
export interface CsvHeader {
  /** Each position's column, or an `__mv_` name, by position. */
  columns: (Column | `__mv_${string}`)[];
  delimiter: string;
  /** Azure portal export: datetime columns named `... [UTC]`. */
  portal: boolean;
  /** Splunk `outputcsv`: `__mv_` columns. */
  splunkMv: boolean;
}

const DELIMITERS = [",", ";", "\t", "|"];

/** Split a header line (no quotes expected, but tolerated) on a delimiter. */
function splitHeader(line: string, d: string): string[] {
  return line.split(d).map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
}

/**
 * Read a header line: the delimiter and every column.
 * @returns the header, or `undefined` when no delimiter gives our columns (not our CSV).
 */
export function readHeader(firstLine: string): CsvHeader | { unknown: string[] } | { duplicate: string[] } | undefined {
  const line = firstLine.replace(/^\uFEFF/, "").replace(/\r$/, "");
  if (line.length > MAX_RECORD_CHARS) return undefined;
  let best: { d: string; cells: string[]; ours: number } | undefined;
  for (const d of DELIMITERS) {
    const cells = splitHeader(line, d);
    if (cells.length < 2 || cells.length > MAX_CSV_COLUMNS) continue;
    const ours = cells.filter((c) => !("unknown" in headerCell(c))).length;
    if (!best || ours > best.ours) best = { d, cells, ours };
  }
  if (!best) return undefined;
  const parsed = best.cells.map((c) => ({ raw: c, cell: headerCell(c) }));
  const names = new Set(parsed.flatMap((p) => ("column" in p.cell ? [p.cell.column] : [])));
  if (!REQUIRED_COLUMNS.every((c) => names.has(c))) return undefined;
  const unknown = parsed.filter((p) => "unknown" in p.cell).map((p) => bound(p.raw, 80));
  if (unknown.length > 0) return { unknown };
  const ours = parsed.flatMap((p) => ("column" in p.cell ? [p.cell.column] : "mv" in p.cell ? [p.cell.mv] : []));
  const duplicate = [...new Set(ours.filter((c, i) => ours.indexOf(c) !== i))];
  if (duplicate.length > 0) return { duplicate };
  return {
    columns: parsed.map((p) => ("column" in p.cell ? p.cell.column : (p.cell as { mv: string }).mv as `__mv_${string}`)),
    delimiter: best.d,
    portal: parsed.some((p) => /\[UTC\]\s*$/i.test(p.raw)),
    splunkMv: parsed.some((p) => "mv" in p.cell),
  };
}

/** One CSV row: its line and values, or why it cannot be read. */
export interface CsvRow {
  line: number;
  row?: RawRow;
  error?: string;
}

/**
 * The header and rows of a CSV result, rows in batches.
 * A record that is not valid CSV (broken quoting, over {@link MAX_RECORD_CHARS}) is a row with an
 * error and its line; the records after it are still read.
 * @throws SiemFileError (line 1) when the header lacks a required column or names one that is not ours.
 */
export async function readCsvResult(file: string, headLine: string): Promise<{ header: CsvHeader; rows: AsyncGenerator<CsvRow[], void> }> {
  const h = readHeader(headLine);
  if (h === undefined) {
    throw new SiemFileError(`the header does not name the required columns ${REQUIRED_COLUMNS.join(", ")} (found ${JSON.stringify(bound(headLine.replace(/^\uFEFF/, ""), 200))})`, 1);
  }
  if ("unknown" in h) {
    throw new SiemFileError(`unknown column(s) ${h.unknown.map((u) => JSON.stringify(u)).join(", ")}; expected only the columns of the README's queries (day, user, src, host, count, bytes, first_seen, last_seen, service_id, ...)`, 1);
  }
  if ("duplicate" in h) throw new SiemFileError(`column(s) ${h.duplicate.map((d) => JSON.stringify(d)).join(", ")} named more than once; which one holds the value cannot be told`, 1);
  const header = h;
  async function* rows(): AsyncGenerator<CsvRow[], void> {
    // A record csv-parse cannot read (broken quoting, over the size bound) is skipped and reported
    // with its line; reading goes on with the next record.
    const skipped: CsvRow[] = [];
    const parser = createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(
      parse({
        bom: true, delimiter: header.delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS, info: true, from_line: 2,
        skip_records_with_error: true,
        on_skip: (err) => {
          const e = err as (Error & { lines?: number }) | undefined;
          skipped.push({ line: e?.lines ?? 0, error: `not valid CSV (${bound((e?.message ?? "unreadable record").split("\n")[0]!, 160)})` });
          return undefined;
        },
      }),
    );
    let batch: CsvRow[] = [];
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (skipped.length > 0) batch.push(...skipped.splice(0));
      const line = rec.info.lines;
      const cells = rec.record;
      if (cells.length !== header.columns.length) {
        batch.push({ line, error: `${cells.length} fields for the header's ${header.columns.length} columns` });
      } else {
        const row: RawRow = {};
        let error: string | undefined;
        for (let i = 0; i < cells.length; i++) {
          const c = header.columns[i]!;
          if (c.startsWith("__mv_")) {
            if (cells[i] !== "") error = `${c}: a multi-valued field; expected one value per cell`;
          } else row[c as Column] = cells[i];
        }
        batch.push(error ? { line, error } : { line, row });
      }
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    if (skipped.length > 0) batch.push(...skipped.splice(0));
    if (batch.length > 0) yield batch;
  }
  return { header, rows: rows() };
}
