/**
 * Microsoft Agent 365 inventory: the organisation catalogue's packages that hold an agent.
 *
 * - `GET /v1.0/copilot/admin/catalog/packages` (`CopilotPackages.Read.All`; AI admin or Global
 *   admin; a Microsoft Agent 365 licence): `copilotPackage` `{id, displayName, publisher,
 *   elementTypes, deployedTo, availableTo, isBlocked, supportedHosts, appId, agentIdentityId,
 *   lastModifiedDateTime}`.
 * - `GET /v1.0/copilot/admin/catalog/packages/{id}`: `copilotPackageDetail`, adding `activeUsers`
 *   (last 30 days), `allowedUsersAndGroups`, `acquireUsersAndGroups`.
 * Microsoft's pages mark the Package Management API as preview.
 * https://learn.microsoft.com/microsoft-365-copilot/extensibility/api/admin-settings/package/overview
 * https://learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/package/resources/copilotpackagedetail
 *
 * A package whose `agentIdentityId` is an Entra agent identity adds its facts to that agent (one
 * record); the others become agents of platform `agent365`.
 */
import { agentRecordId, type AgentFacts } from "../../src/core/agent.js";
import { isObject } from "../../src/io/json-file.js";
import { agentObservation, type AgentReadContext, type EntraAgent } from "./agents.js";
import { sfield } from "./directory.js";

export const PACKAGES_API = "/copilot/admin/catalog/packages";

/** Element types of a package that make it an agent (bots and declarative or custom-engine agents talk with people). */
const AGENT_ELEMENT = /agent|bot/i;

function strings(v: unknown, max = 50): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, max).map((x) => x.slice(0, 200)) : [];
}

/**
 * Read the agent packages and fold them into `agents` (Entra agents by object id), adding new
 * agents for the rest. A refused list (no licence, no permission) is one note; nothing else fails.
 */
export async function readAgent365(c: AgentReadContext, agents: Map<string, EntraAgent>): Promise<void> {
  const r = await c.list(`${c.base}${PACKAGES_API}`);
  if (r.failure) {
    const f = r.failure;
    c.note(
      PACKAGES_API,
      f.status === 403 || f.status === 401
        ? `Agent 365 packages not read (${c.say(f)}): it needs CopilotPackages.Read.All (application permission) and a Microsoft Agent 365 licence (microsoft.agent365: false skips it)`
        : `Agent 365 packages: ${r.items.length ? "a page" : "the list"} failed (${c.say(f)}); ${r.items.length} read`,
      false,
    );
  }
  const byEntra = new Map([...agents.values()].map((a) => [a.facts.externalId, a]));
  for (const p of r.items) {
    if (!isObject(p)) continue;
    const id = sfield(p, "id", 256);
    const types = strings(p["elementTypes"]);
    if (!id || !types.some((t) => AGENT_ELEMENT.test(t))) continue;
    const detail = await c.list(`${c.base}${PACKAGES_API}/${encodeURIComponent(id)}`);
    const d = detail.items.find(isObject) ?? p;
    const name = sfield(d, "displayName") ?? id;
    const blocked = d["isBlocked"] === true;
    const details: AgentFacts["details"] = { packageId: id, elementTypes: types };
    for (const k of ["deployedTo", "availableTo", "type"]) {
      const v = sfield(d, k, 64);
      if (v) details[k] = v;
    }
    const hosts = strings(d["supportedHosts"]);
    if (hosts.length) details["supportedHosts"] = hosts;
    if (typeof d["isBlocked"] === "boolean") details["isBlocked"] = blocked;
    const activeUsers = typeof d["activeUsers"] === "number" && Number.isFinite(d["activeUsers"]) ? Math.max(0, Math.trunc(d["activeUsers"])) : undefined;
    const modified = sfield(d, "lastModifiedDateTime", 40);
    const publisher = sfield(d, "publisher");
    const notes = detail.failure ? [`package detail not read: ${c.say(detail.failure)}`] : [];
    const identity = sfield(d, "agentIdentityId", 64)?.toLowerCase();
    const entra = identity ? byEntra.get(identity) : undefined;
    if (entra) {
      // the same agent: the package's facts join the identity's record
      const a = entra.facts;
      Object.assign(a.details, Object.fromEntries(Object.entries(details).map(([k, v]) => [`agent365.${k}`, v])));
      if (publisher && !a.publisher) a.publisher = publisher;
      if (activeUsers !== undefined) a.activeUsers30d = activeUsers;
      if (modified && (!a.lastActivity || modified > a.lastActivity)) a.lastActivity = modified;
      a.interactsWithPeople = true;
      a.notes.push(...notes);
      entra.evidence[0] = agentObservation(a, c.time, AGENT_API_OF(a));
      continue;
    }
    const facts: AgentFacts = {
      id: agentRecordId("agent365", id),
      platform: "agent365",
      source: c.source,
      externalId: id.toLowerCase(),
      name,
      ...(sfield(d, "appId", 64) ? { appId: sfield(d, "appId", 64)!.toLowerCase() } : {}),
      ...(publisher ? { publisher } : {}),
      enabled: typeof d["isBlocked"] === "boolean" ? !blocked : null,
      permissions: [],
      users: [],
      ...(activeUsers !== undefined ? { activeUsers30d: activeUsers } : {}),
      ...(modified ? { lastActivity: modified } : {}),
      interactsWithPeople: true,
      details,
      notes,
    };
    agents.set(facts.id, { facts, evidence: [agentObservation(facts, c.time, PACKAGES_API)] });
  }
}

function AGENT_API_OF(a: AgentFacts): string {
  return a.platform === "entra" ? "/servicePrincipals/microsoft.graph.agentIdentity" : PACKAGES_API;
}
