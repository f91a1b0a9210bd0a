/**
 * Analyst queries answered from indexes: "what AI does alice@corp use?" (observations_user index)
 * and per-client-address use (observations_client index).
 */
import type { DB } from "./db.js";

/** One AI service one person (or client address) used. */
export interface UserServiceUse {
  serviceId: string;
  observations: number;
  kinds: Record<string, number>;
  firstSeen: string;
  lastSeen: string;
  scopes: string[];
  department: string | null;
}

/**
 * The AI services used by `who`: an e-mail/UPN (case-insensitive) or a client IP address.
 * Optional `since` (ISO 8601) keeps only evidence at or after that time (a day's rollup whose last
 * event is at or after it counts whole). `observations` counts events, not stored rows.
 */
export function servicesUsedBy(db: DB, who: string, since?: string): UserServiceUse[] {
  const key = who.trim().toLowerCase();
  const rows = db
    .prepare(
      `SELECT service_id, kind, SUM(count) n, MIN(time) first, MAX(last_time) last, MAX(department) department,
              json_group_array(scopes) FILTER (WHERE scopes IS NOT NULL) scopes
       FROM observations
       WHERE (user = @key OR (user IS NULL AND client = @key)) AND last_time >= @since
       GROUP BY service_id, kind ORDER BY service_id, kind`,
    )
    .all({ key, since: since ?? "" }) as {
    service_id: string; kind: string; n: number; first: string; last: string; department: string | null; scopes: string;
  }[];
  const out = new Map<string, UserServiceUse>();
  for (const r of rows) {
    let u = out.get(r.service_id);
    if (!u) {
      u = { serviceId: r.service_id, observations: 0, kinds: {}, firstSeen: r.first, lastSeen: r.last, scopes: [], department: r.department };
      out.set(r.service_id, u);
    }
    u.observations += r.n;
    u.kinds[r.kind] = r.n;
    if (r.first < u.firstSeen) u.firstSeen = r.first;
    if (r.last > u.lastSeen) u.lastSeen = r.last;
    u.department ??= r.department;
    const scopes = new Set(u.scopes);
    for (const s of JSON.parse(r.scopes ?? "[]") as (string | null)[]) {
      for (const x of s ? (JSON.parse(s) as string[]) : []) scopes.add(x);
    }
    u.scopes = [...scopes].sort();
  }
  return [...out.values()];
}
