import { describe, expect, it } from "vitest";
import { epochSecondsToMs } from "./time.js";

describe("epochSecondsToMs", () => {
  it("reads Zeek, Squid and plain epoch seconds, truncated to ms, in place", () => {
    const at = (s: string) => epochSecondsToMs(s, 0, s.length);
    expect(at("1335538392.319381")).toBe(1335538392319);
    expect(at("1544160065.248")).toBe(1544160065248);
    expect(at("1683147305")).toBe(1683147305000);
    expect(at("0.5")).toBe(500);
    expect(at("12.")).toBe(12000);
    expect(at("99999999999.999")).toBe(99999999999999);
    const line = "x\t1700000000.123456\ty";
    expect(epochSecondsToMs(line, 2, 19)).toBe(1700000000123);
    for (const bad of ["", ".5", "1a", "17e9", "-1", "1.2.3", "1.x", "9".repeat(40)]) expect(at(bad)).toBeNaN();
  });
});
