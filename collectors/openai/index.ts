/**
 * OpenAI organisation roster through the Admin API (https://platform.openai.com/docs/api-reference/administration),
 * read-only, with an Admin API key (`OPENAI_ADMIN_KEY`):
 *
 * 1. `GET /organization/users` and `/organization/invites`: members (role, service account or
 *    not, last key use) and pending invitations.
 * 2. `GET /organization/projects` (archived included), and per project `/users`,
 *    `/service_accounts`, `/api_keys` (redacted value, owner, created, last used).
 * 3. `GET /organization/admin_api_keys`.
 * 4. `GET /organization/audit_logs` from the stored cursor (`effective_at[gte]`), for key
 *    creation/deletion, logins and who created what.
 * 5. `GET /organization/usage/completions` per day, grouped by `user_id` and `api_key_id`, from
 *    the stored cursor less two days (a day's figures settle after it ends).
 *
 * Each page goes to `ctx.rosters` as one batch (one transaction); lists read whole are marked
 * complete. Usage per user per day is also yielded as an observation of `api.openai.com` by that
 * user's e-mail (kind `log`), so the OpenAI API record of the inventory shows who uses it.
 */
import type { CollectContext } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import type { RosterBatch, RosterPrincipal, RosterSink } from "../../src/core/roster.js";
import { AdminHttp, AdminHttpError } from "../../src/io/admin-http.js";
import { EndpointError } from "../../src/io/retry.js";
import { snapshotDay } from "../../src/io/paging.js";
import type { RetryPolicy } from "../../src/io/retry.js";
import { OPENAI_BASE_URL, OPENAI_KEY_ENV, type OpenAIConfig } from "./config.js";
import { parseAdminKey, parseAuditEvent, parseInvite, parseProject, parseProjectKey, parseProjectUser, parseServiceAccount, parseUsageBucket, parseUser } from "./parse.js";

export const docsUrl = "https://platform.openai.com/docs/api-reference/administration";
const SOURCE = "openai";
const DAY = 86_400_000;

/** Everything a scan needs besides the context. */
export interface OpenAIOptions {
  key: string;
  config?: OpenAIConfig;
  retry?: RetryPolicy;
  now?: () => Date;
}

/** What one scan read (for tests). */
export interface OpenAIScanStats {
  users: number;
  serviceAccounts: number;
  keys: number;
  events: number;
  usage: number;
  skipped: number;
  retries: number;
}

/**
 * Read the organisation and hand it to `ctx.rosters`; yield usage observations.
 * @throws AdminAuthError when the key is refused (401/403) on the first call.
 */
export async function* collectOpenAI(o: OpenAIOptions, ctx: CollectContext, stats?: OpenAIScanStats): AsyncGenerator<Observation | readonly Observation[]> {
  const cfg = o.config ?? {};
  const now = o.now?.() ?? new Date();
  const org = cfg.organization ?? "default";
  const limit = cfg.pageSize ?? 100;
  const st: OpenAIScanStats = Object.assign(stats ?? ({} as OpenAIScanStats), { users: 0, serviceAccounts: 0, keys: 0, events: 0, usage: 0, skipped: 0, retries: 0 });
  const http = new AdminHttp({
    baseUrl: cfg.baseUrl ?? OPENAI_BASE_URL,
    headers: { authorization: `Bearer ${o.key}` },
    secret: o.key,
    keyVar: OPENAI_KEY_ENV,
    vendor: "OpenAI",
    ...(o.retry ? { retry: o.retry } : {}),
    ...(cfg.maxCallsPerMinute !== undefined ? { maxCallsPerMinute: cfg.maxCallsPerMinute } : {}),
  });
  const sink: RosterSink | undefined = ctx.rosters;
  const put = (b: Omit<RosterBatch, "vendor" | "org" | "source">) => sink?.put({ vendor: "openai", org, source: SOURCE, ...b });
  const fail = (api: string, e: unknown, what: string) => {
    if (e instanceof EndpointError) throw e;
    if (!(e instanceof AdminHttpError)) throw e;
    ctx.onError({ input: api, message: `${what} failed after retries (HTTP ${e.status ?? "-"}${e.code ? ` ${e.code}` : ""}: ${e.message}); what was read is kept and nothing is taken as gone`, partial: true });
  };
  /** Read every page of a list into batches; true when the list was read whole. */
  const list = async <T>(api: string, query: Record<string, string | number | boolean | undefined>, parse: (v: unknown) => T | undefined, store: (items: T[]) => void, first = false): Promise<boolean> => {
    try {
      for await (const page of http.pages(api, { limit, ...query }, "after")) {
        const items: T[] = [];
        for (const v of page) {
          const x = parse(v);
          if (x === undefined) st.skipped++;
          else items.push(x);
        }
        store(items);
      }
      return true;
    } catch (e) {
      if (first) throw e; // a refused key or an unreachable endpoint on the first call ends the scan
      fail(api, e, `${api}`);
      return false;
    }
  };
  const emails = new Map<string, string>();

  // 1. Users and invites.
  ctx.onProgress?.(0, undefined, "users");
  let usersWhole: boolean;
  try {
    usersWhole = await list("/organization/users", {}, parseUser, (items) => {
    for (const u of items) {
      if (u.email) emails.set(u.id, u.email);
      if (u.kind === "service_account") st.serviceAccounts++;
      else st.users++;
    }
    put({ principals: items });
  }, true);
  } catch (e) {
    if (e instanceof EndpointError || (e instanceof AdminHttpError)) {
      ctx.onError({ input: `${cfg.baseUrl ?? OPENAI_BASE_URL}/organization/users`, message: `the OpenAI Admin API could not be read (${e.message}); nothing was read and nothing is taken as gone`, partial: false });
      return;
    }
    throw e;
  }
  if (usersWhole) sink?.complete("openai", org, "users");
  if (await list("/organization/invites", {}, parseInvite, (items) => put({ principals: items }))) sink?.complete("openai", org, "invites");

  // 2. Projects with their members, service accounts and keys.
  const projects: string[] = [];
  await list("/organization/projects", { include_archived: true }, parseProject, (items) => {
    for (const p of items) projects.push(p.id);
    put({ groups: items });
  });
  let saWhole = usersWhole;
  let keysWhole = true;
  for (const [i, p] of projects.entries()) {
    const base = `/organization/projects/${encodeURIComponent(p)}`;
    await list(`${base}/users`, {}, (v) => parseProjectUser(v, p), (items) => put({ memberships: items }));
    const sas: RosterPrincipal[] = [];
    if (!(await list(`${base}/service_accounts`, {}, (v) => parseServiceAccount(v, p), (items) => { st.serviceAccounts += items.length; sas.push(...items); put({ principals: items }); }))) saWhole = false;
    if (!(await list(`${base}/api_keys`, {}, (v) => parseProjectKey(v, p), (items) => {
      for (const k of items) if (!k.ownerEmail && k.ownerKind === "user" && k.ownerId) { const e = emails.get(k.ownerId); if (e) k.ownerEmail = e; }
      st.keys += items.length;
      put({ keys: items });
    }))) keysWhole = false;
    ctx.onProgress?.(i + 1, projects.length, "projects");
  }
  if (!(await list("/organization/admin_api_keys", {}, parseAdminKey, (items) => {
    for (const k of items) if (!k.ownerEmail && k.ownerKind === "user" && k.ownerId) { const e = emails.get(k.ownerId); if (e) k.ownerEmail = e; }
    st.keys += items.length;
    put({ keys: items });
  }))) keysWhole = false;
  if (saWhole) sink?.complete("openai", org, "service_accounts");
  if (keysWhole) sink?.complete("openai", org, "keys");

  // 3. Audit log, from the cursor (events are kept by id: a re-read adds nothing).
  const initialDays = cfg.initialDays ?? 30;
  const auditFrom = Number(sink?.cursor("openai", org, "audit") ?? Math.floor((now.getTime() - initialDays * DAY) / 1000));
  let newest = auditFrom;
  const auditWhole = await list("/organization/audit_logs", { "effective_at[gte]": auditFrom }, parseAuditEvent, (items) => {
    st.events += items.length;
    for (const e of items) newest = Math.max(newest, Math.floor(Date.parse(e.time) / 1000));
    put({ events: items });
  });
  // the position moves only once the whole window was read and stored
  if (auditWhole) put({ cursor: { key: "audit", value: String(newest) } });

  // 4. Usage per day, per user and per key.
  const usageCursor = sink?.cursor("openai", org, "usage");
  const today = Date.parse(snapshotDay(now));
  const fromMs = usageCursor ? Math.max(Date.parse(usageCursor) - 2 * DAY, today - 365 * DAY) : today - initialDays * DAY;
  const api = "/organization/usage/completions";
  try {
    for await (const page of http.pages(api, { start_time: Math.floor(fromMs / 1000), end_time: Math.floor(now.getTime() / 1000), bucket_width: "1d", group_by: ["user_id", "api_key_id"], limit: 31 }, "page")) {
      const usage = page.flatMap(parseUsageBucket);
      st.usage += usage.length;
      put({ usage });
      const obs: Observation[] = [];
      for (const u of usage) {
        if (u.subjectKind !== "user" || u.metric !== "requests" || u.value <= 0) continue;
        const user = emails.get(u.subjectId);
        if (!user) continue;
        obs.push({ source: SOURCE, kind: "log", time: `${u.day}T00:00:00.000Z`, host: "api.openai.com", user, ref: { api, id: `${u.day} ${u.subjectId}` } });
      }
      if (obs.length) yield obs;
    }
    put({ cursor: { key: "usage", value: new Date(today).toISOString() } });
  } catch (e) {
    fail(api, e, "usage");
  }
  st.retries = http.runner.stats.retries;
}
