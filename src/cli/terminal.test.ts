import { describe, expect, it } from "vitest";
import { cell, displayWidth, safeText, table, type Column } from "./terminal.js";

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

describe("tables that fit the terminal", () => {
  const widest = (s: string) => Math.max(...s.split("\n").map(displayWidth));
  const rows = [
    ["suspected:microsoft 365 copilot in microsoft teams@engineering", "transparency", "unreviewed", 1003, "A very long free text that is the least important thing in this table"],
    ["openai-chatgpt@marketing", "high-risk", "under_review", 7, "short"],
  ];
  const columns: Column[] = [
    { header: "Record", keep: true, wrap: true, min: 28 },
    { header: "Class", keep: true },
    { header: "Status", keep: true },
    { header: "Users", keep: true, right: true },
    { header: "Notes", min: 10, max: 60, priority: 5, optional: true },
  ];

  it("fits the width, cutting the least important column and never an id, class, status or count", () => {
    const out = table(columns, rows, { width: 90 });
    expect(widest(out)).toBeLessThanOrEqual(90);
    expect(out).toContain("1003");
    expect(out).toContain("transparency");
    expect(out).toContain("under_review");
    expect(out).toContain("openai-chatgpt@marketing");
    expect(out).toContain("A very lo…");
    // the long id wraps inside its cell at a space, and is whole when joined
    const cells = out.split("\n").map((l) => /^│ (.*?) +│/.exec(l)?.[1] ?? "").filter(Boolean);
    expect(`${cells[1]} ${cells[2]}`).toBe("suspected:microsoft 365 copilot in microsoft teams@engineering");
  });

  it("leaves an optional column out when even its minimum does not fit", () => {
    const out = table(columns, rows, { width: 72 });
    expect(widest(out)).toBeLessThanOrEqual(72);
    expect(out).not.toContain("Notes");
    expect(out).toContain("1003");
  });

  it("keeps natural widths on a wide terminal, and bounds cells by their maximum when piped", () => {
    const wide = table(columns, rows, { width: 300 });
    expect(wide).toContain("A very long free text that is the least important thing in");
    expect(wide).toContain("suspected:microsoft 365 copilot in microsoft teams@engineering");
    const piped = table(["Value"], [["x".repeat(500)]], { width: Number.POSITIVE_INFINITY });
    expect(widest(piped)).toBe(60 + 4);
  });

  it("wraps a wrap column instead of cutting it", () => {
    const out = table([{ header: "When", keep: true }, { header: "Why", min: 12, max: 40, wrap: true }], [["2026-12-07 04:05:17", "Blocked at the proxy on the CISO's decision, ticket SEC-1234"]], { width: 50 });
    expect(widest(out)).toBeLessThanOrEqual(50);
    expect(out.replace(/[│\s]+/g, " ")).toContain("Blocked at the proxy on the CISO's decision, ticket SEC-1234");
    expect(out).not.toContain("…");
  });

  it("measures wide characters as two columns and escapes controls inside a fitted table", () => {
    expect(displayWidth("日本")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    const out = table([{ header: "Name", min: 4, max: 10 }], [["日本語のサービス名です"], ["\u001b[31mred"]], { width: 20 });
    expect(widest(out)).toBeLessThanOrEqual(20);
    expect(out).not.toContain("\u001b");
  });
});
