import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ownCopy } from "./own-copy.js";

describe("ownCopy", () => {
  it("returns an equal string", () => {
    for (const s of ["", "a", "api.openai.com", "x".repeat(1000), "bücher.example", "😀 emoji"]) expect(ownCopy(s)).toBe(s);
  });

  it("keeps no reference to the string it was cut from (checked by the garbage collector)", () => {
    // The same function body, run where gc() is exposed: 200 slices of 1 MiB strings kept in a Map.
    const script = `
      const ownCopy = ${ownCopy.toString()};
      const keep = (mode) => {
        const m = new Map();
        for (let i = 0; i < 200; i++) {
          const parent = ("x".repeat(1 << 20) + i + ".host.example.com").slice(0);
          const host = parent.slice(parent.length - 20);
          m.set(mode === "copy" ? ownCopy(host) : host, i);
        }
        global.gc();
        return { size: m.size, mb: process.memoryUsage().heapUsed / 1048576 };
      };
      console.log(JSON.stringify({ slice: keep("slice"), copy: keep("copy") }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--expose-gc", "-e", script], { encoding: "utf8" })) as Record<string, { size: number; mb: number }>;
    expect(out.slice!.size).toBe(200);
    expect(out.slice!.mb).toBeGreaterThan(150); // the plain slices keep their 1 MiB parents alive
    expect(out.copy!.size).toBe(200);
    expect(out.copy!.mb).toBeLessThan(20);
  });
});
