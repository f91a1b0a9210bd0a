/**
 * One small HTTP client for AI vendors' admin APIs (OpenAI `/v1/organization/*`, Anthropic
 * `/v1/organizations/*` and `/v1/agents`), on the shared retry layer (retry.ts: Retry-After,
 * bounded retries, circuit breaker) and fetch. Neither vendor's official Node SDK was used: the
 * collectors need the retry, paging and redaction rules every other source follows, and a single
 * GET-and-page client is smaller than adapting two SDKs' own retry and paging.
 *
 * - 429, 500, 502, 503, 504 and Anthropic's 529 (overloaded) are retried, `Retry-After` first
 *   (RFC 9110 §10.2.3).
 * - 401 and 403 end the call with an {@link AdminAuthError} naming the variable that holds the
 *   key (`OPENAI_ADMIN_KEY`), never the key.
 * - Every message is passed through {@link redact} with the key, so an echoing proxy cannot leak it.
 * - A response body is read up to {@link MAX_BODY_BYTES}; a larger one is an error.
 */
import { parseRetryAfter } from "./retry-after.js";
import { createCallRunner, type CallFailure, type CallRunner, type RetryPolicy } from "./retry.js";
import { redact } from "./redact.js";
import { PageTokenGuard } from "./paging.js";

/** Largest JSON response read (bytes). */
export const MAX_BODY_BYTES = 32 << 20;

/** The key was refused (HTTP 401 or 403): nothing can be read with it. */
export class AdminAuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "AdminAuthError";
  }
}

/** A failed HTTP call: status, the API's error type and message (redacted), Retry-After. */
export class AdminHttpError extends Error implements CallFailure {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "AdminHttpError";
  }
}

/** Default backoff of admin API calls. */
export const ADMIN_RETRY: RetryPolicy = { retries: 5, minTimeoutMs: 500, maxTimeoutMs: 20_000 };

export interface AdminHttpOptions {
  /** `https://api.openai.com/v1`, `https://api.anthropic.com` (no trailing slash needed). */
  baseUrl: string;
  /** Headers of every request, the credential among them. */
  headers: Record<string, string>;
  /** The key, for redaction. */
  secret: string;
  /** The variable that holds it, for messages. */
  keyVar: string;
  /** Vendor name for messages (`OpenAI`). */
  vendor: string;
  retry?: RetryPolicy;
  maxCallsPerMinute?: number;
  /** Per-request timeout (ms), default 60 000. */
  timeoutMs?: number;
}

/** A query value: repeated keys for arrays (`group_by=user_id&group_by=api_key_id`). */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** GET JSON from one admin API. */
export class AdminHttp {
  readonly runner: CallRunner;
  constructor(private readonly o: AdminHttpOptions) {
    this.runner = createCallRunner<AdminHttpError>(
      {
        describe: (e) => {
          if (e instanceof AdminHttpError) return e;
          // fetch's own timeout (AbortSignal.timeout) is a glitch like ETIMEDOUT: retried
          if ((e as Error)?.name === "TimeoutError") return new AdminHttpError(undefined, `no answer within ${o.timeoutMs ?? 60_000} ms`, "ETIMEDOUT");
          const code = (e as { code?: unknown })?.code;
          return new AdminHttpError(undefined, redact((e as Error)?.message ?? String(e), [o.secret]), typeof code === "string" ? code : undefined);
        },
        isTransient: (f) => f.status !== undefined && [429, 500, 502, 503, 504, 529].includes(f.status),
      },
      o.retry ?? ADMIN_RETRY,
      { maxCallsPerMinute: o.maxCallsPerMinute ?? 0 },
    );
  }

  /** The full URL of `path` with `query`. */
  url(path: string, query: Query = {}): string {
    const base = this.o.baseUrl.replace(/\/+$/, "");
    const u = new URL(base + path);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, x);
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /**
   * GET `path` and parse the JSON body, retrying transient failures.
   * @throws AdminAuthError on 401/403; AdminHttpError on any other failure (after retries);
   *   EndpointError (retry.ts) when the endpoint is unreachable or its certificate untrusted.
   */
  async get(path: string, query: Query = {}, headers: Record<string, string> = {}): Promise<unknown> {
    const url = this.url(path, query);
    try {
      return await this.runner.run(() => this.once(url, path, headers));
    } catch (e) {
      if (e instanceof AdminHttpError && (e.status === 401 || e.status === 403)) {
        const what = e.status === 401 ? "refused the key" : "refused access with the key";
        throw new AdminAuthError(
          `${this.o.vendor} ${what} in ${this.o.keyVar} (HTTP ${e.status} on ${path}${e.message ? `: ${e.message}` : ""}): it must be an Admin API key of the organisation, not a project or personal key`,
          e.status,
        );
      }
      throw e;
    }
  }

  private async once(url: string, path: string, headers: Record<string, string>): Promise<unknown> {
    const res = await fetch(url, { headers: { accept: "application/json", ...this.o.headers, ...headers }, redirect: "error", signal: AbortSignal.timeout(this.o.timeoutMs ?? 60_000) });
    const len = Number(res.headers.get("content-length") ?? "0");
    if (len > MAX_BODY_BYTES) {
      await res.body?.cancel();
      throw new AdminHttpError(res.status, `response of ${len} bytes is larger than ${MAX_BODY_BYTES}`);
    }
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > MAX_BODY_BYTES) throw new AdminHttpError(res.status, `response of ${buf.length} bytes is larger than ${MAX_BODY_BYTES}`);
    const text = buf.toString("utf8");
    if (!res.ok) {
      let type: string | undefined;
      let message = "";
      try {
        const body = JSON.parse(text) as { error?: { type?: unknown; code?: unknown; message?: unknown } };
        type = typeof body.error?.type === "string" ? body.error.type : typeof body.error?.code === "string" ? body.error.code : undefined;
        message = typeof body.error?.message === "string" ? body.error.message : "";
      } catch {
        message = "";
      }
      const clean = redact(message.slice(0, 300).replace(/[\u0000-\u001f\u007f]/g, " "), [this.o.secret]);
      throw new AdminHttpError(res.status, clean, type ? type.slice(0, 64) : undefined, parseRetryAfter(res.headers.get("retry-after")));
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new AdminHttpError(res.status, `${path}: response is not JSON (${(e as Error).message})`);
    }
  }

  /**
   * Every item of a cursor-paged list, page by page: `data[]` with `has_more` and the next cursor.
   * - `after`: OpenAI lists (`after=<last_id>`);
   * - `after_id`: Anthropic lists (`after_id=<last_id>`);
   * - `page`: usage reports (`page=<next_page>`).
   * A server that repeats a cursor ends the listing with an AdminHttpError (no endless loop).
   */
  async *pages(path: string, query: Query, style: "after" | "after_id" | "page", headers: Record<string, string> = {}): AsyncGenerator<unknown[]> {
    const guard = new PageTokenGuard();
    let cursor: string | undefined;
    for (;;) {
      const body = await this.get(path, { ...query, ...(cursor !== undefined ? { [style]: cursor } : {}) }, headers);
      if (typeof body !== "object" || body === null || !Array.isArray((body as { data?: unknown }).data)) {
        throw new AdminHttpError(200, `${path}: expected an object with a "data" array`);
      }
      const b = body as { data: unknown[]; has_more?: unknown; last_id?: unknown; next_page?: unknown };
      yield b.data;
      const next = style === "page" ? b.next_page : b.last_id;
      const more = b.has_more === true || (style === "page" && b.has_more === undefined && typeof next === "string" && next !== "");
      if (!more || typeof next !== "string" || next === "") return;
      if (!guard.accept(next)) throw new AdminHttpError(200, `${path}: the server repeated the cursor ${next.slice(0, 40)}; listing stopped`);
      cursor = next;
    }
  }
}

/** A Unix time in seconds as ISO 8601 UTC, or undefined. */
export function unixToIso(v: unknown): string | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 && v < 1e11 ? new Date(v * 1000).toISOString() : undefined;
}

/** An RFC 3339 time as ISO 8601 UTC, or undefined. */
export function rfc3339ToIso(v: unknown): string | undefined {
  if (typeof v !== "string" || v.length > 64) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** A plain object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A non-empty string of at most `max` characters, or undefined. */
export function str(v: unknown, max = 512): string | undefined {
  return typeof v === "string" && v !== "" ? v.slice(0, max) : undefined;
}
