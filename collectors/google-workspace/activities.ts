/**
 * Reports API `activities.list` pages for `applicationName=token`: authorize, revoke, request,
 * deny and activity (API use) events of OAuth tokens.
 *
 * References: https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list and
 * https://developers.google.com/admin-sdk/reports/v1/appendix/activity/token (event and parameter names).
 */
import type { Observation } from "../../src/core/observation.js";
import { asList, isObject, isoTime, scopeList, str } from "../../src/io/json-file.js";
import type { GoogleUserDirectory } from "./users.js";

/**
 * `kind` values of an activities.list page: the reference documents `reports#activities`, real
 * responses say `admin#reports#activities`, and the Reports guides' JSON examples
 * (https://developers.google.com/admin-sdk/reports/v1/guides/manage-audit-admin) show
 * `reports#auditActivities`.
 */
export const ACTIVITIES_KINDS: ReadonlySet<string> = new Set(["admin#reports#activities", "reports#activities", "reports#auditActivities", "admin#reports#auditActivities", "audit#activities"]);
/** `kind` values of one activity (`audit#activity` in the reference and the guides, `admin#reports#activity` in real responses). */
export const ACTIVITY_KINDS: ReadonlySet<string> = new Set(["admin#reports#activity", "audit#activity", "reports#activity"]);

/** Where an activities page was read from and what is known around it. */
export interface ActivityContext {
  source: string;
  /** The saved response file (export); absent for a live API call. */
  file?: string;
  /** The API endpoint path the page came from (live); absent for an export file. */
  api?: string;
  /** Time used when an activity has no valid `id.time`. */
  fallbackTime: string;
  users: GoogleUserDirectory;
}

/** What an activities page held that was not turned into observations. */
export interface ActivityStats {
  /** Activities of another application (`login`, `drive`, ...), by application name. */
  otherApplications: Map<string, number>;
  /** Items that are not activities, or events without a name. */
  skipped: number;
  /** Activities whose `id.time` is missing or not a date (given `fallbackTime`). */
  badTime: number;
}

/** Whether a value looks like one activity resource: its `kind`, or an `id` object and `events` (a list, or one event object). */
export function looksLikeActivity(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  if (typeof v["kind"] === "string" && ACTIVITY_KINDS.has(v["kind"])) return true;
  return isObject(v["id"]) && (Array.isArray(v["events"]) || isObject(v["events"]));
}

/** One event parameter's value: `value`, `intValue` (an int64 as a string), `boolValue` or `multiValue`. */
function paramValue(p: Record<string, unknown>): unknown {
  return p["value"] ?? p["intValue"] ?? p["boolValue"] ?? p["multiValue"];
}

/** Scopes from `scope` (multiValue) or else from `scope_data` (multiMessageValue of `{scope_name, product_bucket}`). */
function scopesOf(params: Map<string, Record<string, unknown>>): string[] | undefined {
  const direct = scopeList(params.get("scope")?.["multiValue"]);
  if (direct) return direct;
  const names: unknown[] = [];
  for (const m of asList(params.get("scope_data")?.["multiMessageValue"])) {
    if (!isObject(m)) continue;
    for (const p of asList(m["parameter"])) if (isObject(p) && p["name"] === "scope_name") names.push(p["value"]);
  }
  return scopeList(names);
}

/**
 * One `oauth_event` observation per event of each token activity in an activities.list page
 * (`{kind: "admin#reports#activities", items?: [{kind: "admin#reports#activity",
 * id: {time, uniqueQualifier, applicationName, customerId}, actor: {email, profileId, callerType},
 * ipAddress, events: [{type: "auth", name, parameters: [{name, value | intValue | boolValue |
 * multiValue | multiMessageValue}]}]}], nextPageToken?}`).
 *
 * `action` is the event name (`authorize`, `revoke`, `request`, `deny`, `activity`); `clientId`
 * from `client_id` (else `actor.applicationInfo.oauthClientId`); `appName` from `app_name`;
 * `scopes` from `scope` or `scope_data`; `user` = actor e-mail (lower-cased) with department and
 * job title from the users pages; `client` = `ipAddress`; `time` = `id.time`; `bytes` = the
 * `num_response_bytes` of an `activity` (API use) event, which tells whether a granted app is used;
 * `ref: {file | api, id: "<id.time>/<uniqueQualifier>[#<event index>]"}`. Activities of other
 * applications (`login`, `gemini_in_workspace_apps`, ...) are counted in `stats.otherApplications`,
 * not emitted.
 *
 * Every field is type-checked, never assumed: `events`, `parameters`, `multiMessageValue` and
 * `parameter` may each be a list or a single object (exports that flatten one-element lists);
 * anything else reads as empty.
 */
export function* activityObservations(items: Iterable<unknown>, c: ActivityContext, stats: ActivityStats): Generator<Observation> {
  for (const a of items) {
    if (!looksLikeActivity(a)) {
      stats.skipped++;
      continue;
    }
    const id = isObject(a["id"]) ? a["id"] : {};
    const app = str(id["applicationName"], 64) ?? "(none)";
    if (app !== "token") {
      stats.otherApplications.set(app, (stats.otherApplications.get(app) ?? 0) + 1);
      continue;
    }
    let time = isoTime(id["time"]);
    if (!time) {
      stats.badTime++;
      time = c.fallbackTime;
    }
    const actor = isObject(a["actor"]) ? a["actor"] : {};
    const email = str(actor["email"], 320)?.toLowerCase();
    const info = c.users.lookup(email);
    const appInfo = isObject(actor["applicationInfo"]) ? actor["applicationInfo"] : {};
    const client = str(a["ipAddress"], 64);
    const refBase = `${str(id["time"], 64) ?? ""}/${str(id["uniqueQualifier"], 64) ?? ""}`;
    const events = asList(a["events"]).filter(isObject);
    for (const [k, ev] of events.entries()) {
      const action = str(ev["name"], 128);
      if (!action) {
        stats.skipped++;
        continue;
      }
      const params = new Map<string, Record<string, unknown>>();
      for (const p of asList(ev["parameters"])) if (isObject(p) && typeof p["name"] === "string") params.set(p["name"], p);
      const get = (name: string) => {
        const p = params.get(name);
        return p ? str(paramValue(p)) : undefined;
      };
      const o: Observation = {
        source: c.source,
        kind: "oauth_event",
        time,
        action,
        ref: {
          ...(c.file !== undefined ? { file: c.file } : {}),
          ...(c.api !== undefined ? { api: c.api } : {}),
          id: events.length > 1 ? `${refBase}#${k}` : refBase,
        },
      };
      const clientId = get("client_id") ?? str(appInfo["oauthClientId"]);
      if (clientId) o.clientId = clientId;
      const appName = get("app_name");
      if (appName) o.appName = appName;
      const scopes = scopesOf(params);
      if (scopes) o.scopes = scopes;
      if (email) o.user = info?.email ?? email;
      if (info?.department) o.department = info.department;
      if (info?.jobTitle) o.jobTitle = info.jobTitle;
      if (client) o.client = client;
      const bytes = Number(get("num_response_bytes"));
      if (action === "activity" && params.has("num_response_bytes") && Number.isSafeInteger(bytes) && bytes >= 0) o.bytes = bytes;
      yield o;
    }
  }
}
