import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/core/observation.js";
import { Matcher } from "../../src/match/matcher.js";
import { ingest } from "../../src/pipeline/ingest.js";
import { openStore } from "../../src/store/db.js";
import { ScanWriter } from "../../src/store/ingest.js";
import { MemoryCursors, run } from "./__fixtures__/run.js";
import { collectLogs } from "./index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-cursor-"));

/** A Squid line for host `h` at second `t`; long enough that 8 lines pass the 512-byte fingerprint. */
const sq = (t: number, h: string) => `${1700000000 + t}.000    100 10.0.0.1 TCP_TUNNEL/200 1234 CONNECT ${h}:443 - HIER_DIRECT/192.0.2.1 -\n`;
const hosts = (r: { observations: Observation[] }) => r.observations.map((o) => o.host);

describe("cursors: scheduled scans read only what is new", () => {
  it("append → only the new lines, with their own line numbers and offsets", async () => {
    const f = join(tmp(), "access.log");
    writeFileSync(f, sq(1, "a.example") + sq(2, "b.example"));
    const c = new MemoryCursors();
    expect(hosts(await run([f], {}, c))).toEqual(["a.example", "b.example"]);
    expect(hosts(await run([f], {}, c))).toEqual([]);
    appendFileSync(f, sq(3, "c.example"));
    const r = await run([f], {}, c);
    expect(r.observations.map((o) => [o.host, o.ref.line, o.ref.offset])).toEqual([["c.example", 3, 2 * sq(1, "a.example").length]]);
  });

  it("rotate by rename: the old file under its new name resumes where it was, the new file from the start", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const early = Array.from({ length: 8 }, (_, i) => sq(i, `old${i}.example`)).join("");
    writeFileSync(f, early);
    const c = new MemoryCursors();
    expect(hosts(await run([f], {}, c))).toHaveLength(8);
    appendFileSync(f, sq(9, "late.example")); // written just before rotation, not yet read
    renameSync(f, `${f}.1`);
    writeFileSync(f, sq(10, "new.example"));
    // given newest first, as a sorted directory listing does: read oldest first anyway
    expect(hosts(await run([f, `${f}.1`], {}, c))).toEqual(["late.example", "new.example"]);
    expect(hosts(await run([f, `${f}.1`], {}, c))).toEqual([]);
  });

  it("rotated and compressed (delaycompress): the .gz copy of read content is not read again", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const content = Array.from({ length: 8 }, (_, i) => sq(i, `h${i}.example`)).join("");
    writeFileSync(f, content);
    const c = new MemoryCursors();
    expect(hosts(await run([f], {}, c))).toHaveLength(8);
    writeFileSync(`${f}.2.gz`, gzipSync(content + sq(8, "tail.example")));
    rmSync(f);
    writeFileSync(f, sq(9, "fresh.example"));
    expect(hosts(await run([`${f}.2.gz`, f], {}, c))).toEqual(["tail.example", "fresh.example"]);
    // an unchanged .gz is skipped without being opened again
    expect(hosts(await run([`${f}.2.gz`, f], {}, c))).toEqual([]);
  });

  it("truncate (copytruncate) → the file is read from the start; its copy is known by content", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const content = Array.from({ length: 8 }, (_, i) => sq(i, `h${i}.example`)).join("");
    writeFileSync(f, content);
    const c = new MemoryCursors();
    expect(hosts(await run([f], {}, c))).toHaveLength(8);
    writeFileSync(`${f}.1`, readFileSync(f)); // the copy
    truncateSync(f, 0);
    appendFileSync(f, sq(20, "after.example"));
    expect(hosts(await run([f, `${f}.1`], {}, c))).toEqual(["after.example"]);
  });

  it("a smaller file with the same inode (truncated and refilled) is read from the start", async () => {
    const f = join(tmp(), "access.log");
    writeFileSync(f, sq(1, "a.example") + sq(2, "b.example"));
    const c = new MemoryCursors();
    await run([f], {}, c);
    writeFileSync(f, sq(3, "c.example")); // same inode, shorter
    expect(hosts(await run([f], {}, c))).toEqual(["c.example"]);
  });

  it("an unterminated last line is held until it ends, or until the file stays unchanged for a scan", async () => {
    const f = join(tmp(), "access.log");
    const line = sq(1, "a.example");
    writeFileSync(f, line + line.slice(0, 30));
    const c = new MemoryCursors();
    expect(hosts(await run([f], {}, c))).toEqual(["a.example"]);
    appendFileSync(f, sq(2, "b.example").slice(30)); // the writer finishes the line
    expect(hosts(await run([f], {}, c))).toEqual(["b.example"]);
    appendFileSync(f, sq(3, "c.example").trimEnd()); // a final line that never gets its newline
    expect(hosts(await run([f], {}, c))).toEqual([]);
    expect(hosts(await run([f], {}, c))).toEqual(["c.example"]);
    expect(hosts(await run([f], {}, c))).toEqual([]);
    // without cursors (a one-off extract) the last line is read at once
    expect(hosts(await run([f]))).toEqual(["a.example", "b.example", "c.example"]);
  });

  it("Zeek TSV resumed past its header still knows the columns", async () => {
    const f = join(tmp(), "ssl.log");
    writeFileSync(f, "#separator \\x09\n#path\tssl\n#fields\tts\tid.orig_h\tserver_name\n1700000000.0\t10.0.0.1\ta.example\n");
    const c = new MemoryCursors();
    await run([f], {}, c);
    appendFileSync(f, "1700000001.0\t10.0.0.1\tb.example\n");
    expect(hosts(await run([f], {}, c))).toEqual(["b.example"]);
  });

  it("a JSON array file is read whole once, and again whole when it changes", async () => {
    const f = join(tmp(), "okta.json");
    const ev = (id: string) => ({ eventType: "user.authentication.sso", published: "2025-01-06T09:00:00Z", uuid: id, target: [{ type: "AppInstance", displayName: "ChatGPT" }] });
    writeFileSync(f, JSON.stringify([ev("1")]));
    const c = new MemoryCursors();
    expect((await run([f], {}, c)).observations).toHaveLength(1);
    expect((await run([f], {}, c)).observations).toHaveLength(0);
    writeFileSync(f, JSON.stringify([ev("1"), ev("2")]));
    expect((await run([f], {}, c)).observations.map((o) => o.ref.id)).toEqual(["1", "2"]);
  });
});

describe("exactly once with the store", () => {
  it("a scan stopped mid-file resumes at the last committed cursor: every line counted exactly once", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const n = 6000;
    writeFileSync(f, Array.from({ length: n }, (_, i) => sq(i, i % 2 ? "api.openai.com" : "www.example.com")).join(""));
    const matcher = new Matcher([
      {
        id: "openai-api",
        name: "OpenAI API",
        vendor: "OpenAI",
        category: "llm-api",
        match: { domains: ["api.openai.com"], oauthClientIds: [], entraAppIds: [], publishers: [], appNamePatterns: [], userAgents: [] },
      } as unknown as ConstructorParameters<typeof Matcher>[0][number],
    ]);
    const db = openStore(join(dir, "s.db"));
    const events = () => (db.prepare("SELECT COALESCE(SUM(count), 0) AS n FROM observations").get() as { n: number }).n;
    // scan 1: killed after 4500 observations, at the collector's next cursor, just after the writer
    // committed what that cursor covers
    const w1 = new ScanWriter(db, "scan logs", [f]);
    const store = w1.cursors("logs");
    let sets = 0;
    const counted = { get: store.get, set: (k: string, v: string) => (store.set(k, v), sets++, undefined) };
    let seen = 0;
    let setsAt = -1;
    for await (const o of collectLogs([f], { limits: { chunkBytes: 4096 } }, { onError: () => undefined, cursors: counted })) {
      if (setsAt >= 0 && sets > setsAt) break;
      const m = matcher.match(o);
      if (m) w1.add(o, m);
      else w1.skip(o);
      if (++seen === 4500) setsAt = sets;
    }
    w1.flush();
    const cursor = JSON.parse((db.prepare("SELECT value FROM cursors WHERE key LIKE 'file:%'").get() as { value: string }).value) as { line: number };
    // the end of the 4,096-byte chunk that held the 4,500th line
    expect(cursor.line).toBeGreaterThan(4500);
    expect(cursor.line).toBeLessThanOrEqual(4501 + 4096 / 60);
    // the committed events are exactly the matched lines before the committed position (odd line numbers - 1)
    expect(events()).toBe(Math.floor((cursor.line - 1) / 2));
    // scan 2: a fresh writer (the killed process's uncommitted events are lost): reads from the cursor on
    const w2 = new ScanWriter(db, "scan logs", [f]);
    const r2 = await ingest(collectLogs([f], {}, { onError: () => undefined, cursors: w2.cursors("logs") }), matcher, w2);
    w2.finish();
    expect(r2.read).toBe(n - cursor.line + 1);
    // every matched line counted once, in one day's rollup, with its first and last line as references
    expect(events()).toBe(n / 2);
    const rows = db.prepare("SELECT count, json_extract(ref, '$.line') AS first, json_extract(last_ref, '$.line') AS last FROM observations").all();
    expect(rows).toEqual([{ count: n / 2, first: 2, last: n }]);
    // scan 3: nothing new
    const w3 = new ScanWriter(db, "scan logs", [f]);
    const again = await ingest(collectLogs([f], {}, { onError: () => undefined, cursors: w3.cursors("logs") }), matcher, w3);
    w3.finish();
    expect(again.read).toBe(0);
    db.close();
  });
});
