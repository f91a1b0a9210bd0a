import { describe, expect, it } from "vitest";
import { boundHeap } from "./heap.js";

// The effect (1,000,000 Google tokens under 200 MB peak RSS) is measured end to end by the
// reliability suite (src/reliability/suite.ts); here, when the bounds are left to the person.
describe("boundHeap", () => {
  it("leaves V8's sizing alone when SHADOW_AI_HEAP=default", () => {
    expect(boundHeap({ SHADOW_AI_HEAP: "default" }, [])).toBe(false);
  });

  it("leaves V8's sizing alone when Node.js was given heap flags, on the command line or in NODE_OPTIONS", () => {
    expect(boundHeap({}, ["--max-semi-space-size=16"])).toBe(false);
    expect(boundHeap({ NODE_OPTIONS: "--enable-source-maps --heap-growing-percent=50" }, [])).toBe(false);
    expect(boundHeap({}, ["--max-heap-size=512"])).toBe(false);
    expect(boundHeap({ NODE_OPTIONS: "--max_semi_space_size=8" }, [])).toBe(false);
  });
});
