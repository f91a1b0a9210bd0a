/**
 * `npm run docs`: regenerate README.md's generated parts (the table of sources, from the registry).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../core/paths.js";
import { withSourcesTable } from "../cli/sources-doc.js";

const file = join(packageRoot(), "README.md");
const before = readFileSync(file, "utf8");
const after = withSourcesTable(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? "README.md is up to date\n" : "README.md: sources table regenerated\n");
