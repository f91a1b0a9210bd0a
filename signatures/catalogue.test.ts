import { describe, expect, it } from "vitest";
import { lintSignatures, testExamples } from "../src/match/lint.js";
import { bundledSignatureDir } from "../src/match/load.js";
import { Matcher } from "../src/match/matcher.js";
import { matchPackage } from "../src/match/packages.js";
import type { SignatureExample } from "../src/match/schema.js";

const lint = lintSignatures([bundledSignatureDir()]);
const sigs = lint.signatures;
const matcher = new Matcher(sigs.map((s) => s.service));
const services = sigs.map((s) => s.service);
/** The service id an example resolves to, as `signatures test` resolves it: a package example through the MCP package index, any other through the matcher. */
function resolve(ex: SignatureExample): string | undefined {
  if (ex.package === undefined) return matcher.match(ex)?.serviceId;
  const [ecosystem, ...name] = ex.package.split(":");
  return matchPackage(services, ecosystem ?? "", name.join(":"))?.id;
}
const show = (ps: typeof lint.problems) => ps.map((p) => `${p.file}: ${p.field}: [${p.code}] ${p.message}`).join("\n");

describe("signature catalogue", () => {
  it("loads and validates every file", () => {
    expect(sigs.length).toBeGreaterThanOrEqual(1);
    expect(sigs.length).toBe(lint.files.length);
  });

  it("passes signatures lint without errors (schema, duplicates, ID sources, plain suite apps)", () => {
    const errors = lint.problems.filter((p) => p.severity === "error");
    expect(errors, show(errors)).toEqual([]);
  });

  it("gives every signature an https evidence URL and a source for every ID", () => {
    for (const { service, raw } of sigs) {
      expect(service.references[0], service.id).toMatch(/^https:\/\//);
      for (const id of [...raw.match.oauthClientIds, ...raw.match.entraAppIds]) expect(raw.idSources[id], `${service.id}: ${id}`).toMatch(/^https:\/\//);
    }
  });

  it("passes signatures test: every example against the full index", () => {
    const t = testExamples(sigs, matcher);
    expect(t.examples).toBeGreaterThanOrEqual(sigs.length * 2);
    expect(t.failures.map((f) => `${f.file}: ${f.field}: ${JSON.stringify(f.example)}: ${f.message}`)).toEqual([]);
  });

  for (const { service, raw } of sigs) {
    it(`${service.id}: positive examples match it, negative ones do not`, () => {
      for (const ex of raw.examples.match) {
        expect(resolve(ex), `${service.file}: ${JSON.stringify(ex)} should match`).toBe(service.id);
      }
      for (const ex of raw.examples.noMatch) {
        expect(resolve(ex), `${service.file}: ${JSON.stringify(ex)} should not match`).not.toBe(service.id);
      }
    });
  }
});
