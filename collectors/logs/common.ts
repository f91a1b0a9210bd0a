/**
 * What every log parser shares: the parser interface, time conversion, URL splitting and small
 * bounded-string helpers. Nothing here knows a vendor's format.
 */
import { bound, type Observation, type ObservationKind } from "../../src/core/observation.js";
import { zonedTimeToMs } from "./zone.js";

/** Longest URL path (with query) kept from a log record, in UTF-16 units. */
export const MAX_PATH_LENGTH = 1024;

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
  /** Report a summary problem of the file (not a malformed line: those are returned). */
  report(message: string): void;
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

// ---------------------------------------------------------------------------------------------
// Time

let cachedSecond = Number.NaN;
let cachedPrefix = "";

/**
 * ISO 8601 UTC with milliseconds for a time in milliseconds since the Unix epoch, or undefined
 * when it is not a finite time between 1970 and 9999. The `YYYY-MM-DDTHH:MM:SS.` prefix of the
 * last second converted is cached, so consecutive records of the same second cost a concatenation.
 */
export function isoFromMs(ms: number): string | undefined {
  if (!(ms >= 0 && ms < 253402300800000)) return undefined;
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  return cachedPrefix + MILLIS_Z[Math.floor(ms - sec * 1000)]!;
}

/** `000Z` … `999Z`: the end of every ISO time, made once. */
const MILLIS_Z = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, "0")}Z`);

/**
 * Milliseconds since the epoch from decimal epoch seconds written in `text[start, end)`
 * (`1335538392.319381`, `1544160065.248`, `1683147305`), without allocating; NaN when the text is
 * not digits with an optional fraction.
 */
export function epochSecondsToMs(text: string, start: number, end: number): number {
  let sec = 0;
  let i = start;
  if (i >= end) return Number.NaN;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    sec = sec * 10 + c;
  }
  if (i === start) return Number.NaN;
  let ms = sec * 1000;
  if (i < end) {
    if (text.charCodeAt(i) !== 46 /* . */) return Number.NaN;
    i++;
    let scale = 100;
    for (; i < end; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return Number.NaN;
      if (scale >= 1) {
        ms += c * scale;
        scale /= 10;
      }
    }
  }
  return ms;
}

/**
 * A Unix time whose unit is told by its size, as Cloudflare Logpush writes `Datetime` with
 * `timestamp_format` `unix` (seconds), `unixnano` (nanoseconds), or milliseconds/microseconds
 * elsewhere: below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else
 * nanoseconds. Accepts numbers and digit strings (a fraction only on seconds).
 * @returns milliseconds since the epoch, or NaN.
 */
export function epochAutoToMs(v: unknown): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^\d{1,20}(\.\d{1,9})?$/.test(v)) n = Number(v);
  else return Number.NaN;
  if (!Number.isFinite(n) || n < 0) return Number.NaN;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return n / 1e6;
}

/**
 * ISO time from an RFC 3339 / ISO 8601 date-time string (`2023-05-02T22:49:53Z`,
 * `2020-12-23T21:47:03.448Z`, with an offset or without, the latter read in `timeZone`
 * (`logs.timeZone`) or else as UTC), or undefined.
 */
export function isoFromRfc3339(v: unknown, timeZone?: string): string | undefined {
  if (typeof v !== "string" || v.length < 10 || v.length > 64) return undefined;
  const m = RFC3339.exec(v);
  if (!m) return undefined;
  if (!m[4] && timeZone !== undefined && timeZone !== "UTC") {
    // No offset in the text: the wall-clock time of the configured zone.
    const [y, mo, d] = m[1]!.split("-").map(Number) as [number, number, number];
    const [h, mi, sec] = (m[2] ?? "00:00").split(":").map(Number) as [number, number, number | undefined];
    const ms = m[3] ? Math.floor(Number(`0${m[3]}`) * 1000) : 0;
    return isoFromUtc(y, mo - 1, d, h, mi, sec ?? 0, ms, timeZone);
  }
  const zone = m[4] ? (m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4].toUpperCase()) : "Z";
  const t = Date.parse(`${m[1]}T${m[2] ?? "00:00"}${m[3] ? m[3].slice(0, 4) : ""}${zone}`);
  return Number.isNaN(t) ? undefined : isoFromMs(t);
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,9})?)?(Z|z|[+-]\d{2}:\d{2}|[+-]\d{4})?$/;

/**
 * A time value as JSON logs give it: RFC 3339 text, or epoch seconds/ms/µs/ns as number or digits.
 * Text without an offset is read in `timeZone` (`logs.timeZone`), else as UTC.
 */
export function isoFromAny(v: unknown, timeZone?: string): string | undefined {
  if (typeof v === "string" && v.includes("-")) return isoFromRfc3339(v, timeZone);
  const ms = epochAutoToMs(v);
  return Number.isNaN(ms) ? undefined : isoFromMs(ms);
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** 0-based month of a three-letter English month name (any case), or -1. */
export function monthIndex(name: string): number {
  return MONTHS[name.toLowerCase()] ?? -1;
}

/** True when the wall-clock components are in range (the day is checked against the month later). */
function wallClockInRange(year: number, month0: number, day: number, h: number, m: number, s: number): boolean {
  return year >= 1970 && year <= 9999 && month0 >= 0 && month0 <= 11 && day >= 1 && day <= 31 && h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 60;
}

/**
 * A wall-clock time written without a zone, read in `zone` (an IANA name: `logs.timeZone`) or,
 * without one, in the zone this process runs in (the `TZ` environment variable, else the system's
 * zone): BIND, PAN-OS and syslog headers write the device's local time.
 * @returns ISO 8601 UTC, or undefined when a component is out of range (31 February included).
 */
export function isoFromLocal(year: number, month0: number, day: number, h: number, m: number, s: number, ms = 0, zone?: string): string | undefined {
  if (zone !== undefined) return isoFromUtc(year, month0, day, h, m, s, ms, zone);
  if (!wallClockInRange(year, month0, day, h, m, s)) return undefined;
  const d = new Date(year, month0, day, h, m, s, ms);
  return Number.isNaN(d.getTime()) || d.getDate() !== day ? undefined : isoFromMs(d.getTime());
}

/**
 * As {@link isoFromLocal}, for a wall-clock time that is UTC unless `zone` (`logs.timeZone`) says
 * otherwise: formats whose zone-less times are UTC by default (Zscaler NSS feeds, whose default
 * zone is GMT; generic CSV and JSON times).
 */
export function isoFromUtc(year: number, month0: number, day: number, h: number, m: number, s: number, ms = 0, zone?: string): string | undefined {
  if (!wallClockInRange(year, month0, day, h, m, s)) return undefined;
  const wall = Date.UTC(year, month0, day, h, m, s, ms);
  if (new Date(wall).getUTCDate() !== day) return undefined;
  return isoFromMs(zone === undefined || zone === "UTC" ? wall : zonedTimeToMs(zone, year, month0, day, h, m, s, ms));
}

// ---------------------------------------------------------------------------------------------
// URLs and addresses

/** The parts of a request target that observations keep. */
export interface Target {
  host?: string;
  port?: number;
  path?: string;
}

/**
 * Split what a log gives as a request target into host, port and path, without a URL parser:
 * absolute URLs (`https://api.openai.com/v1/chat?x=1`, `http://[2001:db8::1]:8080/`), CONNECT's
 * authority form (`api.openai.com:443`), and scheme-less `host[:port]/path` (Zscaler `eurl`,
 * PAN-OS URL logs). An origin-form target (`/index.html`) gives only a path. User info
 * (`user:pw@`) is dropped. The host is kept as written (the matcher normalises case);
 * the path is bounded to {@link MAX_PATH_LENGTH}.
 */
export function splitTarget(raw: string): Target {
  let s = raw;
  if (s.length === 0 || s === "-") return {};
  if (s.charCodeAt(0) === 47 /* / */) return { path: bound(s, MAX_PATH_LENGTH) };
  let defaultPort: number | undefined;
  const scheme = s.indexOf("://");
  if (scheme > 0 && scheme < 16) {
    const name = s.slice(0, scheme).toLowerCase();
    defaultPort = name === "https" || name === "wss" ? 443 : name === "http" || name === "ws" ? 80 : name === "ftp" ? 21 : undefined;
    s = s.slice(scheme + 3);
  }
  let authEnd = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      authEnd = i;
      break;
    }
  }
  let authority = s.slice(0, authEnd);
  const at = authority.lastIndexOf("@");
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  let port: number | undefined;
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const close = authority.indexOf("]");
    if (close > 0) {
      host = authority.slice(1, close);
      if (authority.charCodeAt(close + 1) === 58) port = toPort(authority.slice(close + 2));
    }
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0 && authority.indexOf(":") === colon) {
      host = authority.slice(0, colon);
      port = toPort(authority.slice(colon + 1));
    }
  }
  const out: Target = {};
  if (host.length > 0) out.host = bound(host);
  const p = port ?? defaultPort;
  if (p !== undefined) out.port = p;
  if (authEnd < s.length) {
    const path = s.charCodeAt(authEnd) === 47 ? s.slice(authEnd) : `/${s.slice(authEnd)}`;
    out.path = bound(path, MAX_PATH_LENGTH);
  }
  return out;
}

/** A TCP/UDP port from decimal text (0–65535), or undefined. */
export function toPort(v: string | number | undefined | null): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** A non-negative integer count (bytes) from a number or decimal text, or undefined. */
export function toCount(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string" || v.length === 0 || v.length > 16) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(v);
}

/** The sum of the counts that are given, or undefined when none is. */
export function sumCounts(...vs: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const v of vs) if (v !== undefined) total = (total ?? 0) + v;
  return total;
}

/**
 * A string field of evidence: trimmed, bounded, `undefined` for non-strings, empty text and the
 * placeholders logs write for "nothing" (`-`, `None`, `N/A`, `NA`, `(empty)`).
 */
export function text(v: unknown, max?: number): string | undefined {
  if (typeof v !== "string") return typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;
  const s = v.trim();
  if (s.length === 0 || s === "-" || s === "None" || s === "N/A" || s === "NA" || s === "(empty)" || s === "null") return undefined;
  return bound(s, max);
}

/** A user name or e-mail as evidence gives it, lower-cased and bounded (320: the longest e-mail address). */
export function userOf(v: unknown): string | undefined {
  const s = text(v, 320);
  return s ? s.toLowerCase() : undefined;
}

/** Follow a dotted path (`client.userAgent.rawUserAgent`) into a parsed JSON value. */
export function at(v: unknown, path: string): unknown {
  if (path.indexOf(".") < 0) return isRecord(v) ? v[path] : undefined;
  let cur: unknown = v;
  for (const key of path.split(".")) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A plain JSON object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Bounded, de-duplicated strings of an array (non-strings dropped), or undefined when none. */
export function textList(v: unknown, maxItems = 64): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = new Set<string>();
  for (const x of v) {
    const s = text(x);
    if (s) out.add(s);
    if (out.size >= maxItems) break;
  }
  return out.size > 0 ? [...out] : undefined;
}

/** The `ref` of a line of a file. */
export function lineRef(file: string, line: number, offset: number): Observation["ref"] {
  return { file, line, offset };
}

/** Build an observation, leaving out the optional fields that are undefined. */
export function observation(
  source: string,
  kind: ObservationKind,
  time: string,
  ref: Observation["ref"],
  fields: Omit<Partial<Observation>, "source" | "kind" | "time" | "ref">,
): Observation {
  const o: Observation = { source, kind, time, ref };
  for (const k of Object.keys(fields) as (keyof typeof fields)[]) {
    const v = fields[k];
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  return o;
}

/** A short, printable excerpt of a value for an error message (control characters escaped by the CLI). */
export function excerpt(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/**
 * The `line` method of a JSON-lines parser: an empty line is skipped, invalid JSON is reported as
 * malformed (with V8's reason, bounded), anything else goes to the parser's `record`.
 */
export function jsonLine(
  parser: { record(v: unknown, line: number, offset: number): ParseResult },
  t: string,
  start: number,
  end: number,
  line: number,
  offset: number,
): ParseResult {
  if (start === end) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t.slice(start, end));
  } catch (e) {
    return `invalid JSON: ${(e as Error).message.slice(0, 120)}`;
  }
  return parser.record(v, line, offset);
}
