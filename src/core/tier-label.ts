/**
 * One human label per EU AI Act tier, and the order of severity, for every human view: the
 * terminal tables, the HTML report and any other export meant to be read by people. Machine
 * formats (JSON, CSV columns, CycloneDX properties) keep the tier values themselves
 * (`high_risk`, `gpai`).
 */
import type { AISystemRecord } from "./finding.js";

/** Tiers, most severe first; `unclassified` (a service that left the catalogue) last. */
export const TIER_SEVERITY = ["prohibited", "high_risk", "transparency", "gpai", "minimal", "unclassified"] as const;

/** The label of each tier: upper case for the one tier that forbids use outright. */
export const TIER_LABEL: Readonly<Record<(typeof TIER_SEVERITY)[number], string>> = {
  prohibited: "PROHIBITED",
  high_risk: "high-risk",
  transparency: "transparency",
  gpai: "GPAI",
  minimal: "minimal",
  unclassified: "unclassified",
};

/** The label of `tier`; an unknown value is returned unchanged. */
export function tierLabel(tier: string): string {
  return (TIER_LABEL as Record<string, string>)[tier] ?? tier;
}

/** Rank of `tier` in {@link TIER_SEVERITY} (0 = prohibited); unknown tiers rank after all. */
export function tierRank(tier: string): number {
  const i = (TIER_SEVERITY as readonly string[]).indexOf(tier);
  return i < 0 ? TIER_SEVERITY.length : i;
}

/**
 * Order records by what matters to a reader: class severity (prohibited first), then name
 * (case-insensitive), then record id. For `Array.prototype.sort`.
 */
export function bySeverityThenName(a: Pick<AISystemRecord, "id" | "name" | "classification">, b: Pick<AISystemRecord, "id" | "name" | "classification">): number {
  return (
    tierRank(a.classification.tier) - tierRank(b.classification.tier) ||
    a.name.localeCompare(b.name, "en", { sensitivity: "base" }) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
