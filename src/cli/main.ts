#!/usr/bin/env node
/**
 * shadow-ai's entry point (the `bin` of package.json). It checks the runtime before anything else
 * is loaded: ES module imports are evaluated before a module's own code, so this file imports
 * nothing statically, and loads the program (`run.ts`) only on a supported Node.js.
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
await import("./run.js");
