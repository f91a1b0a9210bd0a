import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { InputError } from "../../src/core/collector.js";
import { looksLikeMemberCsv, readMemberCsv } from "./members.js";
import { parseAuditEvent, parseProjectKey, parseUsageBucket, parseUser } from "./parse.js";

const fx = (n: string) => join(import.meta.dirname, "__fixtures__", n);

describe("ChatGPT member export", () => {
  it("reads every member once, lower-cases addresses, and names the file and line of a bad row", async () => {
    const errors: InputError[] = [];
    const seats = await readMemberCsv(fx("chatgpt-members.csv"), (e) => errors.push(e));
    expect(seats.map((s) => [s.id, s.name, s.role, s.status, s.createdAt, s.lastActiveAt ?? null])).toEqual([
      ["ana@example.com", "Ana Admin", "owner", "active", "2026-01-05T00:00:00.000Z", "2026-12-01T00:00:00.000Z"],
      ["bob@example.com", "Bob, B.", "member", "active", "2026-02-01T00:00:00.000Z", null],
      ["cy@example.com", "Cy", "member", "pending", "2026-11-30T00:00:00.000Z", null],
    ]);
    expect(errors).toEqual([{ input: fx("chatgpt-members.csv"), line: 4, message: 'row without a valid e-mail address ("not-an-address"); row skipped', partial: true }]);
  });

  it("refuses a file without an Email column, naming the file, the line and the columns found", async () => {
    await expect(readMemberCsv(fx("chatgpt-members-no-email.csv"), () => undefined)).rejects.toThrow(`${fx("chatgpt-members-no-email.csv")}:1: the header has no Email column (found: "Name", "Mail", "Role")`);
  });

  it("is recognised by its header only", () => {
    expect(looksLikeMemberCsv("Name,Email,Role,Status\n")).toBe(true);
    expect(looksLikeMemberCsv("ts,user,host\n")).toBe(false);
    expect(looksLikeMemberCsv('{"email":"a","role":"b"}\n')).toBe(false);
  });
});

describe("OpenAI Admin API objects", () => {
  it("keeps a key's redacted value as given and its owner, and nothing more", () => {
    const k = parseProjectKey({ object: "organization.project.api_key", id: "key_1", name: "n", redacted_value: "sk-abc...wxyz", created_at: 1764547200, last_used_at: null, owner: { type: "user", user: { id: "user-1", email: "A@Example.com", name: "A", role: "owner", created_at: 1 } } }, "proj_1");
    expect(k).toEqual({ kind: "project_key", id: "key_1", groupId: "proj_1", scope: "project", status: "active", name: "n", redacted: "sk-abc...wxyz", ownerKind: "user", ownerId: "user-1", ownerEmail: "a@example.com", createdAt: "2025-12-01T00:00:00.000Z" });
  });

  it("turns a service-account user into a service account and skips items without an id", () => {
    expect(parseUser({ id: "user-x", email: "bot@example.com", role: "reader", is_service_account: true })?.kind).toBe("service_account");
    expect(parseUser({ email: "no-id@example.com" })).toBeUndefined();
  });

  it("reads who created what from an audit event", () => {
    expect(parseAuditEvent({ id: "e1", type: "api_key.created", effective_at: 1764547200, actor: { type: "api_key", api_key: { id: "key_a", type: "user", user: { id: "user-1", email: "x@example.com" } } }, "api_key.created": { id: "key_b", data: { scopes: [] } } })).toEqual({
      id: "e1", type: "api_key.created", time: "2025-12-01T00:00:00.000Z", actorKind: "api_key", actorId: "user-1", actorEmail: "x@example.com", targetId: "key_b",
    });
  });

  it("sums a day's usage per user and per key", () => {
    const u = parseUsageBucket({ object: "bucket", start_time: 1764547200, end_time: 1764633600, results: [
      { user_id: "user-1", api_key_id: "key_a", num_model_requests: 2, input_tokens: 10, output_tokens: 5 },
      { user_id: "user-1", api_key_id: "key_b", num_model_requests: 3, input_tokens: 1, output_tokens: 1 },
    ] });
    expect(u.filter((x) => x.metric === "requests").map((x) => [x.subjectKind, x.subjectId, x.value])).toEqual([["user", "user-1", 5], ["api_key", "key_a", 2], ["api_key", "key_b", 3]]);
  });
});
