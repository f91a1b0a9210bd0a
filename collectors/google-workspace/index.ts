/**
 * Google Workspace collector, export side: Admin SDK responses saved as JSON files.
 *
 * Reads Directory API `tokens.list` responses (the OAuth grants of each user), Directory API
 * `users.list` pages (department and job title), and Reports API `activities.list` pages for
 * `applicationName=token` (authorize/revoke/activity events). Each file's kind is told by its
 * `kind` member or its shape (see `detect.ts`), never by its name.
 *
 * References:
 * - https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens
 * - https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list
 * - https://developers.google.com/admin-sdk/reports/reference/rest/v1/activities/list
 */
import { basename } from "node:path";
import type { CollectContext, Collector } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import { activityObservations, ACTIVITIES_KINDS, type ActivityStats } from "./activities.js";
import { classifyElement, classifyObject, EXPECTED, type GooglePage } from "./detect.js";
import { describeShape, drain, ItemArray, itemsOf, outlineJsonFile, oversizeMessage, readJsonRecords, snapshotTime, sniffFirstMember, type JsonOutline, type ReadJsonOptions } from "../../src/io/json-file.js";
import { tokenObservations, TOKEN_LIST_KIND, type TokenListStats } from "./tokens.js";
import { GoogleUserDirectory } from "./users.js";
import { directoryAccounts } from "./directory-accounts.js";
import type { GoogleOptions } from "./config.js";
import type { GoogleScanStats } from "./live.js";

export const id = "google-workspace";
export const displayName = "Google Workspace (Admin SDK exports)";
export const docsUrl = "https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens";

export { classifyDocument } from "./detect.js";
export { GoogleUserDirectory } from "./users.js";
export { GOOGLE_SCOPES, googleConfigSchema, googleOptions, type GoogleConfig, type GoogleOptions } from "./config.js";
export { GoogleAuthError } from "./errors.js";
export type { GoogleScanStats } from "./live.js";

const EMAIL = /^[^\s@/\\]+@[^\s@/\\]+\.[^\s@/\\]+$/;

/** A date or date-time as daily exports put it in a file name: `2026-12-07`, `20261207`, `2026-12-07T0600Z`. */
const DATE = String.raw`\d{4}-?\d{2}-?\d{2}(?:[T_ -]?\d{2}[:-]?\d{2}(?:[:-]?\d{2})?Z?)?`;
/** What copying or dating a file adds around its name: ` (1)`, ` - Copy`, `_copy2`, `-2026-12-07`, `2026-12-07_`. */
const NAME_NOISE = [new RegExp(String.raw`\s*\(\d+\)$`), /[\s_.-]+(?:-\s*)?copy(?:\s*\d+)?$/i, new RegExp(String.raw`[\s_.-]+${DATE}$`), new RegExp(String.raw`^${DATE}[\s_.-]+`)];

/**
 * The user a file name names: `alice@example.com.json` gives `alice@example.com`, and so do the
 * names a copy or a daily export gives the same file (`alice@example.com (1).json`,
 * `alice@example.com - Copy.json`, `alice@example.com-2026-12-07.json`,
 * `2026-12-07_alice@example.com.json`), so that a copy names the same user. Used only when the
 * response does not name its user itself.
 */
export function userFromFileName(file: string): string | undefined {
  let stem = basename(file).replace(/\.json$/i, "");
  for (let changed = true; changed && stem.length > 0; ) {
    changed = false;
    for (const re of NAME_NOISE) {
      const next = stem.replace(re, "");
      if (next !== stem) {
        stem = next;
        changed = true;
      }
    }
  }
  return EMAIL.test(stem) ? bound(stem.toLowerCase(), 320) : undefined;
}

/**
 * Stream observations from Admin SDK responses saved as JSON files, one at a time (see
 * {@link collectExportBatches} for what is read and how; this is the same, flattened).
 */
export async function* collectExport(files: string[], ctx: CollectContext, opts: ReadJsonOptions = {}): AsyncIterable<Observation> {
  for await (const batch of collectExportBatches(files, ctx, opts)) yield* drain(batch);
}

/**
 * Stream observations from Admin SDK responses saved as JSON files, in batches: the evidence of
 * one 64 KiB chunk of a file (or of one page of a top-level array), as `Observation[]`. The scan
 * pipeline takes a batch with one `await` instead of one per observation (about 4 promise hops
 * per level of async generator), and every assembled record is dropped as soon as its observation
 * is made: what the scan holds while it matches and stores a batch is that batch's observations,
 * never the records or the chunk they came from, so nothing of the file outlives one batch and
 * memory stays flat whatever the export's size (issue #22: 1,000,000 tokens under 200 MB peak RSS).
 *
 * Inputs, in any order and any mix (the kind of each file is detected):
 * - `tokens.list` responses `{kind: "admin#directory#tokenList", items?: [token]}`, one file per
 *   user. The user is the response's optional top-level `user` or `primaryEmail` member (not part
 *   of the API: add it when saving), else the file name stem when it is an e-mail address
 *   (`alice@example.com.json`), else each token's `userKey` (the user's unique ID, turned into the
 *   primary address when a users page lists that ID). A JSON array of `{user, items}` objects is
 *   a whole-domain export; bare token arrays are read too.
 * - `users.list` pages `{kind: "admin#directory#users", users: [...]}`: department and job title
 *   per user, applied to that user's observations whatever the file order.
 * - `activities.list` pages for applicationName=token `{kind: "admin#reports#activities"` (or
 *   `reports#activities`, `reports#auditActivities`)`, items}`.
 *
 * Each token becomes an `oauth_grant` (`action: "granted"`) timed at the UTC day of the file's
 * top-level `exportedAt` when present (ISO 8601; not part of the API), else of the file's
 * modification time, since tokens.list carries no time: grants are state, timed as the live
 * scan times them (the UTC day it ran), so that a copy of the same export gives the same
 * observations. Each token event becomes an `oauth_event` timed at `id.time`.
 *
 * Files are streamed (see `src/io/json-file.ts`): memory stays flat whatever their size. Users
 * pages are read first (pass 1: only the user map is kept); then the other files are read one at
 * a time (pass 2). A file whose first member is a token-list or activities `kind` is not read in
 * pass 1. Problems are reported through `ctx.onError` and never stop the scan: an unreadable,
 * oversized or invalid file (with line, column and byte offset), a file of unknown shape (naming
 * what was expected), and skipped items within a file (`partial: true`).
 */
export async function* collectExportBatches(files: string[], ctx: CollectContext, opts: ReadJsonOptions = {}): AsyncGenerator<Observation[]> {
  const users = new GoogleUserDirectory();
  const deferred: string[] = [];
  const readInPass1 = new Set<string>();
  for (const file of new Set(files)) {
    const first = await sniffFirstMember(file);
    if (first && first[0] === "kind" && (first[1] === TOKEN_LIST_KIND || ACTIVITIES_KINDS.has(first[1]))) {
      deferred.push(file);
      continue;
    }
    const outline = await outlineJsonFile(file, ctx, opts);
    if (!outline) continue;
    readInPass1.add(file);
    let other = false;
    try {
      for await (const chunk of pageChunks(outline)) {
        for (const p of drain(chunk)) {
          if (p.type === "users") for await (const batch of itemsOf(outline, p.users)) { users.addUsers(batch); ctx.rosters?.directory(directoryAccounts(batch)); }
          else other = true;
        }
      }
    } catch (e) {
      ctx.onError({ input: file, message: bound((e as Error).message, 300), partial: false });
      continue;
    }
    if (other) deferred.push(file);
    else {
      const over = oversizeMessage(outline);
      if (over) ctx.onError({ input: file, message: over, partial: true });
    }
  }
  for (const file of deferred) {
    const outline = await outlineJsonFile(file, ctx, opts);
    if (!outline) continue;
    try {
      yield* fileBatches(outline, users, ctx, !readInPass1.has(file));
    } catch (e) {
      ctx.onError({ input: file, message: bound((e as Error).message, 300), partial: true });
    }
  }
}

/**
 * The pages of an outlined file, a chunk at a time: the top-level object (a chunk of one page,
 * whose item array is streamed by {@link itemsOf}), or the elements of a top-level array that one
 * read of the file assembled (each a whole page, items included).
 */
async function* pageChunks(outline: JsonOutline): AsyncGenerator<GooglePage[]> {
  if (outline.top === "object") {
    yield [classifyObject(outline.members)];
  } else if (outline.top === "array") {
    for await (const batch of readJsonRecords(outline)) {
      const pages: GooglePage[] = [];
      for (const r of drain(batch)) pages.push(classifyElement(r.value));
      yield pages;
    }
  } else {
    yield [{ type: "unknown", why: `got ${describeShape(outline.scalar)}` }];
  }
}

/**
 * The observations of one outlined file: a batch per chunk of a streamed item array, or per chunk
 * of pages of a top-level array. Each chunk's records are turned into observations before the
 * batch is handed over, and emptied from their arrays as they are ({@link drain}), so that the
 * caller, while it matches and stores the batch, holds only observations.
 */
async function* fileBatches(outline: JsonOutline, users: GoogleUserDirectory, ctx: CollectContext, usersNotYetRead: boolean): AsyncGenerator<Observation[]> {
  const file = outline.file;
  const time = snapshotTime(outline);
  const stemUser = userFromFileName(file);
  const tokenStats: TokenListStats = { skipped: 0 };
  const actStats: ActivityStats = { otherApplications: new Map(), skipped: 0, badTime: 0 };
  let unknown = 0;
  let firstUnknown = "";
  let pages = 0;
  let out: Observation[] = [];
  for await (const chunk of pageChunks(outline)) {
    for (const p of drain(chunk)) {
      pages++;
      switch (p.type) {
        case "users":
          if (usersNotYetRead) for await (const batch of itemsOf(outline, p.users)) { users.addUsers(batch); ctx.rosters?.directory(directoryAccounts(batch)); }
          break;
        case "tokens": {
          // What the content says first (the list's own user), then the file name.
          const user = p.user ?? stemUser;
          const c = { source: id, file, time, users, ...(user ? { user } : {}) };
          for await (const batch of itemsOf(outline, p.items)) {
            for (const o of tokenObservations(drain(batch as unknown[]), c, tokenStats)) out.push(o);
            if (p.items instanceof ItemArray && out.length > 0) {
              yield out;
              out = [];
            }
          }
          break;
        }
        case "activities": {
          const c = { source: id, file, fallbackTime: time, users };
          for await (const batch of itemsOf(outline, p.items)) {
            for (const o of activityObservations(drain(batch as unknown[]), c, actStats)) out.push(o);
            if (p.items instanceof ItemArray && out.length > 0) {
              yield out;
              out = [];
            }
          }
          break;
        }
        case "unknown":
          if (unknown++ === 0) firstUnknown = p.why;
          break;
      }
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (unknown > 0) {
    const all = unknown === pages;
    ctx.onError({
      input: file,
      message: all ? `unrecognised file: ${firstUnknown}; ${EXPECTED}` : `${unknown} of ${pages} array elements skipped (first: ${firstUnknown}); ${EXPECTED}`,
      partial: !all,
    });
  }
  const over = oversizeMessage(outline);
  if (over) ctx.onError({ input: file, message: over, partial: true });
  if (tokenStats.skipped > 0) {
    ctx.onError({ input: file, message: `${tokenStats.skipped} token item(s) skipped: expected objects with "clientId" or "displayText"`, partial: true });
  }
  if (actStats.skipped > 0) {
    ctx.onError({ input: file, message: `${actStats.skipped} activity item(s) or event(s) skipped: expected activities with "id" and named "events"`, partial: true });
  }
  if (actStats.badTime > 0) {
    ctx.onError({ input: file, message: `${actStats.badTime} activit(ies) without a valid "id.time" were given the file's snapshot day ${time}`, partial: true });
  }
  if (actStats.otherApplications.size > 0) {
    const list = [...actStats.otherApplications].map(([app, n]) => `${app} (${n})`).join(", ");
    ctx.onError({ input: file, message: `activities of application ${list} not read: only applicationName=token is`, partial: true });
  }
}

/** The collector as the core interface sees it: input is the list of saved response files. */
export const exportCollector: Collector<string[]> = { id, displayName, docsUrl, collect: collectExport };

/**
 * Live scan of a Google Workspace tenant (`scan google`); see `live.ts` for what it reads and
 * yields. The Google SDKs (a few hundred ms to load) are imported on the first call only, so that
 * other commands start fast.
 * @throws GoogleAuthError when the credentials are refused on the first call.
 */
export async function* collectGoogle(options: GoogleOptions, ctx: CollectContext, stats?: GoogleScanStats): AsyncGenerator<Observation> {
  const live = await import("./live.js");
  yield* live.collectGoogle(options, ctx, stats);
}

/** The live side (`scan google`): input is the options built by {@link googleOptions}. */
export const liveCollector: Collector<GoogleOptions> = {
  id,
  displayName: "Google Workspace (Admin SDK, live)",
  docsUrl,
  collect: (options, ctx) => collectGoogle(options, ctx),
};
