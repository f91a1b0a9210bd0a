/**
 * Telling the kind of a saved Admin SDK response by its `kind` member or, failing that, its shape.
 * File names never decide the kind (they only name a token list's user, see `index.ts`).
 */
import { ACTIVITIES_KINDS, looksLikeActivity } from "./activities.js";
import { describeShape, isObject, str } from "../../src/io/json-file.js";
import { looksLikeToken, TOKEN_LIST_KIND } from "./tokens.js";
import { USERS_KIND } from "./users.js";

/** One recognised page of a file (an array file can hold several). */
export type GooglePage =
  /** A tokens.list response, or one `{user, items}` element of a whole-domain array, or bare tokens. */
  | { type: "tokens"; items: unknown[]; user?: string }
  /** A users.list page. */
  | { type: "users"; page: Record<string, unknown> }
  /** An activities.list page, or bare activities. */
  | { type: "activities"; items: unknown[] }
  | { type: "unknown"; why: string };

/** What the collector reads, for error messages. */
export const EXPECTED =
  `expected a Directory API tokens.list response {"kind": "${TOKEN_LIST_KIND}", "items": [...]}, ` +
  `a JSON array of {"user": ..., "items": [...]} token lists, a users.list page {"kind": "${USERS_KIND}", "users": [...]} ` +
  `or a Reports API activities.list page {"kind": "admin#reports#activities", "items": [...]}`;

function itemsOf(v: Record<string, unknown>): unknown[] | string {
  const items = v["items"];
  if (items === undefined || items === null) return [];
  return Array.isArray(items) ? items : `"items" is ${describeShape(items)}, not an array`;
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
 * - `kind` `admin#reports#activities` (or `reports#activities`), or no `kind` and `items` whose
 *   first element has `events` and `id`: an activities page.
 * - a single token or activity object: a page of one.
 * - `{"items": []}` with no `kind`: an empty token list (nothing to emit either way).
 */
export function classifyObject(v: Record<string, unknown>): GooglePage {
  const kind = v["kind"];
  if (typeof kind === "string") {
    if (kind === TOKEN_LIST_KIND) {
      const items = itemsOf(v);
      if (typeof items === "string") return { type: "unknown", why: items };
      const user = listUser(v);
      return user ? { type: "tokens", items, user } : { type: "tokens", items };
    }
    if (kind === USERS_KIND) return { type: "users", page: v };
    if (ACTIVITIES_KINDS.has(kind)) {
      const items = itemsOf(v);
      return typeof items === "string" ? { type: "unknown", why: items } : { type: "activities", items };
    }
    if (looksLikeToken(v)) return { type: "tokens", items: [v] };
    if (looksLikeActivity(v)) return { type: "activities", items: [v] };
    return { type: "unknown", why: `"kind" is ${JSON.stringify(str(kind, 80) ?? "")}, which this collector does not read` };
  }
  if (Array.isArray(v["users"])) return { type: "users", page: v };
  const items = v["items"];
  if (Array.isArray(items)) {
    const first = items.find((x) => x !== null);
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
 * Classify a parsed file: an object is one page; an array gives one page per element (a
 * whole-domain `[{user, items}]` export, bare tokens, bare activities, or saved pages).
 */
export function classifyDocument(doc: unknown): GooglePage[] {
  if (isObject(doc)) return [classifyObject(doc)];
  if (Array.isArray(doc)) {
    return doc.map((el): GooglePage => (isObject(el) ? classifyObject(el) : { type: "unknown", why: `array element is ${describeShape(el)}` }));
  }
  return [{ type: "unknown", why: `got ${describeShape(doc)}` }];
}
