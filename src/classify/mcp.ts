/**
 * Inventory records of kind `mcp_server`: an MCP server configured on endpoints (src/core/mcp.ts),
 * one record per server with every host, user and client that configures it, matched against the
 * catalogue (a remote server by its URL's host, a packaged one by its package: src/match/packages.ts)
 * and scored with its flags as risk factors (risk.ts). Pure: no I/O.
 */
import type { AISystemRecord, Governance } from "../core/finding.js";
import type { McpServerView } from "../core/mcp.js";
import type { AIService } from "../core/service.js";
import { matchPackage, matchServerHost } from "../match/packages.js";
import type { StoredMcpServer } from "../store/mcp.js";
import type { SystemFacts } from "../store/inventory.js";
import { classify } from "./engine.js";
import { riskScore } from "./risk.js";

/** The catalogue signature of a server, if any: its URL's host, else its package. */
export function mcpSignature(m: StoredMcpServer["facts"], services: ReadonlyMap<string, AIService>): { id: string; matched: string } | undefined {
  if (m.url) {
    try {
      const hit = matchServerHost(services, new URL(m.url).hostname);
      if (hit) return hit;
    } catch {
      // an unparsable URL matches nothing
    }
  }
  return m.package ? matchPackage(services, m.package.ecosystem, m.package.name) : undefined;
}

/** The record of one MCP server: `f` its evidence facts with `f.mcpServer` its stored facts, `g` its governance. */
export function buildMcpRecord(
  f: SystemFacts & { mcpServer: StoredMcpServer },
  g: Governance,
  services: ReadonlyMap<string, AIService>,
  today: string,
  missing: (c: AISystemRecord["classification"], g: Governance) => string[],
  now?: string,
): AISystemRecord {
  const m = f.mcpServer.facts;
  const sig = mcpSignature(m, services);
  const s = sig ? services.get(sig.id) : undefined;
  const service: Pick<AIService, "id" | "name" | "category" | "euAiAct" | "tags"> = s ?? {
    id: m.id,
    name: m.name,
    category: "mcp_server",
    euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: `${m.name} is an MCP server that gives AI agents tools; it decides nothing itself, so its class follows from the agents that use it.` },
    tags: ["mcp"],
  };
  const classification = classify(
    {
      service: service as AIService, orgUnit: f.orgUnit, jobTitles: f.jobTitles, userCount: f.users.length,
      attested: { purposeTags: g.purposeTags, ...(g.exposure ? { exposure: g.exposure } : {}) },
    },
    { today, ...(g.classOverride ? { override: g.classOverride } : {}) },
  );
  const view: McpServerView = {
    ...m,
    hosts: [...new Set(m.installs.map((i) => i.host))].sort(),
    ...(sig ? { signature: sig } : {}),
    firstScanId: f.mcpServer.firstScanId,
    lastScanId: f.mcpServer.lastScanId,
  };
  return {
    id: f.id,
    kind: "mcp_server",
    serviceId: f.serviceId,
    name: s ? `${s.name} (${m.name})` : m.name,
    vendor: s?.vendor ?? "unknown",
    category: "mcp_server",
    orgUnit: f.orgUnit,
    users: f.users,
    jobTitles: f.jobTitles,
    scopes: f.scopes,
    evidence: f.evidence,
    sources: f.sources,
    matchedBy: sig ? [...f.matchedBy, sig.matched] : f.matchedBy,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    status: g.status,
    owner: g.owner,
    governance: g,
    classification,
    missing: missing(classification, g),
    mcpServer: view,
    risk: riskScore({
      scopes: f.scopes,
      userCount: f.users.length,
      allUsersConsent: false,
      status: g.status,
      vendorFacts: s?.vendorFacts,
      hasGrants: false,
      verifiedPublisher: false,
      lastSeen: f.lastSeen,
      mcpFlags: m.flags,
      ...(now ? { now } : {}),
    }),
  };
}
