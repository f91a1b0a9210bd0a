import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../../src/core/collector.js";
import { MAX_FIELD_LENGTH, type Observation } from "../../src/core/observation.js";
import { classifyDocument, collectExport, exportCollector, id, kindFromContext } from "./index.js";

const FIX = join(import.meta.dirname, "__fixtures__");
const fx = (name: string) => join(FIX, name);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-entra-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(files: string[]): Promise<{ obs: Observation[]; errors: InputError[] }> {
  const obs: Observation[] = [];
  const errors: InputError[] = [];
  for await (const o of collectExport(files, { onError: (e) => errors.push(e) })) obs.push(o);
  return { obs, errors };
}

/** Grants are timed at the UTC day of the file's mtime (no exportedAt). */
const mtime = (name: string) => {
  const d = statSync(fx(name)).mtime;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
};
const SP_PAGES = ["servicePrincipals-page1.json", "servicePrincipals-page2.json"];

describe("microsoft-entra export collector", () => {
  it("declares its metadata", () => {
    expect(id).toBe("microsoft-entra");
    expect(exportCollector.docsUrl).toBe("https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant");
  });

  it("maps grants split over two files to service principals split over two files, whatever the order", async () => {
    // grants first on the command line: the SP and user pages are still read before them
    const files = ["oauth2PermissionGrants-page1.json", "oauth2PermissionGrants-page2.json", ...SP_PAGES, "users.json"].map(fx);
    const { obs, errors } = await run(files);
    expect(obs).toHaveLength(6);
    expect(obs[0]).toEqual({
      source: "microsoft-entra",
      kind: "oauth_grant",
      time: mtime("oauth2PermissionGrants-page1.json"),
      action: "granted",
      appId: "00000000-0000-4000-8000-0000000001a1",
      appName: "Otter.ai",
      // the service principal's appOwnerOrganizationId: which tenant owns the app
      appOwnerTenant: "00000000-0000-4000-8000-00000000e0a1",
      scopes: ["User.Read", "Calendars.Read", "offline_access"],
      consentType: "AllPrincipals",
      ref: {
        file: fx("oauth2PermissionGrants-page1.json"),
        api: "/servicePrincipals/00000000-0000-4000-8000-0000000000a1/oauth2PermissionGrants",
        id: "EXAMPLEgrant1-AllPrincipals-Otter",
      },
    });
    expect(obs[0]?.user).toBeUndefined();
    // Principal grant: the clientId (an SP object id, in upper case here) maps to the appId, name and verified publisher
    expect(obs[1]).toMatchObject({
      appId: "00000000-0000-4000-8000-0000000001a2",
      appName: "ChatGPT",
      publisher: "OpenAI",
      consentType: "Principal",
      user: "alice@example.com",
      department: "Sales",
      jobTitle: "Account Executive",
      scopes: ["openid", "profile", "email", "offline_access", "User.Read", "Mail.Read"],
    });
    expect(obs[2]).toMatchObject({ appName: "Slack", publisher: "Slack Technologies, LLC", user: "bob@example.com", department: "Engineering" });
    // a user in no users page: the principalId stands for the user
    expect(obs[3]).toMatchObject({ appName: "Claude", user: "00000000-0000-4000-8000-0000000000b9", consentType: "Principal" });
    expect(obs[3]?.department).toBeUndefined();
    // a service principal in no page: emitted with what is known
    expect(obs[4]).toEqual({
      source: "microsoft-entra",
      kind: "oauth_grant",
      time: mtime("oauth2PermissionGrants-page2.json"),
      action: "granted",
      scopes: ["User.Read"],
      consentType: "Principal",
      user: "carol@example.com",
      department: "HR",
      ref: {
        file: fx("oauth2PermissionGrants-page2.json"),
        api: "/servicePrincipals/00000000-0000-4000-8000-0000000000ee/oauth2PermissionGrants",
        id: "EXAMPLEgrant5-missing-sp",
      },
    });
    expect(obs[5]?.ref.id).toBe("EXAMPLEgrant6-missing-sp-again");
    expect(errors).toEqual([
      {
        input: fx("oauth2PermissionGrants-page2.json"),
        message:
          "grant EXAMPLEgrant5-missing-sp: service principal 00000000-0000-4000-8000-0000000000ee is in no servicePrincipals page; emitted with what the record holds, without appId or publisher (later records of this service principal are not reported again)",
        partial: true,
      },
      {
        input: fx("oauth2PermissionGrants-page2.json"),
        message: "1 user grant(s) in this and later files name a user who is in no users page; their user is the object id (principalId)",
        partial: true,
      },
    ]);
  });

  it("says so once when no users page was given", async () => {
    const { obs, errors } = await run([fx("oauth2PermissionGrants-page1.json"), ...SP_PAGES.map(fx)]);
    expect(obs[1]?.user).toBe("00000000-0000-4000-8000-0000000000b1");
    expect(errors.map((e) => e.message)).toEqual(["no users page was given: 2 user grant(s) in this and later files name the user by object id (principalId) instead of a UPN"]);
  });

  it("turns app role assignments into oauth_grant with action app_role", async () => {
    const files = ["appRoleAssignments.json", "appRoleAssignedTo.json", ...SP_PAGES, "users.json"].map(fx);
    const { obs, errors } = await run(files);
    const row = (o: Observation) => [o.action, o.appName, o.appId, o.user, o.department, o.scopes, o.time];
    expect(obs.map(row)).toEqual([
      // application permission: the app is the principal, the role value comes from Microsoft Graph's appRoles
      ["app_role", "ChatGPT", "00000000-0000-4000-8000-0000000001a2", undefined, undefined, ["Mail.Read"], mtime("appRoleAssignments.json")],
      // a user assigned to the app, with a named role; the UTC day of exportedAt gives the time
      ["app_role", "Claude", "00000000-0000-4000-8000-0000000001a4", "bob@example.com", "Engineering", ["Member"], "2026-11-21T00:00:00.000Z"],
      // a group assigned with the default role: no user, no scope
      ["app_role", "Claude", "00000000-0000-4000-8000-0000000001a4", undefined, undefined, undefined, "2026-11-21T00:00:00.000Z"],
      // the app's SP is missing: the name comes from resourceDisplayName
      ["app_role", "Fireflies.ai", undefined, "carol@example.com", "HR", undefined, "2026-11-21T00:00:00.000Z"],
    ]);
    expect(obs[0]?.ref).toEqual({
      file: fx("appRoleAssignments.json"),
      api: "/servicePrincipals/00000000-0000-4000-8000-0000000000f0/appRoleAssignedTo",
      id: "EXAMPLEassign1-ChatGPT-MailRead",
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ input: fx("appRoleAssignedTo.json"), partial: true });
    expect(errors[0]?.message).toMatch(/^app role assignment EXAMPLEassign4-unknown-app: service principal 00000000-0000-4000-8000-0000000000ef/);
  });

  it("reads sign-ins and consent audits", async () => {
    const { obs, errors } = await run([fx("signIns.json"), fx("directoryAudits.json"), ...SP_PAGES.map(fx), fx("users.json")]);
    expect(errors).toEqual([]);
    expect(obs[0]).toEqual({
      source: "microsoft-entra",
      kind: "signin",
      time: "2026-11-19T15:41:06.619Z",
      action: "success",
      appId: "00000000-0000-4000-8000-0000000001a2",
      appName: "ChatGPT",
      publisher: "OpenAI",
      user: "alice@example.com",
      department: "Sales",
      jobTitle: "Account Executive",
      client: "203.0.113.40",
      ref: { file: fx("signIns.json"), id: "00000000-0000-4000-8000-0000000005a1" },
    });
    expect(obs[1]).toMatchObject({ kind: "signin", appName: "Claude", action: "failure 65001", user: "bob@example.com" });
    expect(obs[2]).toEqual({
      source: "microsoft-entra",
      kind: "oauth_event",
      time: "2026-11-01T09:30:12.345Z",
      action: "Consent to application",
      appId: "00000000-0000-4000-8000-0000000001a1",
      appName: "Otter.ai",
      appOwnerTenant: "00000000-0000-4000-8000-00000000e0a1",
      scopes: ["User.Read", "Calendars.Read", "offline_access"],
      consentType: "AllPrincipals",
      user: "carol@example.com",
      department: "HR",
      client: "192.0.2.10",
      ref: { file: fx("directoryAudits.json"), id: "Directory_EXAMPLE_0001" },
    });
    // "Update user" is not evidence of an app; the failed consent keeps the appId from TargetId.ServicePrincipalNames
    expect(obs[3]).toMatchObject({
      kind: "oauth_event",
      action: "Consent to application (failure)",
      appName: "Fireflies.ai Notetaker",
      appId: "00000000-0000-4000-8000-0000000001ed",
      consentType: "Principal",
      scopes: ["User.Read", "Calendars.Read"],
      user: "bob@example.com",
    });
    expect(obs).toHaveLength(4);
  });

  it("detects PowerShell output (a bare array, PascalCase) by item fields", async () => {
    const { obs, errors } = await run([fx("powershell-grants.json"), ...SP_PAGES.map(fx), fx("users.json")]);
    expect(errors).toEqual([]);
    expect(obs.map((o) => [o.appName, o.user, o.consentType, o.scopes])).toEqual([["ChatGPT", "carol@example.com", "Principal", ["User.Read", "Calendars.Read"]]]);
  });

  it("reports malformed JSON and an unknown page kind, naming the file, and reads the other files", async () => {
    const { obs, errors } = await run([fx("malformed.json"), fx("unknown-groups.json"), fx("oauth2PermissionGrants-page1.json"), ...SP_PAGES.map(fx), fx("users.json")]);
    expect(obs).toHaveLength(3);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ input: fx("malformed.json"), line: 4, partial: false });
    expect(errors[0]?.message).toMatch(/^invalid JSON at line 4, column \d+ \(byte offset \d+\): expected a double-quoted property name \(found "}"\)$/);
    expect(errors[1]).toMatchObject({ input: fx("unknown-groups.json"), partial: false });
    expect(errors[1]?.message).toContain('"@odata.context" names "groups", which this collector does not read');
    expect(errors[1]?.message).toContain("expected a Microsoft Graph v1.0 page");
  });

  it("bounds hostile strings", async () => {
    const sp = join(tmp, "sp.json");
    const grants = join(tmp, "grants.json");
    writeFileSync(
      sp,
      JSON.stringify({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
        value: [{ id: "00000000-0000-4000-8000-0000000000d1", appId: "00000000-0000-4000-8000-0000000001d1", displayName: "Copilot".repeat(100_000), verifiedPublisher: { displayName: "P".repeat(5000) } }],
      }),
    );
    writeFileSync(
      grants,
      JSON.stringify({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants",
        value: [{ id: "g", clientId: "00000000-0000-4000-8000-0000000000d1", consentType: "AllPrincipals", principalId: null, scope: Array.from({ length: 1000 }, (_, i) => `S${i}`).join(" ") }],
      }),
    );
    const { obs, errors } = await run([grants, sp]);
    expect(errors).toEqual([]);
    expect(obs[0]?.appName?.length).toBe(MAX_FIELD_LENGTH);
    expect(obs[0]?.publisher?.length).toBe(MAX_FIELD_LENGTH);
    expect(obs[0]?.scopes?.length).toBe(256);
  });

  it("reports the first 20 missing service principals one by one, then a count", async () => {
    const grants = join(tmp, "many-missing.json");
    const hex = (i: number) => i.toString(16).padStart(12, "0");
    writeFileSync(
      grants,
      JSON.stringify({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants",
        value: Array.from({ length: 50 }, (_, i) => ({ id: `g${i}`, clientId: `00000000-0000-4000-8000-${hex(i % 25)}`, consentType: "AllPrincipals", scope: "User.Read" })),
      }),
    );
    const { obs, errors } = await run([grants]);
    expect(obs).toHaveLength(50);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toMatchObject({ input: grants, partial: true });
    expect(errors[20]?.message).toMatch(/^25 distinct client service principals are in no servicePrincipals page \(20 reported above\)/);
  });

  it("reads the bundled examples without an error", async () => {
    const dir = join(import.meta.dirname, "../../examples/microsoft");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => join(dir, f));
    const { obs, errors } = await run(files);
    expect(errors).toEqual([]);
    const count = (kind: string) => obs.filter((o) => o.kind === kind).length;
    expect([count("oauth_grant"), count("signin"), count("oauth_event")]).toEqual([18, 7, 2]);
    // every grant is named; every user grant has a UPN and a department
    expect(obs.every((o) => o.appName)).toBe(true);
    expect(obs.filter((o) => o.user).every((o) => o.user!.endsWith("@example.com") && o.department)).toBe(true);
    expect(obs.filter((o) => o.consentType === "AllPrincipals" && o.kind === "oauth_grant").map((o) => o.appName)).toEqual(["Otter.ai", "Zoom"]);
  });

  it("detects page kinds by @odata.context, then by item fields", () => {
    const base = "https://graph.microsoft.com/v1.0/$metadata#";
    expect(kindFromContext(`${base}servicePrincipals`)).toBe("servicePrincipals");
    expect(kindFromContext(`${base}servicePrincipals(id,appId,displayName)`)).toBe("servicePrincipals");
    expect(kindFromContext(`${base}servicePrincipals/$entity`)).toBe("servicePrincipals");
    expect(kindFromContext(`${base}servicePrincipals('x')/appRoleAssignedTo`)).toBe("appRoleAssignments");
    expect(kindFromContext(`${base}users('x')/appRoleAssignments`)).toBe("appRoleAssignments");
    expect(kindFromContext(`${base}servicePrincipals('x')/oauth2PermissionGrants`)).toBe("oauth2PermissionGrants");
    expect(kindFromContext(`${base}servicePrincipals('x')/owners`)).toBeUndefined();
    expect(kindFromContext(`${base}users(id,userPrincipalName,department)`)).toBe("users");
    expect(kindFromContext(`${base}auditLogs/signIns`)).toBe("signIns");
    // OData names in any letter case, as the docs' own directoryAudits example writes them
    expect(kindFromContext(`${base}auditlogs/directoryaudits`)).toBe("directoryAudits");
    expect(kindFromContext(`${base}SERVICEPRINCIPALS/$Entity`)).toBe("servicePrincipals");
    expect(kindFromContext(`${base}groups`)).toBeUndefined();
    expect(classifyDocument({ value: [{ id: "a", clientId: "b", consentType: "Principal", principalId: "c", resourceId: "d", scope: "" }] })[0]?.kind).toBe("oauth2PermissionGrants");
    expect(classifyDocument({ value: [{ id: "a", appId: "b", displayName: "c" }] })[0]?.kind).toBe("servicePrincipals");
    expect(classifyDocument([{ Id: "a", UserPrincipalName: "u@example.com", Department: "HR" }])[0]?.kind).toBe("users");
    expect(classifyDocument({ value: [{ nothing: 1 }] })[0]?.kind).toBe("unknown");
  });
});

describe("microsoft-entra exports as they really come", () => {
  const DOCS = join(FIX, "docs");
  const doc = (name: string) => join(DOCS, name);

  it("reads Microsoft Learn's example responses: every one but the one published as invalid JSON, which gets a located error", async () => {
    const files = readdirSync(DOCS).filter((f) => f.endsWith(".json")).map(doc);
    const { obs, errors } = await run(files);
    const fatal = errors.filter((e) => !e.partial);
    expect(fatal).toEqual([
      { input: doc("signIns-list.json"), offset: 2710, line: 64, message: 'invalid JSON at line 64, column 15 (byte offset 2710): expected a value (found "]")', partial: false },
    ]);
    expect(errors.some((e) => /unexpected error|is not a function|unrecognised/.test(e.message))).toBe(false);
    const row = (o: Observation) => [o.kind, o.action, o.appName ?? o.appId, o.user, o.scopes?.length];
    expect(obs.map(row)).toEqual([
      // oauth2PermissionGrants: the client service principal is in no page of the examples
      ["oauth_grant", "granted", undefined, undefined, 2],
      ["oauth_grant", "granted", undefined, undefined, 34],
      // appRoleAssignedTo (context with a key segment): a user assigned to the app, found in no users page
      ["oauth_grant", "app_role", "dxprovisioning-graphapi-client", "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", undefined],
      // an application permission (principalType ServicePrincipal): no user
      ["oauth_grant", "app_role", "dxprovisioning-graphapi-client", undefined, undefined],
      // the sign-in as Graph sends it (the example without its trailing comma)
      ["signin", "success", "Graph explorer", "testaccount1@contoso.com", undefined],
      // the user's appRoleAssignments, with and without @odata.context
      ["oauth_grant", "app_role", "dxprovisioning-graphapi-client", "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", undefined],
      ["oauth_grant", "app_role", "dxprovisioning-graphapi-client", "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", undefined],
    ]);
  });

  it("recognises a servicePrincipals page without @odata.context by its items, in scan and in extract alike", async () => {
    const { obs } = await run([doc("servicePrincipals-list.json"), doc("user-appRoleAssignments.json")]);
    expect(obs).toHaveLength(1);
    // no servicePrincipals entry for the resource 8e881353-…: named from resourceDisplayName
    expect(obs[0]?.appName).toBe("dxprovisioning-graphapi-client");
    const sp = join(tmp, "sp-no-context.json");
    writeFileSync(sp, JSON.stringify({ value: [{ id: "8e881353-1735-45af-af21-ee1344582a4d", appId: "65415bb1-9267-4313-bbf5-ae259732ee12", displayName: "Named From The Page" }] }));
    const named = await run([sp, doc("user-appRoleAssignments.json")]);
    expect(named.obs.map((o) => [o.appName, o.appId])).toEqual([["Named From The Page", "65415bb1-9267-4313-bbf5-ae259732ee12"]]);
    expect(named.errors.filter((e) => /service principal/.test(e.message))).toEqual([]);
  });

  it("routes every file it reads to itself: the sniff markers match what detect.ts accepts", async () => {
    const { googleExportSource } = await import("../google-workspace/source.js");
    const { microsoftExportSource } = await import("./source.js");
    const { readHead } = await import("../../src/pipeline/route.js");
    const files = [...readdirSync(DOCS).map(doc), ...readdirSync(FIX).map(fx)].filter((f) => f.endsWith(".json") && !/malformed|unknown-groups/.test(f));
    for (const f of files) {
      const head = await readHead(f);
      expect(microsoftExportSource.sniff!(head), f).toBe(true);
      expect(googleExportSource.sniff!(head), f).toBe(false);
    }
  });

  it("gives the same observations for the same export copied under another name the same day", async () => {
    const a = join(tmp, "grants-a.json");
    const body = JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", value: [{ id: "g1", clientId: "00000000-0000-4000-8000-0000000000d9", consentType: "AllPrincipals", principalId: null, scope: "User.Read" }] });
    writeFileSync(a, body);
    const copy = join(tmp, "grants-2026-12-07.json");
    writeFileSync(copy, body);
    const withoutFile = (o: Observation) => ({ ...o, ref: { ...o.ref, file: undefined } });
    const one = await run([a]);
    const two = await run([copy]);
    expect(one.obs).toHaveLength(1);
    expect(two.obs.map(withoutFile)).toEqual(one.obs.map(withoutFile));
  });

  it("streams a page whose value is large, and reports a page nested too deep", async () => {
    const big = join(tmp, "many-grants.json");
    const grantsText = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `g${i}`, clientId: "00000000-0000-4000-8000-0000000000d9", consentType: "Principal", principalId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, scope: "Mail.Read" }));
    writeFileSync(big, `{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", "value": [${grantsText.join(",")}]}`);
    const deep = join(tmp, "deep-graph.json");
    writeFileSync(deep, '{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": ' + "[".repeat(70) + "]".repeat(70) + "}");
    const { obs, errors } = await run([big, deep]);
    expect(obs).toHaveLength(20_000);
    expect(errors.find((e) => e.input === deep)?.message).toMatch(/^invalid JSON at line 1, column \d+ \(byte offset \d+\): nested deeper than 64 levels/);
  });
});
