import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The package root (the directory holding package.json), found by walking up from this module,
 * so data files (`signatures/`, `reports/templates/`) resolve the same from `src/` and `dist/src/`.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "signatures"))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("shadow-ai: cannot find the package root (package.json beside signatures/)");
    dir = up;
  }
}
