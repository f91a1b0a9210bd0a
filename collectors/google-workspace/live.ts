/**
 * Google Workspace collector, live side: the Admin SDK through `@googleapis/admin`.
 *
 * 1. Directory API `users.list` (every page): primary address, aliases, org unit, department and
 *    job title of each user, kept in a {@link GoogleUserDirectory}.
 * 2. Directory API `tokens.list` per user, `concurrency` at a time, under a calls-per-minute
 *    ceiling, each call retried on 429 / 403 rate limits / 5xx with backoff and jitter.
 * 3. Reports API `activities.list` for `applicationName=token` (authorize, revoke, request, deny,
 *    activity), incremental from the stored cursor, in time windows, oldest first.
 *
 * Observations have the same shapes as the export collector's (the same parsing functions make
 * them): `oauth_grant` (`action: "granted"`) per token, `oauth_event` per token event, with
 * `ref: {api, id}` instead of `ref: {file, id}`.
 *
 * References:
 * - https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list
 * - https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens/list
 * - https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list
 * - https://developers.google.com/admin-sdk/reports/v1/appendix/activity/token
 */
import { EndpointError } from "../../src/io/retry.js";
import { admin, type GlobalOptions } from "@googleapis/admin";
import type { CollectContext } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import { directoryAccounts } from "./directory-accounts.js";
import { activityObservations, type ActivityStats } from "./activities.js";
import { GEMINI_APPLICATION, geminiActivities } from "./gemini.js";
import { googleAuth, GoogleAuthError, redact, type GoogleAuth } from "./auth.js";
import { boundedMap } from "../../src/io/concurrency.js";
import { DEFAULT_RETRY, type GoogleOptions } from "./config.js";
import { formatTimeCursor, PageTokenGuard, parseTimeCursor, snapshotDay, timeWindows } from "../../src/io/paging.js";
import { callRunner, describeFailure, isAuthFailure, type GoogleFailure, type RetryStats } from "./retry.js";
import { tokenObservations, type TokenListStats } from "./tokens.js";
import { GoogleUserDirectory } from "./users.js";

/** Collector id, the same as the export side's: both describe one source. */
const SOURCE = "google-workspace";

/** Endpoint paths, as `InputError.input` and `ref.api`. */
export const USERS_API = "/admin/directory/v1/users";
export const tokensApi = (userKey: string) => `/admin/directory/v1/users/${userKey}/tokens`;
export const TOKEN_ACTIVITIES_API = "/admin/reports/v1/activity/users/all/applications/token";

/** Cursor key of the Reports API token events. */
export const REPORTS_CURSOR = "reports:token";

/** Fields asked of users.list (less to transfer; `organizations` holds department and title). */
const USER_FIELDS = "nextPageToken,users(id,primaryEmail,aliases,orgUnitPath,organizations,suspended)";

/** Per-user failures reported one by one before the rest are only counted. */
const MAX_USER_ERRORS = 20;
/** Users tried with only auth refusals and no success before tokens.list is given up. */
const AUTH_GIVE_UP = 10;
/** Consecutive users whose tokens.list failed after all retries before the API is taken to be down. */
const DOWN_GIVE_UP = 50;

/** What a scan did, for tests and the bench (read after the iteration ends). */
export interface GoogleScanStats {
  users: number;
  usersFailed: number;
  grants: number;
  events: number;
  retry: RetryStats;
}

type TokensResult = { email: string; items: unknown[] } | { email: string; failure: GoogleFailure };

/**
 * Stream observations from a live Google Workspace tenant, read-only.
 *
 * Grants are state: each token observation is timed at the UTC day the scan started
 * (`2026-11-22T00:00:00.000Z`), so a re-run on the same day, or a run after a killed one, stores
 * nothing new, while a later day's scan records that the grant still exists. Token events carry
 * their own time. The Reports cursor (`reports:token` in `ctx.cursors`) is set after each time
 * window whose pages were all read and yielded, never past a window that failed.
 *
 * Failures of one page or one user go to `ctx.onError` (`partial: true`) and the scan goes on; a
 * partial scan never says a grant is gone (no observation says so). `ctx.onProgress(done, total,
 * "users")` counts users whose tokens were read.
 *
 * @param stats filled in as the scan goes (optional).
 * @throws GoogleAuthError when the credentials are refused on the first call (401, a 403 that is
 *   not a rate limit, `unauthorized_client` / `invalid_grant` at the token endpoint) or the key
 *   file cannot be read. Messages name the account, never a secret.
 */
export async function* collectGoogle(options: GoogleOptions, ctx: CollectContext, stats?: GoogleScanStats): AsyncGenerator<Observation> {
  const now = options.now?.() ?? new Date();
  const snapshot = snapshotDay(now);
  const auth = await googleAuth(options.auth, options.tokenUrl);
  const runner = callRunner(options.maxCallsPerMinute, options.retry ?? DEFAULT_RETRY);
  const st: GoogleScanStats = Object.assign(stats ?? ({} as GoogleScanStats), { users: 0, usersFailed: 0, grants: 0, events: 0, retry: runner.stats });
  // googleapis' own retries are off: they ignore Retry-After and 403 rate limits (see retry.ts).
  // The auth client comes from this package's google-auth-library; googleapis only calls its request().
  const client = auth.client as unknown as GlobalOptions["auth"];
  const directory = admin({ version: "directory_v1", auth: client, retry: false });
  const reports = admin({ version: "reports_v1", auth: client, retry: false });
  // rootUrl per call keeps its path prefix (an API-level rootUrl keeps only the origin).
  const callOpts = { retry: false, ...(options.rootUrl ? { rootUrl: options.rootUrl.endsWith("/") ? options.rootUrl : `${options.rootUrl}/` } : {}) };
  const say = (f: GoogleFailure) => redact(`${f.status !== undefined ? `HTTP ${f.status}` : (f.code ?? "network error")}${f.reason ? ` ${f.reason}` : ""}: ${f.message}`, auth.secrets);

  // 1. Users.
  ctx.onProgress?.(0, undefined, "users");
  const users = new GoogleUserDirectory();
  const emails: string[] = [];
  const listed = new Set<string>();
  const guard = new PageTokenGuard();
  let pageToken: string | undefined;
  let listedWhole = true;
  for (let page = 1; ; page++) {
    let data: Record<string, unknown>;
    try {
      const res = await runner.run(() =>
        directory.users.list({ customer: options.customer, maxResults: 500, fields: USER_FIELDS, ...(pageToken ? { pageToken } : {}) }, callOpts),
      );
      data = (res.data ?? {}) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof EndpointError) throw e; // unreachable or untrusted: the whole source ends here
      const f = describeFailure(e);
      if (page === 1) throwIfFatal(e, f, auth, say);
      ctx.onError({ input: USERS_API, message: `users.list page ${page} failed after retries (${say(f)}); tokens of the ${emails.length} user(s) listed so far are read`, partial: true });
      listedWhole = false;
      break;
    }
    users.addPage(data);
    ctx.rosters?.directory(directoryAccounts(data["users"]));
    for (const u of Array.isArray(data["users"]) ? data["users"] : []) {
      const email = typeof u === "object" && u !== null ? (u as Record<string, unknown>)["primaryEmail"] : undefined;
      if (typeof email === "string" && email) {
        const key = bound(email.toLowerCase(), 320);
        if (!listed.has(key)) emails.push(key); // a user listed twice (the directory changed while paging) is read once
        listed.add(key);
      }
    }
    const next = data["nextPageToken"];
    if (typeof next !== "string" || next === "") break;
    if (!guard.accept(next)) {
      ctx.onError({ input: USERS_API, message: `users.list page ${page} repeated an earlier nextPageToken; listing stopped with ${emails.length} user(s)`, partial: true });
      listedWhole = false;
      break;
    }
    pageToken = next;
  }
  st.users = emails.length;
  if (listedWhole) ctx.rosters?.complete("directory", SOURCE, "accounts");

  // 2. Tokens per user.
  const total = emails.length;
  let done = 0;
  let okUsers = 0;
  let authRefusals = 0;
  let consecutiveFailures = 0;
  let reported = 0;
  let firstUnreported: string | undefined;
  const tokenStats: TokenListStats = { skipped: 0 };
  ctx.onProgress?.(0, total, "users");
  const results = boundedMap(emails, options.concurrency, async (email): Promise<TokensResult> => {
    try {
      const res = await runner.run(() => directory.tokens.list({ userKey: email }, callOpts));
      const items = (res.data as { items?: unknown } | undefined)?.items;
      return { email, items: Array.isArray(items) ? items : [] };
    } catch (e) {
      if (e instanceof EndpointError) throw e;
      return { email, failure: describeFailure(e) };
    }
  });
  for await (const r of results) {
    done++;
    if ("failure" in r) {
      st.usersFailed++;
      if (r.failure.status === 404) {
        // The user was deleted between users.list and tokens.list: nothing to read.
      } else if (reported < MAX_USER_ERRORS) {
        reported++;
        ctx.onError({ input: tokensApi(r.email), message: `tokens.list failed after retries (${say(r.failure)}); this user's grants were not read this time and are kept as known`, partial: true });
      } else {
        firstUnreported ??= r.email;
      }
      if (isAuthFailure(r.failure)) authRefusals++;
      if (r.failure.status !== 404) consecutiveFailures++;
      if (consecutiveFailures >= DOWN_GIVE_UP) {
        ctx.onError({
          input: tokensApi("*"),
          message: `tokens.list failed after retries for ${consecutiveFailures} users in a row (last: ${say(r.failure)}); the API looks down, so the ${total - done} user(s) left were not read this time and their grants are kept as known`,
          partial: true,
        });
        break;
      }
      if (okUsers === 0 && authRefusals >= AUTH_GIVE_UP) {
        ctx.onError({
          input: tokensApi("*"),
          message: `tokens.list was refused for the first ${authRefusals} users (${say(r.failure)}): does ${auth.describe} have the scope https://www.googleapis.com/auth/admin.directory.user.security? Grants were not read`,
          partial: true,
        });
        break;
      }
    } else {
      okUsers++;
      consecutiveFailures = 0;
      for (const o of tokenObservations(r.items, { source: SOURCE, api: tokensApi(r.email), time: snapshot, user: r.email, users }, tokenStats)) {
        st.grants++;
        yield o;
      }
    }
    ctx.onProgress?.(done, total, "users");
  }
  if (reported >= MAX_USER_ERRORS && firstUnreported !== undefined) {
    ctx.onError({ input: tokensApi(firstUnreported), message: `${st.usersFailed - reported} more user(s) whose tokens.list failed (first: this one); their grants are kept as known`, partial: true });
  }
  if (tokenStats.skipped > 0) {
    ctx.onError({ input: tokensApi("*"), message: `${tokenStats.skipped} token item(s) skipped: expected objects with "clientId" or "displayText"`, partial: true });
  }

  // 3. Token events, incremental.
  const windows = timeWindows(parseTimeCursor(ctx.cursors?.get(REPORTS_CURSOR)), now, {
    lookbackMinutes: options.lookbackMinutes,
    initialDays: options.initialDays ?? 180,
    windowHours: options.windowHours ?? 24,
  });
  const actStats: ActivityStats = { otherApplications: new Map(), skipped: 0, badTime: 0 };
  let cursorMoves = true;
  let reportsCalls = 0;
  windows: for (const w of windows) {
    const wguard = new PageTokenGuard();
    let token: string | undefined;
    let complete = true;
    for (let page = 1; ; page++) {
      let data: Record<string, unknown>;
      try {
        reportsCalls++;
        const res = await runner.run(() =>
          reports.activities.list(
            {
              userKey: "all",
              applicationName: "token",
              startTime: w.start.toISOString(),
              endTime: w.end.toISOString(),
              maxResults: 1000,
              ...(options.customer !== "my_customer" ? { customerId: options.customer } : {}),
              ...(token ? { pageToken: token } : {}),
            },
            callOpts,
          ),
        );
        data = (res.data ?? {}) as Record<string, unknown>;
      } catch (e) {
        if (e instanceof EndpointError) throw e;
        const f = describeFailure(e);
        if (reportsCalls === 1 && isAuthFailure(f)) {
          ctx.onError({
            input: TOKEN_ACTIVITIES_API,
            message: `the Reports API refused ${auth.describe} (${say(f)}): it needs the scope https://www.googleapis.com/auth/admin.reports.audit.readonly; token events were not read`,
            partial: true,
          });
          break windows;
        }
        ctx.onError({
          input: TOKEN_ACTIVITIES_API,
          message: `activities.list ${w.start.toISOString()}..${w.end.toISOString()} page ${page} failed after retries (${say(f)}); the cursor stays before this window and the next scan reads it again`,
          partial: true,
        });
        complete = false;
        break;
      }
      const items = Array.isArray(data["items"]) ? data["items"] : [];
      for (const o of activityObservations(items, { source: SOURCE, api: TOKEN_ACTIVITIES_API, fallbackTime: w.end.toISOString(), users }, actStats)) {
        st.events++;
        yield o;
      }
      const next = data["nextPageToken"];
      if (typeof next !== "string" || next === "") break;
      if (!wguard.accept(next)) {
        ctx.onError({ input: TOKEN_ACTIVITIES_API, message: `activities.list repeated an earlier nextPageToken in ${w.start.toISOString()}..${w.end.toISOString()}; window left incomplete`, partial: true });
        complete = false;
        break;
      }
      token = next;
    }
    if (!complete) cursorMoves = false;
    // Everything of this window was yielded: commit the position with it.
    if (cursorMoves) ctx.cursors?.set(REPORTS_CURSOR, formatTimeCursor(w.end));
  }
  if (actStats.skipped > 0 || actStats.badTime > 0) {
    ctx.onError({
      input: TOKEN_ACTIVITIES_API,
      message: `${actStats.skipped} activity item(s) or event(s) skipped, ${actStats.badTime} without a valid id.time`,
      partial: true,
    });
  }

  // 4. Sanctioned Gemini use per user (gemini.ts), incremental like token events.
  if (options.gemini !== false) {
    yield* geminiActivities({
      source: SOURCE, users, ctx, now, lookbackMinutes: options.lookbackMinutes, say, describe: describeFailure, isAuthFailure,
      ...(options.initialDays !== undefined ? { initialDays: options.initialDays } : {}),
      page: async (start, end, pageToken) => {
        const res = await runner.run(() =>
          reports.activities.list(
            {
              userKey: "all", applicationName: GEMINI_APPLICATION, startTime: start.toISOString(), endTime: end.toISOString(), maxResults: 1000,
              ...(options.customer !== "my_customer" ? { customerId: options.customer } : {}),
              ...(pageToken ? { pageToken } : {}),
            },
            callOpts,
          ),
        );
        return (res.data ?? {}) as Record<string, unknown>;
      },
    });
  }
}

/** Throw a clear GoogleAuthError for a refusal of the credentials on the first call; else return. */
function throwIfFatal(e: unknown, f: GoogleFailure, auth: GoogleAuth, say: (f: GoogleFailure) => string): void {
  if (isAuthFailure(f)) {
    const hint =
      f.reason && /^(unauthorized_client|access_denied)$/.test(f.reason)
        ? "check that the service account's client ID is listed under Admin console > Security > API controls > Domain-wide delegation with exactly the three read-only scopes, and that google.subject is a super admin"
        : f.reason === "invalid_grant"
          ? "check google.subject (an existing admin) and the key (not revoked, clock in sync)"
          : f.status === 401
            ? "the access token is invalid or expired (tokens from `gcloud auth print-access-token` last an hour)"
            : "the account lacks the admin role or the scope https://www.googleapis.com/auth/admin.directory.user.readonly";
    throw new GoogleAuthError(`Google refused ${auth.describe} (${say(f)}): ${hint}`);
  }
  if (f.status === undefined && f.code === undefined && !(e instanceof Error && "response" in e)) {
    // Not an HTTP or network failure: the client could not even sign a request (a bad private key).
    throw new GoogleAuthError(`cannot authenticate with ${auth.describe}: ${say(f)}`);
  }
}

