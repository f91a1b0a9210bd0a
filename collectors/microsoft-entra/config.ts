/**
 * The `microsoft:` section of `shadow-ai.yaml` and the options of a live Microsoft Entra scan.
 *
 * Secrets never go in the file: the client secret comes from `AZURE_CLIENT_SECRET`, the
 * certificate from the file `AZURE_CLIENT_CERTIFICATE_PATH` (or `microsoft.certificatePath`)
 * names, an access token from `SHADOW_AI_GRAPH_ACCESS_TOKEN`.
 *
 * References:
 * - https://learn.microsoft.com/graph/deployments (national cloud endpoints)
 * - https://learn.microsoft.com/javascript/api/@azure/identity/environmentcredential (AZURE_* variables)
 */
import { z } from "zod";
import { credentialEndpointProblem } from "../../src/io/endpoint.js";

/** Environment variable holding a Graph access token used as is. */
export const GRAPH_TOKEN_ENV = "SHADOW_AI_GRAPH_ACCESS_TOKEN";

/** The application permissions the app registration needs, and nothing more. */
export const GRAPH_PERMISSIONS: readonly string[] = ["Directory.Read.All", "AuditLog.Read.All"];

/** Endpoints of one Microsoft cloud. */
export interface CloudEndpoints {
  /** Graph root with the version path. */
  graphBaseUrl: string;
  /** Microsoft Entra authority host. */
  authorityHost: string;
  /** The `.default` scope of Graph in this cloud (the token's audience). */
  scope: string;
}

/** Graph and login endpoints per national cloud (https://learn.microsoft.com/graph/deployments). */
export const CLOUDS = {
  global: { graphBaseUrl: "https://graph.microsoft.com/v1.0", authorityHost: "https://login.microsoftonline.com", scope: "https://graph.microsoft.com/.default" },
  usgov: { graphBaseUrl: "https://graph.microsoft.us/v1.0", authorityHost: "https://login.microsoftonline.us", scope: "https://graph.microsoft.us/.default" },
  usgovdod: { graphBaseUrl: "https://dod-graph.microsoft.us/v1.0", authorityHost: "https://login.microsoftonline.us", scope: "https://dod-graph.microsoft.us/.default" },
  china: { graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn/v1.0", authorityHost: "https://login.chinacloudapi.cn", scope: "https://microsoftgraph.chinacloudapi.cn/.default" },
} as const satisfies Record<string, CloudEndpoints>;

export type CloudName = keyof typeof CLOUDS;

/** Endpoints that receive our tokens and secrets: HTTPS only, even on loopback. */
const httpsUrl = z
  .string()
  .url()
  .refine((u) => /^https:\/\//i.test(u), "must be an https:// URL (the Graph client sends no Authorization header to plain-http hosts, and breaks paging over http)");

/**
 * Zod schema of the `microsoft:` section. Every field is optional; with only
 * `SHADOW_AI_GRAPH_ACCESS_TOKEN` set, the section may be absent.
 */
export const microsoftConfigSchema = z
  .object({
    /** National cloud: `global` (default), `usgov` (GCC High), `usgovdod` (DoD), `china` (21Vianet). */
    cloud: z.enum(["global", "usgov", "usgovdod", "china"]).default("global"),
    /** Graph root including the version path (`https://graph.microsoft.us/v1.0`), e.g. a proxy or a test server. */
    graphBaseUrl: httpsUrl.optional(),
    /** Microsoft Entra authority host (`https://login.microsoftonline.us`), e.g. a proxy or a test server. */
    authorityHost: httpsUrl.optional(),
    /** Directory (tenant) ID; else `AZURE_TENANT_ID`. Not a secret. */
    tenantId: z.string().min(1).optional(),
    /** Application (client) ID; else `AZURE_CLIENT_ID`. Not a secret. */
    clientId: z.string().min(1).optional(),
    /** PEM (or PFX) certificate with its private key; else `AZURE_CLIENT_CERTIFICATE_PATH`. Relative to the configuration file. */
    certificatePath: z.string().min(1).optional(),
    /** Parallel calls (service principals' app role assignments). */
    concurrency: z.number().int().min(1).max(50).default(8),
    /** Read `auditLogs/signIns` (needs Microsoft Entra ID P1 or P2); set false on a tenant without it. */
    signIns: z.boolean().default(true),
    /** Read "Consent to application" events from `auditLogs/directoryAudits`. */
    directoryAudits: z.boolean().default(true),
    /** Audit records re-read before the stored cursor, for records Entra publishes late. */
    lookbackMinutes: z.number().int().min(0).max(7 * 24 * 60).default(180),
    /** Read Entra Agent ID agent identities, blueprints, owners, sponsors and permissions (AgentIdentity.Read.All, AgentIdentityBlueprint.Read.All). */
    agents: z.boolean().default(true),
    /** Read Microsoft Agent 365 packages (CopilotPackages.Read.All and an Agent 365 licence). */
    agent365: z.boolean().default(true),
    /** Graph beta root for the beta reads (owners, sponsors, inherited permissions); default: graphBaseUrl with /beta for /v1.0. */
    graphBetaUrl: httpsUrl.optional(),
    /**
     * Opt-in: Copilot Studio agents from the Power Platform inventory API, which accepts delegated
     * sign-in only: a device-code sign-in through the public client app `clientId`, or
     * SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN.
     */
    copilotStudio: z
      .object({
        clientId: z.string().min(1).optional(),
        tenantId: z.string().min(1).optional(),
        baseUrl: httpsUrl.default("https://api.powerplatform.com"),
      })
      .strict()
      .optional(),
  })
  .strict();

export type MicrosoftConfigInput = z.input<typeof microsoftConfigSchema>;
export type MicrosoftConfig = z.output<typeof microsoftConfigSchema>;

/** How the scan authenticates (app-only, client credentials; or a token used as is). */
export type MicrosoftAuthOptions =
  | { kind: "token"; accessToken: string }
  | { kind: "secret"; tenantId: string; clientId: string; clientSecret: string }
  | { kind: "certificate"; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string };

/** Backoff of retried calls (the Graph client retries 429/503/504 itself; this adds 500/502 and network errors). */
export interface GraphRetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Retries of the Graph client's own RetryHandler (429/503/504 with Retry-After), default 3. */
  sdkRetries?: number;
  /** Delay of the RetryHandler when no Retry-After came, seconds (default 3). */
  sdkDelaySeconds?: number;
}

export const DEFAULT_GRAPH_RETRY: GraphRetryPolicy = { retries: 5, minTimeoutMs: 1000, maxTimeoutMs: 60_000 };

/** Everything {@link collectMicrosoft} needs; built by {@link microsoftOptions}. */
export interface MicrosoftOptions {
  auth: MicrosoftAuthOptions;
  cloud: CloudName;
  /** Graph root with the version path, no trailing slash. */
  graphBaseUrl: string;
  authorityHost: string;
  /** The token scope (`https://graph.microsoft.com/.default`), from the cloud. */
  scope: string;
  concurrency: number;
  signIns: boolean;
  directoryAudits: boolean;
  lookbackMinutes: number;
  /** Read agent identities and blueprints (default true). */
  agents?: boolean;
  /** Read Agent 365 packages (default true). */
  agent365?: boolean;
  /** Graph beta root, no trailing slash (default: graphBaseUrl with /beta). */
  graphBetaUrl?: string;
  /** Copilot Studio agents (opt-in), see copilot-studio.ts. */
  copilotStudio?: import("./copilot-studio.js").CopilotStudioOptions;
  /** First scan (no cursor): how far back audit logs are read (Entra keeps 30 days with P1). */
  initialDays?: number;
  /** Audit logs are read in windows of this many hours, oldest first; the cursor moves after each. */
  windowHours?: number;
  retry?: GraphRetryPolicy;
  /** Clock (tests). */
  now?: () => Date;
}

/**
 * Options of a live scan from the `microsoft:` section and the environment.
 *
 * `SHADOW_AI_GRAPH_ACCESS_TOKEN`, when set, is used as is and nothing else is required. Else the
 * tenant and client IDs (`microsoft.tenantId` / `AZURE_TENANT_ID`, `microsoft.clientId` /
 * `AZURE_CLIENT_ID`) and either `AZURE_CLIENT_SECRET` or a certificate file
 * (`AZURE_CLIENT_CERTIFICATE_PATH` / `microsoft.certificatePath`, with
 * `AZURE_CLIENT_CERTIFICATE_PASSWORD` for an encrypted one). `microsoft.authorityHost` falls back
 * to `AZURE_AUTHORITY_HOST`, then to the cloud's. `certificatePath` must already be resolved
 * against the configuration file's directory.
 * @throws Error naming what to set (never a secret's value).
 */
export function microsoftOptions(section: MicrosoftConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): MicrosoftOptions {
  const c = microsoftConfigSchema.parse(section ?? {});
  const cloud = CLOUDS[c.cloud];
  const token = env[GRAPH_TOKEN_ENV]?.trim();
  let auth: MicrosoftAuthOptions;
  if (token) {
    auth = { kind: "token", accessToken: token };
  } else {
    const tenantId = c.tenantId ?? env["AZURE_TENANT_ID"]?.trim();
    const clientId = c.clientId ?? env["AZURE_CLIENT_ID"]?.trim();
    const secret = env["AZURE_CLIENT_SECRET"];
    const certificatePath = c.certificatePath ?? env["AZURE_CLIENT_CERTIFICATE_PATH"]?.trim();
    if (!tenantId || !clientId || (!secret && !certificatePath)) {
      const missing = [
        !tenantId ? "AZURE_TENANT_ID (or microsoft.tenantId)" : "",
        !clientId ? "AZURE_CLIENT_ID (or microsoft.clientId)" : "",
        !secret && !certificatePath ? "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH" : "",
      ].filter(Boolean);
      throw new Error(
        `no Microsoft Graph credentials: set ${GRAPH_TOKEN_ENV}, or ${missing.join(", ")} for an app registration ` +
          `with the application permissions ${GRAPH_PERMISSIONS.join(" and ")} (admin consent granted)`,
      );
    }
    auth = secret
      ? { kind: "secret", tenantId, clientId, clientSecret: secret }
      : {
          kind: "certificate", tenantId, clientId, certificatePath: certificatePath!,
          ...(env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] ? { certificatePassword: env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] } : {}),
        };
  }
  const authorityHost = checkedAuthority((c.authorityHost ?? (env["AZURE_AUTHORITY_HOST"]?.trim() || undefined) ?? cloud.authorityHost).replace(/\/+$/, ""));
  return {
    auth,
    cloud: c.cloud,
    graphBaseUrl: (c.graphBaseUrl ?? cloud.graphBaseUrl).replace(/\/+$/, ""),
    authorityHost,
    scope: cloud.scope,
    concurrency: c.concurrency,
    signIns: c.signIns,
    directoryAudits: c.directoryAudits,
    lookbackMinutes: c.lookbackMinutes,
    agents: c.agents,
    agent365: c.agent365,
    ...(c.graphBetaUrl ? { graphBetaUrl: c.graphBetaUrl.replace(/\/+$/, "") } : {}),
    ...(c.copilotStudio ? { copilotStudio: copilotStudioOptions(c.copilotStudio, auth, c.tenantId ?? env["AZURE_TENANT_ID"]?.trim(), authorityHost, env) } : {}),
  };
}

/**
 * How the opt-in Copilot Studio read authenticates: `SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN` as is;
 * else a device-code sign-in with `copilotStudio.clientId` (a public client app) in
 * `copilotStudio.tenantId` (else the scan's tenant, else `organizations`); else `appOnly`, which
 * the read reports as unusable (the API refuses app-only tokens).
 */
function copilotStudioOptions(
  c: { clientId?: string | undefined; tenantId?: string | undefined; baseUrl: string },
  _auth: MicrosoftAuthOptions,
  tenant: string | undefined,
  authorityHost: string,
  env: NodeJS.ProcessEnv,
): import("./copilot-studio.js").CopilotStudioOptions {
  const token = env["SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN"]?.trim();
  const baseUrl = c.baseUrl.replace(/\/+$/, "");
  if (token) return { baseUrl, auth: { kind: "token", accessToken: token } };
  if (c.clientId) return { baseUrl, auth: { kind: "deviceCode", clientId: c.clientId, tenantId: c.tenantId ?? tenant ?? "organizations", authorityHost } };
  return { baseUrl, auth: { kind: "appOnly" } };
}

/** The sign-in authority, refused unless credentials may be sent to it (HTTPS; http to loopback only). */
function checkedAuthority(url: string): string {
  const p = credentialEndpointProblem(url);
  if (p) throw new Error(`authority host ${url.slice(0, 200)}: ${p}`);
  return url;
}
