/**
 * `scans` (the scan history) and `diff [--since SCAN|DATE]` (what changed between two scans).
 */
import type { Command } from "commander";
import { diffSnapshots, listScans, readSnapshot, snapshotScanId, type InventoryDiff } from "../store/history.js";
import { openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { cell, table } from "./terminal.js";

/** Resolve `--since`: a scan id, or an ISO 8601 date (the last scan that started before it). */
export function baselineScan(db: Parameters<typeof snapshotScanId>[0], since: string | undefined, latest: number): number | undefined {
  if (since === undefined) return snapshotScanId(db, { before: latest });
  if (/^\d+$/.test(since)) {
    const id = Number(since);
    const found = snapshotScanId(db, { atOrBefore: id });
    if (found !== id) throw new CliError(`--since ${since}: scan ${since} has no snapshot (it did not finish, or does not exist)`, EXIT.NOT_FOUND);
    return id;
  }
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new CliError(`--since: "${since}" is neither a scan id nor an ISO 8601 date`, EXIT.USAGE);
  return snapshotScanId(db, { startedBefore: new Date(t).toISOString() });
}

function printDiff(d: InventoryDiff): void {
  const lines: string[] = [`Changes from scan ${d.from ?? "(none: first scan)"} to scan ${d.to}:`];
  const section = (title: string, rows: (string | number | null)[][], head: string[]) => {
    lines.push(`\n${title}: ${rows.length}`);
    if (rows.length) lines.push(table(head, rows, [34, 26, 12, 50]));
  };
  section("New AI systems", d.newSystems.map((r) => [r.id, r.name, r.tier, r.status]), ["Record", "Name", "Class", "Status"]);
  section("No longer seen", d.goneSystems.map((r) => [r.id, r.name, r.tier, r.status]), ["Record", "Name", "Class", "Status"]);
  section("New users", d.newUsers.map((r) => [r.id, r.name, r.users.join(", ")]), ["Record", "Name", "Users"]);
  section("Scope changes", d.scopeChanges.map((r) => [r.id, r.name, `+${r.added.join(" +")} -${r.removed.join(" -")}`]), ["Record", "Name", "Scopes"]);
  section("Class changes", d.classChanges.map((r) => [r.id, r.name, `${r.from} -> ${r.to}`]), ["Record", "Name", "Class"]);
  section("Status changes", d.statusChanges.map((r) => [r.id, r.name, `${r.from} -> ${r.to}`]), ["Record", "Name", "Status"]);
  process.stdout.write(lines.join("\n") + "\n");
}

/** Add `scans` and `diff` to the program. */
export function registerHistory(program: Command): void {
  program
    .command("scans")
    .description("the scan history: when, what, how many, errors, complete or partial")
    .option("--limit <n>", "most recent scans to show", "50")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean; limit: string }, cmd: Command) => {
      const db = openDb(cmd.optsWithGlobals<GlobalOptions>());
      let scans;
      try {
        scans = listScans(db, Math.max(1, Math.min(10_000, Number.parseInt(opts.limit, 10) || 50)));
      } finally {
        db.close();
      }
      if (opts.json) return printJson(scans);
      process.stdout.write(
        table(
          ["Scan", "Started", "Ended", "Command", "Status", "Read", "Matched", "New", "Errors"],
          scans.map((s) => [s.id, s.startedAt, s.endedAt ?? "-", cell(s.command, 30), s.status, s.read, s.matched, s.inserted, s.errors]),
          [6, 24, 24, 30, 9, 9, 9, 9, 6],
        ) + "\n",
      );
    });

  program
    .command("diff")
    .description("what changed between two scans: new and no-longer-seen AI systems, new users, scopes, classes")
    .option("--since <scan|date>", "baseline: a scan id or an ISO 8601 date (default: the scan before the latest)")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean; since?: string }, cmd: Command) => {
      const db = openDb(cmd.optsWithGlobals<GlobalOptions>());
      let d: InventoryDiff;
      try {
        const latest = snapshotScanId(db);
        if (latest === undefined) throw new CliError("no finished scan yet: run a scan first", EXIT.NOT_FOUND);
        const base = baselineScan(db, opts.since, latest);
        d = diffSnapshots(base === undefined ? undefined : readSnapshot(db, base), readSnapshot(db, latest)!);
      } finally {
        db.close();
      }
      if (opts.json) printJson(d);
      else printDiff(d);
    });
}
