/**
 * Test runs write their databases, logs and captures under one temporary directory of their own
 * (`TMPDIR`, which `os.tmpdir()` and the test workers forked after this inherit), removed when the
 * run ends: 32 test files make temporary directories, and a day of runs left thousands in /tmp.
 * https://vitest.dev/config/#globalsetup
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "shadow-ai-test-"));
  const before = process.env["TMPDIR"];
  process.env["TMPDIR"] = root;
  return () => {
    if (before === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = before;
    rmSync(root, { recursive: true, force: true });
  };
}
