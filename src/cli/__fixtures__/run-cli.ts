/**
 * Running the CLI from tests: in this process (program.ts's `main`, stdout and stderr captured), or
 * as the built program in a child process that does not block this one (so that test servers
 * running here keep answering).
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { vi } from "vitest";
import { main } from "../program.js";

/** The repository root and the built CLI. */
export const root = resolve(import.meta.dirname, "../../..");
export const bin = join(root, "dist/src/cli/main.js");

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `shadow-ai ARGS` in this process and capture its output; the exit code is main()'s. */
export async function cliInProcess(args: string[]): Promise<CliRun & { code: number }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    return { code: await main(["node", "shadow-ai", ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
}

/** Run the built CLI in a child process with `env` added to this process's environment. */
export function cliSpawn(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: root });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => done({ code, stdout, stderr }));
  });
}
