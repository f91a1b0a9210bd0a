/** reports/README.md documents every CSV column and CycloneDX property the exporters write. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RECORD_COLUMNS, USER_COLUMNS } from "./csv.js";
import { CYCLONEDX_PROPERTIES } from "./cyclonedx.js";
import { REPORT_CSP } from "./html.js";

const readme = readFileSync(join(import.meta.dirname, "README.md"), "utf8");

describe("reports/README.md", () => {
  it("lists every CSV column, CycloneDX property and the CSP", () => {
    for (const c of [...RECORD_COLUMNS, ...USER_COLUMNS]) expect(readme, c.header).toContain(`\`${c.header}\``);
    for (const p of Object.keys(CYCLONEDX_PROPERTIES)) expect(readme, p).toContain(`\`${p}\``);
    expect(readme).toContain(REPORT_CSP);
  });
});
