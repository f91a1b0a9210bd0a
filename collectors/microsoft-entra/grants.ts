/**
 * Delegated permission grants (`oauth2PermissionGrants`) and app role assignments
 * (`appRoleAssignments`, `appRoleAssignedTo`) as `oauth_grant` observations.
 *
 * References:
 * - https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant
 * - https://learn.microsoft.com/graph/api/resources/approleassignment
 */
import type { Observation } from "../../src/core/observation.js";
import { isObject, scopeList } from "../../src/io/json-file.js";
import { sfield, type EntraDirectory, type ServicePrincipalInfo } from "./directory.js";

/** The default app role ("default access"): an assignment with no named role. */
export const DEFAULT_APP_ROLE = "00000000-0000-0000-0000-000000000000";

/** Where a page was read from and what is known around it. */
export interface GrantContext {
  source: string;
  /** The saved response file (export); absent for a live API call. */
  file?: string;
  /** Time given to every grant of the page (the export's `exportedAt`, else the file's mtime; live: the scan's snapshot time). */
  time: string;
  dir: EntraDirectory;
  /** Called when a grant's service principal is in no servicePrincipals page. */
  onMissingServicePrincipal(objectId: string, record: string): void;
}

/** What a page held that was not turned into observations, and what could not be resolved. */
export interface GrantStats {
  skipped: number;
  /** Principal grants or user assignments whose user is not in the users pages (user = object id). */
  unresolvedUsers: number;
}

function fileRef(c: GrantContext): { file?: string } {
  return c.file !== undefined ? { file: c.file } : {};
}

function applyServicePrincipal(o: Observation, sp: ServicePrincipalInfo | undefined): void {
  if (!sp) return;
  if (sp.appId) o.appId = sp.appId;
  if (sp.displayName) o.appName = sp.displayName;
  if (sp.publisher) o.publisher = sp.publisher;
  if (sp.ownerTenant) o.appOwnerTenant = sp.ownerTenant;
}

function applyUser(o: Observation, principalId: string, c: GrantContext, stats: GrantStats): void {
  const u = c.dir.user(principalId);
  if (!u) stats.unresolvedUsers++;
  o.user = u?.upn ?? principalId;
  if (u?.department) o.department = u.department;
  if (u?.jobTitle) o.jobTitle = u.jobTitle;
}

/**
 * One `oauth_grant` per delegated permission grant
 * (`{id, clientId, consentType: "AllPrincipals" | "Principal", principalId, resourceId, scope}`).
 *
 * `clientId` is the client service principal's *object id*; it is mapped through the
 * servicePrincipals pages to `appId`, `appName` (`displayName`) and `publisher`
 * (`verifiedPublisher.displayName`). A grant whose service principal is in no page is still
 * emitted without those, and `onMissingServicePrincipal` is called. `AllPrincipals` gives
 * `consentType: "AllPrincipals"` and no user; `Principal` gives `user` = the UPN from the users
 * pages, else the `principalId` object id itself. `scope` is split on white space.
 * `action: "granted"`, `ref: {file, api: "/servicePrincipals/<clientId>/oauth2PermissionGrants", id}`.
 */
export function* grantObservations(items: readonly unknown[], c: GrantContext, stats: GrantStats): Generator<Observation> {
  for (const g of items) {
    if (!isObject(g)) {
      stats.skipped++;
      continue;
    }
    const clientId = sfield(g, "clientId", 64)?.toLowerCase();
    if (!clientId) {
      stats.skipped++;
      continue;
    }
    const id = sfield(g, "id", 256);
    const o: Observation = {
      source: c.source,
      kind: "oauth_grant",
      time: c.time,
      action: "granted",
      ref: { ...fileRef(c), api: `/servicePrincipals/${clientId}/oauth2PermissionGrants`, ...(id ? { id } : {}) },
    };
    const sp = c.dir.servicePrincipal(clientId);
    if (sp) applyServicePrincipal(o, sp);
    else c.onMissingServicePrincipal(clientId, `grant ${id ?? "(no id)"}`);
    const scopes = scopeList(sfield(g, "scope", 1 << 16)?.split(/\s+/));
    if (scopes) o.scopes = scopes;
    const consentType = sfield(g, "consentType", 32);
    const principalId = sfield(g, "principalId", 64)?.toLowerCase();
    if (consentType?.toLowerCase() === "allprincipals") {
      o.consentType = "AllPrincipals";
    } else {
      if (consentType?.toLowerCase() === "principal") o.consentType = "Principal";
      if (principalId) applyUser(o, principalId, c, stats);
    }
    yield o;
  }
}

/**
 * One `oauth_grant` with `action: "app_role"` per app role assignment
 * (`{id, appRoleId, principalId, principalType: "User" | "Group" | "ServicePrincipal",
 * principalDisplayName, resourceId, resourceDisplayName, createdDateTime}`), from
 * `servicePrincipals/{id}/appRoleAssignments`, `servicePrincipals/{id}/appRoleAssignedTo` or
 * `users/{id}/appRoleAssignments`.
 *
 * - `principalType: "ServicePrincipal"`: an application permission granted to the app
 *   `principalId` on the API `resourceId`; the app is the principal, there is no user, and the
 *   scope is the role's value on the resource (`Mail.Read`) when the resource's service principal
 *   lists its `appRoles`.
 * - `User` / `Group`: the principal is assigned to the app `resourceId`; for a user, `user` is
 *   the UPN from the users pages, else the object id; a group gives no user. The scope is the
 *   app role's value when known; the default access role gives none.
 *
 * When the app's service principal is in no page, `appName` falls back to
 * `principalDisplayName` / `resourceDisplayName` and `onMissingServicePrincipal` is called.
 * `time` is the snapshot time, not `createdDateTime` (the grant exists now).
 * `ref: {file, api: "/servicePrincipals/<resourceId>/appRoleAssignedTo", id}`.
 */
export function* appRoleObservations(items: readonly unknown[], c: GrantContext, stats: GrantStats): Generator<Observation> {
  for (const a of items) {
    if (!isObject(a)) {
      stats.skipped++;
      continue;
    }
    const principalId = sfield(a, "principalId", 64)?.toLowerCase();
    const resourceId = sfield(a, "resourceId", 64)?.toLowerCase();
    if (!principalId || !resourceId) {
      stats.skipped++;
      continue;
    }
    const principalType = sfield(a, "principalType", 32)?.toLowerCase();
    const appIsPrincipal = principalType === "serviceprincipal";
    const appSpId = appIsPrincipal ? principalId : resourceId;
    const id = sfield(a, "id", 256);
    const o: Observation = {
      source: c.source,
      kind: "oauth_grant",
      time: c.time,
      action: "app_role",
      ref: { ...fileRef(c), api: `/servicePrincipals/${resourceId}/appRoleAssignedTo`, ...(id ? { id } : {}) },
    };
    const sp = c.dir.servicePrincipal(appSpId);
    if (sp) {
      applyServicePrincipal(o, sp);
    } else {
      const name = sfield(a, appIsPrincipal ? "principalDisplayName" : "resourceDisplayName");
      if (name) o.appName = name;
      c.onMissingServicePrincipal(appSpId, `app role assignment ${id ?? "(no id)"}`);
    }
    const roleId = sfield(a, "appRoleId", 64)?.toLowerCase();
    const role = roleId && roleId !== DEFAULT_APP_ROLE ? c.dir.servicePrincipal(resourceId)?.appRoles?.get(roleId) : undefined;
    if (role) o.scopes = [role];
    if (principalType === "user") applyUser(o, principalId, c, stats);
    yield o;
  }
}
