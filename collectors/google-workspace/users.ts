/**
 * Directory API `users.list` pages: the department and job title of each user, and the mapping from
 * a user's unique ID (the `userKey` of a token) to the primary e-mail address.
 *
 * Reference: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list
 */
import { bound } from "../../src/core/observation.js";
import { isObject, str } from "../../src/io/json-file.js";

/** What a users page tells about one user. */
export interface GoogleUserInfo {
  /** Primary e-mail address, lower-cased. */
  email: string;
  department?: string;
  jobTitle?: string;
}

/** `kind` of a users.list response. */
export const USERS_KIND = "admin#directory#users";

/** Most alias addresses kept per user (an alias resolves to the primary address). */
const MAX_ALIASES = 50;

/**
 * The small in-memory user map built from users.list pages before any token or activity is read.
 * Keys are lower-cased primary addresses, alias addresses and unique user IDs.
 */
export class GoogleUserDirectory {
  private readonly byKey = new Map<string, GoogleUserInfo>();
  private count = 0;

  /** Number of users added. */
  get size(): number {
    return this.count;
  }

  /**
   * Add every user of one users.list page:
   * `{kind: "admin#directory#users", users: [{id, primaryEmail, aliases?: string[],
   *   emails?: [{address, primary?}], orgUnitPath?, organizations?: [{department?, title?, primary?}]}],
   *   nextPageToken?}`.
   *
   * Department and job title come from the organization marked `primary` (else the first that has
   * them). When no organization gives a department, the user's `orgUnitPath` is used, without its
   * leading `/` (`/Sales` gives `Sales`); the root unit `/` gives none.
   * @returns the number of users added (entries without a `primaryEmail` are skipped).
   */
  addPage(page: Record<string, unknown>): number {
    const users = page["users"];
    return Array.isArray(users) ? this.addUsers(users) : 0;
  }

  /**
   * Add users of a users.list page's `users` list (the same shapes as {@link addPage}); a page
   * streamed from a file comes in batches. Items that are not objects are skipped.
   * @returns the number of users added.
   */
  addUsers(users: Iterable<unknown>): number {
    let added = 0;
    for (const u of users) {
      if (!isObject(u)) continue;
      const email = str(u["primaryEmail"])?.toLowerCase();
      if (!email) continue;
      const info: GoogleUserInfo = { email };
      const orgs = Array.isArray(u["organizations"]) ? u["organizations"].filter(isObject) : [];
      const ordered = [...orgs.filter((o) => o["primary"] === true), ...orgs.filter((o) => o["primary"] !== true)];
      const department = ordered.map((o) => str(o["department"])).find((d) => d !== undefined);
      const jobTitle = ordered.map((o) => str(o["title"])).find((t) => t !== undefined);
      const ou = str(u["orgUnitPath"])?.replace(/^\/+/, "");
      if (department) info.department = department;
      else if (ou) info.department = bound(ou);
      if (jobTitle) info.jobTitle = jobTitle;

      this.byKey.set(email, info);
      const id = str(u["id"], 128);
      if (id) this.byKey.set(id.toLowerCase(), info);
      const aliases: unknown[] = [
        ...(Array.isArray(u["aliases"]) ? u["aliases"].slice(0, MAX_ALIASES) : []),
        ...(Array.isArray(u["emails"]) ? u["emails"].slice(0, MAX_ALIASES).map((e) => (isObject(e) ? e["address"] : undefined)) : []),
      ];
      for (const a of aliases.slice(0, MAX_ALIASES)) {
        const key = str(a)?.toLowerCase();
        if (key && !this.byKey.has(key)) this.byKey.set(key, info);
      }
      this.count++;
      added++;
    }
    return added;
  }

  /** The user for a primary address, alias address or unique ID (case-insensitive). */
  lookup(key: string | undefined): GoogleUserInfo | undefined {
    return key === undefined ? undefined : this.byKey.get(key.toLowerCase());
  }
}
