import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/paths.js";
import { nativeModuleProblem, RUNTIME_EXIT, unsupportedNode } from "./runtime.js";

describe("runtime check", () => {
  it("accepts Node.js 22.14 and later, refuses older ones with one line naming the version needed", () => {
    for (const v of ["22.14.0", "22.23.1", "24.0.0", "24.21.0", "26.1.0"]) expect(unsupportedNode(v), v).toBeUndefined();
    for (const v of ["20.20.2", "22.13.9", "18.0.0", "0.10.48"]) {
      const m = unsupportedNode(v);
      expect(m, v).toContain("Node.js 22.14 or later is required (24 recommended)");
      expect(m).toContain(`this is Node.js ${v}`);
      expect(m).not.toContain("\n");
    }
  });

  it("recognises a native addon that cannot be loaded (a real dlopen failure), and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-runtime-"));
    const fake = join(dir, "better_sqlite3.node");
    writeFileSync(fake, "this is not a shared object\n");
    let err: unknown;
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, fake);
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    const m = nativeModuleProblem(err);
    expect(m).toContain("npm rebuild better-sqlite3");
    expect(m).not.toContain("\n");
    const abi = Object.assign(new Error("The module '/x/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115."), {});
    expect(nativeModuleProblem(abi)).toContain("npm rebuild better-sqlite3");
    expect(nativeModuleProblem(new Error("SQLITE_CANTOPEN: unable to open database file"))).toBeUndefined();
    expect(nativeModuleProblem(undefined)).toBeUndefined();
  });

  // The machines this project runs on keep Node.js 20 as the system Node; when it is there, the
  // built CLI must refuse it with one line and exit 9 before loading better-sqlite3 (which would crash).
  const old = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => {
    if (!existsSync(p)) return false;
    const r = spawnSync(p, ["-p", "process.versions.node"], { encoding: "utf8" });
    return r.status === 0 && unsupportedNode(r.stdout.trim()) !== undefined;
  });
  it.runIf(old !== undefined)("the built CLI started with an old system Node.js prints one line and exits 9", () => {
    const bin = join(packageRoot(), "dist/src/cli/main.js");
    for (const args of [["--version"], ["inventory"], ["scan", "pcap", "x.pcap"]]) {
      const r = spawnSync(old!, [bin, ...args], { encoding: "utf8", env: { ...process.env, SHADOW_AI_DB: join(tmpdir(), "never-created.db") } });
      expect(r.status, r.stderr).toBe(RUNTIME_EXIT);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^shadow-ai: Node\.js 22\.14 or later is required \(24 recommended\); this is Node\.js 2?\d\./);
    }
  });
});
