/**
 * A local HTTPS stand-in for the Admin SDK (Directory users.list and tokens.list, Reports
 * activities.list for applicationName=token) and Google's OAuth token endpoint, serving the
 * documented response shapes, with paging, fault injection (429 + Retry-After, 403 rate-limit
 * reasons with the real error body, 500), per-call latency and a calls-per-minute quota.
 *
 * Shapes: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list,
 * .../v1/tokens/list, https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list,
 * errors as in https://developers.google.com/admin-sdk/directory/v1/limits.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface FakeGoogleUser {
  id: string;
  primaryEmail: string;
  orgUnitPath?: string;
  department?: string;
  title?: string;
  aliases?: string[];
}

export interface FakeToken {
  clientId: string;
  displayText: string;
  scopes: string[];
  anonymous?: boolean;
  nativeApp?: boolean;
}

export interface FakeActivity {
  time: string;
  uniqueQualifier: string;
  actorEmail: string;
  events: { name: string; parameters: Record<string, unknown>[] }[];
  ipAddress?: string;
}

export interface GoogleServerOptions {
  users: FakeGoogleUser[];
  tokens: (user: FakeGoogleUser, index: number) => FakeToken[];
  activities?: FakeActivity[];
  /** Activities of `applicationName=gemini_in_workspace_apps` (events `feature_utilization`). */
  geminiActivities?: FakeActivity[];
  /** Most users per page whatever maxResults asks (servers may return fewer). */
  usersPageSize?: number;
  activitiesPageSize?: number;
  /** Bearer token the API accepts (the token endpoint issues it too). */
  accessToken: string;
  /** With a service account: verify the JWT assertion at /token (RS256, claims). */
  serviceAccount?: { email: string; publicKeyPem: string; subjects: string[]; scopes: string[] };
  /** Fault rates per API call (0..1) and the Retry-After sent with 429. */
  faults?: { p429?: number; p403?: number; p500?: number; retryAfterSeconds?: number; seed?: number };
  /** Delay before every API answer, ms. */
  latencyMs?: number;
  /** Calls per minute over a sliding 60 s window; above it, 403 userRateLimitExceeded. */
  quotaPerMinute?: number;
  /** Path prefix the server sits under (a proxy), e.g. `/google`. */
  prefix?: string;
  /** Answer users.list with 403 (not a rate limit) to test a refused account. */
  refuseUsers?: boolean;
  /** Bearer token writes need (remediation's separate credentials); reads keep `accessToken`. */
  writeToken?: string;
  /** A status to answer a write with (e.g. 500 for one user's token), or undefined to apply it. */
  failWrite?: (method: string, path: string) => number | undefined;
  /** Paths (after the prefix) that always answer 500, e.g. `/admin/directory/v1/users/x@y/tokens`. */
  alwaysFail?: (path: string) => boolean;
  /** A scripted fault for the `n`-th call (1-based) of a path (after the prefix), applied before random faults. */
  plan?: (path: string, n: number) => { status: 429 | 403 | 500; reason?: string; retryAfter?: string } | undefined;
}

export interface GoogleServerStats {
  /** API requests received (not the token endpoint). */
  calls: number;
  /** Answered 200. */
  ok: number;
  faults: Record<string, number>;
  quotaRejections: number;
  tokenRequests: number;
  /** Claims of each verified JWT assertion. */
  claims: Record<string, unknown>[];
  /** Authorization headers that were wrong or missing. */
  unauthorized: number;
  /** Largest number of API requests in flight at once. */
  maxInFlight: number;
  /** Query strings of activities.list calls. */
  activityQueries: URLSearchParams[];
  /** Every API request that was not a GET (method and path), whatever its answer: a scan must send none. */
  writes: { method: string; path: string }[];
}

export interface GoogleTestServer {
  /** Root URL with the prefix and a trailing slash: `https://127.0.0.1:PORT/google/`. */
  rootUrl: string;
  tokenUrl: string;
  stats: GoogleServerStats;
  close(): Promise<void>;
}

/** A small deterministic PRNG (mulberry32), so fault patterns repeat run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64url = (s: string) => Buffer.from(s, "base64url");

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The error body the Admin SDK sends (`{error: {code, message, errors: [{message, domain, reason}], status}}`). */
export function googleError(code: number, message: string, reason: string, domain = "global", status?: string): unknown {
  return { error: { code, message, errors: [{ message, domain, reason }], ...(status ? { status } : {}) } };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Start the server on 127.0.0.1 (a free port) with the given TLS certificate. */
export async function startGoogleServer(o: GoogleServerOptions, tlsCert: { cert: string; key: string }): Promise<GoogleTestServer> {
  const prefix = (o.prefix ?? "").replace(/\/+$/, "");
  const rand = prng(o.faults?.seed ?? 1);
  const stats: GoogleServerStats = { calls: 0, ok: 0, faults: {}, quotaRejections: 0, tokenRequests: 0, claims: [], unauthorized: 0, maxInFlight: 0, activityQueries: [], writes: [] };
  /** Tokens deleted by remediation (`user\u0000clientId`): tokens.list no longer shows them. */
  const deletedTokens = new Set<string>();
  const byEmail = new Map<string, number>();
  o.users.forEach((u, i) => {
    byEmail.set(u.primaryEmail.toLowerCase(), i);
    byEmail.set(u.id, i);
    for (const a of u.aliases ?? []) byEmail.set(a.toLowerCase(), i);
  });
  const window: number[] = [];
  const perPath = new Map<string, number>();
  let inFlight = 0;
  const publicKey: KeyObject | undefined = o.serviceAccount ? createPublicKey(o.serviceAccount.publicKeyPem) : undefined;
  const newestFirst = (xs: FakeActivity[]) => [...xs].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)); // newest first, as the API
  const tokenActivities = newestFirst(o.activities ?? []);
  const geminiActivities = newestFirst(o.geminiActivities ?? []);

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    stats.tokenRequests++;
    const form = new URLSearchParams(await body(req));
    const assertion = form.get("assertion") ?? "";
    const [h, p, s] = assertion.split(".");
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer" || !h || !p || !s || !publicKey || !o.serviceAccount) {
      return send(res, 400, { error: "invalid_request", error_description: "Invalid JWT assertion." });
    }
    if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, b64url(s))) {
      return send(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
    }
    const claims = JSON.parse(b64url(p).toString("utf8")) as Record<string, unknown>;
    stats.claims.push(claims);
    const scopes = String(claims["scope"] ?? "").split(" ").sort();
    if (claims["iss"] !== o.serviceAccount.email || claims["aud"] !== "https://oauth2.googleapis.com/token") {
      return send(res, 400, { error: "invalid_grant", error_description: "Invalid JWT: iss or aud." });
    }
    if (!o.serviceAccount.subjects.includes(String(claims["sub"])) || JSON.stringify(scopes) !== JSON.stringify([...o.serviceAccount.scopes].sort())) {
      return send(res, 401, {
        error: "unauthorized_client",
        error_description: "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
      });
    }
    send(res, 200, { access_token: o.accessToken, expires_in: 3599, token_type: "Bearer" });
  };

  const handleApi = (url: URL, path: string, res: ServerResponse) => {
    const q = url.searchParams;
    if (path === "/admin/directory/v1/users") {
      if (o.refuseUsers) return send(res, 403, googleError(403, "Not Authorized to access this resource/api", "forbidden"));
      const size = Math.min(Number(q.get("maxResults") ?? 100), o.usersPageSize ?? 500);
      const start = Number(q.get("pageToken") ? Buffer.from(q.get("pageToken")!, "base64url").toString() : 0);
      const page = o.users.slice(start, start + size).map((u) => ({
        kind: "admin#directory#user", id: u.id, primaryEmail: u.primaryEmail, isAdmin: false, suspended: false,
        name: { fullName: u.primaryEmail.split("@")[0] }, orgUnitPath: u.orgUnitPath ?? "/",
        ...(u.aliases ? { aliases: u.aliases } : {}),
        ...(u.department || u.title ? { organizations: [{ primary: true, customType: "", ...(u.department ? { department: u.department } : {}), ...(u.title ? { title: u.title } : {}) }] } : {}),
      }));
      const next = start + size < o.users.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
      return send(res, 200, { kind: "admin#directory#users", etag: '"e"', users: page, ...(next ? { nextPageToken: next } : {}) });
    }
    const m = /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens$/.exec(path);
    if (m) {
      const key = decodeURIComponent(m[1]!).toLowerCase();
      const i = byEmail.get(key);
      if (i === undefined) return send(res, 404, googleError(404, "Resource Not Found: userKey", "notFound"));
      const u = o.users[i]!;
      const items = o.tokens(u, i)
        .filter((t) => !deletedTokens.has(`${u.primaryEmail.toLowerCase()}\u0000${t.clientId}`) && !deletedTokens.has(`${u.id.toLowerCase()}\u0000${t.clientId}`))
        .map((t) => ({ kind: "admin#directory#token", etag: '"t"', userKey: u.id, anonymous: false, nativeApp: false, ...t }));
      return send(res, 200, { kind: "admin#directory#tokenList", etag: '"l"', ...(items.length ? { items } : {}) });
    }
    const appMatch = /^\/admin\/reports\/v1\/activity\/users\/all\/applications\/(token|gemini_in_workspace_apps)$/.exec(path);
    if (appMatch) {
      const application = appMatch[1]!;
      const activities = application === "token" ? tokenActivities : geminiActivities;
      if (application === "token") stats.activityQueries.push(new URLSearchParams(q));
      const from = q.get("startTime") ?? "";
      const to = q.get("endTime") ?? "9999";
      const inRange = activities.filter((a) => a.time >= from && a.time <= to);
      const size = Math.min(Number(q.get("maxResults") ?? 1000), o.activitiesPageSize ?? 1000);
      const start = Number(q.get("pageToken") ? Buffer.from(q.get("pageToken")!, "base64url").toString() : 0);
      const items = inRange.slice(start, start + size).map((a) => ({
        kind: "admin#reports#activity",
        id: { time: a.time, uniqueQualifier: a.uniqueQualifier, applicationName: application, customerId: "C0test" },
        etag: '"a"',
        actor: { email: a.actorEmail, profileId: "1", callerType: "USER" },
        ...(a.ipAddress ? { ipAddress: a.ipAddress } : {}),
        events: a.events.map((e) => ({ type: application === "token" ? "auth" : "ai_usage_event", name: e.name, parameters: e.parameters })),
      }));
      const next = start + size < inRange.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
      return send(res, 200, { kind: "admin#reports#activities", etag: '"as"', ...(items.length ? { items } : {}), ...(next ? { nextPageToken: next } : {}) });
    }
    send(res, 404, googleError(404, `Not Found: ${path}`, "notFound"));
  };

  const server = createServer({ cert: tlsCert.cert, key: tlsCert.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, googleError(404, "Not Found (outside the prefix)", "notFound"));
    const path = decodeURIComponent(url.pathname.slice(prefix.length));
    if (path === "/token" && req.method === "POST") {
      handleToken(req, res).catch(() => send(res, 500, { error: "internal" }));
      return;
    }
    stats.calls++;
    if (req.method !== "GET") {
      // Remediation's write (tokens.delete): recorded, applied to the fixture, 204.
      stats.writes.push({ method: req.method ?? "", path });
      if (req.headers.authorization !== `Bearer ${o.writeToken ?? o.accessToken}`) {
        stats.unauthorized++;
        return send(res, 401, { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } });
      }
      const fail = o.failWrite?.(req.method ?? "", path);
      if (fail) return send(res, fail, googleError(fail, "Internal error encountered.", "backendError", "global", "INTERNAL"));
      const del = /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens\/([^/]+)$/.exec(path);
      if (req.method === "DELETE" && del) {
        deletedTokens.add(`${del[1]!.toLowerCase()}\u0000${del[2]!}`);
        res.writeHead(204).end();
        return;
      }
      return send(res, 405, googleError(405, `method ${req.method} not served`, "methodNotAllowed"));
    }
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    // The quota counts calls when they arrive (a sliding 60 s window); the answer comes after the latency.
    let overQuota = false;
    if (o.quotaPerMinute) {
      const now = Date.now();
      while (window.length > 0 && now - window[0]! >= 60_000) window.shift();
      if (window.length >= o.quotaPerMinute) overQuota = true;
      else window.push(now);
    }
    const answer = () => {
      if (req.headers.authorization !== `Bearer ${o.accessToken}`) {
        stats.unauthorized++;
        return send(res, 401, { error: { code: 401, message: "Request had invalid authentication credentials. Expected OAuth 2 access token.", errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }], status: "UNAUTHENTICATED" } });
      }
      if (overQuota) {
        stats.quotaRejections++;
        return send(res, 403, googleError(403, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.", "userRateLimitExceeded", "usageLimits", "PERMISSION_DENIED"));
      }
      const n = (perPath.get(path) ?? 0) + 1;
      perPath.set(path, n);
      const planned = o.plan?.(path, n);
      if (planned) {
        const key = planned.status === 403 ? `403 ${planned.reason ?? "forbidden"}` : String(planned.status);
        stats.faults[key] = (stats.faults[key] ?? 0) + 1;
        if (planned.status === 429) return send(res, 429, googleError(429, "Resource has been exhausted (e.g. check quota).", "rateLimitExceeded", "usageLimits", "RESOURCE_EXHAUSTED"), planned.retryAfter !== undefined ? { "retry-after": planned.retryAfter } : {});
        if (planned.status === 403) {
          const reason = planned.reason ?? "forbidden";
          return send(res, 403, googleError(403, reason === "forbidden" ? "Not Authorized to access this resource/api" : "Rate Limit Exceeded", reason, reason === "forbidden" ? "global" : "usageLimits"));
        }
        return send(res, 500, googleError(500, "Internal error encountered.", "backendError", "global", "INTERNAL"));
      }
      if (o.alwaysFail?.(path)) {
        stats.faults["500"] = (stats.faults["500"] ?? 0) + 1;
        return send(res, 500, googleError(500, "Internal error encountered.", "backendError", "global", "INTERNAL"));
      }
      const f = o.faults;
      if (f) {
        const r = rand();
        const p429 = f.p429 ?? 0;
        const p403 = f.p403 ?? 0;
        const p500 = f.p500 ?? 0;
        if (r < p429) {
          stats.faults["429"] = (stats.faults["429"] ?? 0) + 1;
          return send(res, 429, googleError(429, "Resource has been exhausted (e.g. check quota).", "rateLimitExceeded", "usageLimits", "RESOURCE_EXHAUSTED"), { "retry-after": String(f.retryAfterSeconds ?? 0) });
        }
        if (r < p429 + p403) {
          const reasons = ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"];
          const reason = reasons[Math.floor(rand() * reasons.length)]!;
          stats.faults[`403 ${reason}`] = (stats.faults[`403 ${reason}`] ?? 0) + 1;
          const message = reason === "quotaExceeded" ? "Quota exceeded: too many concurrent requests." : "Rate Limit Exceeded";
          return send(res, 403, googleError(403, message, reason, "usageLimits"));
        }
        if (r < p429 + p403 + p500) {
          stats.faults["500"] = (stats.faults["500"] ?? 0) + 1;
          return send(res, 500, googleError(500, "Internal error encountered.", "backendError", "global", "INTERNAL"));
        }
      }
      stats.ok++;
      handleApi(url, path, res);
    };
    if (o.latencyMs) setTimeout(answer, o.latencyMs);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const root = `https://127.0.0.1:${port}${prefix}/`;
  return {
    rootUrl: root,
    tokenUrl: `${root}token`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** `n` users `user00001@example.com`... in departments Sales / Engineering / Legal by index. */
export function fakeUsers(n: number, domain = "example.com"): FakeGoogleUser[] {
  const depts = ["Sales", "Engineering", "Legal"];
  return Array.from({ length: n }, (_, i) => ({
    id: String(100000000000000000000n + BigInt(i)),
    primaryEmail: `user${String(i).padStart(5, "0")}@${domain}`,
    orgUnitPath: `/${depts[i % 3]}`,
    ...(i % 2 === 0 ? { department: depts[i % 3], title: i % 4 === 0 ? "Manager" : "Analyst" } : {}),
  }));
}

/** Grants by user index: ChatGPT every 3rd user, Otter.ai every 5th, Slack (not AI) every 7th. */
export function fakeTokens(_u: FakeGoogleUser, i: number): FakeToken[] {
  const t: FakeToken[] = [];
  if (i % 3 === 0) t.push({ clientId: "000000000011-chatgpt.apps.googleusercontent.com", displayText: "ChatGPT", scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/drive.readonly"] });
  if (i % 5 === 0) t.push({ clientId: "000000000012-otter.apps.googleusercontent.com", displayText: "Otter.ai", scopes: ["openid", "https://www.googleapis.com/auth/calendar.readonly"] });
  if (i % 7 === 0) t.push({ clientId: "000000000013-slack.apps.googleusercontent.com", displayText: "Slack", scopes: ["openid"] });
  return t;
}

/** Expected number of grants of {@link fakeTokens} over `n` users. */
export function fakeTokenCount(n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) c += (i % 3 === 0 ? 1 : 0) + (i % 5 === 0 ? 1 : 0) + (i % 7 === 0 ? 1 : 0);
  return c;
}
