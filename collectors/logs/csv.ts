/**
 * Splitting one CSV line into fields. Lines without a double quote are split on the delimiter
 * directly (the common case of firewall and proxy logs, and the fast one); quoted lines go to
 * `csv-parse` (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`), so a quote in the data can never shift
 * the columns. A record spanning several lines (a newline inside quotes) is not supported: log
 * records are one per line, and such a line is reported as malformed.
 *
 * https://csv.js.org/parse/ (csv-parse), https://www.rfc-editor.org/rfc/rfc4180
 */
import { parse } from "csv-parse/sync";

/** Longest list of fields kept from one line. */
export const MAX_FIELDS = 1024;

/**
 * The fields of `line` split on `delimiter` (one character).
 * @returns the fields, or a string saying why the line is not valid CSV.
 */
export function splitCsv(line: string, delimiter: string): string[] | string {
  if (line.indexOf('"') < 0) {
    const f = line.split(delimiter, MAX_FIELDS + 1);
    return f.length > MAX_FIELDS ? `more than ${MAX_FIELDS} fields` : f;
  }
  try {
    const rows = parse(line, {
      delimiter,
      relax_quotes: false,
      relax_column_count: true,
      skip_empty_lines: false,
      bom: false,
      max_record_size: 1 << 20,
    }) as string[][];
    if (rows.length !== 1) return "a quoted field runs past the end of the line (unbalanced '\"')";
    const f = rows[0]!;
    return f.length > MAX_FIELDS ? `more than ${MAX_FIELDS} fields` : f;
  } catch (e) {
    return `invalid CSV quoting: ${String((e as Error).message).split("\n")[0]!.slice(0, 160)}`;
  }
}

/** `tab` or a one-character delimiter as configured, as the character itself. */
export function delimiterChar(d: string | undefined, fallback: string): string {
  if (d === undefined) return fallback;
  return d === "tab" ? "\t" : d;
}
