import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../core/finding.js";
import type { Observation } from "../core/observation.js";
import { contentKey } from "./content-key.js";
import { openStore } from "./db.js";
import { evidenceFor } from "./evidence.js";
import { ScanWriter } from "./ingest.js";
import { readSystemFacts } from "./inventory.js";
import { servicesUsedBy } from "./queries.js";
import { MIGRATIONS } from "./schema.js";
import { SAMPLE_REFS } from "./rollup.js";

const dbFile = () => join(mkdtempSync(join(tmpdir(), "shadow-ai-rollup-")), "inv.db");
const f = (serviceId: string): Finding => ({ serviceId, field: "domain", matched: "openai.com", confidence: 0.9 });

/** A capture's TLS ClientHello at frame `n` of `file`, `min` minutes past 10:00 on 1 November. */
const hello = (n: number, file = "/c/a.pcap", over: Partial<Observation> = {}): Observation => ({
  source: "pcap", kind: "tls", time: `2026-11-01T10:${String(n).padStart(2, "0")}:00.000Z`, host: "api.openai.com", client: "10.0.0.5",
  ref: { file, frame: n, offset: 24 + n * 100 }, ...over,
});
/** A proxy log line at `line` of `file`. */
const line = (n: number, over: Partial<Observation> = {}): Observation => ({
  source: "logs:squid", kind: "log", time: `2026-11-02T08:00:${String(n).padStart(2, "0")}.000Z`, host: "chatgpt.com", user: "alice@example.com",
  bytes: 100, ref: { file: "/var/log/squid/access.log", line: n, offset: n * 80 }, ...over,
});

function scanAll(path: string, rows: Observation[], serviceId = "openai-api"): ScanWriter {
  const db = openStore(path);
  const w = new ScanWriter(db, "test", []);
  for (const o of rows) w.add(o, f(serviceId));
  w.finish();
  db.close();
  return w;
}

const rows = (path: string) => {
  const db = openStore(path, { readonly: true });
  const r = db.prepare("SELECT id, kind, user, client, host, time, last_time, count, bytes, ref, last_ref FROM observations ORDER BY id").all() as {
    id: number; kind: string; user: string | null; client: string | null; host: string; time: string; last_time: string; count: number; bytes: number | null; ref: string; last_ref: string;
  }[];
  const refs = db.prepare("SELECT observation_id id, ref FROM observation_refs ORDER BY observation_id, ref").all() as { id: number; ref: string }[];
  db.close();
  return { r, refs };
};

describe("evidence rollups", () => {
  it("a capture's traffic is one row per person or client, service, host and day, with its count, first and last time and sample references", () => {
    const path = dbFile();
    const w = scanAll(path, [hello(1), hello(2), hello(3), hello(4), hello(5), hello(6, "/c/a.pcap", { client: "10.0.0.6" })]);
    expect(w.counts).toEqual({ read: 6, matched: 6, inserted: 2 });
    const { r, refs } = rows(path);
    expect(r.map((x) => [x.client, x.count, x.time, x.last_time])).toEqual([
      ["10.0.0.5", 5, "2026-11-01T10:01:00.000Z", "2026-11-01T10:05:00.000Z"],
      ["10.0.0.6", 1, "2026-11-01T10:06:00.000Z", "2026-11-01T10:06:00.000Z"],
    ]);
    expect(JSON.parse(r[0]!.ref)).toEqual({ file: "/c/a.pcap", frame: 1, offset: 124 });
    expect(JSON.parse(r[0]!.last_ref)).toEqual({ file: "/c/a.pcap", frame: 5, offset: 524 });
    // the first SAMPLE_REFS references: the row's own and the others in observation_refs
    expect(refs.filter((x) => x.id === r[0]!.id).map((x) => (JSON.parse(x.ref) as { frame: number }).frame)).toEqual([2, 3].slice(0, SAMPLE_REFS - 1));
    // evidence shows the samples and the last
    const db = openStore(path, { readonly: true });
    const ev = evidenceFor(db, "openai-api");
    db.close();
    const five = ev.find((e) => e.client === "10.0.0.5")!;
    expect(five).toMatchObject({ count: 5, time: "2026-11-01T10:01:00.000Z", lastTime: "2026-11-01T10:05:00.000Z" });
    expect(five.refs.map((x) => x.frame)).toEqual([1, 2, 3, 5]);
  });

  it("a capture read again, or a copy of it under another name, changes no count", () => {
    const path = dbFile();
    const capture = [hello(1), hello(2), hello(3)];
    scanAll(path, capture);
    expect(scanAll(path, capture).counts.inserted).toBe(0);
    expect(scanAll(path, capture.map((o) => ({ ...o, ref: { ...o.ref, file: "/backup/copy.pcap" } }))).counts.inserted).toBe(0);
    // read in another order (a capture's reassembled records may come out of frame order): the same input
    expect(scanAll(path, [...capture].reverse()).counts.inserted).toBe(0);
    const { r } = rows(path);
    expect(r.map((x) => x.count)).toEqual([3]);
    // another capture adds its own events to the inventory
    scanAll(path, [hello(7, "/c/b.pcap")]);
    const db = openStore(path, { readonly: true });
    expect(readSystemFacts(db)[0]!.observations).toBe(4);
    db.close();
  });

  it("log lines add up across scans, committed only with the cursor that covers them, so an interrupted scan neither loses nor doubles a line", () => {
    const path = dbFile();
    let db = openStore(path);
    let w = new ScanWriter(db, "scan logs", []);
    let c = w.cursors("logs");
    for (let i = 1; i <= 4; i++) w.add(line(i), f("openai-chatgpt"));
    c.set("file:/var/log/squid/access.log", "after line 4");
    w.flush();
    for (let i = 5; i <= 6; i++) w.add(line(i), f("openai-chatgpt")); // read after the cursor: read again next time
    w.interrupt("test");
    db.close();
    expect(rows(path).r.map((x) => [x.count, x.bytes])).toEqual([[4, 400]]);
    // the next scan resumes at the cursor: lines 5..9
    db = openStore(path);
    w = new ScanWriter(db, "scan logs", []);
    c = w.cursors("logs");
    expect(c.get("file:/var/log/squid/access.log")).toBe("after line 4");
    for (let i = 5; i <= 9; i++) w.add(line(i), f("openai-chatgpt"));
    c.set("file:/var/log/squid/access.log", "after line 9");
    w.finish();
    expect(w.counts.inserted).toBe(0);
    const facts = readSystemFacts(db);
    expect(facts.map((x) => [x.id, x.observations, x.firstSeen, x.lastSeen])).toEqual([["openai-chatgpt", 9, "2026-11-02T08:00:01.000Z", "2026-11-02T08:00:09.000Z"]]);
    expect(servicesUsedBy(db, "alice@example.com").map((u) => [u.serviceId, u.observations, u.lastSeen])).toEqual([["openai-chatgpt", 9, "2026-11-02T08:00:09.000Z"]]);
    db.close();
    const { r, refs } = rows(path);
    expect(r.map((x) => [x.count, x.bytes, JSON.parse(x.last_ref).line])).toEqual([[9, 900, 9]]);
    // sample references stay bounded however many lines there are
    expect(refs.length).toBe(SAMPLE_REFS - 1);
  });

  it("a new day starts a new rollup; a person is counted apart from a bare client address", () => {
    const path = dbFile();
    scanAll(path, [line(1), line(2, { time: "2026-11-03T00:00:01.000Z" }), line(3, { user: undefined, client: "10.9.9.9" })], "openai-chatgpt");
    const { r } = rows(path);
    expect(r.map((x) => [x.user, x.client, x.time.slice(0, 10), x.count])).toEqual([
      ["alice@example.com", null, "2026-11-02", 1],
      ["alice@example.com", null, "2026-11-03", 1],
      [null, "10.9.9.9", "2026-11-02", 1],
    ]);
  });

  it("a SIEM's aggregate of a day is replaced by a later aggregate of the same day, never added to it", () => {
    const path = dbFile();
    const agg = (count: number, last: string): Observation => ({
      source: "siem:splunk", kind: "log", time: "2026-11-04T07:00:00.000Z", lastTime: last, count, bytes: count * 10, host: "claude.ai",
      user: "bob@example.com", ref: { file: "/exports/day.csv", line: 2 },
    });
    scanAll(path, [agg(5, "2026-11-04T12:00:00.000Z")], "anthropic-claude");
    expect(scanAll(path, [agg(5, "2026-11-04T12:00:00.000Z")], "anthropic-claude").counts.inserted).toBe(0);
    scanAll(path, [agg(8, "2026-11-04T23:59:00.000Z")], "anthropic-claude");
    expect(rows(path).r.map((x) => [x.count, x.bytes, x.last_time])).toEqual([[8, 80, "2026-11-04T23:59:00.000Z"]]);
  });

  it("migration 13 turns stored lines into rollups without losing a count or a reference", () => {
    const path = dbFile();
    const old = new Database(path);
    for (const m of MIGRATIONS.slice(0, 12)) typeof m === "string" ? old.exec(m) : m(old as never);
    old.pragma("user_version = 12");
    old.prepare("INSERT INTO scans (started_at, command, inputs, status) VALUES ('2026-01-01T00:00:00Z', 'scan', '[]', 'complete')").run();
    const put = old.prepare(`INSERT INTO observations (content_key, scan_id, source, kind, time, host, client, user, client_id, ref, service_id, match_field, matched, confidence, last_scan_id)
      VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'domain', 'x', 0.9, 1)`);
    const store = (o: Observation, service: string) =>
      put.run(contentKey(o), o.source, o.kind, o.time, o.host ?? null, o.client ?? null, o.user ?? null, o.clientId ?? null, JSON.stringify(o.ref), service);
    // lines stored out of time order, one read from two files (observation_refs), a capture, and an identity fact
    for (const n of [3, 1, 2]) store(line(n), "openai-chatgpt");
    old.prepare("INSERT INTO observation_refs (observation_id, ref) VALUES (1, ?)").run(JSON.stringify({ file: "/old/access.log.1", line: 3 }));
    store(line(4, { user: "carol@example.com" }), "openai-chatgpt");
    for (const n of [1, 2]) store(hello(n), "openai-api");
    store({ source: "google-workspace", kind: "oauth_grant", time: "2026-11-02T09:00:00.000Z", user: "alice@example.com", clientId: "c.apps", ref: { api: "tokens", id: "t1" } }, "openai-chatgpt");
    old.close();

    const db = openStore(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const facts = readSystemFacts(db);
    expect(facts.map((x) => [x.id, x.observations, x.evidence])).toEqual([
      ["openai-api", 2, { tls: 2 }],
      ["openai-chatgpt", 5, { log: 4, oauth_grant: 1 }],
    ]);
    const alice = evidenceFor(db, "openai-chatgpt", { limit: 10 }).find((e) => e.kind === "log" && e.user === "alice@example.com")!;
    expect(alice).toMatchObject({ count: 3, time: "2026-11-02T08:00:01.000Z", lastTime: "2026-11-02T08:00:03.000Z" });
    // every reference is kept: lines 1, 2, 3 and the copy of line 3
    expect(alice.refs.map((x) => `${x.file}:${x.line}`).sort()).toEqual(["/old/access.log.1:3", "/var/log/squid/access.log:1", "/var/log/squid/access.log:2", "/var/log/squid/access.log:3"]);
    db.close();
    // a rescan of the migrated capture changes nothing; the log's cursor (not part of this test) keeps lines from being read twice
    expect(scanAll(path, [hello(1), hello(2)]).counts.inserted).toBe(0);
    const again = openStore(path, { readonly: true });
    expect(readSystemFacts(again).find((x) => x.id === "openai-api")!.observations).toBe(2);
    again.close();
  });
});
