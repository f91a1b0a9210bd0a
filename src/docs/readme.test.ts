import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/paths.js";
import { withSourcesTable } from "../cli/sources-doc.js";

describe("README", () => {
  it("lists every registered source, as the registry describes it (npm run docs regenerates the table)", () => {
    const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
    expect(withSourcesTable(readme) === readme, "README.md's sources table is behind the registry: run `npm run build && npm run docs`").toBe(true);
  });
});
