/**
 * Sanctioned Gemini use in Google Workspace, per user: the Reports API `activities.list` with
 * `applicationName=gemini_in_workspace_apps` (events `feature_utilization`, type `ai_usage_event`,
 * parameters `action` and `app_name`; logs from 2025-06-20, kept 180 days; scope
 * `admin.reports.audit.readonly`).
 * https://developers.google.com/workspace/admin/reports/v1/appendix/activity/gemini-in-workspace-apps
 *
 * One `log` observation per user, UTC day and Workspace app (`appName: "Gemini in Workspace apps"`,
 * which the catalogue's gemini-for-workspace signature matches), so that a busy tenant's every
 * prompt is not stored, and a re-read day gives the same evidence.
 *
 * Gemini Enterprise (Agentspace) agents are not read: its agents.list "lists all Agents under an
 * Assistant which were created by the caller", so it is no tenant-wide inventory
 * (https://cloud.google.com/agentspace/docs/reference/rest/v1alpha/projects.locations.collections.engines.assistants.agents/list).
 */
import { EndpointError } from "../../src/io/retry.js";
import type { CollectContext } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import { isObject, str } from "../../src/io/json-file.js";
import { formatTimeCursor, PageTokenGuard, parseTimeCursor, timeWindows } from "../../src/io/paging.js";
import type { GoogleFailure } from "./retry.js";
import type { GoogleUserDirectory } from "./users.js";

export const GEMINI_APPLICATION = "gemini_in_workspace_apps";
export const GEMINI_ACTIVITIES_API = `/admin/reports/v1/activity/users/all/applications/${GEMINI_APPLICATION}`;
/** Cursor key of the Gemini activities. */
export const GEMINI_CURSOR = "reports:gemini";
/** The app name the observations carry (matched by signatures/suite_ai/gemini-for-workspace.yaml). */
export const GEMINI_APP_NAME = "Gemini in Workspace apps";

export interface GeminiStats {
  /** Activities without a valid `id.time` or actor e-mail. */
  skipped: number;
}

/**
 * Turn one page of `activities.list` items (`{id: {time, uniqueQualifier, applicationName},
 * actor: {email}, events: [{type, name, parameters: [{name, value}]}]}`) into observations, one per
 * user, UTC day and `app_name`, merged across pages through `seen` (keys already yielded this scan).
 */
export function geminiObservations(items: readonly unknown[], users: GoogleUserDirectory, source: string, seen: Set<string>, stats: GeminiStats): Observation[] {
  const out: Observation[] = [];
  for (const a of items) {
    if (!isObject(a)) {
      stats.skipped++;
      continue;
    }
    const id = isObject(a["id"]) ? a["id"] : {};
    const t = str(id["time"], 64);
    const ms = t ? Date.parse(t) : NaN;
    const actor = isObject(a["actor"]) ? a["actor"] : {};
    const email = str(actor["email"], 320)?.toLowerCase();
    if (!Number.isFinite(ms) || !email) {
      stats.skipped++;
      continue;
    }
    const day = new Date(ms).toISOString().slice(0, 10);
    const events = Array.isArray(a["events"]) ? a["events"].filter(isObject) : [];
    for (const ev of events.length ? events : [{}]) {
      const params = Array.isArray(ev["parameters"]) ? ev["parameters"].filter(isObject) : [];
      const app = str(params.find((p) => p["name"] === "app_name")?.["value"], 64)?.toLowerCase() ?? "workspace";
      const key = `${day}/${email}/${app}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const info = users.lookup(email);
      out.push({
        source,
        kind: "log",
        time: `${day}T00:00:00.000Z`,
        user: info?.email ?? email,
        ...(info?.department ? { department: info.department } : {}),
        ...(info?.jobTitle ? { jobTitle: info.jobTitle } : {}),
        appName: GEMINI_APP_NAME,
        action: bound(`${str(ev["name"], 64) ?? "feature_utilization"}:${app}`, 128),
        ref: { api: GEMINI_ACTIVITIES_API, id: key },
      });
    }
  }
  return out;
}

/** What {@link geminiActivities} needs from the live collector. */
export interface GeminiReadContext {
  source: string;
  users: GoogleUserDirectory;
  ctx: CollectContext;
  /** One `activities.list` page for `gemini_in_workspace_apps` in [start, end]; throws the client's error. */
  page(start: Date, end: Date, pageToken: string | undefined): Promise<Record<string, unknown>>;
  describe(e: unknown): GoogleFailure;
  isAuthFailure(f: GoogleFailure): boolean;
  say(f: GoogleFailure): string;
  now: Date;
  lookbackMinutes: number;
  /** First scan: days read back (the logs keep 180). */
  initialDays?: number;
}

/**
 * Read the Gemini activities window by window from the cursor `reports:gemini` (oldest first),
 * yielding observations and setting the cursor after each window read whole. A refusal (no
 * Reports scope, or no Gemini licence: 403/401) is one note and nothing else is read.
 */
export async function* geminiActivities(g: GeminiReadContext): AsyncGenerator<Observation> {
  const windows = timeWindows(parseTimeCursor(g.ctx.cursors?.get(GEMINI_CURSOR)), g.now, {
    lookbackMinutes: g.lookbackMinutes,
    initialDays: g.initialDays ?? 180,
    windowHours: 24,
  });
  const stats: GeminiStats = { skipped: 0 };
  const seen = new Set<string>();
  let cursorMoves = true;
  let calls = 0;
  for (const w of windows) {
    const guard = new PageTokenGuard();
    let token: string | undefined;
    let complete = true;
    for (let n = 1; ; n++) {
      let data: Record<string, unknown>;
      try {
        calls++;
        data = await g.page(w.start, w.end, token);
      } catch (e) {
        if (e instanceof EndpointError) throw e;
        const f = g.describe(e);
        if (calls === 1 && (g.isAuthFailure(f) || f.status === 403)) {
          g.ctx.onError({
            input: GEMINI_ACTIVITIES_API,
            message: `Gemini in Workspace apps activities not read (${g.say(f)}): they need the scope https://www.googleapis.com/auth/admin.reports.audit.readonly (and Gemini for Workspace in the tenant); the rest was read`,
            partial: false,
          });
          return;
        }
        g.ctx.onError({ input: GEMINI_ACTIVITIES_API, message: `${w.start.toISOString()}..${w.end.toISOString()} page ${n} failed after retries (${g.say(f)}); the cursor stays before this window`, partial: true });
        complete = false;
        break;
      }
      for (const o of geminiObservations(Array.isArray(data["items"]) ? data["items"] : [], g.users, g.source, seen, stats)) yield o;
      const next = data["nextPageToken"];
      if (typeof next !== "string" || next === "") break;
      if (!guard.accept(next)) {
        g.ctx.onError({ input: GEMINI_ACTIVITIES_API, message: `a repeated nextPageToken in ${w.start.toISOString()}..${w.end.toISOString()}; window left incomplete`, partial: true });
        complete = false;
        break;
      }
      token = next;
    }
    if (!complete) cursorMoves = false;
    if (cursorMoves) g.ctx.cursors?.set(GEMINI_CURSOR, formatTimeCursor(w.end));
  }
  if (stats.skipped > 0) g.ctx.onError({ input: GEMINI_ACTIVITIES_API, message: `${stats.skipped} Gemini activity item(s) skipped: no valid id.time or actor.email`, partial: true });
}
