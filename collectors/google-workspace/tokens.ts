/**
 * Directory API `tokens.list` responses: the OAuth tokens one user has granted to third-party apps.
 *
 * Reference: https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens
 */
import type { Observation } from "../../src/core/observation.js";
import { isObject, scopeList, str } from "../../src/io/json-file.js";
import type { GoogleUserDirectory } from "./users.js";

/** `kind` of a tokens.list response and of one token. */
export const TOKEN_LIST_KIND = "admin#directory#tokenList";
export const TOKEN_KIND = "admin#directory#token";

/** Where a token list was read from and what is known around it. */
export interface TokenListContext {
  source: string;
  /** The saved response file (export); absent for a live API call. */
  file?: string;
  /** The API endpoint path the list came from (live); absent for an export file. */
  api?: string;
  /** Time given to every token of the list: the UTC day of the export's `exportedAt`, else of the file's mtime; live: the UTC day the scan started. */
  time: string;
  /**
   * The user the list belongs to when the file or the list names one: the file name stem when it
   * is an e-mail address, else the list's `user` / `primaryEmail` member. Else each token's `userKey`.
   */
  user?: string;
  users: GoogleUserDirectory;
}

/** Counts of what a token list held that was not turned into observations. */
export interface TokenListStats {
  skipped: number;
}

/** Whether a value looks like one token resource (`kind` or the fields only a token has). */
export function looksLikeToken(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  if (v["kind"] === TOKEN_KIND) return true;
  return v["kind"] === undefined && typeof v["clientId"] === "string" && ("displayText" in v || "scopes" in v);
}

/**
 * One `oauth_grant` observation per token of a tokens.list response
 * (`{kind: "admin#directory#tokenList", etag, items?: [{kind: "admin#directory#token", clientId,
 * displayText, scopes[], userKey, anonymous, nativeApp, etag}]}`). A missing `items` means the user
 * has granted no tokens. Each observation carries `clientId`, `appName` (= `displayText`),
 * `scopes`, `user` (lower-cased), the user's department and job title when a users page gave them,
 * `action: "granted"`, and `ref: {file | api, id: "<clientId>/<user>"}`. The `anonymous` and
 * `nativeApp` flags are not kept. Items that are not objects or have neither `clientId` nor
 * `displayText` are counted in `stats.skipped`.
 */
export function* tokenObservations(items: Iterable<unknown>, c: TokenListContext, stats: TokenListStats): Generator<Observation> {
  for (const t of items) {
    if (!isObject(t)) {
      stats.skipped++;
      continue;
    }
    const clientId = str(t["clientId"]);
    const appName = str(t["displayText"]);
    if (!clientId && !appName) {
      stats.skipped++;
      continue;
    }
    // The user key of a token is the user's unique ID; a users page maps it to the address.
    const key = c.user ?? str(t["userKey"], 320);
    const info = c.users.lookup(key);
    const user = (info?.email ?? key)?.toLowerCase();
    const o: Observation = {
      source: c.source,
      kind: "oauth_grant",
      time: c.time,
      action: "granted",
      ref: { ...(c.file !== undefined ? { file: c.file } : {}), ...(c.api !== undefined ? { api: c.api } : {}), id: [clientId ?? appName, user].filter(Boolean).join("/") },
    };
    if (clientId) o.clientId = clientId;
    if (appName) o.appName = appName;
    const scopes = scopeList(t["scopes"]);
    if (scopes) o.scopes = scopes;
    if (user) o.user = user;
    if (info?.department) o.department = info.department;
    if (info?.jobTitle) o.jobTitle = info.jobTitle;
    yield o;
  }
}
