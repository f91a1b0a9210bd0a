/**
 * A local HTTPS stand-in for Microsoft Graph v1.0 (users, servicePrincipals,
 * oauth2PermissionGrants, servicePrincipals/{id}/appRoleAssignments, auditLogs/signIns,
 * auditLogs/directoryAudits) and the Microsoft Entra token endpoint that @azure/identity's client
 * credential flow uses (OpenID configuration + `oauth2/v2.0/token`), serving the documented
 * shapes with `@odata.nextLink` paging (fewer items than `$top` asks), `$select`, `$count`,
 * `$filter` on time, and fault injection (429 / 503 with Retry-After, 500, 403 with Graph codes).
 *
 * Shapes: https://learn.microsoft.com/graph/api/resources/serviceprincipal and the other
 * resource pages; errors as in https://learn.microsoft.com/graph/errors.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { prng } from "../../google-workspace/__fixtures__/server.js";

export interface GraphFixtures {
  users: Record<string, unknown>[];
  servicePrincipals: Record<string, unknown>[];
  grants: Record<string, unknown>[];
  /** App role assignments by the object id of the service principal they were granted to. */
  appRoleAssignments?: Record<string, Record<string, unknown>[]>;
  signIns?: Record<string, unknown>[];
  directoryAudits?: Record<string, unknown>[];
  /** Agent identities (`/servicePrincipals/microsoft.graph.agentIdentity`); also put them in `servicePrincipals`, as Graph does. */
  agentIdentities?: Record<string, unknown>[];
  /** Agent identity blueprints (`/applications/microsoft.graph.agentIdentityBlueprint`). */
  blueprints?: Record<string, unknown>[];
  /** Beta relationships of agent identities by object id: owners, sponsors, inherited app role assignments and grants. */
  agentOwners?: Record<string, Record<string, unknown>[]>;
  agentSponsors?: Record<string, Record<string, unknown>[]>;
  inheritedAppRoleAssignments?: Record<string, Record<string, unknown>[]>;
  inheritedGrants?: Record<string, Record<string, unknown>[]>;
  /** Agent 365 packages (`copilotPackageDetail` shape; the list leaves the detail-only fields out). */
  packages?: Record<string, unknown>[];
  /** Power Platform inventory rows (`PowerPlatformResources`), served at /resourcequery/resources/query. */
  powerPlatformResources?: Record<string, unknown>[];
}

export interface GraphServerOptions {
  data: GraphFixtures;
  /** Bearer token Graph accepts (the token endpoint issues it). */
  accessToken: string;
  /** Most items per page whatever `$top` asks. */
  pageSize?: number;
  /** Path prefix before the version, e.g. `/graph` (a proxy). */
  prefix?: string;
  /** Client credentials the token endpoint accepts (a secret, or any signed client assertion). */
  app?: { tenantId: string; clientId: string; clientSecret?: string; acceptAssertion?: boolean };
  /** Fault rates per Graph call, and the Retry-After sent with 429/503. */
  faults?: { p429?: number; p503?: number; p500?: number; retryAfterSeconds?: number; seed?: number };
  /** A scripted answer for the `n`-th call (1-based) of a path (without prefix and version). */
  plan?: (path: string, n: number) => { status: number; code?: string; message?: string; retryAfter?: string } | undefined;
  /** sign-ins answer 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant (no P1 licence). */
  noPremium?: boolean;
  /** Bearer token the Power Platform inventory API accepts (delegated; others get 403). */
  powerPlatformToken?: string;
  /**
   * Device-code sign-in (RFC 8628) for a public client: `/{tenant}/oauth2/v2.0/devicecode`, then
   * the token endpoint answers `authorization_pending` `pendingPolls` times before it issues
   * `powerPlatformToken` with an ID token for `upn`.
   */
  deviceCode?: { clientId: string; upn: string; pendingPolls?: number };
  /** Bearer token writes need (remediation's separate credentials); reads keep `accessToken`. */
  writeToken?: string;
  /** A status to answer a write with (e.g. 500 for one grant), or undefined to apply it. */
  failWrite?: (method: string, path: string) => number | undefined;
}

export interface GraphServerStats {
  calls: number;
  ok: number;
  faults: Record<string, number>;
  unauthorized: number;
  tokenRequests: { scope: string | null; clientId: string | null; assertion: boolean }[];
  openidConfigRequests: number;
  /** Paths (without prefix and version) and query strings of Graph calls answered 200. */
  served: { path: string; query: URLSearchParams; version?: string }[];
  /** Every Graph request that was not a GET (method and path), whatever its answer: a scan must send none. */
  writes: { method: string; path: string; body: string }[];
}

export interface GraphTestServer {
  /** Graph root with the version: `https://127.0.0.1:PORT[/prefix]/v1.0`. */
  graphBaseUrl: string;
  /** Authority host: `https://127.0.0.1:PORT`. */
  authorityHost: string;
  stats: GraphServerStats;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The Graph error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(code: string, message: string): unknown {
  return { error: { code, message, innerError: { date: "2026-11-22T10:00:00", "request-id": "00000000-0000-0000-0000-000000000001", "client-request-id": "00000000-0000-0000-0000-000000000002" } } };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `createdDateTime ge X and createdDateTime le Y` → [X, Y]; also `activityDisplayName eq '…'`. */
function parseFilter(filter: string | null, field: string): { from?: string; to?: string; activity?: string } {
  if (!filter) return {};
  const ge = new RegExp(`${field} ge (\\S+)`).exec(filter)?.[1];
  const le = new RegExp(`${field} le (\\S+)`).exec(filter)?.[1];
  const activity = /activityDisplayName eq '([^']*)'/.exec(filter)?.[1];
  return { ...(ge ? { from: ge } : {}), ...(le ? { to: le } : {}), ...(activity ? { activity } : {}) };
}

/** Start the server on 127.0.0.1 (a free port) with the given TLS certificate. */
export async function startGraphServer(o: GraphServerOptions, tlsCert: { cert: string; key: string }): Promise<GraphTestServer> {
  const prefix = (o.prefix ?? "").replace(/\/+$/, "");
  const rand = prng(o.faults?.seed ?? 7);
  const stats: GraphServerStats = { calls: 0, ok: 0, faults: {}, unauthorized: 0, tokenRequests: [], openidConfigRequests: 0, served: [], writes: [] };
  const perPath = new Map<string, number>();
  let origin = "";

  const page = (res: ServerResponse, url: URL, path: string, all: Record<string, unknown>[], context: string, extra: Record<string, unknown> = {}) => {
    const q = url.searchParams;
    const top = Math.min(Number(q.get("$top") ?? 100), o.pageSize ?? 100);
    const skip = Number(q.get("$skiptoken") ? Buffer.from(q.get("$skiptoken")!, "base64url").toString() : 0);
    const select = q.get("$select")?.split(",");
    const items = all.slice(skip, skip + top).map((it) => (select ? Object.fromEntries(Object.entries(it).filter(([k]) => select.includes(k) || k === "id" || k.startsWith("@odata."))) : it));
    let next: string | undefined;
    if (skip + top < all.length) {
      const nq = new URLSearchParams(q);
      nq.set("$skiptoken", Buffer.from(String(skip + top)).toString("base64url"));
      nq.delete("$count");
      next = `${origin}${prefix}/${url.pathname.startsWith(`${prefix}/beta/`) ? "beta" : "v1.0"}${path}?${nq.toString().replace(/%24/g, "$")}`;
    }
    const count = q.get("$count") === "true" && skip === 0 ? { "@odata.count": all.length } : {};
    send(res, 200, { "@odata.context": `${origin}/v1.0/$metadata#${context}`, ...count, ...extra, value: items, ...(next ? { "@odata.nextLink": next } : {}) });
  };

  const graph = (url: URL, path: string, res: ServerResponse) => {
    const d = o.data;
    const q = url.searchParams;
    if (path === "/users") {
      // Graph leaves department (and, the brief says, jobTitle) out unless $select names them.
      const select = q.get("$select");
      const users = select ? d.users : d.users.map(({ department: _d, jobTitle: _j, ...rest }) => rest);
      return page(res, url, path, users, "users");
    }
    if (path === "/servicePrincipals") return page(res, url, path, d.servicePrincipals, "servicePrincipals");
    // Entra Agent ID (v1.0 lists; beta relationships): https://learn.microsoft.com/graph/api/resources/agentidentity
    if (path === "/servicePrincipals/microsoft.graph.agentIdentity") return page(res, url, path, (d.agentIdentities ?? []).map((a) => ({ "@odata.type": "#microsoft.graph.agentIdentity", ...a })), "servicePrincipals/microsoft.graph.agentIdentity");
    if (path === "/applications/microsoft.graph.agentIdentityBlueprint") return page(res, url, path, (d.blueprints ?? []).map((b) => ({ "@odata.type": "#microsoft.graph.agentIdentityBlueprint", ...b })), "applications/microsoft.graph.agentIdentityBlueprint");
    const rel = /^\/servicePrincipals\/([^/]+)\/microsoft\.graph\.agentIdentity\/(owners|sponsors|inheritedAppRoleAssignments|inheritedOauth2PermissionGrants)$/.exec(path);
    if (rel) {
      const id = decodeURIComponent(rel[1]!);
      if (!(d.agentIdentities ?? []).some((a) => a["id"] === id)) return send(res, 404, graphError("Request_ResourceNotFound", `Resource '${id}' does not exist.`));
      const src = { owners: d.agentOwners, sponsors: d.agentSponsors, inheritedAppRoleAssignments: d.inheritedAppRoleAssignments, inheritedOauth2PermissionGrants: d.inheritedGrants }[rel[2] as "owners"];
      return page(res, url, path, src?.[id] ?? [], `directoryObjects`);
    }
    // Agent 365 Package Management: https://learn.microsoft.com/microsoft-365-copilot/extensibility/api/admin-settings/package/overview
    if (path === "/copilot/admin/catalog/packages") {
      return page(res, url, path, (d.packages ?? []).map(({ activeUsers: _a, allowedUsersAndGroups: _b, acquireUsersAndGroups: _c, ...p }) => p), "copilot/admin/catalog/packages");
    }
    const pkg = /^\/copilot\/admin\/catalog\/packages\/([^/]+)$/.exec(path);
    if (pkg) {
      const p = (d.packages ?? []).find((x) => x["id"] === decodeURIComponent(pkg[1]!));
      return p ? send(res, 200, { "@odata.context": `${origin}/v1.0/$metadata#copilot/admin/catalog/packages/$entity`, ...p }) : send(res, 404, graphError("NotFound", "package not found"));
    }
    if (path === "/oauth2PermissionGrants") return page(res, url, path, d.grants, "oauth2PermissionGrants");
    const m = /^\/servicePrincipals\/([^/]+)\/appRoleAssignments$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (!d.servicePrincipals.some((s) => s["id"] === id)) return send(res, 404, graphError("Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`));
      return page(res, url, path, d.appRoleAssignments?.[id] ?? [], `servicePrincipals('${id}')/appRoleAssignments`);
    }
    if (path === "/auditLogs/signIns") {
      if (o.noPremium) {
        return send(res, 403, graphError("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license"));
      }
      const f = parseFilter(q.get("$filter"), "createdDateTime");
      const rows = (d.signIns ?? [])
        .filter((s) => (!f.from || String(s["createdDateTime"]) >= f.from) && (!f.to || String(s["createdDateTime"]) <= f.to))
        .sort((a, b) => (String(a["createdDateTime"]) < String(b["createdDateTime"]) ? 1 : -1));
      return page(res, url, path, rows, "auditLogs/signIns");
    }
    if (path === "/auditLogs/directoryAudits") {
      const f = parseFilter(q.get("$filter"), "activityDateTime");
      const rows = (d.directoryAudits ?? [])
        .filter((a) => (!f.activity || a["activityDisplayName"] === f.activity) && (!f.from || String(a["activityDateTime"]) >= f.from) && (!f.to || String(a["activityDateTime"]) <= f.to))
        .sort((a, b) => (String(a["activityDateTime"]) < String(b["activityDateTime"]) ? 1 : -1));
      return page(res, url, path, rows, "auditLogs/directoryAudits");
    }
    send(res, 400, graphError("BadRequest", `Resource not found for the segment '${path.split("/")[1] ?? ""}'.`));
  };

  let polls = 0;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  /** The device-code grant: pending, then a delegated token (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code). */
  const deviceToken = (res: ServerResponse, form: URLSearchParams, tenant: string) => {
    const d = o.deviceCode;
    stats.tokenRequests.push({ scope: form.get("scope"), clientId: form.get("client_id"), assertion: false });
    if (!d || form.get("client_id") !== d.clientId || form.get("device_code") !== "test-device-code") return send(res, 400, { error: "invalid_grant", error_description: "AADSTS70000: bad device code" });
    if (polls++ < (d.pendingPolls ?? 1)) return send(res, 400, { error: "authorization_pending", error_description: "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending." });
    const now = Math.floor(Date.now() / 1000);
    const oid = "00000000-0000-0000-0000-0000000000aa";
    const idToken = `${b64({ typ: "JWT", alg: "none" })}.${b64({ aud: d.clientId, iss: `${origin}/${tenant}/v2.0`, iat: now, nbf: now, exp: now + 3600, oid, sub: "test-subject", tid: tenant, preferred_username: d.upn, name: "Test Admin", ver: "2.0" })}.sig`;
    send(res, 200, {
      token_type: "Bearer", scope: form.get("scope") ?? "", expires_in: 3599, ext_expires_in: 3599, access_token: o.powerPlatformToken ?? "no-token",
      refresh_token: "test-refresh-token", id_token: idToken, client_info: b64({ uid: oid, utid: tenant }),
    });
  };

  const token = async (req: IncomingMessage, res: ServerResponse, tenant: string) => {
    const form = new URLSearchParams(await body(req));
    if (form.get("grant_type") === "device_code" || form.get("grant_type") === "urn:ietf:params:oauth:grant-type:device_code") return deviceToken(res, form, tenant);
    const assertion = form.get("client_assertion");
    stats.tokenRequests.push({ scope: form.get("scope"), clientId: form.get("client_id"), assertion: assertion !== null });
    const app = o.app;
    const okClient = app && tenant === app.tenantId && form.get("client_id") === app.clientId;
    const okSecret = app?.clientSecret !== undefined && form.get("client_secret") === app.clientSecret;
    const okAssertion = app?.acceptAssertion === true && assertion !== null && assertion.split(".").length === 3;
    if (form.get("grant_type") !== "client_credentials" || !okClient || !(okSecret || okAssertion)) {
      return send(res, 401, {
        error: "invalid_client",
        error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
        error_codes: [7000215],
        timestamp: "2026-11-22 10:00:00Z",
        trace_id: "00000000-0000-0000-0000-000000000003",
        correlation_id: "00000000-0000-0000-0000-000000000004",
      });
    }
    send(res, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: o.accessToken });
  };

  /** `{TableName, Clauses: [{$type: "where", FieldName: "type", Operator: "==", Values}], Options: {Top, SkipToken}}` → `{totalRecords, count, data, skipToken}`. */
  const powerPlatform = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    stats.calls++;
    const text = await body(req);
    if (url.searchParams.get("api-version") !== "2024-10-01") return send(res, 400, { error: { code: "InvalidApiVersion", message: "api-version" } });
    if (!o.powerPlatformToken || req.headers.authorization !== `Bearer ${o.powerPlatformToken}`) {
      return send(res, 403, { error: { code: "Forbidden", message: "The inventory API does not support app-only authentication." } });
    }
    const n = (perPath.get("/resourcequery") ?? 0) + 1;
    perPath.set("/resourcequery", n);
    const planned = o.plan?.("/resourcequery", n);
    if (planned) {
      stats.faults[String(planned.status)] = (stats.faults[String(planned.status)] ?? 0) + 1;
      return send(res, planned.status, { error: { code: planned.code ?? "Error", message: planned.message ?? "scripted" } }, planned.retryAfter !== undefined ? { "retry-after": planned.retryAfter } : {});
    }
    const q = JSON.parse(text) as { TableName?: string; Clauses?: { $type: string; FieldName: string; Values: string[] }[]; Options?: { Top?: number; SkipToken?: string } };
    const where = (q.Clauses ?? []).filter((c) => c.$type === "where" && c.FieldName === "type");
    const rows = (o.data.powerPlatformResources ?? []).filter((r) => where.every((w) => w.Values.includes(String(r["type"]))));
    const top = Math.min(q.Options?.Top ?? 100, o.pageSize ?? 100);
    const skip = q.Options?.SkipToken ? Number(Buffer.from(q.Options.SkipToken, "base64url").toString()) : 0;
    const data = rows.slice(skip, skip + top);
    stats.ok++;
    stats.served.push({ path: "/resourcequery/resources/query", query: new URLSearchParams(url.searchParams) });
    send(res, 200, { totalRecords: rows.length, count: data.length, resultTruncated: 0, data, ...(skip + top < rows.length ? { skipToken: Buffer.from(String(skip + top)).toString("base64url") } : {}) });
  };

  const server = createServer({ cert: tlsCert.cert, key: tlsCert.key }, (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    // The Entra side: OpenID configuration and the token endpoint, under /{tenant}/.
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (oidc) {
      stats.openidConfigRequests++;
      const t = oidc[1]!;
      return send(res, 200, {
        token_endpoint: `${origin}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${origin}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${origin}/${t}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${origin}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${origin}/${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${origin}/${t}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat"],
        kerberos_endpoint: `${origin}/${t}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      });
    }
    const dc = /^\/([^/]+)\/oauth2\/v2\.0\/devicecode$/.exec(url.pathname);
    if (dc && req.method === "POST") {
      body(req).then(() => send(res, 200, {
        user_code: "TESTCODE1", device_code: "test-device-code", verification_uri: `${origin}/devicelogin`, expires_in: 900, interval: 1,
        message: `To sign in, use a web browser to open the page ${origin}/devicelogin and enter the code TESTCODE1 to authenticate.`,
      })).catch(() => send(res, 500, { error: "server_error" }));
      return;
    }
    const tok = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (tok && req.method === "POST") {
      token(req, res, tok[1]!).catch(() => send(res, 500, { error: "server_error" }));
      return;
    }
    // The Power Platform inventory API (delegated tokens only): https://learn.microsoft.com/power-platform/admin/inventory-api
    if (url.pathname === "/resourcequery/resources/query" && req.method === "POST") {
      powerPlatform(req, res, url).catch(() => send(res, 500, { error: { code: "InternalServerError", message: "test server" } }));
      return;
    }
    const version = url.pathname.startsWith(`${prefix}/beta/`) ? "beta" : "v1.0";
    const graphPrefix = `${prefix}/${version}`;
    if (!url.pathname.startsWith(`${graphPrefix}/`)) return send(res, 404, graphError("NotFound", "outside the Graph prefix"));
    const path = url.pathname.slice(graphPrefix.length);
    stats.calls++;
    // reads take the read token; writes (remediation) the write token when one is configured
    const expected = req.method === "GET" || req.method === "POST" ? o.accessToken : (o.writeToken ?? o.accessToken);
    if (req.method !== "GET" && req.method !== "POST" && req.headers.authorization !== `Bearer ${expected}`) stats.writes.push({ method: req.method ?? "", path, body: "(refused: not the write token)" });
    if (req.headers.authorization !== `Bearer ${expected}`) {
      stats.unauthorized++;
      return send(res, 401, graphError("InvalidAuthenticationToken", "Access token is empty."));
    }
    const n = (perPath.get(path) ?? 0) + 1;
    perPath.set(path, n);
    const planned = o.plan?.(path, n);
    if (planned) {
      stats.faults[String(planned.status)] = (stats.faults[String(planned.status)] ?? 0) + 1;
      return send(res, planned.status, graphError(planned.code ?? "generalException", planned.message ?? "scripted failure"), planned.retryAfter !== undefined ? { "retry-after": planned.retryAfter } : {});
    }
    const f = o.faults;
    if (f) {
      const r = rand();
      const ra = { "retry-after": String(f.retryAfterSeconds ?? 0) };
      if (r < (f.p429 ?? 0)) {
        stats.faults["429"] = (stats.faults["429"] ?? 0) + 1;
        return send(res, 429, graphError("TooManyRequests", "Too many requests."), ra);
      }
      if (r < (f.p429 ?? 0) + (f.p503 ?? 0)) {
        stats.faults["503"] = (stats.faults["503"] ?? 0) + 1;
        return send(res, 503, graphError("serviceNotAvailable", "Service unavailable."), ra);
      }
      if (r < (f.p429 ?? 0) + (f.p503 ?? 0) + (f.p500 ?? 0)) {
        stats.faults["500"] = (stats.faults["500"] ?? 0) + 1;
        return send(res, 500, graphError("generalException", "General exception while processing."));
      }
    }
    if (req.method !== "GET") {
      // Remediation's writes (oauth2permissiongrant-delete, serviceprincipal-update,
      // serviceprincipal-delete-approleassignedto): recorded, applied to the fixture data, 204.
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        stats.writes.push({ method: req.method ?? "", path, body });
        const fail = o.failWrite?.(req.method ?? "", path);
        if (fail) return send(res, fail, graphError("generalException", "scripted write failure"));
        const grant = /^\/oauth2PermissionGrants\/([^/]+)$/.exec(path);
        if (req.method === "DELETE" && grant) {
          const i = o.data.grants.findIndex((g) => g["id"] === decodeURIComponent(grant[1]!));
          if (i < 0) return send(res, 404, graphError("Request_ResourceNotFound", "no such grant"));
          o.data.grants.splice(i, 1);
          res.writeHead(204).end();
          return;
        }
        const role = /^\/servicePrincipals\/([^/]+)\/appRoleAssignedTo\/([^/]+)$/.exec(path);
        if (req.method === "DELETE" && role) {
          for (const list of Object.values(o.data.appRoleAssignments ?? {})) {
            const i = list.findIndex((a) => a["id"] === decodeURIComponent(role[2]!));
            if (i >= 0) list.splice(i, 1);
          }
          res.writeHead(204).end();
          return;
        }
        const sp = /^\/servicePrincipals(?:\(appId='([^']+)'\)|\/([^/]+))$/.exec(decodeURIComponent(path));
        if (req.method === "PATCH" && sp) {
          const it = o.data.servicePrincipals.find((x) => (sp[1] ? x["appId"] === sp[1] : x["id"] === sp[2]));
          if (!it) return send(res, 404, graphError("Request_ResourceNotFound", "no such service principal"));
          Object.assign(it, JSON.parse(body || "{}") as Record<string, unknown>);
          res.writeHead(204).end();
          return;
        }
        send(res, 405, graphError("Request_BadRequest", `method ${req.method} not served for ${path}`));
      });
      return;
    }
    stats.ok++;
    stats.served.push({ path, query: new URLSearchParams(url.searchParams), version });
    graph(url, path, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    graphBaseUrl: `${origin}${prefix}/v1.0`,
    authorityHost: origin,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
