/**
 * The live Google Workspace collector against a local HTTPS Admin SDK (see __fixtures__/server.ts):
 * the real googleapis / google-auth-library / gaxios code paths, over TLS to a self-signed
 * certificate that this process trusts (__fixtures__/tls.ts; a child process with
 * NODE_EXTRA_CA_CERTS is tested at the end).
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CollectContext, InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { contentKey } from "../../src/store/content-key.js";
import { GoogleAuthError } from "./auth.js";
import { GOOGLE_SCOPES, googleConfigSchema, googleOptions, type GoogleOptions } from "./config.js";
import { fakeTokenCount, fakeTokens, fakeUsers, startGoogleServer, type FakeActivity, type GoogleServerOptions, type GoogleTestServer } from "./__fixtures__/server.js";
import { inventory, scanToDb, storedCursors, storedObservations } from "./__fixtures__/store.js";
import { makeTestCert, trustTestCert } from "./__fixtures__/tls.js";
import { collectGoogle as collectViaIndex, liveCollector } from "./index.js";
import { collectGoogle, REPORTS_CURSOR, TOKEN_ACTIVITIES_API, tokensApi, type GoogleScanStats } from "./live.js";

const cert = makeTestCert();
const untrust = trustTestCert(cert.cert);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-gws-live-"));
const servers: GoogleTestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  untrust();
  cert.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const TOKEN = "ya29.test-access-token-0123456789";
const NOW = new Date("2026-11-22T06:00:00.000Z");
const FAST = { retries: 10, minTimeoutMs: 2, maxTimeoutMs: 20 };

async function server(o: Partial<GoogleServerOptions> & Pick<GoogleServerOptions, "users">): Promise<GoogleTestServer> {
  const s = await startGoogleServer({ tokens: fakeTokens, accessToken: TOKEN, ...o }, cert);
  servers.push(s);
  return s;
}

/** Options with the env token and a fixed clock; `over` wins. */
function opts(s: GoogleTestServer, over: Partial<GoogleOptions> = {}): GoogleOptions {
  return { ...googleOptions({ rootUrl: s.rootUrl }, { SHADOW_AI_GOOGLE_ACCESS_TOKEN: TOKEN }), now: () => NOW, retry: FAST, initialDays: 3, maxCallsPerMinute: 0, ...over };
}

async function run(o: GoogleOptions, ctx: Partial<CollectContext> = {}, stats?: GoogleScanStats) {
  const obs: Observation[] = [];
  const errors: InputError[] = [];
  const progress: [number, number | undefined, string][] = [];
  // through the collector's index, which loads the SDKs lazily
  for await (const x of collectViaIndex(o, { onError: (e) => errors.push(e), onProgress: (d, t, u) => progress.push([d, t, u]), ...ctx }, stats)) obs.push(x);
  return { obs, errors, progress };
}

const param = (name: string, v: unknown) => (Array.isArray(v) ? { name, multiValue: v } : typeof v === "number" ? { name, intValue: String(v) } : { name, value: v });
function tokenEvent(time: string, q: string, email: string, name: string, p: Record<string, unknown>): FakeActivity {
  return { time, uniqueQualifier: q, actorEmail: email, ipAddress: "203.0.113.7", events: [{ name, parameters: Object.entries(p).map(([k, v]) => param(k, v)) }] };
}

describe("google-workspace live collector", () => {
  it("reads users, every user's tokens and token events with an access token from the environment", async () => {
    const users = fakeUsers(12);
    users[1]!.primaryEmail = "User00001@Example.com"; // mixed case in the directory
    const s = await server({
      users, usersPageSize: 5,
      activities: [
        tokenEvent("2026-11-21T10:00:00.000Z", "1", "user00000@example.com", "authorize", { client_id: "000000000011-chatgpt.apps.googleusercontent.com", app_name: "ChatGPT", client_type: "WEB", scope: ["openid", "https://www.googleapis.com/auth/drive.readonly"] }),
        tokenEvent("2026-11-21T11:00:00.000Z", "2", "user00003@example.com", "activity", { client_id: "000000000011-chatgpt.apps.googleusercontent.com", app_name: "ChatGPT", api_name: "drive", method_name: "drive.files.list", num_response_bytes: 48213 }),
        // An app seen only in Reports, and since revoked: still evidence.
        tokenEvent("2026-11-20T09:00:00.000Z", "3", "user00004@example.com", "revoke", { client_id: "000000000099-claude.apps.googleusercontent.com", app_name: "Claude", client_type: "WEB", scope: ["openid"] }),
      ],
    });
    const { obs, errors, progress } = await run(opts(s));
    expect(errors).toEqual([]);
    expect(s.stats.unauthorized).toBe(0);
    const grants = obs.filter((o) => o.kind === "oauth_grant");
    expect(grants).toHaveLength(fakeTokenCount(12));
    expect(grants[0]).toMatchObject({ source: "google-workspace", time: "2026-11-22T00:00:00.000Z", action: "granted" });
    const chatgpt0 = grants.find((o) => o.user === "user00000@example.com" && o.appName === "ChatGPT");
    expect(chatgpt0).toEqual({
      source: "google-workspace", kind: "oauth_grant", time: "2026-11-22T00:00:00.000Z", action: "granted",
      clientId: "000000000011-chatgpt.apps.googleusercontent.com", appName: "ChatGPT",
      scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/drive.readonly"],
      user: "user00000@example.com", department: "Sales", jobTitle: "Manager",
      ref: { api: "/admin/directory/v1/users/user00000@example.com/tokens", id: "000000000011-chatgpt.apps.googleusercontent.com/user00000@example.com" },
    });
    // department from orgUnitPath when no organization gives one; e-mail lower-cased
    expect(grants.find((o) => o.user === "user00003@example.com")?.department).toBe("Sales");
    expect(obs.every((o) => o.user === undefined || o.user === o.user.toLowerCase())).toBe(true);

    const events = obs.filter((o) => o.kind === "oauth_event");
    expect(events.map((o) => [o.action, o.appName, o.user, o.time, o.bytes])).toEqual([
      ["revoke", "Claude", "user00004@example.com", "2026-11-20T09:00:00.000Z", undefined],
      // windows oldest first, each window newest first (as the API returns it)
      ["activity", "ChatGPT", "user00003@example.com", "2026-11-21T11:00:00.000Z", 48213],
      ["authorize", "ChatGPT", "user00000@example.com", "2026-11-21T10:00:00.000Z", undefined],
    ]);
    expect(events[0]?.ref).toEqual({ api: TOKEN_ACTIVITIES_API, id: "2026-11-20T09:00:00.000Z/3" });
    // users.list asked 500 per page, got 5: every page followed
    expect(progress[0]).toEqual([0, undefined, "users"]);
    expect(progress.at(-1)).toEqual([12, 12, "users"]);
  });

  it("signs a domain-wide delegation JWT with the three read-only scopes and the admin as sub", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = join(tmp, "sa.json");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(keyFile, JSON.stringify({ type: "service_account", client_email: "scanner@proj.iam.gserviceaccount.com", private_key: pem, private_key_id: "k1" }));
    const s = await server({
      users: fakeUsers(6),
      serviceAccount: { email: "scanner@proj.iam.gserviceaccount.com", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), subjects: ["admin@example.com"], scopes: [...GOOGLE_SCOPES] },
    });
    const o = googleOptions({ rootUrl: s.rootUrl, tokenUrl: s.tokenUrl, keyFile, subject: "admin@example.com" }, {});
    expect(o.auth).toEqual({ kind: "serviceAccount", keyFile, subject: "admin@example.com" });
    const { obs, errors } = await run({ ...o, now: () => NOW, retry: FAST, initialDays: 1 });
    expect(errors).toEqual([]);
    expect(obs.filter((x) => x.kind === "oauth_grant")).toHaveLength(fakeTokenCount(6));
    expect(s.stats.tokenRequests).toBe(1); // one token for every call
    expect(s.stats.unauthorized).toBe(0);
    expect(s.stats.claims[0]).toMatchObject({
      iss: "scanner@proj.iam.gserviceaccount.com",
      sub: "admin@example.com",
      aud: "https://oauth2.googleapis.com/token",
      scope: GOOGLE_SCOPES.join(" "),
    });

    // Delegation not granted for this admin: a clear fatal error, without the key.
    const refused = googleOptions({ rootUrl: s.rootUrl, tokenUrl: s.tokenUrl, keyFile, subject: "someone@example.com" }, {});
    const err = await run({ ...refused, now: () => NOW, retry: FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleAuthError);
    expect((err as Error).message).toMatch(/unauthorized_client.*Domain-wide delegation/);
    expect((err as Error).message).not.toContain("PRIVATE KEY");
    expect((err as Error).message).not.toContain(pem.slice(40, 80));
  });

  it("stops with a clear error, without the token, when the token is refused on the first call", async () => {
    const s = await server({ users: fakeUsers(3) });
    const err = await run({ ...opts(s), auth: { kind: "token", accessToken: "ya29.expired-token-abcdefgh" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleAuthError);
    expect((err as Error).message).toMatch(/HTTP 401.*expired/);
    expect((err as Error).message).not.toContain("expired-token-abcdefgh");
  });

  it("acceptance: 2,000 users over 10 pages, 5% 429/403 rate limits and 1% 500s: every grant stored exactly once", async () => {
    const s = await server({ users: fakeUsers(2000), usersPageSize: 200, faults: { p429: 0.025, p403: 0.025, p500: 0.01, retryAfterSeconds: 0, seed: 42 } });
    const db = join(tmp, "acceptance.db");
    const stats = {} as GoogleScanStats;
    const first = await scanToDb(db, "google-workspace", (ctx) => collectGoogle(opts(s, { concurrency: 20 }), ctx, stats));
    expect(first.errors).toEqual([]);
    expect(first.status).toBe("complete");
    expect(stats.users).toBe(2000);
    expect(stats.grants).toBe(fakeTokenCount(2000));
    expect(s.stats.faults["429"]).toBeGreaterThan(20);
    expect(Object.keys(s.stats.faults).filter((k) => k.startsWith("403 ")).sort()).toEqual(["403 quotaExceeded", "403 rateLimitExceeded", "403 userRateLimitExceeded"]);
    expect(s.stats.faults["500"]).toBeGreaterThan(5);
    expect(stats.retry.retries).toBe(Object.values(s.stats.faults).reduce((a, b) => a + b, 0));

    // AI grants stored: ChatGPT (every 3rd user) and Otter.ai (every 5th); Slack matches nothing.
    const rows = storedObservations(db).filter((r) => r["kind"] === "oauth_grant");
    const ai = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 1 : 0) + (i % 5 === 0 ? 1 : 0)).reduce((a, b) => a + b, 0);
    expect(rows).toHaveLength(ai);
    expect(new Set(rows.map((r) => `${r["user"]} ${r["app_name"]}`)).size).toBe(ai);

    // (A second run the same day storing nothing new is shown on a smaller tenant in the "killed mid-way" test.)
  });

  it("honours Retry-After on 429 and retries 403 rate limits, which googleapis itself never retries", async () => {
    const s = await server({
      users: fakeUsers(4),
      plan: (path, n) =>
        path === "/admin/directory/v1/users" && n === 1
          ? { status: 429, retryAfter: "1" }
          : path.endsWith("/user00002@example.com/tokens") && n <= 2
            ? { status: 403, reason: n === 1 ? "userRateLimitExceeded" : "quotaExceeded" }
            : undefined,
    });
    const stats = {} as GoogleScanStats;
    const t0 = Date.now();
    const { obs, errors } = await run(opts(s, { initialDays: 1 }), {}, stats);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(errors).toEqual([]);
    expect(obs.filter((o) => o.kind === "oauth_grant")).toHaveLength(fakeTokenCount(4));
    expect(stats.retry.byCause).toEqual({ "429": 1, "403 userRateLimitExceeded": 1, "403 quotaExceeded": 1 });
  });

  it("keeps going when one user's tokens or one Reports window fail: partial errors, the cursor stays before the failed window", async () => {
    const s = await server({
      users: fakeUsers(9),
      alwaysFail: (path) => path === "/admin/directory/v1/users/user00003@example.com/tokens",
      // the 2nd Reports window fails on every attempt (1 + 2 retries)
      plan: (path, n) => (path === "/admin/reports/v1/activity/users/all/applications/token" && n >= 2 && n <= 4 ? { status: 500 } : undefined),
      activities: [tokenEvent("2026-11-21T10:00:00.000Z", "1", "user00000@example.com", "authorize", { client_id: "c1", app_name: "ChatGPT", scope: ["openid"] })],
    });
    const cursors = new Map<string, string>();
    const { obs, errors } = await run(opts(s, { retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 } }), {
      cursors: { get: (k) => cursors.get(k), set: (k, v) => void cursors.set(k, v) },
    });
    expect(errors.map((e) => [e.input, e.partial])).toEqual([
      [tokensApi("user00003@example.com"), true],
      [TOKEN_ACTIVITIES_API, true],
    ]);
    expect(errors[0]?.message).toMatch(/HTTP 500 backendError.*kept as known/);
    expect(errors[1]?.message).toMatch(/2026-11-20T06:00:00.000Z\.\.2026-11-21T06:00:00.000Z.*cursor stays/);
    expect(obs.filter((o) => o.kind === "oauth_grant")).toHaveLength(fakeTokenCount(9) - fakeTokens(fakeUsers(9)[3]!, 3).length);
    expect(obs.filter((o) => o.kind === "oauth_event")).toHaveLength(1); // the 3rd window was still read
    expect(cursors.get(REPORTS_CURSOR)).toBe(JSON.stringify({ until: "2026-11-20T06:00:00.000Z" }));
  });

  it("reads the Reports API incrementally from the stored cursor, less the look-back", async () => {
    const s = await server({ users: fakeUsers(1) });
    const cursors = new Map([[REPORTS_CURSOR, JSON.stringify({ until: "2026-11-22T03:00:00.000Z" })]]);
    await run(opts(s, { lookbackMinutes: 60 }), { cursors: { get: (k) => cursors.get(k), set: (k, v) => void cursors.set(k, v) } });
    expect(s.stats.activityQueries.map((q) => [q.get("startTime"), q.get("endTime")])).toEqual([["2026-11-22T02:00:00.000Z", "2026-11-22T06:00:00.000Z"]]);
    expect(cursors.get(REPORTS_CURSOR)).toBe(JSON.stringify({ until: NOW.toISOString() }));
  });

  it("keeps the path prefix of google.rootUrl (a proxy)", async () => {
    const s = await server({ users: fakeUsers(3), prefix: "/google-proxy" });
    expect(s.rootUrl).toMatch(/\/google-proxy\/$/);
    const { obs, errors } = await run(opts(s, { rootUrl: s.rootUrl.replace(/\/$/, "") }));
    expect(errors).toEqual([]);
    expect(obs.filter((o) => o.kind === "oauth_grant")).toHaveLength(fakeTokenCount(3));
  });

  it("killed mid-way and run again ends with the same inventory as one clean run", async () => {
    const acts: FakeActivity[] = [];
    for (let d = 0; d < 5; d++) {
      for (let k = 0; k < 6; k++) {
        const t = new Date(Date.UTC(2026, 10, 17 + d, 8 + k)).toISOString();
        acts.push(tokenEvent(t, `${d}-${k}`, `user0000${k}@example.com`, k % 2 ? "activity" : "authorize", { client_id: "000000000011-chatgpt.apps.googleusercontent.com", app_name: k % 3 ? "ChatGPT" : "Otter.ai", scope: ["openid"] }));
      }
    }
    const s = await server({ users: fakeUsers(60), usersPageSize: 25, activities: acts, activitiesPageSize: 4, faults: { p429: 0.05, p500: 0.02, seed: 9 } });
    const o = opts(s, { initialDays: 6, lookbackMinutes: 30 });
    const clean = join(tmp, "clean.db");
    expect((await scanToDb(clean, "google-workspace", (ctx) => collectGoogle(o, ctx))).status).toBe("complete");

    const killed = join(tmp, "killed.db");
    // killed after most grants, and again part-way through the token events
    const k1 = await scanToDb(killed, "google-workspace", (ctx) => collectGoogle(o, ctx), { killAfter: 30, flushEvery: 7 });
    expect(k1.status).toBe("killed");
    const total = (await scanToDb(join(tmp, "count.db"), "google-workspace", (ctx) => collectGoogle(o, ctx))).read;
    const k2 = await scanToDb(killed, "google-workspace", (ctx) => collectGoogle(o, ctx), { killAfter: total - 10, flushEvery: 7 });
    expect(k2.status).toBe("killed");
    expect(storedCursors(killed, "google-workspace")[REPORTS_CURSOR]).toBeDefined(); // some windows committed
    const last = await scanToDb(killed, "google-workspace", (ctx) => collectGoogle(o, ctx));
    expect(last.status).toBe("complete");

    expect(storedObservations(killed)).toEqual(storedObservations(clean));
    expect(inventory(killed)).toEqual(inventory(clean));
    expect(storedCursors(killed, "google-workspace")).toEqual(storedCursors(clean, "google-workspace"));
  });

  it("gives each grant a content key that does not change between runs of a day", async () => {
    const s = await server({ users: fakeUsers(5) });
    const a = (await run(opts(s))).obs.map((o) => contentKey(o).toString("hex")).sort();
    const b = (await run(opts(s, { now: () => new Date("2026-11-22T23:59:00.000Z") }))).obs.map((o) => contentKey(o).toString("hex")).sort();
    expect(b.filter((k) => a.includes(k)).length).toBe(fakeTokenCount(5));
  });

  it("works the production way too: a child process trusting the certificate through NODE_EXTRA_CA_CERTS", async () => {
    const s = await server({ users: fakeUsers(2) });
    const child = spawn(process.execPath, [join(import.meta.dirname, "__fixtures__", "extra-ca-child.mjs"), s.rootUrl], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.certFile, SHADOW_AI_GOOGLE_ACCESS_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (err += String(d)));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ users: ["user00000@example.com", "user00001@example.com"], tokens: ["ChatGPT", "Otter.ai", "Slack"] });
    // ...and without it, TLS verification fails as it should
    const bare = spawn(process.execPath, [join(import.meta.dirname, "__fixtures__", "extra-ca-child.mjs"), s.rootUrl], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: "", SHADOW_AI_GOOGLE_ACCESS_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let bareErr = "";
    bare.stderr.on("data", (d) => (bareErr += String(d)));
    expect(await new Promise<number | null>((r) => bare.on("close", r))).not.toBe(0);
    expect(bareErr).toMatch(/self[- ]signed|SELF_SIGNED/i);
  });
});

describe("google: configuration", () => {
  it("declares the live collector", () => {
    expect(liveCollector).toMatchObject({ id: "google-workspace", displayName: "Google Workspace (Admin SDK, live)" });
  });

  it("needs nothing but the access-token variable", () => {
    expect(googleOptions(undefined, { SHADOW_AI_GOOGLE_ACCESS_TOKEN: "t0ken-value" })).toEqual({
      auth: { kind: "token", accessToken: "t0ken-value" }, customer: "my_customer", concurrency: 10, maxCallsPerMinute: 2400, lookbackMinutes: 180,
    });
  });

  it("takes a key file from GOOGLE_APPLICATION_CREDENTIALS and requires the admin to act as", () => {
    expect(googleOptions({ subject: "admin@example.com" }, { GOOGLE_APPLICATION_CREDENTIALS: "/k.json" }).auth).toEqual({ kind: "serviceAccount", keyFile: "/k.json", subject: "admin@example.com" });
    expect(() => googleOptions({}, { GOOGLE_APPLICATION_CREDENTIALS: "/k.json" })).toThrow(/google\.subject is required/);
    expect(() => googleOptions({}, {})).toThrow(/SHADOW_AI_GOOGLE_ACCESS_TOKEN.*google\.keyFile/);
  });

  it("validates the google: section strictly", () => {
    expect(googleConfigSchema.safeParse({ rootUrl: "https://proxy.example/google/", customer: "C01abc" }).success).toBe(true);
    expect(googleConfigSchema.safeParse({ rootURL: "https://x" }).success).toBe(false);
    expect(googleConfigSchema.safeParse({ rootUrl: "ftp://x" }).success).toBe(false);
    expect(googleConfigSchema.safeParse({ accessToken: "secret" }).success).toBe(false);
  });
});
