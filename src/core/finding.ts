import type { AgentView } from "./agent.js";
import type { McpServerView } from "./mcp.js";
import type { Classification } from "./classification.js";
import type { AiActTier } from "./service.js";
import type { RiskScore } from "./risk.js";
import type { RosterSection } from "./roster.js";

/** Which identifier of a signature matched an observation. */
export type MatchField = "domain" | "oauthClientId" | "entraAppId" | "publisher" | "appName" | "userAgent" | "suspected" | "agent" | "mcp";

/** Service ids of "suspected AI" findings start with this, followed by the suspicion's key (`suspected:some-llm.ai`). */
export const SUSPECTED_PREFIX = "suspected:";

/**
 * How the `matched` reason of a third-party app using a brand begins: an OAuth app or service
 * principal named like a catalogue service whose client ID, app ID or verified publisher says it is
 * someone else's (`unverified publisher: app "ChatGPT for Gmail" is named like ChatGPT (OpenAI), but
 * ...`). Its finding is a suspected one (`suspected:<publisher or app name>`), never the brand's.
 */
export const UNVERIFIED_PUBLISHER = "unverified publisher";

/** Whether a finding's `matched` reason (or a record's `matchedBy` entry, `suspected:<reason>`) is an unverified-publisher one. */
export function isUnverifiedPublisher(matched: string): boolean {
  return matched.startsWith(UNVERIFIED_PUBLISHER) || matched.startsWith(`suspected:${UNVERIFIED_PUBLISHER}`);
}

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
  /**
   * For a third-party app using a brand (field `suspected`, `matched` starting with
   * {@link UNVERIFIED_PUBLISHER}): the id of the signature whose name it carries. Not stored.
   */
  claimed?: string;
}

/** Confidence given to each kind of match. */
export const MATCH_CONFIDENCE: Record<MatchField, number> = {
  oauthClientId: 1,
  entraAppId: 1,
  domain: 0.9,
  publisher: 0.8,
  appName: 0.7,
  userAgent: 0.5,
  suspected: 0.3,
  /** Evidence of an AI agent, listed as one by its platform (src/core/agent.ts). */
  agent: 1,
  /** An MCP server in a client's configuration file on an endpoint (src/core/mcp.ts). */
  mcp: 1,
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
  /** A suspected AI system a person found not to be AI: remembered, and no longer reported. */
  "dismissed",
] as const;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];

/** A user seen using an AI system, with how often and when. */
export interface SystemUser {
  /**
   * E-mail/UPN; a client IP address where the evidence names no person; `all users` for an Entra admin
   * consent; `application permissions` for app-only permissions granted to the app itself.
   */
  id: string;
  kind: "user" | "client" | "all_users" | "application";
  department?: string;
  observations: number;
  firstSeen: string;
  lastSeen: string;
}

/** Human decisions about one AI system record, kept apart from discovered facts; never written by a scan. */
export interface Governance {
  owner: string | null;
  status: SanctionStatus;
  /** Business purpose, in the owner's words. */
  purpose: string | null;
  /** Purpose tags a reviewer attested (`recruitment`, `customer_chat`, ...): facts for the rules. */
  purposeTags: string[];
  /** Who is exposed to the output: `internal`, `external_users`, `public` (attested). */
  exposure: string | null;
  /** Human-oversight arrangements (Art. 26(2)): who, with what competence and authority. */
  oversight: string | null;
  /** Reference to the fundamental-rights impact assessment (Art. 27), when one was made. */
  fria: string | null;
  /** A reviewer's class, overriding the rules, with the justification. */
  classOverride: { tier: AiActTier; why: string } | null;
  /**
   * The facts a person decided on when they last set a deciding status (sanctioned, tolerated,
   * blocked, dismissed): users, scopes and class then. An alert (`--fail-on`) about the record stays
   * quiet while the facts are within these, and fires again when they grow or the class changes.
   */
  decidedFacts?: DecidedFacts | null;
  /** Agents: who is called when the agent fails or is unsure (the accountable owner is `owner`). */
  escalationOwner?: string | null;
  /** Agents: the decisions it may take unsupervised. */
  unsupervisedDecisions?: string | null;
  /** Agents: the decisions that need a human. */
  humanDecisions?: string | null;
  /** Agents: how its actions are rolled back. */
  rollback?: string | null;
  updatedAt: string | null;
}

/** Kinds of inventory record. */
export type RecordKind = "service" | "agent" | "mcp_server";

/** The statuses that record a decision about a record: alerts respect them (see Governance.decidedFacts). */
export const DECIDING_STATUSES: readonly SanctionStatus[] = ["sanctioned", "tolerated", "blocked", "dismissed"];

/** What a decision was about: the record's users, scopes and class at the time. */
export interface DecidedFacts {
  users: string[];
  scopes: string[];
  tier: string;
}

/**
 * AISystemRecord: one inventory entry, a service used by one organisational unit (the Act
 * classifies by use: the same chatbot used by HR and by Sales is two records). `orgUnit` is the
 * users' department; `null` groups evidence that names no department (capture and log clients).
 */
export interface AISystemRecord {
  /** `<serviceId>` or `<serviceId>@<org-unit-slug>`, stable across scans; `agent:<platform>:<id>` for an agent. */
  id: string;
  /**
   * `service`: an AI service used by people (evidence matched to the catalogue or suspected);
   * `agent`: an AI agent its platform lists (src/core/agent.ts), with {@link agent}. Room for
   * more kinds (`mcp_server`).
   */
  kind?: RecordKind;
  /** Agents only: what the platform says, and what is wrong (`flags`). */
  agent?: AgentView;
  /** MCP servers only (kind `mcp_server`): where each is configured, how it runs, and what is wrong (`flags`). */
  mcpServer?: McpServerView;
  serviceId: string;
  name: string;
  vendor: string;
  category: string;
  orgUnit: string | null;
  /** Distinct users or clients that used the service in this unit. */
  users: SystemUser[];
  /** Job titles of those users, where the identity source gave them. */
  jobTitles: string[];
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
  /** Same as `governance.status` and `governance.owner`, for convenience. */
  status: SanctionStatus;
  owner: string | null;
  governance: Governance;
  classification: Classification;
  /**
   * What the compliance file still lacks: `owner`, `purpose`, `oversight`, `fria`; for an agent also
   * `escalation_owner`, `unsupervised_decisions`, `human_decisions`, `rollback`.
   */
  missing: string[];
  risk: RiskScore;
  /**
   * Services of a vendor whose roster was read (OpenAI, Anthropic): what `seats` finds for that
   * vendor (unused seats, use without a seat, keys and service accounts of departed owners, stale
   * keys), the same on every record of the vendor. Absent for other records.
   */
  roster?: RosterSection;
}
