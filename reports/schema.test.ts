/**
 * The JSON export's schema: the committed reports/inventory.schema.json equals what the zod schema
 * generates (rewrite it with `SHADOW_AI_WRITE_SCHEMA=1 npx vitest run reports/schema.test.ts`), and
 * a real export validates against it with ajv (draft 2020-12, formats checked).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { hostileAudit, realAudit, realInventory } from "./__fixtures__/records.js";
import { inventoryExportJson } from "./json.js";
import { pseudonym, pseudonymizationInfo, pseudonymize } from "./pseudonymize.js";
import { pseudonymizeAudit } from "./audit.js";
import { INVENTORY_SCHEMA_ID, inventoryJsonSchema } from "./schema.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schemaFile = join(import.meta.dirname, "inventory.schema.json");
const KEY = "k".repeat(40);

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(JSON.parse(readFileSync(schemaFile, "utf8")) as object);
  const doc = ajv.getSchema(INVENTORY_SCHEMA_ID)!;
  const array = ajv.compile({ type: "array", items: { $ref: `${INVENTORY_SCHEMA_ID}#/$defs/AISystemRecord` } });
  return { doc, array };
}

// the real inventory is made by scanning the examples with the built CLI: slow on a busy machine
beforeAll(() => {
  realInventory();
}, 300_000);

describe("inventory JSON schema", () => {
  it("is the file reports/inventory.schema.json, generated from the zod schema", () => {
    const generated = `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
    if (process.env["SHADOW_AI_WRITE_SCHEMA"] === "1") writeFileSync(schemaFile, generated);
    expect(readFileSync(schemaFile, "utf8"), "schema file out of date: SHADOW_AI_WRITE_SCHEMA=1 npx vitest run reports/schema.test.ts").toBe(generated);
  });

  it("validates a real export document, and the bare array of inventory --json", () => {
    const { json, records } = realInventory();
    const { doc, array } = validator();
    const exported = JSON.parse(inventoryExportJson(records, { tool: { name: "shadow-ai", version: "0.1.0" } })) as unknown;
    expect(doc(exported), JSON.stringify(doc.errors, null, 1)).toBe(true);
    expect(array(JSON.parse(json)), JSON.stringify(array.errors, null, 1)).toBe(true);
    // governance was set on some records, so the nullable branches are exercised too
    expect(records.some((r) => r.governance.classOverride !== null && r.owner !== null) || records.some((r) => r.owner !== null)).toBe(true);
  });

  it("carries each record's governance journal and evidence sample, and validates with them", () => {
    const { records } = realInventory();
    const { doc } = validator();
    const exported = JSON.parse(inventoryExportJson(records, { tool: { name: "shadow-ai", version: "0.1.0" }, audit: realAudit() })) as {
      records: { id: string; journal: { by: string; field: string; old: string | null; new: string | null; why: string | null }[]; evidenceSample: { refs: Record<string, unknown>[] }[] }[];
    };
    expect(doc(exported), JSON.stringify(doc.errors, null, 1)).toBe(true);
    const deepseek = exported.records.find((r) => r.id === "deepseek")!;
    expect(deepseek.journal).toContainEqual({ at: expect.any(String), by: "auditor", field: "status", old: "unreviewed", new: "blocked", why: "Blocked at the proxy; no business use" });
    expect(exported.records.every((r) => r.evidenceSample.length > 0 && r.evidenceSample.length <= 10)).toBe(true);
    // a capture's reference is file + frame + byte offset; an export's is API + record id
    const refs = exported.records.flatMap((r) => r.evidenceSample.flatMap((e) => e.refs));
    expect(refs.some((x) => typeof x["file"] === "string" && Number.isInteger(x["frame"]) && Number.isInteger(x["offset"]))).toBe(true);
    expect(refs.some((x) => typeof x["api"] === "string" && typeof x["id"] === "string")).toBe(true);
    // a record without an audit entry gets empty lists, still valid
    const bare = JSON.parse(inventoryExportJson(records, { tool: { name: "shadow-ai", version: "0.1.0" }, audit: new Map() })) as typeof exported;
    expect(bare.records.every((r) => r.journal.length === 0 && r.evidenceSample.length === 0)).toBe(true);
    expect(doc(bare)).toBe(true);
    // hostile strings stay strings: the document still validates
    expect(hostileAudit().size).toBeGreaterThan(records.length);
  });

  it("pseudonymizes the evidence sample and the journal too: no e-mail or client address is left in clear", () => {
    const { records } = realInventory();
    const { doc } = validator();
    const audit = pseudonymizeAudit(realAudit(), (id) => pseudonym(id, KEY));
    const text = inventoryExportJson(pseudonymize(records, KEY), { tool: { name: "shadow-ai", version: "0.1.0" }, pseudonymization: pseudonymizationInfo(KEY), audit });
    expect(doc(JSON.parse(text)), JSON.stringify(doc.errors, null, 1)).toBe(true);
    const samples = JSON.stringify((JSON.parse(text) as { records: { evidenceSample: unknown[]; journal: { field: string }[] }[] }).records.map((r) => [r.evidenceSample, r.journal.filter((j) => j.field !== "owner")]));
    expect(samples).not.toMatch(/@example\.com/);
    expect(samples).not.toMatch(/127\.0\.0\.\d+/);
    expect(samples).toContain(pseudonym("erin@example.com", KEY));
    // the export file named after a user keeps its place, under the user's pseudonym
    expect(samples).toMatch(/google\/u_[0-9a-f]{16}\.json/);
  });

  it("validates a pseudonymized export", () => {
    const { records } = realInventory();
    const { doc } = validator();
    const exported = JSON.parse(
      inventoryExportJson(pseudonymize(records, KEY), { tool: { name: "shadow-ai", version: "0.1.0" }, generatedAt: "2026-11-22T00:00:00.000Z", pseudonymization: pseudonymizationInfo(KEY) }),
    ) as unknown;
    expect(doc(exported), JSON.stringify(doc.errors, null, 1)).toBe(true);
  });

  it("rejects a record with an unknown field, a wrong enum or a missing field", () => {
    const { records } = realInventory();
    const { array } = validator();
    const r = JSON.parse(JSON.stringify(records[0])) as Record<string, unknown>;
    expect(array([{ ...r, surprise: 1 }])).toBe(false);
    expect(array([{ ...r, status: "approved" }])).toBe(false);
    const { risk: _risk, ...noRisk } = r;
    expect(array([noRisk])).toBe(false);
    expect(array([{ ...r, firstSeen: "yesterday" }])).toBe(false);
  });

  it("writes a deterministic document when generatedAt is given", () => {
    const { records } = realInventory();
    const opts = { tool: { name: "shadow-ai", version: "0.1.0" }, generatedAt: "2026-11-22T00:00:00.000Z" };
    const a = inventoryExportJson(records, opts);
    expect(inventoryExportJson([...records].reverse(), opts)).toBe(a);
    const d = JSON.parse(a) as { $schema: string; schemaVersion: string; pseudonymization: unknown; records: { id: string }[] };
    expect(d.$schema).toBe(INVENTORY_SCHEMA_ID);
    expect(d.schemaVersion).toBe("1");
    expect(d.pseudonymization).toBeNull();
    expect(d.records.map((x) => x.id)).toEqual(records.map((x) => x.id));
  });
});
