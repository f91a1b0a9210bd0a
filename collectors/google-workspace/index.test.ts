import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../../src/core/collector.js";
import { MAX_FIELD_LENGTH, type Observation } from "../../src/core/observation.js";
import { collectExport, exportCollector, id, userFromFileName } from "./index.js";

const FIX = join(import.meta.dirname, "__fixtures__");
const fx = (name: string) => join(FIX, name);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-gws-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(files: string[], maxBytes?: number): Promise<{ obs: Observation[]; errors: InputError[] }> {
  const obs: Observation[] = [];
  const errors: InputError[] = [];
  for await (const o of collectExport(files, { onError: (e) => errors.push(e) }, maxBytes ? { maxBytes } : {})) obs.push(o);
  return { obs, errors };
}

const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
const grants = (obs: Observation[]) => obs.filter((o) => o.kind === "oauth_grant");
const byApp = (obs: Observation[], name: string) => obs.filter((o) => o.appName === name);

describe("google-workspace export collector", () => {
  it("declares its metadata", () => {
    expect(id).toBe("google-workspace");
    expect(exportCollector.docsUrl).toMatch(/^https:\/\/developers\.google\.com\/admin-sdk\//);
  });

  it("takes the user from an e-mail file name and the time from the UTC day of the file's mtime", async () => {
    const { obs, errors } = await run([fx("alice@example.com.json")]);
    expect(errors).toEqual([]);
    expect(obs).toHaveLength(2);
    expect(obs[0]).toEqual({
      source: "google-workspace",
      kind: "oauth_grant",
      time: utcDay(statSync(fx("alice@example.com.json")).mtime),
      clientId: "000000000001-exampleotter.apps.googleusercontent.com",
      appName: "Otter.ai",
      scopes: [
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/calendar.readonly",
        "https://www.googleapis.com/auth/contacts.readonly",
      ],
      user: "alice@example.com",
      action: "granted",
      ref: { file: fx("alice@example.com.json"), id: "000000000001-exampleotter.apps.googleusercontent.com/alice@example.com" },
    });
    expect(obs[1]?.appName).toBe("Slack");
  });

  it("reads a token list without items as no tokens", async () => {
    const { obs, errors } = await run([fx("bob@example.com.json")]);
    expect(obs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("falls back to a top-level user field, then to the token's userKey, and times grants at the UTC day of exportedAt", async () => {
    const { obs } = await run([fx("tokens-with-user-field.json"), fx("tokens-by-userkey.json")]);
    expect(obs.map((o) => [o.appName, o.user, o.time])).toEqual([
      ["Fireflies.ai Notetaker", "carol@example.com", "2026-11-20T00:00:00.000Z"],
      ["ChatGPT", "100000000000000000004", "2026-11-20T00:00:00.000Z"],
      ["Unlisted Desktop Helper", "100000000000000000999", "2026-11-20T00:00:00.000Z"],
    ]);
  });

  it("reads the whole-domain array form", async () => {
    const { obs, errors } = await run([fx("domain-tokens.json")]);
    expect(errors).toEqual([]);
    expect(obs.map((o) => [o.user, o.appName])).toEqual([
      ["erin@example.com", "Claude"],
      ["erin@example.com", "Zoom"],
      ["grace@example.com", "Grammarly"],
    ]);
  });

  it("applies departments and job titles from users pages whatever the file order", async () => {
    const files = ["alice@example.com.json", "tokens-with-user-field.json", "tokens-by-userkey.json", "domain-tokens.json", "users-page1.json", "users-page2.json"].map(fx);
    const { obs, errors } = await run(files);
    expect(errors).toEqual([]);
    const row = (o: Observation) => [o.appName, o.user, o.department, o.jobTitle];
    expect(grants(obs).map(row)).toEqual([
      ["Otter.ai", "alice@example.com", "Sales", "Account Executive"],
      ["Slack", "alice@example.com", "Sales", "Account Executive"],
      ["Fireflies.ai Notetaker", "carol@example.com", "Engineering", "Staff Engineer"],
      // userKey resolved through the users page's unique ID; department from orgUnitPath
      ["ChatGPT", "dave@example.com", "Finance", undefined],
      ["Unlisted Desktop Helper", "100000000000000000999", undefined, undefined],
      ["Claude", "erin@example.com", "HR", "HR Business Partner"],
      ["Zoom", "erin@example.com", "HR", "HR Business Partner"],
      ["Grammarly", "grace@example.com", undefined, undefined],
    ]);
  });

  it("turns token activities into oauth_event observations and skips other applications with a warning", async () => {
    const { obs, errors } = await run([fx("activities-token.json"), fx("users-page2.json"), fx("users-page1.json")]);
    expect(obs.every((o) => o.kind === "oauth_event")).toBe(true);
    expect(obs[0]).toEqual({
      source: "google-workspace",
      kind: "oauth_event",
      time: "2026-11-18T06:24:42.442Z",
      action: "authorize",
      clientId: "000000000009-examplereadai.apps.googleusercontent.com",
      appName: "Read AI",
      scopes: ["https://www.googleapis.com/auth/calendar.readonly", "https://www.googleapis.com/auth/userinfo.email"],
      user: "heidi@example.com",
      department: "Marketing",
      jobTitle: "Content Lead",
      client: "203.0.113.17",
      ref: { file: fx("activities-token.json"), id: "2026-11-18T06:24:42.442Z/-6709442587437772138" },
    });
    // revoke with scopes only in scope_data
    expect(obs[1]).toMatchObject({ action: "revoke", appName: "Otter.ai", user: "alice@example.com", client: "2001:db8::17" });
    expect(obs[1]?.scopes).toEqual(["https://www.googleapis.com/auth/calendar.readonly"]);
    // two activity events of one activity; the actor's alias resolves to the primary address
    expect(obs.slice(2).map((o) => [o.action, o.appName, o.user, o.department, o.ref.id])).toEqual([
      ["activity", "Fireflies.ai Notetaker", "carol@example.com", "Engineering", "2026-11-19T10:00:00.000Z/111#0"],
      ["activity", "Fireflies.ai Notetaker", "carol@example.com", "Engineering", "2026-11-19T10:00:00.000Z/111#1"],
    ]);
    expect(obs).toHaveLength(4);
    expect(errors).toEqual([
      { input: fx("activities-token.json"), message: "activities of application login (1) not read: only applicationName=token is", partial: true },
    ]);
  });

  it("reports invalid JSON with its position and an unknown shape naming what was expected, and reads the other files", async () => {
    const files = [fx("malformed.json"), fx("unknown-shape.json"), fx("alice@example.com.json")];
    const { obs, errors } = await run(files);
    expect(obs).toHaveLength(2);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ input: fx("malformed.json"), line: 5, offset: 126, partial: false });
    expect(errors[0]?.message).toBe("invalid JSON at line 5, column 23 (byte offset 126): expected ',' (found \"\\\"\")");
    expect(errors[1]?.input).toBe(fx("unknown-shape.json"));
    expect(errors[1]?.partial).toBe(false);
    expect(errors[1]?.message).toContain('"kind" is "admin#directory#groups"');
    expect(errors[1]?.message).toContain("expected a Directory API tokens.list response");
  });

  it("bounds hostile strings and drops non-string scopes", async () => {
    const file = join(tmp, "mallory@example.com.json");
    writeFileSync(
      file,
      JSON.stringify({
        kind: "admin#directory#tokenList",
        items: [
          { clientId: "c".repeat(5000), displayText: "ChatGPT " + "\u202e".repeat(100_000), scopes: ["openid", 42, null, { x: 1 }, "s".repeat(3000)] },
          "not a token",
          { anonymous: true },
        ],
      }),
    );
    const { obs, errors } = await run([file]);
    expect(obs).toHaveLength(1);
    const o = obs[0]!;
    expect(o.appName?.length).toBe(MAX_FIELD_LENGTH);
    expect(o.clientId?.length).toBe(MAX_FIELD_LENGTH);
    expect(o.scopes).toEqual(["openid", "s".repeat(MAX_FIELD_LENGTH)]);
    expect(errors).toEqual([{ input: file, message: '2 token item(s) skipped: expected objects with "clientId" or "displayText"', partial: true }]);
  });

  it("refuses a file over the size cap and a missing file, and goes on", async () => {
    const { obs, errors } = await run([fx("alice@example.com.json"), join(tmp, "absent.json"), fx("activities-token.json")], 2000);
    expect(obs).toHaveLength(2);
    expect(errors.map((e) => [e.input, e.partial])).toEqual([
      [join(tmp, "absent.json"), false],
      [fx("activities-token.json"), false],
    ]);
    expect(errors[0]?.message).toMatch(/^cannot read: ENOENT/);
    expect(errors[1]?.message).toMatch(/over the 2000-byte limit/);
  });

  it("reads UTF-16 files with a BOM (Windows PowerShell Out-File) and detects kind by shape without a kind member", async () => {
    const file = join(tmp, "export.json");
    const body = JSON.stringify({ user: "ivan@example.com", items: [{ clientId: "000000000010-examplefathom.apps.googleusercontent.com", displayText: "Fathom", scopes: [] }] });
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]));
    const { obs, errors } = await run([file]);
    expect(errors).toEqual([]);
    expect(obs.map((o) => [o.user, o.appName, o.scopes])).toEqual([["ivan@example.com", "Fathom", undefined]]);
  });

  it("reads the bundled examples without an error", async () => {
    const dir = join(import.meta.dirname, "../../examples/google");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => join(dir, f));
    const { obs, errors } = await run(files);
    expect(errors).toEqual([]);
    expect(grants(obs)).toHaveLength(28);
    expect(obs.filter((o) => o.kind === "oauth_event")).toHaveLength(7);
    expect(obs.every((o) => o.user?.endsWith("@example.com") && o.department)).toBe(true);
    expect(byApp(obs, "Notion").map((o) => o.department)).toEqual(["Marketing"]);
  });

  it("names the user only from file names that are e-mail addresses", () => {
    expect(userFromFileName("/x/Alice@Example.com.json")).toBe("alice@example.com");
    expect(userFromFileName("/x/tokens.json")).toBeUndefined();
    expect(userFromFileName("/x/a@b.json")).toBeUndefined();
    // the names a copy or a daily export gives the same file name the same user
    for (const name of ["alice@example.com (1).json", "alice@example.com - Copy.json", "alice@example.com_copy2.json", "alice@example.com-2026-12-07.json", "alice@example.com.20261207.json", "2026-12-07_alice@example.com.json", "alice@example.com-2026-12-07T0600Z (2).json"]) {
      expect(userFromFileName(`/x/${name}`), name).toBe("alice@example.com");
    }
    expect(userFromFileName("/x/tokens-2026-12-07.json")).toBeUndefined();
  });
});

describe("google-workspace exports as they really come", () => {
  const DOCS = join(FIX, "docs");
  const doc = (name: string) => join(DOCS, name);

  it("reads every file in the documented shapes without a crash-like error", async () => {
    const files = readdirSync(DOCS).filter((f) => f.endsWith(".json")).map(doc);
    const { obs, errors } = await run(files);
    expect(errors.filter((e) => !e.partial)).toEqual([]);
    expect(errors.map((e) => [e.input.slice(DOCS.length + 1), e.message])).toEqual([
      ["activities-admin-guide.json", "activities of application admin (1) not read: only applicationName=token is"],
      ["activities-gemini.json", "activities of application gemini_in_workspace_apps (1) not read: only applicationName=token is"],
      ["activities-login.json", "activities of application login (2) not read: only applicationName=token is"],
    ]);
    // tokens.list: the userKey resolves through the users page to the address and department
    expect(grants(obs).map((o) => [o.appName, o.user, o.department, o.jobTitle])).toEqual([
      ["Example AI Notetaker", "liz@example.com", "Sales", "Head of Sales"],
      ["Google Chrome", "liz@example.com", "Sales", "Head of Sales"],
    ]);
    // reports#auditActivities envelope; the second activity's events is one object, not a list
    expect(obs.filter((o) => o.kind === "oauth_event").map((o) => [o.action, o.appName, o.user, o.scopes, o.time])).toEqual([
      ["authorize", "Gmail Add-on", "foo@bar.com", ["https://www.googleapis.com/auth/gmail.addons.execute", "https://www.googleapis.com/auth/userinfo.email"], "2023-01-01T06:24:42.442Z"],
      ["revoke", "Google Chrome", "test@runpanther.io", ["https://www.google.com/accounts/OAuthLogin"], "2020-06-10T04:11:42.949Z"],
    ]);
  });

  it("type-checks every field: hostile shapes are skipped and counted, never a crash", async () => {
    const file = join(tmp, "odd-activities.json");
    writeFileSync(
      file,
      JSON.stringify({
        kind: "reports#auditActivities",
        items: [
          { id: { time: "2026-01-01T00:00:00Z", applicationName: "token" }, events: "authorize" },
          { id: { time: 5, applicationName: ["token"] }, events: [{ name: "authorize" }] },
          { id: { time: "2026-01-01T00:00:00Z", applicationName: "token" }, events: [{ name: 7, parameters: "x" }, { name: "authorize", parameters: { name: "app_name", value: "Solo" } }] },
          { id: "x", events: {} },
          { id: { applicationName: "token", time: "2026-01-02T00:00:00Z" }, actor: "mallory", ipAddress: 12, events: { name: "request", parameters: [{ name: "scope_data", multiMessageValue: "oops" }, { name: "scope", multiValue: "one" }] } },
        ],
      }),
    );
    const { obs, errors } = await run([file]);
    expect(obs.map((o) => [o.action, o.appName, o.user, o.client])).toEqual([
      ["authorize", "Solo", undefined, undefined],
      ["request", undefined, undefined, undefined],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      "3 activity item(s) or event(s) skipped: expected activities with \"id\" and named \"events\"",
      "activities of application (none) (1) not read: only applicationName=token is",
    ]);
  });

  it("takes members written after the items (kind, user, exportedAt) into account", async () => {
    const file = join(tmp, "late-members.json");
    writeFileSync(file, '{"items": [{"clientId": "9-late.apps.googleusercontent.com", "displayText": "Late"}], "user": "Late@Example.com", "exportedAt": "2026-11-30T23:59:00Z", "kind": "admin#directory#tokenList"}');
    const { obs, errors } = await run([file]);
    expect(errors).toEqual([]);
    expect(obs.map((o) => [o.appName, o.user, o.time])).toEqual([["Late", "late@example.com", "2026-11-30T00:00:00.000Z"]]);
  });

  it("gives the same observations for the same export under another name, or copied the same day", async () => {
    const a = join(tmp, "export-a.json");
    const body = JSON.stringify({ kind: "admin#directory#tokenList", user: "kim@example.com", items: [{ clientId: "1-x.apps.googleusercontent.com", displayText: "X", scopes: ["openid"] }] });
    writeFileSync(a, body);
    const copy = join(tmp, "tokens-2026-12-07.json");
    writeFileSync(copy, body); // a new file: a new mtime, the same UTC day
    const one = await run([a]);
    const two = await run([copy]);
    const withoutFile = (o: Observation) => ({ ...o, ref: { ...o.ref, file: undefined } });
    expect(one.obs).toHaveLength(1);
    expect(two.obs.map(withoutFile)).toEqual(one.obs.map(withoutFile));
  });

  it("reports a file nested too deep with its position, and reads the files beside it", async () => {
    const deep = join(tmp, "deep.json");
    writeFileSync(deep, "[".repeat(100_000));
    const { obs, errors } = await run([deep, fx("alice@example.com.json")]);
    expect(obs).toHaveLength(2);
    expect(errors).toEqual([
      { input: deep, offset: 64, line: 1, message: 'invalid JSON at line 1, column 65 (byte offset 64): nested deeper than 64 levels of arrays and objects (found "[")', partial: false },
    ]);
  });

  it("routes every file it reads to itself: the sniff markers match what detect.ts accepts", async () => {
    const { googleExportSource } = await import("./source.js");
    const { microsoftExportSource } = await import("../microsoft-entra/source.js");
    const { readHead } = await import("../../src/pipeline/route.js");
    const files = [...readdirSync(DOCS).map(doc), ...readdirSync(FIX).map(fx)].filter((f) => f.endsWith(".json") && !/malformed|unknown-shape/.test(f));
    for (const f of files) {
      const head = await readHead(f);
      expect(googleExportSource.sniff!(head), f).toBe(true);
      expect(microsoftExportSource.sniff!(head), f).toBe(false);
    }
  });
});
