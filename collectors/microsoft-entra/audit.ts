/**
 * Entra audit logs: sign-ins (`auditLogs/signIns`) as `signin` observations and
 * "Consent to application" directory audits (`auditLogs/directoryAudits`) as `oauth_event`s.
 *
 * References:
 * - https://learn.microsoft.com/graph/api/resources/signin
 * - https://learn.microsoft.com/graph/api/resources/directoryaudit
 */
import type { Observation } from "../../src/core/observation.js";
import { isObject, isoTime, scopeList, str } from "../../src/io/json-file.js";
import { field, sfield, type EntraDirectory } from "./directory.js";

export interface AuditContext {
  source: string;
  /** The saved response file (export); absent for a live API call. */
  file?: string;
  /** The API endpoint path the page came from (live); absent for an export file. */
  api?: string;
  /** Time used when a record has no valid time. */
  fallbackTime: string;
  dir: EntraDirectory;
}

export interface AuditStats {
  skipped: number;
  badTime: number;
  /** Directory audits of other activities (not consent), which are not evidence of an app. */
  otherActivities: number;
}

/** Directory audit activities read as consent events. */
export const CONSENT_ACTIVITIES: ReadonlySet<string> = new Set(["Consent to application"]);

function timeOf(v: unknown, c: AuditContext, stats: AuditStats): string {
  const t = isoTime(v);
  if (t) return t;
  stats.badTime++;
  return c.fallbackTime;
}

/**
 * One `signin` observation per sign-in (`{id, createdDateTime, userPrincipalName, userId, appId,
 * appDisplayName, ipAddress, clientAppUsed, status: {errorCode, failureReason}, ...}`):
 * `appId`, `appName`, `user` (UPN, lower-cased) with department and job title from the users
 * pages, `client` = `ipAddress`, `publisher` from the app's service principal when listed,
 * `action` = `success` or `failure <errorCode>`, `time` = `createdDateTime`, `ref: {file, id}`.
 */
export function* signInObservations(items: readonly unknown[], c: AuditContext, stats: AuditStats): Generator<Observation> {
  for (const s of items) {
    if (!isObject(s)) {
      stats.skipped++;
      continue;
    }
    const appId = sfield(s, "appId", 64)?.toLowerCase();
    const appName = sfield(s, "appDisplayName");
    if (!appId && !appName) {
      stats.skipped++;
      continue;
    }
    const status = field(s, "status");
    const code = isObject(status) ? field(status, "errorCode") : undefined;
    const action = code === undefined || code === null || code === 0 || code === "0" ? "success" : `failure ${str(String(code), 32)}`;
    const id = sfield(s, "id", 256);
    const o: Observation = {
      source: c.source,
      kind: "signin",
      time: timeOf(field(s, "createdDateTime"), c, stats),
      action,
      ref: { ...(c.file !== undefined ? { file: c.file } : {}), ...(c.api !== undefined ? { api: c.api } : {}), ...(id ? { id } : {}) },
    };
    if (appId) o.appId = appId;
    if (appName) o.appName = appName;
    const appSp = c.dir.servicePrincipalByAppId(appId);
    if (appSp?.publisher) o.publisher = appSp.publisher;
    if (appSp?.ownerTenant) o.appOwnerTenant = appSp.ownerTenant;
    const upn = sfield(s, "userPrincipalName", 320)?.toLowerCase();
    const u = c.dir.user(upn) ?? c.dir.user(sfield(s, "userId", 64));
    const user = upn ?? u?.upn;
    if (user) o.user = user;
    if (u?.department) o.department = u.department;
    if (u?.jobTitle) o.jobTitle = u.jobTitle;
    const ip = sfield(s, "ipAddress", 64);
    if (ip) o.client = ip;
    yield o;
  }
}

/** A `modifiedProperties` value: JSON-quoted (`"\"True\""`) in the audit log; unquoted when it is not. */
function unquote(v: unknown): string | undefined {
  const s = str(v, 1 << 16);
  if (!s || !s.startsWith('"')) return s;
  try {
    const u: unknown = JSON.parse(s);
    return typeof u === "string" ? u : s;
  } catch {
    return s;
  }
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * One `oauth_event` per "Consent to application" directory audit
 * (`{id, activityDisplayName, activityDateTime, result, initiatedBy: {user: {userPrincipalName,
 * ipAddress}}, targetResources: [{id, displayName, type: "ServicePrincipal", modifiedProperties:
 * [{displayName, oldValue, newValue}]}]}`).
 *
 * `appName` = the target service principal's `displayName`; `appId` from the service principal
 * pages, else from `TargetId.ServicePrincipalNames` (which holds the appId); `scopes` from the
 * new side of `ConsentAction.Permissions` (`... => [[..., ConsentType: Principal, Scope:  a b c, ...]]`);
 * `consentType` from that entry, else `AllPrincipals` when `ConsentContext.OnBehalfOfAll` is
 * true; `user` / `client` = the initiating user's UPN and IP address; `action` = the activity
 * name, with ` (failure)` when `result` is not success; `time` = `activityDateTime`.
 * Other activities are counted in `stats.otherActivities`.
 */
export function* directoryAuditObservations(items: readonly unknown[], c: AuditContext, stats: AuditStats): Generator<Observation> {
  for (const a of items) {
    if (!isObject(a)) {
      stats.skipped++;
      continue;
    }
    const activity = sfield(a, "activityDisplayName", 200);
    if (!activity || !CONSENT_ACTIVITIES.has(activity)) {
      stats.otherActivities++;
      continue;
    }
    const result = sfield(a, "result", 32);
    const id = sfield(a, "id", 256);
    const o: Observation = {
      source: c.source,
      kind: "oauth_event",
      time: timeOf(field(a, "activityDateTime"), c, stats),
      action: result && result.toLowerCase() !== "success" ? `${activity} (failure)` : activity,
      ref: { ...(c.file !== undefined ? { file: c.file } : {}), ...(c.api !== undefined ? { api: c.api } : {}), ...(id ? { id } : {}) },
    };
    const targets = Array.isArray(field(a, "targetResources")) ? (field(a, "targetResources") as unknown[]).filter(isObject) : [];
    const target = targets.find((t) => sfield(t, "type")?.toLowerCase() === "serviceprincipal") ?? targets[0];
    const props = new Map<string, string>();
    if (target && Array.isArray(field(target, "modifiedProperties"))) {
      for (const p of field(target, "modifiedProperties") as unknown[]) {
        if (!isObject(p)) continue;
        const name = sfield(p, "displayName", 128);
        const value = unquote(field(p, "newValue"));
        if (name && value !== undefined) props.set(name, value);
      }
    }
    const sp = c.dir.servicePrincipal(target ? sfield(target, "id", 64) : undefined);
    const appName = sp?.displayName ?? (target ? sfield(target, "displayName") : undefined);
    if (appName) o.appName = appName;
    const appId = sp?.appId ?? GUID.exec(props.get("TargetId.ServicePrincipalNames") ?? "")?.[0]?.toLowerCase();
    if (appId) o.appId = appId;
    const appSp = sp ?? c.dir.servicePrincipalByAppId(appId);
    const publisher = sp?.publisher ?? c.dir.servicePrincipalByAppId(appId)?.publisher;
    if (publisher) o.publisher = publisher;
    if (appSp?.ownerTenant) o.appOwnerTenant = appSp.ownerTenant;

    const perms = props.get("ConsentAction.Permissions");
    const after = perms?.includes("=>") ? perms.slice(perms.indexOf("=>") + 2) : perms;
    const scope = after ? /Scope:\s*([^,\]]*)/.exec(after)?.[1] : undefined;
    const scopes = scopeList(scope?.trim().split(/\s+/));
    if (scopes) o.scopes = scopes;
    const consent = after ? /ConsentType:\s*(AllPrincipals|Principal)\b/i.exec(after)?.[1]?.toLowerCase() : undefined;
    if (consent === "allprincipals" || (!consent && /^true$/i.test(props.get("ConsentContext.OnBehalfOfAll") ?? ""))) {
      o.consentType = "AllPrincipals";
    } else if (consent === "principal") {
      o.consentType = "Principal";
    }

    const initiatedBy = field(a, "initiatedBy");
    const by = isObject(initiatedBy) ? field(initiatedBy, "user") : undefined;
    if (isObject(by)) {
      const upn = sfield(by, "userPrincipalName", 320)?.toLowerCase();
      if (upn) {
        const u = c.dir.user(upn);
        o.user = upn;
        if (u?.department) o.department = u.department;
        if (u?.jobTitle) o.jobTitle = u.jobTitle;
      }
      const ip = sfield(by, "ipAddress", 64);
      if (ip) o.client = ip;
    }
    yield o;
  }
}
