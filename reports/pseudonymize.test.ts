/**
 * Pseudonymization: users and client addresses become stable keyed pseudonyms everywhere, in
 * structured fields and in free text; nothing else changes; the key is checked.
 */
import { describe, expect, it } from "vitest";
import type { AISystemRecord } from "../src/core/finding.js";
import { realInventory } from "./__fixtures__/records.js";
import {
  MIN_PSEUDONYM_KEY_LENGTH,
  PseudonymKeyError,
  pseudonym,
  pseudonymKeyFromEnv,
  pseudonymKeyId,
  pseudonymize,
} from "./pseudonymize.js";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";

const identities = (rs: readonly AISystemRecord[]) => [...new Set(rs.flatMap((r) => r.users.filter((u) => u.kind === "user" || u.kind === "client").map((u) => u.id)))];

describe("pseudonym", () => {
  it("is u_ + 16 hex digits, stable for a key, different across keys, case-insensitive", () => {
    const a = pseudonym("alice@example.com", KEY);
    expect(a).toMatch(/^u_[0-9a-f]{16}$/);
    expect(pseudonym("alice@example.com", KEY)).toBe(a);
    expect(pseudonym(" Alice@Example.COM ", KEY)).toBe(a);
    expect(pseudonym("alice@example.com", OTHER)).not.toBe(a);
    expect(pseudonym("bob@example.com", KEY)).not.toBe(a);
    expect(pseudonymKeyId(KEY)).toMatch(/^[0-9a-f]{8}$/);
    expect(pseudonymKeyId(KEY)).not.toBe(pseudonymKeyId(OTHER));
  });

  it("needs a key of at least 32 characters, from $SHADOW_AI_PSEUDONYM_KEY", () => {
    expect(() => pseudonymKeyFromEnv({})).toThrow(PseudonymKeyError);
    expect(() => pseudonymKeyFromEnv({ SHADOW_AI_PSEUDONYM_KEY: "" })).toThrow(/SHADOW_AI_PSEUDONYM_KEY/);
    expect(() => pseudonymKeyFromEnv({ SHADOW_AI_PSEUDONYM_KEY: "x".repeat(MIN_PSEUDONYM_KEY_LENGTH - 1) })).toThrow(/at least 32/);
    expect(pseudonymKeyFromEnv({ SHADOW_AI_PSEUDONYM_KEY: KEY })).toBe(KEY);
    expect(() => pseudonymize([], "short")).toThrow(PseudonymKeyError);
    expect(() => pseudonym("a@b.c", "short")).toThrow(PseudonymKeyError);
  });
});

describe("pseudonymize", () => {
  it("replaces every user and client identity, everywhere in the records", () => {
    const { records } = realInventory();
    const ids = identities(records);
    expect(ids.some((x) => x.includes("@"))).toBe(true);
    expect(ids.some((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x))).toBe(true);
    const out = pseudonymize(records, KEY);
    const text = JSON.stringify(out.map((r) => ({ ...r, owner: null, governance: { ...r.governance, owner: null } })));
    for (const id of ids) expect(text.includes(id), id).toBe(false);
    for (const r of out) {
      for (const u of r.users) {
        if (u.kind === "user" || u.kind === "client") expect(u.id).toMatch(/^u_[0-9a-f]{16}$/);
        else expect(["all users", "application permissions"]).toContain(u.id);
      }
      expect(r.users.map((u) => u.id)).toEqual([...r.users.map((u) => u.id)].sort());
    }
  });

  it("keeps everything else, the record keys and the owner (by default)", () => {
    const { records } = realInventory();
    const out = pseudonymize(records, KEY);
    expect(out.map((r) => r.id)).toEqual(records.map((r) => r.id));
    for (const [i, r] of out.entries()) {
      const o = records[i]!;
      expect(Object.keys(r)).toEqual(Object.keys(o));
      // the users a decision was about are identities too: pseudonymised like users[]
      expect({ ...r, users: [], governance: { ...r.governance, purpose: null, decidedFacts: null } }).toEqual({ ...o, users: [], governance: { ...o.governance, purpose: null, decidedFacts: null } });
      expect(r.governance.decidedFacts?.users ?? []).toEqual((o.governance.decidedFacts?.users ?? []).map((u) => pseudonym(u, KEY)));
      expect(r.users.length).toBe(o.users.length);
      expect(r.users.map((u) => u.observations).sort()).toEqual(o.users.map((u) => u.observations).sort());
    }
    const hr = out.find((r) => r.id === "hirevue@hr")!;
    expect(hr.owner).toBe("hank@example.com");
    expect(hr.governance.owner).toBe("hank@example.com");
    // identities inside free text are replaced by the same pseudonyms as in users[]
    expect(hr.governance.purpose).toBe(`Screening video interviews; questions to ${pseudonym("erin@example.com", KEY)} or ${pseudonym("127.0.0.21", KEY)}`);
    expect(hr.users.map((u) => u.id)).toContain(pseudonym("erin@example.com", KEY));
  });

  it("pseudonymizes the owner too with keepOwner: false", () => {
    const out = pseudonymize(realInventory().records, KEY, { keepOwner: false });
    const hr = out.find((r) => r.id === "hirevue@hr")!;
    expect(hr.owner).toBe(pseudonym("hank@example.com", KEY));
    expect(hr.governance.owner).toBe(hr.owner);
    expect(out.find((r) => r.id === "openai-chatgpt@marketing")!.owner).toBe(pseudonym("Marketing Ops", KEY));
  });

  it("is deterministic and joinable: same key, same pseudonyms across exports; input untouched", () => {
    const { records } = realInventory();
    const before = JSON.stringify(records);
    const a = pseudonymize(records, KEY);
    expect(JSON.stringify(records)).toBe(before);
    expect(pseudonymize(records, KEY)).toEqual(a);
    // a user in two records has one pseudonym
    const byUser = new Map<string, string[]>();
    for (const r of records) for (const u of r.users) if (u.kind === "user") byUser.set(u.id, [...(byUser.get(u.id) ?? []), r.id]);
    const [user, recIds] = [...byUser.entries()].find(([, rs]) => rs.length > 1)!;
    for (const id of recIds) expect(a.find((r) => r.id === id)!.users.map((u) => u.id)).toContain(pseudonym(user, KEY));
    expect(pseudonymize(records, OTHER)).not.toEqual(a);
  });

  it("sweeps e-mail and IP addresses out of free text, and leaves times, versions and scopes alone", () => {
    const r = JSON.parse(JSON.stringify(realInventory().records[0])) as AISystemRecord;
    r.governance.oversight = "Ask Carol.Smith+ai@corp.example.co.uk, 'dave@x.io' or 10.1.2.3; v6 fe80::1 and 2001:db8::42 at 10:04:46 on 2026-11-22T05:04:46.091Z, v1.2.3, 300.1.2.3";
    r.classification.rationale = "No identities: Art. 50(1), EU2024/1689+EU2026/1744@2026.11.0, https://www.googleapis.com/auth/gmail.readonly";
    const [out] = pseudonymize([r], KEY);
    expect(out!.governance.oversight).toBe(
      `Ask ${pseudonym("carol.smith+ai@corp.example.co.uk", KEY)}, '${pseudonym("dave@x.io", KEY)}' or ${pseudonym("10.1.2.3", KEY)}; v6 ${pseudonym("fe80::1", KEY)} and ${pseudonym("2001:db8::42", KEY)} at 10:04:46 on 2026-11-22T05:04:46.091Z, v1.2.3, 300.1.2.3`,
    );
    expect(out!.classification.rationale).toBe(r.classification.rationale);
    expect(out!.scopes).toEqual(r.scopes);
    expect(out!.matchedBy).toEqual(r.matchedBy);
  });

  it("replaces a known identity that is neither an e-mail nor an IP address, on word boundaries", () => {
    const r = JSON.parse(JSON.stringify(realInventory().records[0])) as AISystemRecord;
    r.users = [{ id: "corp\\jdoe", kind: "user", observations: 1, firstSeen: r.firstSeen, lastSeen: r.lastSeen }];
    r.governance.purpose = "Used by corp\\jdoe, not corp\\jdoe2";
    const [out] = pseudonymize([r], KEY);
    expect(out!.governance.purpose).toBe(`Used by ${pseudonym("corp\\jdoe", KEY)}, not corp\\jdoe2`);
  });
});
