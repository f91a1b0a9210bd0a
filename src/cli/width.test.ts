/**
 * Human output fits the terminal (#19): the built CLI (dist/src/cli/main.js) runs under a real
 * pseudo-terminal 100 columns wide (util-linux `script`, the terminal size set with `stty cols`),
 * on a database made by scanning the bundled examples, and the widest line of each table command
 * is at most 100 columns; the record ids `review` takes are visible in `inventory`, whole.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { displayWidth } from "./terminal.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");
const SCRIPT = "/usr/bin/script";
const COLS = 100;

/** Single-quote `s` for /bin/sh. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run the CLI on a pseudo-terminal `cols` wide; its output as lines (the terminal's CRs removed). */
function onTerminal(args: string[], cols = COLS): { lines: string[]; status: number | null } {
  const command = `stty cols ${cols} rows 60; exec ${sh(process.execPath)} ${[bin, ...args].map(sh).join(" ")}`;
  // COLUMNS unset: the width must come from the terminal itself
  const env = { ...process.env, COLUMNS: "", TERM: "xterm" };
  const r = spawnSync(SCRIPT, ["-qec", command, "/dev/null"], { cwd: root, encoding: "utf8", env, maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  return { lines: r.stdout.replace(/\r/g, "").split("\n"), status: r.status };
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
}

const ready = existsSync(SCRIPT) && existsSync(bin);
let db = "";

describe.skipIf(!ready)(`human tables under a ${COLS}-column pseudo-terminal`, () => {
  beforeAll(() => {
    db = join(mkdtempSync(join(tmpdir(), "shadow-ai-width-")), "inv.db");
    const cfg = join(root, "examples/shadow-ai.yaml");
    cli(["--db", db, "--config", cfg, "scan"]);
    cli(["--db", db, "review", "read-ai@engineering", "--status", "blocked", "--owner", "Security Operations (Engineering)", "--why", "Prohibited emotion inference: blocked at the proxy on the CISO's decision, ticket SEC-1234, until the vendor's DPA is reviewed", "--as", "auditor@example.com"]);
    cli(["--db", db, "--config", cfg, "scan"]);
  }, 300_000);

  const commands: [string, string[]][] = [
    ["inventory", ["inventory"]],
    ["query user", ["query", "user", "dave@example.com"]],
    ["query department", ["query", "department", "engineering"]],
    ["query app", ["query", "app", "otter"]],
    ["diff", ["diff", "--since", "1"]],
    ["scans", ["scans"]],
    ["signatures list", ["signatures", "list"]],
    ["signatures lint", ["signatures", "lint"]],
    ["review --history", ["review", "--history", "read-ai@engineering"]],
    ["sources", ["sources"]],
  ];
  for (const [name, args] of commands) {
    it(`${name}: no line wider than ${COLS} columns`, () => {
      const { lines } = onTerminal(["--db", db, ...args]);
      const widths = lines.map(displayWidth);
      const widest = Math.max(...widths);
      // sources prints no table; lint prints one only when the catalogue has problems (the bundled one has none)
      expect(lines.filter((l) => l.includes("│")).length, `${name} printed a table`).toBeGreaterThan(name === "sources" || name === "signatures lint" ? -1 : 1);
      expect(widest, `widest line of ${name}:\n${lines[widths.indexOf(widest)]}`).toBeLessThanOrEqual(COLS);
    }, 120_000);
  }

  it("inventory shows every record id whole, and the owner a person set", () => {
    const ids = (JSON.parse(cli(["--db", db, "inventory", "--json"])) as { id: string; status: string }[]).filter((r) => r.status !== "dismissed").map((r) => r.id);
    const text = onTerminal(["--db", db, "inventory"]).lines.join("\n");
    // a long id may wrap inside its cell: join each row's Record cell back
    const cells = new Map<number, string>();
    let row = -1;
    for (const line of text.split("\n")) {
      const m = /^│ (.*?) +│ (\S*)/.exec(line);
      if (!m || m[1] === "Record") continue;
      if (m[2] !== "") row++;
      cells.set(row, (cells.get(row) ?? "") + m[1]);
    }
    expect([...cells.values()].sort()).toEqual([...ids].sort());
    expect(ids).toContain("openai-chatgpt@marketing");
    expect(text).toContain("Security Op"); // the owner column, possibly cut at its end
    // most severe first: the prohibited record is the first row
    expect(cells.get(0)).toBe("read-ai@engineering");
  });

  it("diff shows the full new status, never a cut one", () => {
    const text = onTerminal(["--db", db, "diff", "--since", "1"]).lines.join("\n");
    expect(text).toMatch(/read-ai@engineering\s+│ unreviewed\s+│ blocked\s+│/);
    expect(text).not.toContain("…  │");
  });

  it("a narrower terminal narrows the tables too", () => {
    const { lines } = onTerminal(["--db", db, "inventory"], 80);
    expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(80);
  });
});
