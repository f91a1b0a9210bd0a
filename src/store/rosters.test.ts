/**
 * The roster section of inventory records (#15): `withRosters` gives the records of OpenAI's
 * services what `reconcileSeats` finds for OpenAI, bounded, in a real SQLite store, and every
 * export renders it (CSV, HTML, CycloneDX validated against the 1.6 schema, JSON, pseudonymized).
 * The full CLI path (scans against local admin API servers, `inventory --json` and every export
 * format, the secret grep) is in src/cli/seats.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventoryCsv } from "../../reports/csv.js";
import { inventoryCycloneDx, validateCycloneDx } from "../../reports/cyclonedx.js";
import { inventoryHtml } from "../../reports/html.js";
import { inventoryJson } from "../../reports/json.js";
import { pseudonym, pseudonymize } from "../../reports/pseudonymize.js";
import { buildRecords } from "../classify/records.js";
import type { AISystemRecord } from "../core/finding.js";
import type { RosterPrincipal } from "../core/roster.js";
import { rosterLine } from "../cli/roster-text.js";
import { openStore, type DB } from "./db.js";
import type { SystemFacts } from "./inventory.js";
import { latestScanTime, reconcileSeats, rosterSections, RosterWriter, vendorServiceIds, withRosters } from "./rosters.js";

const NOW = new Date("2026-12-07T12:00:00Z");
const SERVICES = [
  { id: "openai-chatgpt", vendor: "OpenAI" },
  { id: "openai-api", vendor: "OpenAI" },
  { id: "anthropic-claude", vendor: "Anthropic" },
  { id: "otter-ai", vendor: "Otter.ai" },
];
const HOSTILE = "<script>alert(1)</script>=cmd|' /C calc'!A0";

const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-rosters-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let db: DB;

/** Facts of one record, as readSystemFacts gives them. */
function facts(serviceId: string, orgUnit: string | null, users: string[]): SystemFacts {
  return {
    id: orgUnit ? `${serviceId}@${orgUnit.toLowerCase()}` : serviceId, serviceId, orgUnit,
    users: users.map((id) => ({ id, kind: "user" as const, observations: 1, firstSeen: "2026-12-01T00:00:00.000Z", lastSeen: "2026-12-02T00:00:00.000Z" })),
    jobTitles: [], scopes: [], evidence: { http: users.length }, sources: ["logs"], matchedBy: [`domain:${serviceId}.example`],
    firstSeen: "2026-12-01T00:00:00.000Z", lastSeen: "2026-12-02T00:00:00.000Z", observations: users.length, verifiedPublisher: false,
  };
}

function records(): AISystemRecord[] {
  const built = buildRecords([facts("openai-chatgpt", "Sales", ["ana@example.com"]), facts("openai-api", null, ["ana@example.com"]), facts("otter-ai", null, ["ana@example.com"])], new Map(), new Map(), { today: "2026-12-07" });
  return withRosters(db, built, SERVICES, { now: NOW });
}

beforeAll(() => {
  db = openStore(join(tmp, "inv.db"));
  const w = new RosterWriter(db, 1);
  // the directory: ana active, bob suspended
  w.directory([{ source: "google-workspace", user: "ana@example.com", status: "active" }, { source: "google-workspace", user: "bob@example.com", status: "suspended" }]);
  const idle: RosterPrincipal[] = ["c1", "c2", "c3", "c4", "c5", "c6"].map((n) => ({ kind: "user", id: `user-${n}`, email: `${n}@example.com` }));
  w.put({
    vendor: "openai", org: "org-acme", source: "openai",
    principals: [{ kind: "user", id: "user-ana", email: "ana@example.com", lastActiveAt: "2026-12-05T00:00:00Z" }, { kind: "user", id: "user-bob", email: "bob@example.com" }, ...idle],
    keys: [
      { kind: "project_key", id: "key_ana", name: HOSTILE, redacted: "sk-abc...wxyz", ownerKind: "user", ownerId: "user-ana", status: "active", createdAt: "2026-01-01T00:00:00Z", lastUsedAt: "2026-06-01T00:00:00Z" },
      { kind: "project_key", id: "key_bob", redacted: "sk-def...qrst", ownerKind: "user", ownerId: "user-bob", status: "active", createdAt: "2026-11-01T00:00:00Z", lastUsedAt: "2026-12-06T00:00:00Z" },
    ],
  });
  // a ChatGPT member export: the seat's id is the e-mail
  w.put({ vendor: "openai", org: "chatgpt-acme", source: "chatgpt-members:members.csv", principals: [{ kind: "seat", id: "carol@example.com", email: "carol@example.com" }] });
});
afterAll(() => db?.close());

describe("roster section of inventory records", () => {
  it("gives OpenAI's records what seats finds for OpenAI, bounded to the first five of each kind, and leaves other records alone", () => {
    const rs = records();
    const report = reconcileSeats(db, { vendor: "openai", days: 30, now: NOW, serviceIds: vendorServiceIds(SERVICES) });
    const chatgpt = rs.find((r) => r.serviceId === "openai-chatgpt")!;
    const api = rs.find((r) => r.serviceId === "openai-api")!;
    expect(rs.find((r) => r.serviceId === "otter-ai")!.roster).toBeUndefined();
    expect(api.roster).toEqual(chatgpt.roster);
    const x = chatgpt.roster!;
    expect({ vendor: x.vendor, asOf: x.asOf, days: x.days, staleKeyDays: x.staleKeyDays, seats: x.seats, keys: x.keys }).toEqual({ vendor: "openai", asOf: NOW.toISOString(), days: 30, staleKeyDays: 90, seats: 9, keys: 2 });
    // bob (his key was used on 12-06, so his seat is used), carol and the six idle members: 7 unused, 5 named, in seats' order
    expect(x.unusedSeats.count).toBe(report.findings.filter((f) => f.kind === "unused_seat").length);
    expect(x.unusedSeats.count).toBe(7);
    expect(x.unusedSeats.first.map((i) => i.id)).toEqual(["carol@example.com", "user-c1", "user-c2", "user-c3", "user-c4"]);
    expect(x.orphanedKeys).toEqual({ count: 1, first: [{ id: "key_bob", org: "org-acme", user: "bob@example.com", redacted: "sk-def...qrst", ownerStatus: "suspended", lastUsed: "2026-12-06T00:00:00Z" }] });
    expect(x.staleKeys).toEqual({ count: 1, first: [{ id: "key_ana", org: "org-acme", name: HOSTILE, redacted: "sk-abc...wxyz", lastUsed: "2026-06-01T00:00:00Z" }] });
    expect(x.noSeat.count).toBe(0);
    expect(x.orphanedServiceAccounts.count).toBe(0);
    // anthropic: no roster read, so its records would carry none
    expect(rosterSections(reconcileSeats(db, { days: 30, now: NOW, serviceIds: vendorServiceIds(SERVICES) })).has("anthropic")).toBe(false);
  });

  it("is computed as of the end of the latest scan by default, so the same database gives the same records", () => {
    db.prepare("INSERT INTO scans (started_at, ended_at, command, inputs, status) VALUES ('2026-12-07T09:00:00.000Z', '2026-12-07T09:05:00.000Z', 'scan openai', '[]', 'complete')").run();
    expect(latestScanTime(db)).toBe("2026-12-07T09:05:00.000Z");
    const built = buildRecords([facts("openai-api", null, ["ana@example.com"])], new Map(), new Map(), { today: "2026-12-07" });
    const a = withRosters(db, built, SERVICES);
    expect(a[0]!.roster!.asOf).toBe("2026-12-07T09:05:00.000Z");
    expect(inventoryJson(withRosters(db, built, SERVICES))).toBe(inventoryJson(a));
  });

  it("reaches every export: CSV columns, an HTML section, CycloneDX properties (counts and key ids only), JSON", async () => {
    const rs = records();
    const csv = inventoryCsv(rs, { bom: false }).split("\r\n");
    const header = csv[0]!.split(",");
    const row = (id: string) => csv.find((l) => l.startsWith(`${id},`))!;
    expect(header.slice(-10)).toEqual(["roster_vendor", "roster_as_of", "roster_seats", "roster_unused_seats", "roster_no_seat", "roster_orphaned_keys", "roster_orphaned_service_accounts", "roster_stale_keys", "roster_unsupervised_agents", "roster_first"]);
    expect(row("openai-api")).toContain(",openai,2026-12-07T12:00:00.000Z,9,7,0,1,0,1,0,");
    expect(row("openai-api")).toContain("orphaned_key: key_bob bob@example.com (sk-def...qrst) [owner suspended]");
    expect(row("openai-api")).toContain("unused_seat: carol@example.com, user-c1 c1@example.com, user-c2 c2@example.com, user-c3 c3@example.com, user-c4 c4@example.com, +2");
    expect(row("otter-ai").endsWith(",,,,,,,,,,")).toBe(true);

    const page = inventoryHtml(rs, { tool: { name: "shadow-ai", version: "test" }, generatedAt: NOW.toISOString() });
    expect(page.match(/Vendor roster: openai \(9 seats, 2 keys/g)).toHaveLength(2);
    expect(page).toContain("key_bob · bob@example.com · sk-def...qrst");
    expect(page).toContain("shadow-ai seats --vendor openai");

    const bom = inventoryCycloneDx(rs, { tool: { name: "shadow-ai", version: "test" }, timestamp: NOW, serialNumber: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" });
    expect(await validateCycloneDx(bom)).toBeNull();
    const props = (JSON.parse(bom) as { services: { "bom-ref": string; properties: { name: string; value: string }[] }[] }).services.find((s) => s["bom-ref"] === "openai-api")!.properties.filter((p) => p.name.startsWith("shadow-ai:roster:"));
    expect(props).toEqual([
      { name: "shadow-ai:roster:vendor", value: "openai" }, { name: "shadow-ai:roster:asOf", value: NOW.toISOString() }, { name: "shadow-ai:roster:seats", value: "9" },
      { name: "shadow-ai:roster:unusedSeats", value: "7" }, { name: "shadow-ai:roster:noSeat", value: "0" }, { name: "shadow-ai:roster:orphanedKeys", value: "1" },
      { name: "shadow-ai:roster:orphanedServiceAccounts", value: "0" }, { name: "shadow-ai:roster:staleKeys", value: "1" }, { name: "shadow-ai:roster:unsupervisedAgents", value: "0" },
      { name: "shadow-ai:roster:orphanedKey", value: "key_bob" }, { name: "shadow-ai:roster:staleKey", value: "key_ana" },
    ]);

    expect((JSON.parse(inventoryJson(rs)) as AISystemRecord[]).find((r) => r.id === "openai-api")!.roster!.orphanedKeys.first[0]!.redacted).toBe("sk-def...qrst");
    // the terminal line names the first few, escaped
    expect(rosterLine(rs[0]!.roster!)).toContain("keys of departed or unknown owners 1 (key_bob bob@example.com)");
  });

  it("pseudonymizes the section: no e-mail in clear, seats' e-mail ids become pseudonyms, names are left out", () => {
    const out = pseudonymize(records(), "k".repeat(40));
    const x = out.find((r) => r.serviceId === "openai-api")!.roster!;
    const text = JSON.stringify(x);
    expect(text).not.toMatch(/@example\.com/);
    expect(text).not.toContain("alert(1)");
    expect(x.unusedSeats.first[0]!.id).toMatch(/^u_[0-9a-f]{16}$/);
    expect(x.orphanedKeys.first[0]).toMatchObject({ id: "key_bob", redacted: "sk-def...qrst", ownerStatus: "suspended" });
    // the same person is the same pseudonym as everywhere else in the export
    expect(x.orphanedKeys.first[0]!.user).toBe(pseudonym("bob@example.com", "k".repeat(40)));
    expect(x.unusedSeats.first[0]!.id).toBe(pseudonym("carol@example.com", "k".repeat(40)));
    expect(x.staleKeys.first[0]).toEqual({ id: "key_ana", org: "org-acme", redacted: "sk-abc...wxyz", lastUsed: "2026-06-01T00:00:00Z" });
  });
});
