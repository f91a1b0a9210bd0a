import { describe, expect, it } from "vitest";
import { cell, safeText, table } from "./terminal.js";

describe("terminal output of attacker-controlled strings", () => {
  it("escapes ANSI/OSC sequences, carriage returns and bidi overrides", () => {
    expect(safeText("\u001b]8;;https://evil\u0007click\u001b]8;;\u0007")).toBe("\\x1b]8;;https://evil\\x07click\\x1b]8;;\\x07");
    expect(safeText("ok\rFAKE")).toBe("ok\\x0dFAKE");
    expect(safeText("abc\u202Egpj.exe")).toBe("abc\\u{202e}gpj.exe");
    expect(safeText("\u009b31m")).toBe("\\x9b31m");
    expect(safeText("Otter.ai — ünïcode")).toBe("Otter.ai — ünïcode");
  });

  it("bounds cell width", () => {
    expect(cell("x".repeat(500), 10)).toBe(`${"x".repeat(9)}…`);
    expect(cell(null)).toBe("");
  });

  it("renders no raw escape character in a table", () => {
    const out = table(["App"], [["\u001b[2J\u001b[Hpwned"]]);
    expect(out).not.toContain("\u001b[2J");
    expect(out).toContain("\\x1b[2J");
  });
});
