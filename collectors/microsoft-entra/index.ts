/**
 * Microsoft Entra ID collector, export side: Microsoft Graph v1.0 responses saved as JSON files.
 *
 * Reads `servicePrincipals` and `users` pages (held in memory as two small maps), then
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
import { describeShape, isObject, itemsOf, outlineJsonFile, oversizeMessage, readJsonRecords, snapshotTime, sniffFirstMember, type ItemArray, type JsonOutline, type ReadJsonOptions } from "../../src/io/json-file.js";
import { directoryAuditObservations, signInObservations, type AuditStats } from "./audit.js";
import { classifyElement, classifyObject, EXPECTED, kindFromContext, MAP_KINDS, type EntraPage } from "./detect.js";
import { EntraDirectory } from "./directory.js";
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
 * Files are streamed (see `src/io/json-file.ts`): memory stays flat whatever their size.
 * Problems go to `ctx.onError` and never stop the scan: unreadable, oversized, invalid JSON (with
 * position), unknown shape (naming what was expected); and, with `partial: true`, skipped items, a
 * grant whose service principal is in no page (the first {@link MAX_MISSING_REPORTS} by SP, then a
 * count), and Principal grants whose user is in no users page (user = the `principalId`).
 */
export async function* collectExport(files: string[], ctx: CollectContext, opts: ReadJsonOptions = {}): AsyncIterable<Observation> {
  const dir = new EntraDirectory();
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
        if (p.kind === "servicePrincipals" || p.kind === "users") skipped += await addMapPage(p.kind, p.items, outline, dir);
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
      yield* fileObservations(outline, dir, ctx, !readInPass1.has(file), onMissingServicePrincipal, userTotals);
    } catch (e) {
      ctx.onError({ input: file, message: bound((e as Error).message, 300), partial: true });
    }
    if (userTotals.unresolvedUsers > before) firstUnresolvedUser ??= file;
  }

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

/** Add a service principal or users page to the maps; returns the number of items skipped. */
async function addMapPage(kind: "servicePrincipals" | "users", items: readonly unknown[] | ItemArray, outline: JsonOutline, dir: EntraDirectory): Promise<number> {
  let skipped = 0;
  for await (const batch of itemsOf(outline, items)) {
    for (const item of batch) {
      const ok = isObject(item) ? (kind === "servicePrincipals" ? dir.addServicePrincipal(item) : dir.addUser(item)) : false;
      if (!ok) skipped++;
    }
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
        if (mapsNotYetRead) mapSkipped += await addMapPage(p.kind, p.items, outline, dir);
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
