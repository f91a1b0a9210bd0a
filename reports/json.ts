/**
 * The JSON export of the inventory: an array of AISystemRecord (src/core/finding.ts), one per AI
 * system, sorted by id. Field meanings are documented in README.md ("inventory --json").
 * Deterministic: the same database gives byte-identical output, so a rescan can be diffed.
 */
import type { AISystemRecord } from "../src/core/finding.js";

/** Serialise records as pretty-printed JSON with a trailing newline. */
export function inventoryJson(records: readonly AISystemRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}
