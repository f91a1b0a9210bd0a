/**
 * Aggregating stored evidence into per-service facts: who used each AI service, how it was seen,
 * which scopes it holds, when. Every figure comes from `observations`; human decisions come from
 * `governance`. Results are sorted so that the same database always gives the same output.
 */
import type { SanctionStatus, SystemUser } from "../core/finding.js";
import type { DB } from "./db.js";

/** What the evidence says about one AI service, before classification. */
export interface SystemFacts {
  serviceId: string;
  users: SystemUser[];
  departments: string[];
  scopes: string[];
  evidence: Record<string, number>;
  sources: string[];
  matchedBy: string[];
  firstSeen: string;
  lastSeen: string;
  observations: number;
  status: SanctionStatus;
  owner: string | null;
  purpose: string | null;
}

/** Sentinel identity for an Entra admin consent on behalf of all users (consentType AllPrincipals). */
export const ALL_USERS = "all users";

/** SQL for "who" an observation is about: the person, else all users for an admin consent, else the client address. */
const WHO = `COALESCE(user, CASE WHEN consent_type = 'AllPrincipals' THEN '${ALL_USERS}' END, client)`;
const WHO_KIND = `CASE WHEN user IS NOT NULL THEN 'user' WHEN consent_type = 'AllPrincipals' THEN 'all_users' ELSE 'client' END`;

/**
 * Read the facts of every service with evidence, optionally only those in `serviceIds`.
 * Services are ordered by id; users by id; scopes, departments and sources alphabetically.
 */
export function readSystemFacts(db: DB, serviceIds?: readonly string[]): SystemFacts[] {
  const only = serviceIds ? `WHERE service_id IN (SELECT value FROM json_each(?))` : "";
  const args = serviceIds ? [JSON.stringify(serviceIds)] : [];
  const facts = new Map<string, SystemFacts>();

  const base = db
    .prepare(`SELECT service_id, COUNT(*) n, MIN(time) first, MAX(time) last FROM observations ${only} GROUP BY service_id ORDER BY service_id`)
    .all(...args) as { service_id: string; n: number; first: string; last: string }[];
  for (const r of base) {
    facts.set(r.service_id, {
      serviceId: r.service_id, users: [], departments: [], scopes: [], evidence: {}, sources: [], matchedBy: [],
      firstSeen: r.first, lastSeen: r.last, observations: r.n, status: "unreviewed", owner: null, purpose: null,
    });
  }
  const get = (id: string): SystemFacts => facts.get(id)!;

  const users = db
    .prepare(
      `SELECT service_id, ${WHO} who, ${WHO_KIND} kind, MAX(department) department, COUNT(*) n, MIN(time) first, MAX(time) last
       FROM observations ${only} GROUP BY service_id, who HAVING who IS NOT NULL ORDER BY service_id, who`,
    )
    .all(...args) as { service_id: string; who: string; kind: SystemUser["kind"]; department: string | null; n: number; first: string; last: string }[];
  for (const u of users) {
    get(u.service_id).users.push({
      id: u.who, kind: u.kind, ...(u.department ? { department: u.department } : {}), observations: u.n, firstSeen: u.first, lastSeen: u.last,
    });
  }

  for (const r of db
    .prepare(`SELECT DISTINCT service_id, department FROM observations ${only ? only + " AND" : "WHERE"} department IS NOT NULL ORDER BY service_id, department`)
    .all(...args) as { service_id: string; department: string }[]) {
    get(r.service_id).departments.push(r.department);
  }

  for (const r of db
    .prepare(
      `SELECT DISTINCT o.service_id, j.value scope FROM observations o, json_each(o.scopes) j
       ${only ? only.replace("service_id", "o.service_id") + " AND" : "WHERE"} o.scopes IS NOT NULL ORDER BY o.service_id, scope`,
    )
    .all(...args) as { service_id: string; scope: string }[]) {
    get(r.service_id).scopes.push(r.scope);
  }

  for (const r of db
    .prepare(`SELECT service_id, kind, COUNT(*) n FROM observations ${only} GROUP BY service_id, kind ORDER BY service_id, kind`)
    .all(...args) as { service_id: string; kind: string; n: number }[]) {
    get(r.service_id).evidence[r.kind] = r.n;
  }

  for (const r of db
    .prepare(`SELECT DISTINCT service_id, source FROM observations ${only} ORDER BY service_id, source`)
    .all(...args) as { service_id: string; source: string }[]) {
    get(r.service_id).sources.push(r.source);
  }

  for (const r of db
    .prepare(`SELECT DISTINCT service_id, match_field || ':' || matched m FROM observations ${only} ORDER BY service_id, m`)
    .all(...args) as { service_id: string; m: string }[]) {
    get(r.service_id).matchedBy.push(r.m);
  }

  for (const r of db.prepare(`SELECT system_id, owner, status, purpose FROM governance`).all() as {
    system_id: string; owner: string | null; status: SanctionStatus; purpose: string | null;
  }[]) {
    const f = facts.get(r.system_id);
    if (f) Object.assign(f, { owner: r.owner, status: r.status, purpose: r.purpose });
  }
  return [...facts.values()];
}
