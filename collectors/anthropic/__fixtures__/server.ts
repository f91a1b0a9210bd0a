/**
 * A local HTTP server speaking the Anthropic Admin API and the Managed Agents API in their
 * documented shapes (https://docs.anthropic.com/en/api/admin-api): lists with `data`, `first_id`,
 * `last_id`, `has_more` and `after_id`/`limit`; reports with `next_page`/`page`. The users, API keys, usage and
 * agents paths answer 429 (retry-after: 0) on their first call; a wrong key gets 401 echoing the key.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Paths that answer 429 (retry-after: 0) on their first call. */
const THROTTLED = /\/(users|api_keys|messages|agents)$/;

export function anthropicFixture() {
  return {
    org: { id: "org_01acme", type: "organization", name: "Acme" },
    users: [
      { id: "user_01eve", type: "user", email: "eve@example.com", name: "Eve", role: "admin", added_at: "2026-01-01T00:00:00Z" },
      { id: "user_01fay", type: "user", email: "fay@example.com", name: "Fay", role: "developer", added_at: "2026-01-01T00:00:00Z" },
      { id: "user_01gus", type: "user", email: "gus@example.com", name: "Gus", role: "user", added_at: "2026-01-01T00:00:00Z" },
    ],
    invites: [{ id: "invite_01", type: "invite", email: "hal@example.com", role: "user", status: "pending", invited_at: "2026-11-01T00:00:00Z", expires_at: "2026-12-31T00:00:00Z" }],
    workspaces: [{ id: "wrkspc_01", type: "workspace", name: "Default", created_at: "2026-01-01T00:00:00Z", archived_at: null, display_color: "#fff" }],
    members: { wrkspc_01: [{ type: "workspace_member", user_id: "user_01eve", workspace_id: "wrkspc_01", workspace_role: "workspace_admin" }] } as Record<string, unknown[]>,
    apiKeys: [
      { id: "apikey_01eve", type: "api_key", name: "eve", workspace_id: "wrkspc_01", created_at: "2026-02-01T00:00:00Z", created_by: { id: "user_01eve", type: "user" }, partial_key_hint: "sk-ant-api03-R2D...igAA", status: "active" },
      { id: "apikey_01gus", type: "api_key", name: "gus old", workspace_id: null, created_at: "2026-02-01T00:00:00Z", created_by: { id: "user_01gus", type: "user" }, partial_key_hint: "sk-ant-api03-X1Y...zzAA", status: "active" },
      { id: "apikey_01ghost", type: "api_key", name: "ghost", workspace_id: "wrkspc_01", created_at: "2026-03-01T00:00:00Z", created_by: { id: "user_01left", type: "user" }, partial_key_hint: "sk-ant-api03-GHO...stAA", status: "active" },
    ],
    usage: [
      { starting_at: "2026-12-04T00:00:00Z", ending_at: "2026-12-05T00:00:00Z", results: [{ api_key_id: "apikey_01eve", workspace_id: "wrkspc_01", uncached_input_tokens: 100, cache_read_input_tokens: 0, output_tokens: 50, model: null, service_tier: null, context_window: null }] },
      { starting_at: "2026-12-05T00:00:00Z", ending_at: "2026-12-06T00:00:00Z", results: [{ api_key_id: "apikey_01ghost", workspace_id: "wrkspc_01", uncached_input_tokens: 10, output_tokens: 5 }] },
    ],
    cost: [{ starting_at: "2026-12-04T00:00:00Z", ending_at: "2026-12-05T00:00:00Z", results: [{ currency: "USD", amount: "123.45", workspace_id: "wrkspc_01", description: null, cost_type: "tokens" }] }],
    claudeCode: { "2026-12-05": [{ date: "2026-12-05T00:00:00Z", actor: { type: "user_actor", email_address: "fay@example.com" }, organization_id: "org_01acme", customer_type: "api", terminal_type: "vscode", core_metrics: { num_sessions: 3 } }] } as Record<string, unknown[]>,
    agents: [
      {
        id: "agent_01triage", type: "agent", name: "Triage", model: "claude-sonnet-4-6", version: 2, created_at: "2026-10-01T00:00:00Z", updated_at: "2026-11-01T00:00:00Z", archived_at: null,
        mcp_servers: [{ type: "url", name: "github", url: "https://api.githubcopilot.com/mcp/" }, { type: "url", name: "linear", url: "https://mcp.linear.app/sse" }],
        tools: [
          { type: "agent_toolset_20260401", default_config: { permission_policy: { type: "always_ask" } }, configs: [{ name: "web_search", permission_policy: { type: "always_allow" } }] },
          { type: "mcp_toolset", mcp_server_name: "github", default_config: { permission_policy: { type: "always_allow" } } },
          { type: "mcp_toolset", mcp_server_name: "linear" },
        ],
      },
      { id: "agent_01safe", type: "agent", name: "Safe", model: "claude-sonnet-4-6", version: 1, created_at: "2026-10-01T00:00:00Z", updated_at: "2026-10-01T00:00:00Z", archived_at: null, mcp_servers: [], tools: [{ type: "agent_toolset_20260401", default_config: { permission_policy: { type: "always_ask" } } }] },
    ],
  };
}

export type AnthropicFixture = ReturnType<typeof anthropicFixture>;

export async function startAnthropicServer(f: AnthropicFixture, key: string, opts: { pageSize?: number } = {}): Promise<{ url: string; calls: string[]; server: Server; close(): Promise<void> }> {
  const calls: string[] = [];
  const throttled = new Set<string>();
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    calls.push(u.pathname + u.search);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers["x-api-key"] !== key) return send(401, { type: "error", error: { type: "authentication_error", message: `invalid x-api-key ${String(req.headers["x-api-key"])}` } });
    if (req.headers["anthropic-version"] !== "2023-06-01") return send(400, { type: "error", error: { type: "invalid_request_error", message: "anthropic-version missing" } });
    if (THROTTLED.test(u.pathname) && !throttled.has(u.pathname)) {
      throttled.add(u.pathname);
      return send(429, { type: "error", error: { type: "rate_limit_error", message: "slow down" } }, { "retry-after": "0" });
    }
    const limit = Math.min(Number(u.searchParams.get("limit") ?? 20), opts.pageSize ?? 1000);
    const list = (items: { id?: string; user_id?: string }[]) => {
      const idOf = (x: { id?: string; user_id?: string }) => x.id ?? x.user_id ?? "";
      const after = u.searchParams.get("after_id");
      const start = after ? items.findIndex((x) => idOf(x) === after) + 1 : 0;
      const page = items.slice(start, start + limit);
      send(200, { data: page, first_id: page[0] ? idOf(page[0]) : null, last_id: page.at(-1) ? idOf(page.at(-1)!) : null, has_more: start + limit < items.length });
    };
    const report = (buckets: unknown[]) => {
      const from = Number(u.searchParams.get("page") ?? 0);
      const more = from + 1 < buckets.length;
      send(200, { data: buckets.slice(from, from + 1), has_more: more, next_page: more ? String(from + 1) : null });
    };
    const p = u.pathname;
    let m: RegExpMatchArray | null;
    if (p === "/v1/organizations/me") return send(200, f.org);
    if (p === "/v1/organizations/users") return list(f.users);
    if (p === "/v1/organizations/invites") return list(f.invites);
    if (p === "/v1/organizations/workspaces") return list(f.workspaces);
    if ((m = p.match(/^\/v1\/organizations\/workspaces\/([^/]+)\/members$/))) return list((f.members[m[1]!] ?? []) as { user_id: string }[]);
    if (p === "/v1/organizations/api_keys") return list(f.apiKeys);
    if (p === "/v1/organizations/usage_report/messages") {
      if (u.searchParams.get("bucket_width") !== "1d" || !u.searchParams.getAll("group_by[]").includes("api_key_id")) return send(400, { type: "error", error: { type: "invalid_request_error", message: "bad query" } });
      return report(f.usage.filter((b) => b.starting_at >= (u.searchParams.get("starting_at") ?? "")));
    }
    if (p === "/v1/organizations/cost_report") return report(f.cost);
    if (p === "/v1/organizations/usage_report/claude_code") {
      const rows = f.claudeCode[u.searchParams.get("starting_at") ?? ""] ?? [];
      return send(200, { data: rows, has_more: false, next_page: null });
    }
    if (p === "/v1/agents") {
      if (req.headers["anthropic-beta"] !== "managed-agents-2026-04-01") return send(400, { type: "error", error: { type: "invalid_request_error", message: "beta header required" } });
      return list(f.agents);
    }
    send(404, { type: "error", error: { type: "not_found_error", message: `no route ${p}` } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, calls, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
