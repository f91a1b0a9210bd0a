/**
 * Carrying out a remediation plan: exactly the plan's items, in its order, one at a time, each
 * retried on 429 and 5xx (after its Retry-After, src/io/retry.ts), a failed item reported and the
 * others still applied, and each one journaled in the governance journal of its record (who, when,
 * the plan's hash, the result).
 *
 * Write credentials are apart from the scan's read-only ones and never used by `scan`:
 * `SHADOW_AI_GOOGLE_WRITE_ACCESS_TOKEN` (scope admin.directory.user.security) and
 * `SHADOW_AI_GRAPH_WRITE_ACCESS_TOKEN` (DelegatedPermissionGrant.ReadWrite.All,
 * Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All as the plan's actions need), access
 * tokens used as they are. They are sent only over HTTPS (http to loopback for tests).
 */
import { credentialEndpointProblem } from "../io/endpoint.js";
import { redact } from "../io/redact.js";
import { parseRetryAfter } from "../io/retry-after.js";
import { createCallRunner, type CallFailure } from "../io/retry.js";
import type { DB } from "../store/db.js";
import { journalAction } from "../store/governance.js";
import type { Plan, PlanItem } from "./plan.js";

/** Environment variables of the write credentials. */
export const WRITE_TOKEN_ENV = { google: "SHADOW_AI_GOOGLE_WRITE_ACCESS_TOKEN", graph: "SHADOW_AI_GRAPH_WRITE_ACCESS_TOKEN" } as const;

/** Where each API lives: Google's root URL (with trailing slash) and Graph's base URL with version. */
export interface ApplyEndpoints {
  googleRootUrl: string;
  graphBaseUrl: string;
}

/** The outcome of one item. */
export interface ItemResult {
  n: number;
  system: string;
  action: string;
  method: string;
  path: string;
  ok: boolean;
  status?: number;
  /** What happened, in words (redacted). */
  result: string;
}

/** A missing write credential or an endpoint credentials may not be sent to; nothing was sent. */
export class ApplyCredentialError extends Error {
  override name = "ApplyCredentialError";
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Check that every API the plan uses has its write token and an endpoint credentials may go to.
 * @throws ApplyCredentialError naming the variable or endpoint (never a token).
 */
export function checkCredentials(plan: Plan, endpoints: ApplyEndpoints, env: NodeJS.ProcessEnv): void {
  for (const api of new Set(plan.items.map((i) => i.api))) {
    const name = WRITE_TOKEN_ENV[api];
    if (!env[name]?.trim()) throw new ApplyCredentialError(`the plan changes ${api === "google" ? "Google Workspace" : "Microsoft Entra"}: set ${name} (an access token with the write permissions the README lists); the scan's read-only credentials are never used to write`);
    const url = api === "google" ? endpoints.googleRootUrl : endpoints.graphBaseUrl;
    const p = credentialEndpointProblem(url);
    if (p) throw new ApplyCredentialError(`${url.slice(0, 200)}: ${p}`);
  }
}

/**
 * Apply every item of `plan` in order as `by`, journaling each in `db`.
 * @returns one result per item, in order.
 */
export async function applyPlan(
  db: DB,
  plan: Plan,
  endpoints: ApplyEndpoints,
  options: { by: string; env?: NodeJS.ProcessEnv; onItem?: (r: ItemResult) => void; retry?: { retries: number; minTimeoutMs: number; maxTimeoutMs: number } },
): Promise<ItemResult[]> {
  const env = options.env ?? process.env;
  checkCredentials(plan, endpoints, env);
  const secrets = [env[WRITE_TOKEN_ENV.google] ?? "", env[WRITE_TOKEN_ENV.graph] ?? ""].filter((s) => s.length >= 8);
  const runner = createCallRunner<CallFailure>(
    {
      describe: (e) => (e instanceof HttpError ? { status: e.status, message: e.message, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) } : { message: (e as Error).message, ...((e as { cause?: { code?: string } }).cause?.code ? { code: (e as { cause: { code: string } }).cause.code } : {}) }),
      isTransient: (f) => f.status === 429 || (f.status !== undefined && f.status >= 500),
    },
    options.retry ?? { retries: 4, minTimeoutMs: 500, maxTimeoutMs: 8000, maxRetryTimeMs: 120_000 },
  );
  const results: ItemResult[] = [];
  for (const item of plan.items) {
    const url = urlOf(item, endpoints);
    const token = env[WRITE_TOKEN_ENV[item.api]]!.trim();
    let r: ItemResult;
    try {
      const status = await runner.run(async () => {
        const res = await fetch(url, {
          method: item.method,
          headers: { authorization: `Bearer ${token}`, ...(item.body ? { "content-type": "application/json" } : {}) },
          ...(item.body ? { body: JSON.stringify(item.body) } : {}),
          redirect: "error",
          signal: AbortSignal.timeout(60_000),
        });
        const text = (await res.text()).slice(0, 2000);
        if (res.status === 404 && item.method === "DELETE") return 404; // already gone: the goal holds
        if (!res.ok) throw new HttpError(res.status, `HTTP ${res.status}: ${errorMessage(text)}`, parseRetryAfter(res.headers.get("retry-after")));
        return res.status;
      });
      r = { n: item.n, system: item.system, action: item.action, method: item.method, path: item.path, ok: true, status, result: status === 404 ? "already gone (404)" : `done (HTTP ${status})` };
    } catch (e) {
      const status = e instanceof HttpError ? e.status : undefined;
      r = { n: item.n, system: item.system, action: item.action, method: item.method, path: item.path, ok: false, ...(status ? { status } : {}), result: `failed: ${redact((e as Error).message, secrets).slice(0, 300)}` };
    }
    journalAction(db, item.system, {
      by: options.by,
      field: "remediation",
      value: `${item.action} ${item.method} ${item.path}: ${r.result}`,
      why: `plan ${plan.hash}`,
    });
    results.push(r);
    options.onItem?.(r);
  }
  return results;
}

function urlOf(item: PlanItem, e: ApplyEndpoints): string {
  if (item.api === "google") return new URL(item.path, e.googleRootUrl.endsWith("/") ? e.googleRootUrl : `${e.googleRootUrl}/`).toString();
  return `${e.graphBaseUrl.replace(/\/+$/, "")}${item.path}`;
}

/** The error message of a Google or Graph error body, else the start of the body. */
function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string; code?: string | number } | string };
    if (j.error && typeof j.error === "object") return `${j.error.code ?? ""} ${j.error.message ?? ""}`.trim().slice(0, 300);
    if (typeof j.error === "string") return j.error.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

/** The plan items that can be undone, with how; what apply cannot take back. */
export function irreversible(plan: Plan): PlanItem[] {
  return plan.items.filter((i) => !i.reversible);
}
