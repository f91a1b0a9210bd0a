/**
 * Anthropic organisation roster through the Admin API (https://docs.anthropic.com/en/api/admin-api),
 * read-only, with an Admin API key (`ANTHROPIC_ADMIN_KEY`, `sk-ant-admin…`):
 *
 * 1. `GET /v1/organizations/me` (the organisation id), `/users`, `/invites`.
 * 2. `/workspaces` (archived included) and each workspace's `/members`.
 * 3. `/api_keys`: holder (`principal`, else `created_by`), scope, status, partial key hint.
 * 4. `/usage_report/messages` per day grouped by `api_key_id`, `/cost_report` per day grouped by
 *    `workspace_id`, `/usage_report/claude_code` per user and day, from the stored cursor less
 *    two days.
 * 5. `GET /v1/agents` (header `anthropic-beta: managed-agents-2026-04-01`): managed agents with
 *    their MCP servers and each tool's permission policy.
 *
 * Each page goes to `ctx.rosters` as one batch; lists read whole are marked complete. Usage of a
 * key held by a user, and Claude Code use, are also yielded as observations of `api.anthropic.com`
 * by the person's e-mail (kind `log`), so the inventory's Anthropic API record shows who uses it.
 */
import type { CollectContext } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import type { RosterBatch, RosterKey, RosterUsage } from "../../src/core/roster.js";
import { AdminHttp, AdminHttpError, obj, str, type Query } from "../../src/io/admin-http.js";
import { EndpointError } from "../../src/io/retry.js";
import { snapshotDay } from "../../src/io/paging.js";
import type { RetryPolicy } from "../../src/io/retry.js";
import { ANTHROPIC_BASE_URL, ANTHROPIC_KEY_ENV, ANTHROPIC_VERSION, MANAGED_AGENTS_BETA, type AnthropicConfig } from "./config.js";
import { parseAgent, parseApiKey, parseClaudeCode, parseCost, parseInvite, parseMember, parseMessagesUsage, parseUser, parseWorkspace } from "./parse.js";

export const docsUrl = "https://docs.anthropic.com/en/api/admin-api";
const SOURCE = "anthropic";
const DAY = 86_400_000;

export interface AnthropicOptions {
  key: string;
  config?: AnthropicConfig;
  retry?: RetryPolicy;
  now?: () => Date;
}

export interface AnthropicScanStats {
  users: number;
  keys: number;
  agents: number;
  usage: number;
  skipped: number;
  retries: number;
}

/**
 * Read the organisation into `ctx.rosters`; yield usage observations.
 * @throws AdminAuthError when the key is refused (401/403) on the first call.
 */
export async function* collectAnthropic(o: AnthropicOptions, ctx: CollectContext, stats?: AnthropicScanStats): AsyncGenerator<Observation | readonly Observation[]> {
  const cfg = o.config ?? {};
  const now = o.now?.() ?? new Date();
  const limit = cfg.pageSize ?? 100;
  const st: AnthropicScanStats = Object.assign(stats ?? ({} as AnthropicScanStats), { users: 0, keys: 0, agents: 0, usage: 0, skipped: 0, retries: 0 });
  const http = new AdminHttp({
    baseUrl: cfg.baseUrl ?? ANTHROPIC_BASE_URL,
    headers: { "x-api-key": o.key, "anthropic-version": ANTHROPIC_VERSION },
    secret: o.key,
    keyVar: ANTHROPIC_KEY_ENV,
    vendor: "Anthropic",
    ...(o.retry ? { retry: o.retry } : {}),
    ...(cfg.maxCallsPerMinute !== undefined ? { maxCallsPerMinute: cfg.maxCallsPerMinute } : {}),
  });
  const sink = ctx.rosters;
  const fail = (api: string, e: unknown) => {
    if (!(e instanceof AdminHttpError)) throw e; // an unreachable endpoint (EndpointError) or a bug ends the source
    ctx.onError({ input: api, message: `${api} failed after retries (HTTP ${e.status ?? "-"}${e.code ? ` ${e.code}` : ""}: ${e.message}); what was read is kept and nothing is taken as gone`, partial: true });
  };

  // The organisation (the first call: a refused key ends the scan here).
  let me: Record<string, unknown> | undefined;
  try {
    me = obj(await http.get("/v1/organizations/me"));
  } catch (e) {
    if (e instanceof EndpointError || e instanceof AdminHttpError) {
      ctx.onError({ input: `${cfg.baseUrl ?? ANTHROPIC_BASE_URL}/v1/organizations/me`, message: `the Anthropic Admin API could not be read (${e.message}); nothing was read and nothing is taken as gone`, partial: false });
      return;
    }
    throw e;
  }
  const org = str(me?.["id"], 200) ?? cfg.organization ?? "default";
  const put = (b: Omit<RosterBatch, "vendor" | "org" | "source">) => sink?.put({ vendor: "anthropic", org, source: SOURCE, ...b });
  const list = async <T>(api: string, query: Query, parse: (v: unknown) => T | undefined, store: (items: T[]) => void, headers: Record<string, string> = {}): Promise<boolean> => {
    try {
      for await (const page of http.pages(api, { limit, ...query }, "after_id", headers)) {
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
      fail(api, e);
      return false;
    }
  };
  const emails = new Map<string, string>();

  // 1. Users and invites.
  ctx.onProgress?.(0, undefined, "users");
  if (await list("/v1/organizations/users", {}, parseUser, (items) => { for (const u of items) if (u.email) emails.set(u.id, u.email); st.users += items.length; put({ principals: items }); })) sink?.complete("anthropic", org, "users");
  if (await list("/v1/organizations/invites", {}, parseInvite, (items) => put({ principals: items }))) sink?.complete("anthropic", org, "invites");

  // 2. Workspaces and members.
  const workspaces: string[] = [];
  await list("/v1/organizations/workspaces", { include_archived: true }, parseWorkspace, (items) => { for (const w of items) workspaces.push(w.id); put({ groups: items }); });
  for (const w of workspaces) await list(`/v1/organizations/workspaces/${encodeURIComponent(w)}/members`, {}, (v) => parseMember(v, w), (items) => put({ memberships: items }));

  // 3. API keys (service-account principals become roster principals too).
  const keys = new Map<string, RosterKey>();
  if (await list("/v1/organizations/api_keys", {}, parseApiKey, (items) => {
    for (const k of items) {
      if (!k.ownerEmail && k.ownerKind === "user" && k.ownerId) { const e = emails.get(k.ownerId); if (e) k.ownerEmail = e; }
      keys.set(k.id, k);
    }
    st.keys += items.length;
    const sas = items.filter((k) => k.ownerKind === "service_account" && k.ownerId).map((k) => ({ kind: "service_account" as const, id: k.ownerId!, ...(k.groupId ? { groupId: k.groupId } : {}) }));
    put({ keys: items, ...(sas.length ? { principals: sas } : {}) });
  })) { sink?.complete("anthropic", org, "keys"); }

  // 4. Usage, cost, Claude Code, from the cursor less two days.
  const initialDays = cfg.initialDays ?? 30;
  const today = Date.parse(snapshotDay(now));
  const cursor = sink?.cursor("anthropic", org, "usage");
  const fromMs = cursor ? Math.max(Date.parse(cursor) - 2 * DAY, today - 365 * DAY) : today - initialDays * DAY;
  const starting_at = new Date(fromMs).toISOString();
  let usageOk = true;
  const observe = (usage: readonly RosterUsage[], api: string): Observation[] => {
    const out: Observation[] = [];
    for (const u of usage) {
      if (u.value <= 0) continue;
      let user: string | undefined;
      if (u.subjectKind === "user") user = u.subjectId;
      else if (u.subjectKind === "api_key" && u.metric === "output_tokens") {
        const k = keys.get(u.subjectId);
        if (k?.ownerKind === "user") user = k.ownerEmail;
      }
      if (user) out.push({ source: SOURCE, kind: "log", time: `${u.day}T00:00:00.000Z`, host: "api.anthropic.com", user, ref: { api, id: `${u.day} ${u.subjectId}` } });
    }
    return out;
  };
  const report = async function* (api: string, query: Query, parse: (v: unknown) => RosterUsage[]) {
    try {
      for await (const page of http.pages(api, query, "page")) {
        const usage = page.flatMap(parse);
        st.usage += usage.length;
        put({ usage });
        const obs = observe(usage, api);
        if (obs.length) yield obs;
      }
    } catch (e) {
      usageOk = false;
      fail(api, e);
    }
  };
  yield* report("/v1/organizations/usage_report/messages", { starting_at, ending_at: now.toISOString(), bucket_width: "1d", "group_by[]": ["api_key_id"], limit: 31 }, parseMessagesUsage);
  yield* report("/v1/organizations/cost_report", { starting_at, ending_at: now.toISOString(), "group_by[]": ["workspace_id"], limit: 31 }, parseCost);
  if (cfg.claudeCode !== false) {
    for (let d = fromMs; d <= today; d += DAY) {
      yield* report("/v1/organizations/usage_report/claude_code", { starting_at: new Date(d).toISOString().slice(0, 10), limit: Math.min(limit, 1000) }, (v) => {
        const u = parseClaudeCode(v);
        return u ? [u] : [];
      });
    }
  }
  if (usageOk) put({ cursor: { key: "usage", value: new Date(today).toISOString() } });

  // 5. Managed agents (beta).
  if (cfg.agents !== false) {
    if (await list("/v1/agents", {}, parseAgent, (items) => { st.agents += items.length; put({ agents: items }); }, { "anthropic-beta": MANAGED_AGENTS_BETA })) sink?.complete("anthropic", org, "agents");
  }
  st.retries = http.runner.stats.retries;
}
