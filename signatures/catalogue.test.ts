import { describe, expect, it } from "vitest";
import { lintSignatures, testExamples } from "../src/match/lint.js";
import { bundledSignatureDir } from "../src/match/load.js";
import { Matcher } from "../src/match/matcher.js";

const lint = lintSignatures([bundledSignatureDir()]);
const sigs = lint.signatures;
const matcher = new Matcher(sigs.map((s) => s.service));
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
        expect(matcher.match(ex)?.serviceId, `${service.file}: ${JSON.stringify(ex)} should match`).toBe(service.id);
      }
      for (const ex of raw.examples.noMatch) {
        expect(matcher.match(ex)?.serviceId, `${service.file}: ${JSON.stringify(ex)} should not match`).not.toBe(service.id);
      }
    });
  }
});
