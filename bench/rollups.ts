/**
 * `npm run bench:rollups` (after `npm run build`; or `node dist/bench/rollups.js [LINES] [USERS]`):
 * the two store targets of issue 20, measured in one run.
 *
 * 1. Growth: a Squid native access.log of LINES lines (default 200,000) and one of 10 × LINES lines,
 *    both over the same 7 days, the same 100 people and the same 10 AI services (catalogue domains)
 *    among everyday hosts, are each scanned with the real pipeline (`runScan`, logs source) into a
 *    fresh SQLite file. Prints each database's size (after a WAL checkpoint) and the ratio of the
 *    second to the first. Target: at most 2 (the store holds per-day rollups, not lines).
 * 2. `query user` on a year of daily rollups: USERS people (default 10,000) and 300 services, each
 *    person using one to three services on about a third of the days of a year (a heavy user: 40 services every
 *    day), written through the store's schema. Prints the median time of `servicesUsedBy` (the query
 *    behind `query user`) for the heavy user and a typical one, and the same on a database of one
 *    month of the same people built in the same run (the reference: the time should follow the
 *    person's rows, not the database's size). Target: under 100 ms.
 *
 * Exits 1 when a target is missed. Not part of `npm test`.
 */
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logsSource } from "../collectors/logs/source.js";
import { loadSignatures } from "../src/match/load.js";
import { Matcher } from "../src/match/matcher.js";
import { runScan } from "../src/pipeline/scan.js";
import { openStore } from "../src/store/db.js";
import { servicesUsedBy } from "../src/store/queries.js";
import { intRng } from "./rng.js";

const LINES = Number(process.argv[2] ?? 200_000);
const USERS = Number(process.argv[3] ?? 10_000);
const GROWTH_TARGET = 2;
const QUERY_TARGET_MS = 100;
const dir = mkdtempSync(join(tmpdir(), "shadow-ai-bench-rollups-"));

const signatures = loadSignatures();
const services = new Map(signatures.map((s) => [s.service.id, s.service]));
const matcher = new Matcher(signatures.map((s) => s.service));
/** 10 AI hosts: a plain domain of 10 catalogue services. */
const aiHosts = signatures.flatMap((s) => s.service.match.domains.filter((d) => /^[a-z0-9-]+\.[a-z]{2,}$/.test(d)).slice(0, 1)).slice(0, 10);
const everyday = ["www.google.com", "outlook.office365.com", "teams.microsoft.com", "github.com", "slack.com", "zoom.us", "www.wikipedia.org", "registry.npmjs.org"];

/** Write `lines` Squid native lines over 7 days starting 2026-11-01 for 100 people; a tenth go to AI hosts. */
async function squidLog(file: string, lines: number): Promise<void> {
  const r = intRng(7);
  const out = createWriteStream(file);
  const start = Date.UTC(2026, 10, 1) / 1000;
  const span = 7 * 86_400;
  let buf = "";
  for (let i = 0; i < lines; i++) {
    const t = start + Math.floor((i / lines) * span);
    const host = r(10) === 0 ? aiHosts[r(aiHosts.length)]! : everyday[r(everyday.length)]!;
    const person = r(100);
    buf += `${t}.${String(r(1000)).padStart(3, "0")}    120 10.1.${person >> 8}.${person & 255} TCP_TUNNEL/200 ${1000 + r(50_000)} CONNECT ${host}:443 u${person}@corp.example HIER_DIRECT/192.0.2.${r(250)} -\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once("drain", () => res()));
      buf = "";
    }
  }
  out.end(buf);
  await new Promise<void>((res) => out.once("finish", () => res()));
}

/** Scan `file` with the pipeline into a fresh database; its size after a checkpoint, rows and events. */
async function scanInto(name: string, file: string): Promise<{ bytes: number; rows: number; events: number; seconds: number }> {
  const dbPath = join(dir, `${name}.db`);
  const t0 = performance.now();
  await runScan({
    dbPath, command: "bench rollups", jobs: [{ source: logsSource, inputs: [file] }],
    config: { sources: {}, settings: {}, signatures: { extraDirs: [] }, inventory: { staleAfterDays: 90 } },
    catalogue: { matcher, services },
  });
  const seconds = (performance.now() - t0) / 1000;
  const db = openStore(dbPath);
  db.pragma("wal_checkpoint(TRUNCATE)");
  const { rows, events } = db.prepare("SELECT count(*) rows, COALESCE(SUM(count), 0) events FROM observations").get() as { rows: number; events: number };
  db.close();
  return { bytes: statSync(dbPath).size, rows, events, seconds };
}

/** A database of `days` days of daily rollups for USERS people and 300 services. */
function yearOfRollups(name: string, days: number): string {
  const path = join(dir, `${name}.db`);
  const db = openStore(path);
  db.prepare("INSERT INTO scans (started_at, command, inputs, status) VALUES (?, 'bench', '[]', 'complete')").run(new Date().toISOString());
  const insert = db.prepare(
    `INSERT INTO observations (content_key, scan_id, source, kind, time, host, user, ref, service_id, match_field, matched, confidence, last_scan_id, count, bytes, last_time, last_ref)
     VALUES (?, 1, 'logs:squid', 'log', ?, ?, ?, '{"file":"/var/log/squid/access.log","line":1}', ?, 'domain', ?, 0.9, 1, ?, ?, ?, '{"file":"/var/log/squid/access.log","line":2}')`,
  );
  const r = intRng(11);
  const start = Date.UTC(2026, 0, 1);
  let seq = 0;
  const put = (user: number, service: number, day: number) => {
    const t = start + day * 86_400_000;
    const key = createHash("sha256").update(String(seq++)).digest();
    insert.run(key, new Date(t + 8 * 3_600_000).toISOString(), `api.svc${service}.example`, `user${user}@corp.example`, `svc-${service}`, `svc${service}.example`, 1 + r(200), r(1_000_000), new Date(t + 17 * 3_600_000).toISOString());
  };
  db.transaction(() => {
    // user 0 is the heaviest: 40 services every day
    for (let day = 0; day < days; day++) for (let s = 0; s < 40; s++) put(0, s, day);
  })();
  for (let u = 1; u < USERS; u += 500) {
    db.transaction(() => {
      for (let v = u; v < Math.min(USERS, u + 500); v++) {
        const mine = 1 + (v % 3);
        for (let k = 0; k < mine; k++) {
          const service = (v * 7 + k * 31) % 300;
          for (let day = 0; day < days; day++) if (r(3) === 0) put(v, service, day);
        }
      }
    })();
  }
  db.pragma("optimize");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return path;
}

function median(f: () => unknown, runs = 15): number {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    f();
    ts.push(performance.now() - a);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

async function main(): Promise<void> {
  let failed = false;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  // 1. growth
  const small = join(dir, "small.log");
  const large = join(dir, "large.log");
  await squidLog(small, LINES);
  await squidLog(large, LINES * 10);
  const a = await scanInto("small", small);
  const b = await scanInto("large", large);
  const ratio = b.bytes / a.bytes;
  console.log(`growth: ${LINES} lines -> ${mb(a.bytes)} MB (${a.rows} rows, ${a.events} events, ${a.seconds.toFixed(1)} s); ` +
    `${LINES * 10} lines -> ${mb(b.bytes)} MB (${b.rows} rows, ${b.events} events, ${b.seconds.toFixed(1)} s); ratio ${ratio.toFixed(2)}x (target <= ${GROWTH_TARGET}x)`);
  if (ratio > GROWTH_TARGET) failed = true;
  rmSync(small);
  rmSync(large);
  // 2. query user on a year, and on a month (the reference)
  const t0 = performance.now();
  const year = yearOfRollups("year", 365);
  const built = (performance.now() - t0) / 1000;
  const month = yearOfRollups("month", 30);
  const q = (path: string) => {
    const db = openStore(path, { readonly: true });
    const rows = (db.prepare("SELECT count(*) FROM observations").pluck().get() as number);
    const heavy = median(() => servicesUsedBy(db, "user0@corp.example"));
    const typical = median(() => servicesUsedBy(db, `user${Math.floor(USERS / 2) + 2}@corp.example`));
    const n = servicesUsedBy(db, "user0@corp.example").length;
    db.close();
    return { rows, heavy, typical, services: n };
  };
  const y = q(year);
  const m = q(month);
  console.log(`query user, a year of daily rollups (${USERS} people, 300 services, ${y.rows} rows, ${mb(statSync(year).size)} MB, built in ${built.toFixed(0)} s): ` +
    `heavy user (${y.services} services, ${365 * 40} rows) ${y.heavy.toFixed(1)} ms, typical ${y.typical.toFixed(2)} ms (target < ${QUERY_TARGET_MS} ms)`);
  console.log(`reference, one month (${m.rows} rows): heavy ${m.heavy.toFixed(1)} ms, typical ${m.typical.toFixed(2)} ms; year / month: heavy ${(y.heavy / m.heavy).toFixed(1)}x (its rows: ${(365 / 30).toFixed(1)}x), typical ${(y.typical / m.typical).toFixed(1)}x`);
  if (y.heavy >= QUERY_TARGET_MS || y.typical >= QUERY_TARGET_MS) failed = true;
  rmSync(dir, { recursive: true, force: true });
  if (failed) {
    console.log("a target was missed");
    process.exitCode = 1;
  }
}

await main();
