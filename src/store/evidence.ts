/**
 * The evidence behind an inventory record: its observations, newest first, each with the
 * reference(s) to the raw record (capture file + frame + byte offset, log file + line + byte offset,
 * or API + record id), so that an auditor can go from a line of the inventory to the packet, log
 * line or API object that proves it. `evidence SYSTEM` prints them; the JSON and HTML exports carry
 * a bounded sample per record.
 */
import type { EvidenceRef } from "../core/observation.js";
import type { DB } from "./db.js";
import { recordId } from "./inventory.js";

/** One observation behind a record. */
export interface EvidenceItem {
  time: string;
  source: string;
  kind: string;
  user: string | null;
  client: string | null;
  /** Host, or for identity evidence the app name (client ID / app ID in `app`). */
  host: string | null;
  app: string | null;
  action: string | null;
  /** Which signature field matched, and the value. */
  matched: string;
  /**
   * Where the raw records are: for a day's rollup of traffic (src/store/rollup.ts), the first few
   * events' and the last's; otherwise the record, and every other file the same evidence was read from.
   */
  refs: EvidenceRef[];
  /** Events this item stands for: 1 for an identity fact, the day's count for a rollup. */
  count: number;
  /** The last event's time (equal to `time` for a single event). */
  lastTime: string;
  /** Bytes the source counted over those events, when it counts them. */
  bytes: number | null;
}

/** Longest list `evidenceFor` returns at once. */
export const MAX_EVIDENCE = 10_000;

/**
 * The observations of record `id` (`<service>` or `<service>@<unit>`), newest first (by their last
 * event: a traffic row is a day's rollup).
 * @param options.limit at most this many (default 50, at most {@link MAX_EVIDENCE}).
 * @param options.since only evidence at or after this ISO 8601 time.
 * @param options.sample when set, the first `sample` and the last `sample` observations by time
 *   instead of the newest `limit` (what exports keep: how it started and where it is now).
 */
export function evidenceFor(db: DB, id: string, options: { limit?: number; since?: string; sample?: number } = {}): EvidenceItem[] {
  const serviceId = id.includes("@") ? id.slice(0, id.lastIndexOf("@")) : id;
  const limit = Math.max(1, Math.min(MAX_EVIDENCE, options.limit ?? 50));
  const since = options.since ?? "";
  const hasRefs = (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'observation_refs'").get() as unknown) !== undefined;
  const extra = hasRefs ? db.prepare("SELECT ref FROM observation_refs WHERE observation_id = ? ORDER BY ref LIMIT 64") : undefined;
  const rows = (order: "DESC" | "ASC") =>
    db
      .prepare(
        `SELECT o.rowid AS rid, o.time, o.source, o.kind, o.user, o.client, o.host, o.app_name, o.client_id, o.app_id, o.action,
                o.match_field, o.matched, o.ref, o.count, o.bytes, o.last_time, o.last_ref, COALESCE(p.department, o.department) AS unit
         FROM observations o LEFT JOIN people p ON p.user = o.user
         WHERE o.service_id = ? AND o.last_time >= ? ORDER BY o.last_time ${order}, o.rowid ${order}`,
      )
      .iterate(serviceId, since) as IterableIterator<Row>;
  const pick = (order: "DESC" | "ASC", n: number): Row[] => {
    const out: Row[] = [];
    for (const r of rows(order)) {
      if (recordId(serviceId, r.unit) !== id) continue;
      out.push(r);
      if (out.length >= n) break;
    }
    return out;
  };
  let chosen: Row[];
  if (options.sample !== undefined) {
    const n = Math.max(1, Math.min(1000, options.sample));
    const first = pick("ASC", n);
    const last = pick("DESC", n);
    const seen = new Set(first.map((r) => r.rid));
    chosen = [...last.filter((r) => !seen.has(r.rid)), ...first.reverse()];
  } else chosen = pick("DESC", limit);
  return chosen.map((r) => {
    const refs: EvidenceRef[] = [JSON.parse(r.ref) as EvidenceRef];
    if (extra) for (const x of extra.all(r.rid) as { ref: string }[]) refs.push(JSON.parse(x.ref) as EvidenceRef);
    if (r.last_ref !== null && r.last_ref !== r.ref && !refs.some((x) => JSON.stringify(x) === r.last_ref)) refs.push(JSON.parse(r.last_ref) as EvidenceRef);
    return {
      time: r.time,
      source: r.source,
      kind: r.kind,
      user: r.user,
      client: r.client,
      host: r.host,
      app: r.app_name ?? r.client_id ?? r.app_id,
      action: r.action,
      matched: `${r.match_field}: ${r.matched}`,
      refs,
      count: r.count,
      lastTime: r.last_time ?? r.time,
      bytes: r.bytes,
    };
  });
}

interface Row {
  rid: number;
  time: string;
  source: string;
  kind: string;
  user: string | null;
  client: string | null;
  host: string | null;
  app_name: string | null;
  client_id: string | null;
  app_id: string | null;
  action: string | null;
  match_field: string;
  matched: string;
  ref: string;
  count: number;
  bytes: number | null;
  last_time: string | null;
  last_ref: string | null;
  unit: string | null;
}

/** A reference in one line: `capture.pcap frame 12 offset 3456`, `proxy.log line 7 offset 812`, `graph servicePrincipals id 1f...`. */
export function refText(r: EvidenceRef): string {
  const parts: string[] = [];
  if (r.file) parts.push(r.file);
  if (r.api) parts.push(r.api);
  if (r.frame !== undefined) parts.push(`frame ${r.frame}`);
  if (r.line !== undefined) parts.push(`line ${r.line}`);
  if (r.offset !== undefined) parts.push(`offset ${r.offset}`);
  if (r.id !== undefined) parts.push(`id ${r.id}`);
  return parts.join(" ");
}
