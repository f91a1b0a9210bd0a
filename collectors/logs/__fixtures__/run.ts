/** Test helpers: run the log collector over files and gather what it gives. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CollectContext, CursorStore, InputError } from "../../../src/core/collector.js";
import type { Observation } from "../../../src/core/observation.js";
import { collectLogs, type LogOptions } from "../index.js";

export const FIXTURES = dirname(fileURLToPath(import.meta.url));

/** The path of a fixture file. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** An in-memory cursor store; `committed` is what a scan left behind. */
export class MemoryCursors implements CursorStore {
  readonly values = new Map<string, string>();
  get(key: string): string | undefined {
    return this.values.get(key);
  }
  set(key: string, value: string): void {
    this.values.set(key, value);
  }
}

export interface Run {
  observations: Observation[];
  errors: InputError[];
}

/** Collect every observation and error of `files`. */
export async function run(files: string[], options: LogOptions = {}, cursors?: CursorStore): Promise<Run> {
  const errors: InputError[] = [];
  const ctx: CollectContext = { onError: (e) => errors.push(e), ...(cursors ? { cursors } : {}) };
  const observations: Observation[] = [];
  for await (const o of collectLogs(files, options, ctx)) observations.push(o);
  return { observations, errors };
}
