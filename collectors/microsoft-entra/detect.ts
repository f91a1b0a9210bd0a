/**
 * Telling the kind of a saved Microsoft Graph page by its `@odata.context` or, failing that, by the
 * fields of its items. File names never decide the kind.
 */
import { describeShape, isObject, ItemArray, str } from "../../src/io/json-file.js";
import { field } from "./directory.js";

/**
 * The Graph collections this collector reads. `deletedUsers`: `/directory/deletedItems/microsoft.graph.user`,
 * users soft-deleted in the last 30 days (https://learn.microsoft.com/graph/api/directory-deleteditems-list).
 */
export type EntraKind = "servicePrincipals" | "users" | "deletedUsers" | "oauth2PermissionGrants" | "appRoleAssignments" | "signIns" | "directoryAudits";

/** Kinds held in memory (pass 1) before the others are read. */
export const MAP_KINDS: ReadonlySet<EntraKind> = new Set(["servicePrincipals", "users", "deletedUsers"]);

/**
 * A recognised page: its items are an array (a page or item inside a top-level array, assembled
 * whole), or the outline of the top-level object's `value`, whose elements are streamed.
 */
export type EntraPage = { kind: EntraKind; items: readonly unknown[] | ItemArray } | { kind: "unknown"; why: string };

/** What the collector reads, for error messages. */
export const EXPECTED =
  'expected a Microsoft Graph v1.0 page {"@odata.context": ".../$metadata#<collection>", "value": [...]} of servicePrincipals, ' +
  "oauth2PermissionGrants, users, directory/deletedItems/microsoft.graph.user, servicePrincipals/{id}/appRoleAssignments or appRoleAssignedTo, auditLogs/signIns or " +
  "auditLogs/directoryAudits, or a JSON array of such items (e.g. Microsoft Graph PowerShell output)";

/** Balanced `(...)` with one level of nesting, as `$select` or a key segment writes it. */
const PARENS = String.raw`(\((?:[^()]|\([^()]*\))*\))?`;
/** OData names are case-insensitive here: the docs' own directoryAudits example says `#auditlogs/directoryaudits`. */
const CONTEXT_RULES: [RegExp, EntraKind][] = [
  [/(^|\/)appRoleAssign(ments|edTo)(\(|$)/i, "appRoleAssignments"],
  [/(^|\/)oauth2PermissionGrants(\(|$)/i, "oauth2PermissionGrants"],
  [/^auditLogs\/signIns(\(|$)/i, "signIns"],
  [/^auditLogs\/directoryAudits(\(|$)/i, "directoryAudits"],
  [new RegExp(`^servicePrincipals${PARENS}$`, "i"), "servicePrincipals"],
  [new RegExp(`^users${PARENS}$`, "i"), "users"],
  [new RegExp(`^directory/deletedItems/microsoft\\.graph\\.user${PARENS}$`, "i"), "deletedUsers"],
];

/**
 * The kind an `@odata.context` URL names, by the part after `$metadata#`, without a trailing
 * `/$entity`: `servicePrincipals`, `servicePrincipals(id,appId)`, `oauth2PermissionGrants`,
 * `servicePrincipals('…')/appRoleAssignedTo`, `users('…')/appRoleAssignments`, `users(...)`,
 * `directory/deletedItems/microsoft.graph.user` (deleted users), `auditLogs/signIns`, `auditLogs/directoryAudits`, in any letter case (as Graph matches them).
 * `undefined` for anything else.
 */
export function kindFromContext(context: string): EntraKind | undefined {
  const hash = context.indexOf("#");
  if (hash < 0) return undefined;
  let frag = context.slice(hash + 1);
  try {
    frag = decodeURIComponent(frag);
  } catch {
    // keep it as it is
  }
  frag = frag.replace(/\/\$entity$/i, "");
  for (const [re, kind] of CONTEXT_RULES) if (re.test(frag)) return kind;
  return undefined;
}

const has = (o: Record<string, unknown>, name: string) => field(o, name) !== undefined;

/**
 * The kind of one item, from the fields only that kind has (camelCase or PascalCase):
 * `activityDisplayName` → directory audit; `createdDateTime` + `appId` + (`userId` or
 * `userPrincipalName`) → sign-in; `appRoleId` + `principalId` + `resourceId` → app role
 * assignment; `clientId` + `consentType` → delegated permission grant; `appId` + `id` → service
 * principal; `userPrincipalName` → user.
 */
export function kindFromItem(o: Record<string, unknown>): EntraKind | undefined {
  if (has(o, "activityDisplayName")) return "directoryAudits";
  if (has(o, "createdDateTime") && has(o, "appId") && (has(o, "userId") || has(o, "userPrincipalName"))) return "signIns";
  if (has(o, "appRoleId") && has(o, "principalId") && has(o, "resourceId")) return "appRoleAssignments";
  if (has(o, "clientId") && has(o, "consentType")) return "oauth2PermissionGrants";
  if (has(o, "appId") && has(o, "id")) return "servicePrincipals";
  if (has(o, "userPrincipalName")) return "users";
  return undefined;
}

/** The `@odata.context` member, whatever the letter case of its name. */
function odataContext(v: Record<string, unknown>): unknown {
  if ("@odata.context" in v) return v["@odata.context"];
  for (const k of Object.keys(v)) if (k.toLowerCase() === "@odata.context") return v[k];
  return undefined;
}

/**
 * Classify one JSON object: a Graph page by its `@odata.context` (any letter case), else by its
 * `value` items' fields, else the object as one item (by its fields).
 */
export function classifyObject(v: Record<string, unknown>): EntraPage {
  const ctx = odataContext(v);
  const value = field(v, "value");
  const list = Array.isArray(value) || value instanceof ItemArray ? value : undefined;
  if (typeof ctx === "string") {
    const kind = kindFromContext(ctx);
    if (!kind) return { kind: "unknown", why: `"@odata.context" names ${JSON.stringify(str(ctx.slice(ctx.indexOf("#") + 1), 120) ?? ctx)}, which this collector does not read` };
    if (list) return { kind, items: list };
    if (/\/\$entity$/i.test(ctx) || value === undefined) return { kind, items: [v] };
    return { kind: "unknown", why: `"value" is ${describeShape(value)}, not an array` };
  }
  if (list) {
    const first = list instanceof ItemArray ? list.first : list.find(isObject);
    if (first === undefined) return { kind: "servicePrincipals", items: [] }; // an empty page: nothing either way
    const kind = isObject(first) ? kindFromItem(first) : undefined;
    return kind ? { kind, items: list } : { kind: "unknown", why: `no "@odata.context" and "value" holds ${describeShape(first)}` };
  }
  const kind = kindFromItem(v);
  return kind ? { kind, items: [v] } : { kind: "unknown", why: `got ${describeShape(v)}` };
}

/**
 * Classify a parsed file: an object is one page (or one item); an array is a list of items or of
 * pages, classified element by element and grouped into runs of one kind.
 */
export function classifyDocument(doc: unknown): EntraPage[] {
  if (isObject(doc)) return [classifyObject(doc)];
  if (!Array.isArray(doc)) return [{ kind: "unknown", why: `got ${describeShape(doc)}` }];
  const pages: EntraPage[] = [];
  for (const el of doc) {
    const p = classifyElement(el);
    const last = pages[pages.length - 1];
    // A run of single items of one kind becomes one page.
    if (p.kind !== "unknown" && last && last.kind === p.kind && Array.isArray(last.items) && Array.isArray(p.items) && isObject(el) && !Array.isArray(el["value"])) {
      (last.items as unknown[]).push(...p.items);
    } else {
      pages.push(p.kind === "unknown" || !Array.isArray(p.items) ? p : { kind: p.kind, items: [...p.items] });
    }
  }
  return pages;
}

/** Classify one element of a top-level array: a saved page or one item. */
export function classifyElement(el: unknown): EntraPage {
  return isObject(el) ? classifyObject(el) : { kind: "unknown", why: `array element is ${describeShape(el)}` };
}
