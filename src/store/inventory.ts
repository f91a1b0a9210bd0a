/**
 * Aggregating stored evidence into per-record facts: for each AI service and organisational unit
 * (the users' department, from the `people` table or the observation itself), who used it, how it
 * was seen, which scopes it holds, when. Every figure comes from `observations` (a traffic row is a
 * day's rollup: `count` events from `time` to `last_time`, src/store/rollup.ts); human decisions
 * come from `governance` (src/store/governance.ts). Results are sorted so that the same database
 * always gives the same output.
 */
import { isAgentId } from "../core/agent.js";
import type { SystemUser } from "../core/finding.js";
import { readAgents, type StoredAgent } from "./agents.js";
import { isMcpId } from "../core/mcp.js";
import { readMcpServers, type StoredMcpServer } from "./mcp.js";
import type { DB } from "./db.js";

/** What the evidence says about one service in one organisational unit, before classification. */
export interface SystemFacts {
  /** `<serviceId>` or `<serviceId>@<org-unit-slug>`. */
  id: string;
  serviceId: string;
  orgUnit: string | null;
  users: SystemUser[];
  jobTitles: string[];
  scopes: string[];
  evidence: Record<string, number>;
  sources: string[];
  matchedBy: string[];
  firstSeen: string;
  lastSeen: string;
  observations: number;
  /** True when an OAuth grant or event in the evidence named a verified publisher. */
  verifiedPublisher: boolean;
  /** For an agent's record (`agent:...`): what its platform last said about it (src/store/agents.ts). */
  agent?: StoredAgent;
  /** For an MCP server's record (`mcp:...`): what endpoint configurations last said about it (src/store/mcp.ts). */
  mcpServer?: StoredMcpServer;
}

/** Sentinel identity for an Entra admin consent on behalf of all users (consentType AllPrincipals). */
export const ALL_USERS = "all users";

/** Sentinel identity for application permissions granted to the app itself (no user signs in). */
export const APPLICATION = "application permissions";

/** `Talent Acquisition` → `talent-acquisition`; used in record ids. */
export function orgUnitSlug(unit: string): string {
  const s = unit
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s || "unit";
}

/** The record id of a service used by an organisational unit. */
export function recordId(serviceId: string, orgUnit: string | null): string {
  return orgUnit ? `${serviceId}@${orgUnitSlug(orgUnit)}` : serviceId;
}

/** The organisational unit of an observation: its user's department; none for an AI agent's evidence (an agent is one record). */
const UNIT = "CASE WHEN o.service_id LIKE 'agent:%' OR o.service_id LIKE 'mcp:%' THEN NULL ELSE COALESCE(p.department, o.department) END";

/** Observations with their user's organisational unit and job title resolved. */
const OBS = `
  WITH obs AS (
    SELECT o.*, ${UNIT} AS unit, COALESCE(p.job_title, o.job_title) AS title
    FROM observations o LEFT JOIN people p ON p.user = o.user
    %WHERE%
  )`;
/** SQL for "who" an observation is about: the person, else all users for an admin consent, else the client address. */
const WHO = `COALESCE(user, CASE WHEN consent_type = 'AllPrincipals' THEN '${ALL_USERS}' END, client,
  CASE WHEN action = 'app_role' THEN '${APPLICATION}' END)`;
const WHO_KIND = `CASE WHEN user IS NOT NULL THEN 'user' WHEN consent_type = 'AllPrincipals' THEN 'all_users'
  WHEN client IS NOT NULL THEN 'client' ELSE 'application' END`;

/** Which records to read: all, those of some services, or those of one organisational unit. */
export interface FactsFilter {
  serviceIds?: readonly string[];
  /** Department, case-insensitive: the people of that unit and evidence naming it. */
  orgUnit?: string;
}

/**
 * Read the facts of every (service, organisational unit) with evidence, optionally only for some
 * services (through the `observations_service` index) or one organisational unit (through the
 * department indexes of `people` and `observations`). Records are ordered by id; users by id;
 * lists alphabetically.
 */
export function readSystemFacts(db: DB, filter: readonly string[] | FactsFilter = {}): SystemFacts[] {
  return withMcpServers(db, withAgents(db, readEvidenceFacts(db, filter)));
}

/** Attach the stored MCP server facts to the records of MCP servers (evidence `service_id` = the record id). */
function withMcpServers(db: DB, facts: SystemFacts[]): SystemFacts[] {
  const ids = facts.filter((f) => isMcpId(f.serviceId)).map((f) => f.serviceId);
  if (ids.length === 0) return facts;
  const servers = readMcpServers(db, ids);
  for (const f of facts) {
    const m = isMcpId(f.serviceId) ? servers.get(f.serviceId) : undefined;
    if (m) f.mcpServer = m;
  }
  return facts;
}

/** Attach the stored agent facts to the records of agents (their evidence has `service_id` = the agent's record id). */
function withAgents(db: DB, facts: SystemFacts[]): SystemFacts[] {
  const ids = facts.filter((f) => isAgentId(f.serviceId)).map((f) => f.serviceId);
  if (ids.length === 0) return facts;
  const agents = readAgents(db, ids);
  for (const f of facts) {
    const a = isAgentId(f.serviceId) ? agents.get(f.serviceId) : undefined;
    if (a) f.agent = a;
  }
  return facts;
}

function readEvidenceFacts(db: DB, filter: readonly string[] | FactsFilter): SystemFacts[] {
  const f: FactsFilter = Array.isArray(filter) ? { serviceIds: filter as readonly string[] } : (filter as FactsFilter);
  if (!f.serviceIds && f.orgUnit === undefined) {
    return aggregate(<T>(select: string): Iterable<T> => db.prepare(OBS.replace("%WHERE%", "") + select).iterate() as Iterable<T>);
  }
  // A filtered read selects its rows once, through the indexes, into a temporary table that the
  // aggregations then read: one indexed pass instead of one per aggregation.
  const cols = `o.*, ${UNIT} AS unit, COALESCE(p.job_title, o.job_title) AS title`;
  const svc = f.serviceIds ? "AND o.service_id IN (SELECT value FROM json_each(@services))" : "";
  const select =
    f.orgUnit === undefined
      ? `SELECT ${cols} FROM observations o LEFT JOIN people p ON p.user = o.user WHERE 1 ${svc}`
      : // the unit's people (people_department index), then evidence naming the unit whose user has no other unit
        `SELECT ${cols} FROM people p JOIN observations o ON o.user = p.user WHERE p.department = @unit COLLATE NOCASE ${svc}
         UNION ALL
         SELECT ${cols} FROM observations o LEFT JOIN people p ON p.user = o.user
         WHERE o.department = @unit COLLATE NOCASE AND p.department IS NULL ${svc}`;
  const params = { ...(f.serviceIds ? { services: JSON.stringify(f.serviceIds) } : {}), ...(f.orgUnit !== undefined ? { unit: f.orgUnit } : {}) };
  const table = `facts_${process.pid}_${++tempSeq}`;
  db.prepare(`CREATE TEMP TABLE ${table} AS ${select}`).run(params);
  try {
    return aggregate(<T>(sql: string): Iterable<T> => db.prepare(`WITH obs AS (SELECT * FROM temp.${table})` + sql).iterate() as Iterable<T>);
  } finally {
    db.prepare(`DROP TABLE temp.${table}`).run();
  }
}

let tempSeq = 0;

/**
 * The per-record aggregations over `obs` (observations with `unit` and `title` resolved), each read
 * a row at a time (a record of 100,000 users is not also held as 100,000 result rows).
 */
function aggregate(q: <T>(select: string) => Iterable<T>): SystemFacts[] {
  const facts = new Map<string, SystemFacts>();
  const key = (service: string, unit: string | null) => `${service}\u0000${unit ?? ""}`;

  for (const r of q<{ service_id: string; unit: string | null; n: number; first: string; last: string; publisher: number }>(
    `SELECT service_id, unit, SUM(count) n, MIN(time) first, MAX(last_time) last, MAX(publisher IS NOT NULL) publisher
     FROM obs GROUP BY service_id, unit`,
  )) {
    facts.set(key(r.service_id, r.unit), {
      id: recordId(r.service_id, r.unit), serviceId: r.service_id, orgUnit: r.unit, users: [], jobTitles: [], scopes: [], evidence: {},
      sources: [], matchedBy: [], firstSeen: r.first, lastSeen: r.last, observations: r.n, verifiedPublisher: r.publisher === 1,
    });
  }
  const get = (service: string, unit: string | null): SystemFacts => facts.get(key(service, unit))!;

  for (const u of q<{ service_id: string; unit: string | null; who: string; kind: SystemUser["kind"]; title: string | null; n: number; first: string; last: string }>(
    `SELECT service_id, unit, ${WHO} who, ${WHO_KIND} kind, MAX(title) title, SUM(count) n, MIN(time) first, MAX(last_time) last
     FROM obs GROUP BY service_id, unit, who HAVING who IS NOT NULL ORDER BY who`,
  )) {
    get(u.service_id, u.unit).users.push({
      id: u.who, kind: u.kind, ...(u.unit ? { department: u.unit } : {}), observations: u.n, firstSeen: u.first, lastSeen: u.last,
    });
  }
  for (const r of q<{ service_id: string; unit: string | null; title: string }>(
    `SELECT DISTINCT service_id, unit, title FROM obs WHERE title IS NOT NULL ORDER BY title`,
  )) {
    get(r.service_id, r.unit).jobTitles.push(r.title);
  }
  for (const r of q<{ service_id: string; unit: string | null; scope: string }>(
    `SELECT DISTINCT obs.service_id, obs.unit, j.value scope FROM obs, json_each(obs.scopes) j WHERE obs.scopes IS NOT NULL ORDER BY scope`,
  )) {
    get(r.service_id, r.unit).scopes.push(r.scope);
  }
  for (const r of q<{ service_id: string; unit: string | null; kind: string; n: number }>(
    `SELECT service_id, unit, kind, SUM(count) n FROM obs GROUP BY service_id, unit, kind ORDER BY kind`,
  )) {
    get(r.service_id, r.unit).evidence[r.kind] = r.n;
  }
  for (const r of q<{ service_id: string; unit: string | null; source: string }>(
    `SELECT DISTINCT service_id, unit, source FROM obs ORDER BY source`,
  )) {
    get(r.service_id, r.unit).sources.push(r.source);
  }
  for (const r of q<{ service_id: string; unit: string | null; m: string }>(
    `SELECT DISTINCT service_id, unit, match_field || ':' || matched m FROM obs ORDER BY m`,
  )) {
    get(r.service_id, r.unit).matchedBy.push(r.m);
  }
  return [...facts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
