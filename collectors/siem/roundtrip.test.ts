/**
 * The push-down round trip of issue #20's acceptance: export the catalogue as a Splunk lookup,
 * aggregate a proxy log with the README's SPL semantics (here, in code), write the result as Splunk
 * writes CSV, import it with `scan siem` into one database and `scan logs` of the same log into
 * another (real SQLite files, the CLI in process), and compare the inventories: the same services,
 * users, events per user and first/last seen; only the sources differ.
 *
 * The log is the Squid fixture of the logs collector, its lines repeated at 5-hour steps so that
 * people have several events a day and a day boundary is crossed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify as csvStringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { cliInProcess as cli } from "../../src/cli/__fixtures__/run-cli.js";
import { SUSPECTED_PREFIX } from "../../src/core/finding.js";
import type { Observation } from "../../src/core/observation.js";

const SQUID = join(import.meta.dirname, "../logs/__fixtures__/squid-access.log");
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-siem-roundtrip-"));

/** The Squid fixture repeated `times` times, each copy `stepHours` later (Squid native: time is the first field). */
function repeatedLog(times: number, stepHours: number): string {
  const lines = readFileSync(SQUID, "utf8").split("\n").filter(Boolean);
  const out: string[] = [];
  for (let k = 0; k < times; k++) {
    for (const l of lines) {
      const [t, ...rest] = l.split(" ");
      out.push([(Number(t) + k * stepHours * 3600).toFixed(3), ...rest].join(" "));
    }
  }
  return out.join("\n") + "\n";
}

/** One aggregate row, in the README's columns. */
interface Row { day: string; user: string; src: string; host: string; count: number; bytes: number | null; first: number; last: number; serviceId: string; sha: string }

/**
 * The README's SPL on events, in code: `user` lower-cased ("" when the log named none), `actor` =
 * user else "src:" + address, `stats count sum(bytes) min(_time) max(_time) earliest(src) BY day
 * actor user host`, then `lookup shadow_ai_catalogue host_pattern AS host` with
 * `match_type = WILDCARD(host_pattern)`, `max_matches = 1` (the first matching row in file order),
 * case-insensitive, and `where isnotnull(service_id)`.
 */
function splAggregate(lookup: Record<string, string>[], events: Observation[]): Row[] {
  const groups = new Map<string, Row & { srcTime: number }>();
  for (const e of events) {
    if (!e.host) continue;
    const user = (e.user ?? "").toLowerCase();
    const src = e.client ?? "";
    const t = Date.parse(e.time);
    const day = e.time.slice(0, 10);
    const key = [day, user || `src:${src}`, user, e.host.toLowerCase()].join("\0");
    const g = groups.get(key) ?? { day, user, src, host: e.host.toLowerCase(), count: 0, bytes: null, first: t, last: t, srcTime: t, serviceId: "", sha: "" };
    g.count++;
    if (e.bytes !== undefined) g.bytes = (g.bytes ?? 0) + e.bytes;
    g.first = Math.min(g.first, t);
    g.last = Math.max(g.last, t);
    if (t < g.srcTime) [g.srcTime, g.src] = [t, src];
    groups.set(key, g);
  }
  const patterns = lookup.map((r) => ({
    re: new RegExp(`^${r["host_pattern"]!.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i"),
    serviceId: r["service_id"]!,
    sha: r["catalogue_sha256"]!,
  }));
  const out: Row[] = [];
  for (const g of groups.values()) {
    const hit = patterns.find((p) => p.re.test(g.host));
    if (hit) out.push({ ...g, serviceId: hit.serviceId, sha: hit.sha });
  }
  return out;
}

/** The rows as Splunk's REST export writes `output_mode=csv` of the README's `table` command. */
function splunkCsv(rows: readonly Row[]): string {
  const iso = (ms: number) => new Date(ms).toISOString(); // strftime "%Y-%m-%dT%H:%M:%S.%3QZ" for a UTC user
  return csvStringify([
    ["day", "user", "src", "host", "count", "bytes", "first_seen", "last_seen", "service_id", "catalogue_sha256", "search_name"],
    ...rows.map((r) => [r.day, r.user, r.src, r.host, String(r.count), r.bytes === null ? "" : String(r.bytes), iso(r.first), iso(r.last), r.serviceId, r.sha, "shadow-ai daily aggregates"]),
  ], { quoted: true });
}

interface InvUser { id: string; kind: string; observations: number; firstSeen: string; lastSeen: string }
interface InvRecord { serviceId: string; users: InvUser[]; sources: string[]; firstSeen: string; lastSeen: string }

/** `inventory --json` of a database: catalogue records only (suspected ones come from heuristics). */
async function inventory(db: string): Promise<InvRecord[]> {
  const r = await cli(["--db", db, "inventory", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as InvRecord[]).filter((x) => !x.serviceId.startsWith(SUSPECTED_PREFIX)).sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1));
}

/** What both inventories must agree on: per service, its users with events and first/last seen. */
function comparable(records: InvRecord[]) {
  return records.map((r) => ({
    serviceId: r.serviceId, firstSeen: r.firstSeen, lastSeen: r.lastSeen,
    users: r.users.map((u) => ({ id: u.id, kind: u.kind, observations: u.observations, firstSeen: u.firstSeen, lastSeen: u.lastSeen })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  }));
}

describe("round trip: lookup export → README aggregation → scan siem gives the inventory scan logs gives", () => {
  const log = join(tmp, "access.log");
  writeFileSync(log, repeatedLog(6, 5));

  it("same services, users, events per user and first/last seen; sources siem:splunk and logs:squid", async () => {
    // 1. the lookup, as `signatures export` writes it
    const lookupFile = join(tmp, "shadow_ai_catalogue.csv");
    const ex = await cli(["signatures", "export", "--format", "splunk-lookup", "--out", lookupFile]);
    expect(ex.code, ex.stderr).toBe(0);
    const lookup = parseCsv(readFileSync(lookupFile, "utf8"), { columns: true }) as Record<string, string>[];

    // 2. the log's events as the SIEM's field extraction gives them (our own Squid parser, via extract)
    const x = await cli(["extract", log]); // detected as Squid, as scan logs detects it
    expect(x.code, x.stderr).toBe(0);
    const events = x.stdout.trim().split("\n").map((l) => JSON.parse(l) as Observation);
    expect(events).toHaveLength(30); // 6 copies of 5 lines with a host (the sixth, "NONE error:invalid-request", has none)

    // 3. the README's aggregation, written as Splunk's CSV
    const rows = splAggregate(lookup, events);
    expect(rows.map((r) => [r.day, r.user || r.src, r.host, r.serviceId, r.count]).sort()).toEqual([
      ["2025-01-01", "10.20.30.41", "chatgpt.com", "openai-chatgpt", 5],
      ["2025-01-01", "alice@corp.example", "api.openai.com", "openai-api", 5],
      ["2025-01-02", "10.20.30.41", "chatgpt.com", "openai-chatgpt", 1],
      ["2025-01-02", "alice@corp.example", "api.openai.com", "openai-api", 1],
    ]);
    const csv = join(tmp, "splunk-2025-01-01.csv");
    writeFileSync(csv, splunkCsv(rows));

    // 4. both paths into their own databases
    const siemDb = join(tmp, "siem.db");
    const logsDb = join(tmp, "logs.db");
    const s = await cli(["--db", siemDb, "scan", "siem", "--siem", "splunk", csv]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain("siem: 1 input(s), 4 observation(s), 4 matched an AI service");
    const l = await cli(["--db", logsDb, "scan", "logs", "--format", "squid", log]);
    expect(l.code, l.stderr).toBe(0);

    // 5. the inventories
    const fromSiem = await inventory(siemDb);
    const fromLogs = await inventory(logsDb);
    expect(fromSiem.map((r) => r.serviceId)).toEqual(["openai-api", "openai-chatgpt"]);
    expect(comparable(fromSiem)).toEqual(comparable(fromLogs));
    expect(fromSiem.flatMap((r) => r.users.map((u) => u.observations)).reduce((a, b) => a + b, 0)).toBe(12);
    expect(new Set(fromSiem.flatMap((r) => r.sources))).toEqual(new Set(["siem:splunk"]));
    expect(new Set(fromLogs.flatMap((r) => r.sources))).toEqual(new Set(["logs:squid"]));

    // 6. importing the same export again changes nothing
    const again = await cli(["--db", siemDb, "scan", "siem", "--siem", "splunk", csv]);
    expect(again.code, again.stderr).toBe(0);
    expect(comparable(await inventory(siemDb))).toEqual(comparable(fromLogs));

    // 7. a later export of a day replaces that day's rows: alice's 2025-01-02 now counts 3 events, later
    const day2 = rows.filter((r) => r.day === "2025-01-02").map((r) => (r.user ? { ...r, count: 3, last: r.last + 3_600_000 } : r));
    const csv2 = join(tmp, "splunk-2025-01-02.csv");
    writeFileSync(csv2, splunkCsv(day2));
    const later = await cli(["--db", siemDb, "scan", "siem", "--siem", "splunk", csv2]);
    expect(later.code, later.stderr).toBe(0);
    const alice = (await inventory(siemDb)).find((r) => r.serviceId === "openai-api")!.users.find((u) => u.id === "alice@corp.example")!;
    const aliceRows = rows.filter((r) => r.user === "alice@corp.example");
    expect(alice.observations).toBe(5 + 3);
    expect(alice.lastSeen).toBe(new Date(Math.max(...aliceRows.map((r) => r.last)) + 3_600_000).toISOString());
  });
});
