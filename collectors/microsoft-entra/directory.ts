/**
 * The small in-memory maps built from `servicePrincipals` and `users` pages before any grant is
 * read: service principal object id → app, and user object id → UPN, department, job title.
 *
 * References:
 * - https://learn.microsoft.com/graph/api/resources/serviceprincipal
 * - https://learn.microsoft.com/graph/api/resources/user
 */
import { isObject, str } from "../../src/io/json-file.js";

/**
 * A member of a Graph object by its camelCase name, or by the PascalCase name that Microsoft Graph
 * PowerShell's `ConvertTo-Json` writes (`clientId` or `ClientId`).
 */
export function field(o: Record<string, unknown>, name: string): unknown {
  const v = o[name];
  return v !== undefined ? v : o[name.charAt(0).toUpperCase() + name.slice(1)];
}

/** A bounded string member (camelCase or PascalCase). */
export function sfield(o: Record<string, unknown>, name: string, max?: number): string | undefined {
  return str(field(o, name), max);
}

/** What the service principal pages tell about one app. */
export interface ServicePrincipalInfo {
  /** Object id, lower-cased. */
  id: string;
  /** Application (client) id, lower-cased. */
  appId?: string;
  /** `displayName`, else `appDisplayName`. */
  displayName?: string;
  /** `verifiedPublisher.displayName` (only a verified publisher; `publisherName` is the tenant's name). */
  publisher?: string;
  /** `appOwnerOrganizationId`, lower-cased: the tenant that owns the application. */
  ownerTenant?: string;
  /** App role id (lower-cased) → role value (`Mail.Read`), for naming app role assignments. */
  appRoles?: Map<string, string>;
}

/** What the users pages tell about one user. */
export interface EntraUserInfo {
  /** `userPrincipalName`, lower-cased (else `mail`). */
  upn: string;
  department?: string;
  jobTitle?: string;
}

/** Most app roles kept per service principal (Microsoft Graph's own has a few hundred). */
const MAX_APP_ROLES = 1000;

/**
 * Service principals by object id and by appId, users by object id, UPN and mail: what pass 1
 * reads from the `servicePrincipals` and `users` pages, so that grants read later can be named.
 */
export class EntraDirectory {
  private readonly sps = new Map<string, ServicePrincipalInfo>();
  private readonly spsByAppId = new Map<string, ServicePrincipalInfo>();
  private readonly users = new Map<string, EntraUserInfo>();
  private userCount = 0;

  get servicePrincipalCount(): number {
    return this.sps.size;
  }

  get userPageCount(): number {
    return this.userCount;
  }

  /**
   * Add one item of a `servicePrincipals` page: `{id, appId, displayName, appDisplayName?,
   * verifiedPublisher?: {displayName, verifiedPublisherId, addedDateTime}, appRoles?: [{id, value}],
   * appOwnerOrganizationId?, servicePrincipalType?, ...}`.
   * @returns false when the item has no object `id`.
   */
  addServicePrincipal(item: Record<string, unknown>): boolean {
    const id = sfield(item, "id", 64)?.toLowerCase();
    if (!id) return false;
    const sp: ServicePrincipalInfo = { id };
    const appId = sfield(item, "appId", 64)?.toLowerCase();
    if (appId) sp.appId = appId;
    const name = sfield(item, "displayName") ?? sfield(item, "appDisplayName");
    if (name) sp.displayName = name;
    const vp = field(item, "verifiedPublisher");
    const publisher = isObject(vp) ? sfield(vp, "displayName") : undefined;
    if (publisher) sp.publisher = publisher;
    const owner = sfield(item, "appOwnerOrganizationId", 64)?.toLowerCase();
    if (owner) sp.ownerTenant = owner;
    const roles = field(item, "appRoles");
    if (Array.isArray(roles)) {
      const m = new Map<string, string>();
      for (const r of roles.slice(0, MAX_APP_ROLES)) {
        if (!isObject(r)) continue;
        const rid = sfield(r, "id", 64)?.toLowerCase();
        const value = sfield(r, "value");
        if (rid && value) m.set(rid, value);
      }
      if (m.size > 0) sp.appRoles = m;
    }
    this.sps.set(id, sp);
    if (appId) this.spsByAppId.set(appId, sp);
    return true;
  }

  /**
   * Add one item of a `users` page: `{id, userPrincipalName, mail?, department?, jobTitle?, ...}`.
   * The user is known by its object id, its UPN and its mail address.
   * @returns false when the item has neither `userPrincipalName` nor `mail`.
   */
  addUser(item: Record<string, unknown>): boolean {
    const upn = (sfield(item, "userPrincipalName", 320) ?? sfield(item, "mail", 320))?.toLowerCase();
    if (!upn) return false;
    const info: EntraUserInfo = { upn };
    const department = sfield(item, "department");
    if (department) info.department = department;
    const jobTitle = sfield(item, "jobTitle");
    if (jobTitle) info.jobTitle = jobTitle;
    const id = sfield(item, "id", 64)?.toLowerCase();
    if (id) this.users.set(id, info);
    this.users.set(upn, info);
    const mail = sfield(item, "mail", 320)?.toLowerCase();
    if (mail && !this.users.has(mail)) this.users.set(mail, info);
    this.userCount++;
    return true;
  }

  /** A service principal by object id. */
  servicePrincipal(objectId: string | undefined): ServicePrincipalInfo | undefined {
    return objectId === undefined ? undefined : this.sps.get(objectId.toLowerCase());
  }

  /** A service principal by application (client) id. */
  servicePrincipalByAppId(appId: string | undefined): ServicePrincipalInfo | undefined {
    return appId === undefined ? undefined : this.spsByAppId.get(appId.toLowerCase());
  }

  /** A user by object id, UPN or mail address. */
  user(key: string | undefined): EntraUserInfo | undefined {
    return key === undefined ? undefined : this.users.get(key.toLowerCase());
  }
}
