/**
 * Telling the kind of a saved Admin SDK response by its `kind` member or, failing that, its shape.
 * File names never decide the kind (they only name a token list's user, see `index.ts`).
 */
import { ACTIVITIES_KINDS, looksLikeActivity } from "./activities.js";
import { describeShape, isObject, ItemArray, str } from "../../src/io/json-file.js";
import { looksLikeToken, TOKEN_LIST_KIND } from "./tokens.js";
import { USERS_KIND } from "./users.js";

/**
 * The items of a page: an array (a page inside a top-level array, assembled whole), or the
 * outline of the top-level object's item array, whose elements are streamed from the file.
 */
export type GoogleItems = readonly unknown[] | ItemArray;

/** One recognised page of a file (an array file can hold several). */
export type GooglePage =
  /** A tokens.list response, or one `{user, items}` element of a whole-domain array, or bare tokens. */
  | { type: "tokens"; items: GoogleItems; user?: string }
  /** A users.list page: its `users`. */
  | { type: "users"; users: GoogleItems }
  /** An activities.list page, or bare activities. */
  | { type: "activities"; items: GoogleItems }
  | { type: "unknown"; why: string };

/** What the collector reads, for error messages. */
export const EXPECTED =
  `expected a Directory API tokens.list response {"kind": "${TOKEN_LIST_KIND}", "items": [...]}, ` +
  `a JSON array of {"user": ..., "items": [...]} token lists, a users.list page {"kind": "${USERS_KIND}", "users": [...]} ` +
  `or a Reports API activities.list page {"kind": "admin#reports#activities" or "reports#auditActivities", "items": [...]}`;

/** The `items` (or `users`) member as items: absent or null is none; anything but an array is a reason. */
function listOf(v: Record<string, unknown>, name: string): GoogleItems | string {
  const items = v[name];
  if (items === undefined || items === null) return [];
  return Array.isArray(items) || items instanceof ItemArray ? items : `"${name}" is ${describeShape(items)}, not an array`;
}

/** The first element of items that is not null (what tells tokens from activities). */
function firstOf(items: GoogleItems): unknown {
  return items instanceof ItemArray ? items.first : items.find((x) => x !== null);
}

/** The user a token list names itself: `user`, else `primaryEmail`. */
function listUser(v: Record<string, unknown>): string | undefined {
  return str(v["user"], 320) ?? str(v["primaryEmail"], 320);
}

/**
 * Classify one JSON object.
 *
 * - `kind` `admin#directory#tokenList`, or no `kind` and `items` whose first element looks like a
 *   token (`clientId` with `displayText` or `scopes`), or no `kind`, no `items` and a `user` /
 *   `primaryEmail` member (a user with no tokens): a token list.
 * - `kind` `admin#directory#users`, or no `kind` and a `users` array: a users page.
 * - `kind` `admin#reports#activities` (or `reports#activities`, or `reports#auditActivities` as
 *   the Reports guides' examples write it), or no `kind` and `items` whose first element has
 *   `events` and `id`: an activities page.
 * - a single token or activity object: a page of one.
 * - `{"items": []}` with no `kind`: an empty token list (nothing to emit either way).
 */
export function classifyObject(v: Record<string, unknown>): GooglePage {
  const kind = v["kind"];
  if (typeof kind === "string") {
    if (kind === TOKEN_LIST_KIND) {
      const items = listOf(v, "items");
      if (typeof items === "string") return { type: "unknown", why: items };
      const user = listUser(v);
      return user ? { type: "tokens", items, user } : { type: "tokens", items };
    }
    if (kind === USERS_KIND) {
      const users = listOf(v, "users");
      return typeof users === "string" ? { type: "unknown", why: users } : { type: "users", users };
    }
    if (ACTIVITIES_KINDS.has(kind)) {
      const items = listOf(v, "items");
      return typeof items === "string" ? { type: "unknown", why: items } : { type: "activities", items };
    }
    if (looksLikeToken(v)) return { type: "tokens", items: [v] };
    if (looksLikeActivity(v)) return { type: "activities", items: [v] };
    return { type: "unknown", why: `"kind" is ${JSON.stringify(str(kind, 80) ?? "")}, which this collector does not read` };
  }
  const users = v["users"];
  if (Array.isArray(users) || users instanceof ItemArray) return { type: "users", users };
  const items = v["items"];
  if (Array.isArray(items) || items instanceof ItemArray) {
    const first = firstOf(items);
    const user = listUser(v);
    if (first === undefined || looksLikeToken(first)) return user ? { type: "tokens", items, user } : { type: "tokens", items };
    if (looksLikeActivity(first)) return { type: "activities", items };
    return { type: "unknown", why: `"items" holds ${describeShape(first)}, neither tokens nor activities` };
  }
  if (items === undefined && listUser(v) !== undefined && Object.keys(v).every((k) => ["user", "primaryEmail", "etag", "exportedAt"].includes(k))) {
    return { type: "tokens", items: [], user: listUser(v)! };
  }
  if (looksLikeToken(v)) return { type: "tokens", items: [v] };
  if (looksLikeActivity(v)) return { type: "activities", items: [v] };
  return { type: "unknown", why: `got ${describeShape(v)}` };
}

/**
 * Classify one element of a top-level array: a whole-domain `{user, items}` element, a bare
 * token or activity, or a saved page.
 */
export function classifyElement(el: unknown): GooglePage {
  return isObject(el) ? classifyObject(el) : { type: "unknown", why: `array element is ${describeShape(el)}` };
}

/**
 * Classify a parsed value held in memory: an object is one page; an array gives one page per
 * element. (The export collector classifies a file's outline and its streamed elements instead.)
 */
export function classifyDocument(doc: unknown): GooglePage[] {
  if (isObject(doc)) return [classifyObject(doc)];
  if (Array.isArray(doc)) return doc.map(classifyElement);
  return [{ type: "unknown", why: `got ${describeShape(doc)}` }];
}
