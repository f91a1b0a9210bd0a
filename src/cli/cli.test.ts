/**
 * End to end: the built CLI (dist/, made by `npm run build`, which `npm test` runs first) on the
 * bundled examples and on broken inputs, with a real SQLite file in a temporary directory.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");
const examples = join(root, "examples");

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, ...env }, cwd: root, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "shadow-ai-cli-"));

describe("shadow-ai CLI", () => {
  it("scans the bundled examples into an inventory of at least 10 classified AI services", () => {
    const db = join(tmp(), "inv.db");
    const scan = cli(["--db", db, "--config", join(examples, "shadow-ai.yaml"), "scan", "--json"]);
    // the configuration in use is always named; nothing else on stderr
    expect(scan.stderr).toBe(`shadow-ai: configuration: ${join(examples, "shadow-ai.yaml")}\n`);
    expect(scan.code).toBe(0);
    const summary = JSON.parse(scan.stdout);
    expect(summary.status).toBe("complete");
    expect(summary.inserted).toBeGreaterThan(0);

    const inv = cli(["--db", db, "inventory", "--json"]);
    expect(inv.code).toBe(0);
    const all = JSON.parse(inv.stdout) as { id: string; status: string; users: unknown[]; evidence: Record<string, number>; sources: string[]; classification: { tier: string; articles: string[] } }[];
    // an unknown app that looks like AI is a suspected record, for a person to confirm or dismiss
    const suspected = all.filter((r) => r.id.startsWith("suspected:"));
    expect(suspected.map((r) => [r.id, r.status, r.classification.tier])).toEqual([["suspected:gpt email writer@sales", "suspected", "unclassified"]]);
    const records = all.filter((r) => !r.id.startsWith("suspected:"));
    expect(new Set(records.map((r) => r.id.split("@")[0])).size).toBeGreaterThanOrEqual(10);
    for (const r of records) {
      expect(r.users.length, r.id).toBeGreaterThan(0);
      expect(Object.values(r.evidence).reduce((a, b) => a + b, 0), r.id).toBeGreaterThan(0);
      expect(["prohibited", "high_risk", "transparency", "gpai", "minimal"], r.id).toContain(r.classification.tier);
      expect(r.classification.articles.length, r.id).toBeGreaterThan(0);
    }
    // every kind of sample evidence contributed
    const sources = new Set(records.flatMap((r) => r.sources));
    expect([...sources].sort()).toEqual(["google-workspace", "microsoft-entra", "pcap"]);

    // the human table shows the same records
    const table = cli(["--db", db, "inventory"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`in ${all.length} record(s)`);

    // a dismissal is remembered: the table hides the record, later scans do not report it again,
    // and exports keep it with its status (a dismissal can be undone)
    expect(cli(["--db", db, "review", "suspected:gpt email writer@sales", "--status", "dismissed", "--why", "a mail-merge tool, no AI (vendor docs)"]).code).toBe(0);
    const rescan = JSON.parse(cli(["--db", db, "--config", join(examples, "shadow-ai.yaml"), "scan", "--json"]).stdout);
    expect(rescan.changes.newSystems).toEqual([]);
    const after = JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as { id: string; status: string }[];
    expect(after.filter((r) => r.id.startsWith("suspected:")).map((r) => [r.id, r.status])).toEqual([["suspected:gpt email writer@sales", "dismissed"]]);
    expect(cli(["--db", db, "inventory"]).stdout).not.toContain("gpt email writer");
  });

  it("leaves inventory --json unchanged when the same inputs are scanned twice", () => {
    const db = join(tmp(), "inv.db");
    const cfg = join(examples, "shadow-ai.yaml");
    expect(cli(["--db", db, "--config", cfg, "scan"]).code).toBe(0);
    const first = cli(["--db", db, "inventory", "--json"]).stdout;
    const again = cli(["--db", db, "--config", cfg, "scan", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).inserted).toBe(0);
    expect(cli(["--db", db, "inventory", "--json"]).stdout).toBe(first);
  });

  it("reports a truncated and a corrupt capture by file and offset, scans the others, and exits 3", () => {
    const dir = tmp();
    const db = join(dir, "inv.db");
    const captures = readdirSync(join(examples, "pcap")).filter((f) => /\.pcap(ng)?$/.test(f));
    const good = join(examples, "pcap", captures.find((f) => f.endsWith(".pcap"))!);
    const truncated = join(dir, "truncated.pcap");
    const whole = readFileSync(good);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const corrupt = join(dir, "corrupt.pcap");
    writeFileSync(corrupt, Buffer.from("this is not a capture file at all".repeat(4)));
    const other = join(dir, "other.pcapng");
    copyFileSync(join(examples, "pcap", captures.find((f) => f.endsWith(".pcapng"))!), other);

    const r = cli(["--db", db, "scan", "pcap", truncated, corrupt, other]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`${truncated}: offset \\d+: `));
    expect(r.stderr).toMatch(new RegExp(`${corrupt}: offset 0: `));
    const inv = JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as { evidence: Record<string, number> }[];
    // packets before the cut and the whole good file were stored
    expect(inv.length).toBeGreaterThan(0);
    const db2 = cli(["--db", db, "scan", "pcap", other, "--json"]);
    expect(JSON.parse(db2.stdout).inserted).toBe(0);
    expect(statSync(db).size).toBeGreaterThan(0);
  });

  it("prints capture observations as JSON lines with frame, time, kind, host, client, server", () => {
    const pcap = join(examples, "pcap", readdirSync(join(examples, "pcap")).find((f) => f.endsWith(".pcap"))!);
    const r = cli(["extract", pcap]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) {
      expect(Number.isInteger(l.frame) && l.frame >= 1).toBe(true);
      expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(["dns", "tls", "http", "quic"]).toContain(l.kind);
      expect(typeof l.host).toBe("string");
      expect(typeof l.client).toBe("string");
      expect(typeof l.server).toBe("string");
    }
    expect(lines.some((l) => l.kind === "tls" && l.host === "api.openai.com")).toBe(true);
  });

  it("answers query user and query app, and exits 5 when nothing is found", () => {
    const db = join(tmp(), "inv.db");
    cli(["--db", db, "--config", join(examples, "shadow-ai.yaml"), "scan"]);
    const inv = JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as { id: string; name: string; users: { id: string; kind: string }[] }[];
    const withUser = inv.find((r) => r.users.some((u) => u.kind === "user"))! as { id: string; serviceId?: string; name: string; users: { id: string; kind: string }[] };
    const user = withUser.users.find((u) => u.kind === "user")!.id;
    const q = cli(["--db", db, "query", "user", user.toUpperCase(), "--json"]);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout).services.map((s: { serviceId: string }) => s.serviceId)).toContain(withUser.serviceId);
    const a = cli(["--db", db, "query", "app", withUser.name, "--json"]);
    expect(a.code).toBe(0);
    const records = JSON.parse(a.stdout).records as { users: { id: string }[] }[];
    expect(records.flatMap((r) => r.users.map((u) => u.id))).toContain(user);
    expect(cli(["--db", db, "query", "user", "nobody@nowhere.invalid"]).code).toBe(5);
    const dept = JSON.parse(cli(["--db", db, "query", "department", "sales", "--json"]).stdout) as { records: { orgUnit: string; id: string }[] };
    expect(dept.records.length).toBeGreaterThan(0);
    expect(dept.records.every((r) => r.orgUnit === "Sales")).toBe(true);
    const gpaiOnly = JSON.parse(cli(["--db", db, "query", "department", "Sales", "--class", "gpai", "--json"]).stdout) as { records: { classification: { tier: string } }[] };
    expect(gpaiOnly.records.every((r) => r.classification.tier === "gpai")).toBe(true);
    expect(cli(["--db", db, "query", "department", "Sales", "--class", "scary"]).code).toBe(2);
  });

  it("uses $SHADOW_AI_DB, and exits 2 on bad usage and 4 on a file that is not a database", () => {
    const dir = tmp();
    const envDb = join(dir, "env.db");
    // a read command never creates a database: a mistyped path is an error (4), not an empty inventory
    const missing = cli(["inventory", "--json"], { SHADOW_AI_DB: envDb });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(`${envDb}: no such database`);
    expect(() => statSync(envDb)).toThrow();
    expect(cli(["scan", "pcap", join(examples, "pcap", "office-clients.pcap")], { SHADOW_AI_DB: envDb }).code).toBe(0);
    expect(statSync(envDb).isFile()).toBe(true);
    expect(cli(["inventory", "--json"], { SHADOW_AI_DB: envDb }).code).toBe(0);
    expect(cli(["no-such-command"]).code).toBe(2);
    expect(cli(["scan", "pcap"]).code).toBe(2);
    const notDb = join(dir, "not.db");
    writeFileSync(notDb, "x".repeat(4096));
    const r = cli(["--db", notDb, "inventory"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(notDb);
  });

  it("keeps governance across rescans, journals only human changes, and re-classifies by the attested use", () => {
    const db = join(tmp(), "inv.db");
    const cfg = join(examples, "shadow-ai.yaml");
    expect(cli(["--db", db, "--config", cfg, "scan"]).code).toBe(0);
    type Rec = {
      id: string; status: string; owner: string | null; missing: string[];
      governance: { purpose: string | null; purposeTags: string[]; oversight: string | null };
      classification: { tier: string; disposition: string; articles: string[]; rationale: string; role: { value: string }; obligations: { id: string; appliesFrom: string; status: string }[] };
      risk: { score: number; factors: { factor: string; points: number }[] };
    };
    const inventory = () => JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as Rec[];
    const before = inventory().find((r) => r.id === "otter-ai@hr")!;
    // HR use of a notetaker: a candidate Annex III 4(a) use, pending review
    expect(before.classification).toMatchObject({ tier: "high_risk", disposition: "requires_review", role: { value: "provider" } });
    expect(before.classification.articles).toContain("Annex III 4(a)");
    expect(before.classification.obligations.find((o) => o.id === "AIA.4.literacy")).toMatchObject({ appliesFrom: "2025-02-02", status: "applies" });
    expect(before.missing).toEqual(["owner", "purpose", "oversight"]);
    expect(before.risk.factors.map((f) => f.factor)).toEqual(["scopes", "users", "status", "training", "publisher", "jurisdiction", "recency"]);

    const r = cli(["--db", db, "review", "otter-ai@hr", "--owner", "Erin Ng", "--status", "tolerated", "--purpose", "Notes of internal HR meetings",
      "--use", "internal_productivity", "--as", "dpo@example.com", "--why", "Interviews are not recorded (HR policy 12)", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).changes.map((c: { field: string }) => c.field)).toEqual(["owner", "status", "purpose", "use"]);

    const after = inventory().find((x) => x.id === "otter-ai@hr")!;
    expect(after).toMatchObject({ owner: "Erin Ng", status: "tolerated", missing: [] });
    expect(after.classification).toMatchObject({ tier: "minimal", disposition: "determined" });
    expect(after.risk.score).toBeLessThan(before.risk.score);

    // a rescan changes no human decision and writes no journal entry
    expect(cli(["--db", db, "--config", cfg, "scan"]).code).toBe(0);
    expect(inventory().find((x) => x.id === "otter-ai@hr")).toEqual(after);
    const history = () => JSON.parse(cli(["--db", db, "review", "--history", "otter-ai@hr", "--json"]).stdout).history as { field: string; by: string; old: string | null; new: string; why: string }[];
    expect(history()).toHaveLength(4);
    expect(history()[1]).toMatchObject({ field: "status", by: "dpo@example.com", old: "unreviewed", new: "tolerated", why: "Interviews are not recorded (HR policy 12)" });
    // setting the same values again is no change
    expect(cli(["--db", db, "review", "otter-ai@hr", "--owner", "Erin Ng", "--status", "tolerated"]).stdout).toContain("nothing changed");
    expect(history()).toHaveLength(4);

    // a class override needs a justification; unknown records and bad values are refused
    expect(cli(["--db", db, "review", "otter-ai@hr", "--class", "minimal"]).code).toBe(2);
    expect(cli(["--db", db, "review", "otter-ai@hr", "--status", "fine"]).code).toBe(2);
    expect(cli(["--db", db, "review", "no-such-system", "--owner", "x"]).code).toBe(5);
    const o = cli(["--db", db, "review", "openai-chatgpt@marketing", "--class", "minimal", "--why", "Drafts only; a human edits all published text", "--as", "legal"]);
    expect(o.code).toBe(0);
    const overridden = inventory().find((x) => x.id === "openai-chatgpt@marketing")!;
    expect(overridden.classification).toMatchObject({ tier: "minimal", disposition: "determined" });
    expect(overridden.classification.rationale).toContain("Drafts only");
  });

  it("diff lists exactly the AI app that appeared between two scans, and --fail-on new-unsanctioned exits 10", () => {
    const dir = tmp();
    const db = join(dir, "inv.db");
    const tokens = (user: string, app: string, clientId: string) => {
      const f = join(dir, `${user}.json`);
      writeFileSync(f, JSON.stringify({ kind: "admin#directory#tokenList", exportedAt: "2026-11-20T10:00:00Z", items: [
        { kind: "admin#directory#token", clientId, displayText: app, scopes: ["openid", "https://www.googleapis.com/auth/calendar.readonly"], userKey: "1", anonymous: false, nativeApp: false },
      ] }));
      return f;
    };
    const first = tokens("ann@example.com", "ChatGPT", "000000000001-a.apps.googleusercontent.com");
    const second = tokens("bob@example.com", "Otter.ai", "000000000002-b.apps.googleusercontent.com");
    const s1 = cli(["--db", db, "scan", "google-export", first, "--fail-on", "new-unsanctioned", "--json"]);
    expect(s1.code).toBe(10); // the very first scan: everything is new
    const s2 = cli(["--db", db, "scan", "google-export", first, "--fail-on", "new-unsanctioned"]);
    expect(s2.code).toBe(0); // nothing new
    const s3 = cli(["--db", db, "scan", "google-export", first, second, "--fail-on", "new-unsanctioned,prohibited", "--json"]);
    expect(s3.code).toBe(10);
    expect(JSON.parse(s3.stdout).changes.newSystems).toEqual(["otter-ai"]);
    const d = JSON.parse(cli(["--db", db, "diff", "--json"]).stdout);
    expect(d.newSystems.map((r: { id: string }) => r.id)).toEqual(["otter-ai"]);
    expect(d.goneSystems).toEqual([]);
    expect(JSON.parse(cli(["--db", db, "diff", "--since", "1", "--json"]).stdout).newSystems.map((r: { id: string }) => r.id)).toEqual(["otter-ai"]);
    // the same app sanctioned before it shows up is no alert
    const scans = JSON.parse(cli(["--db", db, "scans", "--json"]).stdout) as { id: number; status: string }[];
    expect(scans.map((x) => x.status)).toEqual(["complete", "complete", "complete"]);
    // a scan of only the first file again: Otter is not seen, but saved exports never prove absence
    // (only a live scan reads the tenant whole); it retires by age instead
    const s4 = cli(["--db", db, "scan", "google-export", first, "--json"]);
    expect(JSON.parse(s4.stdout).changes.goneSystems).toEqual([]);
    expect(cli(["--db", db, "scan", "google-export", first, "--fail-on", "sometimes"]).code).toBe(2);
  });

  it("scan logs: times in --time-zone, and a rescan after lines were appended reads only the new lines", () => {
    const dir = tmp();
    const db = join(dir, "inv.db");
    const logDir = join(dir, "named");
    mkdirSync(logDir);
    const log = join(logDir, "query.log");
    const line = (t: string, user: string, name: string) =>
      `${t} queries: info: client @0x7f3a2c001200 ${user}#53000 (${name}): query: ${name} IN A +E(0)K (10.0.0.53)\n`;
    writeFileSync(log, line("06-Jan-2025 09:12:00.120", "10.0.0.7", "api.openai.com") + line("06-Jan-2025 09:13:00.000", "10.0.0.8", "www.example.com"));
    const s1 = cli(["--db", db, "scan", "logs", logDir, "--time-zone", "Europe/Berlin", "--json"]);
    expect(s1.code).toBe(0);
    expect(JSON.parse(s1.stdout).sources).toEqual([{ source: "logs", inputs: 1, read: 2, matched: 1 }]);
    const app = JSON.parse(cli(["--db", db, "query", "app", "openai-api", "--json"]).stdout);
    expect(JSON.stringify(app)).toContain("2025-01-06T08:12:00.120Z"); // 09:12 CET
    // appended lines only
    writeFileSync(log, line("06-Jan-2025 10:00:00.000", "10.0.0.9", "chatgpt.com"), { flag: "a" });
    const s2 = JSON.parse(cli(["--db", db, "scan", "logs", logDir, "--time-zone", "Europe/Berlin", "--json"]).stdout);
    expect(s2.sources).toEqual([{ source: "logs", inputs: 1, read: 1, matched: 1 }]);
    expect(JSON.parse(cli(["--db", db, "scan", "logs", logDir, "--json"]).stdout).sources[0].read).toBe(0);
    const bad = cli(["--db", db, "scan", "logs", logDir, "--time-zone", "Mars/Olympus_Mons"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("IANA name");
  });

  it("refuses a scan while another holds the lock (exit 7), and takes over a crashed scan's stale lock", async () => {
    const dir = tmp();
    const db = join(dir, "inv.db");
    const cfg = join(examples, "shadow-ai.yaml");
    const { acquireScanLock } = await import("../store/lock.js");
    const release = await acquireScanLock(db, () => undefined);
    const r = cli(["--db", db, "--config", cfg, "scan"]);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain("another scan is running");
    await release();
    // a crashed scan: its running row and a lock directory nobody refreshes any more
    expect(cli(["--db", db, "--config", cfg, "scan"]).code).toBe(0);
    const { openStore } = await import("../store/db.js");
    const h = openStore(db);
    h.prepare("INSERT INTO scans (started_at, command, inputs, status) VALUES ('2026-11-22T00:00:00.000Z', 'scan', '[]', 'running')").run();
    h.close();
    mkdirSync(`${db}.lock`);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${db}.lock`, old, old);
    const again = cli(["--db", db, "--config", cfg, "scan", "--json"]);
    expect(again.code).toBe(0);
    const scans = JSON.parse(cli(["--db", db, "scans", "--json"]).stdout) as { status: string; errors: number }[];
    expect(scans.map((x) => x.status)).toEqual(["complete", "failed", "complete"]);
    expect(scans[1]!.errors).toBe(1);
  });
});
