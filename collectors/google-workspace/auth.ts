/**
 * Authenticating a live Google Workspace scan with google-auth-library: a service account with
 * domain-wide delegation (`JWT` with `subject` = an admin and the three read-only scopes), or an
 * access token from the environment used as is.
 *
 * References:
 * - https://developers.google.com/identity/protocols/oauth2/service-account#delegatingauthority
 * - https://github.com/googleapis/google-auth-library-nodejs#json-web-tokens
 */
import { readFile } from "node:fs/promises";
import { JWT, OAuth2Client } from "google-auth-library";
import { bound } from "../../src/core/observation.js";
import { GOOGLE_SCOPES, type GoogleAuthOptions } from "./config.js";

/** The token endpoint google-auth-library posts the signed JWT to (hard-coded there). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

import { GoogleAuthError } from "./errors.js";

export { GoogleAuthError };

/** What the service account JSON key file must hold (`type: "service_account"`). */
interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

/**
 * Read and check a service account JSON key file.
 * @throws GoogleAuthError naming the file and the missing field; never quoting the key.
 */
export async function readServiceAccountKey(file: string): Promise<ServiceAccountKey> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GoogleAuthError(`${file}: cannot read the service account key file${code ? ` (${code})` : e instanceof SyntaxError ? " (not JSON)" : ""}`);
  }
  const k = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (k["type"] !== undefined && k["type"] !== "service_account") {
    throw new GoogleAuthError(`${file}: not a service account key (type is ${JSON.stringify(bound(String(k["type"]), 40))}); create a JSON key for a service account with domain-wide delegation`);
  }
  if (typeof k["client_email"] !== "string" || typeof k["private_key"] !== "string") {
    throw new GoogleAuthError(`${file}: a service account key needs "client_email" and "private_key"`);
  }
  return {
    client_email: k["client_email"],
    private_key: k["private_key"],
    ...(typeof k["private_key_id"] === "string" ? { private_key_id: k["private_key_id"] } : {}),
  };
}

/**
 * Send google-auth-library's token request, whose URL is hard-coded to {@link GOOGLE_TOKEN_URL},
 * to `tokenUrl` instead (a proxy or a test server), with a request interceptor on the client's
 * own gaxios transporter (every API call and the token request go through it). The JWT's `aud`
 * claim stays Google's token URL, as the token endpoint expects.
 */
export function redirectTokenRequests(client: OAuth2Client, tokenUrl: string): void {
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url !== undefined && String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
      return config;
    },
  });
}

/** The auth client googleapis calls through, and the secrets to keep out of messages. */
export interface GoogleAuth {
  client: OAuth2Client;
  /** Values that must never appear in an error message or log line. */
  secrets: string[];
  /** `token from SHADOW_AI_GOOGLE_ACCESS_TOKEN` or `service account sa@... acting as admin@...`, for messages. */
  describe: string;
}

/**
 * Build the auth client.
 * - `token`: an `OAuth2Client` holding the access token, never refreshed.
 * - `serviceAccount`: a `JWT` client (`email`, `key`, `scopes` = {@link GOOGLE_SCOPES}, `subject`),
 *   which signs an RS256 assertion `{iss, scope, aud, sub, iat, exp}` and exchanges it for an access
 *   token at the token endpoint (`tokenUrl`, else Google's).
 * @throws GoogleAuthError when the key file is unreadable or incomplete.
 */
export async function googleAuth(auth: GoogleAuthOptions, tokenUrl?: string): Promise<GoogleAuth> {
  if (auth.kind === "token") {
    const client = new OAuth2Client();
    client.setCredentials({ access_token: auth.accessToken, token_type: "Bearer" });
    return { client, secrets: [auth.accessToken], describe: "the access token from SHADOW_AI_GOOGLE_ACCESS_TOKEN" };
  }
  const key = await readServiceAccountKey(auth.keyFile);
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
    scopes: [...GOOGLE_SCOPES],
    subject: auth.subject,
  });
  if (tokenUrl) redirectTokenRequests(client, tokenUrl);
  return {
    client,
    secrets: [key.private_key],
    describe: `service account ${key.client_email} acting as ${auth.subject}`,
  };
}

export { redact } from "../../src/io/redact.js";
