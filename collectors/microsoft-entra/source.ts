/**
 * The Microsoft Entra collector as two registry sources: `microsoft` (live, Microsoft Graph:
 * servicePrincipals, oauth2PermissionGrants, appRoleAssignments, users, directoryAudits, sign-ins;
 * read-only permissions) and `microsoft-export` (the same Graph responses saved as JSON).
 * Docs: https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant.
 */
import { SourceAuthError, type Source } from "../../src/core/source.js";
import { GRAPH_TOKEN_ENV, microsoftConfigSchema, microsoftOptions, type MicrosoftConfig } from "./config.js";
import { MicrosoftAuthError } from "./errors.js";
import { collectExport, collectMicrosoft, docsUrl } from "./index.js";

/**
 * Markers of a Graph response (or PowerShell's PascalCase output of the same objects), in any
 * letter case, kept in step with what `detect.ts` reads: an OData context, or fields only the
 * collections it reads have, for pages without a context (the docs' own servicePrincipals example
 * has none, and its item no `servicePrincipalType`): a GUID `appId`, `servicePrincipalNames`,
 * `appOwnerOrganizationId`, `appRoleId`, `consentType`, `userPrincipalName`, `activityDisplayName`.
 */
export const GRAPH_MARKERS =
  /"@odata\.context"|"servicePrincipalType"|"servicePrincipalNames"|"appOwnerOrganizationId"|"appRoleId"|"consentType"|"userPrincipalName"|"activityDisplayName"|"appId"\s*:\s*"[0-9a-f]{8}-[0-9a-f]{4}-/i;

export const microsoftExportSource: Source = {
  id: "microsoft-export",
  displayName: "Microsoft Entra ID (Graph responses saved as JSON)",
  description: "scan Microsoft Graph responses saved as JSON (servicePrincipals, oauth2PermissionGrants, users, deleted users)",
  docsUrl,
  kind: "file",
  observationSources: ["microsoft-entra"],
  configKey: "microsoftExport",
  credentials: [],
  perFile: false,
  accept: (n) => /\.json$/i.test(n),
  sniff: (head) => /^\s*[[{]/.test(head.text) && GRAPH_MARKERS.test(head.text),
  collect: (files, ctx) => collectExport([...files], ctx),
};

export const microsoftSource: Source = {
  id: "microsoft",
  displayName: "Microsoft Entra ID (live, Microsoft Graph)",
  description: "scan Microsoft Entra ID live through Microsoft Graph (Application.Read.All, Directory.Read.All, AuditLog.Read.All; credentials from the environment), with its AI agents (Entra Agent ID, Agent 365, opt-in Copilot Studio)",
  docsUrl,
  kind: "live",
  complete: true,
  observationSources: ["microsoft-entra"],
  settings: {
    key: "microsoft",
    schema: microsoftConfigSchema,
    pathFields: ["certificatePath"],
    description: "live Microsoft Entra scan: cloud, tenantId, clientId, graphBaseUrl, authorityHost, certificatePath (secrets come from the environment)",
  },
  credentials: [
    { env: GRAPH_TOKEN_ENV, secret: true, description: "a Microsoft Graph access token with the read-only permissions (used as it is)" },
    { env: "AZURE_TENANT_ID", secret: false, description: "the tenant of the app registration" },
    { env: "AZURE_CLIENT_ID", secret: false, description: "the app registration's client ID" },
    { env: "AZURE_CLIENT_SECRET", secret: true, description: "the app registration's client secret" },
    { env: "AZURE_CLIENT_CERTIFICATE_PATH", secret: false, description: "PEM file with the app's certificate and private key, instead of a secret" },
    { env: "AZURE_CLIENT_CERTIFICATE_PASSWORD", secret: true, description: "password of that certificate file" },
    { env: "AZURE_AUTHORITY_HOST", secret: false, description: "the sign-in authority of a national cloud" },
    { env: "SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN", secret: true, description: "opt-in Copilot Studio read: a delegated Power Platform API token (used as it is; the inventory API refuses app-only tokens)" },
  ],
  enabled: (s, env) => s !== undefined || Boolean(env[GRAPH_TOKEN_ENV]?.trim()),
  async *collect(_inputs, ctx) {
    let options;
    try {
      options = microsoftOptions(ctx.settings as MicrosoftConfig | undefined);
    } catch (e) {
      throw new SourceAuthError((e as Error).message);
    }
    // loaded lazily (the Graph SDK and @azure/identity); AI agents come with their evidence (live.ts)
    yield* (await import("./live.js")).collectMicrosoftItems(options, ctx);
  },
  isAuthError: (e) => e instanceof MicrosoftAuthError,
};
