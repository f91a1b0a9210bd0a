/**
 * Sanctioned Gemini use per user: `scan google` reads the Reports API
 * `applicationName=gemini_in_workspace_apps` against the local HTTPS Admin SDK test server, through
 * the real googleapis client, into a real inventory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CollectContext, InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { googleOptions, type GoogleOptions } from "./config.js";
import { GEMINI_ACTIVITIES_API, GEMINI_APP_NAME, GEMINI_CURSOR } from "./gemini.js";
import { collectGoogle } from "./live.js";
import { startGoogleServer, type FakeActivity, type GoogleServerOptions } from "./__fixtures__/server.js";
import { inventory, scanToDb, storedCursors } from "./__fixtures__/store.js";
import { makeTestCert, trustTestCert } from "./__fixtures__/tls.js";

const cert = makeTestCert();
const untrust = trustTestCert(cert.cert);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-gemini-"));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  untrust();
  cert.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const TOKEN = "ya29.gemini-test-token-0000";
const NOW = new Date("2026-11-22T06:00:00.000Z");
const users = [
  { id: "1", primaryEmail: "alice@example.com", department: "Sales" },
  { id: "2", primaryEmail: "bob@example.com", department: "Engineering" },
];
const use = (time: string, q: string, email: string, app: string, action = "generate_text"): FakeActivity => ({
  time, uniqueQualifier: q, actorEmail: email,
  events: [{ name: "feature_utilization", parameters: [{ name: "action", value: action }, { name: "app_name", value: app }, { name: "event_category", value: "active" }] }],
});
const geminiActivities = [
  use("2026-11-20T09:00:00.000Z", "g1", "alice@example.com", "gmail", "suggest_full_replies"),
  use("2026-11-20T15:00:00.000Z", "g2", "alice@example.com", "gmail"),
  use("2026-11-21T10:00:00.000Z", "g3", "alice@example.com", "docs", "summarize"),
  use("2026-11-21T11:00:00.000Z", "g4", "Bob@Example.com", "docs"),
  use("2026-11-21T12:00:00.000Z", "g5", "bob@example.com", "docs"),
];

async function server(o: Partial<GoogleServerOptions> = {}) {
  const s = await startGoogleServer({ users, tokens: () => [], accessToken: TOKEN, geminiActivities, activitiesPageSize: 2, ...o }, cert);
  closers.push(() => s.close());
  return s;
}

function opts(rootUrl: string): GoogleOptions {
  return { ...googleOptions({ rootUrl }, { SHADOW_AI_GOOGLE_ACCESS_TOKEN: TOKEN }), now: () => NOW, initialDays: 3, maxCallsPerMinute: 0, retry: { retries: 3, minTimeoutMs: 2, maxTimeoutMs: 20 } };
}

describe("Gemini in Workspace apps (Reports API)", () => {
  it("gives one piece of evidence per user, day and app, matched to Gemini for Workspace, and moves its own cursor", async () => {
    const s = await server();
    const db = join(tmp, "gemini.db");
    const r = await scanToDb(db, "google-workspace", (ctx) => collectGoogle(opts(s.rootUrl), ctx));
    expect(r.errors).toEqual([]);
    const gemini = inventory(db).filter((x) => x.serviceId === "gemini-for-workspace");
    expect(gemini.map((x) => [x.orgUnit, x.users.map((u) => [u.id, u.observations])])).toEqual([
      ["Engineering", [["bob@example.com", 1]]],
      ["Sales", [["alice@example.com", 2]]],
    ]);
    expect(gemini[0]!.evidence).toEqual({ log: 1 });
    expect(JSON.parse(storedCursors(db, "google-workspace")[GEMINI_CURSOR]!)).toEqual({ until: NOW.toISOString() });
    // the same days read again: nothing new
    expect((await scanToDb(db, "google-workspace", (ctx) => collectGoogle(opts(s.rootUrl), ctx))).inserted).toBe(0);
  });

  it("a refused Gemini read is one clear note; tokens and token events are still read", async () => {
    const s = await server({ plan: (p) => (p.endsWith("/gemini_in_workspace_apps") ? { status: 403, reason: "forbidden" } : undefined) });
    const errors: InputError[] = [];
    const obs: Observation[] = [];
    const ctx: CollectContext = { onError: (e) => errors.push(e) };
    for await (const o of collectGoogle(opts(s.rootUrl), ctx)) obs.push(o);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ input: GEMINI_ACTIVITIES_API, partial: false });
    expect(errors[0]!.message).toMatch(/HTTP 403.*admin\.reports\.audit\.readonly/);
    expect(obs.filter((o) => o.appName === GEMINI_APP_NAME)).toEqual([]);
  });

  it("can be switched off with google.gemini: false", async () => {
    const s = await server();
    const o = { ...opts(s.rootUrl), gemini: false };
    const obs: Observation[] = [];
    for await (const x of collectGoogle(o, { onError: () => undefined })) obs.push(x);
    expect(obs.filter((x) => x.appName === GEMINI_APP_NAME)).toEqual([]);
    expect(s.stats.calls).toBeGreaterThan(0);
  });
});
