/**
 * AI agents as inventory items, end to end: `runScan` (the real pipeline) with the `microsoft`
 * source against the local HTTPS Graph test server (__fixtures__/server.ts) through the real Graph
 * SDK, then the records, `--fail-on` alerts and `review` governance as the CLI uses them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AISystemRecord } from "../../src/core/finding.js";
import { runScan, type ScanResult } from "../../src/pipeline/scan.js";
import { alertsFor } from "../../src/cli/scan.js";
import { changeFromOptions } from "../../src/cli/review.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { decidedFactsOf } from "../../src/classify/records.js";
import { openStore } from "../../src/store/db.js";
import { governanceHistory, recordDecision, updateGovernance } from "../../src/store/governance.js";
import { agentHistory } from "../../src/store/agents.js";
import { catalogue } from "../google-workspace/__fixtures__/store.js";
import { makeTestCert, trustTestCert } from "../google-workspace/__fixtures__/tls.js";
import { microsoftSource } from "./source.js";
import { startGraphServer, type GraphFixtures, type GraphServerOptions, type GraphTestServer } from "./__fixtures__/server.js";
import { AG, agentTenant, BP, uid, user } from "./__fixtures__/agents-tenant.js";

const cert = makeTestCert();
const untrust = trustTestCert(cert.cert);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-agents-"));
const closers: (() => Promise<void>)[] = [];
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJncmFwaCJ9.agents-graph-token";
const PP_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJwcCJ9.delegated-pp-token";
afterEach(() => {
  delete process.env["SHADOW_AI_GRAPH_ACCESS_TOKEN"];
  delete process.env["SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN"];
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  untrust();
  cert.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

async function server(o: Partial<GraphServerOptions> = {}, data: GraphFixtures = agentTenant()): Promise<GraphTestServer> {
  const s = await startGraphServer({ data, accessToken: TOKEN, pageSize: 2, ...o }, cert);
  closers.push(() => s.close());
  return s;
}

/** `shadow-ai scan microsoft` through the real pipeline, with the token in the environment. */
async function scan(db: string, s: GraphTestServer, section: Record<string, unknown> = {}): Promise<ScanResult> {
  process.env["SHADOW_AI_GRAPH_ACCESS_TOKEN"] = TOKEN;
  const cat = catalogue();
  return runScan({
    dbPath: db,
    command: "scan microsoft",
    jobs: [{ source: microsoftSource, inputs: [] }],
    config: { sources: {}, settings: { microsoft: { graphBaseUrl: s.graphBaseUrl, signIns: false, directoryAudits: false, concurrency: 4, ...section } }, signatures: { extraDirs: [] }, inventory: { staleAfterDays: 90 } },
    catalogue: cat,
  });
}

const agents = (rs: AISystemRecord[]) => rs.filter((r) => r.kind === "agent");
const byName = (rs: AISystemRecord[], name: string) => rs.find((r) => r.kind === "agent" && r.name === name)!;

describe("AI agents from Microsoft Entra Agent ID and Agent 365", () => {
  it("acceptance: each agent once, owners and sponsors shown, no owner / orphaned / high privilege flagged, --fail-on until review sets an owner", async () => {
    const s = await server();
    const db = join(tmp, "acceptance.db");
    const r = await scan(db, s);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.status).toBe("complete");
    const as = agents(r.records);
    // five identities from three blueprints and one Agent 365 package of its own; the Quote Agent package joins its identity
    expect(as.map((a) => a.name).sort()).toEqual(["HR Helper", "Legacy Triage Agent", "Onboarding Agent", "Quote Agent", "Retired Agent", "Sales Copilot Agent"]);
    expect(new Set(as.map((a) => a.id)).size).toBe(as.length);
    // never also an app: no service or suspected record carries an agent's name or app id
    const services = r.records.filter((x) => x.kind !== "agent");
    expect(services.some((x) => /Agent/.test(x.name) || x.id.includes("sales copilot"))).toBe(false);
    // the agent list was paged (at most 100 asked, 2 served per page) and the beta relationships read from /beta
    const served = s.stats.served.filter((x) => x.path === "/servicePrincipals/microsoft.graph.agentIdentity");
    expect(served.length).toBe(3);
    expect(served[0]!.query.get("$top")).toBe("100");
    expect(s.stats.served.some((x) => x.version === "beta" && x.path.endsWith("/sponsors"))).toBe(true);

    const sales = byName(as, "Sales Copilot Agent");
    expect(sales.agent).toMatchObject({ platform: "entra", enabled: true, blueprint: { id: BP.sales, name: "Sales agents", present: true }, publisher: "Contoso Ltd", owners: [{ id: uid(1), name: "alice@example.com", type: "user" }], sponsors: [] });
    expect(sales.agent!.permissions).toEqual([
      { value: "Mail.Read", type: "application", resource: "Microsoft Graph", risk: "high" },
      { value: "Calendars.Read", type: "delegated", consentType: "Principal", resource: "Microsoft Graph", risk: "low" },
      { value: "User.Read", type: "delegated", consentType: "Principal", resource: "Microsoft Graph", risk: "low" },
    ].sort((a, b) => (a.type + a.value < b.type + b.value ? -1 : 1)));
    expect(sales.users.map((u) => u.id)).toEqual(["bob@example.com"]);
    expect(sales.agent!.flags).toEqual(["high-privilege"]);
    expect(sales.missing).toEqual(["owner", "purpose", "escalation_owner", "unsupervised_decisions", "human_decisions", "rollback"]);

    const quote = byName(as, "Quote Agent");
    expect(quote.agent).toMatchObject({ sponsors: [{ id: uid(3), name: "carol@example.com" }], owners: [], activeUsers30d: 12, interactsWithPeople: true, lastActivity: "2026-11-20T10:00:00Z" });
    expect(quote.agent!.details).toMatchObject({ "agent365.deployedTo": "some", "agent365.elementTypes": ["declarativeAgent"] });
    // an agent that talks with people: an Art. 50(1) candidate, to be reviewed
    expect(quote.classification.tier).toBe("transparency");
    expect(quote.classification.findings.find((f) => f.ruleId === "AIA-T-50.1-agent")).toMatchObject({ citations: ["Art. 50(1)"], disposition: "requires_review" });
    expect(sales.classification.tier).toBe("minimal");

    expect(byName(as, "Onboarding Agent").agent!.flags).toEqual(["no-owner-or-sponsor", "high-privilege"]);
    expect(byName(as, "Onboarding Agent").agent!.permissions).toEqual([{ value: "Files.Read.All", type: "application", resource: "Microsoft Graph", inherited: true, risk: "high" }]);
    expect(byName(as, "Legacy Triage Agent").agent).toMatchObject({ blueprint: { id: BP.gone, present: false }, flags: ["orphaned"] });
    // disabled: its blueprint is gone too, but it cannot act
    expect(byName(as, "Retired Agent").agent!.flags).toEqual(["no-owner-or-sponsor"]);
    expect(byName(as, "HR Helper").agent).toMatchObject({ platform: "agent365", publisher: "Fabrikam", enabled: true, activeUsers30d: 40, flags: ["no-owner-or-sponsor"] });

    // --fail-on: codes 13, 14, 15, most severe first
    const alerts = alertsFor(["agent-without-owner", "orphaned-agent", "agent-high-privilege"], r.records, r.diff);
    expect(alerts.map((a) => [a.condition, a.code])).toEqual([["agent-high-privilege", 15], ["orphaned-agent", 14], ["agent-without-owner", 13]]);
    const noOwner = alerts.find((a) => a.condition === "agent-without-owner")!.records;
    expect(noOwner.length).toBe(3);

    // a person sets owners with `review`: journaled, and the alert stops once all have one
    const store = openStore(db);
    try {
      for (const [i, id] of noOwner.entries()) {
        const change = { ...changeFromOptions({ owner: "Erin Example", escalationOwner: "it-oncall@example.com", rollback: "disable the agent identity" }), facts: decidedFactsOf(r.records.find((x) => x.id === id)!) };
        updateGovernance(store, id, change, "erin", "owner named in the agent review");
        if (i === 0) expect(governanceHistory(store, id).map((e) => e.field)).toEqual(["owner", "escalation_owner", "rollback"]);
      }
    } finally {
      store.close();
    }
    const again = await scan(db, s);
    expect(alertsFor(["agent-without-owner"], again.records, again.diff)).toEqual([]);
    expect(alertsFor(["orphaned-agent"], again.records, again.diff)[0]?.code).toBe(EXIT.FAIL_ORPHANED_AGENT);
    const onboarding = byName(again.records, "Onboarding Agent");
    expect(onboarding.owner).toBe("Erin Example");
    expect(onboarding.missing).toEqual(["purpose", "unsupervised_decisions", "human_decisions"]);
    // a person's decision covers the orphan until its facts change
    const orphan = byName(again.records, "Legacy Triage Agent");
    const store2 = openStore(db);
    try {
      updateGovernance(store2, orphan.id, { status: "tolerated" }, "erin", "decommission planned");
      recordDecision(store2, orphan.id, decidedFactsOf(orphan), "erin", "decommission planned", false);
    } finally {
      store2.close();
    }
    const third = await scan(db, s);
    expect(alertsFor(["orphaned-agent"], third.records, third.diff)).toEqual([]);
  });

  it("keeps every agent and the history of its facts; a changed fact adds a history row, nothing is deleted", async () => {
    const data = agentTenant();
    const s1 = await server({}, data);
    const db = join(tmp, "history.db");
    await scan(db, s1, { agent365: false });
    const changed = agentTenant();
    changed.agentOwners = { ...changed.agentOwners, [AG.nobody]: [user(2, "bob@example.com")] };
    changed.agentIdentities = changed.agentIdentities!.filter((a) => a["id"] !== AG.orphanOff);
    changed.servicePrincipals = changed.servicePrincipals.filter((a) => a["id"] !== AG.orphanOff);
    const s2 = await server({}, changed);
    const r = await scan(db, s2, { agent365: false });
    expect(byName(r.records, "Onboarding Agent").agent!.owners).toEqual([{ id: uid(2), name: "bob@example.com", type: "user" }]);
    // the agent no longer listed stays in the inventory with its last facts
    expect(byName(r.records, "Retired Agent").agent!.lastScanId).toBeLessThan(r.summary.scanId);
    const store = openStore(db);
    try {
      expect(agentHistory(store, `agent:entra:${AG.nobody}`).map((h) => h.facts.owners?.length)).toEqual([0, 1]);
      expect(agentHistory(store, `agent:entra:${AG.mail}`)).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it("a missing permission is a clear note and a partial scan: agents are still found in servicePrincipals, never as apps", async () => {
    const denied = { status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." };
    const s = await server({ plan: (p) => (p === "/servicePrincipals/microsoft.graph.agentIdentity" || p === "/copilot/admin/catalog/packages" ? denied : undefined) });
    const r = await scan(join(tmp, "denied.db"), s);
    expect(r.summary.status).toBe("partial");
    expect(r.summary.errors.map((e) => [e.input, e.partial])).toEqual([
      ["/servicePrincipals/microsoft.graph.agentIdentity", false],
      ["/copilot/admin/catalog/packages", false],
    ]);
    expect(r.summary.errors[0]!.message).toMatch(/HTTP 403 Authorization_RequestDenied.*AgentIdentity\.Read\.All/);
    expect(r.summary.errors[1]!.message).toMatch(/CopilotPackages\.Read\.All.*Agent 365 licence/);
    // the @odata.type of the servicePrincipals items tells them apart
    expect(agents(r.records).map((a) => a.name).sort()).toEqual(["Legacy Triage Agent", "Onboarding Agent", "Quote Agent", "Retired Agent", "Sales Copilot Agent"]);
    expect(r.records.filter((x) => x.kind !== "agent" && /Agent/.test(x.name))).toEqual([]);
    expect(r.records.find((x) => x.name === "ChatGPT" || x.serviceId === "openai-chatgpt")).toBeDefined();
  });

  it("honours 429 Retry-After on the agent list through the Graph SDK", async () => {
    const s = await server({ plan: (p, n) => (p === "/servicePrincipals/microsoft.graph.agentIdentity" && n === 2 ? { status: 429, code: "TooManyRequests", retryAfter: "1" } : undefined) });
    const t0 = Date.now();
    const r = await scan(join(tmp, "throttled.db"), s, { agent365: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(s.stats.faults).toEqual({ "429": 1 });
    expect(r.summary.errors).toEqual([]);
    expect(agents(r.records)).toHaveLength(5);
  });
});

describe("Copilot Studio agents (Power Platform inventory API, delegated only)", () => {
  it("says clearly that app credentials cannot read it, and reads the rest", async () => {
    const s = await server();
    const r = await scan(join(tmp, "cs-apponly.db"), s, { copilotStudio: { baseUrl: s.authorityHost } });
    expect(r.summary.errors.map((e) => e.input)).toEqual(["/resourcequery/resources/query"]);
    expect(r.summary.errors[0]!.message).toMatch(/delegated sign-in only.*only app credentials are configured.*copilotStudio\.clientId.*SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN/);
    expect(agents(r.records)).toHaveLength(6);
    expect(s.stats.served.some((x) => x.path === "/resourcequery/resources/query")).toBe(false);
  });

  it("signs a person in with a device code (DeviceCodeCredential against a local authority) and reads the inventory with that delegated token", async () => {
    const publicClient = "0c000000-0000-0000-0000-00000000cafe";
    const s = await server({ powerPlatformToken: PP_TOKEN, deviceCode: { clientId: publicClient, upn: "admin@example.com", pendingPolls: 1 } });
    const r = await scan(join(tmp, "cs-device.db"), s, { authorityHost: s.authorityHost, copilotStudio: { clientId: publicClient, tenantId: "11111111-2222-3333-4444-555555555555", baseUrl: s.authorityHost } });
    expect(r.summary.errors).toEqual([]);
    const device = s.stats.tokenRequests.filter((t) => t.clientId === publicClient);
    expect(device.length).toBeGreaterThanOrEqual(2); // authorization_pending, then the token
    expect(device.at(-1)!.scope).toMatch(/https:\/\/api\.powerplatform\.com\/\.default/);
    expect(agents(r.records).filter((a) => a.agent!.platform === "copilot-studio").map((a) => a.name).sort()).toEqual(["Draft Bot", "IT Helpdesk Bot"]);
  }, 60_000);

  it("with a delegated token: pages through the inventory, folds an agent that names its Entra identity, and keeps the token out of the database", async () => {
    const s = await server({ powerPlatformToken: PP_TOKEN, plan: (p, n) => (p === "/resourcequery" && n === 1 ? { status: 429, code: "TooManyRequests", retryAfter: "0" } : undefined) });
    process.env["SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN"] = PP_TOKEN;
    const db = join(tmp, "cs.db");
    const r = await scan(db, s, { copilotStudio: { baseUrl: s.authorityHost } });
    expect(r.summary.errors).toEqual([]);
    expect(s.stats.served.filter((x) => x.path === "/resourcequery/resources/query")).toHaveLength(2);
    const as = agents(r.records);
    expect(as.filter((a) => a.agent!.platform === "copilot-studio").map((a) => a.name).sort()).toEqual(["Draft Bot", "IT Helpdesk Bot"]);
    expect(byName(as, "IT Helpdesk Bot").agent).toMatchObject({ owners: [{ id: uid(3), name: "carol@example.com", type: "user" }], lastActivity: "2026-11-21T09:00:00Z", interactsWithPeople: true, flags: [] });
    expect(byName(as, "Draft Bot").agent!.notes).toEqual(["draft: never published"]);
    // the Studio agent with entraAgentId is the Quote Agent: one record, with the Studio owner added
    expect(as.filter((a) => /Quote Agent/.test(a.name))).toHaveLength(1);
    expect(byName(as, "Quote Agent").agent!.owners).toEqual([{ id: uid(2), name: "bob@example.com", type: "user" }]);
    const store = openStore(db, { readonly: true });
    try {
      const dump = JSON.stringify(store.prepare("SELECT * FROM agents").all()) + JSON.stringify(store.prepare("SELECT errors FROM scans").all());
      expect(dump).not.toContain(PP_TOKEN);
    } finally {
      store.close();
    }
  });
});
