/**
 * Anthropic Admin API and Managed Agents objects → roster facts (src/core/roster.ts). Shapes per
 * https://docs.anthropic.com/en/api/admin-api and https://platform.claude.com/docs/en/api/admin:
 * - user {id, type: "user", email, name, role, added_at}
 * - invite {id, type: "invite", email, role, status, invited_at, expires_at}
 * - workspace {id, name, created_at, archived_at}; workspace_member {user_id, workspace_id, workspace_role}
 * - api_key {id, name, workspace_id, created_at, created_by: {id, type}, partial_key_hint, status,
 *   expires_at?, principal?: {id, type: user|service_account}, scope?}; ownership follows `principal`
 *   before `created_by` (as cartography's anthropic/apikeys.py does)
 * - usage_report/messages buckets {starting_at, ending_at, results: [{api_key_id, workspace_id, uncached_input_tokens, output_tokens, ...}]}
 * - cost_report buckets {starting_at, results: [{workspace_id, amount, currency}]} (amount in the
 *   currency's lowest unit, a decimal string)
 * - usage_report/claude_code rows {date, actor: {type: user_actor, email_address} | {type: api_actor, api_key_name}, core_metrics: {num_sessions}}
 * - agent {id, name, model, version, created_at, updated_at, archived_at, mcp_servers: [{type, name, url}],
 *   tools: [{type: agent_toolset_20260401 | mcp_toolset | custom, mcp_server_name?, default_config?: {permission_policy: {type}}, configs?: [{name, enabled?, permission_policy?: {type}}]}]}
 *   Permission policies (https://platform.claude.com/docs/en/managed-agents/permission-policies):
 *   the agent toolset defaults to `always_allow`, MCP toolsets to `always_ask`; `always_allow`
 *   runs a tool with no human approval.
 */
import type { RosterAgent, RosterAgentTool, RosterGroup, RosterKey, RosterMembership, RosterPrincipal, RosterUsage } from "../../src/core/roster.js";
import { obj, rfc3339ToIso, str } from "../../src/io/admin-http.js";

const email = (v: unknown) => str(v, 320)?.toLowerCase();
function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

export function parseUser(v: unknown): RosterPrincipal | undefined {
  const u = obj(v);
  const id = str(u?.["id"], 200);
  if (!u || !id) return undefined;
  return { kind: "user", id, ...opt("email", email(u["email"])), ...opt("name", str(u["name"], 200)), ...opt("role", str(u["role"], 64)), ...opt("createdAt", rfc3339ToIso(u["added_at"])) };
}

export function parseInvite(v: unknown): RosterPrincipal | undefined {
  const u = obj(v);
  const id = str(u?.["id"], 200);
  if (!u || !id) return undefined;
  return { kind: "invite", id, ...opt("email", email(u["email"])), ...opt("role", str(u["role"], 64)), ...opt("status", str(u["status"], 64)), ...opt("createdAt", rfc3339ToIso(u["invited_at"])) };
}

export function parseWorkspace(v: unknown): RosterGroup | undefined {
  const w = obj(v);
  const id = str(w?.["id"], 200);
  if (!w || !id) return undefined;
  const archived = rfc3339ToIso(w["archived_at"]);
  return { kind: "workspace", id, ...opt("name", str(w["name"], 200)), status: archived ? "archived" : "active", ...opt("createdAt", rfc3339ToIso(w["created_at"])), ...opt("archivedAt", archived) };
}

export function parseMember(v: unknown, workspaceId: string): RosterMembership | undefined {
  const m = obj(v);
  const id = str(m?.["user_id"], 200);
  if (!m || !id) return undefined;
  return { groupId: str(m["workspace_id"], 200) ?? workspaceId, principalId: id, ...opt("role", str(m["workspace_role"], 64)) };
}

/** An API key; the holder is `principal` when given, else the user who created it. */
export function parseApiKey(v: unknown): RosterKey | undefined {
  const k = obj(v);
  const id = str(k?.["id"], 200);
  if (!k || !id) return undefined;
  const principal = obj(k["principal"]);
  const creator = obj(k["created_by"]);
  const holder = principal ?? creator;
  const type = holder?.["type"] === "service_account" ? "service_account" : holder?.["type"] === "user" ? "user" : undefined;
  const workspace = str(k["workspace_id"], 200);
  return {
    kind: "api_key",
    id,
    ...opt("name", str(k["name"], 200)),
    ...opt("redacted", str(k["partial_key_hint"], 64)),
    ...(type ? { ownerKind: type } : {}),
    ...opt("ownerId", str(holder?.["id"], 200)),
    ...opt("ownerEmail", email(holder?.["email"])),
    ...opt("createdById", principal && creator && str(creator["id"]) !== str(principal["id"]) ? str(creator["id"], 200) : undefined),
    ...opt("groupId", workspace),
    scope: str(k["scope"], 64) ?? (workspace ? "workspace" : "organization"),
    ...opt("status", str(k["status"], 64)),
    ...opt("createdAt", rfc3339ToIso(k["created_at"])),
    ...opt("expiresAt", rfc3339ToIso(k["expires_at"])),
  };
}

/** Messages usage buckets grouped by `api_key_id`: per day and key, input and output tokens. */
export function parseMessagesUsage(v: unknown): RosterUsage[] {
  const b = obj(v);
  const start = rfc3339ToIso(b?.["starting_at"]);
  if (!b || !start || !Array.isArray(b["results"])) return [];
  const day = start.slice(0, 10);
  const sums = new Map<string, RosterUsage>();
  for (const r of b["results"].slice(0, 100_000)) {
    const o = obj(r);
    const key = str(o?.["api_key_id"], 200);
    if (!o || !key) continue;
    const cache = obj(o["cache_creation"]);
    const input = num(o["uncached_input_tokens"]) + num(o["cache_read_input_tokens"]) + num(cache?.["ephemeral_1h_input_tokens"]) + num(cache?.["ephemeral_5m_input_tokens"]);
    for (const [metric, value] of [["input_tokens", input], ["output_tokens", num(o["output_tokens"])]] as const) {
      const k = `${key}\u0000${metric}`;
      const cur = sums.get(k);
      if (cur) cur.value += value;
      else sums.set(k, { day, subjectKind: "api_key", subjectId: key, metric, value });
    }
  }
  return [...sums.values()];
}

/** Cost buckets grouped by `workspace_id`: per day and workspace, cost in the lowest currency unit (`cost_<currency>_minor`). */
export function parseCost(v: unknown): RosterUsage[] {
  const b = obj(v);
  const start = rfc3339ToIso(b?.["starting_at"]);
  if (!b || !start || !Array.isArray(b["results"])) return [];
  const day = start.slice(0, 10);
  const sums = new Map<string, RosterUsage>();
  for (const r of b["results"].slice(0, 100_000)) {
    const o = obj(r);
    if (!o) continue;
    const amount = typeof o["amount"] === "string" ? Number(o["amount"]) : num(o["amount"]);
    if (!Number.isFinite(amount)) continue;
    const ws = str(o["workspace_id"], 200) ?? "default";
    const metric = `cost_${(str(o["currency"], 8) ?? "usd").toLowerCase()}_minor`;
    const k = `${ws}\u0000${metric}`;
    const cur = sums.get(k);
    if (cur) cur.value += amount;
    else sums.set(k, { day, subjectKind: "workspace", subjectId: ws, metric, value: amount });
  }
  return [...sums.values()];
}

/** A Claude Code usage row of one user and day: sessions (and the user's e-mail). */
export function parseClaudeCode(v: unknown): RosterUsage | undefined {
  const r = obj(v);
  const actor = obj(r?.["actor"]);
  const who = email(actor?.["email_address"]);
  const day = typeof r?.["date"] === "string" ? rfc3339ToIso(r["date"])?.slice(0, 10) : undefined;
  if (!r || !who || !day) return undefined;
  const sessions = num(obj(r["core_metrics"])?.["num_sessions"]);
  return { day, subjectKind: "user", subjectId: who, metric: "claude_code_sessions", value: sessions > 0 ? sessions : 1 };
}

const POLICIES = new Set(["always_allow", "always_ask", "auto"]);
function policyOf(v: unknown): string | undefined {
  const p = obj(v);
  const t = str(p?.["type"], 32) ?? str(v, 32);
  return t && POLICIES.has(t) ? t : t ? "unknown" : undefined;
}

/** A managed agent with its MCP servers and each tool's permission policy. */
export function parseAgent(v: unknown): RosterAgent | undefined {
  const a = obj(v);
  const id = str(a?.["id"], 200);
  if (!a || !id) return undefined;
  const mcpServers = (Array.isArray(a["mcp_servers"]) ? a["mcp_servers"] : []).slice(0, 200).flatMap((s) => {
    const o = obj(s);
    const name = str(o?.["name"], 200);
    return name ? [{ name, ...opt("url", str(o?.["url"], 2048)) }] : [];
  });
  const tools: RosterAgentTool[] = [];
  for (const t of (Array.isArray(a["tools"]) ? a["tools"] : []).slice(0, 200)) {
    const o = obj(t);
    const type = str(o?.["type"], 100);
    if (!o || !type) continue;
    let toolset: string;
    let fallback: string;
    if (type.startsWith("agent_toolset")) {
      toolset = "agent_toolset";
      fallback = "always_allow";
    } else if (type === "mcp_toolset") {
      toolset = `mcp:${str(o["mcp_server_name"], 200) ?? "?"}`;
      fallback = "always_ask";
    } else {
      // custom tools run in the caller's application, which controls them
      tools.push({ toolset: "custom", name: str(o["name"], 200) ?? type, policy: "client" });
      continue;
    }
    const def = obj(o["default_config"]);
    const enabledDefault = def?.["enabled"] !== false;
    const policy = policyOf(def?.["permission_policy"]) ?? policyOf(o["permission_policy"]) ?? fallback;
    if (enabledDefault) tools.push({ toolset, name: "*", policy });
    for (const c of (Array.isArray(o["configs"]) ? o["configs"] : []).slice(0, 500)) {
      const co = obj(c);
      const name = str(co?.["name"], 200);
      if (!co || !name) continue;
      if (co["enabled"] === false) { tools.push({ toolset, name, policy: "disabled" }); continue; }
      tools.push({ toolset, name, policy: policyOf(co["permission_policy"]) ?? policy });
    }
  }
  const unsupervised = tools.filter((t) => t.policy === "always_allow").map((t) => (t.name === "*" ? `${t.toolset}:*` : `${t.toolset}:${t.name}`));
  const model = str(a["model"], 100) ?? str(obj(a["model"])?.["id"], 100);
  return {
    id, mcpServers, tools, unsupervised,
    ...opt("name", str(a["name"], 200)),
    ...opt("model", model),
    ...opt("version", a["version"] !== undefined && a["version"] !== null ? String(a["version"]).slice(0, 64) : undefined),
    ...opt("createdAt", rfc3339ToIso(a["created_at"])),
    ...opt("updatedAt", rfc3339ToIso(a["updated_at"])),
    ...opt("archivedAt", rfc3339ToIso(a["archived_at"])),
  };
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}
