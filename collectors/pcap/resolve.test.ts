import { describe, expect, it } from "vitest";
import { ResolvedNames } from "./resolve.js";

describe("ResolvedNames", () => {
  it("forgets the least recently used address first; a lookup refreshes it", () => {
    const r = new ResolvedNames(3, 2);
    r.add("192.0.2.1", "a.example");
    r.add("192.0.2.2", "b.example");
    r.add("192.0.2.3", "c.example");
    expect(r.get("192.0.2.1")).toBe("a.example"); // now the most recent
    r.add("192.0.2.4", "d.example"); // evicts 192.0.2.2
    expect(r.get("192.0.2.2")).toBeUndefined();
    expect([r.get("192.0.2.1"), r.get("192.0.2.3"), r.get("192.0.2.4")]).toEqual(["a.example", "c.example", "d.example"]);
    expect(r.size).toBe(3);
    r.add("192.0.2.3", "c2.example"); // the most recent answer wins
    expect(r.get("192.0.2.3")).toBe("c2.example");
  });

  it("keeps ECH public names case-insensitively, bounded", () => {
    const r = new ResolvedNames(3, 2);
    r.addEchPublicName("Cloudflare-ECH.com");
    expect(r.isEchPublicName("cloudflare-ech.com")).toBe(true);
    r.addEchPublicName("a.example");
    r.addEchPublicName("b.example");
    expect(r.isEchPublicName("cloudflare-ech.com")).toBe(false);
    expect(r.isEchPublicName("B.EXAMPLE")).toBe(true);
  });
});
