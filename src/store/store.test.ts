import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Observation } from "../core/observation.js";
import type { Finding } from "../core/finding.js";
import { openStore, StoreError } from "./db.js";
import { ScanWriter } from "./ingest.js";
import { readSystemFacts } from "./inventory.js";
import { servicesUsedBy } from "./queries.js";
import { MIGRATIONS } from "./schema.js";
import { contentKey, contentText } from "./content-key.js";

const dbFile = () => join(mkdtempSync(join(tmpdir(), "shadow-ai-store-")), "inv.db");

const obs = (over: Partial<Observation>): Observation => ({
  source: "pcap", kind: "tls", time: "2026-11-01T10:00:00.000Z", ref: { file: "/x.pcap", frame: 1, offset: 24 }, ...over,
});
const f = (serviceId: string): Finding => ({ serviceId, field: "domain", matched: "openai.com", confidence: 0.9 });

function scan(path: string, rows: [Observation, Finding][]): ScanWriter {
  const db = openStore(path);
  const w = new ScanWriter(db, "test", ["/x.pcap"]);
  for (const [o, fi] of rows) w.add(o, fi);
  w.finish();
  db.close();
  return w;
}

describe("store", () => {
  it("creates a WAL database at the latest schema version", () => {
    const path = dbFile();
    const db = openStore(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("stores each fact once: a rescan of the same evidence inserts nothing", () => {
    const path = dbFile();
    const rows: [Observation, Finding][] = [
      [obs({ kind: "oauth_grant", source: "google-workspace", user: "a@example.com", clientId: "1.apps", ref: { api: "tokens", id: "1" } }), f("openai-api")],
      [obs({ kind: "oauth_grant", source: "google-workspace", user: "b@example.com", clientId: "1.apps", ref: { api: "tokens", id: "2" } }), f("openai-api")],
    ];
    expect(scan(path, rows).counts).toEqual({ read: 2, matched: 2, inserted: 2 });
    expect(scan(path, rows).counts).toEqual({ read: 2, matched: 2, inserted: 0 });
    const db = openStore(path);
    expect(db.prepare("SELECT COUNT(*) n FROM observations").get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT status FROM scans ORDER BY id").all()).toEqual([{ status: "complete" }, { status: "complete" }]);
    db.close();
  });

  it("keys lead with the observation's time, then 24 bytes of the SHA-256 of its canonical text", () => {
    const o = obs({ host: "api.openai.com", time: "2025-01-06T09:12:00.120Z" });
    const key = contentKey(o);
    expect(key.length).toBe(32);
    expect(key.readBigInt64BE(0)).toBe(BigInt(Date.parse("2025-01-06T09:12:00.120Z")));
    expect(key.subarray(8).equals(createHash("sha256").update(contentText(o)).digest().subarray(0, 24))).toBe(true);
    expect(contentKey(obs({ time: "not a time" })).readBigInt64BE(0)).toBe(0n);
  });

  it("migration 6 rewrites the keys of a version-5 database so that a rescan still inserts nothing", () => {
    const path = dbFile();
    const o = obs({ kind: "oauth_event", source: "microsoft-entra", user: "a@example.com", appId: "x", time: "2025-01-06T09:12:00.120Z", ref: { api: "audit", id: "9" } });
    const old = new Database(path);
    for (const m of MIGRATIONS.slice(0, 5)) old.exec(m as string);
    old.pragma("user_version = 5");
    old.prepare("INSERT INTO scans (started_at, command, inputs, status) VALUES ('2026-01-01T00:00:00Z', 'scan', '[]', 'complete')").run();
    // a key as versions up to 5 computed it: the whole SHA-256 of the canonical text
    const oldKey = createHash("sha256").update(contentText(o)).digest();
    old
      .prepare("INSERT INTO observations (content_key, scan_id, source, kind, time, user, app_id, ref, service_id, match_field, matched, confidence) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'openai-api', 'entraAppId', 'x', 0.9)")
      .run(oldKey, o.source, o.kind, o.time, o.user, o.appId, JSON.stringify(o.ref));
    old.close();
    const db = openStore(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const stored = db.prepare("SELECT content_key AS k FROM observations").get() as { k: Buffer };
    expect(stored.k.equals(contentKey(o))).toBe(true);
    db.close();
    expect(scan(path, [[o, f("openai-api")]]).counts.inserted).toBe(0);
  });

  it("aggregates users, all-users consent, scopes and evidence counts per service and organisational unit", () => {
    const path = dbFile();
    scan(path, [
      [obs({ kind: "oauth_grant", source: "google-workspace", user: "alice@example.com", department: "Sales", scopes: ["openid", "calendar.readonly"], time: "2026-10-01T00:00:00.000Z", ref: { id: "a" } }), f("otter-ai")],
      [obs({ kind: "oauth_grant", source: "microsoft-entra", consentType: "AllPrincipals", scopes: ["Calendars.Read"], time: "2026-10-02T00:00:00.000Z", ref: { id: "b" } }), f("otter-ai")],
      [obs({ kind: "dns", client: "10.0.0.7", time: "2026-10-03T00:00:00.000Z", ref: { file: "/y", frame: 9 } }), f("otter-ai")],
      [obs({ kind: "tls", client: "10.0.0.9", ref: { file: "/y", frame: 10 } }), f("openai-api")],
    ]);
    const db = openStore(path);
    const facts = readSystemFacts(db);
    db.close();
    // one record per service and organisational unit
    expect(facts.map((x) => x.id)).toEqual(["openai-api", "otter-ai", "otter-ai@sales"]);
    const otter = facts[1]!;
    expect(otter.orgUnit).toBeNull();
    expect(otter.users.map((u) => [u.id, u.kind])).toEqual([
      ["10.0.0.7", "client"],
      ["all users", "all_users"],
    ]);
    expect(otter.scopes).toEqual(["Calendars.Read"]);
    expect(otter.evidence).toEqual({ dns: 1, oauth_grant: 1 });
    expect(otter.sources).toEqual(["microsoft-entra", "pcap"]);
    expect(otter.firstSeen).toBe("2026-10-02T00:00:00.000Z");
    expect(otter.lastSeen).toBe("2026-10-03T00:00:00.000Z");
    const sales = facts[2]!;
    expect(sales).toMatchObject({ serviceId: "otter-ai", orgUnit: "Sales", scopes: ["calendar.readonly", "openid"], sources: ["google-workspace"] });
    expect(sales.users.map((u) => [u.id, u.kind, u.department])).toEqual([["alice@example.com", "user", "Sales"]]);
  });

  it("answers which services a user or client used, case-insensitively", () => {
    const path = dbFile();
    scan(path, [
      [obs({ kind: "oauth_grant", user: "alice@example.com", scopes: ["a", "b"], ref: { id: "1" } }), f("otter-ai")],
      [obs({ kind: "oauth_grant", user: "alice@example.com", scopes: ["c"], ref: { id: "2" } }), f("otter-ai")],
      [obs({ kind: "tls", client: "10.1.1.1", ref: { id: "3" } }), f("openai-api")],
    ]);
    const db = openStore(path);
    expect(servicesUsedBy(db, "Alice@Example.com").map((u) => [u.serviceId, u.observations, u.scopes])).toEqual([["otter-ai", 2, ["a", "b", "c"]]]);
    expect(servicesUsedBy(db, "10.1.1.1").map((u) => u.serviceId)).toEqual(["openai-api"]);
    expect(servicesUsedBy(db, "nobody@example.com")).toEqual([]);
    db.close();
  });

  it("keeps committed batches when a scan dies before finishing", () => {
    const path = dbFile();
    const db = openStore(path);
    const w = new ScanWriter(db, "test", []);
    w.add(obs({ kind: "oauth_event", host: "a", ref: { id: "1" } }), f("x"));
    w.flush();
    w.add(obs({ kind: "oauth_event", host: "b", ref: { id: "2" } }), f("x")); // queued, never flushed: lost with the process
    db.close();
    const again = openStore(path);
    expect(again.prepare("SELECT COUNT(*) n FROM observations").get()).toEqual({ n: 1 });
    expect(again.prepare("SELECT status FROM scans").get()).toEqual({ status: "running" });
    again.close();
  });

  it("refuses a file that is not a SQLite database with a message naming it", () => {
    const path = dbFile();
    writeFileSync(path, "this is not a database at all, just some text that is long enough\n".repeat(20));
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(path);
  });
});

describe("cursors", () => {
  it("commits a cursor with the observations read before it, and only then", () => {
    const path = dbFile();
    const db = openStore(path);
    const w = new ScanWriter(db, "test", []);
    const c = w.cursors("logs");
    expect(c.get("/var/log/a")).toBeUndefined();
    w.add(obs({ host: "a", ref: { id: "1" } }), f("x"));
    c.set("/var/log/a", '{"offset":100}');
    expect(c.get("/var/log/a")).toBe('{"offset":100}');
    // not committed yet: a second connection sees nothing
    const other = openStore(path, { readonly: true });
    expect(other.prepare("SELECT COUNT(*) n FROM cursors").get()).toEqual({ n: 0 });
    w.flush();
    expect(other.prepare("SELECT value FROM cursors").all()).toEqual([{ value: '{"offset":100}' }]);
    expect(other.prepare("SELECT COUNT(*) n FROM observations").get()).toEqual({ n: 1 });
    other.close();
    w.finish();
    db.close();
    const again = openStore(path);
    expect(new ScanWriter(again, "t", []).cursors("logs").get("/var/log/a")).toBe('{"offset":100}');
    expect(new ScanWriter(again, "t", []).cursors("other").get("/var/log/a")).toBeUndefined();
    again.close();
  });
});

describe("cursors and rollups", () => {
  it("a write between two cursors keeps back the cursors and the rollups they cover, so that no line is committed uncovered", () => {
    const path = dbFile();
    const db = openStore(path);
    const w = new ScanWriter(db, "test", []);
    const c = w.cursors("logs");
    const line = (n: number) => obs({ source: "logs:squid", kind: "log", host: "chatgpt.com", user: "alice@example.com", ref: { file: "/var/log/a", line: n } });
    w.add(line(1), f("openai-chatgpt"));
    c.set("/var/log/a", '{"line":2}'); // covers line 1
    w.add(line(2), f("openai-chatgpt")); // read after it: not covered
    w.add(obs({ kind: "oauth_grant", user: "bob@example.com", ref: { id: "g1" } }), f("otter")); // a fact
    w.flush(); // as a full batch would
    const other = openStore(path, { readonly: true });
    expect(other.prepare("SELECT COUNT(*) n FROM cursors").get()).toEqual({ n: 0 });
    expect(other.prepare("SELECT kind, count FROM observations").all()).toEqual([{ kind: "oauth_grant", count: 1 }]);
    c.set("/var/log/a", '{"line":3}'); // now covers both lines
    w.flush();
    expect(other.prepare("SELECT value FROM cursors").all()).toEqual([{ value: '{"line":3}' }]);
    expect(other.prepare("SELECT kind, count FROM observations ORDER BY kind").all()).toEqual([{ kind: "log", count: 2 }, { kind: "oauth_grant", count: 1 }]);
    // read after the last cursor when the source ends: dropped with nothing else, read again next time
    w.add(line(3), f("openai-chatgpt"));
    w.endSource();
    expect(other.prepare("SELECT SUM(count) n FROM observations WHERE kind = 'log'").get()).toEqual({ n: 2 });
    expect(other.prepare("SELECT value FROM cursors").all()).toEqual([{ value: '{"line":3}' }]);
    other.close();
    w.finish();
    db.close();
  });
});

describe("organisational units", () => {
  it("attributes a user's evidence to the department an identity source gave, even where the evidence itself has none", () => {
    const path = dbFile();
    const db = openStore(path);
    const w = new ScanWriter(db, "test", []);
    // a non-AI grant carries bob's department; it is not stored, but his department is
    w.skip(obs({ kind: "oauth_grant", user: "bob@example.com", department: "HR", jobTitle: "Recruiter", ref: { id: "slack" } }));
    w.add(obs({ kind: "oauth_event", user: "bob@example.com", ref: { id: "e1" } }), f("openai-chatgpt"));
    w.finish();
    const facts = readSystemFacts(db);
    expect(facts.map((x) => [x.id, x.orgUnit, x.jobTitles])).toEqual([["openai-chatgpt@hr", "HR", ["Recruiter"]]]);
    expect(db.prepare("SELECT COUNT(*) n FROM observations").get()).toEqual({ n: 1 });
    db.close();
  });
});
