/**
 * Wall-clock times of a named time zone to UTC, for log formats that write times without a zone
 * (BIND, PAN-OS, syslog headers, many CSV exports) when the `logs.timeZone` setting names the
 * device's zone. Zones are IANA names (`Europe/Berlin`, `America/New_York`, `UTC`) as the platform's
 * ICU knows them, through `Intl.DateTimeFormat`
 * (https://tc39.es/ecma402/#sec-datetimeformat-abstracts).
 *
 * A local time that occurs twice (the hour repeated when clocks go back) is read as the first of
 * the two; one that does not exist (the hour skipped when clocks go forward) is read with the
 * offset before the change, as the device most likely meant (02:30 on a spring-forward night in
 * New York becomes 07:30 UTC).
 */

/** True when `zone` is a time zone this platform knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface ZoneCache {
  format: Intl.DateTimeFormat;
  /** Offset (ms, local minus UTC) by 15-minute UTC slot: every zone changes offset on such a boundary. */
  offsets: Map<number, number>;
}

const SLOT_MS = 15 * 60_000;
const MAX_SLOTS = 4096;
const zones = new Map<string, ZoneCache>();

function zoneCache(zone: string): ZoneCache {
  let z = zones.get(zone);
  if (z === undefined) {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    z = { format, offsets: new Map() };
    zones.set(zone, z);
  }
  return z;
}

/** The zone's offset from UTC (local minus UTC, ms) at the instant `t` (ms since the epoch). */
export function zoneOffsetMs(zone: string, t: number): number {
  const z = zoneCache(zone);
  const slot = Math.floor(t / SLOT_MS);
  const cached = z.offsets.get(slot);
  if (cached !== undefined) return cached;
  const at = slot * SLOT_MS;
  const p: Record<string, number> = {};
  for (const part of z.format.formatToParts(new Date(at))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
  if (z.offsets.size >= MAX_SLOTS) z.offsets.clear();
  z.offsets.set(slot, offset);
  return offset;
}

/**
 * The instant (ms since the epoch) of a wall-clock time in `zone` (month 0-based). The caller
 * checks the ranges of the components.
 * @throws RangeError when `zone` is not a known zone (check with {@link isTimeZone} first).
 */
export function zonedTimeToMs(zone: string, year: number, month0: number, day: number, h: number, m: number, s: number, ms = 0): number {
  const wall = Date.UTC(year, month0, day, h, m, s, ms);
  // The offset one day before is the one in force before any change near this time: trying it
  // first reads a repeated hour as its first occurrence and a skipped hour with the old offset.
  const before = zoneOffsetMs(zone, wall - 86_400_000);
  const t = wall - before;
  const after = zoneOffsetMs(zone, t);
  if (after === before) return t;
  const t2 = wall - after;
  // t2 is right when its own offset is `after` (the wall time exists after the change).
  return zoneOffsetMs(zone, t2) === after ? t2 : t;
}
