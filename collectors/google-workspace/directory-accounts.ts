import { bound } from "../../src/core/observation.js";
import type { DirectoryAccount } from "../../src/core/roster.js";

/**
 * Directory accounts of a users.list page (`primaryEmail`, `aliases`, `suspended`) for the vendor
 * roster reconciliation (src/store/rosters.ts): a suspended user's keys have no living owner.
 * https://developers.google.com/admin-sdk/directory/reference/rest/v1/users
 */
export function directoryAccounts(list: unknown): DirectoryAccount[] {
  const out: DirectoryAccount[] = [];
  for (const u of Array.isArray(list) ? list : []) {
    if (typeof u !== "object" || u === null) continue;
    const r = u as Record<string, unknown>;
    const email = typeof r["primaryEmail"] === "string" ? r["primaryEmail"] : undefined;
    if (!email) continue;
    const aliases = Array.isArray(r["aliases"]) ? r["aliases"].filter((a): a is string => typeof a === "string").map((a) => bound(a.toLowerCase(), 320)) : [];
    out.push({ source: "google-workspace", user: bound(email.toLowerCase(), 320), aliases, status: r["suspended"] === true ? "suspended" : "active" });
  }
  return out;
}
