/**
 * The scan lock: one scan at a time per database, so two overlapping scheduled runs cannot
 * interleave their batches and cursors. Built on `proper-lockfile` (a `<db>.lock` directory whose
 * modification time the holder refreshes every 5 s). A scan that crashed stops refreshing it; after
 * {@link STALE_MS} the lock is stale and the next scan takes it over, and that scan's leftover
 * `running` row in `scans` is closed as `failed` (its committed batches stay: they were complete).
 */
import lockfile from "proper-lockfile";
import { resolve } from "node:path";
import type { DB } from "./db.js";

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 30_000;

/** Another live scan holds the lock. */
export class LockedError extends Error {
  constructor(readonly path: string) {
    super(`${path}: another scan is running on this database (lock ${path}.lock); a crashed scan's lock is taken over after ${STALE_MS / 1000} s`);
    this.name = "LockedError";
  }
}

/**
 * Take the scan lock of the database at `dbPath`.
 * @returns a function that releases it.
 * @throws LockedError when another live scan holds it.
 */
export async function acquireScanLock(dbPath: string, onCompromised: (e: Error) => void): Promise<() => Promise<void>> {
  const path = resolve(dbPath);
  try {
    return await lockfile.lock(path, { realpath: false, stale: STALE_MS, update: 5_000, retries: 0, onCompromised });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOCKED") throw new LockedError(path);
    throw e;
  }
}

/**
 * Close scans left `running` by a process that died (only call while holding the lock).
 * @returns how many were closed.
 */
export function closeInterruptedScans(db: DB): number {
  return db
    .prepare(
      `UPDATE scans SET status = 'failed', ended_at = COALESCE(ended_at, ?),
         errors = json_insert(errors, '$[#]', json_object('input', 'scan', 'message', 'interrupted: the process ended before the scan finished; batches committed before that were kept', 'partial', json('true')))
       WHERE status = 'running'`,
    )
    .run(new Date().toISOString()).changes;
}
