import { describe, expect, it } from "vitest";
import type { AIService } from "../core/service.js";
import type { LoadedSignature } from "./load.js";
import { signatureSchema } from "./schema.js";
import { catalogueStats } from "./stats.js";

/** A loaded signature as `load.ts` makes it, from a minimal valid document. */
function sig(id: string, category: string, over: { domains?: string[]; entraAppIds?: string[]; references?: string[]; lastValidated?: string } = {}): LoadedSignature {
  const raw = signatureSchema.parse({
    id, name: id, vendor: `${id} Inc.`, category, references: over.references ?? [`https://${id}.example/docs`], lastValidated: over.lastValidated ?? "2026-11-22",
    match: { domains: over.domains ?? [`${id}.example`], entraAppIds: over.entraAppIds ?? [] },
    idSources: Object.fromEntries((over.entraAppIds ?? []).map((a) => [a, "https://learn.microsoft.com/x"])),
    euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: "an example signature for counting" },
    examples: { match: [{ host: `${id}.example` }], noMatch: [{ host: "example.org" }] },
  });
  const service: AIService = {
    id: raw.id, name: raw.name, vendor: raw.vendor, category: raw.category, match: raw.match, vendorFacts: raw.vendorFacts, euAiAct: raw.euAiAct,
    references: raw.references, lastValidated: raw.lastValidated, tags: raw.tags,
  };
  return { service, raw };
}

describe("catalogueStats", () => {
  it("counts services, domains and IDs per category, references per signature, vendor references and the oldest validation", () => {
    const st = catalogueStats([
      sig("alpha", "assistant", { domains: ["alpha.example", "alpha-cdn.example"], references: ["https://alpha.example/a", "https://list.example/x", "https://b.example/c"] }),
      sig("beta", "assistant", { references: ["https://lists.example/ai"], lastValidated: "2025-01-02" }),
      sig("gamma", "hr", { entraAppIds: ["00000000-0000-4000-8000-000000000001"], lastValidated: "2025-01-02", references: ["https://gamma.example/p", "https://learn.microsoft.com/q"] }),
      sig("delta", "meeting"),
    ]);
    expect(st.totals).toMatchObject({ services: 4, domains: 5, clientIds: 0, appIds: 1, ids: 1 });
    expect(st.categories).toEqual([
      { category: "assistant", services: 2, domains: 3, ids: 0 },
      { category: "hr", services: 1, domains: 1, ids: 1 },
      { category: "meeting", services: 1, domains: 1, ids: 0 },
    ]);
    // references per signature: 3, 1, 2, 1 → sorted 1 1 2 3, lower median 1
    expect(st.references).toEqual({ min: 1, median: 1, max: 3, total: 7 });
    // beta cites only a list, not its own domain
    expect(st.vendorReferenced).toBe(3);
    expect(st.oldestValidated).toEqual({ date: "2025-01-02", ids: ["beta", "gamma"], count: 2 });
  });

  it("gives zeros and no oldest date for an empty catalogue", () => {
    expect(catalogueStats([])).toMatchObject({ totals: { services: 0 }, categories: [], references: { min: 0, median: 0, max: 0 }, oldestValidated: null });
  });
});
