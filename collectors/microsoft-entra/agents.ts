/**
 * Microsoft Entra Agent ID: agent identities, their blueprints, owners, sponsors and permissions,
 * read through the same Graph client as the rest of the live scan (live.ts hands in `list`).
 *
 * Reads (application permissions; each missing one is a note and the rest is read):
 * - `GET /v1.0/servicePrincipals/microsoft.graph.agentIdentity` (`AgentIdentity.Read.All`; pages of
 *   at most 100): `id, appId, displayName, agentIdentityBlueprintId, accountEnabled,
 *   createdByAppId, createdDateTime, disabledByMicrosoftStatus, servicePrincipalType, tags`.
 *   https://learn.microsoft.com/graph/api/agentidentity-list?view=graph-rest-1.0
 * - `GET /v1.0/applications/microsoft.graph.agentIdentityBlueprint` (`AgentIdentityBlueprint.Read.All`):
 *   `id, appId, displayName, verifiedPublisher`. An identity whose `agentIdentityBlueprintId` (the
 *   blueprint's appId) is in no page of a list read whole has lost its blueprint.
 *   https://learn.microsoft.com/graph/api/agentidentityblueprint-list?view=graph-rest-1.0
 * - `GET /v1.0/servicePrincipals/{id}/appRoleAssignments` (application permissions; `Application.Read.All`).
 * - beta (subject to change): `GET /beta/servicePrincipals/{id}/microsoft.graph.agentIdentity/owners`,
 *   `.../sponsors`, `.../inheritedAppRoleAssignments`, `.../inheritedOauth2PermissionGrants`
 *   (`AgentIdentity.Read.All` / `Application.Read.All`).
 *   https://learn.microsoft.com/graph/api/resources/agentidentity?view=graph-rest-beta
 * Delegated grants of agents come from the tenant's `oauth2PermissionGrants` list (live.ts), by `clientId`.
 */
import { agentRecordId, permissionRisk, type AgentFacts, type AgentPermission, type AgentPrincipal } from "../../src/core/agent.js";
import type { Observation } from "../../src/core/observation.js";
import { isObject } from "../../src/io/json-file.js";
import { sfield, type EntraDirectory } from "./directory.js";
import { DEFAULT_APP_ROLE } from "./grants.js";
import type { GraphFailure } from "./retry.js";

/** Endpoint paths relative to the Graph root (v1.0 unless `beta:`), as `InputError.input` and `ref.api`. */
export const AGENT_API = {
  identities: "/servicePrincipals/microsoft.graph.agentIdentity",
  blueprints: "/applications/microsoft.graph.agentIdentityBlueprint",
  appRoleAssignments: (id: string) => `/servicePrincipals/${id}/appRoleAssignments`,
  owners: (id: string) => `/servicePrincipals/${id}/microsoft.graph.agentIdentity/owners`,
  sponsors: (id: string) => `/servicePrincipals/${id}/microsoft.graph.agentIdentity/sponsors`,
  inheritedAppRoles: (id: string) => `/servicePrincipals/${id}/microsoft.graph.agentIdentity/inheritedAppRoleAssignments`,
  inheritedGrants: (id: string) => `/servicePrincipals/${id}/microsoft.graph.agentIdentity/inheritedOauth2PermissionGrants`,
} as const;

/** The `@odata.type` of an agent identity in a `servicePrincipals` page. */
export const AGENT_IDENTITY_TYPE = "#microsoft.graph.agentIdentity";

/** Whether a `servicePrincipals` item is an agent identity (derived type), so the apps pass skips it. */
export function isAgentIdentityItem(sp: Record<string, unknown>): boolean {
  const t = sfield(sp, "@odata.type", 128);
  return t !== undefined && t.toLowerCase() === AGENT_IDENTITY_TYPE.toLowerCase();
}

/** All pages of one list, or the failure (with what was read before it). */
export type ListFn = (url: string, headers?: Record<string, string>) => Promise<{ items: unknown[]; failure?: GraphFailure }>;

/** What the agent reads need from live.ts. */
export interface AgentReadContext {
  source: string;
  /** Graph v1.0 root and beta root, without a trailing slash. */
  base: string;
  betaBase: string;
  list: ListFn;
  dir: EntraDirectory;
  /** The scan's snapshot time (UTC day), the time of state evidence. */
  time: string;
  /** A failure as text for a message (redacted). */
  say(f: GraphFailure): string;
  /** Report a problem that did not stop the scan. */
  note(input: string, message: string, partial: boolean): void;
  /** Parallel calls. */
  concurrency: number;
}

/** One agent identity as read, before its facts are complete. */
export interface EntraAgent {
  facts: AgentFacts;
  evidence: Observation[];
}

const MAX_PRINCIPALS = 200;

function principals(items: unknown[]): AgentPrincipal[] {
  const out: AgentPrincipal[] = [];
  for (const p of items.slice(0, MAX_PRINCIPALS)) {
    if (!isObject(p)) continue;
    const id = sfield(p, "id", 64)?.toLowerCase();
    if (!id) continue;
    const t = (sfield(p, "@odata.type", 128) ?? "").toLowerCase();
    const type: AgentPrincipal["type"] = t.endsWith(".user") ? "user" : t.endsWith(".serviceprincipal") || t.endsWith(".agentidentity") ? "servicePrincipal" : t.endsWith(".group") ? "group" : "unknown";
    // a person by UPN (lower-case, one identity with the rest of the inventory), else the display name as given
    const name = sfield(p, "userPrincipalName", 320)?.toLowerCase() ?? sfield(p, "displayName", 256);
    out.push({ id, type, ...(name ? { name } : {}) });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Whether a failure means "not allowed or not available here" (a missing permission, licence or API). */
function refused(f: GraphFailure): boolean {
  return f.status === 403 || f.status === 400 || f.status === 404 || f.status === 401;
}

/**
 * List the tenant's agent identities (v1.0). Returns undefined when the list could not be read
 * (noted: which permission it needs); identities read before a failing page are kept.
 */
export async function listAgentIdentities(c: AgentReadContext): Promise<Map<string, Record<string, unknown>> | undefined> {
  const r = await c.list(`${c.base}${AGENT_API.identities}?$top=100`);
  const out = new Map<string, Record<string, unknown>>();
  for (const it of r.items) {
    if (!isObject(it)) continue;
    const id = sfield(it, "id", 64)?.toLowerCase();
    if (id) out.set(id, it);
  }
  if (r.failure) {
    if (refused(r.failure) && out.size === 0) {
      c.note(AGENT_API.identities, `agent identities not read (${c.say(r.failure)}): it needs AgentIdentity.Read.All (application permission, admin consent); agent identities met in servicePrincipals are still kept as agents, without their blueprint (microsoft.agents: false skips the agent reads)`, false);
      return undefined;
    }
    c.note(AGENT_API.identities, `agent identities: a page failed after retries (${c.say(r.failure)}); ${out.size} read`, true);
  }
  return out;
}

/**
 * Build each agent's facts: blueprint (present or deleted), owners and sponsors (beta), app role
 * assignments (direct, and inherited from the blueprint, beta), delegated grants given in
 * `grants` (oauth2PermissionGrants items whose `clientId` is the agent), and its evidence.
 * @param identities agent identity items by object id (from the agent list, or from servicePrincipals pages).
 */
export async function readEntraAgents(c: AgentReadContext, identities: ReadonlyMap<string, Record<string, unknown>>, grants: ReadonlyMap<string, Record<string, unknown>[]>): Promise<EntraAgent[]> {
  if (identities.size === 0) return [];
  // blueprints, by appId; a list read whole tells which are gone
  const bp = await c.list(`${c.base}${AGENT_API.blueprints}?$top=100`);
  const blueprints = new Map<string, { name?: string; publisher?: string }>();
  for (const b of bp.items) {
    if (!isObject(b)) continue;
    const appId = sfield(b, "appId", 64)?.toLowerCase();
    if (!appId) continue;
    const vp = b["verifiedPublisher"];
    const publisher = isObject(vp) ? sfield(vp, "displayName") : undefined;
    const name = sfield(b, "displayName");
    blueprints.set(appId, { ...(name ? { name } : {}), ...(publisher ? { publisher } : {}) });
  }
  const blueprintsWhole = bp.failure === undefined;
  if (bp.failure) {
    c.note(AGENT_API.blueprints, refused(bp.failure) && bp.items.length === 0
      ? `agent identity blueprints not read (${c.say(bp.failure)}): it needs AgentIdentityBlueprint.Read.All; whether a blueprint was deleted is unknown this time`
      : `agent identity blueprints: a page failed after retries (${c.say(bp.failure)}); deleted blueprints are not reported this time`, false);
  }

  const notes = new Map<string, number>();
  const once = (key: string, input: string, message: string) => {
    const n = (notes.get(key) ?? 0) + 1;
    notes.set(key, n);
    if (n === 1) c.note(input, message, false);
  };
  const out: EntraAgent[] = [];
  const ids = [...identities.keys()].sort();
  // one agent at a time per call kind, `concurrency` agents at a time
  for (let i = 0; i < ids.length; i += c.concurrency) {
    const chunk = ids.slice(i, i + c.concurrency);
    out.push(...(await Promise.all(chunk.map((id) => readOne(id, identities.get(id)!)))));
  }
  for (const [key, n] of notes) if (n > 1) c.note(key, `${n - 1} more agent(s) with the same failure`, false);
  return out;

  async function readOne(id: string, item: Record<string, unknown>): Promise<EntraAgent> {
    const name = sfield(item, "displayName") ?? id;
    const appId = sfield(item, "appId", 64)?.toLowerCase();
    const blueprintId = sfield(item, "agentIdentityBlueprintId", 64)?.toLowerCase();
    const enabledRaw = item["accountEnabled"];
    const agentNotes: string[] = [];
    const [owners, sponsors, direct, inherited, inheritedGrants] = await Promise.all([
      c.list(`${c.betaBase}${AGENT_API.owners(id)}`),
      c.list(`${c.betaBase}${AGENT_API.sponsors(id)}`),
      c.list(`${c.base}${AGENT_API.appRoleAssignments(id)}?$top=999`),
      c.list(`${c.betaBase}${AGENT_API.inheritedAppRoles(id)}`),
      c.list(`${c.betaBase}${AGENT_API.inheritedGrants(id)}`),
    ]);
    const unread = (what: string, r: { failure?: GraphFailure }, permission: string, key: string, input: string) => {
      if (!r.failure) return false;
      agentNotes.push(`${what} not read: ${c.say(r.failure)}`);
      once(key, input, `agent ${id}: ${what} not read (${c.say(r.failure)}); ${refused(r.failure) ? `it needs ${permission}` : "failed after retries"}`);
      return true;
    };
    const facts: AgentFacts = {
      id: agentRecordId("entra", id),
      platform: "entra",
      source: c.source,
      externalId: id,
      name,
      ...(appId ? { appId } : {}),
      enabled: typeof enabledRaw === "boolean" ? enabledRaw : null,
      permissions: [],
      users: [],
      interactsWithPeople: false,
      details: {},
      notes: agentNotes,
    };
    if (blueprintId) {
      const b = blueprints.get(blueprintId);
      facts.blueprint = { id: blueprintId, ...(b?.name ? { name: b.name } : {}), ...(blueprintsWhole || b ? { present: b !== undefined } : {}) };
      if (b?.publisher) facts.publisher = b.publisher;
    }
    const createdBy = sfield(item, "createdByAppId", 64)?.toLowerCase();
    if (createdBy) facts.details["createdByAppId"] = createdBy;
    const created = sfield(item, "createdDateTime", 40);
    if (created) facts.createdAt = created;
    const dms = sfield(item, "disabledByMicrosoftStatus", 64);
    if (dms) facts.details["disabledByMicrosoftStatus"] = dms;
    if (!unread("owners (beta)", owners, "AgentIdentity.Read.All or Application.Read.All", "owners", AGENT_API.owners("*"))) facts.owners = principals(owners.items);
    if (!unread("sponsors (beta)", sponsors, "AgentIdentity.Read.All or Application.Read.All", "sponsors", AGENT_API.sponsors("*"))) facts.sponsors = principals(sponsors.items);
    unread("app role assignments", direct, "Application.Read.All", "appRoles", AGENT_API.appRoleAssignments("*"));
    unread("inherited app role assignments (beta)", inherited, "AgentIdentity.Read.All or Application.Read.All", "inheritedAppRoles", AGENT_API.inheritedAppRoles("*"));
    unread("inherited delegated grants (beta)", inheritedGrants, "AgentIdentity.Read.All or Application.Read.All", "inheritedGrants", AGENT_API.inheritedGrants("*"));

    const perms = new Map<string, AgentPermission>();
    const addPerm = (p: Omit<AgentPermission, "risk">) => {
      const key = `${p.type}\u0000${p.value.toLowerCase()}\u0000${p.resource ?? ""}\u0000${p.consentType ?? ""}`;
      const prev = perms.get(key);
      // a permission held directly and inherited counts as direct
      if (!prev || (prev.inherited && !p.inherited)) perms.set(key, { ...p, risk: permissionRisk(p.value, p.type, p.consentType) });
    };
    for (const [items, inh] of [[direct.items, false], [inherited.items, true]] as const) {
      for (const a of items) {
        if (!isObject(a)) continue;
        const resourceId = sfield(a, "resourceId", 64)?.toLowerCase();
        const roleId = sfield(a, "appRoleId", 64)?.toLowerCase();
        const resource = c.dir.servicePrincipal(resourceId);
        const value = roleId && roleId !== DEFAULT_APP_ROLE ? (resource?.appRoles?.get(roleId) ?? roleId) : "default access";
        const resourceName = resource?.displayName ?? sfield(a, "resourceDisplayName");
        addPerm({ value, type: "application", ...(resourceName ? { resource: resourceName } : {}), ...(inh ? { inherited: true } : {}) });
      }
    }
    const users = new Set<string>();
    const evidence: Observation[] = [];
    for (const [items, inh] of [[grants.get(id) ?? [], false], [inheritedGrants.items, true]] as const) {
      for (const g of items) {
        if (!isObject(g)) continue;
        const scopes = (sfield(g, "scope", 1 << 16) ?? "").split(/\s+/).filter(Boolean).slice(0, 200);
        const all = (sfield(g, "consentType", 32) ?? "").toLowerCase() === "allprincipals";
        const resourceName = c.dir.servicePrincipal(sfield(g, "resourceId", 64))?.displayName;
        for (const s of scopes) addPerm({ value: s, type: "delegated", consentType: all ? "AllPrincipals" : "Principal", ...(resourceName ? { resource: resourceName } : {}), ...(inh ? { inherited: true } : {}) });
        const principalId = sfield(g, "principalId", 64)?.toLowerCase();
        const user = !all && principalId ? (c.dir.user(principalId)?.upn ?? principalId) : undefined;
        if (user) users.add(user);
        const gid = sfield(g, "id", 256);
        // the grant as evidence of who uses the agent
        evidence.push({
          source: c.source, kind: "oauth_grant", time: c.time, action: "granted", appName: name, ...(appId ? { appId } : {}),
          ...(scopes.length ? { scopes: [...new Set(scopes)].sort() } : {}), consentType: all ? "AllPrincipals" : "Principal", ...(user ? { user } : {}),
          ref: { api: inh ? AGENT_API.inheritedGrants(id) : `/servicePrincipals/${id}/oauth2PermissionGrants`, ...(gid ? { id: gid } : {}) },
        });
      }
    }
    facts.permissions = [...perms.values()].sort((a, b) => (a.type + a.value < b.type + b.value ? -1 : 1));
    facts.users = [...users].sort();
    evidence.unshift(agentObservation(facts, c.time, AGENT_API.identities));
    return { facts, evidence };
  }
}

/** The observation that an agent was listed by its platform (its evidence trail, one per scan day). */
export function agentObservation(a: AgentFacts, time: string, api: string): Observation {
  const scopes = [...new Set(a.permissions.map((p) => p.value))].sort();
  return {
    source: a.source,
    kind: "agent",
    time,
    appName: a.name,
    ...(a.appId ? { appId: a.appId } : {}),
    ...(a.publisher ? { publisher: a.publisher } : {}),
    ...(scopes.length ? { scopes } : {}),
    action: a.enabled === false ? "disabled" : a.enabled === true ? "enabled" : "listed",
    ref: { api, id: a.externalId },
  };
}
