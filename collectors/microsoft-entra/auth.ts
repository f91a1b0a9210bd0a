/**
 * Authenticating a live Microsoft Entra scan: app-only client credentials through @azure/identity
 * (`ClientSecretCredential` or `ClientCertificateCredential`) wrapped in the Graph client's
 * `TokenCredentialAuthenticationProvider`, or an access token from the environment used as is.
 *
 * References:
 * - https://learn.microsoft.com/javascript/api/@azure/identity/clientsecretcredential
 * - https://learn.microsoft.com/graph/sdks/choose-authentication-providers#client-credentials-provider
 */
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import type { AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import type { MicrosoftOptions } from "./config.js";

import { MicrosoftAuthError } from "./errors.js";

export { MicrosoftAuthError };

/** Authority hosts msal knows; any other (a proxy, a test server) is used without instance discovery. */
const KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.microsoftonline.de",
]);

/** The Graph auth provider, and what to keep out of messages. */
export interface GraphAuth {
  provider: AuthenticationProvider;
  /** Values that must never appear in an error message or log line. */
  secrets: string[];
  /** `app <clientId> in tenant <tenantId>` or `the access token from ...`, for messages. */
  describe: string;
}

/**
 * Build the Graph auth provider for `o.auth`:
 * - `token`: returns the token as is (never refreshed);
 * - `secret` / `certificate`: an @azure/identity credential for `o.authorityHost` asking for
 *   `o.scope` (`https://graph.microsoft.com/.default` or the national cloud's). An authority host
 *   msal does not know (a proxy or a test server) is used with `disableInstanceDiscovery`.
 */
export function graphAuth(o: Pick<MicrosoftOptions, "auth" | "authorityHost" | "scope">): GraphAuth {
  const a = o.auth;
  if (a.kind === "token") {
    const token = a.accessToken;
    return { provider: { getAccessToken: async () => token }, secrets: [token], describe: "the access token from SHADOW_AI_GRAPH_ACCESS_TOKEN" };
  }
  const host = new URL(o.authorityHost).hostname.toLowerCase();
  const credOptions = {
    authorityHost: o.authorityHost,
    ...(KNOWN_AUTHORITY_HOSTS.has(host) ? {} : { disableInstanceDiscovery: true }),
  };
  let credential: TokenCredential;
  let secrets: string[];
  if (a.kind === "secret") {
    credential = new ClientSecretCredential(a.tenantId, a.clientId, a.clientSecret, credOptions);
    secrets = [a.clientSecret];
  } else {
    credential = new ClientCertificateCredential(
      a.tenantId,
      a.clientId,
      { certificatePath: a.certificatePath, ...(a.certificatePassword ? { certificatePassword: a.certificatePassword } : {}) },
      credOptions,
    );
    secrets = a.certificatePassword ? [a.certificatePassword] : [];
  }
  return {
    provider: new TokenCredentialAuthenticationProvider(credential, { scopes: [o.scope] }),
    secrets,
    describe: `app ${a.clientId} in tenant ${a.tenantId}`,
  };
}

export { redact } from "../../src/io/redact.js";
