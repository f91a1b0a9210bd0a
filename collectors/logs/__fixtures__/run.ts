/** Test helpers: run the log collector over files and gather what it gives. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CursorStore, InputError } from "../../../src/core/collector.js";
import type { Observation } from "../../../src/core/observation.js";
import { collectLogBatches, type InputWarning, type LogCollectContext, type LogCollectionResult, type LogOptions } from "../index.js";

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
  /** Warnings as `onWarning` received them. */
  warnings: InputWarning[];
  /** The collection result (the generator's return value). */
  result: LogCollectionResult;
}

/** Collect every observation, error and warning of `files`. */
export async function run(files: string[], options: LogOptions = {}, cursors?: CursorStore): Promise<Run> {
  const errors: InputError[] = [];
  const warnings: InputWarning[] = [];
  const ctx: LogCollectContext = { onError: (e) => errors.push(e), onWarning: (w) => warnings.push(w), ...(cursors ? { cursors } : {}) };
  const observations: Observation[] = [];
  const it = collectLogBatches(files, options, ctx);
  for (;;) {
    const n = await it.next();
    if (n.done) return { observations, errors, warnings, result: n.value };
    for (const o of n.value) observations.push(o);
  }
}
