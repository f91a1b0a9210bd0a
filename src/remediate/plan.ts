/**
 * Remediation plans: what `remediate plan` would change in a tenant, made from the inventory alone
 * (no request is sent), and checked again before `remediate apply` changes anything.
 *
 * A plan lists each change (API, method, URL path, the record, the user and scopes concerned),
 * whether it can be undone and how, and the caveats the vendor documents. Reversible actions come
 * first (disable a service principal), destructive ones after (delete grants, remove app role
 * assignments, delete a user's tokens). The plan carries two hashes: `state`, the SHA-256 of the
 * facts it acts on as the inventory held them, and `hash`, the SHA-256 of the whole plan (request,
 * state, items); `apply` refuses a plan whose content no longer matches its hash or whose facts
 * changed since.
 *
 * Sources:
 * - Google tokens.delete: https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens/delete
 *   (scope admin.directory.user.security, which tokens.list needs too)
 * - Graph oauth2PermissionGrant delete: https://learn.microsoft.com/graph/api/oauth2permissiongrant-delete
 *   (DelegatedPermissionGrant.ReadWrite.All; "existing access tokens will continue to be valid for their lifetime")
 * - Graph servicePrincipal update (accountEnabled): https://learn.microsoft.com/graph/api/serviceprincipal-update
 *   (Application.ReadWrite.All)
 * - Graph appRoleAssignedTo delete: https://learn.microsoft.com/graph/api/serviceprincipal-delete-approleassignedto
 *   (AppRoleAssignment.ReadWrite.All)
 */
import { createHash } from "node:crypto";
import type { DB } from "../store/db.js";
import { recordId } from "../store/inventory.js";

/** The actions `remediate` knows, reversible first. */
export const ACTIONS = ["disable-app", "revoke-grants", "remove-app-role"] as const;
export type RemediationAction = (typeof ACTIONS)[number];

/** One change a plan makes. */
export interface PlanItem {
  /** 1-based position: the order apply follows. */
  n: number;
  system: string;
  action: RemediationAction;
  api: "google" | "graph";
  method: "DELETE" | "PATCH";
  /** Path under the API root (Google: `admin/directory/v1/...`; Graph: `/oauth2PermissionGrants/...`). */
  path: string;
  /** The request body, for PATCH. */
  body?: Record<string, unknown>;
  /** Who and what it concerns. */
  target: { user?: string; clientId?: string; appId?: string; grantId?: string; assignmentId?: string; consentType?: string; scopes?: string[] };
  reversible: boolean;
  /** How to undo it, or why it cannot be undone. */
  undo: string;
  caveats: string[];
}

/** What the plan was asked for: apply rebuilds the plan from it to see whether the facts changed. */
export interface PlanRequest {
  systems: string[];
  actions: RemediationAction[];
  users: string[];
}

export interface Plan {
  format: "shadow-ai-remediation-plan";
  version: 1;
  createdAt: string;
  createdBy: string;
  /** The database the plan was made from (absolute path). */
  database: string;
  request: PlanRequest;
  /** SHA-256 (hex) of the facts the plan acts on, as the inventory held them. */
  state: string;
  items: PlanItem[];
  /** What the plan found nothing to do for, by system. */
  nothingFor: string[];
  /** SHA-256 (hex) of everything above: changing the file invalidates it. */
  hash: string;
}

const GOOGLE_CAVEATS = [
  "tokens.delete removes every token the user issued to this client, not only the scopes listed",
  "the user can grant the app again unless it is blocked in the Admin console (App access control has no API)",
];
const GRANT_CAVEATS = [
  "existing access tokens stay valid for their lifetime (up to about an hour) after the grant is deleted",
  "an app may hold a per-user (Principal) and a tenant-wide (AllPrincipals) grant: each is its own item",
];

interface Row {
  source: string;
  kind: string;
  user: string | null;
  client_id: string | null;
  app_id: string | null;
  consent_type: string | null;
  scopes: string | null;
  action: string | null;
  ref: string;
  time: string;
  unit: string | null;
  last_scan_id: number | null;
}

/**
 * The latest completed scan that read `source` whole (a live scan), from the snapshots: grants it
 * did not see again are gone from the tenant, and a plan leaves them out.
 */
function latestCompleteScanOf(db: DB, source: string): number | undefined {
  const rows = db
    .prepare("SELECT s.scan_id AS id, s.records FROM scan_snapshots s JOIN scans c ON c.id = s.scan_id WHERE c.status = 'complete' ORDER BY s.scan_id DESC LIMIT 200")
    .all() as { id: number; records: string }[];
  for (const r of rows) {
    const doc = JSON.parse(r.records) as { sources?: string[] };
    if (doc.sources?.includes(source)) return r.id;
  }
  return undefined;
}

/** The grant facts of one record: its newest OAuth grant observation per target. */
function facts(db: DB, system: string): Row[] {
  const serviceId = system.includes("@") ? system.slice(0, system.lastIndexOf("@")) : system;
  const rows = db
    .prepare(
      `SELECT o.source, o.kind, o.user, o.client_id, o.app_id, o.consent_type, o.scopes, o.action, o.ref, o.time,
              COALESCE(p.department, o.department) AS unit, o.last_scan_id
       FROM observations o LEFT JOIN people p ON p.user = o.user
       WHERE o.service_id = ? AND o.kind = 'oauth_grant' ORDER BY o.time DESC, o.id DESC`,
    )
    .all(serviceId) as Row[];
  return rows.filter((r) => recordId(serviceId, r.unit) === system);
}

/** An Entra application (client) ID. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** JSON with object keys sorted, so that equal content hashes equally. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as Record<string, unknown>)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The plan's own hash: SHA-256 of its canonical JSON without `hash`. */
export function planHash(p: Omit<Plan, "hash"> | Plan): string {
  const { hash: _h, ...rest } = p as Plan;
  void _h;
  return sha256(canonical(rest));
}

/**
 * Make a plan for `request` from the database: one item per change, reversible actions first.
 * Reads only. Records without grant evidence of the requested kind are listed in `nothingFor`.
 * @throws Error when a requested system has no evidence at all (the caller names it).
 */
export function buildPlan(db: DB, request: PlanRequest, meta: { createdBy: string; database: string; now?: string }): Plan {
  const items: Omit<PlanItem, "n">[] = [];
  const nothingFor: string[] = [];
  const wantUser = (u: string | null) => request.users.length === 0 || (u !== null && request.users.includes(u.toLowerCase()));
  const stateFacts: unknown[] = [];
  const latest = new Map<string, number | undefined>(["google-workspace", "microsoft-entra"].map((s) => [s, latestCompleteScanOf(db, s)]));
  for (const system of request.systems) {
    const rows = facts(db, system);
    const before = items.length;
    const seen = new Set<string>();
    const once = (k: string) => (seen.has(k) ? false : (seen.add(k), true));
    // what the tenant holds now: not revoked, and seen again by the latest complete live scan of its source
    const current = rows.filter((r) => {
      if (r.action === "revoked" || r.action === "deleted") return false;
      const l = latest.get(r.source);
      return l === undefined || (r.last_scan_id ?? 0) >= l;
    });
    if (request.actions.includes("disable-app")) {
      for (const r of current) {
        // the app ID goes into an OData key (appId='…'): only a GUID, as Entra issues them, is used
        if (r.source !== "microsoft-entra" || !r.app_id || !GUID.test(r.app_id) || !once(`app:${r.app_id}`)) continue;
        items.push({
          system, action: "disable-app", api: "graph", method: "PATCH", path: `/servicePrincipals(appId='${r.app_id}')`, body: { accountEnabled: false },
          target: { appId: r.app_id }, reversible: true,
          undo: `PATCH /servicePrincipals(appId='${r.app_id}') {"accountEnabled": true}`,
          caveats: ["no user can sign in to the app while it is disabled; its grants and assignments stay in place", "tokens already issued stay valid for their lifetime"],
        });
      }
    }
    if (request.actions.includes("revoke-grants")) {
      for (const r of current) {
        const ref = JSON.parse(r.ref) as { api?: string; id?: string };
        if (r.source === "google-workspace" && r.user && r.client_id && wantUser(r.user) && once(`g:${r.user}:${r.client_id}`)) {
          items.push({
            system, action: "revoke-grants", api: "google", method: "DELETE",
            path: `admin/directory/v1/users/${encodeURIComponent(r.user)}/tokens/${encodeURIComponent(r.client_id)}`,
            target: { user: r.user, clientId: r.client_id, scopes: r.scopes ? (JSON.parse(r.scopes) as string[]) : [] },
            reversible: false, undo: "cannot be undone: the user must grant the app again", caveats: GOOGLE_CAVEATS,
          });
        } else if (r.source === "microsoft-entra" && r.action !== "app_role" && ref.id && /oauth2PermissionGrants$/.test(ref.api ?? "") && (r.consent_type === "AllPrincipals" || wantUser(r.user)) && once(`grant:${ref.id}`)) {
          items.push({
            system, action: "revoke-grants", api: "graph", method: "DELETE", path: `/oauth2PermissionGrants/${encodeURIComponent(ref.id)}`,
            target: { grantId: ref.id, ...(r.user ? { user: r.user } : {}), ...(r.consent_type ? { consentType: r.consent_type } : {}), ...(r.app_id ? { appId: r.app_id } : {}), scopes: r.scopes ? (JSON.parse(r.scopes) as string[]) : [] },
            reversible: false, undo: "cannot be undone: the grant must be consented again (admin consent for AllPrincipals)", caveats: GRANT_CAVEATS,
          });
        }
      }
    }
    if (request.actions.includes("remove-app-role")) {
      for (const r of current) {
        const ref = JSON.parse(r.ref) as { api?: string; id?: string };
        const m = /^\/servicePrincipals\/([^/]+)\/appRoleAssignedTo$/.exec(ref.api ?? "");
        if (r.source !== "microsoft-entra" || r.action !== "app_role" || !m || !ref.id || !once(`role:${ref.id}`)) continue;
        items.push({
          system, action: "remove-app-role", api: "graph", method: "DELETE", path: `/servicePrincipals/${encodeURIComponent(m[1]!)}/appRoleAssignedTo/${encodeURIComponent(ref.id)}`,
          target: { assignmentId: ref.id, ...(r.app_id ? { appId: r.app_id } : {}), scopes: r.scopes ? (JSON.parse(r.scopes) as string[]) : [] },
          reversible: false, undo: "cannot be undone by shadow-ai: an admin must assign the application permission again", caveats: ["application permissions act without any user: removing them stops the app's own access at its next token"],
        });
      }
    }
    if (items.length === before) nothingFor.push(system);
    stateFacts.push({ system, facts: current.map((r) => [r.source, r.user, r.client_id, r.app_id, r.consent_type, r.scopes, r.action, r.ref]) });
  }
  const order = (a: RemediationAction) => ACTIONS.indexOf(a);
  const sorted = items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => order(a.it.action) - order(b.it.action) || a.i - b.i)
    .map(({ it }, i) => ({ n: i + 1, ...it }));
  const plan: Omit<Plan, "hash"> = {
    format: "shadow-ai-remediation-plan",
    version: 1,
    createdAt: meta.now ?? new Date().toISOString(),
    createdBy: meta.createdBy,
    database: meta.database,
    request,
    state: sha256(canonical(stateFacts)),
    items: sorted,
    nothingFor,
  };
  return { ...plan, hash: planHash(plan) };
}

/** Why `doc` is not a usable plan (shape, format, altered content), or undefined. */
export function planProblem(doc: unknown): string | undefined {
  if (!doc || typeof doc !== "object") return "not a JSON object";
  const p = doc as Partial<Plan>;
  if (p.format !== "shadow-ai-remediation-plan" || p.version !== 1) return "not a shadow-ai remediation plan (format, version 1)";
  if (!Array.isArray(p.items) || typeof p.hash !== "string" || typeof p.state !== "string" || !p.request) return "a plan needs request, state, items and hash";
  if (planHash(p as Plan) !== p.hash) return "the plan's content does not match its hash: it was changed after it was made";
  return undefined;
}
