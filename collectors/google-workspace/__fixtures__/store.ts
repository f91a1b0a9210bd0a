/**
 * Test-only: running a live collector into a real SQLite inventory the way `shadow-ai scan` does
 * (matcher → ScanWriter, cursors committed with the batches), optionally "killed" part-way, and
 * reading the inventory back the way `shadow-ai inventory --json` does.
 */
import { buildRecords } from "../../../src/classify/records.js";
import type { CollectContext, InputError } from "../../../src/core/collector.js";
import type { AISystemRecord } from "../../../src/core/finding.js";
import type { Observation } from "../../../src/core/observation.js";
import type { AIService } from "../../../src/core/service.js";
import { loadSignatures } from "../../../src/match/load.js";
import { Matcher } from "../../../src/match/matcher.js";
import { openStore } from "../../../src/store/db.js";
import { readGovernance } from "../../../src/store/governance.js";
import { ScanWriter } from "../../../src/store/ingest.js";
import { readSystemFacts } from "../../../src/store/inventory.js";

let cached: { matcher: Matcher; services: Map<string, AIService> } | undefined;

/** The bundled catalogue (loaded once per test file). */
export function catalogue(): { matcher: Matcher; services: Map<string, AIService> } {
  if (!cached) {
    const list = loadSignatures().map((s) => s.service);
    cached = { matcher: new Matcher(list), services: new Map(list.map((s) => [s.id, s])) };
  }
  return cached;
}

export interface ScanResult {
  read: number;
  inserted: number;
  errors: InputError[];
  status: "complete" | "partial" | "failed" | "killed";
}

/**
 * Scan `collect` into the database at `dbPath` under cursor source `source`.
 * With `killAfter`, stop after that many observations without the final flush, as a killed
 * process would (batches flushed every `flushEvery` observations before that are kept).
 */
export async function scanToDb(
  dbPath: string,
  source: string,
  collect: (ctx: CollectContext) => AsyncIterable<Observation>,
  opts: { killAfter?: number; flushEvery?: number } = {},
): Promise<ScanResult> {
  const { matcher } = catalogue();
  const db = openStore(dbPath);
  const writer = new ScanWriter(db, `scan ${source}`, [source]);
  const errors: InputError[] = [];
  const ctx: CollectContext = { onError: (e) => { errors.push(e); writer.error(e); }, cursors: writer.cursors(source) };
  let n = 0;
  try {
    for await (const o of collect(ctx)) {
      n++;
      const f = matcher.match(o);
      if (f) writer.add(o, f);
      else writer.skip(o);
      if (opts.flushEvery && n % opts.flushEvery === 0) writer.flush();
      if (opts.killAfter !== undefined && n >= opts.killAfter) {
        db.close();
        return { read: n, inserted: writer.counts.inserted, errors, status: "killed" };
      }
    }
    const status = writer.finish();
    return { read: writer.counts.read, inserted: writer.counts.inserted, errors, status };
  } finally {
    if (db.open) db.close();
  }
}

/** The inventory records of the database, as `inventory --json` builds them. */
export function inventory(dbPath: string): AISystemRecord[] {
  const { services } = catalogue();
  const db = openStore(dbPath);
  try {
    return buildRecords(readSystemFacts(db), services, readGovernance(db), { today: "2026-11-22" });
  } finally {
    db.close();
  }
}

/** Every stored observation row (without scan ids), sorted, for comparing databases. */
export function storedObservations(dbPath: string): Record<string, unknown>[] {
  const db = openStore(dbPath);
  try {
    return db
      .prepare("SELECT source, kind, time, user, app_name, client_id, app_id, scopes, consent_type, action, ref, service_id FROM observations ORDER BY content_key")
      .all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Stored cursors of one source. */
export function storedCursors(dbPath: string, source: string): Record<string, string> {
  const db = openStore(dbPath);
  try {
    const rows = db.prepare("SELECT key, value FROM cursors WHERE source = ?").all(source) as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}
