/**
 * Quota-aware retries of Admin SDK calls.
 *
 * googleapis is told not to retry (`retry: false`): its gaxios retries 429 and 5xx without
 * honouring `Retry-After`, and never retries 403 `userRateLimitExceeded` / `rateLimitExceeded` /
 * `quotaExceeded`, which is how the Directory API says "slow down". Here every transient failure
 * is retried with exponential backoff and jitter (p-retry, `randomize`), and a `Retry-After` is
 * waited out first.
 *
 * References:
 * - https://developers.google.com/admin-sdk/directory/v1/limits
 * - https://developers.google.com/admin-sdk/reports/v1/limits
 */
import { parseRetryAfter } from "../../src/io/retry-after.js";
import { createCallRunner, networkProblem, type CallRunner as SharedCallRunner, type RetryStats as SharedRetryStats } from "../../src/io/retry.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./config.js";

/** 403 reasons that mean "too many requests", not "forbidden". */
export const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  "rateLimitExceeded",
  "userRateLimitExceeded",
  "quotaExceeded",
  "RATE_LIMIT_EXCEEDED",
  "RESOURCE_EXHAUSTED",
]);


/** What a failed Admin SDK call said, from a GaxiosError or a network error. */
export interface GoogleFailure {
  /** HTTP status; undefined when no response came. */
  status?: number;
  /** `error.errors[0].reason` (`rateLimitExceeded`, ...) or `error.details[].reason` / `error.status`. */
  reason?: string;
  /** `error.message` of the response body, else the error's own message. */
  message: string;
  /** `Retry-After` in ms, when the response carried one. */
  retryAfterMs?: number;
  /** Network error code (`ECONNRESET`, ...). */
  code?: string;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export { parseRetryAfter } from "../../src/io/retry-after.js";

/**
 * Read a thrown error. gaxios 7 puts the body in `e.response.data` (`{error: {code, message,
 * errors: [{reason, domain, message}], status, details}}`) and leaves `e.errors` undefined.
 */
export function describeFailure(e: unknown): GoogleFailure {
  const err = (isObj(e) ? e : {}) as Record<string, unknown>;
  const response = isObj(err["response"]) ? err["response"] : undefined;
  const status = typeof response?.["status"] === "number" ? response["status"] : typeof err["status"] === "number" ? err["status"] : undefined;
  const data = response?.["data"];
  const body = isObj(data) && isObj(data["error"]) ? data["error"] : undefined;
  let reason: string | undefined;
  if (body) {
    const errors = Array.isArray(body["errors"]) ? body["errors"] : [];
    const first = errors.find(isObj);
    if (first && typeof first["reason"] === "string") reason = first["reason"];
    const details = Array.isArray(body["details"]) ? body["details"].filter(isObj) : [];
    const detail = details.find((d) => typeof d["reason"] === "string");
    if (!reason && detail) reason = detail["reason"] as string;
    if (!reason && typeof body["status"] === "string") reason = body["status"];
  } else if (isObj(data) && typeof data["error"] === "string") {
    reason = data["error"]; // the token endpoint: {error: "unauthorized_client", error_description}
  }
  const message =
    (body && typeof body["message"] === "string" && body["message"]) ||
    (isObj(data) && typeof data["error_description"] === "string" && data["error_description"]) ||
    (e instanceof Error ? e.message : String(e));
  const headers = response?.["headers"];
  let retryAfter: string | null | undefined;
  if (headers && typeof (headers as Headers).get === "function") retryAfter = (headers as Headers).get("retry-after");
  else if (isObj(headers) && typeof headers["retry-after"] === "string") retryAfter = headers["retry-after"];
  const retryAfterMs = parseRetryAfter(retryAfter);
  const code = typeof err["code"] === "string" ? err["code"] : isObj(err["cause"]) && typeof err["cause"]["code"] === "string" ? err["cause"]["code"] : undefined;
  return {
    ...(status !== undefined ? { status } : {}),
    ...(reason ? { reason } : {}),
    message: message.slice(0, 500),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(code ? { code } : {}),
  };
}

/** Whether a failure is worth another attempt: 403 rate limits, 408, 429, 5xx, network glitches. */
export function isTransient(f: GoogleFailure): boolean {
  if (f.status === undefined) return networkProblem(f.code) === "transient" || networkProblem(f.code) === "unreachable";
  if (f.status === 403) return f.reason !== undefined && RATE_LIMIT_REASONS.has(f.reason);
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

/** Whether a failure means the credentials or their rights are wrong (stop the scan). */
export function isAuthFailure(f: GoogleFailure): boolean {
  if (f.status === 401) return true;
  if (f.status === 403) return !isTransient(f);
  // google-auth-library's token request: 400 {error: "invalid_grant" | "unauthorized_client" | ...}
  return f.status === 400 && f.reason !== undefined && /^(invalid_grant|unauthorized_client|invalid_client|access_denied)$/.test(f.reason);
}

/** Counters of what the retry layer did in one scan (for tests and the bench). */
export type RetryStats = SharedRetryStats;

/** Runs API calls under a rate ceiling and a retry policy. */
export type CallRunner = SharedCallRunner;

/**
 * A runner with a client-side ceiling of `maxCallsPerMinute` (0 = none) and the retry policy
 * `policy`, on the shared retry layer (src/io/retry.ts): 403 rate limits, 408, 429 and 5xx are
 * retried after their Retry-After; unreachable endpoints and untrusted certificates end fast.
 */
export function callRunner(maxCallsPerMinute: number, policy: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): CallRunner {
  return createCallRunner<GoogleFailure>(
    {
      describe: describeFailure,
      isTransient,
      cause: (f) => (f.status === undefined ? (f.code ?? "network") : f.status === 403 ? `403 ${f.reason}` : String(f.status)),
    },
    policy,
    { maxCallsPerMinute, ...(signal ? { signal } : {}) },
  );
}
