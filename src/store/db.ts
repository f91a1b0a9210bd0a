/**
 * Opening the inventory database: one SQLite file through better-sqlite3, WAL journal
 * (https://sqlite.org/wal.html) so readers never block the scan that writes, foreign keys on,
 * and the migrations of `schema.ts` applied by `PRAGMA user_version`.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { nativeModuleProblem } from "../io/runtime.js";
import { MIGRATIONS } from "./schema.js";

export type { DB } from "./db-type.js";
import type { DB } from "./db-type.js";

/** A database that cannot be opened or is not ours; `path` names the file. */
export class StoreError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "StoreError";
  }
}

/**
 * The native SQLite addon cannot be loaded in this process (built for another Node.js ABI or platform,
 * or missing). The message is one line and names the command that repairs the install.
 */
export class NativeModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NativeModuleError";
  }
}

/** Default database path: `$SHADOW_AI_DB`, else `./shadow-ai.db`. */
export function defaultDbPath(): string {
  return process.env.SHADOW_AI_DB || "shadow-ai.db";
}

/** SQLite page cache per connection, in KiB (`PRAGMA cache_size`, https://sqlite.org/pragma.html#pragma_cache_size). */
export const PAGE_CACHE_KIB = 8192;

/**
 * Open (creating if needed) and migrate the database at `path`.
 * @throws StoreError when the file is not a SQLite database, is newer than this program, or is locked
 *   by another writer for longer than the 5 s busy timeout.
 * @throws NativeModuleError when better-sqlite3's addon cannot be loaded by this Node.js.
 */
export function openStore(path: string, options: { readonly?: boolean } = {}): DB {
  const full = resolve(path);
  let db: DB;
  try {
    if (!options.readonly) mkdirSync(dirname(full), { recursive: true });
    db = new Database(full, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (e) {
    const native = nativeModuleProblem(e);
    if (native) throw new NativeModuleError(native);
    throw new StoreError(full, `cannot open database: ${(e as Error).message}`);
  }
  try {
    db.pragma("busy_timeout = 5000");
    // page cache: better-sqlite3 builds SQLite with 16 MiB; 8 MiB holds the index pages a scan's
    // writes and a query touch, and keeps a long scan's peak RSS down (the rest is the OS's file cache)
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    if (!options.readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    }
    db.pragma("foreign_keys = ON");
    migrate(db, full, options.readonly ?? false);
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(full, `not a usable shadow-ai database: ${(e as Error).message}`);
  }
  return db;
}

function migrate(db: DB, path: string, readonly: boolean): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(path, `schema version ${version} is newer than this program knows (${MIGRATIONS.length}); upgrade shadow-ai`);
  }
  if (version === MIGRATIONS.length) return;
  if (readonly) throw new StoreError(path, `schema version ${version} needs migrating; open it once for writing`);
  // Foreign keys are off while migrating, so that a migration can rebuild a table others refer to
  // (https://sqlite.org/lang_altertable.html#otheralter: the pragma is a no-op inside a
  // transaction); each migration checks them itself before it commits.
  db.pragma("foreign_keys = OFF");
  try {
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        const m = MIGRATIONS[v]!;
        if (typeof m === "string") db.exec(m);
        else m(db);
        const broken = db.pragma("foreign_key_check") as unknown[];
        if (broken.length > 0) throw new Error(`migration ${v + 1} would break ${broken.length} foreign key reference(s)`);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  } finally {
    db.pragma("foreign_keys = ON");
  }
}
