/**
 * The columns of a SIEM daily aggregate (what the README's "Push-down to a SIEM" queries produce,
 * and what `scan siem` imports), defined once: their names, which are required, and how one row
 * becomes one {@link Observation}.
 *
 * One row is one day's use of one host by one person (or, when the log names no person, one
 * client address): `day`, `user`, `src`, `host`, `count`, `bytes`, `first_seen`, `last_seen`,
 * plus informational columns (`service_id`, `service_name`, `vendor`, `category`, `ai_act_tier`,
 * `catalogue_version`, `catalogue_sha256` from the exported lookup, and `search_name`). Our own
 * catalogue re-matches `host`; the lookup's service columns are never trusted.
 *
 * Every value is attacker-controlled text (a user name or host a log recorded): strings are
 * bounded with {@link bound}, numbers must be exact non-negative integers, times must parse.
 */
import { bound, type Observation } from "../../src/core/observation.js";

/** Which SIEM exported a file; `csv` is a CSV with our header whose exporter is not known. */
export const SIEM_KINDS = ["splunk", "sentinel", "elastic", "csv"] as const;
export type SiemKind = (typeof SIEM_KINDS)[number];

/** A column name of the aggregate. */
export type Column =
  | "day" | "user" | "src" | "host" | "count" | "bytes" | "first_seen" | "last_seen"
  | "service_id" | "service_name" | "vendor" | "category" | "ai_act_tier" | "catalogue_version" | "catalogue_sha256"
  | "search_name";

/** Columns a file must have. */
export const REQUIRED_COLUMNS: readonly Column[] = ["day", "host", "count", "first_seen", "last_seen"];

/** Every column `scan siem` knows, in the order the README queries write them. */
export const COLUMNS: readonly Column[] = [
  "day", "user", "src", "host", "count", "bytes", "first_seen", "last_seen",
  "service_id", "service_name", "vendor", "category", "ai_act_tier", "catalogue_version", "catalogue_sha256", "search_name",
];

const KNOWN = new Set<string>(COLUMNS);

/** What a header cell names. */
export type HeaderCell =
  /** One of our columns. */
  | { column: Column }
  /** Splunk's multivalue companion column (`__mv_<field>`, written by `outputcsv`): must stay empty. */
  | { mv: string }
  /** Anything else: the file is refused. */
  | { unknown: string };

/**
 * What a header cell names: case and surrounding spaces ignored, a UTF-8 BOM dropped, and the
 * ` [UTC]` that the Azure portal's CSV export appends to datetime columns (`first_seen [UTC]`)
 * removed.
 */
export function headerCell(raw: string): HeaderCell {
  const name = raw.replace(/^\uFEFF/, "").trim().replace(/\s*\[UTC\]$/i, "").toLowerCase();
  if (KNOWN.has(name)) return { column: name as Column };
  if (name.startsWith("__mv_")) return { mv: name };
  return { unknown: bound(raw, 80) };
}

/** Longest `day`..`search_name` value accepted before it is cut (UTF-16 units). */
export const MAX_VALUE_LENGTH = 1024;

/** One row as read: a value per column, as the export wrote it (strings from CSV; strings, numbers or null from JSON). */
export type RawRow = Partial<Record<Column, unknown>>;

/** How times are written in the file. */
export interface TimeStyle {
  /** The Azure portal's CSV export: `M/D/YYYY, h:mm:ss.fff AM` (UTC) besides ISO 8601. */
  portal?: boolean;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const PORTAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AP]M)$/i;
const EPOCH = /^\d{1,11}(?:\.\d{1,9})?$/;

/** Milliseconds since the epoch of a UTC calendar time, or NaN when a field is out of range (31 February). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), frac ? Number(frac.slice(0, 3).padEnd(3, "0")) : 0);
  return new Date(ms).getUTCDate() === d ? ms : NaN;
}

/**
 * A time as a SIEM prints it, in milliseconds since the epoch, or `undefined` when it is not one:
 * - epoch seconds, with or without a fraction (`1735689601.512`; Splunk's `_time`), as a JSON
 *   number or text;
 * - ISO 8601 / RFC 3339 (`2025-01-01T00:00:01.512Z`, `2025-01-01 00:00:01+0000`, `... UTC`):
 *   what Splunk's `strftime(..., "%Y-%m-%dT%H:%M:%SZ")`, KQL datetimes in the Log Analytics API
 *   and ES|QL dates print; a time written without a zone is UTC, as the columns are defined;
 * - with `style.portal`, the Azure portal's CSV export (`1/1/2025, 12:00:01.512 AM`, UTC).
 */
export function parseTime(value: unknown, style: TimeStyle = {}): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 && value < 1e11 ? Math.round(value * 1000) : undefined;
  if (typeof value !== "string" || value.length > 64) return undefined;
  const v = value.trim();
  if (EPOCH.test(v)) return Math.round(Number(v) * 1000);
  let m = ISO.exec(v);
  if (m) {
    const ms = utc(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7]);
    if (Number.isNaN(ms)) return undefined;
    const z = (m[8] ?? "Z").toUpperCase();
    if (z === "Z" || z === "UTC" || z === "GMT") return ms;
    const sign = z.startsWith("-") ? -1 : 1;
    const digits = z.slice(1).replace(":", "");
    const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * 60_000;
    return ms - sign * offset;
  }
  if (style.portal && (m = PORTAL.exec(v))) {
    let h = +m[4]!;
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (m[8]!.toUpperCase() === "PM" ? 12 : 0);
    const ms = utc(+m[3]!, +m[1]!, +m[2]!, h, +m[5]!, +(m[6] ?? 0), m[7]);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** A non-negative integer as a SIEM prints a count or a sum (`12`, `"12"`, `"12.0"`), else undefined. */
export function parseCount(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^\s*(\d{1,16})(?:\.0*)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A cell as text: strings trimmed, numbers as written, null/absent as "" ; `undefined` for arrays and objects (multivalue). */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Show a bad value in a message: quoted, cut to 60 characters. */
export function show(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

/** What a row gives: an observation and the key it must be unique by, or why it was refused. */
export type RowResult =
  | { observation: Observation; key: string }
  /** A valid row standing for no events (count 0): nothing to store. */
  | { empty: true }
  | { error: string };

/** Where a row came from and how to name it. */
export interface RowContext {
  /** `siem:<kind>`. */
  source: string;
  file: string;
  /** CSV or JSON-lines line (1-based), or the JSON path of the row (`tables[0].rows[12]`). */
  ref: { line: number } | { id: string };
  style: TimeStyle;
  /** Recorded in `action` when the row has no `search_name`. */
  queryName?: string;
}

/**
 * One row as one observation: kind `log`, `source` = `siem:<kind>`, `time` = `first_seen`,
 * `lastTime` = `last_seen` (ISO 8601 UTC with milliseconds), `count`, `bytes` when given,
 * `host` lower-cased without a trailing dot, `user` lower-cased, `client` = `src`, `action` =
 * `search_name` (else the query name given on the command line), `ref` = file and line or row path.
 *
 * Refused (an error message): a required value missing, a multi-valued cell, `day` not a
 * `YYYY-MM-DD` date, a count or bytes that is not a non-negative integer, a time that does not
 * parse, `first_seen` after `last_seen`, either not on `day` (UTC), a non-empty `__mv_` column.
 * The key (`day`, then `user`, or `src` when there is no user, then `host`) is what the store's
 * daily rollup is keyed by: two rows with one key in one file would replace each other.
 */
export function rowToObservation(row: RawRow, ctx: RowContext): RowResult {
  const v: Partial<Record<Column, string>> = {};
  for (const [k, raw] of Object.entries(row) as [Column, unknown][]) {
    const t = text(raw);
    if (t === undefined) return { error: `${k}: a multi-valued or structured value (${show(raw)}); expected one value per cell` };
    v[k] = t;
  }
  for (const c of REQUIRED_COLUMNS) if (!v[c]) return { error: `${c} is empty; every row needs ${REQUIRED_COLUMNS.join(", ")}` };
  const day = v.day!;
  const notADate = { error: `day ${show(day)} is not a date (expected YYYY-MM-DD, UTC)` };
  if (!/^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/.test(day)) return notADate;
  const count = parseCount(row.count);
  if (count === undefined) return { error: `count ${show(row.count)} is not a non-negative integer` };
  let bytes: number | undefined;
  if (v.bytes) {
    bytes = parseCount(row.bytes);
    if (bytes === undefined) return { error: `bytes ${show(row.bytes)} is not a non-negative integer` };
  }
  const first = parseTime(row.first_seen, ctx.style);
  if (first === undefined) return { error: `first_seen ${show(row.first_seen)} is not a time (expected ISO 8601 or epoch seconds)` };
  const last = parseTime(row.last_seen, ctx.style);
  if (last === undefined) return { error: `last_seen ${show(row.last_seen)} is not a time (expected ISO 8601 or epoch seconds)` };
  if (first > last) return { error: `first_seen ${show(row.first_seen)} is after last_seen ${show(row.last_seen)}` };
  const firstIso = new Date(first).toISOString();
  const lastIso = new Date(last).toISOString();
  if (firstIso.slice(0, 10) !== day || lastIso.slice(0, 10) !== day) {
    // a day that no time can fall on (2025-02-30) is not a date; else the times are off
    if (new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return notADate;
    return { error: `first_seen ${firstIso} and last_seen ${lastIso} must both fall on day ${day} (UTC); was the query run in another time zone?` };
  }
  if (count === 0) return { empty: true };
  const host = bound(v.host!.toLowerCase().replace(/\.$/, ""), MAX_VALUE_LENGTH);
  if (!host) return { error: "host is empty" };
  const user = v.user ? bound(v.user.toLowerCase(), MAX_VALUE_LENGTH) : undefined;
  const client = v.src ? bound(v.src, MAX_VALUE_LENGTH) : undefined;
  const action = v.search_name ? bound(v.search_name, 200) : ctx.queryName;
  const observation: Observation = {
    source: ctx.source,
    kind: "log",
    time: firstIso,
    lastTime: lastIso,
    count,
    ...(bytes !== undefined ? { bytes } : {}),
    host,
    ...(user ? { user } : {}),
    ...(client ? { client } : {}),
    ...(action ? { action } : {}),
    ref: { file: ctx.file, ...ctx.ref },
  };
  return { observation, key: `${day}\u0000${user ?? ""}\u0000${user ? "" : (client ?? "")}\u0000${host}` };
}
