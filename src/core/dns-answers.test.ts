import { describe, expect, it } from "vitest";
import { DnsAnswerTable, dnsAnswerKeyHash, MAX_NAME_BYTES, MIN_TTL_MS } from "./dns-answers.js";

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

const T0 = Date.UTC(2025, 0, 1);

describe("DnsAnswerTable", () => {
  it("evicts the oldest answer first when maxEntries pairs are held; a new answer for a pair replaces it and becomes the newest", () => {
    const t = new DnsAnswerTable({ maxEntries: 3, maxBytes: 4096 });
    t.add("10.0.0.1", "192.0.2.1", "a.example");
    t.add("10.0.0.1", "192.0.2.2", "b.example");
    t.add("10.0.0.1", "192.0.2.3", "c.example");
    t.add("10.0.0.1", "192.0.2.1", "a2.example"); // replaces a: now b is the oldest
    expect(t.size).toBe(3);
    t.add("10.0.0.1", "192.0.2.4", "d.example");
    expect(t.get("10.0.0.1", "192.0.2.2")).toBeUndefined();
    expect([t.get("10.0.0.1", "192.0.2.1"), t.get("10.0.0.1", "192.0.2.3"), t.get("10.0.0.1", "192.0.2.4")]).toEqual(["a2.example", "c.example", "d.example"]);
    expect(t.get("10.0.0.2", "192.0.2.1")).toBeUndefined(); // keyed by client too
    expect(t.get("", "192.0.2.1")).toBeUndefined();
  });

  it("with refresh, a lookup makes the answer the newest (least recently used goes first)", () => {
    const t = new DnsAnswerTable({ maxEntries: 2, maxBytes: 4096 });
    t.add("", "192.0.2.1", "a.example");
    t.add("", "192.0.2.2", "b.example");
    expect(t.get("", "192.0.2.1", undefined, true)).toBe("a.example");
    t.add("", "192.0.2.3", "c.example");
    expect(t.get("", "192.0.2.2")).toBeUndefined();
    expect(t.get("", "192.0.2.1")).toBe("a.example");
    // Without refresh the order stays: a is the oldest now.
    t.add("", "192.0.2.4", "d.example");
    expect(t.get("", "192.0.2.1")).toBeUndefined();
    expect(t.get("", "192.0.2.3")).toBe("c.example");
  });

  it("expires an answer TTL seconds after it, at least MIN_TTL_MS; no TTL or no lookup time: no expiry", () => {
    const t = new DnsAnswerTable({ maxEntries: 8, maxBytes: 4096 });
    t.add("c", "192.0.2.1", "ttl300.example", T0, 300);
    t.add("c", "192.0.2.2", "ttl0.example", T0, 0);
    t.add("c", "192.0.2.3", "nottl.example", T0);
    t.add("c", "192.0.2.4", "notime.example", undefined, 300);
    expect(t.get("c", "192.0.2.1", T0 + 300_000)).toBe("ttl300.example");
    expect(t.get("c", "192.0.2.1", T0 + 300_001)).toBeUndefined();
    expect(t.get("c", "192.0.2.1")).toBe("ttl300.example");
    expect(t.get("c", "192.0.2.2", T0 + MIN_TTL_MS)).toBe("ttl0.example");
    expect(t.get("c", "192.0.2.2", T0 + MIN_TTL_MS + 1)).toBeUndefined();
    expect(t.get("c", "192.0.2.3", T0 + 365 * 86_400_000)).toBe("nottl.example");
    expect(t.get("c", "192.0.2.4", T0 + 365 * 86_400_000)).toBe("notime.example");
    // NaN or negative TTLs are no TTL.
    t.add("c", "192.0.2.5", "nan.example", T0, Number.NaN);
    t.add("c", "192.0.2.6", "neg.example", T0, -5);
    expect([t.get("c", "192.0.2.5", T0 + 86_400_000), t.get("c", "192.0.2.6", T0 + 86_400_000)]).toEqual(["nan.example", "neg.example"]);
  });

  it("keeps a refreshed answer's time and expiry", () => {
    const t = new DnsAnswerTable({ maxEntries: 4, maxBytes: 4096 });
    t.add("", "192.0.2.1", "a.example", T0, 120);
    t.add("", "192.0.2.2", "b.example", T0, 120);
    expect(t.get("", "192.0.2.1", T0 + 100_000, true)).toBe("a.example");
    expect(t.get("", "192.0.2.1", T0 + 120_001)).toBeUndefined();
  });

  it("bounds the bytes of its records: random answers against a model of the newest ones", () => {
    const maxBytes = 4096;
    const t = new DnsAnswerTable({ maxEntries: 64, maxBytes });
    const r = rng(20);
    /** pair → [name, sequence number of its latest answer] */
    const model = new Map<string, [string, number]>();
    let seq = 0;
    for (let step = 0; step < 20_000; step++) {
      const client = `10.0.${r(4)}.${r(8)}`;
      const address = r(2) ? `198.51.100.${r(16)}` : `2001:db8::${r(16).toString(16)}`;
      const name = `${"x".repeat(r(300))}.${r(1000)}.example`;
      expect(t.add(client, address, name)).toBe(true);
      model.set(`${client}|${address}`, [name, seq++]);
      if (step % 97 !== 0) continue;
      // Every pair found gives its latest name; the pairs found are the newest ones (no gap).
      const found: number[] = [];
      const missing: number[] = [];
      let bytes = 0;
      for (const [key, [n, s]] of model) {
        const [c, a] = key.split("|") as [string, string];
        const got = t.get(c, a);
        if (got === undefined) missing.push(s);
        else {
          expect(got).toBe(n);
          found.push(s);
          bytes += Buffer.byteLength(key) - 1 + Buffer.byteLength(n);
        }
      }
      expect(found.length).toBe(t.size);
      expect(found).toContain(seq - 1);
      if (missing.length > 0 && found.length > 0) expect(Math.min(...found)).toBeGreaterThan(Math.max(...missing));
      expect(t.size).toBeLessThanOrEqual(64);
      expect(bytes).toBeLessThanOrEqual(maxBytes);
    }
  });

  it("never gives the name of another pair whose hash collides", () => {
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const h = dnsAnswerKeyHash("", address);
      const other = seen.get(h);
      if (other !== undefined) pair = [other, address];
      else seen.set(h, address);
    }
    const [a, b] = pair;
    expect(dnsAnswerKeyHash("", a)).toBe(dnsAnswerKeyHash("", b));
    const t = new DnsAnswerTable({ maxEntries: 4, maxBytes: 4096 });
    t.add("", a, "a.example");
    expect(t.get("", b)).toBeUndefined();
    t.add("", b, "b.example");
    expect([t.get("", a), t.get("", b)]).toEqual(["a.example", "b.example"]);
    t.add("", a, "a2.example"); // replacing a keeps b
    expect([t.get("", a), t.get("", b)]).toEqual(["a2.example", "b.example"]);
    t.add("", "192.0.2.9", "x.example");
    t.add("", "192.0.2.10", "y.example");
    t.add("", "192.0.2.11", "z.example"); // evicts b, the oldest
    expect([t.get("", a), t.get("", b)]).toEqual(["a2.example", undefined]);
  });

  it("keeps UTF-8 names and clients; refuses parts longer than their bounds", () => {
    const t = new DnsAnswerTable({ maxEntries: 4, maxBytes: 4096 });
    expect(t.add("büro-pc", "192.0.2.1", "bücher.example 😀")).toBe(true);
    expect(t.get("büro-pc", "192.0.2.1")).toBe("bücher.example 😀");
    expect(t.get("buro-pc", "192.0.2.1")).toBeUndefined();
    expect(t.add("c", "192.0.2.2", "é".repeat(MAX_NAME_BYTES / 2))).toBe(true);
    expect(t.add("c", "192.0.2.3", `${"é".repeat(MAX_NAME_BYTES / 2)}x`)).toBe(false);
    expect(t.add("c".repeat(256), "192.0.2.4", "a.example")).toBe(false);
    expect(t.add("c", "1".repeat(256), "a.example")).toBe(false);
    expect(t.get("c", "192.0.2.3")).toBeUndefined();
    expect(t.size).toBe(2);
  });

  it("rejects bounds out of range", () => {
    expect(() => new DnsAnswerTable({ maxEntries: 0, maxBytes: 4096 })).toThrow(/maxEntries/);
    expect(() => new DnsAnswerTable({ maxEntries: 1.5, maxBytes: 4096 })).toThrow(/maxEntries/);
    expect(() => new DnsAnswerTable({ maxEntries: 4, maxBytes: 100 })).toThrow(/maxBytes must be an integer from 4096/);
  });
});
