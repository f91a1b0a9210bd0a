/**
 * `scans` (the scan history) and `diff [--since SCAN|DATE]` (what changed between two scans).
 */
import type { Command } from "commander";
import { diffSnapshots, listScans, readSnapshot, snapshotScanId, type InventoryDiff } from "../store/history.js";
import { openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { table, type Column } from "./terminal.js";
import { tierLabel, tierRank } from "../core/tier-label.js";

/** Resolve `--since`: a scan id, or an ISO 8601 date (the last scan that started before it). */
export function baselineScan(db: Parameters<typeof snapshotScanId>[0], since: string | undefined, latest: number): number | undefined {
  if (since === undefined) return snapshotScanId(db, { before: latest, completeOnly: true });
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

/** `2026-11-22 05:04:46` from an ISO time; `-` for none. */
function second(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "-";
}

/** `1h02m`, `3m04s`, `12s` between two ISO times; empty when the scan has not ended. */
export function took(start: string, end: string | null | undefined): string {
  if (!end) return "";
  const s = Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000));
  if (Number.isNaN(s)) return "";
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const RECORD: Column = { header: "Record", keep: true, wrap: true, min: 28, priority: -1 };
const NAME: Column = { header: "AI system", min: 12, max: 30, priority: 5, optional: true };

function printDiff(d: InventoryDiff): void {
  const lines: string[] = [`Changes from scan ${d.from ?? "(none: first scan)"} to scan ${d.to}:`];
  const section = (title: string, rows: (string | number | null)[][], columns: Column[]) => {
    lines.push(`\n${title}: ${rows.length}`);
    if (rows.length) lines.push(table(columns, rows));
  };
  const systems: Column[] = [RECORD, { header: "Class", keep: true }, { header: "Status", keep: true }, NAME];
  const bySeverity = <T extends { id: string; name: string; tier: string }>(xs: readonly T[]) =>
    [...xs].sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || (a.id < b.id ? -1 : 1));
  section("New AI systems", bySeverity(d.newSystems).map((r) => [r.id, tierLabel(r.tier), r.status, r.name]), systems);
  section("No longer seen", bySeverity(d.goneSystems).map((r) => [r.id, tierLabel(r.tier), r.status, r.name]), systems);
  section("New users", d.newUsers.map((r) => [r.id, r.users.join(", "), r.name]), [RECORD, { header: "New users", min: 16, max: 80, wrap: true }, NAME]);
  section(
    "Scope changes",
    d.scopeChanges.map((r) => [r.id, [...r.added.map((x) => `+${x}`), ...r.removed.map((x) => `-${x}`)].join(" "), r.name]),
    [RECORD, { header: "Scopes", min: 16, max: 80, wrap: true }, NAME],
  );
  section("Class changes", d.classChanges.map((r) => [r.id, tierLabel(r.from), tierLabel(r.to), r.name]), [RECORD, { header: "From", keep: true }, { header: "To", keep: true }, NAME]);
  section("Status changes", d.statusChanges.map((r) => [r.id, r.from, r.to, r.name]), [RECORD, { header: "From", keep: true }, { header: "To", keep: true }, NAME]);
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
      const columns: Column[] = [
        { header: "Scan", keep: true, right: true },
        { header: "Started (UTC)", keep: true },
        { header: "Took", keep: true, optional: true, priority: 2 },
        { header: "Status", keep: true },
        { header: "Read", keep: true, right: true },
        { header: "Matched", keep: true, right: true },
        { header: "New", keep: true, right: true, optional: true, priority: 3 },
        { header: "Errors", keep: true, right: true },
        { header: "Command", min: 10, max: 60, priority: 4 },
      ];
      process.stdout.write(
        table(columns, scans.map((s) => [s.id, second(s.startedAt), took(s.startedAt, s.endedAt), s.status, s.read, s.matched, s.inserted, s.errors, s.command])) + "\n",
      );
    });

  program
    .command("diff")
    .description("what changed between two scans: new and no-longer-seen AI systems, new users, scopes, classes")
    .option("--since <scan|date>", "baseline: a scan id or an ISO 8601 date (default: the completed scan before the latest completed one)")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean; since?: string }, cmd: Command) => {
      const db = openDb(cmd.optsWithGlobals<GlobalOptions>());
      let d: InventoryDiff;
      try {
        // by default, between the two latest scans that completed (a partial scan proves little)
        const latest = opts.since === undefined ? (snapshotScanId(db, { completeOnly: true }) ?? snapshotScanId(db)) : snapshotScanId(db);
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
