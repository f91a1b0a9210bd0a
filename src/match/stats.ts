/**
 * `signatures stats`: the shape of the catalogue in numbers, for a reviewer deciding where it is
 * thin: services and domains per category, sources (references) per signature and how many cite the
 * vendor itself, the oldest `lastValidated`, and totals.
 */
import type { LoadedSignature } from "./load.js";
import { hasVendorReference } from "./lint.js";

/** One category's counts. */
export interface CategoryStats {
  category: string;
  services: number;
  domains: number;
  /** OAuth client IDs plus Entra app IDs. */
  ids: number;
}

/** What {@link catalogueStats} returns; every count is over the signatures given. */
export interface CatalogueStats {
  totals: { services: number; domains: number; clientIds: number; appIds: number; ids: number; publishers: number; appNamePatterns: number; userAgents: number };
  /** Categories in descending order of services, then by name. */
  categories: CategoryStats[];
  /** References per signature: least, median (the lower middle for an even count), most. */
  references: { min: number; median: number; max: number; total: number };
  /** Signatures with at least one reference that is the vendor's own material (the `no-vendor-reference` rule of `lint.ts`). */
  vendorReferenced: number;
  /** The oldest `lastValidated` (YYYY-MM-DD) and the ids validated that day (at most 10, sorted). */
  oldestValidated: { date: string; ids: string[]; count: number } | null;
}

/**
 * Count the catalogue. Pure; `sigs` as loaded (bundled and organisation directories).
 * A domain, ID or pattern listed by two signatures is counted twice (lint reports it).
 */
export function catalogueStats(sigs: readonly LoadedSignature[]): CatalogueStats {
  const cats = new Map<string, CategoryStats>();
  const totals = { services: 0, domains: 0, clientIds: 0, appIds: 0, ids: 0, publishers: 0, appNamePatterns: 0, userAgents: 0 };
  const refs: number[] = [];
  let vendorReferenced = 0;
  let oldest: string | undefined;
  let oldestIds: string[] = [];
  for (const sig of sigs) {
    const s = sig.service;
    const m = s.match;
    const c = cats.get(s.category) ?? { category: s.category, services: 0, domains: 0, ids: 0 };
    cats.set(s.category, c);
    c.services++;
    c.domains += m.domains.length;
    c.ids += m.oauthClientIds.length + m.entraAppIds.length;
    totals.services++;
    totals.domains += m.domains.length;
    totals.clientIds += m.oauthClientIds.length;
    totals.appIds += m.entraAppIds.length;
    totals.publishers += m.publishers.length;
    totals.appNamePatterns += m.appNamePatterns.length;
    totals.userAgents += m.userAgents.length;
    refs.push(s.references.length);
    if (hasVendorReference(sig)) vendorReferenced++;
    if (oldest === undefined || s.lastValidated < oldest) {
      oldest = s.lastValidated;
      oldestIds = [s.id];
    } else if (s.lastValidated === oldest) {
      oldestIds.push(s.id);
    }
  }
  totals.ids = totals.clientIds + totals.appIds;
  refs.sort((a, b) => a - b);
  oldestIds.sort();
  return {
    totals,
    categories: [...cats.values()].sort((a, b) => b.services - a.services || a.category.localeCompare(b.category)),
    references: {
      min: refs[0] ?? 0,
      median: refs.length ? refs[Math.floor((refs.length - 1) / 2)]! : 0,
      max: refs[refs.length - 1] ?? 0,
      total: refs.reduce((a, b) => a + b, 0),
    },
    vendorReferenced,
    oldestValidated: oldest === undefined ? null : { date: oldest, ids: oldestIds.slice(0, 10), count: oldestIds.length },
  };
}
