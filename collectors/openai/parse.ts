/**
 * OpenAI Admin API objects → roster facts (src/core/roster.ts). Shapes per the API reference
 * (https://platform.openai.com/docs/api-reference/administration):
 * - `organization.user` {id, email, name, role, added_at, api_key_last_used_at?, is_service_account?, is_scim_managed?}
 *   (https://developers.openai.com/api/reference/resources/organization/subresources/users)
 * - `organization.invite` {id, email, role, status, invited_at, expires_at, accepted_at}
 * - `organization.project` {id, name, created_at, archived_at, status}
 * - `organization.project.user` {id, email, role} and `organization.project.service_account` {id, name, role, created_at}
 * - `organization.project.api_key` {id, name, redacted_value, created_at, last_used_at, owner: {type, user?, service_account?}}
 * - `organization.admin_api_key` {id, name, redacted_value, created_at, last_used_at, expires_at, owner: {id, type, ...}}
 * - audit log events {id, type, effective_at, actor: {type: session|api_key, session?: {user}, api_key?: {id, type, user?, service_account?}}, <type>: {id, ...}}
 * - usage buckets {start_time, end_time, results: [{num_model_requests, input_tokens, output_tokens, user_id, api_key_id, project_id}]}
 *
 * Every parser returns undefined for an item without the fields it needs; the caller counts those.
 * Strings are bounded; times are Unix seconds in the API and ISO 8601 UTC here.
 */
import type { RosterEvent, RosterGroup, RosterKey, RosterMembership, RosterPrincipal, RosterUsage } from "../../src/core/roster.js";
import { obj, str, unixToIso } from "../../src/io/admin-http.js";

const email = (v: unknown) => str(v, 320)?.toLowerCase();

/** An organisation user; a user flagged `is_service_account` becomes a service account. */
export function parseUser(v: unknown): RosterPrincipal | undefined {
  const u = obj(v);
  const id = str(u?.["id"], 200);
  if (!u || !id) return undefined;
  const sa = u["is_service_account"] === true;
  const attrs: Record<string, unknown> = {};
  if (typeof u["is_scim_managed"] === "boolean") attrs["scimManaged"] = u["is_scim_managed"];
  const projects = Array.isArray(u["projects"]) ? u["projects"].slice(0, 50).map((p) => str(obj(p)?.["id"] ?? p, 200)).filter(Boolean) : undefined;
  if (projects?.length) attrs["projects"] = projects;
  return {
    kind: sa ? "service_account" : "user",
    id,
    ...opt("email", email(u["email"])),
    ...opt("name", str(u["name"], 200)),
    ...opt("role", str(u["role"], 64)),
    ...opt("createdAt", unixToIso(u["added_at"])),
    ...opt("lastActiveAt", unixToIso(u["api_key_last_used_at"])),
    ...(Object.keys(attrs).length ? { attrs } : {}),
  };
}

/** An invitation not (yet) accepted. */
export function parseInvite(v: unknown): RosterPrincipal | undefined {
  const u = obj(v);
  const id = str(u?.["id"], 200);
  if (!u || !id) return undefined;
  return { kind: "invite", id, ...opt("email", email(u["email"])), ...opt("role", str(u["role"], 64)), ...opt("status", str(u["status"], 64)), ...opt("createdAt", unixToIso(u["invited_at"])) };
}

export function parseProject(v: unknown): RosterGroup | undefined {
  const p = obj(v);
  const id = str(p?.["id"], 200);
  if (!p || !id) return undefined;
  return { kind: "project", id, ...opt("name", str(p["name"], 200)), ...opt("status", str(p["status"], 64)), ...opt("createdAt", unixToIso(p["created_at"])), ...opt("archivedAt", unixToIso(p["archived_at"])) };
}

export function parseProjectUser(v: unknown, projectId: string): RosterMembership | undefined {
  const u = obj(v);
  const id = str(u?.["id"], 200);
  if (!u || !id) return undefined;
  return { groupId: projectId, principalId: id, ...opt("role", str(u["role"], 64)) };
}

export function parseServiceAccount(v: unknown, projectId: string): RosterPrincipal | undefined {
  const s = obj(v);
  const id = str(s?.["id"], 200);
  if (!s || !id) return undefined;
  return { kind: "service_account", id, groupId: projectId, ...opt("name", str(s["name"], 200)), ...opt("role", str(s["role"], 64)), ...opt("createdAt", unixToIso(s["created_at"])) };
}

/** A project API key: its owner is a user (with e-mail) or a service account. */
export function parseProjectKey(v: unknown, projectId: string): RosterKey | undefined {
  const k = obj(v);
  const id = str(k?.["id"], 200);
  if (!k || !id) return undefined;
  const owner = obj(k["owner"]);
  const type = owner?.["type"] === "service_account" ? "service_account" : owner?.["type"] === "user" ? "user" : undefined;
  const holder = type ? obj(owner?.[type]) : undefined;
  return {
    kind: "project_key",
    id,
    groupId: projectId,
    scope: "project",
    status: "active",
    ...opt("name", str(k["name"], 200)),
    ...opt("redacted", str(k["redacted_value"], 64)),
    ...(type ? { ownerKind: type } : {}),
    ...opt("ownerId", str(holder?.["id"], 200)),
    ...opt("ownerEmail", type === "user" ? email(holder?.["email"]) : undefined),
    ...opt("createdAt", unixToIso(k["created_at"])),
    ...opt("lastUsedAt", unixToIso(k["last_used_at"])),
    ...opt("expiresAt", unixToIso(k["expires_at"])),
  };
}

/** An admin API key; its owner is an organisation owner (a user) or a service account. */
export function parseAdminKey(v: unknown): RosterKey | undefined {
  const k = obj(v);
  const id = str(k?.["id"], 200);
  if (!k || !id) return undefined;
  const owner = obj(k["owner"]);
  const sa = owner?.["type"] === "service_account" || owner?.["object"] === "organization.service_account";
  return {
    kind: "admin_key",
    id,
    scope: "organization",
    status: "active",
    ...opt("name", str(k["name"], 200)),
    ...opt("redacted", str(k["redacted_value"], 64)),
    ...(owner ? { ownerKind: sa ? ("service_account" as const) : ("user" as const) } : {}),
    ...opt("ownerId", str(owner?.["id"], 200)),
    ...opt("ownerEmail", sa ? undefined : email(owner?.["email"])),
    ...opt("createdAt", unixToIso(k["created_at"])),
    ...opt("lastUsedAt", unixToIso(k["last_used_at"])),
    ...opt("expiresAt", unixToIso(k["expires_at"])),
  };
}

/** An audit log event: who (session user or key) did what to which object. */
export function parseAuditEvent(v: unknown): RosterEvent | undefined {
  const e = obj(v);
  const id = str(e?.["id"], 200);
  const type = str(e?.["type"], 100);
  const time = unixToIso(e?.["effective_at"]);
  if (!e || !id || !type || !time) return undefined;
  const actor = obj(e["actor"]);
  const kind = str(actor?.["type"], 64);
  const session = obj(actor?.["session"]);
  const key = obj(actor?.["api_key"]);
  const user = obj(session?.["user"]) ?? obj(key?.["user"]);
  const target = obj(e[type]);
  return {
    id,
    type,
    time,
    ...opt("actorKind", kind),
    ...opt("actorId", str(user?.["id"], 200) ?? str(obj(key?.["service_account"])?.["id"], 200) ?? str(key?.["id"], 200)),
    ...opt("actorEmail", email(user?.["email"])),
    ...opt("targetId", str(target?.["id"], 200)),
  };
}

/**
 * The usage buckets of `/organization/usage/completions` grouped by `user_id` and `api_key_id`:
 * per day, the requests and tokens per user and per key (summed over the other dimension).
 */
export function parseUsageBucket(v: unknown): RosterUsage[] {
  const bucket = obj(v);
  const start = unixToIso(bucket?.["start_time"]);
  if (!bucket || !start || !Array.isArray(bucket["results"])) return [];
  const day = start.slice(0, 10);
  const sums = new Map<string, RosterUsage>();
  const add = (subjectKind: RosterUsage["subjectKind"], subjectId: string, metric: string, value: number) => {
    const k = `${subjectKind}\u0000${subjectId}\u0000${metric}`;
    const cur = sums.get(k);
    if (cur) cur.value += value;
    else sums.set(k, { day, subjectKind, subjectId, metric, value });
  };
  for (const r of bucket["results"].slice(0, 100_000)) {
    const o = obj(r);
    if (!o) continue;
    const metrics: [string, unknown][] = [["requests", o["num_model_requests"]], ["input_tokens", o["input_tokens"]], ["output_tokens", o["output_tokens"]]];
    for (const [subjectKind, field] of [["user", "user_id"], ["api_key", "api_key_id"]] as const) {
      const id = str(o[field], 200);
      if (!id) continue;
      for (const [m, val] of metrics) if (typeof val === "number" && Number.isFinite(val)) add(subjectKind, id, m, val);
    }
  }
  return [...sums.values()];
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}
