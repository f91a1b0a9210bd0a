import type { DirectoryAccount } from "../../src/core/roster.js";
import { isObject } from "../../src/io/json-file.js";
import { field, sfield } from "./directory.js";

/** Longest UPN or address kept (RFC 5321 §4.5.3.1.3: a path is at most 256 octets; 320 leaves room). */
const MAX_ADDRESS = 320;

/**
 * The original UPN of a soft-deleted user. Entra renames a deleted cloud user's
 * `userPrincipalName` to its object id without hyphens followed by the old UPN
 * (`7e2b…c91aalice@contoso.com`), so the name is free for a new account; the prefix is taken off
 * only when it is exactly that id, so any other UPN stays as it is.
 */
export function deletedUserUpn(upn: string, objectId: string | undefined): string {
  const prefix = objectId?.replace(/-/g, "").toLowerCase();
  return prefix && prefix.length === 32 && upn.length > 32 && upn.slice(0, 32).toLowerCase() === prefix && upn.includes("@") ? upn.slice(32) : upn;
}

/**
 * Directory accounts of a Graph `users` page, or of a `/directory/deletedItems/microsoft.graph.user`
 * page, for the vendor roster reconciliation (src/store/rosters.ts): the keys of a disabled or
 * deleted user have no living owner.
 *
 * Each item: `{id, userPrincipalName, mail?, accountEnabled?, deletedDateTime?}`, in Graph's
 * camelCase or in the PascalCase of Microsoft Graph PowerShell's `ConvertTo-Json`. `user` is the
 * lower-cased UPN (else `mail`), `aliases` the mail address when it differs. Status:
 * - `deleted` when `deleted` is set (a deletedItems page) or the item has a `deletedDateTime`
 *   (Graph sets it on deleted directory objects only); the UPN loses the object-id prefix Entra
 *   gives deleted users ({@link deletedUserUpn});
 * - `disabled` when `accountEnabled` is false;
 * - `active` otherwise, also when the export did not select `accountEnabled` (export it with
 *   `$select=id,userPrincipalName,mail,accountEnabled` to tell disabled accounts).
 * Items that are not objects, or have neither UPN nor mail, are left out.
 *
 * References: https://learn.microsoft.com/graph/api/resources/user (accountEnabled, deletedDateTime),
 * https://learn.microsoft.com/graph/api/directory-deleteditems-list
 */
export function entraDirectoryAccounts(list: unknown, opts: { deleted?: boolean } = {}): DirectoryAccount[] {
  const out: DirectoryAccount[] = [];
  for (const u of Array.isArray(list) ? list : []) {
    if (!isObject(u)) continue;
    const s = (k: string) => sfield(u, k, MAX_ADDRESS)?.toLowerCase();
    const mail = s("mail");
    const deletedAt = field(u, "deletedDateTime");
    const deleted = opts.deleted === true || (typeof deletedAt === "string" && deletedAt !== "");
    const rawUpn = s("userPrincipalName");
    const upn = (rawUpn && deleted ? deletedUserUpn(rawUpn, sfield(u, "id", 64)) : rawUpn) ?? mail;
    if (!upn) continue;
    const status = deleted ? "deleted" : field(u, "accountEnabled") === false ? "disabled" : "active";
    out.push({ source: "microsoft-entra", user: upn, ...(mail && mail !== upn ? { aliases: [mail] } : {}), status });
  }
  return out;
}
