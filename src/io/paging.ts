/**
 * Following page tokens and cutting an incremental read into time windows.
 */

/** A half-open time range `[start, end)` of an incremental read. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** The value kept in the cursor store: every event before `until` has been read (less the look-back). */
export interface TimeCursor {
  until: string;
}

/** Parse a stored cursor; undefined when absent or unreadable (then the read starts afresh). */
export function parseTimeCursor(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  try {
    const c = JSON.parse(value) as Partial<TimeCursor>;
    const t = typeof c.until === "string" ? Date.parse(c.until) : NaN;
    return Number.isNaN(t) ? undefined : new Date(t);
  } catch {
    return undefined;
  }
}

/** The cursor value recording that everything before `until` was read. */
export function formatTimeCursor(until: Date): string {
  return JSON.stringify({ until: until.toISOString() } satisfies TimeCursor);
}

/**
 * The windows of one incremental read, oldest first: from the stored cursor less `lookbackMinutes`
 * (events the API publishes late), or `initialDays` before `now` on the first read, up to `now`,
 * each at most `windowHours` long. Empty when the start is not before `now`.
 */
export function timeWindows(cursor: Date | undefined, now: Date, o: { lookbackMinutes: number; initialDays: number; windowHours: number }): TimeWindow[] {
  const earliest = now.getTime() - o.initialDays * 86_400_000;
  const start = cursor ? Math.max(cursor.getTime() - o.lookbackMinutes * 60_000, earliest) : earliest;
  const step = Math.max(1, o.windowHours) * 3_600_000;
  const out: TimeWindow[] = [];
  for (let t = start; t < now.getTime(); t += step) out.push({ start: new Date(t), end: new Date(Math.min(t + step, now.getTime())) });
  return out;
}

/** The UTC day a scan started on, as an ISO time (`2026-11-22T00:00:00.000Z`): the time of state observations. */
export function snapshotDay(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
}

/**
 * Guard against a server that hands back a page token it already gave (an endless loop).
 * @returns false when `token` was seen before in this listing.
 */
export class PageTokenGuard {
  private readonly seen = new Set<string>();
  accept(token: string): boolean {
    if (this.seen.has(token)) return false;
    this.seen.add(token);
    return true;
  }
}
