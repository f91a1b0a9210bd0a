/**
 * A tenant with AI agents for the agent tests, in the documented Graph shapes: five agent
 * identities from three blueprints (one deleted), owners and sponsors (beta), a direct and an
 * inherited application permission, a delegated grant, Agent 365 packages and Power Platform
 * inventory rows. Agent identities are also in `servicePrincipals`, as Graph lists them.
 */
import type { GraphFixtures } from "./server.js";
import { GRAPH_SP, MAIL_READ_ROLE, tenant } from "./tenant.js";

export const FILES_READ_ALL = "01d4889c-1287-42c6-ac1f-5d1e02578ef6";
export const uid = (n: number) => `u0000000-0000-0000-0000-${String(n).padStart(12, "0")}`;
export const BP = { sales: "b1000000-0000-0000-0000-000000000001", hr: "b1000000-0000-0000-0000-000000000002", gone: "b1000000-0000-0000-0000-000000000003" };
export const AG = {
  mail: "a9000000-0000-0000-0000-000000000001",
  sponsored: "a9000000-0000-0000-0000-000000000002",
  nobody: "a9000000-0000-0000-0000-000000000003",
  orphan: "a9000000-0000-0000-0000-000000000004",
  orphanOff: "a9000000-0000-0000-0000-000000000005",
};
export const user = (n: number, upn: string) => ({ "@odata.type": "#microsoft.graph.user", id: uid(n), displayName: upn.split("@")[0], userPrincipalName: upn });

/** The test tenant plus agents from three blueprints (one deleted), in the documented shapes. */
export function agentTenant(): GraphFixtures {
  const t = tenant(6);
  const agent = (id: string, name: string, blueprint: string, enabled = true) => ({
    id, appId: id.replace(/^a9/, "c9"), displayName: name, agentIdentityBlueprintId: blueprint, accountEnabled: enabled,
    createdByAppId: blueprint, servicePrincipalType: "ServiceIdentity", tags: [], disabledByMicrosoftStatus: null, createdDateTime: "2026-10-01T08:00:00Z",
  });
  const agentIdentities = [
    agent(AG.mail, "Sales Copilot Agent", BP.sales),
    agent(AG.sponsored, "Quote Agent", BP.sales),
    agent(AG.nobody, "Onboarding Agent", BP.hr),
    agent(AG.orphan, "Legacy Triage Agent", BP.gone),
    agent(AG.orphanOff, "Retired Agent", BP.gone, false),
  ];
  // agent identities are service principals: the servicePrincipals list holds them too (derived type)
  t.servicePrincipals.push(...agentIdentities.map((a) => ({ "@odata.type": "#microsoft.graph.agentIdentity", ...a, appRoles: [] })));
  t.servicePrincipals[0] = { ...t.servicePrincipals[0], appRoles: [...(t.servicePrincipals[0]!["appRoles"] as unknown[]), { id: FILES_READ_ALL, value: "Files.Read.All", allowedMemberTypes: ["Application"] }] };
  t.appRoleAssignments![AG.mail] = [{ id: "ara-agent-mail", appRoleId: MAIL_READ_ROLE, principalId: AG.mail, principalType: "ServicePrincipal", resourceId: GRAPH_SP, resourceDisplayName: "Microsoft Graph" }];
  t.grants.push({ id: "g-agent-bob", clientId: AG.mail, consentType: "Principal", principalId: uid(2), resourceId: GRAPH_SP, scope: "User.Read Calendars.Read" });
  return {
    ...t,
    agentIdentities,
    blueprints: [
      { id: "bp-obj-1", appId: BP.sales, displayName: "Sales agents", verifiedPublisher: { displayName: "Contoso Ltd" } },
      { id: "bp-obj-2", appId: BP.hr, displayName: "HR agents" },
    ],
    agentOwners: { [AG.mail]: [user(1, "alice@example.com")], [AG.orphan]: [user(4, "dave@example.com")] },
    agentSponsors: { [AG.sponsored]: [user(3, "carol@example.com")] },
    inheritedAppRoleAssignments: { [AG.nobody]: [{ id: "inh-1", appRoleId: FILES_READ_ALL, principalId: AG.nobody, resourceId: GRAPH_SP, resourceDisplayName: "Microsoft Graph" }] },
    packages: [
      { id: "P_quote", displayName: "Quote Agent", publisher: "Contoso Ltd", elementTypes: ["declarativeAgent"], deployedTo: "some", availableTo: "all", isBlocked: false, agentIdentityId: AG.sponsored, activeUsers: 12, lastModifiedDateTime: "2026-11-20T10:00:00Z", supportedHosts: ["Copilot", "Teams"] },
      { id: "P_hrhelper", displayName: "HR Helper", publisher: "Fabrikam", elementTypes: ["bot"], deployedTo: "all", availableTo: "all", isBlocked: false, activeUsers: 40, lastModifiedDateTime: "2026-11-18T10:00:00Z" },
      { id: "P_tab", displayName: "Planner tab", publisher: "Microsoft", elementTypes: ["staticTab"], deployedTo: "all", isBlocked: false },
    ],
    powerPlatformResources: [
      { name: "cs-agent-1", type: "microsoft.copilotstudio/agents", location: "europe", properties: { displayName: "IT Helpdesk Bot", ownerId: uid(3), environmentId: "env-1", createdIn: "Copilot Studio", lastPublishedAt: "2026-11-21T09:00:00Z" } },
      { name: "cs-agent-2", type: "microsoft.copilotstudio/agents", location: "europe", properties: { displayName: "Quote Agent (Studio)", ownerId: uid(2), entraAgentId: AG.sponsored, environmentId: "env-1" } },
      { name: "cs-agent-3", type: "microsoft.copilotstudio/agents", location: "europe", properties: { displayName: "Draft Bot", ownerId: uid(1), environmentId: "env-2" } },
      { name: "app-1", type: "microsoft.powerapps/canvasapps", properties: { displayName: "Expenses" } },
    ],
  };
}

