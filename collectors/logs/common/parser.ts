/**
 * The parser interface every log format implements, and what a parser is created with.
 */
import type { Observation } from "../../../src/core/observation.js";
import type { KeepInput } from "../../../src/core/source.js";

/** What a parser returns for one line or record: `undefined` when fine, or why it is malformed. */
export type ParseResult = string | undefined;

/**
 * One parser per file: it is given the lines (or, for JSON formats, the parsed records) of one
 * file in order and pushes the observations they hold to {@link LineParser.out}, which the reader
 * replaces with a fresh array after each chunk of lines.
 */
export interface LineParser {
  /** Where observations go; reassigned by the caller after each chunk. */
  out: Observation[];
  /**
   * True for formats whose records are JSON objects: a file that starts with `[` is then read as
   * a JSON array of records (an API response saved whole) instead of one record per line.
   */
  readonly json: boolean;
  /**
   * Parse the line `text.slice(start, end)` (no line terminator), the 1-based line `line` at byte
   * offset `offset` of the (decompressed) file.
   * @returns undefined when the line was read or deliberately skipped (a header, a comment, a record
   *   of no interest); otherwise what was wrong, naming what was expected.
   */
  line(text: string, start: number, end: number, line: number, offset: number): ParseResult;
  /** JSON formats: one record (a parsed line or array element). */
  record?(value: unknown, line: number, offset: number): ParseResult;
  /**
   * Called before reading from a cursor's offset (not from the start) with the first lines of the
   * file, for formats whose header says how to read the rest (Zeek `#fields`, a CSV header row).
   */
  prime?(headLines: string[]): void;
  /** Called once at the end of the file: report summaries (records skipped for a stated reason). */
  finish?(): void;
  /**
   * Records dropped because {@link ParserContext.keep} said the scan does not keep them (counted
   * here instead of built); the caller reads and resets it after each chunk.
   */
  skipped?: number;
}

/** Settings a parser is created with. */
export interface ParserContext {
  /** The file as given (goes into `ref.file`). */
  file: string;
  /**
   * IANA zone of the times the log writes without a zone (`logs.timeZone`, checked by the config
   * schema); absent: each format's default (see {@link isoFromLocal} and {@link isoFromUtc}).
   */
  timeZone?: string;
  /**
   * The year of times written without one (syslog `Mmm dd hh:mm:ss` headers): `logs.year` when
   * configured; otherwise the parser infers it from {@link ParserContext.fileTimeMs}.
   */
  year?: number;
  /**
   * The file's modification time, ms since the epoch: the latest time its lines can carry, used to
   * place year-less syslog times (a line of `Dec 31` in a file last written in January belongs to
   * the year before).
   */
  fileTimeMs?: number;
  /**
   * Whether the scan keeps a record with these fields (`SourceContext.keep`): a parser may ask it
   * before building the observation, with the identifiers the observation would have (host, path,
   * client and app IDs, app name, publisher and its tenant, user agent) and, when it would have a
   * department or job title, those and its user; it counts a record it drops in
   * {@link LineParser.skipped}. Every line is still checked in full first (a malformed line is an
   * error whether kept or not). Absent: build every record.
   */
  keep?: (o: KeepInput) => boolean;
  /** Report a real problem of the file that lost evidence (not a malformed line: those are returned). */
  report(message: string): void;
  /**
   * Report something harmless but worth showing, counted once per file: records of no interest
   * skipped for a stated reason, a layout variant read by a fallback. Never makes a scan partial.
   */
  warn(message: string): void;
}

/** `source` of an observation from format `f`. */
export function sourceOf(format: string): string {
  return `logs:${format}`;
}
// ---------------------------------------------------------------------------------------------
// Searching a chunk

/**
 * `text.indexOf(sep, from)` for parsers that scan a whole chunk of lines in place: a search that
 * ran past the end of its line (a line with fewer separators than expected) is remembered, so that
 * lines without separators cannot make every search run to the end of the chunk (quadratic time).
 */
export class SeparatorFinder {
  private text = "";
  private from = 0;
  private found = 0;

  /** The index of `sep` at or after `from` in `text`, or -1; a result past `end` is remembered. */
  find(text: string, sep: string, from: number, end: number): number {
    if (from >= this.from && (this.found < 0 || from <= this.found) && this.text === text) return this.found;
    const q = text.indexOf(sep, from);
    if (q < 0 || q > end) {
      this.text = text;
      this.from = from;
      this.found = q;
    }
    return q;
  }
}

