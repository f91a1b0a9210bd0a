/**
 * AI agents as inventory items: what a platform (Microsoft Entra Agent ID, Microsoft Agent 365,
 * Copilot Studio) says about one agent, as a collector hands it on with the observations that
 * back it. The store keeps these facts per agent (table `agents`, upserted per scan, with a history
 * of every change in `agent_history`); the inventory turns them into a record of kind `agent`.
 *
 * Record ids are `agent:<platform>:<id at the source>` (lower-case), stable across scans:
 * `agent:entra:<service principal object id>`, `agent:agent365:<package id>`,
 * `agent:copilot-studio:<inventory resource name>`. An Agent 365 package or a Copilot Studio agent
 * that names an Entra agent identity is folded into that identity's record, so that each agent
 * appears once.
 */
import type { Observation } from "./observation.js";

/** Where an agent is defined. */
/** `endpoint`: a local AI client (Claude Code, Codex, Cursor, Ollama) found in a user's files by `scan endpoints`. */
export type AgentPlatform = "entra" | "agent365" | "copilot-studio" | "endpoint";

/** Prefix of agent record ids (and of their observations' `service_id`). */
export const AGENT_PREFIX = "agent:";

/** The record id of an agent. */
export function agentRecordId(platform: AgentPlatform, idAtSource: string): string {
  return `${AGENT_PREFIX}${platform}:${idAtSource.toLowerCase()}`;
}

/** Whether a record or service id is an agent's. */
export function isAgentId(id: string): boolean {
  return id.startsWith(AGENT_PREFIX);
}

/** An owner or sponsor as the source names it. */
export interface AgentPrincipal {
  /** Object id at the source. */
  id: string;
  /** UPN or display name, when the source gave one. */
  name?: string;
  /** `#microsoft.graph.user` → `user`, `#microsoft.graph.servicePrincipal` → `servicePrincipal`, `group`. */
  type: "user" | "servicePrincipal" | "group" | "unknown";
}

/** How much a permission reaches. */
export type PermissionRisk = "high" | "medium" | "low";

/** One permission an agent holds. */
export interface AgentPermission {
  /** The permission's value on its resource (`Mail.Read`, `Files.ReadWrite.All`), or the role id when unnamed. */
  value: string;
  /** `application`: app role assignment (app-only); `delegated`: an OAuth2 permission grant. */
  type: "application" | "delegated";
  /** Display name of the resource API (`Microsoft Graph`). */
  resource?: string;
  /** True when inherited from the blueprint (beta `inheritedAppRoleAssignments` / `inheritedOauth2PermissionGrants`). */
  inherited?: boolean;
  /** Delegated: `AllPrincipals` (admin consent for everyone) or `Principal` (one user). */
  consentType?: "AllPrincipals" | "Principal";
  risk: PermissionRisk;
}

/**
 * Application permissions that read or write all mail, all files or the directory of a tenant:
 * what `--fail-on agent-high-privilege` looks for. From the Microsoft Graph permissions reference
 * (https://learn.microsoft.com/graph/permissions-reference): Mail.*, Files.*.All, Sites.*.All
 * (SharePoint and OneDrive files), Directory.*.All, and the write-everything RoleManagement and
 * AppRoleAssignment permissions that reach the directory.
 */
export const HIGH_PRIVILEGE_APP_PERMISSIONS: ReadonlySet<string> = new Set(
  [
    "Mail.Read", "Mail.ReadWrite", "Mail.Send", "Mail.ReadBasic.All", "MailboxSettings.ReadWrite",
    "Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All",
    "Directory.Read.All", "Directory.ReadWrite.All", "RoleManagement.ReadWrite.Directory", "AppRoleAssignment.ReadWrite.All",
    "User.ReadWrite.All", "Group.ReadWrite.All", "Application.ReadWrite.All",
  ].map((p) => p.toLowerCase()),
);

/**
 * The risk of one permission: `high` for an application permission in
 * {@link HIGH_PRIVILEGE_APP_PERMISSIONS}; `medium` for any other `.All` permission, any
 * application permission, or a delegated grant of a high-privilege scope for all users; else `low`.
 */
export function permissionRisk(value: string, type: AgentPermission["type"], consentType?: AgentPermission["consentType"]): PermissionRisk {
  const v = value.toLowerCase();
  if (type === "application" && HIGH_PRIVILEGE_APP_PERMISSIONS.has(v)) return "high";
  if (type === "application" || v.endsWith(".all") || (consentType === "AllPrincipals" && HIGH_PRIVILEGE_APP_PERMISSIONS.has(v))) return "medium";
  return "low";
}

/** The blueprint an agent identity was made from. */
export interface AgentBlueprint {
  /** The blueprint's appId (`agentIdentityBlueprintId` of the identity). */
  id: string;
  name?: string;
  /** False when the blueprint list was read whole and did not hold it (deleted); undefined when it could not be read. */
  present?: boolean;
}

/** What a platform says about one agent. Strings come from the source: escape before display. */
export interface AgentFacts {
  /** Record id, see {@link agentRecordId}. */
  id: string;
  platform: AgentPlatform;
  /** The observation source that read it (`microsoft-entra`). */
  source: string;
  /** The id at the source (service principal object id, package id, inventory resource name). */
  externalId: string;
  name: string;
  /** Entra application (client) id of the agent, when it has one. */
  appId?: string;
  blueprint?: AgentBlueprint;
  /** Publisher (Agent 365 `publisher`), or the blueprint's verified publisher. */
  publisher?: string;
  /** `accountEnabled` (Entra), not `isBlocked` (Agent 365), or null when the source does not say. */
  enabled: boolean | null;
  /** Owners at the source; undefined when they could not be read (a missing permission). */
  owners?: AgentPrincipal[];
  /** Sponsors at the source (Entra beta relationship); undefined when not read. */
  sponsors?: AgentPrincipal[];
  permissions: AgentPermission[];
  /** People who granted it delegated permissions, or whom the source names as its users (UPNs, lower-case). */
  users: string[];
  /** Agent 365 `activeUsers` (last 30 days). */
  activeUsers30d?: number;
  /** Latest activity the source reports (ISO 8601 UTC): a publish, a modification, a sign-in. */
  lastActivity?: string;
  createdAt?: string;
  /** True when the agent talks with people (a chat bot, a declarative agent in Copilot or Teams): an Art. 50(1) candidate. */
  interactsWithPeople: boolean;
  /** Other facts of the source, flat: `deployedTo`, `elementTypes`, `isBlocked`, `environmentId`, `createdIn`. */
  details: Record<string, string | number | boolean | string[]>;
  /** What could not be read about this agent and why (a missing permission, a licence). */
  notes: string[];
}

/** A collector's item for one agent: its facts and the observations that are its evidence trail. */
export interface AgentItem {
  agent: AgentFacts;
  evidence: Observation[];
}

/** Whether a source item is an {@link AgentItem}. */
export function isAgentItem(x: unknown): x is AgentItem {
  return typeof x === "object" && x !== null && !Array.isArray(x) && "agent" in x && "evidence" in x;
}

/** What an agent record shows besides the common record fields. */
export interface AgentView extends AgentFacts {
  /** First and last scan that read it. */
  firstScanId: number;
  lastScanId: number;
  /**
   * What is wrong, from the source's facts and governance: `no-owner-or-sponsor` (none at the source
   * and none reviewed), `orphaned` (enabled, its blueprint gone), `high-privilege` (an application
   * permission in {@link HIGH_PRIVILEGE_APP_PERMISSIONS}).
   */
  flags: ("no-owner-or-sponsor" | "orphaned" | "high-privilege")[];
}
