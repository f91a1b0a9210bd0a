/**
 * A small Entra tenant for the live collector's tests: users, service principals (a few AI apps
 * among fillers, so every list takes several pages), delegated grants (per user and all users),
 * an application permission, sign-ins and a consent event.
 */
import type { GraphFixtures } from "./server.js";

export const GRAPH_SP = "a0000000-0000-0000-0000-000000000001";
export const CHATGPT_SP = "a0000000-0000-0000-0000-000000000002";
export const OTTER_SP = "a0000000-0000-0000-0000-000000000003";
export const FIREFLIES_SP = "a0000000-0000-0000-0000-000000000004";
export const COPILOT_SP = "a0000000-0000-0000-0000-000000000005";
export const SLACK_SP = "a0000000-0000-0000-0000-000000000006";
export const CLAUDE_SP = "a0000000-0000-0000-0000-000000000007";
export const COPILOT_APP_ID = "fb8d773d-7ef8-4ec0-a117-179f88add510";
export const MAIL_READ_ROLE = "810c84a8-4a9e-49e6-bf7d-12d183f40d01";

const uid = (n: number) => `u0000000-0000-0000-0000-${String(n).padStart(12, "0")}`;

export function tenant(fillers = 25): GraphFixtures {
  const users = [
    { id: uid(1), userPrincipalName: "Alice@Example.com", mail: "alice@example.com", department: "Sales", jobTitle: "Account Executive", displayName: "Alice" },
    { id: uid(2), userPrincipalName: "bob@example.com", mail: "bob@example.com", department: "Engineering", jobTitle: "Engineer", displayName: "Bob" },
    { id: uid(3), userPrincipalName: "carol@example.com", mail: "carol@example.com", department: "Legal", jobTitle: "Counsel", displayName: "Carol" },
    { id: uid(4), userPrincipalName: "dave@example.com", mail: "dave@example.com", department: "Finance", jobTitle: "Controller", displayName: "Dave" },
    ...Array.from({ length: fillers }, (_, i) => ({ id: uid(100 + i), userPrincipalName: `staff${i}@example.com`, department: "Operations", jobTitle: "Clerk", displayName: `Staff ${i}` })),
  ];
  const sp = (id: string, appId: string, displayName: string, publisher?: string, extra: Record<string, unknown> = {}) => ({
    id, appId, displayName, appDisplayName: displayName, servicePrincipalType: "Application", tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
    appOwnerOrganizationId: "b0000000-0000-0000-0000-000000000000",
    verifiedPublisher: publisher ? { displayName: publisher, verifiedPublisherId: "1234567", addedDateTime: "2024-01-01T00:00:00Z" } : { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    appRoles: [], ...extra,
  });
  const servicePrincipals = [
    sp(GRAPH_SP, "00000003-0000-0000-c000-000000000000", "Microsoft Graph", undefined, {
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      appRoles: [{ id: MAIL_READ_ROLE, value: "Mail.Read", allowedMemberTypes: ["Application"], displayName: "Read mail in all mailboxes", isEnabled: true }],
    }),
    ...Array.from({ length: Math.floor(fillers / 2) }, (_, i) => sp(`f0000000-0000-0000-0000-${String(i).padStart(12, "0")}`, `e0000000-0000-0000-0000-${String(i).padStart(12, "0")}`, `Line of business app ${i}`)),
    sp(CHATGPT_SP, "c0000000-0000-0000-0000-000000000002", "ChatGPT", "OpenAI"),
    sp(OTTER_SP, "c0000000-0000-0000-0000-000000000003", "Otter.ai", "Otter.ai, Inc."),
    sp(FIREFLIES_SP, "c0000000-0000-0000-0000-000000000004", "Fireflies.ai Notetaker", "Fireflies.AI Corp."),
    sp(COPILOT_SP, COPILOT_APP_ID, "Enterprise Copilot Platform", undefined, { appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a" }),
    sp(SLACK_SP, "c0000000-0000-0000-0000-000000000006", "Slack", "Slack Technologies"),
    sp(CLAUDE_SP, "c0000000-0000-0000-0000-000000000007", "Claude", "Anthropic"),
    ...Array.from({ length: fillers - Math.floor(fillers / 2) }, (_, i) => sp(`f1000000-0000-0000-0000-${String(i).padStart(12, "0")}`, `e1000000-0000-0000-0000-${String(i).padStart(12, "0")}`, `Internal tool ${i}`)),
  ];
  const grant = (id: string, clientId: string, consentType: "AllPrincipals" | "Principal", principalId: string | null, scope: string) => ({
    id, clientId, consentType, principalId, resourceId: GRAPH_SP, scope,
  });
  const grants = [
    grant("g-chatgpt-alice", CHATGPT_SP, "Principal", uid(1), "openid profile User.Read Files.Read.All"),
    grant("g-chatgpt-bob", CHATGPT_SP, "Principal", uid(2), "openid profile User.Read"),
    ...Array.from({ length: fillers }, (_, i) => grant(`g-filler-${i}`, `f0000000-0000-0000-0000-${String(i % Math.max(1, Math.floor(fillers / 2))).padStart(12, "0")}`, "Principal", uid(100 + i), "User.Read")),
    grant("g-otter-all", OTTER_SP, "AllPrincipals", null, "Calendars.Read User.Read"),
    grant("g-slack-carol", SLACK_SP, "Principal", uid(3), "openid"),
  ];
  const appRoleAssignments = {
    [FIREFLIES_SP]: [
      { id: "ara-fireflies-mail", appRoleId: MAIL_READ_ROLE, createdDateTime: "2026-10-01T08:00:00Z", principalDisplayName: "Fireflies.ai Notetaker", principalId: FIREFLIES_SP, principalType: "ServicePrincipal", resourceDisplayName: "Microsoft Graph", resourceId: GRAPH_SP },
    ],
  };
  const signIns = [
    { id: "si-1", createdDateTime: "2026-11-20T09:00:00Z", userPrincipalName: "dave@example.com", userId: uid(4), appId: COPILOT_APP_ID, appDisplayName: "Enterprise Copilot Platform", ipAddress: "198.51.100.4", clientAppUsed: "Browser", isInteractive: true, resourceDisplayName: "Microsoft Graph", status: { errorCode: 0, failureReason: null } },
    { id: "si-2", createdDateTime: "2026-11-21T10:30:00Z", userPrincipalName: "Alice@Example.com", userId: uid(1), appId: "c0000000-0000-0000-0000-000000000002", appDisplayName: "ChatGPT", ipAddress: "198.51.100.1", clientAppUsed: "Browser", isInteractive: true, status: { errorCode: 0 } },
    { id: "si-3", createdDateTime: "2026-11-21T11:00:00Z", userPrincipalName: "staff1@example.com", userId: uid(101), appId: "c0000000-0000-0000-0000-000000000003", appDisplayName: "Otter.ai", ipAddress: "198.51.100.9", clientAppUsed: "Browser", isInteractive: true, status: { errorCode: 0 } },
    { id: "si-old", createdDateTime: "2026-09-01T10:30:00Z", userPrincipalName: "bob@example.com", userId: uid(2), appId: "c0000000-0000-0000-0000-000000000002", appDisplayName: "ChatGPT", status: { errorCode: 0 } },
  ];
  const directoryAudits = [
    {
      id: "da-claude", category: "ApplicationManagement", activityDisplayName: "Consent to application", activityDateTime: "2026-11-19T12:00:00Z", result: "success", loggedByService: "Core Directory", operationType: "Assign",
      initiatedBy: { user: { id: uid(3), userPrincipalName: "carol@example.com", ipAddress: "198.51.100.3" } },
      targetResources: [{ id: CLAUDE_SP, displayName: "Claude", type: "ServicePrincipal", modifiedProperties: [
        { displayName: "ConsentContext.IsAdminConsent", oldValue: null, newValue: '"False"' },
        { displayName: "ConsentContext.OnBehalfOfAll", oldValue: null, newValue: '"False"' },
        { displayName: "ConsentAction.Permissions", oldValue: null, newValue: `"[] => [[Id: x, ClientId: ${CLAUDE_SP}, PrincipalId: ${uid(3)}, ResourceId: ${GRAPH_SP}, ConsentType: Principal, Scope:  openid profile Mail.Read, CreatedDateTime: , LastModifiedDateTime ]]; "` },
        { displayName: "TargetId.ServicePrincipalNames", oldValue: null, newValue: '"c0000000-0000-0000-0000-000000000007"' },
      ] }],
    },
    { id: "da-other", category: "UserManagement", activityDisplayName: "Update user", activityDateTime: "2026-11-19T13:00:00Z", result: "success", targetResources: [] },
  ];
  return { users, servicePrincipals, grants, appRoleAssignments, signIns, directoryAudits };
}
