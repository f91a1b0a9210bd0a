/**
 * The scan progress line (counts in words, rate, ETA, fitted to the width), and Ctrl-C on a real
 * scan under a pseudo-terminal (util-linux `script`): the bar is cleared, the cursor shown again,
 * and the scan row is closed as `interrupted` with what was read kept.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { amount, duration, progressLine, rate } from "./progress.js";

describe("progress line", () => {
  it("says counts in words: MB for bytes, names for other units", () => {
    expect(amount(12_345_678, 456_700_000, "bytes")).toBe("12 of 457 MB");
    expect(amount(1_234_567, 9_000_000, "bytes")).toBe("1.2 of 9.0 MB");
    expect(amount(3, 12, "files")).toBe("3 of 12 files");
    expect(amount(1003, undefined, "users")).toBe("1,003 users");
    expect(rate(4_100_000, "bytes")).toBe("4.1 MB/s");
    expect(rate(2, "files")).toBe("2.0 files/s");
    expect(duration(45)).toBe("45s");
    expect(duration(184)).toBe("3m04s");
    expect(duration(3720)).toBe("1h02m");
  });

  it("shows the bar, percentage, counts, rate, ETA and observations, and fits any width", () => {
    const state = { label: "pcap", unit: "bytes", done: 50_000_000, total: 200_000_000, perSecond: 10_000_000, observations: 12_345 };
    const wide = progressLine(state, 120);
    expect(wide).toMatch(/^pcap \[█+░+\]  25% \| 50 of 200 MB \| 10\.0 MB\/s \| ETA 15s \| 12,345 observations$/);
    for (const w of [100, 80, 60, 40, 30]) {
      const line = progressLine(state, w);
      expect(line.length, line).toBeLessThanOrEqual(w);
      expect(line).toContain("25%");
    }
    // the rate goes before the ETA, and the bar before the counts
    expect(progressLine(state, 60)).not.toContain("MB/s");
    expect(progressLine(state, 40)).not.toContain("[");
    expect(progressLine(state, 40)).toContain("50 of 200 MB");
    // an unknown total: no percentage, no ETA
    expect(progressLine({ ...state, total: undefined }, 100)).not.toMatch(/%|ETA/);
  });
});

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");
const SCRIPT = "/usr/bin/script";

describe.skipIf(!existsSync(SCRIPT) || !existsSync(bin))("Ctrl-C during a scan", () => {
  it("clears the bar, ends with 130 and closes the scan row as interrupted, keeping what was read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-sigint-"));
    const logs = join(dir, "logs");
    mkdirSync(logs);
    // a BIND query log big enough to take seconds to scan (~45 MB)
    const fd = openSync(join(logs, "named.log"), "w");
    const hosts = ["api.openai.com", "www.example.com", "claude.ai", "cdn.example.org"];
    for (let block = 0; block < 30; block++) {
      let buf = "";
      for (let i = 0; i < 10_000; i++) {
        const n = block * 10_000 + i;
        buf += `06-Jan-2025 09:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}.120 queries: info: client @0x7f3a2c001200 10.0.${n % 200}.${n % 250}#53000 (${hosts[n % 4]}): query: ${hosts[n % 4]} IN A +E(0)K (10.0.0.53)\n`;
      }
      writeSync(fd, buf);
    }
    closeSync(fd);
    const db = join(dir, "inv.db");
    const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = `stty cols 100; exec ${sh(process.execPath)} ${[bin, "--db", db, "scan", "logs", logs, "--time-zone", "UTC"].map(sh).join(" ")}`;
    const child = spawn(SCRIPT, ["-qfec", command, "/dev/null"], { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TERM: "xterm" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    // wait until the bar shows bytes being read, then press Ctrl-C on the terminal
    const deadline = Date.now() + 150_000;
    while (!/ of \d+ MB/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(out).toMatch(/logs \[[█░]+\] +\d+% \| [\d.]+ of \d+ MB/);
    child.stdin.write("\x03");
    const code = await exited;
    expect(code).toBe(130);
    // the cursor is shown again and the line erased before the message
    expect(out).toMatch(/\x1b\[\?25h[\s\S]*\x1b\[2Kshadow-ai: SIGINT: stopping the scan/);
    expect(out).toContain("the scan is recorded as interrupted");
    const scans = JSON.parse(execFileSync(process.execPath, [bin, "--db", db, "scans", "--json"], { encoding: "utf8" })) as { status: string; read: number }[];
    expect(scans).toHaveLength(1);
    expect(scans[0]!.status).toBe("interrupted");
    expect(scans[0]!.read).toBeGreaterThan(0);
    expect(scans[0]!.read).toBeLessThan(300_000);
  }, 240_000);
});
