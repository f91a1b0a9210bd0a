/**
 * Directory status from Microsoft Entra export files (#15): disabled users (`accountEnabled:
 * false`) and deleted users (`/directory/deletedItems/microsoft.graph.user`, and PowerShell items
 * with `DeletedDateTime`) reach `directory_accounts` of a real SQLite store, and `seats` tells a
 * key whose owner was disabled or deleted from one whose owner is unknown, from an export-only scan.
 * Fixtures: __fixtures__/users-directory.json, deletedUsers.json, deletedUsers-powershell.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../../src/core/collector.js";
import type { DB } from "../../src/store/db.js";
import { openStore } from "../../src/store/db.js";
import { reconcileSeats, RosterWriter } from "../../src/store/rosters.js";
import { deletedUserUpn, entraDirectoryAccounts } from "./directory-accounts.js";
import { collectExport } from "./index.js";

const fx = (name: string) => join(import.meta.dirname, "__fixtures__", name);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-entra-dir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the export collector into the store as one scan, with `scanId`, the way `scan microsoft-export` does. */
async function scanExport(db: DB, scanId: number, files: string[]): Promise<InputError[]> {
  const errors: InputError[] = [];
  const rosters = new RosterWriter(db, scanId);
  for await (const _ of collectExport(files, { onError: (e) => errors.push(e), rosters })) void _;
  return errors;
}

const accounts = (db: DB) => db.prepare("SELECT user, status, aliases FROM directory_accounts WHERE source = 'microsoft-entra' ORDER BY user").all();

describe("Entra export: directory status for seats", () => {
  it("strips the object-id prefix Entra gives a deleted user's UPN, and only that", () => {
    expect(deletedUserUpn("3f6e8d2c1b4a4c7e9d058a2b6c4e1f37dave@contoso.example", "3f6e8d2c-1b4a-4c7e-9d05-8a2b6c4e1f37")).toBe("dave@contoso.example");
    expect(deletedUserUpn("3F6E8D2C1B4A4C7E9D058A2B6C4E1F37dave@contoso.example", "3f6e8d2c-1b4a-4c7e-9d05-8a2b6c4e1f37")).toBe("dave@contoso.example");
    // another id, no id, or a UPN that is only the id: unchanged
    expect(deletedUserUpn("3f6e8d2c1b4a4c7e9d058a2b6c4e1f37dave@contoso.example", "00000000-0000-4000-8000-000000000000")).toBe("3f6e8d2c1b4a4c7e9d058a2b6c4e1f37dave@contoso.example");
    expect(deletedUserUpn("dave@contoso.example", undefined)).toBe("dave@contoso.example");
  });

  it("reads accountEnabled and deletedDateTime in camelCase and PascalCase", () => {
    expect(
      entraDirectoryAccounts([
        { userPrincipalName: "A@x.example", accountEnabled: false },
        { UserPrincipalName: "b@x.example", AccountEnabled: false },
        { userPrincipalName: "c@x.example", mail: "c.c@x.example" },
        { userPrincipalName: "d@x.example", deletedDateTime: null, accountEnabled: true },
        { Id: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", UserPrincipalName: "9a8b7c6d5e4f4a3b9c2d1e0f9a8b7c6dhal@x.example", DeletedDateTime: "2026-11-30T08:00:00Z" },
        { mail: "" },
        "not a user",
      ]),
    ).toEqual([
      { source: "microsoft-entra", user: "a@x.example", status: "disabled" },
      { source: "microsoft-entra", user: "b@x.example", status: "disabled" },
      { source: "microsoft-entra", user: "c@x.example", aliases: ["c.c@x.example"], status: "active" },
      { source: "microsoft-entra", user: "d@x.example", status: "active" },
      { source: "microsoft-entra", user: "hal@x.example", status: "deleted" },
    ]);
  });

  it("stores disabled and deleted users from export files, and seats names the departed owners' keys", async () => {
    const db = openStore(join(tmp, "one.db"));
    try {
      const errors = await scanExport(db, 1, [fx("deletedUsers.json"), fx("users-directory.json"), fx("deletedUsers-powershell.json")]);
      expect(errors).toEqual([]);
      expect(accounts(db)).toEqual([
        { user: "alice@contoso.example", status: "disabled", aliases: null },
        { user: "dave@contoso.example", status: "deleted", aliases: null },
        { user: "erin@contoso.example", status: "active", aliases: JSON.stringify(["erin.ross@contoso.example"]) },
        // gina's old account was deleted and her UPN reused by a new, enabled account: the living one wins
        { user: "gina@contoso.example", status: "active", aliases: null },
        { user: "hal@contoso.example", status: "deleted", aliases: null },
      ]);
      // @odata.count 3 and 3 users listed: the export is the whole directory
      expect(db.prepare("SELECT value FROM roster_cursors WHERE vendor = 'directory' AND org = 'microsoft-entra' AND key = 'complete:accounts'").pluck().get()).toBe("1");

      // an OpenAI roster with a key per owner
      const w = new RosterWriter(db, 2);
      const key = (id: string, ownerEmail: string) => ({ kind: "project_key" as const, id, ownerKind: "user" as const, ownerId: `user-${id}`, ownerEmail, status: "active", createdAt: "2026-11-01T00:00:00Z", lastUsedAt: "2026-12-01T00:00:00Z" });
      const members = ["alice", "dave", "erin", "hal", "ivan"].map((n) => ({ kind: "user" as const, id: `user-key_${n}`, email: `${n}@contoso.example`, lastActiveAt: "2026-12-01T00:00:00Z" }));
      w.put({
        vendor: "openai", org: "org-1", source: "openai", principals: members,
        // erin's key is held under her mail alias
        keys: [key("key_alice", "alice@contoso.example"), key("key_dave", "dave@contoso.example"), key("key_erin", "erin.ross@contoso.example"), key("key_hal", "hal@contoso.example"), key("key_ivan", "ivan@contoso.example")],
      });
      const report = reconcileSeats(db, { days: 30, now: new Date("2026-12-07T00:00:00Z"), serviceIds: new Map([["openai", ["openai-api"]]]) });
      expect(report.findings.filter((f) => f.kind === "orphaned_key").map((f) => [f.id, f.user, f.ownerStatus])).toEqual([
        ["key_alice", "alice@contoso.example", "disabled"],
        ["key_dave", "dave@contoso.example", "deleted"],
        ["key_hal", "hal@contoso.example", "deleted"],
        ["key_ivan", "ivan@contoso.example", "unknown"],
      ]);
    } finally {
      db.close();
    }
  });

  it("marks an account of an earlier scan deleted only when a later export is the whole directory", async () => {
    const db = openStore(join(tmp, "two.db"));
    try {
      // scan 1: an export of one users page naming frank
      new RosterWriter(db, 1).directory([{ source: "microsoft-entra", user: "frank@contoso.example", status: "active" }]);
      // scan 2: a deleted-users page alone says nothing about the rest of the directory
      expect(await scanExport(db, 2, [fx("deletedUsers.json")])).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) FROM roster_cursors WHERE key = 'complete:accounts'").pluck().get()).toBe(0);
      // a filtered list (its nextLink says $filter) declares the filtered count: not the whole directory
      const filtered = join(tmp, "users-filtered.json");
      writeFileSync(filtered, JSON.stringify({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,accountEnabled)", "@odata.count": 2,
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$count=true&$filter=accountEnabled%20eq%20false&$skiptoken=X",
        value: [{ id: "1", userPrincipalName: "x@contoso.example", accountEnabled: false }, { id: "2", userPrincipalName: "y@contoso.example", accountEnabled: false }],
      }));
      expect(await scanExport(db, 3, [filtered])).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) FROM roster_cursors WHERE key = 'complete:accounts'").pluck().get()).toBe(0);
      // scan 4: the users page with @odata.count, listed whole
      expect(await scanExport(db, 4, [fx("users-directory.json")])).toEqual([]);
      const w = new RosterWriter(db, 5);
      w.put({ vendor: "openai", org: "org-1", source: "openai", keys: [{ kind: "project_key", id: "key_frank", ownerKind: "user", ownerEmail: "frank@contoso.example", status: "active", createdAt: "2026-11-01T00:00:00Z" }] });
      const report = reconcileSeats(db, { days: 30, now: new Date("2026-12-07T00:00:00Z"), serviceIds: new Map([["openai", ["openai-api"]]]) });
      expect(report.findings.find((f) => f.kind === "orphaned_key" && f.id === "key_frank")?.ownerStatus).toBe("deleted");
      // and so are the accounts only the filtered list named
      expect(db.prepare("SELECT user FROM directory_accounts WHERE last_scan_id < 4 ORDER BY user").pluck().all()).toEqual(["dave@contoso.example", "frank@contoso.example", "x@contoso.example", "y@contoso.example"]);
    } finally {
      db.close();
    }
  });
});
