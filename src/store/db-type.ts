/**
 * The database handle's type, in a module of its own so that the migrations (schema.ts) can name it
 * without importing db.ts, which imports them.
 */
import type Database from "better-sqlite3";

/** An open inventory database (better-sqlite3). */
export type DB = Database.Database;
