/**
 * Assembling inventory records: stored facts (src/store) + catalogue entries (src/match) +
 * classification (this folder). Pure: no I/O.
 */
import type { AISystemRecord } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import type { SystemFacts } from "../store/inventory.js";
import { classifyFromCatalog } from "./catalog.js";

/** Build one record per service with evidence, in the order of `facts` (service id). */
export function buildRecords(facts: readonly SystemFacts[], services: ReadonlyMap<string, AIService>): AISystemRecord[] {
  return facts.map((f) => {
    const s = services.get(f.serviceId);
    return {
      id: f.serviceId,
      name: s?.name ?? f.serviceId,
      vendor: s?.vendor ?? "unknown",
      category: s?.category ?? "unknown",
      users: f.users,
      departments: f.departments,
      scopes: f.scopes,
      evidence: f.evidence,
      sources: f.sources,
      matchedBy: f.matchedBy,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
      status: f.status,
      owner: f.owner,
      classification: classifyFromCatalog(s, f.serviceId),
    };
  });
}
