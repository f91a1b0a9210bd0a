/**
 * CycloneDX 1.6 export: validates against the strict 1.6 JSON schema (the library's validator),
 * and carries the mapping the module documents.
 */
import { describe, expect, it } from "vitest";
import { hostileRecords, realInventory } from "./__fixtures__/records.js";
import { inventoryCycloneDx, scopeDataFlows, validateCycloneDx } from "./cyclonedx.js";
import { pseudonymizationInfo, pseudonymize } from "./pseudonymize.js";

const tool = { name: "shadow-ai", version: "0.1.0" };
const fixed = { tool, timestamp: new Date("2026-11-22T00:00:00.000Z"), serialNumber: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" };

interface Service {
  "bom-ref": string;
  name: string;
  provider?: { name: string };
  endpoints?: string[];
  data?: { flow: string; classification: string }[];
  properties?: { name: string; value?: string }[];
}

describe("inventoryCycloneDx", () => {
  it("is valid CycloneDX 1.6 JSON (strict schema)", async () => {
    const json = inventoryCycloneDx(realInventory().records, fixed);
    expect(await validateCycloneDx(json)).toBeNull();
  });

  it("stays valid with hostile strings and with pseudonymized records", async () => {
    expect(await validateCycloneDx(inventoryCycloneDx(hostileRecords(), fixed))).toBeNull();
    const key = "x".repeat(32);
    expect(await validateCycloneDx(inventoryCycloneDx(pseudonymize(realInventory().records, key), { ...fixed, pseudonymization: pseudonymizationInfo(key) }))).toBeNull();
  });

  it("maps each record to a service with bom-ref, provider, endpoints, data flows and namespaced properties", () => {
    const { records } = realInventory();
    const bom = JSON.parse(inventoryCycloneDx(records, fixed)) as { specVersion: string; serialNumber: string; metadata: { timestamp: string }; services: Service[] };
    expect(bom.specVersion).toBe("1.6");
    expect(bom.serialNumber).toBe(fixed.serialNumber);
    expect(bom.metadata.timestamp).toBe("2026-11-22T00:00:00.000Z");
    expect(bom.services.map((s) => s["bom-ref"])).toEqual(records.map((r) => r.id));

    const api = bom.services.find((s) => s["bom-ref"] === "anthropic-api")!;
    expect(api.provider?.name).toBe("Anthropic");
    // the signature's matched domain (the catalogue lists anthropic.com, which covers api.anthropic.com)
    expect(api.endpoints).toEqual(["https://anthropic.com"]);
    expect(api.data).toBeUndefined();
    const prop = (s: Service, n: string) => (s.properties ?? []).filter((p) => p.name === n).map((p) => p.value);
    expect(prop(api, "aiact:tier")).toEqual(["gpai"]);
    expect(prop(api, "aiact:citation")).toContain("Art. 53");

    const hr = bom.services.find((s) => s["bom-ref"] === "hirevue@hr")!;
    const rec = records.find((r) => r.id === "hirevue@hr")!;
    expect(prop(hr, "aiact:tier")).toEqual(["high_risk"]);
    expect(prop(hr, "aiact:disposition")).toEqual([rec.classification.disposition]);
    expect(prop(hr, "aiact:role")).toEqual(["deployer"]);
    expect(prop(hr, "shadow-ai:orgUnit")).toEqual(["HR"]);
    expect(prop(hr, "shadow-ai:owner")).toEqual(["hank@example.com"]);
    expect(prop(hr, "shadow-ai:status")).toEqual(["under_review"]);
    expect(prop(hr, "shadow-ai:riskScore")).toEqual([String(rec.risk.score)]);
    expect(prop(hr, "shadow-ai:userCount")).toEqual([String(rec.users.length)]);
    expect(prop(hr, "shadow-ai:firstSeen")).toEqual([rec.firstSeen]);
    expect(prop(hr, "aiact:obligation").some((v) => v?.startsWith("Art. 26(7) | upcoming | 2027-12-02"))).toBe(true);
    expect(hr.data).toContainEqual(expect.objectContaining({ classification: "calendar", flow: "bi-directional" }));
    // no list of users: identities appear only where a reviewer wrote them (owner, purpose)
    const stripped = bom.services.map((s) => ({ ...s, description: "", properties: (s.properties ?? []).filter((p) => p.name !== "shadow-ai:owner" && p.name !== "shadow-ai:purpose") }));
    const text = JSON.stringify(stripped);
    for (const u of records.flatMap((r) => r.users.filter((x) => x.kind === "user" || x.kind === "client").map((x) => x.id))) {
      expect(text.includes(u), u).toBe(false);
    }
  });

  it("classifies scopes into data flows", () => {
    expect(scopeDataFlows(["https://www.googleapis.com/auth/gmail.readonly", "openid", "Files.ReadWrite.All", "Member"])).toEqual([
      { flow: "inbound", classification: "email", name: "email (OAuth grant)", description: "Granted scopes: https://www.googleapis.com/auth/gmail.readonly" },
      { flow: "bi-directional", classification: "files", name: "files (OAuth grant)", description: "Granted scopes: Files.ReadWrite.All" },
      { flow: "inbound", classification: "identity", name: "identity (OAuth grant)", description: "Granted scopes: openid" },
      { flow: "inbound", classification: "other", name: "other (OAuth grant)", description: "Granted scopes: Member" },
    ]);
    expect(scopeDataFlows([])).toEqual([]);
  });

  it("refuses duplicate record ids", () => {
    const r = realInventory().records[0]!;
    expect(() => inventoryCycloneDx([r, r], fixed)).toThrow(/bom-ref must be unique/);
  });

  it("reports an invalid BOM", async () => {
    const bom = JSON.parse(inventoryCycloneDx(realInventory().records.slice(0, 1), fixed)) as { services: Record<string, unknown>[] };
    bom.services[0]!["surprise"] = true;
    expect(await validateCycloneDx(JSON.stringify(bom))).not.toBeNull();
  });
});
