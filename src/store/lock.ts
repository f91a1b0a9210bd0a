/**
 * The scan lock: one scan at a time per database, so two overlapping scheduled runs cannot
 * interleave their batches and cursors. Built on `proper-lockfile` (a `<db>.lock` directory whose
 * modification time the holder refreshes every 5 s). A scan that crashed stops refreshing it; after
 * {@link STALE_MS} the lock is stale and the next scan takes it over, and that scan's leftover
 * `running` row in `scans` is closed as `failed` (its committed batches stay: they were complete).
 *
 * Every taker also writes `<db>.lock.owner` (process id, host name; owner-only, replaced atomically)
 * and leaves it there when it releases, so the file always names the last process that took the lock.
 * A scan started right after a crash on the same host therefore sees at once that the holder is dead
 * (signal 0 to its pid fails with ESRCH) and takes the lock over without waiting for it to go stale,
 * whatever instant the holder died at, even between creating the directory and writing its owner file:
 * the file then still names an earlier taker that has ended (or the holder itself, which creates the
 * file before taking a database's first lock). A lock younger than
 * {@link OWNER_GRACE_MS} is given that long for its taker to write its owner file before it is judged.
 * The at-once takeover assumes a local file system; on a shared one a holder on another host is never
 * judged dead, and its lock is taken over only when stale.
 */
import lockfile from "proper-lockfile";
import { closeSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { DB } from "./db.js";

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 30_000;

/** How long a fresh lock's taker has to write its owner file (it does so microseconds after taking it). */
export const OWNER_GRACE_MS = 500;

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
 * @throws LockedError when another live scan holds it; an Error naming the file when the owner file
 * cannot be written (the lock is released again first).
 */
export async function acquireScanLock(dbPath: string, onCompromised: (e: Error) => void): Promise<() => Promise<void>> {
  const path = resolve(dbPath);
  const owner = `${path}.lock.owner`;
  // a database locked for the first time: name ourselves before taking the lock, so a crash between
  // taking it and writing the owner file below still leaves a file that names a dead process
  try {
    writeFileSync(owner, ownerText(), { flag: "wx", mode: 0o600 });
  } catch {
    // it exists (an earlier taker, or a contender that got here first): it is replaced once we hold the lock
  }
  const take = async () => {
    const release = await lockfile.lock(path, { realpath: false, stale: STALE_MS, update: 5_000, retries: 0, onCompromised });
    try {
      const tmp = `${owner}.${process.pid}`;
      // created afresh ("wx" follows no link someone left under that name), then renamed over the owner file
      rmSync(tmp, { force: true });
      writeFileSync(tmp, ownerText(), { flag: "wx", mode: 0o600 });
      renameSync(tmp, owner);
    } catch (e) {
      await release();
      throw new Error(`${owner}: cannot write the scan lock's owner file: ${(e as Error).message}`);
    }
    // the owner file stays after release: it names the last taker, which has ended by then
    return release;
  };
  try {
    return await take();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
    if (!(await holderIsDead(path))) throw new LockedError(path);
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

/** The longest owner file read: this module writes about 100 bytes. */
const OWNER_MAX_BYTES = 4096;

/** The first `max` bytes of `file` as UTF-8, or undefined when it holds more (never read whole). */
function readBounded(file: string, max: number): string | undefined {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(max + 1);
    const n = readSync(fd, buf, 0, max + 1, 0);
    return n > max ? undefined : buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}

/** What the owner file holds: this process's id, the host name and when it took the lock (JSON). */
function ownerText(): string {
  return JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
}

/**
 * True when the lock's owner file names a process on this host that no longer exists. A lock younger
 * than {@link OWNER_GRACE_MS} is judged only once it is that old: its taker may be between creating
 * the directory and writing its owner file, which still names the previous taker.
 */
async function holderIsDead(path: string): Promise<boolean> {
  let lockMtime: number;
  try {
    lockMtime = statSync(`${path}.lock`).mtimeMs;
  } catch {
    return false; // released meanwhile: the caller reports it locked and the next run takes it
  }
  const age = Date.now() - lockMtime;
  if (age < OWNER_GRACE_MS) await sleep(OWNER_GRACE_MS - Math.max(age, 0));
  let owner: { pid?: unknown; host?: unknown };
  try {
    const text = readBounded(`${path}.lock.owner`, OWNER_MAX_BYTES);
    if (text === undefined) return false; // not a file this module wrote
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
