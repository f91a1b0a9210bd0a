/**
 * The scan lock: one scan at a time per database, so two overlapping scheduled runs cannot
 * interleave their batches and cursors. Built on `proper-lockfile` (a `<db>.lock` directory whose
 * modification time the holder refreshes every 5 s). A scan that crashed stops refreshing it; after
 * {@link STALE_MS} the lock is stale and the next scan takes it over, and that scan's leftover
 * `running` row in `scans` is closed as `failed` (its committed batches stay: they were complete).
 *
 * The holder also writes `<db>.lock.owner` (process id, host name) beside the lock directory, so that a
 * scan started right after a crash on the same host sees at once that the holder is dead (signal 0
 * to its pid fails with ESRCH) and takes the lock over without waiting for it to go stale.
 */
import lockfile from "proper-lockfile";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { DB } from "./db.js";

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 30_000;

/** Another live scan holds the lock. */
export class LockedError extends Error {
  constructor(readonly path: string) {
    super(`${path}: another scan is running on this database (lock ${path}.lock); a crashed scan's lock is taken over at once on this host, after ${STALE_MS / 1000} s from another`);
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
  const take = async () => {
    const release = await lockfile.lock(path, { realpath: false, stale: STALE_MS, update: 5_000, retries: 0, onCompromised });
    try {
      writeFileSync(`${path}.lock.owner`, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    } catch {
      // without an owner file the lock still works; it only goes stale more slowly
    }
    return async () => {
      rmSync(`${path}.lock.owner`, { force: true });
      await release();
    };
  };
  try {
    return await take();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
    if (!holderIsDead(path)) throw new LockedError(path);
    // the holder crashed on this host: move its lock aside (atomic) and take a fresh one
    const aside = `${path}.lock.dead-${process.pid}-${Date.now()}`;
    try {
      renameSync(`${path}.lock`, aside);
      rmSync(aside, { recursive: true, force: true });
    } catch {
      throw new LockedError(path);
    }
    try {
      return await take();
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === "ELOCKED") throw new LockedError(path);
      throw e2;
    }
  }
}

/** True when the lock's owner file names a process on this host that no longer exists. */
function holderIsDead(path: string): boolean {
  let owner: { pid?: unknown; host?: unknown };
  try {
    const text = readFileSync(`${path}.lock.owner`, "utf8");
    if (text.length > 4096) return false;
    owner = JSON.parse(text) as { pid?: unknown; host?: unknown };
  } catch {
    return false;
  }
  if (owner.host !== hostname() || typeof owner.pid !== "number" || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
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
