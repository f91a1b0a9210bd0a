/**
 * The `google:` section of `shadow-ai.yaml` and the options of a live Google Workspace scan.
 *
 * Secrets never go in the file: the access token comes from `SHADOW_AI_GOOGLE_ACCESS_TOKEN`, the
 * service account's private key from its JSON key file (`google.keyFile` or
 * `GOOGLE_APPLICATION_CREDENTIALS`), which the file only names.
 *
 * References:
 * - https://developers.google.com/admin-sdk/directory/v1/limits (2,400 queries per minute per user per project)
 * - https://developers.google.com/identity/protocols/oauth2/service-account#delegatingauthority
 */
import { z } from "zod";
import { credentialEndpoint } from "../../src/io/endpoint.js";

/** Environment variable holding an OAuth access token used as is (`gcloud auth print-access-token`). */
export const GOOGLE_TOKEN_ENV = "SHADOW_AI_GOOGLE_ACCESS_TOKEN";
/** Standard environment variable naming a service account's JSON key file. */
export const GOOGLE_KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS";

/** The read-only scopes a domain-wide delegated service account is given, and nothing else. */
export const GOOGLE_SCOPES: readonly string[] = [
  "https://www.googleapis.com/auth/admin.directory.user.readonly",
  "https://www.googleapis.com/auth/admin.directory.user.security",
  "https://www.googleapis.com/auth/admin.reports.audit.readonly",
];

/** Endpoints that receive our tokens: HTTPS, or plain http to a loopback test server or proxy only. */
const httpUrl = credentialEndpoint;

/**
 * Zod schema of the `google:` section. Every field is optional; with only
 * `SHADOW_AI_GOOGLE_ACCESS_TOKEN` set, the section may be absent.
 */
export const googleConfigSchema = z
  .object({
    /** Customer whose users are read: `my_customer` (the admin's own) or a customer ID `C0xxxxxxx`. */
    customer: z.string().min(1).default("my_customer"),
    /** Admin SDK root URL (a proxy or a test server); its path prefix is kept. Default `https://admin.googleapis.com/`. */
    rootUrl: httpUrl.optional(),
    /** OAuth token endpoint for the service-account flow (a proxy or a test server). Default `https://oauth2.googleapis.com/token`. */
    tokenUrl: httpUrl.optional(),
    /** Service account JSON key file (else `$GOOGLE_APPLICATION_CREDENTIALS`). Relative to the configuration file. */
    keyFile: z.string().min(1).optional(),
    /** The super admin the service account acts as (domain-wide delegation `sub`). Required with a key file. */
    subject: z.string().email().optional(),
    /** Parallel `tokens.list` calls. */
    concurrency: z.number().int().min(1).max(100).default(10),
    /** Client-side ceiling on API calls per minute (the Directory API default quota is 2,400); 0 = none. */
    maxCallsPerMinute: z.number().int().min(0).default(2400),
    /** Reports API events re-read before the stored cursor, for events the API publishes late. */
    lookbackMinutes: z.number().int().min(0).max(7 * 24 * 60).default(180),
    /** Read Reports `gemini_in_workspace_apps` (sanctioned Gemini use per user; same scope as token events). */
    gemini: z.boolean().default(true),
  })
  .strict();

/** The `google:` section as written (before defaults). */
export type GoogleConfigInput = z.input<typeof googleConfigSchema>;
/** The `google:` section after defaults. */
export type GoogleConfig = z.output<typeof googleConfigSchema>;

/** How the scan authenticates. */
export type GoogleAuthOptions =
  /** An OAuth access token used as is; it is never refreshed. */
  | { kind: "token"; accessToken: string }
  /** A service account with domain-wide delegation acting as `subject`, with {@link GOOGLE_SCOPES}. */
  | { kind: "serviceAccount"; keyFile: string; subject: string };

/** Backoff of retried calls (429, 403 rate limits, 5xx, network errors). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Delay before the first retry, ms; doubled each retry and multiplied by a random 1–2 (jitter). */
  minTimeoutMs: number;
  /** Longest delay between two attempts, ms (a longer `Retry-After` is still honoured). */
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, minTimeoutMs: 1000, maxTimeoutMs: 64_000 };

/** Everything {@link collectGoogle} needs; built by {@link googleOptions}. */
export interface GoogleOptions {
  auth: GoogleAuthOptions;
  customer: string;
  rootUrl?: string;
  tokenUrl?: string;
  concurrency: number;
  maxCallsPerMinute: number;
  lookbackMinutes: number;
  /** Read Gemini in Workspace apps activities (default true). */
  gemini?: boolean;
  /** First scan (no cursor): how far back Reports events are read. The API keeps 180 days. */
  initialDays?: number;
  /** Reports events are read in windows of this many hours, oldest first; the cursor moves after each. */
  windowHours?: number;
  retry?: RetryPolicy;
  /** Clock (tests). */
  now?: () => Date;
}

/**
 * Options of a live scan from the `google:` section and the environment.
 *
 * `SHADOW_AI_GOOGLE_ACCESS_TOKEN`, when set, is used as is and nothing else is required. Otherwise
 * a service account key file (`keyFile`, else `GOOGLE_APPLICATION_CREDENTIALS`) and `subject`
 * are required. `keyFile` must already be resolved against the configuration file's directory.
 * @throws Error naming what to set when neither way is configured (the message holds no secret).
 */
export function googleOptions(section: GoogleConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): GoogleOptions {
  const c = googleConfigSchema.parse(section ?? {});
  const token = env[GOOGLE_TOKEN_ENV]?.trim();
  let auth: GoogleAuthOptions;
  if (token) {
    auth = { kind: "token", accessToken: token };
  } else {
    const keyFile = c.keyFile ?? env[GOOGLE_KEY_FILE_ENV]?.trim();
    if (!keyFile) {
      throw new Error(
        `no Google credentials: set ${GOOGLE_TOKEN_ENV} (e.g. from \`gcloud auth print-access-token\`), ` +
          `or google.keyFile (or ${GOOGLE_KEY_FILE_ENV}) and google.subject for a service account with domain-wide delegation`,
      );
    }
    if (!c.subject) {
      throw new Error("google.subject is required with a service account key: the e-mail address of the admin the service account acts as (domain-wide delegation)");
    }
    auth = { kind: "serviceAccount", keyFile, subject: c.subject };
  }
  return {
    auth,
    customer: c.customer,
    ...(c.rootUrl ? { rootUrl: c.rootUrl } : {}),
    ...(c.tokenUrl ? { tokenUrl: c.tokenUrl } : {}),
    concurrency: c.concurrency,
    maxCallsPerMinute: c.maxCallsPerMinute,
    lookbackMinutes: c.lookbackMinutes,
    ...(c.gemini === false ? { gemini: false } : {}),
  };
}
