/**
 * Microsoft Entra ID collector, export side: Microsoft Graph v1.0 responses saved as JSON files.
 *
 * Reads `servicePrincipals`, `users` and deleted users pages (held in memory as two small maps;
 * the users' directory status goes to the vendor roster store, see {@link collectExport}), then
 * `oauth2PermissionGrants` (delegated consents), app role assignments, sign-ins and
 * "Consent to application" directory audits. Each page's kind is told by its `@odata.context` or,
 * failing that, by its items' fields (see `detect.ts`), never by the file name.
 *
 * References:
 * - https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant
 * - https://learn.microsoft.com/graph/api/resources/serviceprincipal
 * - https://learn.microsoft.com/graph/api/resources/approleassignment
 * - https://learn.microsoft.com/graph/api/resources/signin
 * - https://learn.microsoft.com/graph/api/resources/directoryaudit
 */
import type { CollectContext, Collector } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import type { DirectoryAccount } from "../../src/core/roster.js";
import { describeShape, isObject, itemsOf, outlineJsonFile, oversizeMessage, readJsonRecords, snapshotTime, sniffFirstMember, type ItemArray, type JsonOutline, type ReadJsonOptions } from "../../src/io/json-file.js";
import { directoryAuditObservations, signInObservations, type AuditStats } from "./audit.js";
import { classifyElement, classifyObject, EXPECTED, kindFromContext, MAP_KINDS, type EntraPage } from "./detect.js";
import { deletedUserUpn, entraDirectoryAccounts } from "./directory-accounts.js";
import { EntraDirectory, field, sfield } from "./directory.js";
import { appRoleObservations, grantObservations, type GrantContext, type GrantStats } from "./grants.js";
import type { MicrosoftOptions } from "./config.js";
import type { MicrosoftScanStats } from "./live.js";

export const id = "microsoft-entra";
export const displayName = "Microsoft Entra ID (Graph exports)";
export const docsUrl = "https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant";

export { classifyDocument, kindFromContext, kindFromItem } from "./detect.js";
export { EntraDirectory } from "./directory.js";
export { CLOUDS, GRAPH_PERMISSIONS, microsoftConfigSchema, microsoftOptions, type MicrosoftConfig, type MicrosoftOptions } from "./config.js";
export { MicrosoftAuthError } from "./errors.js";
export type { MicrosoftScanStats } from "./live.js";

/** Distinct missing service principals reported one by one before the rest are only counted. */
const MAX_MISSING_REPORTS = 20;

/**
 * Stream observations from Microsoft Graph v1.0 responses saved as JSON files, in any order and
 * any split (each `@odata.nextLink` page may be its own file).
 *
 * Pass 1 reads every `servicePrincipals` and `users` page into two maps (SP object id → appId,
 * displayName, verified publisher, app roles; user object id → UPN, department, job title).
 * A file whose `@odata.context` (its first member, as Graph writes it) names another collection is
 * left for pass 2 without being read. Pass 2 reads the other pages one file at a time:
 * - `oauth2PermissionGrants` → `oauth_grant` (`action: "granted"`), see `grants.ts`;
 * - app role assignments → `oauth_grant` (`action: "app_role"`);
 * - `auditLogs/signIns` → `signin`; "Consent to application" directory audits → `oauth_event`.
 *
 * Grants and assignments are state, not events: they are timed at the UTC day of the file's
 * top-level `exportedAt` (ISO 8601; not part of Graph) when present, else of the file's
 * modification time, as the live scan times them at the UTC day it ran; a copy of the same
 * export gives the same observations. Service principals alone are not emitted.
 *
 * Directory accounts (for `seats`, src/store/rosters.ts): every user of a `users` page is `active`,
 * or `disabled` when `accountEnabled` is false; every user of a
 * `/directory/deletedItems/microsoft.graph.user` page, and every item with a `deletedDateTime`, is
 * `deleted` (see `directory-accounts.ts`). They go to `ctx.rosters` once the files are read, one
 * account per UPN (a users page wins over a deleted item of the same UPN: Entra frees a deleted
 * user's UPN for reuse). When a users page says how many users the tenant has (`@odata.count`,
 * from `$count=true`) and the export holds at least that many, the list is whole, as the live scan
 * knows it: an account an earlier scan stored that is in none of these pages is then `deleted`.
 * Not when a page's `@odata.nextLink` shows a `$filter` or `$search` (a filtered count). A filtered
 * single page cannot be told from the whole list: export the users unfiltered.
 *
 * Files are streamed (see `src/io/json-file.ts`): memory stays flat whatever their size.
 * Problems go to `ctx.onError` and never stop the scan: unreadable, oversized, invalid JSON (with
 * position), unknown shape (naming what was expected); and, with `partial: true`, skipped items, a
 * grant whose service principal is in no page (the first {@link MAX_MISSING_REPORTS} by SP, then a
 * count), and Principal grants whose user is in no users page (user = the `principalId`).
 */
export async function* collectExport(files: string[], ctx: CollectContext, opts: ReadJsonOptions = {}): AsyncIterable<Observation> {
  const dir = new EntraDirectory();
  const accounts = new AccountTally();
  const deferred: string[] = [];
  const readInPass1 = new Set<string>();
  for (const file of new Set(files)) {
    const first = await sniffFirstMember(file);
    const sniffed = first && first[0].toLowerCase() === "@odata.context" ? kindFromContext(first[1]) : undefined;
    if (sniffed && !MAP_KINDS.has(sniffed)) {
      deferred.push(file);
      continue;
    }
    const outline = await outlineJsonFile(file, ctx, opts);
    if (!outline) continue;
    readInPass1.add(file);
    let other = false;
    let skipped = 0;
    try {
      for await (const p of pagesOf(outline)) {
        if (p.kind === "servicePrincipals" || p.kind === "users" || p.kind === "deletedUsers") skipped += await addMapPage(p.kind, p.items, outline, dir, accounts);
        else other = true;
      }
    } catch (e) {
      ctx.onError({ input: file, message: bound((e as Error).message, 300), partial: false });
      continue;
    }
    if (skipped > 0) ctx.onError({ input: file, message: `${skipped} item(s) skipped: service principals need "id", users need "userPrincipalName" or "mail"`, partial: true });
    if (other) deferred.push(file);
    else {
      const over = oversizeMessage(outline);
      if (over) ctx.onError({ input: file, message: over, partial: true });
    }
  }

  const missing = new Map<string, number>();
  let firstUnreported: string | undefined;
  let firstUnresolvedUser: string | undefined;
  const onMissingServicePrincipal = (objectId: string, record: string, file: string) => {
    const n = missing.get(objectId) ?? 0;
    if (n === 0 && missing.size === MAX_MISSING_REPORTS) firstUnreported ??= file;
    missing.set(objectId, n + 1);
    if (n === 0 && missing.size <= MAX_MISSING_REPORTS) {
      ctx.onError({
        input: file,
        message: `${record}: service principal ${objectId} is in no servicePrincipals page; emitted with what the record holds, without appId or publisher (later records of this service principal are not reported again)`,
        partial: true,
      });
    }
  };
  const userTotals: GrantStats = { skipped: 0, unresolvedUsers: 0 };
  for (const file of deferred) {
    const outline = await outlineJsonFile(file, ctx, opts);
    if (!outline) continue;
    const before = userTotals.unresolvedUsers;
    try {
      yield* fileObservations(outline, dir, ctx, !readInPass1.has(file), onMissingServicePrincipal, userTotals, accounts);
    } catch (e) {
      ctx.onError({ input: file, message: bound((e as Error).message, 300), partial: true });
    }
    if (userTotals.unresolvedUsers > before) firstUnresolvedUser ??= file;
  }

  accounts.store(ctx);
  if (missing.size > MAX_MISSING_REPORTS) {
    ctx.onError({
      input: firstUnreported ?? files[0] ?? "",
      message: `${missing.size} distinct client service principals are in no servicePrincipals page (${MAX_MISSING_REPORTS} reported above); include the servicePrincipals pages (first unreported one in this file)`,
      partial: true,
    });
  }
  if (userTotals.unresolvedUsers > 0) {
    ctx.onError({
      input: firstUnresolvedUser ?? files[0] ?? "",
      message:
        dir.userPageCount === 0
          ? `no users page was given: ${userTotals.unresolvedUsers} user grant(s) in this and later files name the user by object id (principalId) instead of a UPN`
          : `${userTotals.unresolvedUsers} user grant(s) in this and later files name a user who is in no users page; their user is the object id (principalId)`,
      partial: true,
    });
  }
}

/** The pages of an outlined file: the top-level object, or each element of a top-level array. */
async function* pagesOf(outline: JsonOutline): AsyncGenerator<EntraPage> {
  if (outline.top === "object") {
    yield classifyObject(outline.members);
  } else if (outline.top === "array") {
    for await (const batch of readJsonRecords(outline)) for (const r of batch) yield classifyElement(r.value);
  } else {
    yield { kind: "unknown", why: `got ${describeShape(outline.scalar)}` };
  }
}

/** `s` URL-decoded, or as it is when it does not decode. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Most directory accounts handed to the roster store in one call (one transaction). */
const ACCOUNT_BATCH = 1000;

/**
 * The directory accounts of an export, one per UPN (users pages win over deleted items), and
 * whether the users pages are the whole list (their `@odata.count`).
 */
class AccountTally {
  private readonly byUser = new Map<string, DirectoryAccount>();
  private listed = 0;
  private declared: number | undefined;
  private filtered = false;

  /** Add the accounts of one batch of a users (`deleted` false) or deleted users page. */
  add(batch: readonly unknown[], deleted: boolean): void {
    for (const a of entraDirectoryAccounts(batch, { deleted })) {
      const prev = this.byUser.get(a.user);
      if (a.status !== "deleted" && (prev === undefined || prev.status === "deleted")) this.listed++;
      if (prev === undefined || a.status !== "deleted" || prev.status === "deleted") this.byUser.set(a.user, a);
    }
  }

  /**
   * A users page's `@odata.count` (how many users the list has; the largest one seen) and
   * `@odata.nextLink`: a link with `$filter` or `$search` shows a filtered list, whose count is not
   * the tenant's, and the export is then never taken as the whole directory.
   */
  declare(n: unknown, nextLink: unknown): void {
    if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) this.declared = Math.max(this.declared ?? 0, n);
    if (typeof nextLink === "string" && /[$](filter|search)=/i.test(safeDecode(nextLink))) this.filtered = true;
  }

  /** Hand the accounts to `ctx.rosters`; mark the directory listed whole when the count says so. */
  store(ctx: CollectContext): void {
    if (!ctx.rosters || this.byUser.size === 0) return;
    const all = [...this.byUser.values()];
    for (let i = 0; i < all.length; i += ACCOUNT_BATCH) ctx.rosters.directory(all.slice(i, i + ACCOUNT_BATCH));
    if (this.declared !== undefined && !this.filtered && this.listed >= this.declared) ctx.rosters.complete("directory", id, "accounts");
  }
}

/**
 * Add a service principal, users or deleted users page to the maps (a deleted user by its
 * original UPN, and only when no users page named its object id), and users to `accounts`;
 * returns the number of items skipped.
 */
async function addMapPage(
  kind: "servicePrincipals" | "users" | "deletedUsers",
  items: readonly unknown[] | ItemArray,
  outline: JsonOutline,
  dir: EntraDirectory,
  accounts: AccountTally,
): Promise<number> {
  let skipped = 0;
  if (kind === "users" && outline.top === "object") accounts.declare(field(outline.members, "@odata.count"), field(outline.members, "@odata.nextLink"));
  for await (const batch of itemsOf(outline, items)) {
    for (const item of batch) {
      let ok: boolean;
      if (!isObject(item)) ok = false;
      else if (kind === "servicePrincipals") ok = dir.addServicePrincipal(item);
      else if (kind === "users" && !(typeof field(item, "deletedDateTime") === "string" && field(item, "deletedDateTime") !== "")) ok = dir.addUser(item);
      else {
        const objectId = sfield(item, "id", 64);
        const upn = sfield(item, "userPrincipalName", 320);
        ok = upn !== undefined || sfield(item, "mail", 320) !== undefined;
        if (ok && !dir.user(objectId)) dir.addUser(upn ? { ...item, userPrincipalName: deletedUserUpn(upn, objectId) } : item);
      }
      if (!ok) skipped++;
    }
    if (kind !== "servicePrincipals") accounts.add(batch, kind === "deletedUsers");
  }
  return skipped;
}

async function* fileObservations(
  outline: JsonOutline,
  dir: EntraDirectory,
  ctx: CollectContext,
  mapsNotYetRead: boolean,
  onMissing: (objectId: string, record: string, file: string) => void,
  userTotals: GrantStats,
  accounts: AccountTally,
): AsyncGenerator<Observation> {
  const file = outline.file;
  const time = snapshotTime(outline);
  const gc: GrantContext = { source: id, file, time, dir, onMissingServicePrincipal: (o, r) => onMissing(o, r, file) };
  const gs: GrantStats = { skipped: 0, unresolvedUsers: 0 };
  const as: AuditStats = { skipped: 0, badTime: 0, otherActivities: 0 };
  const ac = { source: id, file, fallbackTime: time, dir };
  let unknown = 0;
  let firstUnknown = "";
  let pages = 0;
  let mapSkipped = 0;
  for await (const p of pagesOf(outline)) {
    pages++;
    switch (p.kind) {
      case "servicePrincipals":
      case "users":
      case "deletedUsers":
        if (mapsNotYetRead) mapSkipped += await addMapPage(p.kind, p.items, outline, dir, accounts);
        break;
      case "oauth2PermissionGrants":
        for await (const batch of itemsOf(outline, p.items)) yield* grantObservations(batch, gc, gs);
        break;
      case "appRoleAssignments":
        for await (const batch of itemsOf(outline, p.items)) yield* appRoleObservations(batch, gc, gs);
        break;
      case "signIns":
        for await (const batch of itemsOf(outline, p.items)) yield* signInObservations(batch, ac, as);
        break;
      case "directoryAudits":
        for await (const batch of itemsOf(outline, p.items)) yield* directoryAuditObservations(batch, ac, as);
        break;
      case "unknown":
        if (unknown++ === 0) firstUnknown = p.why;
        break;
    }
  }
  userTotals.unresolvedUsers += gs.unresolvedUsers;
  if (mapSkipped > 0) ctx.onError({ input: file, message: `${mapSkipped} item(s) skipped: service principals need "id", users need "userPrincipalName" or "mail"`, partial: true });
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
  if (gs.skipped + as.skipped > 0) {
    ctx.onError({
      input: file,
      message: `${gs.skipped + as.skipped} item(s) skipped: grants need "clientId", app role assignments "principalId" and "resourceId", sign-ins "appId" or "appDisplayName"`,
      partial: true,
    });
  }
  if (as.badTime > 0) {
    ctx.onError({ input: file, message: `${as.badTime} record(s) without a valid time were given the file's snapshot day ${time}`, partial: true });
  }
}

/** The collector as the core interface sees it: input is the list of saved response files. */
export const exportCollector: Collector<string[]> = { id, displayName, docsUrl, collect: collectExport };

/**
 * Live scan of a Microsoft Entra tenant through Microsoft Graph (`scan microsoft`); see `live.ts`
 * for what it reads and yields. @azure/identity and the Graph client (a few hundred ms to load)
 * are imported on the first call only, so that other commands start fast.
 * @throws MicrosoftAuthError when the credentials are refused on the first call.
 */
export async function* collectMicrosoft(options: MicrosoftOptions, ctx: CollectContext, stats?: MicrosoftScanStats): AsyncGenerator<Observation> {
  const live = await import("./live.js");
  yield* live.collectMicrosoft(options, ctx, stats);
}

/** The live side (`scan microsoft`): input is the options built by {@link microsoftOptions}. */
export const liveCollector: Collector<MicrosoftOptions> = {
  id,
  displayName: "Microsoft Entra ID (Microsoft Graph, live)",
  docsUrl,
  collect: (options, ctx) => collectMicrosoft(options, ctx),
};
