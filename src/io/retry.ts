/**
 * Retrying API calls, shared by every collector that talks to an API (Google Admin SDK, Microsoft
 * Graph, vendor admin APIs): exponential backoff with jitter (p-retry), `Retry-After` waited out
 * first (RFC 9110 §10.2.3), an optional client-side ceiling on calls per minute (p-throttle), and
 * bounds so that an unattended scan never hangs on an endpoint that cannot answer:
 *
 * - a TLS certificate the system does not trust is never retried (a configuration error, not a
 *   glitch);
 * - a refused connection or an unknown host is retried at most {@link UNREACHABLE_RETRIES} times;
 * - every call gives up after `maxRetryTimeMs` in all (default 3 minutes);
 * - once an endpoint proved unreachable or untrusted, every later call of the same runner fails at
 *   once with the same reason (a circuit breaker), so a source with thousands of calls ends in
 *   seconds, not hours.
 *
 * Each API says what is transient in its own words (`isTransient`): Google's 403
 * `rateLimitExceeded`, Graph's 429/503/504, and so on.
 */
import pRetry from "p-retry";
import pThrottle from "p-throttle";

/** What a failed call said, in the terms every API shares. */
export interface CallFailure {
  /** HTTP status; undefined when no response came. */
  status?: number;
  /** The API's error code or reason, or a network error code (`ECONNRESET`). */
  code?: string;
  message: string;
  /** `Retry-After` in ms, when the response carried one. */
  retryAfterMs?: number;
}

/** Backoff of retried calls. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Give up on one call after this long in all (default 180 000 ms). */
  maxRetryTimeMs?: number;
}

/** Counters of what the retry layer did (for tests and benches). */
export interface RetryStats {
  attempts: number;
  retries: number;
  /** Retries by cause: `429`, `403 rateLimitExceeded`, `500`, `ECONNRESET`, ... */
  byCause: Record<string, number>;
}

/** Network error codes of a transient glitch. */
const TRANSIENT_NETWORK: ReadonlySet<string> = new Set([
  "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "ECONNABORTED", "ESOCKETTIMEDOUT",
]);

/** Network error codes of an endpoint that is not there (retried a little, then the circuit opens). */
const UNREACHABLE: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** Retries of a refused connection or unknown host before the endpoint is declared unreachable. */
export const UNREACHABLE_RETRIES = 2;

/** TLS errors of Node.js/OpenSSL that mean the server's certificate is not trusted. */
const CERTIFICATE = /^(CERT_|ERR_TLS_CERT|UNABLE_TO_(GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_SSL_|HOSTNAME_MISMATCH)/;

/** How a network error code counts: a glitch, an endpoint that is not there, an untrusted certificate. */
export function networkProblem(code: string | undefined): "transient" | "unreachable" | "certificate" | undefined {
  if (!code) return undefined;
  if (CERTIFICATE.test(code)) return "certificate";
  if (UNREACHABLE.has(code)) return "unreachable";
  if (TRANSIENT_NETWORK.has(code)) return "transient";
  return undefined;
}

/**
 * The network error code behind an error thrown by fetch/undici, gaxios or the Graph client: the
 * error's own `code`, else its `cause`'s (a few levels deep), else one of an AggregateError's.
 */
export function networkCode(e: unknown, depth = 0): string | undefined {
  if (typeof e !== "object" || e === null || depth > 4) return undefined;
  const err = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof err.code === "string" && networkProblem(err.code)) return err.code;
  const inner = networkCode(err.cause, depth + 1);
  if (inner) return inner;
  if (Array.isArray(err.errors)) for (const x of err.errors.slice(0, 8)) {
    const c = networkCode(x, depth + 1);
    if (c) return c;
  }
  return typeof err.code === "string" ? err.code : undefined;
}

/** The error a call ends with when its endpoint proved unreachable or untrusted. */
export class EndpointError extends Error {
  constructor(
    readonly problem: "unreachable" | "certificate",
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "EndpointError";
  }
}

/** Runs API calls under a rate ceiling and a retry policy. */
export interface CallRunner {
  /** Run `call` (one HTTP request per invocation), retrying transient failures. Rejects with the last error. */
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly stats: RetryStats;
}

/** How one API reads and judges its failures. */
export interface FailureModel<F extends CallFailure> {
  describe(e: unknown): F;
  /** Whether an HTTP failure (or one without status the API knows) is worth another attempt. */
  isTransient(f: F): boolean;
  /** The cause under which a retry is counted (`429`, `403 rateLimitExceeded`). */
  cause?(f: F): string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A runner with a client-side ceiling of `maxCallsPerMinute` (0 = none; every attempt counts,
 * spread with p-throttle's sliding window) and the retry policy `policy`.
 */
export function createCallRunner<F extends CallFailure>(model: FailureModel<F>, policy: RetryPolicy, options: { maxCallsPerMinute?: number; signal?: AbortSignal } = {}): CallRunner {
  const stats: RetryStats = { attempts: 0, retries: 0, byCause: {} };
  let gate: <T>(f: () => Promise<T>) => Promise<T> = (f) => f();
  const perMinute = options.maxCallsPerMinute ?? 0;
  if (perMinute > 0) {
    // A sliding window of 10 s holding a sixth of the minute's calls: no 60 s span then holds more
    // than `perMinute`, and timer lateness (a few ms per window) costs little.
    const throttle = perMinute >= 6 ? pThrottle({ limit: Math.floor(perMinute / 6), interval: 10_000, strict: true }) : pThrottle({ limit: perMinute, interval: 60_000, strict: true });
    const throttled = throttle(async (f: () => Promise<unknown>) => f());
    gate = <T>(f: () => Promise<T>) => throttled(f) as Promise<T>;
  }
  let open: EndpointError | undefined;
  return {
    stats,
    run<T>(call: () => Promise<T>): Promise<T> {
      if (open) return Promise.reject(open);
      let unreachable = 0;
      let verdict: "retry" | "fail" = "fail";
      const judge = (error: unknown): "retry" | "fail" => {
        const f = model.describe(error);
        if (f.status === undefined) {
          const code = networkCode(error) ?? f.code;
          const p = networkProblem(code);
          if (p === "certificate") {
            open = new EndpointError("certificate", code!, `TLS certificate not trusted (${code}): ${f.message}`);
            return "fail";
          }
          if (p === "unreachable") {
            if (++unreachable > UNREACHABLE_RETRIES) {
              open = new EndpointError("unreachable", code!, `endpoint unreachable (${code}) after ${unreachable} attempts: ${f.message}`);
              return "fail";
            }
            return "retry";
          }
          if (p === "transient") return "retry";
        }
        return model.isTransient(f) ? "retry" : "fail";
      };
      return pRetry(
        async () => {
          stats.attempts++;
          return gate(call);
        },
        {
          retries: policy.retries,
          factor: 2,
          minTimeout: policy.minTimeoutMs,
          maxTimeout: policy.maxTimeoutMs,
          maxRetryTime: policy.maxRetryTimeMs ?? 180_000,
          randomize: true,
          ...(options.signal ? { signal: options.signal } : {}),
          // p-retry calls onFailedAttempt first, then shouldRetry: judge each failure once, in the first
          shouldRetry: () => verdict === "retry",
          onFailedAttempt: async ({ error, retriesLeft }) => {
            verdict = judge(error);
            if (retriesLeft <= 0 || verdict !== "retry") return;
            const f = model.describe(error);
            stats.retries++;
            const cause = model.cause?.(f) ?? (f.status === undefined ? (networkCode(error) ?? f.code ?? "network") : String(f.status));
            stats.byCause[cause] = (stats.byCause[cause] ?? 0) + 1;
            // Honour Retry-After first; p-retry's own backoff (with jitter) follows it.
            if (f.retryAfterMs !== undefined) await sleep(Math.min(f.retryAfterMs, 10 * 60_000));
          },
        },
      ).catch((e: unknown) => {
        throw open ?? e;
      });
    },
  };
}
