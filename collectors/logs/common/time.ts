/**
 * Times as log formats write them, to ISO 8601 UTC with milliseconds: epoch seconds/ms/µs/ns,
 * RFC 3339, wall-clock times of a zone, month names, ctime and syslog headers.
 */
import { zonedTimeToMs } from "../zone.js";

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
  if (start >= end) return Number.NaN;
  let i = start;
  // The integer part in Smi-sized pieces of five digits: epoch seconds (1.7e9) are beyond V8's
  // 31-bit small integers, and an accumulator that leaves that range made the optimised loop
  // deoptimise again and again (hundreds of times per file, 17 times slower in a micro-benchmark).
  let hi = 0;
  let lo = 0;
  let loDigits = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    if (loDigits === 5) {
      hi = hi * 100000 + lo;
      if (hi > 1e15) return Number.NaN;
      lo = 0;
      loDigits = 0;
    }
    lo = lo * 10 + c;
    loDigits++;
  }
  if (i === start) return Number.NaN;
  let frac = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46 /* . */) return Number.NaN;
    i++;
    // Milliseconds: the first three fraction digits (the rest are checked, not rounded).
    for (let k = 0; i < end; i++, k++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return Number.NaN;
      if (k < 3) frac += c * FRACTION_MS[k]!;
    }
  }
  return (hi * POW10[loDigits]! + lo) * 1000 + frac;
}

/** Weights of the first three fraction digits, in ms. */
const FRACTION_MS = [100, 10, 1];
/** 10^n for n of 0..5. */
const POW10 = [1, 10, 100, 1000, 10000, 100000];

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
