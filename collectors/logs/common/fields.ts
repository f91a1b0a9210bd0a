/**
 * Fields of evidence: bounded text, counts, user names, JSON paths, and building observations.
 */
import { bound, type Observation, type ObservationKind } from "../../../src/core/observation.js";
import type { ParseResult } from "./parser.js";


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
