/**
 * The JSON exports of the inventory. Field meanings are documented in README.md
 * ("inventory --json") and, machine-readably, in reports/inventory.schema.json (JSON Schema draft
 * 2020-12, generated from the zod schema in reports/schema.ts).
 *
 * - `inventoryJson`: the bare array of AISystemRecord that `inventory --json` prints, sorted by id.
 *   Deterministic: the same database gives byte-identical output, so a rescan can be diffed.
 * - `inventoryExportJson`: the document `inventory --format json --out FILE` writes: the same
 *   records wrapped with `$schema`, `schemaVersion`, `generatedAt`, `tool` and `pseudonymization`,
 *   each record with its governance journal and a bounded evidence sample (reports/audit.ts).
 */
import type { AISystemRecord } from "../src/core/finding.js";
import { NO_AUDIT, type AuditTrail } from "./audit.js";
import { INVENTORY_SCHEMA_ID, INVENTORY_SCHEMA_VERSION, type InventoryExport } from "./schema.js";

/** Serialise records as pretty-printed JSON with a trailing newline. */
export function inventoryJson(records: readonly AISystemRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

/** What the export document says about its making. */
export interface JsonExportOptions {
  /** The tool that wrote it: `{ name: "shadow-ai", version: "0.1.0" }` (the CLI reads package.json). */
  tool: { name: string; version: string };
  /** ISO 8601 UTC time; now by default. Pass it for byte-identical output. */
  generatedAt?: string;
  /** `pseudonymizationInfo(key)` when the records went through `pseudonymize`; null (default) otherwise. */
  pseudonymization?: InventoryExport["pseudonymization"];
  /** Journal and evidence sample per record id (reports/audit.ts); a record not in it gets empty lists. */
  audit?: AuditTrail;
}

/**
 * The export document: `{ $schema, schemaVersion: "1", generatedAt, tool, pseudonymization, records }`,
 * valid against reports/inventory.schema.json. Records are sorted by id (a copy; input untouched),
 * each with its `journal` and `evidenceSample` from `options.audit` (empty lists when absent).
 */
export function inventoryExportDocument(records: readonly AISystemRecord[], options: JsonExportOptions): InventoryExport {
  return {
    $schema: INVENTORY_SCHEMA_ID,
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    tool: { name: options.tool.name, version: options.tool.version },
    pseudonymization: options.pseudonymization ?? null,
    records: [...records]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => {
        const a = options.audit?.get(r.id) ?? NO_AUDIT;
        return { ...r, journal: [...a.journal], evidenceSample: a.evidence.map((e) => ({ ...e, refs: [...e.refs] })) };
      }),
  };
}

/** The export document as pretty-printed JSON (UTF-8 text, trailing newline), for `--out FILE`. */
export function inventoryExportJson(records: readonly AISystemRecord[], options: JsonExportOptions): string {
  return `${JSON.stringify(inventoryExportDocument(records, options), null, 2)}\n`;
}
