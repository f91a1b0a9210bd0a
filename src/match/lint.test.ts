import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { lintSignatures, testExamples } from "./lint.js";
import { bundledSignatureDir, loadSignatures } from "./load.js";
import { Matcher } from "./matcher.js";

/** A valid signature document; `over` replaces top-level keys. */
function doc(id: string, match: Record<string, unknown>, examples: { match: object[]; noMatch: object[] }, over: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    vendor: "Example Inc.",
    category: "assistant",
    // the vendor's own material: a page on the signature's first domain (lint warns otherwise)
    references: [`https://${(match.domains as string[] | undefined)?.[0] ?? "example.com"}/docs`],
    lastValidated: "2026-11-22",
    match,
    euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: "An example signature for the lint tests only." },
    examples,
    ...over,
  };
}

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "sig-lint-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : stringify(content));
  return dir;
}

const codes = (r: ReturnType<typeof lintSignatures>, file?: string) =>
  r.problems.filter((p) => !file || p.file.endsWith(file)).map((p) => `${p.severity} ${p.code} ${p.field}`);

describe("lintSignatures", () => {
  it("reports every problem of every file, naming file and field, without stopping at the first bad file", () => {
    const dir = dirWith({
      "a-bad.yaml": { ...doc("a-bad", { domains: ["Not A Domain"] }, { match: [{ host: "x.example" }], noMatch: [{ host: "y.example" }] }), references: ["http://example.com"], colour: "red" },
      "b-broken.yaml": "id: b-broken\nname: [unclosed\n",
      "c-wrong-name.yaml": doc("c-right-name", { domains: ["c.example.com"] }, { match: [{ host: "c.example.com" }], noMatch: [{ host: "d.example.com" }] }),
      "d-ids.yaml": doc("d-ids", { entraAppIds: ["00000000-0000-4000-8000-0000000000d1"] }, { match: [{ appId: "00000000-0000-4000-8000-0000000000d1" }], noMatch: [{ appId: "00000000-0000-4000-8000-0000000000d2" }] }),
      "e-good.yaml": doc("e-good", { domains: ["e.example.com"] }, { match: [{ host: "e.example.com" }], noMatch: [{ host: "f.example.com" }] }),
    });
    const r = lintSignatures([dir]);
    expect(r.files).toHaveLength(5);
    expect(r.signatures.map((s) => s.service.id)).toEqual(["e-good"]);
    expect(codes(r, "a-bad.yaml")).toEqual(["error schema ", "error schema match.domains.0", "error schema references.0"]);
    expect(codes(r, "b-broken.yaml")).toEqual([expect.stringMatching(/^error yaml line \d+/)]);
    expect(codes(r, "c-wrong-name.yaml")).toEqual(["error id-mismatch id"]);
    expect(codes(r, "d-ids.yaml")).toEqual(["error id-without-source idSources"]);
    expect(codes(r, "e-good.yaml")).toEqual([]);
  });

  it("finds duplicates, overlapping and redundant domains, cross-talk and dead fields", () => {
    const dir = dirWith({
      "acme-chat.yaml": doc(
        "acme-chat",
        { domains: ["acme.example", "app.acme.example"], appNamePatterns: ["^Acme\\b", "^Acme Chat Legacy$"], userAgents: ["AcmeChat/", "AcmeDesktop/"], publishers: ["Acme Inc."] },
        { match: [{ host: "acme.example" }, { appName: "Acme Chat" }, { userAgent: "AcmeChat/1.0" }], noMatch: [{ host: "notacme.example" }] },
      ),
      "acme-notes.yaml": doc(
        "acme-notes",
        { domains: ["notes.acme.example", "acme.example"], appNamePatterns: ["^Acme Notes\\b"] },
        { match: [{ host: "notes.acme.example" }, { appName: "Acme Notes" }], noMatch: [{ appName: "Acme" }] },
      ),
      "acme-voice.yaml": doc(
        "acme-voice",
        { domains: ["voice.acme.example"], appNamePatterns: ["^Acme Voice\\b"] },
        { match: [{ host: "voice.acme.example" }, { appName: "Acme Voice" }], noMatch: [{ appName: "Acme" }] },
        { overrides: ["acme-chat", "nobody"] },
      ),
      "suite-ai.yaml": doc("suite-ai", { appNamePatterns: ["^Zoom\\b"] }, { match: [{ appName: "Zoom AI" }], noMatch: [{ host: "zoom.us" }] }, { category: "suite_ai" }),
    });
    const r = lintSignatures([dir]);
    expect(codes(r, "acme-chat.yaml")).toEqual([
      "warning cross-talk match.appNamePatterns.0",
      "warning cross-talk match.appNamePatterns.0",
      "warning unexercised-pattern match.appNamePatterns.1",
      "warning redundant-domain match.domains.1",
      "warning unexercised-publisher match.publishers.0",
      "warning unexercised-user-agent match.userAgents.1",
    ]);
    expect(codes(r, "acme-notes.yaml")).toEqual(["error duplicate-domain match.domains.1", "warning overlapping-domain match.domains.0"]);
    expect(codes(r, "acme-voice.yaml")).toEqual(["warning unknown-override overrides.1"]);
    // no domain of its own and a reference on someone else's site: nothing shows it cites the vendor
    expect([...new Set(codes(r, "suite-ai.yaml"))]).toEqual([
      "error plain-suite match.appNamePatterns.0", "warning suite-without-negative examples.noMatch", "warning no-vendor-reference references",
    ]);
    const overlap = r.problems.find((p) => p.code === "overlapping-domain")!;
    expect(overlap.message).toContain('overrides: [acme-chat]');
  });

  it("testExamples fails a positive example another signature captures and a negative that matches", () => {
    const dir = dirWith({
      "one.yaml": doc("one", { appNamePatterns: ["^Foo"] }, { match: [{ appName: "Foo Bar" }], noMatch: [{ appName: "Foo Baz" }] }),
      "two.yaml": doc("two", { appNamePatterns: ["^Foo Bar$"] }, { match: [{ appName: "Foo Bar" }, { host: "two.example.com" }], noMatch: [{ appName: "Bar" }] }),
    });
    const sigs = loadSignatures([dir]);
    const t = testExamples(sigs);
    expect(t.examples).toBe(5);
    expect(t.failures.map((f) => `${f.id} ${f.field} ${f.got?.serviceId ?? "-"}`)).toEqual(["one examples.noMatch.0 one", "two examples.match.0 one", "two examples.match.1 -"]);
  });
});

describe("organisation-specific signatures", () => {
  it("load beside the bundled catalogue and win by longest suffix", () => {
    const bundled = loadSignatures();
    const broad = new Matcher(bundled.map((s) => s.service)).matchHost("fabrikam.openai.azure.com");
    expect(broad, "the bundled catalogue has a signature for openai.azure.com").toBeDefined();
    const org = mkdtempSync(join(tmpdir(), "org-sigs-"));
    mkdirSync(join(org, "sub"));
    writeFileSync(
      join(org, "contoso-azure-openai.yaml"),
      stringify(
        doc(
          "contoso-azure-openai",
          { domains: ["contoso.openai.azure.com", "llm-gateway.contoso.example"] },
          { match: [{ host: "contoso.openai.azure.com" }, { host: "llm-gateway.contoso.example" }], noMatch: [{ host: "fabrikam.openai.azure.com" }] },
          { vendor: "Contoso (internal)", category: "llm_api", overrides: [broad!.id], references: ["https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"] },
        ),
      ),
    );
    const all = loadSignatures([bundledSignatureDir(), org]);
    const m = new Matcher(all.map((s) => s.service));
    expect(m.match({ host: "contoso.openai.azure.com" })).toMatchObject({ serviceId: "contoso-azure-openai", matched: "contoso.openai.azure.com" });
    expect(m.match({ host: "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions" })?.serviceId).toBe("contoso-azure-openai");
    expect(m.match({ host: "fabrikam.openai.azure.com" })?.serviceId).toBe(broad!.id);
    const r = lintSignatures([bundledSignatureDir(), org]);
    expect(r.problems.filter((p) => p.file.startsWith(org))).toEqual([]);
    expect(testExamples(r.signatures).failures.filter((f) => f.file.startsWith(org))).toEqual([]);
  });
});
