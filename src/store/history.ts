/**
 * Scan history: the scans table, and the inventory as each scan left it (`scan_snapshots`), so
 * that scheduled runs can report only what changed: new and no-longer-seen AI systems, new users,
 * changed scopes, classes and statuses.
 *
 * "No longer seen" is strict: a record is gone when a scan that completed without input errors
 * read, whole, every source the record's evidence came from (live identity APIs; `Source.complete`)
 * and saw none of it again; or when its newest evidence grew older than `staleAfterDays` (logs,
 * captures and saved exports never prove absence: a scan of one new file, or a log whose cursor
 * found nothing new, retires nothing). A partial scan never marks anything gone.
 */
import type { AISystemRecord } from "../core/finding.js";
import type { DB } from "./db.js";

/** One record as a scan left it. */
export interface SnapshotRecord {
  id: string;
  name: string;
  tier: string;
  disposition: string;
  status: string;
  users: string[];
  scopes: string[];
  sources: string[];
  /** True when this scan read some of the record's evidence (new or again). */
  seen: boolean;
  /** Time of the newest evidence (ISO 8601). Absent in snapshots written before it was kept. */
  lastSeen?: string;
  /** True when the newest evidence was older than `staleAfterDays` when the snapshot was written. */
  stale?: boolean;
}

export interface Snapshot {
  scanId: number;
  /** Observation sources this scan read (`pcap`, `google-workspace`, `logs:`...; a trailing `:` is a prefix). */
  sources: string[];
  status: string;
  records: SnapshotRecord[];
}

export interface ScanRow {
  id: number;
  startedAt: string;
  endedAt: string | null;
  command: string;
  inputs: string[];
  /** The configuration file the scan ran with, or null. */
  config: string | null;
  status: string;
  read: number;
  matched: number;
  inserted: number;
  errors: number;
}

/** Every scan, newest first (`limit` rows at most). */
export function listScans(db: DB, limit = 100): ScanRow[] {
  return (
    db.prepare("SELECT * FROM scans ORDER BY id DESC LIMIT ?").all(limit) as {
      id: number; started_at: string; ended_at: string | null; command: string; inputs: string; config: string | null; status: string;
      records_read: number; matched: number; inserted: number; errors: string;
    }[]
  ).map((r) => ({
    id: r.id, startedAt: r.started_at, endedAt: r.ended_at, command: r.command, inputs: JSON.parse(r.inputs) as string[], config: r.config,
    status: r.status, read: r.records_read, matched: r.matched, inserted: r.inserted, errors: (JSON.parse(r.errors) as unknown[]).length,
  }));
}

/** Ids of the records (`<service>` / `<service>@<unit>`) with evidence read by scan `scanId`. */
export function recordsSeenBy(db: DB, scanId: number, recordIdOf: (serviceId: string, unit: string | null) => string): Set<string> {
  const rows = db
    .prepare(
      `SELECT DISTINCT o.service_id, COALESCE(p.department, o.department) unit
       FROM observations o LEFT JOIN people p ON p.user = o.user WHERE o.last_scan_id = ?`,
    )
    .all(scanId) as { service_id: string; unit: string | null }[];
  return new Set(rows.map((r) => recordIdOf(r.service_id, r.unit)));
}

/** Store the inventory as scan `scanId` left it. */
export function writeSnapshot(
  db: DB, scanId: number, sources: string[], records: readonly AISystemRecord[], seen: ReadonlySet<string>,
  options: { staleAfterDays?: number; now?: number } = {},
): void {
  const cutoff = (options.now ?? Date.now()) - (options.staleAfterDays ?? 90) * 86_400_000;
  const compact: SnapshotRecord[] = records.map((r) => ({
    id: r.id, name: r.name, tier: r.classification.tier, disposition: r.classification.disposition, status: r.status,
    users: r.users.map((u) => u.id), scopes: r.scopes, sources: r.sources, seen: seen.has(r.id),
    lastSeen: r.lastSeen, stale: Date.parse(r.lastSeen) < cutoff,
  }));
  db.prepare("INSERT OR REPLACE INTO scan_snapshots (scan_id, records) VALUES (?, ?)").run(scanId, JSON.stringify({ sources, records: compact }));
}

/** The snapshot of scan `scanId`, or undefined when it has none (a scan that crashed). */
export function readSnapshot(db: DB, scanId: number): Snapshot | undefined {
  const row = db
    .prepare("SELECT s.records, c.status FROM scan_snapshots s JOIN scans c ON c.id = s.scan_id WHERE s.scan_id = ?")
    .get(scanId) as { records: string; status: string } | undefined;
  if (!row) return undefined;
  const doc = JSON.parse(row.records) as { sources: string[]; records: SnapshotRecord[] };
  return { scanId, sources: doc.sources, status: row.status, records: doc.records };
}

/** The latest scan with a snapshot, at or before `scanId` / before `date` when given; with `completeOnly`, of scans that completed without input errors. */
export function snapshotScanId(db: DB, opts: { before?: number; atOrBefore?: number; startedBefore?: string; completeOnly?: boolean } = {}): number | undefined {
  const cond: string[] = [];
  const args: (number | string)[] = [];
  if (opts.completeOnly) cond.push("c.status = 'complete'");
  if (opts.before !== undefined) (cond.push("s.scan_id < ?"), args.push(opts.before));
  if (opts.atOrBefore !== undefined) (cond.push("s.scan_id <= ?"), args.push(opts.atOrBefore));
  if (opts.startedBefore !== undefined) (cond.push("c.started_at < ?"), args.push(opts.startedBefore));
  const row = db
    .prepare(`SELECT MAX(s.scan_id) id FROM scan_snapshots s JOIN scans c ON c.id = s.scan_id ${cond.length ? "WHERE " + cond.join(" AND ") : ""}`)
    .get(...args) as { id: number | null };
  return row.id ?? undefined;
}

export interface InventoryDiff {
  from: number | null;
  to: number;
  newSystems: SnapshotRecord[];
  goneSystems: SnapshotRecord[];
  newUsers: { id: string; name: string; users: string[] }[];
  scopeChanges: { id: string; name: string; added: string[]; removed: string[] }[];
  classChanges: { id: string; name: string; from: string; to: string }[];
  statusChanges: { id: string; name: string; from: string; to: string }[];
}

function covers(scanSources: readonly string[], recordSources: readonly string[]): boolean {
  return recordSources.every((s) => scanSources.some((x) => (x.endsWith(":") ? s.startsWith(x) : s === x)));
}

/**
 * What changed from snapshot `base` (or from nothing) to snapshot `cur`.
 * A record is gone when `cur` completed cleanly, covered all its sources, and did not see it.
 */
export function diffSnapshots(base: Snapshot | undefined, cur: Snapshot): InventoryDiff {
  const before = new Map((base?.records ?? []).map((r) => [r.id, r]));
  const out: InventoryDiff = { from: base?.scanId ?? null, to: cur.scanId, newSystems: [], goneSystems: [], newUsers: [], scopeChanges: [], classChanges: [], statusChanges: [] };
  for (const r of cur.records) {
    const b = before.get(r.id);
    if (!b) {
      out.newSystems.push(r);
      continue;
    }
    const users = r.users.filter((u) => !b.users.includes(u));
    if (users.length) out.newUsers.push({ id: r.id, name: r.name, users });
    const added = r.scopes.filter((s) => !b.scopes.includes(s));
    const removed = b.scopes.filter((s) => !r.scopes.includes(s));
    if (added.length || removed.length) out.scopeChanges.push({ id: r.id, name: r.name, added, removed });
    if (b.tier !== r.tier) out.classChanges.push({ id: r.id, name: r.name, from: b.tier, to: r.tier });
    if (b.status !== r.status) out.statusChanges.push({ id: r.id, name: r.name, from: b.status, to: r.status });
    const absent = cur.status === "complete" && b.seen && !r.seen && r.sources.length > 0 && covers(cur.sources, r.sources);
    const aged = r.stale === true && b.stale !== true;
    if (absent || aged) out.goneSystems.push(r);
  }
  return out;
}
