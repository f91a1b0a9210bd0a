/**
 * A security engineer's day, through the real CLI code in process (program.ts → pipeline → store):
 * copies of evidence count once, "no longer seen" needs proof of absence, alerts respect a person's
 * decision until the facts change, and a dismissal can be undone.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/paths.js";
import { cliInProcess } from "../cli/__fixtures__/run-cli.js";

const examples = join(packageRoot(), "examples");

const cli = cliInProcess;

const json = <T>(s: string): T => JSON.parse(s) as T;
type Summary = { scanId: number; inserted: number; read: number; status: string; changes: { goneSystems: string[]; newSystems: string[] }; alerts: { condition: string; code: number; records: string[] }[] };
type Rec = { id: string; status: string; evidence: Record<string, number>; users: { id: string }[]; classification: { tier: string } };

describe("evidence identity", () => {
  it("a copy of a capture under another name adds no rollup and no count; both places are kept as references", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-copy-"));
    const db = join(dir, "inv.db");
    const first = await cli(["--db", db, "scan", "pcap", join(examples, "pcap/office-clients.pcap"), "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const before = json<Rec[]>((await cli(["--db", db, "inventory", "--json"])).stdout);
    const copy = join(dir, "renamed-copy.pcap");
    copyFileSync(join(examples, "pcap/office-clients.pcap"), copy);
    const again = json<Summary>((await cli(["--db", db, "scan", "pcap", copy, "--json"])).stdout);
    expect(again.read).toBeGreaterThan(0);
    expect(again.inserted).toBe(0);
    const after = json<Rec[]>((await cli(["--db", db, "inventory", "--json"])).stdout);
    expect(after.map((r) => [r.id, r.evidence])).toEqual(before.map((r) => [r.id, r.evidence]));
    const rec = after.find((r) => r.evidence["tls"])!;
    const ev = json<{ evidence: { refs: { file: string; frame: number }[] }[] }>((await cli(["--db", db, "evidence", rec.id, "--json", "--limit", "5"])).stdout);
    expect(ev.evidence.length).toBeGreaterThan(0);
    for (const e of ev.evidence) {
      expect([...new Set(e.refs.map((r) => r.file))].sort()).toEqual([join(examples, "pcap/office-clients.pcap"), copy].sort());
      // the same records: the rollup's first event is at the same frame in both
      const first = (file: string) => Math.min(...e.refs.filter((r) => r.file === file).map((r) => r.frame));
      expect(first(copy)).toBe(first(join(examples, "pcap/office-clients.pcap")));
    }
  });
});

describe("a day of scheduled scans and decisions", () => {
  it("scanning a folder with one new export reports nothing as no longer seen; a rescan of unchanged exports neither", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-day-"));
    const db = join(dir, "inv.db");
    cpSync(join(examples, "google"), join(dir, "google"), { recursive: true });
    const full = json<Summary>((await cli(["--db", db, "scan", "google-export", join(dir, "google"), "--json"])).stdout);
    expect(full.status, JSON.stringify(full)).toBe("complete");
    const again = json<Summary>((await cli(["--db", db, "scan", "google-export", join(dir, "google"), "--json"])).stdout);
    expect(again.changes.goneSystems).toEqual([]);
    // a new day's folder holds only a new grant and users.json
    mkdirSync(join(dir, "today"));
    copyFileSync(join(dir, "google/users.json"), join(dir, "today/users.json"));
    writeFileSync(
      join(dir, "today/zoe@example.com.json"),
      JSON.stringify({ kind: "admin#directory#tokenList", exportedAt: "2026-12-07T08:00:00Z", items: [{ kind: "admin#directory#token", clientId: "1234567890-otter.apps.googleusercontent.com", displayText: "Otter.ai", scopes: ["https://www.googleapis.com/auth/calendar.readonly"], userKey: "zoe", anonymous: false, nativeApp: false }] }),
    );
    const today = json<Summary>((await cli(["--db", db, "scan", "google-export", join(dir, "today"), "--json"])).stdout);
    expect(today.status, JSON.stringify(today)).toBe("complete");
    expect(today.changes.goneSystems).toEqual([]);
    const d = json<{ goneSystems: unknown[] }>((await cli(["--db", db, "diff", "--json"])).stdout);
    expect(d.goneSystems).toEqual([]);
  });

  it("block a prohibited record: the alert stops; new evidence of another prohibited system fires, naming it, in JSON Lines and on stderr; dismissals can be undone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-alerts-"));
    const db = join(dir, "inv.db");
    const sigs = join(dir, "sigs");
    mkdirSync(sigs);
    const emotion = (id: string, domain: string) =>
      [
        `id: ${id}`, `name: ${id}`, "vendor: Example Emotion Ltd", "category: emotion", "references: [\"https://" + domain + "/privacy\"]",
        'lastValidated: "2026-12-07"', `match: { domains: [${domain}] }`,
        'euAiAct: { tier: prohibited, articles: ["Art. 5(1)(f)"], rationale: "Emotion recognition of staff in the workplace is prohibited by Art. 5(1)(f)." }',
        `examples: { match: [{ host: ${domain} }], noMatch: [{ host: ${domain}.evil.example }] }`,
      ].join("\n") + "\n";
    writeFileSync(join(sigs, "feelcam.yaml"), emotion("feelcam", "feelcam.example"));
    writeFileSync(join(sigs, "moodmeter.yaml"), emotion("moodmeter", "moodmeter.example"));
    const cfg = join(dir, "shadow-ai.yaml");
    writeFileSync(cfg, `signatures:\n  extraDirs: [sigs]\n`);
    const log = join(dir, "proxy.log");
    const line = (t: number, host: string, user: string) => `${t}.000    120 10.0.0.5 TCP_TUNNEL/200 3000 CONNECT ${host}:443 ${user} HIER_DIRECT/203.0.113.9 -`;
    writeFileSync(log, line(1765094400, "feelcam.example", "alice") + "\n");
    const run = (args: string[]) => cli(["--db", db, "--config", cfg, ...args]);

    const s1 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(s1.code, s1.stderr).toBe(12);
    expect(s1.stdout.trim().split("\n")).toHaveLength(1);
    expect(json<Summary>(s1.stdout).alerts).toEqual([expect.objectContaining({ condition: "prohibited", code: 12, records: ["feelcam"] })]);
    expect(s1.stderr).toContain("--fail-on prohibited (exit 12): prohibited: feelcam");

    expect((await run(["review", "feelcam", "--status", "blocked", "--why", "blocked at the proxy, ticket SEC-42"])).code).toBe(0);
    const s2 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(s2.code, s2.stderr).toBe(0);
    expect(json<Summary>(s2.stdout).alerts).toEqual([]);

    // new facts about the blocked system: a new user; and a new prohibited system
    writeFileSync(log, readFileSync(log, "utf8") + line(1765098000, "moodmeter.example", "bob") + "\n");
    const s3 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(s3.code).toBe(12);
    expect(json<Summary>(s3.stdout).alerts[0]!.records).toEqual(["moodmeter"]);
    expect(s3.stderr).toContain("moodmeter");
    expect(s3.stderr).not.toMatch(/prohibited: .*feelcam/);
    writeFileSync(log, readFileSync(log, "utf8") + line(1765101600, "feelcam.example", "carol") + "\n");
    const s4 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(json<Summary>(s4.stdout).alerts[0]!.records).toEqual(["feelcam", "moodmeter"]);
    // re-affirming the decision acknowledges the new facts
    await run(["review", "feelcam", "--status", "blocked", "--why", "carol's device blocked too"]);
    await run(["review", "moodmeter", "--status", "blocked", "--why", "blocked"]);
    const s5 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(s5.code).toBe(0);
    const hist = json<{ history: { field: string; new: string | null; why: string | null }[] }>((await run(["review", "feelcam", "--history", "--json"])).stdout).history;
    expect(hist.map((h) => h.field)).toEqual(["status", "acknowledged"]);
    expect(hist[0]).toMatchObject({ new: "blocked", why: "blocked at the proxy, ticket SEC-42" });

    // a status can be set back, and the journal keeps it all
    expect((await run(["review", "feelcam", "--status", "under_review", "--why", "vendor appeal"])).code).toBe(0);
    const s6 = await run(["scan", "logs", "--format", "squid", log, "--fail-on", "prohibited", "--json"]);
    expect(json<Summary>(s6.stdout).alerts[0]!.records).toEqual(["feelcam"]);
  });

  it("a dismissed suspected record can be brought back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-dismiss-"));
    const db = join(dir, "inv.db");
    const log = join(dir, "proxy.log");
    writeFileSync(log, `1765094400.000    120 10.0.0.5 TCP_TUNNEL/200 3000 CONNECT api.llm-gateway-unknown.ai:443 alice HIER_DIRECT/203.0.113.9 -\n`);
    await cli(["--db", db, "scan", "logs", "--format", "squid", log]);
    const recs = json<Rec[]>((await cli(["--db", db, "inventory", "--json"])).stdout);
    const suspected = recs.find((r) => r.id.startsWith("suspected:"));
    expect(suspected, JSON.stringify(recs.map((r) => r.id))).toBeDefined();
    expect((await cli(["--db", db, "review", suspected!.id, "--status", "dismissed", "--why", "our own gateway"])).code).toBe(0);
    const table = (await cli(["--db", db, "inventory"])).stdout;
    expect(table).not.toContain(suspected!.id);
    expect(table).toContain("1 dismissed record(s) hidden");
    expect(json<Rec[]>((await cli(["--db", db, "inventory", "--json"])).stdout).find((r) => r.id === suspected!.id)?.status).toBe("dismissed");
    const back = await cli(["--db", db, "review", suspected!.id, "--status", "under_review", "--why", "dismissed by mistake"]);
    expect(back.code, back.stderr).toBe(0);
    expect(json<Rec[]>((await cli(["--db", db, "inventory", "--json"])).stdout).find((r) => r.id === suspected!.id)?.status).toBe("under_review");
  });

  it("read commands on a database that does not exist: exit 4, and no file is created", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-nodb-"));
    const db = join(dir, "typo.db");
    for (const args of [["inventory"], ["inventory", "--format", "html", "--out", join(dir, "r.html")], ["query", "user", "a@b.c"], ["scans"], ["diff"], ["evidence", "x"]]) {
      const r = await cli(["--db", db, ...args]);
      expect(r.code, args.join(" ")).toBe(4);
      expect(r.stderr).toContain("no such database");
    }
    expect(() => readFileSync(db)).toThrow();
  });
});
