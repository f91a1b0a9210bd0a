/**
 * The live Microsoft Entra collector against a local HTTPS Microsoft Graph and token endpoint
 * (see __fixtures__/server.ts): the real @azure/identity, Graph client middleware (auth, retry,
 * paging by @odata.nextLink) over TLS to a self-signed certificate that this process trusts
 * (../google-workspace/__fixtures__/tls.ts; a child process with NODE_EXTRA_CA_CERTS at the end).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CollectContext, InputError } from "../../src/core/collector.js";
import type { AISystemRecord } from "../../src/core/finding.js";
import type { Observation } from "../../src/core/observation.js";
import { inventoryJson } from "../../reports/json.js";
import { collectGoogle } from "../google-workspace/live.js";
import { googleOptions } from "../google-workspace/config.js";
import { fakeTokens, startGoogleServer } from "../google-workspace/__fixtures__/server.js";
import { inventory, scanToDb, storedCursors, storedObservations } from "../google-workspace/__fixtures__/store.js";
import { makeTestCert, trustTestCert } from "../google-workspace/__fixtures__/tls.js";
import { MicrosoftAuthError } from "./auth.js";
import { CLOUDS, microsoftConfigSchema, microsoftOptions, type MicrosoftOptions } from "./config.js";
import { collectMicrosoft as collectViaIndex, liveCollector } from "./index.js";
import { API, collectMicrosoft, CONSENT_CURSOR, SIGNINS_CURSOR, type MicrosoftScanStats } from "./live.js";
import { startGraphServer, type GraphFixtures, type GraphServerOptions, type GraphTestServer } from "./__fixtures__/server.js";
import { COPILOT_APP_ID, tenant } from "./__fixtures__/tenant.js";

const cert = makeTestCert();
const untrust = trustTestCert(cert.cert);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-entra-live-"));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  untrust();
  cert.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJncmFwaCJ9.test-graph-token";
const SECRET = "Q~client-secret-value-0123456789";
const APP = { tenantId: "11111111-2222-3333-4444-555555555555", clientId: "66666666-7777-8888-9999-000000000000", clientSecret: SECRET, acceptAssertion: true };
const NOW = new Date("2026-11-22T06:00:00.000Z");
const FAST = { retries: 6, minTimeoutMs: 2, maxTimeoutMs: 20, sdkRetries: 3, sdkDelaySeconds: 0 };

async function server(o: Partial<GraphServerOptions> = {}, data: GraphFixtures = tenant()): Promise<GraphTestServer> {
  const s = await startGraphServer({ data, accessToken: TOKEN, pageSize: 10, app: APP, ...o }, cert);
  closers.push(() => s.close());
  return s;
}

/** Options for a client-secret app (env variables), a fixed clock and fast retries; `over` wins. */
function opts(s: GraphTestServer, over: Partial<MicrosoftOptions> = {}, section: Record<string, unknown> = {}): MicrosoftOptions {
  const env = { AZURE_TENANT_ID: APP.tenantId, AZURE_CLIENT_ID: APP.clientId, AZURE_CLIENT_SECRET: SECRET };
  return { ...microsoftOptions({ graphBaseUrl: s.graphBaseUrl, authorityHost: s.authorityHost, ...section }, env), now: () => NOW, retry: FAST, ...over };
}

async function run(o: MicrosoftOptions, ctx: Partial<CollectContext> = {}, stats?: MicrosoftScanStats) {
  const obs: Observation[] = [];
  const errors: InputError[] = [];
  const progress: [number, number | undefined, string][] = [];
  // through the collector's index, which loads the SDKs lazily
  for await (const x of collectViaIndex(o, { onError: (e) => errors.push(e), onProgress: (d, t, u) => progress.push([d, t, u]), ...ctx }, stats)) obs.push(x);
  return { obs, errors, progress };
}

/** Users (ids) and scopes of a service over all its records (one per org unit). */
function service(records: AISystemRecord[], id: string): { users: string[]; kinds: string[]; scopes: string[]; evidence: Record<string, number> } {
  const rs = records.filter((r) => r.serviceId === id);
  const evidence: Record<string, number> = {};
  for (const r of rs) for (const [k, n] of Object.entries(r.evidence)) evidence[k] = (evidence[k] ?? 0) + n;
  return {
    users: [...new Set(rs.flatMap((r) => r.users.map((u) => u.id)))].sort(),
    kinds: [...new Set(rs.flatMap((r) => r.users.map((u) => u.kind)))].sort(),
    scopes: [...new Set(rs.flatMap((r) => r.scopes))].sort(),
    evidence,
  };
}

describe("microsoft-entra live collector", () => {
  it("acceptance: paged service principals and grants give each AI app's scopes and who consented (all users for AllPrincipals)", async () => {
    const s = await server();
    const db = join(tmp, "acceptance.db");
    const stats = {} as MicrosoftScanStats;
    const r = await scanToDb(db, "microsoft-entra", (ctx) => collectMicrosoft(opts(s), ctx, stats));
    expect(r.errors).toEqual([]);
    expect(r.status).toBe("complete");
    // several pages each: fewer items per page than $top asked
    const pagesOf = (p: string) => s.stats.served.filter((x) => x.path === p).length;
    expect(pagesOf("/servicePrincipals")).toBe(4);
    expect(pagesOf("/oauth2PermissionGrants")).toBe(3);
    expect(pagesOf("/users")).toBe(3);
    expect(stats).toMatchObject({ users: 29, servicePrincipals: 32, grants: 29, appRoles: 1, signIns: 3, consents: 1 });

    // What `inventory --json` prints.
    const records = JSON.parse(inventoryJson(inventory(db))) as AISystemRecord[];
    expect(service(records, "openai-chatgpt")).toMatchObject({
      users: ["alice@example.com", "bob@example.com"],
      scopes: ["Files.Read.All", "User.Read", "openid", "profile"],
      evidence: { oauth_grant: 2, signin: 1 },
    });
    expect(service(records, "otter-ai")).toMatchObject({ users: ["all users", "staff1@example.com"], kinds: ["all_users", "user"], scopes: ["Calendars.Read", "User.Read"] });
    // Application permission only: still in the inventory.
    expect(service(records, "fireflies-ai")).toMatchObject({ users: ["application permissions"], kinds: ["application"], scopes: ["Mail.Read"], evidence: { oauth_grant: 1 } });
    // Sign-ins only (Microsoft 365 Copilot) and a consent event only (Claude).
    expect(service(records, "microsoft-365-copilot")).toMatchObject({ users: ["dave@example.com"], evidence: { signin: 1 } });
    expect(service(records, "anthropic-claude")).toMatchObject({ users: ["carol@example.com"], scopes: ["Mail.Read", "openid", "profile"], evidence: { oauth_event: 1 } });
    expect(records.find((x) => x.serviceId === "openai-chatgpt" && x.orgUnit === "Sales")?.jobTitles).toEqual(["Account Executive"]);
    // Graph omits department unless $select asks for it: it was asked.
    expect(s.stats.served.find((x) => x.path === "/users")?.query.get("$select")).toMatch(/department.*jobTitle/);

    // client credentials through @azure/identity: one token, the Graph .default scope of the global cloud
    expect(s.stats.tokenRequests).toEqual([{ scope: "https://graph.microsoft.com/.default", clientId: APP.clientId, assertion: false }]);
    expect(s.stats.unauthorized).toBe(0);

    // Re-run the same day: nothing new.
    expect((await scanToDb(db, "microsoft-entra", (ctx) => collectMicrosoft(opts(s), ctx))).inserted).toBe(0);
  });

  it("uses an access token from SHADOW_AI_GRAPH_ACCESS_TOKEN as is, with nothing else configured", async () => {
    const s = await server();
    const o = microsoftOptions({ graphBaseUrl: s.graphBaseUrl }, { SHADOW_AI_GRAPH_ACCESS_TOKEN: TOKEN });
    expect(o.auth).toEqual({ kind: "token", accessToken: TOKEN });
    const { obs, errors, progress } = await run({ ...o, now: () => NOW, retry: FAST });
    expect(errors).toEqual([]);
    expect(s.stats.tokenRequests).toEqual([]);
    expect(obs.filter((x) => x.kind === "oauth_grant")).toHaveLength(30);
    expect(progress).toContainEqual([29, 29, "users"]);
    expect(progress.at(-1)).toEqual([32, 32, "service principals"]);
  });

  it("stops with a clear error, without the token, when the access token is refused", async () => {
    const s = await server();
    const o = microsoftOptions({ graphBaseUrl: s.graphBaseUrl }, { SHADOW_AI_GRAPH_ACCESS_TOKEN: "eyJhbGciOi.expired-token-abcdefgh" });
    const err = await run({ ...o, now: () => NOW, retry: FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosoftAuthError);
    expect((err as Error).message).toMatch(/HTTP 401 InvalidAuthenticationToken.*invalid or expired/);
    expect((err as Error).message).not.toContain("expired-token-abcdefgh");
  });

  it("authenticates with a client certificate (ClientCertificateCredential, a signed client assertion)", async () => {
    const s = await server();
    const dir = mkdtempSync(join(tmp, "cert-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "2", "-subj", "/CN=shadow-ai-test"], { stdio: "ignore" });
    const pem = join(dir, "app.pem");
    writeFileSync(pem, readFileSync(join(dir, "k.pem"), "utf8") + readFileSync(join(dir, "c.pem"), "utf8"));
    const o = microsoftOptions({ graphBaseUrl: s.graphBaseUrl, authorityHost: s.authorityHost }, { AZURE_TENANT_ID: APP.tenantId, AZURE_CLIENT_ID: APP.clientId, AZURE_CLIENT_CERTIFICATE_PATH: pem });
    expect(o.auth.kind).toBe("certificate");
    const { errors } = await run({ ...o, now: () => NOW, retry: FAST, signIns: false, directoryAudits: false });
    expect(errors).toEqual([]);
    expect(s.stats.tokenRequests).toEqual([{ scope: "https://graph.microsoft.com/.default", clientId: APP.clientId, assertion: true }]);
  });

  it("asks for the national cloud's Graph scope, with graphBaseUrl and authorityHost pointing at a proxy", async () => {
    const s = await server({ prefix: "/usgov-graph" });
    const { errors } = await run(opts(s, { signIns: false, directoryAudits: false }, { cloud: "usgov" }));
    expect(errors).toEqual([]);
    expect(s.stats.tokenRequests[0]?.scope).toBe("https://graph.microsoft.us/.default");
    expect(s.stats.served[0]?.path).toBe("/users");
  });

  it("stops with a clear error, without the secret, when the credentials are refused", async () => {
    const s = await server();
    const o = opts(s);
    const err = await run({ ...o, auth: { ...(o.auth as { kind: "secret"; tenantId: string; clientId: string; clientSecret: string }), clientSecret: "wrong-secret-value-abcdef" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosoftAuthError);
    expect((err as Error).message).toMatch(/refused app 66666666-.* in tenant 11111111-.*AADSTS7000215/);
    expect((err as Error).message).not.toContain("wrong-secret-value-abcdef");
    expect(s.stats.calls).toBe(0);
  });

  it("stops with the permissions to grant when Graph answers 403 on the first call", async () => {
    const s = await server({ plan: (p) => (p === "/users" ? { status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } : undefined) });
    const err = await run(opts(s)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosoftAuthError);
    expect((err as Error).message).toMatch(/Authorization_RequestDenied.*Directory\.Read\.All and AuditLog\.Read\.All/);
  });

  it("says clearly when the tenant lacks the Entra ID P1 licence sign-ins need, and reads the rest", async () => {
    const s = await server({ noPremium: true });
    const cursors = new Map<string, string>();
    const { obs, errors } = await run(opts(s), { cursors: { get: (k) => cursors.get(k), set: (k, v) => void cursors.set(k, v) } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ input: API.signIns, partial: false });
    expect(errors[0]?.message).toMatch(/no Microsoft Entra ID P1 or P2 licence.*Authentication_RequestFromNonPremiumTenantOrB2CTenant.*microsoft\.signIns: false/);
    expect(obs.filter((o) => o.kind === "signin")).toEqual([]);
    expect(obs.filter((o) => o.kind === "oauth_event")).toHaveLength(1);
    expect(obs.filter((o) => o.kind === "oauth_grant")).toHaveLength(30);
    expect(cursors.has(SIGNINS_CURSOR)).toBe(false);
    expect(cursors.get(CONSENT_CURSOR)).toBe(JSON.stringify({ until: NOW.toISOString() }));
  });

  it("lets the Graph client honour 429 Retry-After, and retries 500s the client does not", async () => {
    const s = await server({
      plan: (p, n) => (p === "/oauth2PermissionGrants" && n === 1 ? { status: 429, code: "TooManyRequests", retryAfter: "1" } : p === "/servicePrincipals" && n === 1 ? { status: 500 } : undefined),
    });
    const stats = {} as MicrosoftScanStats;
    const t0 = Date.now();
    const { obs, errors } = await run(opts(s), {}, stats);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(errors).toEqual([]);
    expect(s.stats.faults).toEqual({ "429": 1, "500": 1 });
    expect(stats.retry.byCause).toEqual({ "500": 1 }); // the 429 never reached this layer: the SDK waited it out
    expect(obs.filter((o) => o.kind === "oauth_grant")).toHaveLength(30);
  });

  it("a partial scan keeps every grant it already knew", async () => {
    const s = await server();
    const db = join(tmp, "partial.db");
    await scanToDb(db, "microsoft-entra", (ctx) => collectMicrosoft(opts(s), ctx));
    const before = inventory(db);
    // the next day, page 2 of the grants and every sign-in call fail
    const broken = await server({ plan: (p, n) => ((p === "/oauth2PermissionGrants" && n >= 2) || p === "/auditLogs/signIns" ? { status: 500 } : undefined) });
    const next = await scanToDb(db, "microsoft-entra", (ctx) => collectMicrosoft(opts(broken, { now: () => new Date("2026-11-23T06:00:00.000Z"), retry: { ...FAST, retries: 1 } }), ctx));
    expect(next.status).toBe("partial");
    expect(next.errors.map((e) => [e.input, e.partial])).toEqual([
      [API.grants, true],
      [API.signIns, true],
    ]);
    const after = inventory(db);
    for (const id of ["openai-chatgpt", "otter-ai", "fireflies-ai", "microsoft-365-copilot", "anthropic-claude"]) {
      expect(service(after, id).users, id).toEqual(service(before, id).users);
      expect(service(after, id).scopes, id).toEqual(service(before, id).scopes);
    }
    // the sign-in cursor did not move past the failure
    expect(JSON.parse(storedCursors(db, "microsoft-entra")[SIGNINS_CURSOR]!)).toEqual({ until: NOW.toISOString() });
  });

  it("killed mid-way and run again ends with the same inventory as one clean run", async () => {
    const data = tenant();
    for (let d = 0; d < 5; d++) {
      for (let k = 0; k < 5; k++) {
        data.signIns!.push({
          id: `si-${d}-${k}`, createdDateTime: new Date(Date.UTC(2026, 10, 17 + d, 9 + k)).toISOString(), userPrincipalName: k % 2 ? "bob@example.com" : "carol@example.com",
          appId: k % 2 ? COPILOT_APP_ID : "c0000000-0000-0000-0000-000000000002", appDisplayName: k % 2 ? "Enterprise Copilot Platform" : "ChatGPT", ipAddress: `198.51.100.${d * 10 + k}`, status: { errorCode: 0 },
        });
      }
    }
    const s = await server({ pageSize: 4, faults: { p429: 0.05, p500: 0.03, retryAfterSeconds: 0, seed: 3 } }, data);
    const o = opts(s, { initialDays: 6, windowHours: 24, lookbackMinutes: 30 });
    const clean = join(tmp, "clean.db");
    const total = await scanToDb(clean, "microsoft-entra", (ctx) => collectMicrosoft(o, ctx));
    expect(total.status).toBe("complete");
    const killed = join(tmp, "killed.db");
    expect((await scanToDb(killed, "microsoft-entra", (ctx) => collectMicrosoft(o, ctx), { killAfter: 12, flushEvery: 5 })).status).toBe("killed");
    expect((await scanToDb(killed, "microsoft-entra", (ctx) => collectMicrosoft(o, ctx), { killAfter: total.read - 8, flushEvery: 5 })).status).toBe("killed");
    expect(storedCursors(killed, "microsoft-entra")[SIGNINS_CURSOR]).toBeDefined();
    expect((await scanToDb(killed, "microsoft-entra", (ctx) => collectMicrosoft(o, ctx))).status).toBe("complete");
    expect(storedObservations(killed)).toEqual(storedObservations(clean));
    expect(inventory(killed)).toEqual(inventory(clean));
    expect(storedCursors(killed, "microsoft-entra")).toEqual(storedCursors(clean, "microsoft-entra"));
  });

  it("one person is one user: a Google e-mail and an Entra UPN that differ only in case", async () => {
    const g = await startGoogleServer({ users: [{ id: "1", primaryEmail: "Alice@Example.COM", department: "Sales" }], tokens: fakeTokens, accessToken: "ya29.google-token-0000" }, cert);
    closers.push(() => g.close());
    const s = await server();
    const db = join(tmp, "both.db");
    const go = { ...googleOptions({ rootUrl: g.rootUrl }, { SHADOW_AI_GOOGLE_ACCESS_TOKEN: "ya29.google-token-0000" }), now: () => NOW, initialDays: 1, maxCallsPerMinute: 0 };
    expect((await scanToDb(db, "google-workspace", (ctx) => collectGoogle(go, ctx))).errors).toEqual([]);
    expect((await scanToDb(db, "microsoft-entra", (ctx) => collectMicrosoft(opts(s), ctx))).errors).toEqual([]);
    const sales = inventory(db).find((r) => r.serviceId === "openai-chatgpt" && r.orgUnit === "Sales")!;
    expect(sales.users.map((u) => u.id)).toEqual(["alice@example.com"]);
    expect(sales.sources).toEqual(["google-workspace", "microsoft-entra"]);
  });

  it("works the production way too: a child process trusting the certificate through NODE_EXTRA_CA_CERTS", async () => {
    const s = await server();
    const child = (extra: string) => {
      const c = spawn(process.execPath, [join(import.meta.dirname, "__fixtures__", "extra-ca-child.mjs"), s.graphBaseUrl], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: extra, SHADOW_AI_GRAPH_ACCESS_TOKEN: TOKEN },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      c.stdout.on("data", (d) => (out += String(d)));
      c.stderr.on("data", (d) => (err += String(d)));
      return new Promise<{ code: number | null; out: string; err: string }>((r) => c.on("close", (code) => r({ code, out, err })));
    };
    const ok = await child(cert.certFile);
    expect(ok.err).toBe("");
    expect(JSON.parse(ok.out)).toEqual({ users: 29, first: "Alice@Example.com" });
    const bare = await child("");
    expect(bare.code).not.toBe(0);
  });
});

describe("microsoft: configuration", () => {
  it("declares the live collector", () => {
    expect(liveCollector).toMatchObject({ id: "microsoft-entra", displayName: "Microsoft Entra ID (Microsoft Graph, live)" });
  });

  it("knows the national clouds' Graph, authority and scope", () => {
    const env = { SHADOW_AI_GRAPH_ACCESS_TOKEN: "t0ken-value" };
    expect(microsoftOptions(undefined, env)).toMatchObject({ cloud: "global", graphBaseUrl: "https://graph.microsoft.com/v1.0", authorityHost: "https://login.microsoftonline.com", scope: "https://graph.microsoft.com/.default" });
    expect(microsoftOptions({ cloud: "usgov" }, env)).toMatchObject({ graphBaseUrl: "https://graph.microsoft.us/v1.0", authorityHost: "https://login.microsoftonline.us", scope: "https://graph.microsoft.us/.default" });
    expect(microsoftOptions({ cloud: "usgovdod" }, env)).toMatchObject({ graphBaseUrl: "https://dod-graph.microsoft.us/v1.0", scope: "https://dod-graph.microsoft.us/.default" });
    expect(microsoftOptions({ cloud: "china" }, env)).toMatchObject({ graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn/v1.0", authorityHost: "https://login.chinacloudapi.cn", scope: "https://microsoftgraph.chinacloudapi.cn/.default" });
    expect(microsoftOptions({ cloud: "usgov", graphBaseUrl: "https://proxy.example/graph/v1.0/", authorityHost: "https://login-proxy.example" }, env)).toMatchObject({
      graphBaseUrl: "https://proxy.example/graph/v1.0", authorityHost: "https://login-proxy.example", scope: "https://graph.microsoft.us/.default",
    });
    expect(microsoftOptions(undefined, { ...env, AZURE_AUTHORITY_HOST: "https://login.example" }).authorityHost).toBe("https://login.example");
    expect(Object.keys(CLOUDS)).toEqual(["global", "usgov", "usgovdod", "china"]);
  });

  it("takes client credentials from the AZURE_* variables and says what is missing", () => {
    expect(microsoftOptions({}, { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" }).auth).toEqual({ kind: "secret", tenantId: "t", clientId: "c", clientSecret: "s" });
    expect(microsoftOptions({ tenantId: "t2" }, { AZURE_CLIENT_ID: "c", AZURE_CLIENT_CERTIFICATE_PATH: "/app.pem", AZURE_CLIENT_CERTIFICATE_PASSWORD: "pw" }).auth).toEqual({
      kind: "certificate", tenantId: "t2", clientId: "c", certificatePath: "/app.pem", certificatePassword: "pw",
    });
    expect(() => microsoftOptions({}, { AZURE_CLIENT_ID: "c" })).toThrow(/SHADOW_AI_GRAPH_ACCESS_TOKEN, or AZURE_TENANT_ID .*AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.*Directory\.Read\.All and AuditLog\.Read\.All/);
  });

  it("validates the microsoft: section strictly and refuses a plain-http Graph URL", () => {
    expect(microsoftConfigSchema.safeParse({ cloud: "usgov", graphBaseUrl: "https://graph.microsoft.us/v1.0" }).success).toBe(true);
    const http = microsoftConfigSchema.safeParse({ graphBaseUrl: "http://127.0.0.1:8080/v1.0" });
    expect(http.success).toBe(false);
    expect(http.error?.issues[0]?.message).toMatch(/https:\/\/.*no Authorization header/);
    expect(microsoftConfigSchema.safeParse({ cloud: "germany" }).success).toBe(false);
    expect(microsoftConfigSchema.safeParse({ clientSecret: "x" }).success).toBe(false);
  });
});
