#!/usr/bin/env node
/**
 * shadow-ai's entry point (the `bin` of package.json). It checks the runtime before anything else
 * is loaded: ES module imports are evaluated before a module's own code, so this file imports
 * nothing statically, and loads the program (`run.ts`) only on a supported Node.js.
 *
 * `--version` alone is answered without loading the program (start-up cost), from package.json.
 *
 * On an unsupported Node.js it prints one line naming the required version and exits with
 * EXIT.RUNTIME (9). Node.js 20 must never reach `run.ts`: better-sqlite3 13, a Node-API module that
 * needs Node.js 22 or later, crashes that process when it loads (https://github.com/WiseLibs/better-sqlite3).
 */
import { RUNTIME_EXIT, unsupportedNode } from "../io/runtime.js";

const problem = unsupportedNode(process.versions.node);
if (problem) {
  process.stderr.write(`shadow-ai: ${problem}\n`);
  process.exit(RUNTIME_EXIT);
}
// `--version` alone is answered here, before the program and its ~300 modules load (#19: start-up
// under 150 ms of CPU); package.json is two directories above dist/src/cli/ and src/cli/.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  for (const up of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "shadow-ai" && typeof pkg.version === "string") {
        process.stdout.write(`${pkg.version}\n`);
        process.exit(0);
      }
    } catch {
      // not this one: try the next, or let the program answer
    }
  }
}
// a long scan's heap stays near what it holds (src/io/heap.ts: 1,000,000 Google tokens under 200 MB)
(await import("../io/heap.js")).boundHeap();
await import("./run.js");
