/**
 * Inventory records of kind `agent`: an AI agent as its platform lists it (src/core/agent.ts), with
 * the governance it needs, classified by the same EU AI Act rules as a service. Pure: no I/O.
 *
 * - An agent that interacts with people (a chat bot, a declarative agent in Copilot or Teams) is a
 *   transparency candidate under Art. 50(1) (rule `AIA-T-50.1-agent`, disposition
 *   `requires_review`: the fact is observed, not attested).
 * - An agent used for an Annex III purpose (`review --use recruitment`, ...) meets the same Annex III
 *   rules as a service (engine.ts: the purpose is a fact of the use, whatever the system).
 * - `missing` lists what its governance lacks: the accountable `owner`, `purpose`,
 *   `escalation_owner`, `unsupervised_decisions`, `human_decisions`, `rollback` (and oversight/fria
 *   where a high-risk use needs them).
 */
import type { AgentView } from "../core/agent.js";
import type { AISystemRecord, Governance } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import type { SystemFacts } from "../store/inventory.js";
import type { StoredAgent } from "../store/agents.js";
import { classify } from "./engine.js";
import { riskScore } from "./risk.js";

/** Platform names as records show them in `vendor` when the source names no publisher. */
const PLATFORM_VENDOR: Record<string, string> = { entra: "Microsoft Entra Agent ID", agent365: "Microsoft Agent 365", "copilot-studio": "Microsoft Copilot Studio", endpoint: "local AI client on endpoints" };

/** The governance fields an agent needs beyond a service's, in `missing` order, with their record field. */
const AGENT_GOVERNANCE: [keyof Governance, string][] = [
  ["escalationOwner", "escalation_owner"],
  ["unsupervisedDecisions", "unsupervised_decisions"],
  ["humanDecisions", "human_decisions"],
  ["rollback", "rollback"],
];

/** What is wrong with an agent, from its facts and governance (see AgentView.flags). */
export function agentFlags(a: StoredAgent["facts"], g: Governance): AgentView["flags"] {
  const flags: AgentView["flags"] = [];
  if ((a.owners ?? []).length + (a.sponsors ?? []).length === 0 && !g.owner) flags.push("no-owner-or-sponsor");
  if (a.enabled === true && a.blueprint !== undefined && a.blueprint.present === false) flags.push("orphaned");
  if (a.permissions.some((p) => p.type === "application" && p.risk === "high")) flags.push("high-privilege");
  return flags;
}

/**
 * The record of one agent: `f` are its evidence facts (observations with `service_id` = its record
 * id) with `f.agent` its stored facts; `g` its governance. `missing(c, g)` is the service rule for
 * the compliance file (records.ts), extended here with the agent's own fields.
 */
export function buildAgentRecord(
  f: SystemFacts & { agent: StoredAgent },
  g: Governance,
  today: string,
  missing: (c: AISystemRecord["classification"], g: Governance) => string[],
  now?: string,
): AISystemRecord {
  const a = f.agent.facts;
  const service: Pick<AIService, "id" | "name" | "category" | "euAiAct" | "tags"> = {
    id: a.id,
    name: a.name,
    category: "agents",
    euAiAct: { tier: "minimal", articles: [], rationale: `${a.name} is an AI agent listed by ${PLATFORM_VENDOR[a.platform] ?? a.platform}; its class follows from its use.` },
    tags: ["agent", a.platform],
  };
  const classification = classify(
    {
      service, orgUnit: f.orgUnit, jobTitles: f.jobTitles, userCount: f.users.length, interactsWithPeople: a.interactsWithPeople,
      attested: { purposeTags: g.purposeTags, ...(g.exposure ? { exposure: g.exposure } : {}) },
    },
    { today, ...(g.classOverride ? { override: g.classOverride } : {}) },
  );
  const full: Governance = { escalationOwner: null, unsupervisedDecisions: null, humanDecisions: null, rollback: null, ...g };
  const scopes = [...new Set([...f.scopes, ...a.permissions.map((p) => p.value)])].sort();
  const view: AgentView = { ...a, firstScanId: f.agent.firstScanId, lastScanId: f.agent.lastScanId, flags: agentFlags(a, g) };
  return {
    id: f.id,
    kind: "agent",
    serviceId: f.serviceId,
    name: a.name,
    vendor: a.publisher ?? PLATFORM_VENDOR[a.platform] ?? a.platform,
    category: "agents",
    orgUnit: f.orgUnit,
    users: f.users,
    jobTitles: f.jobTitles,
    scopes,
    evidence: f.evidence,
    sources: f.sources,
    matchedBy: f.matchedBy,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    status: g.status,
    owner: g.owner,
    governance: full,
    classification,
    missing: [...missing(classification, g), ...AGENT_GOVERNANCE.filter(([k]) => !full[k]).map(([, name]) => name)],
    agent: view,
    risk: riskScore({
      scopes,
      userCount: Math.max(f.users.filter((u) => u.kind === "user").length, a.activeUsers30d ?? 0),
      // application permissions reach every user's data, as an admin consent does
      allUsersConsent: a.permissions.some((p) => p.type === "application" || p.consentType === "AllPrincipals"),
      status: g.status,
      vendorFacts: undefined,
      hasGrants: a.permissions.length > 0,
      verifiedPublisher: a.publisher !== undefined,
      lastSeen: a.lastActivity && a.lastActivity > f.lastSeen ? a.lastActivity : f.lastSeen,
      ...(now ? { now } : {}),
    }),
  };
}
