import type { AiActTier } from "./service.js";

/** Which identifier of a signature matched an observation. */
export type MatchField = "domain" | "oauthClientId" | "entraAppId" | "publisher" | "appName" | "userAgent";

/**
 * Finding: an observation matched to a catalogue service.
 * Confidence is 0..1: an exact client/app ID is 1.0, a domain 0.9, a display-name pattern 0.7,
 * a user-agent hint 0.5.
 */
export interface Finding {
  serviceId: string;
  field: MatchField;
  /** The signature value that matched (the domain suffix, the ID, the pattern). */
  matched: string;
  confidence: number;
}

/** Confidence given to each kind of match. */
export const MATCH_CONFIDENCE: Record<MatchField, number> = {
  oauthClientId: 1,
  entraAppId: 1,
  domain: 0.9,
  publisher: 0.8,
  appName: 0.7,
  userAgent: 0.5,
};

/** Governance status a human sets on an AI system. `suspected` is set by discovery for unknown AI. */
export const SANCTION_STATUSES = [
  "unreviewed",
  "sanctioned",
  "tolerated",
  "unsanctioned",
  "under_review",
  "blocked",
  "suspected",
] as const;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];

/** A user seen using an AI system, with how often and when. */
export interface SystemUser {
  /** E-mail/UPN, or a client IP address where the evidence names no person, or `all users` for an admin consent. */
  id: string;
  kind: "user" | "client" | "all_users";
  department?: string;
  observations: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * AISystemRecord: one inventory entry. For now one record per catalogue service (the use and
 * organisational-unit axes come with classification by context).
 */
export interface AISystemRecord {
  /** The service id (stable across scans). */
  id: string;
  name: string;
  vendor: string;
  category: string;
  /** Distinct users or clients that used the service. */
  users: SystemUser[];
  /** Departments of those users, where known. */
  departments: string[];
  /** OAuth scopes granted to the service, de-duplicated and sorted. */
  scopes: string[];
  /** Observation counts by kind (`dns`, `tls`, `oauth_grant`, ...). */
  evidence: Record<string, number>;
  /** Collector ids that contributed (`pcap`, `google-workspace`, ...). */
  sources: string[];
  /** Matched identifiers and how (`domain:openai.com`). */
  matchedBy: string[];
  firstSeen: string;
  lastSeen: string;
  status: SanctionStatus;
  owner: string | null;
  classification: {
    /** `unclassified` only when the service's signature has left the catalogue since the evidence was stored. */
    tier: AiActTier | "unclassified";
    articles: string[];
    rationale: string;
    /** `catalog`: the signature's default for the product's intended purpose. */
    provenance: "catalog" | "observed" | "attested" | "reviewed";
  };
}
