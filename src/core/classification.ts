/**
 * The shapes of an EU AI Act classification (Regulation (EU) 2024/1689 as amended by Regulation
 * (EU) 2026/1744), shared by the rules engine (src/classify) and the inventory record.
 */
import type { AIService, AiActTier } from "./service.js";

/** The rule gates, in evaluation order. */
export type Gate = "scope" | "art5" | "annex_i" | "annex_iii" | "art50" | "gpai" | "minimal";

export type FactSource = "catalog" | "observed" | "attested" | "reviewed";
export type FactValue = string | number | boolean | string[];
export interface Fact {
  value: FactValue;
  source: FactSource;
}
export type Disposition = "determined" | "requires_review" | "blocked";
export type Role = "deployer" | "provider";

/** What a reviewer stated about a use (governance fields that are facts for the rules). */
export interface Attestation {
  /** Purpose tags (`recruitment`, `customer_chat`, `creditworthiness`, ...): replace the inferred ones. */
  purposeTags?: string[];
  /** Who is exposed to the system's output: `internal`, `external_users`, `public`. */
  exposure?: string;
}

/** One use of a service in one organisational unit, as the engine sees it. */
export interface ClassificationInput {
  service: Pick<AIService, "id" | "name" | "category" | "euAiAct" | "tags">;
  /** Department of the users, `null` when the evidence names none (capture or log clients). */
  orgUnit: string | null;
  jobTitles: string[];
  userCount: number;
  attested?: Attestation;
  /** AI agents: true when the agent talks with people (its platform says so): `context.interactsWithPeople`, observed. */
  interactsWithPeople?: boolean;
}

/** A rule that fired. */
export interface RuleFinding {
  ruleId: string;
  ruleVersion: string;
  gate: Gate;
  tier: AiActTier;
  role: Role;
  citations: string[];
  rationale: string;
  /** Fact keys the result depended on, with their sources (`context.purpose:observed`). */
  decisiveFacts: string[];
  disposition: Disposition;
  appliesFrom: string;
}

/** An obligation that applies to the record, with its date relative to `today`. */
export interface ObligationStatus {
  id: string;
  title: string;
  citation: string;
  holder: Role;
  appliesFrom: string;
  /** `applies` when appliesFrom ≤ today, else `upcoming`. */
  status: "applies" | "upcoming";
  /** Days from today until it applies (0 or negative once it applies). */
  daysUntil: number;
  /** True when every rule that triggered it is a candidate needing review. */
  candidate: boolean;
  /** Governance field that shows it addressed (`oversight`, `fria`), if any. */
  needs?: "oversight" | "fria";
  /** Rules that triggered it. */
  basis: string[];
}

export interface Classification {
  regime: string;
  rulesetVersion: string;
  evaluatedAt: string;
  /** `unclassified` only when the service's signature left the catalogue after its evidence was stored. */
  tier: AiActTier | "unclassified";
  disposition: Disposition;
  articles: string[];
  rationale: string;
  provenance: FactSource;
  role: { value: Role; basis: string[]; disposition: Disposition };
  findings: RuleFinding[];
  obligations: ObligationStatus[];
  /** Purpose tags the rules saw, and where they came from. */
  purpose: { tags: string[]; source: FactSource | null };
}

