/**
 * Vendor rosters end to end (#15), through the built CLI (dist/, `npx tsc -p tsconfig.build.json`)
 * against local servers speaking the OpenAI and Anthropic admin APIs in their documented shapes
 * (collectors/{openai,anthropic}/__fixtures__/server.ts: pages of 2, a 429 on every path's first
 * call, 401 for a wrong key), with real SQLite files.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiFixture, startOpenAIServer } from "../../collectors/openai/__fixtures__/server.js";
import { anthropicFixture, startAnthropicServer } from "../../collectors/anthropic/__fixtures__/server.js";
import { secretForms } from "../io/redact.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");
const OPENAI_KEY = "sk-admin-TEST0penAIk3y-9f8e7d6c5b4a39281706";
const ANTHROPIC_KEY = "sk-ant-admin01-TESTanthr0pic-k3y-0a1b2c3d4e5f";
const NOW = "2026-12-07T12:00:00Z";
const outputs: string[] = [];

/** Run the built CLI. Asynchronous: the fixture servers live in this process and must keep answering. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, OPENAI_ADMIN_KEY: OPENAI_KEY, ANTHROPIC_ADMIN_KEY: ANTHROPIC_KEY, SHADOW_AI_NOW: NOW, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)));
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "shadow-ai-seats-"));
let openai: Awaited<ReturnType<typeof startOpenAIServer>>;
let anthropic: Awaited<ReturnType<typeof startAnthropicServer>>;
let dir: string;
let cfg: string;

beforeAll(async () => {
  openai = await startOpenAIServer(openaiFixture(), OPENAI_KEY, { pageSize: 2 });
  anthropic = await startAnthropicServer(anthropicFixture(), ANTHROPIC_KEY, { pageSize: 2 });
  dir = tmp();
  cfg = join(dir, "shadow-ai.yaml");
  writeFileSync(cfg, `openai:\n  baseUrl: ${openai.url}\n  organization: acme\n  pageSize: 2\n  initialDays: 365\nanthropic:\n  baseUrl: ${anthropic.url}\n  pageSize: 2\n  initialDays: 5\n`);
});
afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
});

/** Roster rows without scan stamps, sorted: what a scan stored, comparable across databases. */
type Rows = { principals: unknown[]; keys: unknown[]; groups: unknown[]; memberships: unknown[]; events: unknown[]; usage: unknown[]; agents: unknown[] };
function rosterRows(db: string): Rows {
  const d = new Database(db, { readonly: true });
  try {
    const q = (sql: string) => d.prepare(sql).all();
    return {
      principals: q("SELECT vendor, org, kind, id, email, role, status, group_id, last_active_at FROM roster_principals ORDER BY 1,2,3,4"),
      keys: q("SELECT vendor, org, kind, id, redacted, owner_kind, owner_id, owner_email, status, last_used_at FROM roster_keys ORDER BY 1,2,3,4"),
      groups: q("SELECT vendor, org, id, name, status FROM roster_groups ORDER BY 1,2,3"),
      memberships: q("SELECT vendor, org, group_id, principal_id, role FROM roster_memberships ORDER BY 1,2,3,4"),
      events: q("SELECT vendor, org, id, type, actor_email, target_id FROM roster_events ORDER BY 1,2,3"),
      usage: q("SELECT vendor, org, day, subject_kind, subject_id, metric, value FROM roster_usage ORDER BY 1,2,3,4,5,6"),
      agents: q("SELECT vendor, org, id, unsupervised FROM roster_agents ORDER BY 1,2,3"),
    };
  } finally {
    d.close();
  }
}

describe("vendor rosters", () => {
  it("stores every OpenAI user, service account and key exactly once; a second run stores nothing new", { timeout: 300_000 }, async () => {
    const db = join(tmp(), "inv.db");
    const first = await cli(["--db", db, "--config", cfg, "scan", "openai", "--json"]);
    expect(first.stderr).not.toMatch(/error|fail/i);
    expect(first.code).toBe(0);
    const rows = rosterRows(db);
    expect(rows.principals.map((p) => (p as { id: string }).id)).toEqual(["invite-1", "svc_acct_1", "user-svc", "user-ana", "user-bob", "user-cy", "user-dee"]);
    expect(rows.keys.map((k) => [(k as { id: string }).id, (k as { redacted: string }).redacted, (k as { owner_email: string | null }).owner_email])).toEqual([
      ["key_admin", "sk-admin...abcd", "ana@example.com"],
      ["key_ana", "sk-abc...wxyz", "ana@example.com"],
      ["key_dee", "sk-def...qrst", "dee@example.com"],
      ["key_etl", "sk-svc...mnop", null],
    ]);
    expect(rows.events).toHaveLength(3);
    expect(rows.usage.length).toBeGreaterThan(0);
    // the 429s were waited out; small pages were followed (users: 3 pages of 2)
    expect(openai.calls.filter((c) => c.startsWith("/v1/organization/users")).length).toBeGreaterThanOrEqual(4);
    // usage by a user became evidence of the OpenAI API for that person
    const inv = JSON.parse((await cli(["--db", db, "inventory", "--json"])).stdout) as { serviceId: string; users: { id: string }[] }[];
    expect(inv.find((r) => r.serviceId === "openai-api")?.users.map((u) => u.id)).toEqual(["ana@example.com"]);

    const again = await cli(["--db", db, "--config", cfg, "scan", "openai", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).inserted).toBe(0);
    expect(rosterRows(db)).toEqual(rows);
  });

  it("reads Anthropic users, keys, usage and managed agents with their unsupervised tools", { timeout: 300_000 }, async () => {
    const db = join(tmp(), "inv.db");
    const r = (await cli(["--db", db, "--config", cfg, "scan", "anthropic", "--json"]));
    expect(r.stderr).not.toMatch(/error|fail/i);
    expect(r.code).toBe(0);
    const rows = rosterRows(db);
    expect(rows.principals.filter((p) => (p as { kind: string }).kind === "user")).toHaveLength(3);
    expect(rows.keys.map((k) => [(k as { id: string }).id, (k as { redacted: string }).redacted, (k as { owner_id: string }).owner_id])).toEqual([
      ["apikey_01eve", "sk-ant-api03-R2D...igAA", "user_01eve"],
      ["apikey_01ghost", "sk-ant-api03-GHO...stAA", "user_01left"],
      ["apikey_01gus", "sk-ant-api03-X1Y...zzAA", "user_01gus"],
    ]);
    expect(rows.agents).toEqual([
      { vendor: "anthropic", org: "org_01acme", id: "agent_01safe", unsupervised: "[]" },
      { vendor: "anthropic", org: "org_01acme", id: "agent_01triage", unsupervised: JSON.stringify(["agent_toolset:web_search", "mcp:github:*"]) },
    ]);
    expect(rows.usage).toContainEqual({ vendor: "anthropic", org: "org_01acme", day: "2026-12-05", subject_kind: "user", subject_id: "fay@example.com", metric: "claude_code_sessions", value: 3 });
    const again = (await cli(["--db", db, "--config", cfg, "scan", "anthropic", "--json"]));
    expect(JSON.parse(again.stdout).inserted).toBe(0);
    expect(rosterRows(db)).toEqual(rows);
  });

  it("says which variable holds a refused key, never the key, and exits 8", { timeout: 300_000 }, async () => {
    const db = join(tmp(), "inv.db");
    const wrong = "sk-admin-WRONGkey-0000111122223333";
    const r = (await cli(["--db", db, "--config", cfg, "scan", "openai"], { OPENAI_ADMIN_KEY: wrong }));
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain("OPENAI_ADMIN_KEY");
    expect(r.stderr).toContain("HTTP 401");
    expect(r.stderr).not.toContain("WRONGkey");
    const a = (await cli(["--db", db, "--config", cfg, "scan", "anthropic"], { ANTHROPIC_ADMIN_KEY: "sk-ant-admin01-WRONGkey-xyz" }));
    expect(a.code).toBe(8);
    expect(a.stderr).toContain("ANTHROPIC_ADMIN_KEY");
    expect(a.stderr).not.toContain("WRONGkey");
  });

  it("loses nothing when a scan is killed mid-way and run again", { timeout: 600_000 }, async () => {
    const slow = await startOpenAIServer(openaiFixture(), OPENAI_KEY, { pageSize: 2, slow: { after: 12, ms: 5_000 } });
    const d = tmp();
    const c = join(d, "shadow-ai.yaml");
    writeFileSync(c, readFileSync(cfg, "utf8").replace(openai.url, slow.url));
    const db = join(d, "inv.db");
    const child = spawn(process.execPath, [bin, "--db", db, "--config", c, "scan", "openai", "--json"], { cwd: root, env: { ...process.env, OPENAI_ADMIN_KEY: OPENAI_KEY }, stdio: "ignore" });
    while (slow.calls.length <= 13) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    await slow.close();
    const partial = rosterRows(db);
    expect(partial.principals.length).toBeGreaterThan(0); // the batches before the kill were kept
    expect(partial.keys.length).toBeLessThan(4);
    const rerun = await cli(["--db", db, "--config", cfg, "scan", "openai", "--json"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const clean = join(tmp(), "clean.db");
    expect((await cli(["--db", clean, "--config", cfg, "scan", "openai", "--json"])).code).toBe(0);
    expect(rosterRows(db)).toEqual(rosterRows(clean));
  });

  it("seats lists exactly the unused seats, the users without a seat, the departed owners' keys and the stale keys", { timeout: 600_000 }, async () => {
    const d = tmp();
    const db = join(d, "inv.db");
    // the directory: dee is suspended; gus and the departed creator of the ghost key are not in it
    const users = (list: [string, boolean][]) => ({ kind: "admin#directory#users", users: list.map(([e, s], i) => ({ kind: "admin#directory#user", id: String(100 + i), primaryEmail: e, suspended: s, orgUnitPath: "/", organizations: [{ department: "Engineering", primary: true }] })) });
    const google = join(d, "google");
    mkdirSync(google, { recursive: true });
    writeFileSync(join(google, "users.json"), JSON.stringify(users([["ana@example.com", false], ["bob@example.com", false], ["cy@example.com", false], ["dee@example.com", true], ["eve@example.com", false], ["fay@example.com", false], ["zed@example.com", false]])));
    // proxy evidence: cy and zed use ChatGPT; zed has no seat
    const logs = join(d, "proxy.jsonl");
    writeFileSync(logs, [
      JSON.stringify({ ts: "2026-12-02T10:00:00Z", user: "cy@example.com", host: "chatgpt.com" }),
      JSON.stringify({ ts: "2026-12-03T10:00:00Z", user: "zed@example.com", host: "chatgpt.com" }),
    ].join("\n") + "\n");
    const c = join(d, "shadow-ai.yaml");
    writeFileSync(c, readFileSync(cfg, "utf8") + `logs:\n  format: jsonl\n  mapping: { kind: http, host: host, user: user, time: ts }\n`);
    { const g = (await cli(["--db", db, "--config", c, "scan", "google-export", google])); expect(g.code, g.stderr).toBe(0); }
    expect((await cli(["--db", db, "--config", c, "scan", "logs", "--format", "jsonl", logs])).code).toBe(0);
    // a reader holds the database open, so the WAL of the scans below stays on disk to be searched
    const hold = new Database(db, { readonly: true });
    expect((await cli(["--db", db, "--config", c, "scan", "openai"])).code).toBe(0);
    expect((await cli(["--db", db, "--config", c, "scan", "anthropic"])).code).toBe(0);

    const r = await cli(["--db", db, "seats", "--days", "30", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { findings: { kind: string; vendor: string; id: string; ownerStatus?: string }[] };
    expect(report.findings.map((f) => [f.kind, f.vendor, f.id, f.ownerStatus ?? ""])).toEqual([
      ["unused_seat", "anthropic", "user_01gus", ""],
      ["unused_seat", "openai", "user-bob", ""],
      ["unused_seat", "openai", "user-dee", ""],
      ["no_seat", "openai", "zed@example.com", ""],
      ["orphaned_key", "anthropic", "apikey_01ghost", "unknown"],
      ["orphaned_key", "anthropic", "apikey_01gus", "unknown"],
      ["orphaned_key", "openai", "key_dee", "suspended"],
      ["orphaned_key", "openai", "key_etl", "suspended"],
      ["orphaned_service_account", "openai", "svc_acct_1", "suspended"],
      ["orphaned_service_account", "openai", "user-svc", "unknown"],
      ["stale_key", "anthropic", "apikey_01gus", ""],
      ["stale_key", "openai", "key_dee", ""],
      ["unsupervised_agent", "anthropic", "agent_01triage", ""],
    ]);
    const only = JSON.parse((await cli(["--db", db, "seats", "--vendor", "anthropic", "--json"])).stdout) as { findings: { vendor: string }[] };
    expect(new Set(only.findings.map((f) => f.vendor))).toEqual(new Set(["anthropic"]));
    const human = (await cli(["--db", db, "seats"]));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("13 finding(s)");
    expect((await cli(["--db", db, "seats", "--vendor", "nobody"])).code).toBe(2);

    // each record of a vendor's services carries what seats found for that vendor: the counts, and the first five of each kind
    type Section = Record<string, { count: number; first: { id: string; ownerStatus?: string; redacted?: string }[] }> & { vendor: string; seats: number; asOf: string };
    const inv = JSON.parse((await cli(["--db", db, "inventory", "--json"])).stdout) as { id: string; serviceId: string; roster?: Section }[];
    const full = JSON.parse(r.stdout) as { findings: { kind: string; vendor: string; id: string; ownerStatus?: string }[] };
    const kinds = { unusedSeats: "unused_seat", noSeat: "no_seat", orphanedKeys: "orphaned_key", orphanedServiceAccounts: "orphaned_service_account", staleKeys: "stale_key", unsupervisedAgents: "unsupervised_agent" };
    const vendorRecords = inv.filter((x) => /^(openai|anthropic)-/.test(x.serviceId));
    expect(vendorRecords.map((x) => x.serviceId).sort()).toEqual(["anthropic-api", "openai-api", "openai-chatgpt"]);
    for (const rec of vendorRecords) {
      const vendor = rec.serviceId.split("-")[0]!;
      expect(rec.roster?.vendor, rec.id).toBe(vendor);
      expect(rec.roster?.asOf).toBe(new Date(NOW).toISOString());
      for (const [field, kind] of Object.entries(kinds)) {
        const want = full.findings.filter((f) => f.vendor === vendor && f.kind === kind);
        expect(rec.roster![field]!.count, `${rec.id} ${field}`).toBe(want.length);
        expect(rec.roster![field]!.first.map((i) => [i.id, i.ownerStatus ?? ""]), `${rec.id} ${field}`).toEqual(want.slice(0, 5).map((f) => [f.id, f.ownerStatus ?? ""]));
      }
    }
    expect(vendorRecords.find((x) => x.serviceId === "openai-chatgpt")!.roster!.seats).toBe(4); // ana, bob, cy, dee
    expect(inv.filter((x) => !/^(openai|anthropic)-/.test(x.serviceId)).every((x) => x.roster === undefined)).toBe(true);
    const table = await cli(["--db", db, "inventory"], { COLUMNS: "" });
    expect(table.stdout).toContain("OpenAI roster as of 2026-12-07 12:00 UTC: 4 seat(s), 4 key(s); unused in 30 days 2 (user-bob bob@example.com, user-dee dee@example.com)");
    expect(table.stdout).toContain("Anthropic roster as of");
    expect((await cli(["--db", db, "query", "app", "ChatGPT"], { COLUMNS: "" })).stdout).toContain("used without a seat 1 (zed@example.com)");

    // every export format, then the secret grep over everything this suite wrote or printed
    for (const format of ["json", "csv", "csv-users", "cyclonedx", "html"]) {
      expect((await cli(["--db", db, "inventory", "--format", format, "--out", join(d, `export.${format}`)])).code).toBe(0);
    }
    const PSEUDONYM_KEY = "pseudonym-key-for-the-seats-test-0123456789";
    expect((await cli(["--db", db, "inventory", "--format", "json", "--pseudonymize", "--out", join(d, "export.pseudo.json")], { SHADOW_AI_PSEUDONYM_KEY: PSEUDONYM_KEY })).code).toBe(0);
    const exported = (f: string) => readFileSync(join(d, f), "utf8");
    expect((JSON.parse(exported("export.json")) as { records: { serviceId: string; roster?: Section }[] }).records.find((x) => x.serviceId === "openai-api")!.roster!.orphanedKeys!.count).toBe(2);
    expect(exported("export.csv")).toContain("orphaned_key: key_dee dee@example.com (sk-def...qrst) [owner suspended]");
    expect(exported("export.html")).toContain("Vendor roster: openai (4 seats, 4 keys");
    expect(exported("export.cyclonedx")).toContain('"value": "key_dee"');
    const pseudo = JSON.parse(exported("export.pseudo.json")) as { records: { roster?: Section }[] };
    const rosterText = JSON.stringify(pseudo.records.map((x) => x.roster ?? null));
    expect(rosterText).toContain("key_dee");
    expect(rosterText).not.toMatch(/[a-z]+@example\.com/);
    const files = readdirSync(d).filter((f) => f.startsWith("inv.db") || f.startsWith("export.")).map((f) => join(d, f));
    expect(files.map((f) => f.slice(d.length + 1)).sort()).toEqual(["export.csv", "export.csv-users", "export.cyclonedx", "export.html", "export.json", "export.pseudo.json", "inv.db", "inv.db-shm", "inv.db-wal", "inv.db.lock.owner"]);
    const haystacks = [...files.map((f) => readFileSync(f).toString("latin1")), ...outputs];
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY]) {
      for (const form of secretForms(key)) {
        for (const h of haystacks) expect(h.includes(form), `a form of a test key in output`).toBe(false);
      }
    }
    // no key hint beyond what the APIs returned: every sk-… string anywhere is one of the redacted values the servers gave
    const given = new Set(rosterRows(db).keys.map((k) => (k as { redacted: string | null }).redacted).filter((x): x is string => x !== null));
    expect(given.size).toBe(7);
    const hintsIn = (hs: string[]) => new Set(hs.flatMap((h) => h.match(/sk-[A-Za-z0-9_-]+(?:\.\.\.|…)[A-Za-z0-9_-]*/g) ?? []));
    // text (exports, stdout, stderr): each hint whole
    const textHints = hintsIn([...files.filter((f) => !f.includes("inv.db")).map((f) => readFileSync(f, "utf8")), ...outputs]);
    expect(textHints.size).toBeGreaterThan(0);
    for (const hint of textHints) expect(given, hint).toContain(hint);
    // the database and its WAL pack a row's columns with no separator: each hint starts with a given value
    for (const hint of hintsIn(files.filter((f) => f.includes("inv.db")).map((f) => readFileSync(f).toString("latin1")))) {
      expect([...given].some((g) => hint.startsWith(g)), hint).toBe(true);
    }
    hold.close();
  });
});
