/**
 * Layout rules of issue #17, checked on the source tree: no file under src/cli/ imports a collector
 * folder (only the registry does), and no import circle exists among the project's modules.
 * Static imports and re-exports are read at the start of lines (`import ... from "./x.js"`,
 * `export ... from`), type-only ones included: a circle of types is still a circle for a reader.
 * (TypeScript 7's native compiler has no JavaScript API to ask instead.) Lazy `await import()`s are
 * deliberate and not counted.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/paths.js";

const root = packageRoot();
const TOP = ["src", "collectors", "reports", "bench"];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (e === "node_modules" || e === "__fixtures__" || e.startsWith(".")) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (e.endsWith(".ts") && !e.endsWith(".test.ts") && !e.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Relative imports of a module, resolved to .ts files of the tree (type-only imports included: a type circle is still a circle). */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|^import\s+"([^"]+)"/gms)].map((m) => m[1] ?? m[2]!);
  return specs
    .filter((n) => n.startsWith("."))
    .map((n) => resolve(dirname(file), n.replace(/\.js$/, ".ts")));
}

const all = TOP.flatMap((d) => files(join(root, d)));
const graph = new Map(all.map((f) => [f, imports(f).filter((i) => all.includes(i))]));

describe("layout", () => {
  it("no file under src/cli/ imports a collector folder; only collectors/registry.ts is imported from there", () => {
    const offenders: string[] = [];
    for (const [f, deps] of graph) {
      if (!relative(root, f).startsWith("src/cli/")) continue;
      for (const d of deps) {
        const r = relative(root, d);
        if (r.startsWith("collectors/") && r !== "collectors/registry.ts") offenders.push(`${relative(root, f)} -> ${r}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("has no import circle", () => {
    const cycles: string[] = [];
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => relative(root, x)).join(" -> "));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
