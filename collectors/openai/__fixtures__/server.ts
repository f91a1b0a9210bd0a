/**
 * A local HTTP server speaking the OpenAI Admin API in its documented shapes
 * (https://platform.openai.com/docs/api-reference/administration): lists with `object: "list"`,
 * `data`, `first_id`, `last_id`, `has_more` and `after`/`limit` cursors; usage pages with
 * `next_page`/`page`. The users, API keys and usage paths answer 429 (Retry-After: 0) on their first call; a wrong key gets
 * 401 with a body that echoes the key, as some proxies do, to prove the collector never repeats it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Paths that answer 429 (Retry-After: 0) on their first call. */
const THROTTLED = /\/(users|api_keys|completions)$/;

const T0 = 1_764_547_200; // 2025-12-01T00:00:00Z, Unix seconds

export interface OpenAIFixture {
  users: { id: string; email: string; name: string; role: string; api_key_last_used_at?: number | null; is_service_account?: boolean }[];
  invites: { id: string; email: string; role: string; status: string; invited_at: number }[];
  projects: { id: string; name: string; status: string; created_at: number; archived_at: number | null }[];
  projectUsers: Record<string, { id: string; email: string; role: string }[]>;
  serviceAccounts: Record<string, { id: string; name: string; role: string; created_at: number }[]>;
  apiKeys: Record<string, { id: string; name: string; redacted_value: string; created_at: number; last_used_at: number | null; owner: { type: "user" | "service_account"; user?: { id: string; email: string }; service_account?: { id: string; name: string } } }[]>;
  adminKeys: { id: string; name: string; redacted_value: string; created_at: number; last_used_at: number | null; owner: { id: string; type: "user"; name: string } }[];
  audit: { id: string; type: string; effective_at: number; actor: unknown; [k: string]: unknown }[];
  usage: { start_time: number; results: { user_id: string | null; api_key_id: string | null; num_model_requests: number; input_tokens: number; output_tokens: number }[] }[];
}

/** A small organisation: 5 users (one service account), 2 projects, 3 keys, 1 admin key. */
export function openaiFixture(): OpenAIFixture {
  const day = (d: string) => Math.floor(Date.parse(d) / 1000);
  return {
    users: [
      { id: "user-ana", email: "ana@example.com", name: "Ana", role: "owner", api_key_last_used_at: day("2026-12-01") },
      { id: "user-bob", email: "Bob@example.com", name: "Bob", role: "reader", api_key_last_used_at: null },
      { id: "user-cy", email: "cy@example.com", name: "Cy", role: "reader", api_key_last_used_at: null },
      { id: "user-dee", email: "dee@example.com", name: "Dee", role: "reader", api_key_last_used_at: null },
      { id: "user-svc", email: "svc-bot@example.com", name: "bot", role: "reader", is_service_account: true },
    ],
    invites: [{ id: "invite-1", email: "new@example.com", role: "reader", status: "pending", invited_at: T0 }],
    projects: [
      { id: "proj_a", name: "Alpha", status: "active", created_at: T0, archived_at: null },
      { id: "proj_b", name: "Beta", status: "archived", created_at: T0, archived_at: T0 + 100 },
    ],
    projectUsers: { proj_a: [{ id: "user-ana", email: "ana@example.com", role: "owner" }, { id: "user-dee", email: "dee@example.com", role: "member" }], proj_b: [] },
    serviceAccounts: { proj_a: [{ id: "svc_acct_1", name: "etl", role: "member", created_at: T0 }], proj_b: [] },
    apiKeys: {
      proj_a: [
        { id: "key_ana", name: "ana laptop", redacted_value: "sk-abc...wxyz", created_at: T0, last_used_at: day("2026-12-05"), owner: { type: "user", user: { id: "user-ana", email: "ana@example.com" } } },
        { id: "key_dee", name: "dee script", redacted_value: "sk-def...qrst", created_at: T0, last_used_at: day("2026-06-01"), owner: { type: "user", user: { id: "user-dee", email: "dee@example.com" } } },
        { id: "key_etl", name: "etl", redacted_value: "sk-svc...mnop", created_at: T0, last_used_at: day("2026-12-04"), owner: { type: "service_account", service_account: { id: "svc_acct_1", name: "etl" } } },
      ],
      proj_b: [],
    },
    adminKeys: [{ id: "key_admin", name: "shadow-ai", redacted_value: "sk-admin...abcd", created_at: T0, last_used_at: day("2026-12-06"), owner: { id: "user-ana", type: "user", name: "Ana" } }],
    audit: [
      { id: "audit_1", type: "service_account.created", effective_at: day("2026-11-20"), actor: { type: "session", session: { user: { id: "user-dee", email: "dee@example.com" } } }, "service_account.created": { id: "svc_acct_1" } },
      { id: "audit_2", type: "api_key.created", effective_at: day("2026-11-21"), actor: { type: "session", session: { user: { id: "user-dee", email: "dee@example.com" } } }, "api_key.created": { id: "key_etl" } },
      { id: "audit_3", type: "login.succeeded", effective_at: day("2026-11-22"), actor: { type: "session", session: { user: { id: "user-ana", email: "ana@example.com" } } } },
    ],
    usage: [
      { start_time: day("2026-12-03"), results: [{ user_id: "user-ana", api_key_id: "key_ana", num_model_requests: 12, input_tokens: 900, output_tokens: 300 }] },
      { start_time: day("2026-12-04"), results: [{ user_id: null, api_key_id: "key_etl", num_model_requests: 40, input_tokens: 5000, output_tokens: 800 }] },
      { start_time: day("2026-12-05"), results: [] },
    ],
  };
}

export interface RunningServer {
  url: string;
  calls: string[];
  close(): Promise<void>;
  server: Server;
  /** Delay (ms) before each answer once `slowAfter` calls were served (to kill a scan mid-way). */
  slow?: { after: number; ms: number };
}

/** Start the server; `key` is the only key it accepts; `pageSize` caps every list page. */
export async function startOpenAIServer(f: OpenAIFixture, key: string, opts: { pageSize?: number; slow?: { after: number; ms: number } } = {}): Promise<RunningServer> {
  const calls: string[] = [];
  const throttled = new Set<string>();
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    calls.push(u.pathname + u.search);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const go = () => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (opts.slow && calls.length > opts.slow.after) setTimeout(go, opts.slow.ms);
      else go();
    };
    const auth = req.headers["authorization"] ?? "";
    if (auth !== `Bearer ${key}`) {
      send(401, { error: { message: `Incorrect API key provided: ${String(auth).replace(/^Bearer /, "")}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: "invalid_request_error", code: "invalid_api_key" } });
      return;
    }
    if (THROTTLED.test(u.pathname) && !throttled.has(u.pathname)) {
      throttled.add(u.pathname);
      send(429, { error: { message: "Rate limit reached", type: "rate_limit_exceeded" } }, { "retry-after": "0" });
      return;
    }
    const limit = Math.min(Number(u.searchParams.get("limit") ?? 20), opts.pageSize ?? 100);
    const list = (items: { id: string }[]) => {
      const after = u.searchParams.get("after");
      const start = after ? items.findIndex((x) => x.id === after) + 1 : 0;
      const page = items.slice(start, start + limit);
      send(200, { object: "list", data: page.map((x) => ({ object: "organization.x", ...x })), first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: start + limit < items.length });
    };
    const p = u.pathname.replace(/^\/v1/, "");
    let m: RegExpMatchArray | null;
    if (p === "/organization/users") return list(f.users.map((x) => ({ ...x, added_at: T0 })));
    if (p === "/organization/invites") return list(f.invites);
    if (p === "/organization/projects") return list(u.searchParams.get("include_archived") === "true" ? f.projects : f.projects.filter((x) => !x.archived_at));
    if ((m = p.match(/^\/organization\/projects\/([^/]+)\/users$/))) return list(f.projectUsers[m[1]!] ?? []);
    if ((m = p.match(/^\/organization\/projects\/([^/]+)\/service_accounts$/))) return list(f.serviceAccounts[m[1]!] ?? []);
    if ((m = p.match(/^\/organization\/projects\/([^/]+)\/api_keys$/))) return list(f.apiKeys[m[1]!] ?? []);
    if (p === "/organization/admin_api_keys") return list(f.adminKeys);
    if (p === "/organization/audit_logs") {
      const gte = Number(u.searchParams.get("effective_at[gte]") ?? 0);
      return list(f.audit.filter((e) => e.effective_at >= gte).sort((a, b) => b.effective_at - a.effective_at));
    }
    if (p === "/organization/usage/completions") {
      const startTime = Number(u.searchParams.get("start_time"));
      const groups = u.searchParams.getAll("group_by");
      if (!groups.includes("user_id") || !groups.includes("api_key_id") || u.searchParams.get("bucket_width") !== "1d") return send(400, { error: { message: "bad usage query", type: "invalid_request_error" } });
      const buckets = f.usage.filter((b) => b.start_time >= startTime);
      const from = Number(u.searchParams.get("page") ?? 0);
      const page = buckets.slice(from, from + 2);
      const more = from + 2 < buckets.length;
      return send(200, {
        object: "page",
        data: page.map((b) => ({ object: "bucket", start_time: b.start_time, end_time: b.start_time + 86_400, results: b.results.map((r) => ({ object: "organization.usage.completions.result", ...r, project_id: null, model: null, batch: null })) })),
        has_more: more,
        next_page: more ? String(from + 2) : null,
      });
    }
    send(404, { error: { message: `no route ${p}`, type: "invalid_request_error" } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/v1`, calls, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
