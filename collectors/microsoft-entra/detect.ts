/**
 * Telling the kind of a saved Microsoft Graph page by its `@odata.context` or, failing that, by the
 * fields of its items. File names never decide the kind.
 */
import { describeShape, isObject, str } from "../../src/io/json-file.js";
import { field } from "./directory.js";

/** The Graph collections this collector reads. */
export type EntraKind = "servicePrincipals" | "users" | "oauth2PermissionGrants" | "appRoleAssignments" | "signIns" | "directoryAudits";

/** Kinds held in memory (pass 1) before the others are read. */
export const MAP_KINDS: ReadonlySet<EntraKind> = new Set(["servicePrincipals", "users"]);

export type EntraPage = { kind: EntraKind; items: unknown[] } | { kind: "unknown"; why: string };

/** What the collector reads, for error messages. */
export const EXPECTED =
  'expected a Microsoft Graph v1.0 page {"@odata.context": ".../$metadata#<collection>", "value": [...]} of servicePrincipals, ' +
  "oauth2PermissionGrants, users, servicePrincipals/{id}/appRoleAssignments or appRoleAssignedTo, auditLogs/signIns or " +
  "auditLogs/directoryAudits, or a JSON array of such items (e.g. Microsoft Graph PowerShell output)";

/** Balanced `(...)` with one level of nesting, as `$select` or a key segment writes it. */
const PARENS = String.raw`(\((?:[^()]|\([^()]*\))*\))?`;
const CONTEXT_RULES: [RegExp, EntraKind][] = [
  [/(^|\/)appRoleAssign(ments|edTo)(\(|$)/, "appRoleAssignments"],
  [/(^|\/)oauth2PermissionGrants(\(|$)/, "oauth2PermissionGrants"],
  [/^auditLogs\/signIns(\(|$)/, "signIns"],
  [/^auditLogs\/directoryAudits(\(|$)/, "directoryAudits"],
  [new RegExp(`^servicePrincipals${PARENS}$`), "servicePrincipals"],
  [new RegExp(`^users${PARENS}$`), "users"],
];

/**
 * The kind an `@odata.context` URL names, by the part after `$metadata#`, without a trailing
 * `/$entity`: `servicePrincipals`, `servicePrincipals(id,appId)`, `oauth2PermissionGrants`,
 * `servicePrincipals('…')/appRoleAssignedTo`, `users('…')/appRoleAssignments`, `users(...)`,
 * `auditLogs/signIns`, `auditLogs/directoryAudits`. `undefined` for anything else.
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
  frag = frag.replace(/\/\$entity$/, "");
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

function classifyObject(v: Record<string, unknown>): EntraPage {
  const ctx = v["@odata.context"];
  const value = v["value"];
  if (typeof ctx === "string") {
    const kind = kindFromContext(ctx);
    if (!kind) return { kind: "unknown", why: `"@odata.context" names ${JSON.stringify(str(ctx.slice(ctx.indexOf("#") + 1), 120) ?? ctx)}, which this collector does not read` };
    if (Array.isArray(value)) return { kind, items: value };
    if (/\/\$entity$/.test(ctx) || value === undefined) return { kind, items: [v] };
    return { kind: "unknown", why: `"value" is ${describeShape(value)}, not an array` };
  }
  if (Array.isArray(value)) {
    const first = value.find(isObject);
    if (first === undefined) return { kind: "servicePrincipals", items: [] }; // an empty page: nothing either way
    const kind = kindFromItem(first);
    return kind ? { kind, items: value } : { kind: "unknown", why: `no "@odata.context" and "value" holds ${describeShape(first)}` };
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
    const p: EntraPage = isObject(el) ? classifyObject(el) : { kind: "unknown", why: `array element is ${describeShape(el)}` };
    const last = pages[pages.length - 1];
    // A run of single items of one kind becomes one page.
    if (p.kind !== "unknown" && last && last.kind === p.kind && isObject(el) && !Array.isArray(el["value"])) {
      last.items.push(...p.items);
    } else {
      pages.push(p.kind === "unknown" ? p : { kind: p.kind, items: [...p.items] });
    }
  }
  return pages;
}
