/**
 * Identity attribution end to end: saved Google Directory tokens and Microsoft Graph pages
 * (`__fixtures__/identity/`) read by the real export collectors, matched against the bundled
 * catalogue. An OAuth app named after an AI brand but published by someone else is not the brand;
 * the brand's own app (its published client or app ID) is; an app with application permissions
 * only is attributed like a delegated one.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { collectExport as collectEntra } from "../../collectors/microsoft-entra/index.js";
import { collectExport as collectGoogle } from "../../collectors/google-workspace/index.js";
import type { InputError } from "../core/collector.js";
import { isUnverifiedPublisher, type Finding } from "../core/finding.js";
import type { Observation } from "../core/observation.js";
import { riskScore } from "../classify/risk.js";
import { loadSignatures } from "./load.js";
import { Matcher } from "./matcher.js";

const FIX = join(import.meta.dirname, "__fixtures__", "identity");

async function collect(run: (files: string[], ctx: { onError(e: InputError): void }) => AsyncIterable<Observation>, files: string[]) {
  const errors: InputError[] = [];
  const out: { o: Observation; f: Finding | undefined }[] = [];
  for await (const o of run(files.map((f) => join(FIX, f)), { onError: (e) => errors.push(e) })) out.push({ o, f: matcher.match(o) });
  return { out, errors };
}

let matcher: Matcher;
beforeAll(() => {
  matcher = new Matcher(loadSignatures().map((s) => s.service));
}, 120_000);

describe("Google tokens", () => {
  it("the published Gemini CLI client is Gemini Code Assist; an app named \"Gemini Code Assist\" with another client ID is a third-party app", async () => {
    const { out, errors } = await collect(collectGoogle, ["alice@example.com.json"]);
    expect(errors).toEqual([]);
    const by = (name: string) => out.find((x) => x.o.appName === name)!;

    expect(by("Gemini CLI").f).toMatchObject({ serviceId: "gemini-code-assist", field: "oauthClientId" });

    const fake = by("Gemini Code Assist").f!;
    expect(fake.serviceId).toBe("suspected:gemini code assist");
    expect(fake.serviceId).not.toBe("gemini-code-assist");
    expect(fake).toMatchObject({ field: "suspected", claimed: "gemini-code-assist" });
    expect(isUnverifiedPublisher(fake.matched)).toBe(true);
    expect(fake.matched).toContain("its OAuth client ID 123456789012-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.apps.googleusercontent.com is not one Google publishes");

    // the Gemini mobile app's token (nativeApp): no client ID is published, so its exact name attributes it
    expect(by("Gemini").f).toMatchObject({ serviceId: "google-gemini", field: "appName" });
  });
});

describe("Entra service principals", () => {
  let out: { o: Observation; f: Finding | undefined }[];
  beforeAll(async () => {
    const r = await collect(collectEntra, ["servicePrincipals.json", "appRoleAssignedTo.json", "oauth2PermissionGrants.json"]);
    expect(r.errors).toEqual([]);
    out = r.out;
  });

  it("an app with application permissions only (no delegated grant) is observed and attributed like a delegated one", () => {
    const glean = out.filter((x) => x.o.appName === "Glean");
    expect(glean).toHaveLength(2);
    for (const { o, f } of glean) {
      expect(o).toMatchObject({ kind: "oauth_grant", action: "app_role", appId: "20000000-0000-4000-8000-0000000061ea", publisher: "Glean Technologies, Inc." });
      expect(o.user).toBeUndefined();
      expect(f).toMatchObject({ serviceId: "glean", field: "appName" });
    }
    expect(glean.flatMap((x) => x.o.scopes ?? []).sort()).toEqual(["Files.Read.All", "Sites.Read.All"]);
  });

  it("the real Microsoft 365 Copilot app ID is the brand; a service principal merely named so is not", () => {
    const real = out.find((x) => x.o.appId === "fb8d773d-7ef8-4ec0-a117-179f88add510")!;
    expect(real.f).toMatchObject({ serviceId: "microsoft-365-copilot", field: "entraAppId" });

    const fake = out.find((x) => x.o.appId === "20000000-0000-4000-8000-0000000bad01")!;
    expect(fake.o.appName).toBe("Microsoft 365 Copilot");
    expect(fake.f!.serviceId).toBe("suspected:microsoft 365 copilot");
    expect(fake.f).toMatchObject({ field: "suspected", claimed: "microsoft-365-copilot" });
    expect(fake.f!.matched).toContain("it is owned by tenant 30000000-0000-4000-8000-0000000bad01, not by one of Microsoft's");
  });

  it("a Microsoft app whose ID the catalogue does not list is still Microsoft's when Microsoft's tenant owns it", () => {
    const chat = out.find((x) => x.o.appName === "Microsoft 365 Copilot Chat")!;
    expect(chat.o.appOwnerTenant).toBe("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    expect(chat.f).toMatchObject({ serviceId: "microsoft-365-copilot", field: "appName" });
  });

  it("an app named after a brand whose verified publisher is someone else is that publisher's, with the unverified-publisher risk factor", () => {
    const fake = out.find((x) => x.o.appName === "Glean for Outlook")!;
    expect(fake.o.publisher).toBe("Outlook Helpers Ltd");
    expect(fake.f).toMatchObject({ serviceId: "suspected:outlook helpers ltd", field: "suspected", claimed: "glean" });
    expect(fake.f!.matched).toContain('its verified publisher "Outlook Helpers Ltd" is not Glean Technologies, Inc.');
    const risk = riskScore({
      scopes: fake.o.scopes ?? [], userCount: 0, allUsersConsent: true, status: "suspected", vendorFacts: undefined, hasGrants: true,
      verifiedPublisher: true, lastSeen: fake.o.time, now: "2026-12-02T00:00:00.000Z", unverifiedPublisher: fake.f!.matched,
    });
    expect(risk.factors.find((x) => x.factor === "unverified publisher")).toMatchObject({ points: 10 });
  });
});
