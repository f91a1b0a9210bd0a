/**
 * Microsoft Entra ID collector, live side: Microsoft Graph v1.0 through
 * `@microsoft/microsoft-graph-client`, authenticated with `@azure/identity`.
 *
 * 1. `users` ($select of id, UPN, mail, department, jobTitle: Graph omits department unless
 *    asked) and `servicePrincipals` (appId, displayName, verifiedPublisher,
 *    appOwnerOrganizationId, tags, appRoles), held in an {@link EntraDirectory}.
 * 2. `oauth2PermissionGrants` (delegated consents; `clientId` is the client service principal's
 *    object id, mapped to its appId) → `oauth_grant` `granted`.
 * 3. `servicePrincipals/{id}/appRoleAssignments` for every service principal (application
 *    permissions), `concurrency` at a time → `oauth_grant` `app_role`.
 * 4. `auditLogs/signIns` (needs Entra ID P1/P2) → `signin`, and `auditLogs/directoryAudits`
 *    "Consent to application" → `oauth_event`, both incremental from stored cursors.
 *
 * Every list follows `@odata.nextLink` to the end. Observations are made by the same functions as
 * the export collector's, with `ref: {api, id}`.
 *
 * References:
 * - https://learn.microsoft.com/graph/api/user-list
 * - https://learn.microsoft.com/graph/api/serviceprincipal-list
 * - https://learn.microsoft.com/graph/api/oauth2permissiongrant-list
 * - https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignments
 * - https://learn.microsoft.com/graph/api/signin-list
 * - https://learn.microsoft.com/graph/api/directoryaudit-list
 * - https://learn.microsoft.com/graph/paging
 */
import { EndpointError } from "../../src/io/retry.js";
import { entraDirectoryAccounts } from "./directory-accounts.js";
import { Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { CollectContext } from "../../src/core/collector.js";
import type { AgentItem } from "../../src/core/agent.js";
import type { Observation } from "../../src/core/observation.js";
import { isAgentIdentityItem, listAgentIdentities, readEntraAgents, type AgentReadContext, type EntraAgent, type ListFn } from "./agents.js";
import { readAgent365 } from "./agent365.js";
import { readCopilotStudio } from "./copilot-studio.js";
// Generic helpers shared with the Google collector (candidates for src/io/).
import { boundedMap } from "../../src/io/concurrency.js";
import { formatTimeCursor, parseTimeCursor, snapshotDay, timeWindows, type TimeWindow } from "../../src/io/paging.js";
import { directoryAuditObservations, signInObservations, type AuditContext, type AuditStats } from "./audit.js";
import { graphAuth, MicrosoftAuthError, redact } from "./auth.js";
import { CLOUDS, DEFAULT_GRAPH_RETRY, GRAPH_PERMISSIONS, type MicrosoftOptions } from "./config.js";
import { EntraDirectory } from "./directory.js";
import { appRoleObservations, grantObservations, type GrantContext, type GrantStats } from "./grants.js";
import { describeGraphFailure, graphRunner, isCredentialFailure, NON_PREMIUM_CODE, type GraphFailure, type GraphRetryStats } from "./retry.js";

const SOURCE = "microsoft-entra";

/** Endpoint paths (relative to the Graph root), as `InputError.input` and `ref.api`. */
export const API = {
  users: "/users",
  servicePrincipals: "/servicePrincipals",
  grants: "/oauth2PermissionGrants",
  appRoleAssignments: (spId: string) => `/servicePrincipals/${spId}/appRoleAssignments`,
  signIns: "/auditLogs/signIns",
  directoryAudits: "/auditLogs/directoryAudits",
} as const;

/** Cursor keys of the incremental audit logs. */
export const SIGNINS_CURSOR = "signIns";
export const CONSENT_CURSOR = "directoryAudits:consent";

const USER_SELECT = "id,userPrincipalName,mail,department,jobTitle,accountEnabled";
const SP_SELECT = "id,appId,displayName,appDisplayName,verifiedPublisher,appOwnerOrganizationId,tags,appRoles,servicePrincipalType";
/** Distinct problems of one kind reported one by one before the rest are only counted. */
const MAX_REPORTS = 20;
/** Consecutive service principals whose assignments failed after all retries before Graph is taken to be down. */
const DOWN_GIVE_UP = 50;

/** What a scan did, for tests (read after the iteration ends). */
export interface MicrosoftScanStats {
  users: number;
  servicePrincipals: number;
  grants: number;
  appRoles: number;
  signIns: number;
  consents: number;
  /** AI agents yielded (Entra agent identities, Agent 365 packages, Copilot Studio agents; each once). */
  agents: number;
  retry: GraphRetryStats;
}

/** A page of a Graph collection. */
interface GraphPage {
  value?: unknown[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}

/** A list failed at page `page` (1-based); the pages before were yielded. */
class PageError extends Error {
  constructor(
    readonly page: number,
    readonly failure: GraphFailure,
  ) {
    super(failure.message);
  }
}

/**
 * Stream observations from a live Microsoft Entra tenant through Microsoft Graph, read-only.
 *
 * Grants and app role assignments are state: they are timed at the UTC day the scan started, so
 * a re-run the same day (or after a killed run) stores nothing new. Sign-ins and consent events
 * carry their own time; their cursors (`signIns`, `directoryAudits:consent`) are set after each
 * time window whose pages were all yielded, never past a window that failed.
 *
 * Failures of one page or one service principal go to `ctx.onError` (`partial: true`) and the
 * scan goes on; nothing is ever reported gone. A tenant without Entra ID P1/P2 gets one clear
 * error for sign-ins (`partial: false`: that input is skipped), the rest is read.
 * `ctx.onProgress` counts users (`"users"`) while they are listed, then service principals
 * (`"service principals"`) while their app role assignments are read.
 *
 * @throws MicrosoftAuthError when the credentials are refused on the first call (token request
 *   failed, 401, or 403 without `Directory.Read.All`). Messages name the app, never a secret.
 */
export async function* collectMicrosoft(options: MicrosoftOptions, ctx: CollectContext, stats?: MicrosoftScanStats): AsyncGenerator<Observation> {
  for await (const x of collectMicrosoftItems(options, ctx, stats)) if (!("agent" in x)) yield x;
}

/**
 * {@link collectMicrosoft} with the AI agents (src/core/agent.ts): after the app role assignments,
 * one {@link AgentItem} per agent, each once: Entra agent identities (skipped by the apps pass, their
 * delegated grants kept for them), Agent 365 packages holding an agent (folded into their identity
 * when they name one), and, opt-in, Copilot Studio agents. A missing permission or licence for any
 * of these reads is one `ctx.onError` note (`partial: false`), never a failed scan.
 */
export async function* collectMicrosoftItems(options: MicrosoftOptions, ctx: CollectContext, stats?: MicrosoftScanStats): AsyncGenerator<Observation | AgentItem> {
  const now = options.now?.() ?? new Date();
  const snapshot = snapshotDay(now);
  const policy = options.retry ?? DEFAULT_GRAPH_RETRY;
  const runner = graphRunner(policy);
  const st: MicrosoftScanStats = Object.assign(stats ?? ({} as MicrosoftScanStats), { users: 0, servicePrincipals: 0, grants: 0, appRoles: 0, signIns: 0, consents: 0, agents: 0, retry: runner.stats });
  const auth = graphAuth(options);
  const base = options.graphBaseUrl.replace(/\/+$/, "");
  const baseUrl = new URL(base);
  const knownGraphHost = Object.values(CLOUDS).some((c) => new URL(c.graphBaseUrl).hostname === baseUrl.hostname);
  const client = Client.initWithMiddleware({
    authProvider: auth.provider,
    baseUrl: baseUrl.origin,
    // A proxy or test server gets the Authorization header only when named here (https only).
    ...(knownGraphHost ? {} : { customHosts: new Set([baseUrl.hostname]) }),
  });
  const sdkRetry = new RetryHandlerOptions(policy.sdkDelaySeconds ?? 3, policy.sdkRetries ?? 3);
  const say = (f: GraphFailure) => redact(`${f.status !== undefined ? `HTTP ${f.status}` : "no response"}${f.code ? ` ${f.code}` : ""}: ${f.message}`, auth.secrets);

  /** Every page of a list, following `@odata.nextLink`; throws PageError at the first page that fails. */
  async function* pages(url: string, headers: Record<string, string> = {}): AsyncGenerator<GraphPage> {
    let next: string | undefined = url;
    const seen = new Set<string>();
    for (let n = 1; next !== undefined; n++) {
      const target: string = next;
      let page: GraphPage;
      try {
        page = (await runner.run(() => client.api(target).headers(headers).middlewareOptions([sdkRetry]).get())) as GraphPage;
      } catch (e) {
        if (e instanceof EndpointError) throw e; // unreachable or untrusted: the whole source ends here
        throw new PageError(n, describeGraphFailure(e));
      }
      yield page ?? {};
      const link = page?.["@odata.nextLink"];
      next = typeof link === "string" && link !== "" ? link : undefined;
      if (next !== undefined) {
        if (seen.has(next)) throw new PageError(n + 1, { message: "the server repeated an earlier @odata.nextLink" });
        seen.add(next);
      }
    }
  }

  /** The first call: turn a refusal of the credentials into a clear fatal error. */
  const fatalIfAuth = (e: PageError, api: string) => {
    const f = e.failure;
    if (e.page !== 1) return;
    if (isCredentialFailure(f)) {
      throw new MicrosoftAuthError(
        `Microsoft Entra refused ${auth.describe} (${say(f)}): ` +
          (options.auth.kind === "token"
            ? "the access token is invalid or expired, or was issued for another cloud than microsoft.cloud"
            : "check the tenant and client IDs, the secret or certificate (not expired), and microsoft.cloud / microsoft.authorityHost"),
      );
    }
    if (f.status === 403) {
      throw new MicrosoftAuthError(
        `Microsoft Graph refused ${api} to ${auth.describe} (${say(f)}): the app needs the application permissions ${GRAPH_PERMISSIONS.join(" and ")} with admin consent`,
      );
    }
  };

  // 1. Users and service principals (the maps that name everything else).
  const dir = new EntraDirectory();
  ctx.onProgress?.(0, undefined, "users");
  let listed = 0;
  let total: number | undefined;
  try {
    for await (const page of pages(`${base}${API.users}?$select=${USER_SELECT}&$top=999&$count=true`, { ConsistencyLevel: "eventual" })) {
      if (typeof page["@odata.count"] === "number") total = page["@odata.count"];
      for (const u of page.value ?? []) if (typeof u === "object" && u !== null && dir.addUser(u as Record<string, unknown>)) listed++;
      ctx.rosters?.directory(entraDirectoryAccounts(page.value));
      ctx.onProgress?.(listed, total !== undefined ? Math.max(total, listed) : undefined, "users");
    }
    ctx.rosters?.complete("directory", "microsoft-entra", "accounts");
  } catch (e) {
    if (!(e instanceof PageError)) throw e;
    fatalIfAuth(e, API.users);
    ctx.onError({ input: API.users, message: `users page ${e.page} failed after retries (${say(e.failure)}); ${listed} user(s) were read, the others' grants name the user by object id`, partial: true });
  }
  st.users = listed;

  /** Every page of a list, or the failure and what was read before it (the agent reads). */
  const list: ListFn = async (url, headers) => {
    const items: unknown[] = [];
    try {
      // a collection's pages hold `value`; a single entity (a package's detail) is the item itself
      for await (const page of pages(url, headers)) items.push(...(Array.isArray(page.value) ? page.value : page && typeof page === "object" ? [page] : []));
      return { items };
    } catch (e) {
      if (!(e instanceof PageError)) throw e;
      return { items, failure: e.failure };
    }
  };
  const betaBase = options.graphBetaUrl ?? base.replace(/\/v1\.0$/, "/beta");
  const agentCtx: AgentReadContext = {
    source: SOURCE, base, betaBase, list, dir, time: snapshot, say, concurrency: options.concurrency,
    note: (input, message, partial) => ctx.onError({ input, message, partial }),
  };
  // AI agents' identities are service principals too: known first, so that the apps pass skips them
  const agentIdentities = options.agents === false ? new Map<string, Record<string, unknown>>() : ((await listAgentIdentities(agentCtx)) ?? new Map<string, Record<string, unknown>>());

  const spIds: string[] = [];
  try {
    for await (const page of pages(`${base}${API.servicePrincipals}?$select=${SP_SELECT}&$top=999`)) {
      for (const sp of page.value ?? []) {
        if (typeof sp !== "object" || sp === null) continue;
        const item = sp as Record<string, unknown>;
        if (!dir.addServicePrincipal(item)) continue;
        const id = String(item["id"]).toLowerCase();
        // an agent identity appears once, as an agent: not as an app
        if (agentIdentities.has(id)) continue;
        if (isAgentIdentityItem(item)) {
          if (options.agents !== false) agentIdentities.set(id, item);
          continue;
        }
        spIds.push(id);
      }
    }
  } catch (e) {
    if (!(e instanceof PageError)) throw e;
    if (listed === 0) fatalIfAuth(e, API.servicePrincipals);
    ctx.onError({ input: API.servicePrincipals, message: `servicePrincipals page ${e.page} failed after retries (${say(e.failure)}); ${spIds.length} read, grants of the others lack appId and publisher`, partial: true });
  }
  st.servicePrincipals = spIds.length;

  // Grants whose service principal is in no page: reported once per SP, then counted.
  const missing = new Set<string>();
  const onMissingServicePrincipal = (objectId: string, record: string) => {
    if (missing.has(objectId)) return;
    missing.add(objectId);
    if (missing.size <= MAX_REPORTS) {
      ctx.onError({ input: API.servicePrincipals, message: `${record}: service principal ${objectId} was not listed; emitted without appId or publisher`, partial: true });
    }
  };
  const gs: GrantStats = { skipped: 0, unresolvedUsers: 0 };
  const gc: GrantContext = { source: SOURCE, time: snapshot, dir, onMissingServicePrincipal };

  // 2. Delegated permission grants (those of agents are kept for the agents).
  const agentGrants = new Map<string, Record<string, unknown>[]>();
  try {
    for await (const page of pages(`${base}${API.grants}?$top=999`)) {
      const apps: unknown[] = [];
      for (const g of page.value ?? []) {
        const client = typeof g === "object" && g !== null ? String((g as Record<string, unknown>)["clientId"] ?? "").toLowerCase() : "";
        if (client && agentIdentities.has(client)) {
          const l = agentGrants.get(client) ?? [];
          if (l.length < 1000) l.push(g as Record<string, unknown>);
          agentGrants.set(client, l);
        } else apps.push(g);
      }
      for (const o of grantObservations(apps, gc, gs)) {
        st.grants++;
        yield o;
      }
    }
  } catch (e) {
    if (!(e instanceof PageError)) throw e;
    ctx.onError({ input: API.grants, message: `oauth2PermissionGrants page ${e.page} failed after retries (${say(e.failure)}); grants not read this time are kept as known`, partial: true });
  }

  // 3. Application permissions: each service principal's app role assignments.
  let done = 0;
  let failed = 0;
  ctx.onProgress?.(0, spIds.length, "service principals");
  type Assigned = { id: string; items: unknown[]; failure?: GraphFailure };
  const assignments = boundedMap(spIds, options.concurrency, async (id): Promise<Assigned> => {
    const items: unknown[] = [];
    try {
      for await (const page of pages(`${base}${API.appRoleAssignments(id)}?$top=999`)) items.push(...(page.value ?? []));
      return { id, items };
    } catch (e) {
      if (e instanceof EndpointError) throw e;
      return { id, items, failure: e instanceof PageError ? e.failure : describeGraphFailure(e) };
    }
  });
  let consecutiveFailures = 0;
  for await (const r of assignments) {
    done++;
    if (!r.failure) consecutiveFailures = 0;
    if (r.failure && r.failure.status !== 404) {
      failed++;
      if (++consecutiveFailures >= DOWN_GIVE_UP) {
        ctx.onError({
          input: API.appRoleAssignments("*"),
          message: `appRoleAssignments failed after retries for ${consecutiveFailures} service principals in a row (last: ${say(r.failure)}); Graph looks down, the ${spIds.length - done} left were not read this time`,
          partial: true,
        });
        break;
      }
      if (failed <= MAX_REPORTS) {
        ctx.onError({ input: API.appRoleAssignments(r.id), message: `appRoleAssignments failed after retries (${say(r.failure)}); ${r.items.length} read`, partial: true });
      }
    }
    for (const o of appRoleObservations(r.items, gc, gs)) {
      st.appRoles++;
      yield o;
    }
    ctx.onProgress?.(done, spIds.length, "service principals");
  }
  if (failed > MAX_REPORTS) {
    ctx.onError({ input: API.appRoleAssignments("*"), message: `${failed - MAX_REPORTS} more service principal(s) whose appRoleAssignments failed`, partial: true });
  }
  if (missing.size > MAX_REPORTS) {
    ctx.onError({ input: API.servicePrincipals, message: `${missing.size - MAX_REPORTS} more grant service principal(s) were not listed`, partial: true });
  }
  if (gs.unresolvedUsers > 0) {
    ctx.onError({ input: API.users, message: `${gs.unresolvedUsers} user grant(s) name a user who was not listed; their user is the object id (principalId)`, partial: true });
  }
  if (gs.skipped > 0) {
    ctx.onError({ input: API.grants, message: `${gs.skipped} grant or assignment item(s) skipped: grants need "clientId", assignments "principalId" and "resourceId"`, partial: true });
  }

  // 3b. AI agents: each once, with its evidence.
  if (options.agents !== false || options.agent365 !== false || options.copilotStudio) {
    const agents = new Map<string, EntraAgent>();
    if (options.agents !== false) for (const a of await readEntraAgents(agentCtx, agentIdentities, agentGrants)) agents.set(a.facts.id, a);
    if (options.agent365 !== false) await readAgent365(agentCtx, agents);
    if (options.copilotStudio) await readCopilotStudio(agentCtx, options.copilotStudio, runner, agents, auth.secrets);
    for (const id of [...agents.keys()].sort()) {
      const a = agents.get(id)!;
      st.agents++;
      yield { agent: a.facts, evidence: a.evidence };
    }
  }

  // 4. Audit logs, incremental.
  const as: AuditStats = { skipped: 0, badTime: 0, otherActivities: 0 };
  const windowOpts = { lookbackMinutes: options.lookbackMinutes, initialDays: options.initialDays ?? 30, windowHours: options.windowHours ?? 24 * 7 };
  if (options.signIns) {
    const ac: AuditContext = { source: SOURCE, api: API.signIns, fallbackTime: snapshot, dir };
    yield* incremental(SIGNINS_CURSOR, API.signIns, (w) => `createdDateTime ge ${w.start.toISOString()} and createdDateTime le ${w.end.toISOString()}`, (items) => {
      const out = [...signInObservations(items, ac, as)];
      st.signIns += out.length;
      return out;
    });
  }
  if (options.directoryAudits) {
    const ac: AuditContext = { source: SOURCE, api: API.directoryAudits, fallbackTime: snapshot, dir };
    yield* incremental(
      CONSENT_CURSOR,
      API.directoryAudits,
      (w) => `activityDisplayName eq 'Consent to application' and activityDateTime ge ${w.start.toISOString()} and activityDateTime le ${w.end.toISOString()}`,
      (items) => {
        const out = [...directoryAuditObservations(items, ac, as)];
        st.consents += out.length;
        return out;
      },
    );
  }
  if (as.skipped > 0 || as.badTime > 0) {
    ctx.onError({ input: API.signIns, message: `${as.skipped} audit record(s) skipped, ${as.badTime} without a valid time`, partial: true });
  }

  /** Read `api` window by window (oldest first), setting `cursorKey` after each complete window. */
  async function* incremental(cursorKey: string, api: string, filter: (w: TimeWindow) => string, observe: (items: unknown[]) => Observation[]): AsyncGenerator<Observation> {
    const windows = timeWindows(parseTimeCursor(ctx.cursors?.get(cursorKey)), now, windowOpts);
    let cursorMoves = true;
    for (const [i, w] of windows.entries()) {
      try {
        for await (const page of pages(`${base}${api}?$filter=${encodeURIComponent(filter(w))}&$top=1000`)) {
          for (const o of observe(page.value ?? [])) yield o;
        }
      } catch (e) {
        if (!(e instanceof PageError)) throw e;
        const f = e.failure;
        if (f.status === 403 && f.code === NON_PREMIUM_CODE) {
          ctx.onError({
            input: api,
            message: `the tenant has no Microsoft Entra ID P1 or P2 licence, which ${api} needs (${say(f)}); sign-ins were not read. Set microsoft.signIns: false to skip them; grants, app role assignments and consent events are read without it`,
            partial: false,
          });
          return;
        }
        if (i === 0 && e.page === 1 && (f.status === 403 || isCredentialFailure(f))) {
          ctx.onError({ input: api, message: `Microsoft Graph refused ${api} (${say(f)}): it needs AuditLog.Read.All and Directory.Read.All (application permissions, admin consent); not read`, partial: false });
          return;
        }
        ctx.onError({
          input: api,
          message: `${api} ${w.start.toISOString()}..${w.end.toISOString()} page ${e.page} failed after retries (${say(f)}); the cursor stays before this window and the next scan reads it again`,
          partial: true,
        });
        cursorMoves = false;
        continue;
      }
      // Everything of this window was yielded: commit the position with it.
      if (cursorMoves) ctx.cursors?.set(cursorKey, formatTimeCursor(w.end));
    }
  }
}
