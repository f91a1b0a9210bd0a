/**
 * Retries of Microsoft Graph calls on top of the Graph client's own RetryHandler.
 *
 * The client's RetryHandler retries 429, 503 and 504, honouring `Retry-After`, a few times. This
 * layer adds 500, 502 and network failures, and starts again (after the `Retry-After` of the last
 * answer) when the RetryHandler gave up on a 429/503/504, with exponential backoff and jitter.
 *
 * References:
 * - https://learn.microsoft.com/graph/throttling
 * - https://learn.microsoft.com/graph/errors
 */
import { parseRetryAfter } from "../../src/io/retry-after.js";
import { createCallRunner, networkCode, networkProblem, type CallRunner, type RetryStats } from "../../src/io/retry.js";
import { DEFAULT_GRAPH_RETRY, type GraphRetryPolicy } from "./config.js";

/** What a failed Graph call said. */
export interface GraphFailure {
  /** HTTP status; undefined when no response came. */
  status?: number;
  /** Graph error code (`Authorization_RequestDenied`, `Authentication_RequestFromNonPremiumTenantOrB2CTenant`, ...) or the error class name. */
  code?: string;
  message: string;
  retryAfterMs?: number;
}

/** Codes of @azure/identity failures (credentials refused or unusable). */
const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set(["AuthenticationError", "CredentialUnavailableError", "AuthenticationRequiredError", "AggregateAuthenticationError"]);

/** The Graph code when the tenant has no Entra ID P1/P2 licence (sign-in logs need one). */
export const NON_PREMIUM_CODE = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";


/** Read a thrown error: a GraphError `{statusCode, code, message, headers}`, or anything else. */
export function describeGraphFailure(e: unknown): GraphFailure {
  const err = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
  const status = typeof err["statusCode"] === "number" && err["statusCode"] > 0 ? err["statusCode"] : undefined;
  const code = typeof err["code"] === "string" && err["code"] ? err["code"] : (status === undefined ? networkCode(e) : undefined) ?? (e instanceof Error && e.name !== "Error" ? e.name : undefined);
  const headers = err["headers"] as Headers | undefined;
  const retryAfterMs = headers && typeof headers.get === "function" ? parseRetryAfter(headers.get("retry-after")) : undefined;
  const message = (e instanceof Error ? e.message : String(e)) || (code ?? "unknown error");
  return {
    ...(status !== undefined ? { status } : {}),
    ...(code ? { code } : {}),
    message: message.slice(0, 500),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** Whether the credentials were refused or cannot be used (stop the scan on the first call). */
export function isCredentialFailure(f: GraphFailure): boolean {
  return f.status === 401 || (f.code !== undefined && CREDENTIAL_ERRORS.has(f.code));
}

/** Whether a failure is worth another attempt: 408, 429, 5xx, no response (network). */
export function isTransient(f: GraphFailure): boolean {
  if (f.status === undefined) {
    if (f.code !== undefined && CREDENTIAL_ERRORS.has(f.code)) return false;
    return networkProblem(f.code) !== "certificate";
  }
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

export type GraphRetryStats = RetryStats;

/**
 * Run Graph calls with retries of transient failures on the shared retry layer (src/io/retry.ts);
 * rejects with the last error. Unreachable endpoints and untrusted certificates end fast.
 */
export function graphRunner(policy: GraphRetryPolicy = DEFAULT_GRAPH_RETRY): CallRunner {
  return createCallRunner<GraphFailure>({ describe: describeGraphFailure, isTransient }, policy);
}
