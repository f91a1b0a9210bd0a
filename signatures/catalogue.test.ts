import { describe, expect, it } from "vitest";
import { loadSignatures } from "../src/match/load.js";
import { Matcher } from "../src/match/matcher.js";

const sigs = loadSignatures();
const matcher = new Matcher(sigs.map((s) => s.service));

describe("signature catalogue", () => {
  it("loads and validates every file", () => {
    expect(sigs.length).toBeGreaterThanOrEqual(1);
  });

  it("never claims one domain, client ID or app ID in two files", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const { service: s } of sigs) {
      for (const key of [
        ...s.match.domains.map((d) => `domain ${d}`),
        ...s.match.oauthClientIds.map((c) => `client ${c.toLowerCase()}`),
        ...s.match.entraAppIds.map((a) => `app ${a.toLowerCase()}`),
      ]) {
        const prev = owner.get(key);
        if (prev && prev !== s.id) clashes.push(`${key}: ${prev} and ${s.id}`);
        owner.set(key, s.id);
      }
    }
    expect(clashes).toEqual([]);
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
