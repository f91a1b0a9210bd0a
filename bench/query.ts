/**
 * bench/query: `query user` on a database of 5 million observations (target: under 100 ms).
 * Builds the database with the real store (schema, migrations, ScanWriter's insert path is
 * bypassed for speed: rows go in through one prepared statement per 50,000-row transaction),
 * then times servicesUsedBy (the query behind `query user`) for users with many and few rows,
 * and the whole CLI command in a child process.
 * Run: npm run build && node dist/bench/query.js [observations]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../src/store/db.js";
import { readSystemFacts } from "../src/store/inventory.js";
import { servicesUsedBy } from "../src/store/queries.js";

const N = Number(process.argv[2] ?? 5_000_000);
const USERS = 20_000;
const SERVICES = ["openai-chatgpt", "anthropic-claude", "otter-ai", "github-copilot", "perplexity", "grammarly", "cursor", "deepl"];
const dir = mkdtempSync(join(tmpdir(), "shadow-ai-bench-query-"));
const file = join(dir, "bench.db");
const db = openStore(file);
db.prepare("INSERT INTO scans (started_at, command, inputs, status) VALUES (?, 'bench', '[]', 'complete')").run(new Date().toISOString());
const insert = db.prepare(
  `INSERT INTO observations (content_key, scan_id, source, kind, time, host, client, user, ref, service_id, match_field, matched, confidence, last_scan_id)
   VALUES (?, 1, 'logs:zeek', 'tls', ?, ?, ?, ?, '{}', ?, 'domain', ?, 0.9, 1)`,
);
const t0 = performance.now();
const BATCH = 50_000;
for (let done = 0; done < N; done += BATCH) {
  db.transaction(() => {
    for (let i = done; i < Math.min(N, done + BATCH); i++) {
      // skewed: user 0 is very active, most users are occasional
      const u = i % 10 === 0 ? 0 : (i * 7919) % USERS;
      const s = SERVICES[(i * 31) % SERVICES.length]!;
      const key = createHash("sha256").update(String(i)).digest();
      const time = new Date(Date.UTC(2026, 0, 1) + (i % 28_000_000) * 1000).toISOString();
      insert.run(key, time, `api.${s}.example`, `10.${(u >> 8) & 255}.${u & 255}.1`, `user${u}@example.com`, s, `${s}.example`);
    }
  })();
}
const person = db.prepare("INSERT INTO people (user, department, job_title, updated_at) VALUES (?, ?, NULL, '2026-11-22')");
db.transaction(() => {
  for (let u = 0; u < USERS; u++) person.run(`user${u}@example.com`, `Dept${u % 20}`);
})();
const buildS = (performance.now() - t0) / 1000;
db.pragma("optimize");

function time(f: () => unknown, runs = 15): number {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    f();
    ts.push(performance.now() - a);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}
const heavy = time(() => servicesUsedBy(db, "user0@example.com"));
const light = time(() => servicesUsedBy(db, "user4321@example.com"));
const dept = time(() => readSystemFacts(db, { orgUnit: "Dept7" }), 3);
const app = time(() => readSystemFacts(db, ["otter-ai"]), 3);
const heavyRows = (db.prepare("SELECT COUNT(*) n FROM observations WHERE user = ?").get("user0@example.com") as { n: number }).n;
db.close();

const bin = resolve(import.meta.dirname, "../src/cli/main.js");
const cliTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const a = performance.now();
  const r = spawnSync(process.execPath, [bin, "--db", file, "query", "user", "user4321@example.com", "--json"], { encoding: "utf8" });
  cliTimes.push(performance.now() - a);
  if (r.status !== 0) throw new Error(`query user failed: ${r.stderr}`);
}
cliTimes.sort((a, b) => a - b);
const cli = cliTimes[2]!;
rmSync(dir, { recursive: true, force: true });

console.log(`database: ${N.toLocaleString()} observations, ${USERS} users, built in ${buildS.toFixed(1)} s`);
console.log(`query user (heaviest user, ${heavyRows.toLocaleString()} rows): ${heavy.toFixed(1)} ms median`);
console.log(`query user (typical user): ${light.toFixed(2)} ms median -> ${(light / 100).toFixed(3)} of the 100 ms target`);
console.log(`query department (1/20 of the users, ~${(N / 20).toLocaleString()} rows aggregated): ${dept.toFixed(0)} ms median`);
console.log(`query app (1/8 of all evidence, ~${Math.round(N / 8).toLocaleString()} rows aggregated): ${app.toFixed(0)} ms median`);
console.log(`whole CLI process (startup + catalogue + query): ${cli.toFixed(0)} ms median`);
console.log(light < 100 ? "PASS: typical query under 100 ms" : "FAIL: typical query over 100 ms");
process.exitCode = light < 100 ? 0 : 1;
