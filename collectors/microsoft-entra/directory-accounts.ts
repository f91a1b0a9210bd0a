import type { DirectoryAccount } from "../../src/core/roster.js";

/**
 * Directory accounts of a Graph `users` page (`userPrincipalName`, `mail`, `accountEnabled`) for
 * the vendor roster reconciliation (src/store/rosters.ts): a disabled user's keys have no living
 * owner. An account is `disabled` only when Graph says `accountEnabled: false`.
 * https://learn.microsoft.com/graph/api/resources/user
 */
export function entraDirectoryAccounts(list: unknown): DirectoryAccount[] {
  const out: DirectoryAccount[] = [];
  for (const u of Array.isArray(list) ? list : []) {
    if (typeof u !== "object" || u === null) continue;
    const r = u as Record<string, unknown>;
    const s = (k: string) => (typeof r[k] === "string" && r[k] !== "" ? (r[k] as string).slice(0, 320).toLowerCase() : undefined);
    const upn = s("userPrincipalName") ?? s("mail");
    if (!upn) continue;
    const mail = s("mail");
    out.push({ source: "microsoft-entra", user: upn, ...(mail && mail !== upn ? { aliases: [mail] } : {}), status: r["accountEnabled"] === false ? "disabled" : "active" });
  }
  return out;
}
