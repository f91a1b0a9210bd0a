import { describe, expect, it } from "vitest";
import { riskScore, type RiskInput } from "./risk.js";

const NOW = "2026-11-22T00:00:00.000Z";
const base: RiskInput = {
  scopes: [], userCount: 1, allUsersConsent: false, status: "sanctioned", vendorFacts: { hqCountry: "DE", trainsOnCustomerData: "no" },
  hasGrants: false, verifiedPublisher: false, lastSeen: "2026-01-01T00:00:00.000Z", now: NOW,
};
const points = (r: RiskInput, f: string) => riskScore(r).factors.find((x) => x.factor === f)!.points;

describe("risk score", () => {
  it("is low for a sanctioned EU tool with one user, no grants, not seen for months", () => {
    const r = riskScore(base);
    expect(r.score).toBe(3 + 0 + 0 + 0 + 0 + 1);
    expect(r.factors.map((f) => f.factor)).toEqual(["scopes", "users", "status", "training", "publisher", "jurisdiction", "recency"]);
  });

  it("weighs scope breadth: mailbox, all files, directory, calendar, write, capped at 35", () => {
    expect(points({ ...base, scopes: ["https://www.googleapis.com/auth/gmail.readonly"] }, "scopes")).toBe(20);
    expect(points({ ...base, scopes: ["Files.Read.All"] }, "scopes")).toBe(15);
    expect(points({ ...base, scopes: ["Directory.Read.All"] }, "scopes")).toBe(12);
    expect(points({ ...base, scopes: ["https://www.googleapis.com/auth/calendar.readonly"] }, "scopes")).toBe(6);
    expect(points({ ...base, scopes: ["openid", "User.Read"] }, "scopes")).toBe(0);
    expect(points({ ...base, scopes: ["Mail.ReadWrite", "Files.ReadWrite.All", "Directory.Read.All"] }, "scopes")).toBe(35);
  });

  it("grows with users, and an all-users consent counts as the maximum", () => {
    expect([1, 3, 10, 50, 500].map((n) => points({ ...base, userCount: n }, "users"))).toEqual([3, 6, 9, 12, 15]);
    expect(points({ ...base, userCount: 0, allUsersConsent: true }, "users")).toBe(15);
  });

  it("scores sanction status, training on customer data, publisher and jurisdiction", () => {
    expect(points({ ...base, status: "unsanctioned" }, "status")).toBe(15);
    expect(points({ ...base, status: "unreviewed" }, "status")).toBe(10);
    expect(points({ ...base, vendorFacts: { trainsOnCustomerData: "yes" } }, "training")).toBe(10);
    expect(points({ ...base, vendorFacts: {} }, "training")).toBe(4);
    expect(points({ ...base, hasGrants: true, verifiedPublisher: false }, "publisher")).toBe(5);
    expect(points({ ...base, hasGrants: true, verifiedPublisher: true }, "publisher")).toBe(0);
    expect(points({ ...base, vendorFacts: { hqCountry: "US" } }, "jurisdiction")).toBe(3);
    expect(points({ ...base, vendorFacts: { hqCountry: "CN" } }, "jurisdiction")).toBe(10);
    expect(points({ ...base, vendorFacts: {} }, "jurisdiction")).toBe(6);
  });

  it("scores recency", () => {
    expect(["2026-11-20", "2026-11-01", "2026-09-15", "2025-01-01"].map((d) => points({ ...base, lastSeen: `${d}T00:00:00.000Z` }, "recency"))).toEqual([10, 7, 4, 1]);
  });

  it("reaches 100 for the worst case and never exceeds it", () => {
    const worst = riskScore({
      scopes: ["https://mail.google.com/", "https://www.googleapis.com/auth/drive", "Directory.Read.All"], userCount: 1000, allUsersConsent: true,
      status: "unsanctioned", vendorFacts: { hqCountry: "CN", trainsOnCustomerData: "yes" }, hasGrants: true, verifiedPublisher: false, lastSeen: NOW, now: NOW,
    });
    expect(worst.score).toBe(100);
    expect(worst.factors.reduce((s, f) => s + f.max, 0)).toBe(100);
  });

  it("adds an unverified-publisher factor only to a third-party app named after an AI brand", () => {
    const reason = 'unverified publisher: app "ChatGPT for Gmail" is named like ChatGPT (OpenAI), but its OAuth client ID 2-x.apps.googleusercontent.com is not one OpenAI publishes';
    const plain = riskScore({ ...base, status: "suspected" });
    const third = riskScore({ ...base, status: "suspected", unverifiedPublisher: reason });
    expect(plain.factors.map((f) => f.factor)).not.toContain("unverified publisher");
    const f = third.factors.find((x) => x.factor === "unverified publisher")!;
    expect(f).toMatchObject({ points: 10, max: 10 });
    expect(f.detail).toBe('named after an AI brand it does not belong to: app "ChatGPT for Gmail" is named like ChatGPT (OpenAI), but its OAuth client ID 2-x.apps.googleusercontent.com is not one OpenAI publishes');
    expect(third.score).toBe(plain.score + 10);
  });
});
