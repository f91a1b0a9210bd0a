/**
 * Vendor rosters: what an AI vendor's admin API (or a member export) says about an organisation:
 * its people and seats, projects or workspaces, service accounts, API keys, admin keys, audit
 * events, usage per day and managed agents. Collectors hand these to a {@link RosterSink}
 * (`ctx.rosters`, src/core/collector.ts); the store keeps them in the `roster_*` tables
 * (src/store/rosters.ts) and `seats` reconciles them with what the other sources observed.
 *
 * Secrets: an API key appears only as the API itself redacts it (`redacted_value` of OpenAI,
 * `partial_key_hint` of Anthropic); no field here ever holds more of a key.
 */

/** The vendors whose rosters are read. */
export type RosterVendor = "openai" | "anthropic";

export const ROSTER_VENDORS: readonly RosterVendor[] = ["openai", "anthropic"];

/** A person, seat, invitation or non-human principal of a vendor organisation. */
export interface RosterPrincipal {
  /** `user`: an organisation member; `invite`: invited, not joined; `service_account`: a project service account (OpenAI) or a service principal (Anthropic); `seat`: a member row of a file export (ChatGPT Business/Team). */
  kind: "user" | "invite" | "service_account" | "seat";
  /** The vendor's id (`user-abc`, `user_01…`, `invite_…`, `svc_acct_…`); for a seat, the lower-case e-mail. */
  id: string;
  /** Lower-case e-mail, when the vendor gave one. */
  email?: string;
  name?: string;
  /** The vendor's role name (`owner`, `reader`, `admin`, `developer`, `member`). */
  role?: string;
  /** `active`, `pending`, `expired`, `deactivated`, ... as the vendor says. */
  status?: string;
  /** Project or workspace the principal belongs to (service accounts). */
  groupId?: string;
  /** ISO 8601 UTC. */
  createdAt?: string;
  /** The latest use the vendor reports for this principal (OpenAI `api_key_last_used_at`; a seat's "last active"), ISO 8601 UTC. */
  lastActiveAt?: string;
  /** Other facts, small and bounded (is_scim_managed, projects). */
  attrs?: Record<string, unknown>;
}

/** A project (OpenAI) or workspace (Anthropic). */
export interface RosterGroup {
  kind: "project" | "workspace";
  id: string;
  name?: string;
  status?: string;
  createdAt?: string;
  archivedAt?: string;
}

/** A principal's membership of a project or workspace. */
export interface RosterMembership {
  groupId: string;
  /** The principal's id (user id). */
  principalId: string;
  role?: string;
}

/** An API key or admin key, never its value. */
export interface RosterKey {
  /** `project_key` (OpenAI project API key), `admin_key` (OpenAI admin key), `api_key` (Anthropic). */
  kind: "project_key" | "admin_key" | "api_key";
  id: string;
  name?: string;
  /** The redacted value exactly as the API gives it (`sk-…abcd`, `sk-ant-api03-R2D...igAA`). */
  redacted?: string;
  /** Who holds the key: a user or a service account. Anthropic: `principal` before `created_by`. */
  ownerKind?: "user" | "service_account";
  ownerId?: string;
  /** Lower-case e-mail of a user owner, when the API gave it (or the roster resolved it). */
  ownerEmail?: string;
  /** Who created the key, when that is someone other than its owner. */
  createdById?: string;
  /** Project or workspace of the key. */
  groupId?: string;
  /** `project`, `workspace`, `organization`. */
  scope?: string;
  /** `active`, `inactive`, `archived`, `expired`. */
  status?: string;
  createdAt?: string;
  lastUsedAt?: string;
  expiresAt?: string;
}

/** One audit log event (OpenAI `/organization/audit_logs`). */
export interface RosterEvent {
  id: string;
  /** `api_key.created`, `login.succeeded`, ... */
  type: string;
  time: string;
  actorKind?: string;
  actorId?: string;
  actorEmail?: string;
  /** The object acted on (`key_abc`), when the event names one. */
  targetId?: string;
}

/** One usage figure of one day. */
export interface RosterUsage {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** What the figure is about. */
  subjectKind: "user" | "api_key" | "workspace" | "project" | "organization";
  /** Its id (user id, key id, workspace id; an e-mail for Claude Code actors). */
  subjectId: string;
  /** `requests`, `input_tokens`, `output_tokens`, `cost_usd`, `sessions`. */
  metric: string;
  value: number;
}

/** A tool a managed agent can call, and whether a human approves each call. */
export interface RosterAgentTool {
  /** `agent_toolset` (the vendor's pre-built tools), `mcp:<server name>`, or `custom`. */
  toolset: string;
  /** The tool's name, or `*` for the toolset's default. */
  name: string;
  /** `always_allow` (runs unsupervised), `always_ask` (a human approves each call), `auto` (the vendor decides per call). */
  policy: string;
}

/** A managed agent (Anthropic `/v1/agents`). */
export interface RosterAgent {
  id: string;
  name?: string;
  model?: string;
  version?: string;
  createdAt?: string;
  updatedAt?: string;
  archivedAt?: string;
  mcpServers: { name: string; url?: string }[];
  tools: RosterAgentTool[];
  /** Tools that run without approval (`always_allow`): the agent is unsupervised for these. */
  unsupervised: string[];
}

/**
 * One batch of roster facts from one vendor organisation, stored in one transaction together with
 * the cursor it carries: a killed scan keeps every batch put before it, and a re-read of the same
 * facts changes nothing.
 */
export interface RosterBatch {
  vendor: RosterVendor;
  /** The vendor's organisation id (or the configured label when the API does not name it). */
  org: string;
  /** Where the batch came from (`openai`, `anthropic`, `chatgpt-members`), for `roster_*.source`. */
  source: string;
  principals?: readonly RosterPrincipal[];
  groups?: readonly RosterGroup[];
  memberships?: readonly RosterMembership[];
  keys?: readonly RosterKey[];
  events?: readonly RosterEvent[];
  usage?: readonly RosterUsage[];
  agents?: readonly RosterAgent[];
  /** A position to commit with this batch (`key` is per vendor and org). */
  cursor?: { key: string; value: string };
}

/** An account of a directory (Google Workspace, Microsoft Entra) and whether it may sign in. */
export interface DirectoryAccount {
  /** `google-workspace` or `microsoft-entra`. */
  source: string;
  /** Lower-case primary e-mail or UPN. */
  user: string;
  /** Lower-case aliases and other addresses of the same person. */
  aliases?: readonly string[];
  /**
   * `active`; `suspended` (Google `suspended`); `disabled` (Entra `accountEnabled: false`);
   * `deleted` (an Entra user in `/directory/deletedItems`, soft-deleted and restorable for 30 days).
   */
  status: "active" | "suspended" | "disabled" | "deleted";
}

/** Where collectors put roster facts; the scan pipeline gives one to every source. */
export interface RosterSink {
  /** Store one batch (one transaction). @returns how many rows were new. */
  put(batch: RosterBatch): number;
  /** The committed cursor `key` of a vendor organisation, or undefined. */
  cursor(vendor: RosterVendor, org: string, key: string): string | undefined;
  /** Record directory accounts and their status (one transaction per call). */
  directory(accounts: readonly DirectoryAccount[]): void;
  /**
   * Record that `what` was listed whole by this scan (`users`, `invites`, `service_accounts`,
   * `keys`, `agents`, `seats`; for a directory: vendor `directory`, org = the directory source,
   * `accounts`): rows of that kind this scan did not read are gone.
   */
  complete(vendor: RosterVendor | "directory", org: string, what: string): void;
}

/** Most findings of one kind a {@link RosterSection} names (the rest are counted). */
export const ROSTER_SAMPLE = 5;

/** One finding of `seats` as an inventory record shows it (src/store/rosters.ts, `SeatFinding`). */
export interface RosterSampleItem {
  /** The vendor's id of the seat, key, service account or agent (`user-bob`, `key_dee`); for a person with no seat, or a seat of a member export, the e-mail. */
  id: string;
  /** The vendor organisation, when the finding is about one. */
  org?: string;
  /** E-mail of the person concerned: the seat holder, the person observed, the owner of the key. */
  user?: string;
  /** Key, service account or agent name as the vendor gives it (attacker-controlled text). */
  name?: string;
  /** Redacted key value exactly as the vendor's API gave it (`sk-abc...wxyz`); never more of a key. */
  redacted?: string;
  /** Owner status in the directory: `suspended`, `disabled`, `deleted`, `unknown`, `removed_from_vendor`. */
  ownerStatus?: string;
  /** Last use the evidence shows (ISO 8601 UTC), null when none. */
  lastUsed?: string | null;
}

/** How many findings of one kind there are, and the first {@link ROSTER_SAMPLE} of them. */
export interface RosterFindingSample {
  count: number;
  first: RosterSampleItem[];
}

/**
 * What `seats` finds for one vendor, as the inventory records of that vendor's services carry it
 * (`roster` of an AISystemRecord; built from `reconcileSeats`, src/store/rosters.ts).
 */
export interface RosterSection {
  vendor: RosterVendor;
  /** ISO 8601 UTC time the windows end at: the end of the latest scan (or `SHADOW_AI_NOW`). */
  asOf: string;
  /** Window of observed use, in days. */
  days: number;
  /** A key unused for longer than this many days is stale. */
  staleKeyDays: number;
  /** Members (users, and seats of member exports) the vendor lists now, in every organisation read. */
  seats: number;
  /** Keys (project, admin and API keys) the vendor lists now, active or not. */
  keys: number;
  /** Seats with no use seen in the window. */
  unusedSeats: RosterFindingSample;
  /** People observed using the vendor's services in the window who hold no seat (personal accounts). */
  noSeat: RosterFindingSample;
  /** Active keys whose owner is suspended, disabled, deleted, unknown to the directory or gone from the vendor. */
  orphanedKeys: RosterFindingSample;
  /** Service accounts whose creator is suspended, disabled, deleted or unknown to the directory. */
  orphanedServiceAccounts: RosterFindingSample;
  /** Active keys unused for more than `staleKeyDays` days. */
  staleKeys: RosterFindingSample;
  /** Managed agents with tools that run without approval. */
  unsupervisedAgents: RosterFindingSample;
  /** What the reader should know (no directory evidence: owners were not checked). */
  notes: string[];
}
