/**
 * `scan siem`: each SIEM's export shape read from fixtures written after the vendors' documented
 * shapes (Splunk results/export JSON and CSV, Log Analytics query API JSON and the portal's CSV,
 * ES|QL JSON and CSV), bad rows and bad files reported with file and line (or row path), and
 * routing by content through the CLI.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliInProcess } from "../../src/cli/__fixtures__/run-cli.js";
import type { InputError, InputWarning } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { parseCount, parseTime } from "./columns.js";
import { collectSiem, ROW_ERRORS_SHOWN, type SiemOptions } from "./index.js";

const fx = (n: string) => join(import.meta.dirname, "__fixtures__", n);
const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-siem-"));

/** Write `text` to a fresh file in the test's temporary directory. */
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Everything collectSiem gives for `files`. */
async function collect(files: string[], options: SiemOptions = {}): Promise<{ obs: Observation[]; errors: InputError[]; warnings: InputWarning[] }> {
  const obs: Observation[] = [];
  const errors: InputError[] = [];
  const warnings: InputWarning[] = [];
  for await (const batch of collectSiem(files, options, { onError: (e) => errors.push(e), onWarning: (w) => warnings.push(w) })) obs.push(...batch);
  return { obs, errors, warnings };
}

/** The two rows every "standard" fixture holds: alice's API use and an unnamed client's ChatGPT use. */
function expectStandardRows(obs: Observation[], source: string, ms: boolean, bytesOfSecond: number | undefined): void {
  const t = (s: string) => (ms ? s : s.replace(/\.\d{3}Z$/, ".000Z"));
  expect(obs).toHaveLength(2);
  expect(obs[0]).toMatchObject({
    source, kind: "log", host: "api.openai.com", user: "alice@corp.example", client: "10.20.30.40", count: 2, bytes: 102468,
    time: t("2025-01-01T00:00:01.512Z"), lastTime: t("2025-01-01T07:00:01.512Z"),
  });
  expect(obs[1]).toMatchObject({ source, kind: "log", host: "chatgpt.com", client: "10.20.30.41", count: 1, time: t("2025-01-01T00:00:02.003Z"), lastTime: t("2025-01-01T00:00:02.003Z") });
  expect(obs[1]!.user).toBeUndefined();
  expect(obs[1]!.bytes).toBe(bytesOfSecond);
}

describe("export shapes", () => {
  it("Splunk results JSON (search/jobs/{sid}/results, output_mode=json): rows from results[], refs by row path", async () => {
    const { obs, errors } = await collect([fx("splunk-results.json")]);
    expect(errors).toEqual([]);
    expectStandardRows(obs, "siem:splunk", false, 3950);
    expect(obs.map((o) => o.ref)).toEqual([{ file: fx("splunk-results.json"), id: "results[0]" }, { file: fx("splunk-results.json"), id: "results[1]" }]);
  });

  it("Splunk export JSON lines (search/jobs/export, output_mode=json): preview lines skipped, search_name kept as action, refs by line", async () => {
    const { obs, errors, warnings } = await collect([fx("splunk-export.json")]);
    expect(errors).toEqual([]);
    expectStandardRows(obs, "siem:splunk", false, 3950);
    expect(obs.map((o) => [o.ref.line, o.action])).toEqual([[2, "shadow-ai daily aggregates"], [3, "shadow-ai daily aggregates"]]);
    expect(warnings).toEqual([expect.objectContaining({ input: fx("splunk-export.json"), code: "preview", count: 1 })]);
  });

  it("Splunk outputcsv with __mv_ columns is told as Splunk; a filled __mv_ cell is a multivalue row, refused", async () => {
    const { obs, errors } = await collect([fx("splunk-outputcsv.csv")]);
    expect(errors).toEqual([]);
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ source: "siem:splunk", user: "alice@corp.example", count: 2, ref: { file: fx("splunk-outputcsv.csv"), line: 2 } });
    const mv = file("mv.csv", 'day,user,host,count,first_seen,last_seen,__mv_user\n2025-01-01,alice,a.example,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z,"$alice$;$bob$"\n');
    const r = await collect([mv]);
    expect(r.obs).toEqual([]);
    expect(r.errors).toEqual([{ input: mv, line: 2, message: "__mv_user: a multi-valued field; expected one value per cell; row skipped", partial: true }]);
  });

  it("a CSV with our header is siem:csv unless --siem names the SIEM; epoch seconds and mixed-case users are read", async () => {
    const { obs, errors } = await collect([fx("splunk.csv")]);
    expect(errors).toEqual([]);
    expect(obs.map((o) => o.source)).toEqual(["siem:csv", "siem:csv", "siem:csv"]);
    expect(obs[2]).toMatchObject({ user: "bob@corp.example", host: "claude.ai", count: 5, time: "2025-01-02T00:00:00.000Z", lastTime: "2025-01-02T01:00:00.250Z", action: "shadow-ai daily aggregates" });
    expect(obs[2]!.bytes).toBeUndefined();
    const named = await collect([fx("splunk.csv")], { kind: "splunk", queryName: "ignored: rows carry search_name" });
    expect(named.obs.map((o) => [o.source, o.action])).toEqual(Array(3).fill(["siem:splunk", "shadow-ai daily aggregates"]));
    const withName = await collect([fx("elastic-esql.csv")], { kind: "elastic", queryName: "daily-esql" });
    expect(withName.obs.map((o) => [o.source, o.action])).toEqual([["siem:elastic", "daily-esql"], ["siem:elastic", "daily-esql"]]);
  });

  it("Log Analytics query API JSON (tables[0].columns + rows): long and datetime columns, null bytes", async () => {
    const { obs, errors } = await collect([fx("sentinel-api.json")]);
    expect(errors).toEqual([]);
    expectStandardRows(obs, "siem:sentinel", true, undefined);
    expect(obs[1]!.ref).toEqual({ file: fx("sentinel-api.json"), id: "tables[0].rows[1]" });
  });

  it("Azure CLI (az monitor log-analytics query): an array of row objects with TableName, values as text", async () => {
    const { obs, errors } = await collect([fx("sentinel-az.json")]);
    expect(errors).toEqual([]);
    expectStandardRows(obs, "siem:sentinel", true, undefined);
    expect(obs[1]!.ref).toEqual({ file: fx("sentinel-az.json"), id: "[1]" });
    const notAz = file("array.json", JSON.stringify([{ day: "2025-01-01", first_seen: "x" }]));
    const r = await collect([notAz]);
    expect(r.errors).toEqual([{ input: notAz, message: expect.stringMatching(/^an array whose first element is an object with keys "day", "first_seen": expected the rows of "az monitor log-analytics query"/), partial: false }]);
  });

  it("Azure portal CSV export: BOM, CRLF, `[UTC]` column names and M/D/YYYY h:mm:ss AM times", async () => {
    const { obs, errors } = await collect([fx("sentinel-portal.csv")]);
    expect(errors).toEqual([]);
    expectStandardRows(obs, "siem:sentinel", true, undefined);
    expect(obs.map((o) => o.ref.line)).toEqual([2, 3]);
  });

  it("ES|QL JSON (columns + values) and ES|QL CSV give the same rows", async () => {
    const json = await collect([fx("elastic-esql.json")]);
    expect(json.errors).toEqual([]);
    expectStandardRows(json.obs, "siem:elastic", true, 3950);
    const csv = await collect([fx("elastic-esql.csv")], { kind: "elastic" });
    expect(csv.errors).toEqual([]);
    expect(csv.obs.map(({ ref: _r, ...o }) => o)).toEqual(json.obs.map(({ ref: _r, ...o }) => o));
  });

  it("Log Analytics: only the first table is read, columns must come before rows, further tables are skipped whole", async () => {
    const two = file("two-tables.json", JSON.stringify({
      tables: [
        { name: "PrimaryResult", columns: [{ name: "day" }, { name: "host" }, { name: "count" }, { name: "first_seen" }, { name: "last_seen" }], rows: [["2025-01-01", "claude.ai", 3, "2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z"]] },
        { name: "Other", columns: [{ name: "x" }], rows: [[1]] },
      ],
      statistics: { query: { executionTime: 0.1 } },
    }));
    const r = await collect([two]);
    expect(r.errors).toEqual([]);
    expect(r.obs.map((o) => [o.host, o.count])).toEqual([["claude.ai", 3]]);
    const late = file("rows-first.json", JSON.stringify({ tables: [{ name: "PrimaryResult", rows: [["2025-01-01"]], columns: [{ name: "day" }] }] }));
    const l = await collect([late]);
    expect(l.obs).toEqual([]);
    expect(l.errors).toEqual([expect.objectContaining({ input: late, message: expect.stringContaining("tables[0].rows[0]: rows before the table's columns"), partial: false })]);
  });

  it("a directory of exports: the same rows from every SIEM's shape", async () => {
    const all = await collect(["splunk-results.json", "sentinel-api.json", "elastic-esql.json"].map(fx));
    expect(all.errors).toEqual([]);
    expect(new Set(all.obs.map((o) => `${o.user ?? o.client} ${o.host} ${o.count}`))).toEqual(new Set(["alice@corp.example api.openai.com 2", "10.20.30.41 chatgpt.com 1"]));
  });
});

describe("bad input: an error naming the file and the line or row, never a silent record", () => {
  it("each refused row is named with its line and why; the good rows are kept; a count of 0 is a warning", async () => {
    const f = fx("bad-rows.csv");
    const { obs, errors, warnings } = await collect([f]);
    expect(obs.map((o) => o.ref.line)).toEqual([2]);
    expect(errors.map((e) => [e.input, e.line, e.partial])).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11].map((l) => [f, l, true]));
    const m = errors.map((e) => e.message);
    expect(m[0]).toBe('day "2025-13-01" is not a date (expected YYYY-MM-DD, UTC); row skipped');
    expect(m[1]).toBe('count "-3" is not a non-negative integer; row skipped');
    expect(m[2]).toBe('count "2.5" is not a non-negative integer; row skipped');
    expect(m[3]).toBe('first_seen "2025-01-01T08:00:00Z" is after last_seen "2025-01-01T07:00:01Z"; row skipped');
    expect(m[4]).toBe('first_seen "yesterday" is not a time (expected ISO 8601 or epoch seconds); row skipped');
    expect(m[5]).toMatch(/^host is empty/);
    expect(m[6]).toBe("5 fields for the header's 8 columns; row skipped");
    expect(m[7]).toMatch(/^the same day, user \(or src when user is empty\) and host as line 2: /);
    expect(m[8]).toMatch(/^first_seen 2025-01-02T00:00:01.000Z and last_seen 2025-01-02T00:00:01.000Z must both fall on day 2025-01-01 \(UTC\)/);
    expect(warnings).toEqual([expect.objectContaining({ input: f, code: "zero-count", count: 1 })]);
  });

  it("an unknown column refuses the file at line 1; so does a header without the required columns", async () => {
    const u = await collect([fx("unknown-column.csv")]);
    expect(u.obs).toEqual([]);
    expect(u.errors).toEqual([{ input: fx("unknown-column.csv"), line: 1, message: expect.stringMatching(/^unknown column\(s\) "sourcetype"; expected only the columns/), partial: false }]);
    const twice = file("twice.csv", "day,host,count,first_seen,last_seen,Host\n2025-01-01,a.example,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z,b.example\n");
    expect((await collect([twice])).errors).toEqual([{ input: twice, line: 1, message: 'column(s) "host" named more than once; which one holds the value cannot be told', partial: false }]);
    const twiceJson = file("twice.json", JSON.stringify({ columns: ["day", "host", "HOST"].map((name) => ({ name })), values: [] }));
    expect((await collect([twiceJson])).errors).toEqual([{ input: twiceJson, message: 'columns[2]: column "host" named more than once; which one holds the value cannot be told', partial: false }]);
    const missing = file("missing.csv", "day,user,host,first_seen,last_seen\n2025-01-01,a,b.example,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z\n");
    const r = await collect([missing]);
    expect(r.errors).toEqual([{ input: missing, line: 1, message: expect.stringMatching(/^the header does not name the required columns day, host, count, first_seen, last_seen/), partial: false }]);
  });

  it("broken CSV quoting is reported with its line, and so is the quote left open to the end: no row after it is guessed", async () => {
    const ok = (host: string) => `2025-01-01,${host},1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z`;
    const f = file("quote.csv", ["day,host,count,first_seen,last_seen", ok("claude.ai"), '2025-01-01,"bad"x,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z', ok("chatgpt.com")].join("\n") + "\n");
    const r = await collect([f]);
    // csv-parse stays inside the quote it could not close: the next line is not read as a row
    expect(r.obs.map((o) => o.host)).toEqual(["claude.ai"]);
    expect(r.errors).toEqual([
      { input: f, line: 3, message: expect.stringMatching(/^not valid CSV \(Invalid Closing Quote: .*; row skipped$/), partial: true },
      { input: f, line: 4, message: expect.stringMatching(/^not valid CSV \(Quote Not Closed: .*; row skipped$/), partial: true },
    ]);
  });

  it("JSON: invalid JSON is located by line and column before any row is used; other shapes, previews and partial results are refused", async () => {
    const bad = file("bad.json", '{"columns": [{"name": "day"}],\n "values": [["2025-01-01",]]}');
    const b = await collect([bad]);
    expect(b.obs).toEqual([]);
    expect(b.errors).toEqual([expect.objectContaining({ input: bad, line: 2, message: expect.stringMatching(/^invalid JSON at line 2, column \d+/), partial: false })]);
    const cases: [string, unknown, RegExp][] = [
      ["preview.json", { preview: true, results: [] }, /^"preview": true: these are a running search's preview results/],
      ["partial.json", { is_partial: true, columns: [{ name: "day" }], values: [] }, /^"is_partial": true: ES\|QL could not search every shard/],
      ["la-error.json", { tables: [], error: { code: "PartialError", message: "some shards failed" } }, /^the Log Analytics API reported an error with these results \("PartialError": "some shards failed"\)/],
      ["other.json", { kind: "admin#directory#tokenList", items: [] }, /^not a search result: expected Splunk "results", Log Analytics "tables" or ES\|QL "columns" \+ "values"/],
      ["esql-unknown.json", { columns: [{ name: "day" }, { name: "Computer" }], values: [] }, /^columns\[1\]: unknown column "Computer"/],
    ];
    for (const [name, body, message] of cases) {
      const f = file(name, JSON.stringify(body));
      const r = await collect([f]);
      expect(r.obs, name).toEqual([]);
      expect(r.errors, name).toEqual([{ input: f, message: expect.stringMatching(message), partial: false }]);
    }
  });

  it("JSON rows: a columnar ES|QL result, a short row and a Splunk result with an unknown field are refused by row path", async () => {
    const cols = ["day", "host", "count", "first_seen", "last_seen"].map((name) => ({ name }));
    const columnar = file("columnar.json", JSON.stringify({ columns: cols, values: [["2025-01-01", "2025-01-01"], ["a.example", "b.example"], [1, 2], ["2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z"], ["2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z"]] }));
    const c = await collect([columnar]);
    expect(c.obs).toEqual([]);
    expect(c.errors.map((e) => e.message)).toEqual([0, 1, 2, 3, 4].map((i) => `values[${i}]: 2 values for 5 columns (a columnar result, "columnar": true, is not read: leave it unset); row skipped`));
    const short = file("short.json", JSON.stringify({ columns: [{ name: "day" }, { name: "host" }], values: [["2025-01-01"]] }));
    expect((await collect([short])).errors.map((e) => e.message)).toEqual(['values[0]: 1 values for 2 columns (a columnar result, "columnar": true, is not read: leave it unset); row skipped']);
    const splunk = file("splunk-extra.json", JSON.stringify({ preview: false, results: [{ day: "2025-01-01", host: "claude.ai", count: "1", first_seen: "1735693200", last_seen: "1735693200", _raw: "x" }] }));
    expect((await collect([splunk])).errors.map((e) => e.message)).toEqual(['results[0]: unknown field "_raw"; expected the columns of the README\'s query; row skipped']);
  });

  it("a client-only row is keyed by its address; a user row by the user, so two addresses of one person are one key", async () => {
    const f = file("keys.csv", [
      "day,user,src,host,count,first_seen,last_seen",
      "2025-01-01,,10.0.0.1,claude.ai,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z",
      "2025-01-01,,10.0.0.2,claude.ai,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z",
      "2025-01-01,ann,10.0.0.1,claude.ai,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z",
      "2025-01-01,ANN,10.0.0.3,claude.ai,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z",
      "2025-01-02,ann,10.0.0.3,claude.ai,1,2025-01-02T01:00:00Z,2025-01-02T01:00:00Z",
    ].join("\n"));
    const r = await collect([f]);
    expect(r.obs.map((o) => o.ref.line)).toEqual([2, 3, 4, 6]);
    expect(r.errors).toEqual([expect.objectContaining({ line: 5, message: expect.stringMatching(/as line 4:/) })]);
    const cols = ["day", "user", "host", "count", "first_seen", "last_seen"].map((name) => ({ name }));
    const row = ["2025-01-01", "Ann", "claude.ai", 1, "2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z"];
    const json = file("dup.json", JSON.stringify({ tables: [{ name: "PrimaryResult", columns: cols, rows: [row, [...row.slice(0, 3), 2, ...row.slice(4)], row] }] }));
    const j = await collect([json]);
    expect(j.obs.map((o) => o.count)).toEqual([1]);
    expect(j.errors.map((e) => e.message)).toEqual([1, 2].map((i) => expect.stringMatching(new RegExp(`^tables\\[0\\]\\.rows\\[${i}\\]: the same day, user \\(or src when user is empty\\) and host as tables\\[0\\]\\.rows\\[0\\]:`))));
  });

  it("refused rows beyond the first few are counted in one message; an empty file is a warning", async () => {
    const rows = Array.from({ length: ROW_ERRORS_SHOWN + 5 }, (_, i) => `2025-01-01,u${i},,claude.ai,x,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z`);
    const f = file("many-bad.csv", ["day,user,src,host,count,first_seen,last_seen", ...rows].join("\n"));
    const r = await collect([f]);
    expect(r.errors).toHaveLength(ROW_ERRORS_SHOWN + 1);
    expect(r.errors.at(-1)).toEqual({ input: f, message: `5 more row(s) refused (${ROW_ERRORS_SHOWN + 5} in all; the first ${ROW_ERRORS_SHOWN} are shown above)`, partial: true });
    const empty = file("empty.csv", "");
    const e = await collect([empty]);
    expect(e.errors).toEqual([]);
    expect(e.warnings).toEqual([expect.objectContaining({ input: empty, code: "empty" })]);
  });

  it("rows past the per-file bound are not read, and that is an error naming the line where reading stopped", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `2025-01-01,u${i},,claude.ai,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z`);
    const f = file("bound.csv", ["day,user,src,host,count,first_seen,last_seen", ...rows].join("\n"));
    const r = await collect([f], { maxRows: 3 });
    expect(r.obs.map((o) => o.user)).toEqual(["u0", "u1", "u2"]);
    expect(r.errors).toEqual([{ input: f, line: 5, message: "more than 3 rows: the rest of the file is not read; export one day per file", partial: true }]);
  });

  it("Splunk export lines: a line that is not JSON or is over the bound is refused with its line; the others are read", async () => {
    const rec = (user: string) => JSON.stringify({ preview: false, offset: 0, result: { day: "2025-01-01", user, host: "claude.ai", count: "1", first_seen: "2025-01-01T01:00:00Z", last_seen: "2025-01-01T01:00:00Z" } });
    const f = file("export-bad.json", [rec("a"), "{not json", rec("x".repeat(1024 * 1024 + 10)), '{"preview":false,"lastrow":true}', rec("b")].join("\n") + "\n");
    const r = await collect([f]);
    expect(r.obs.map((o) => [o.user, o.ref.line])).toEqual([["a", 1], ["b", 5]]);
    expect(r.errors.map((e) => [e.line, e.message.replace(/: .*(; row skipped)$/, ": …$1")])).toEqual([[2, "not JSON: …; row skipped"], [3, `a line longer than ${1024 * 1024} characters; row skipped`]]);
  });

  it("long values are bounded; a hostile value in a message is quoted and cut", async () => {
    const long = "a".repeat(5000);
    const f = file("long.csv", `day,user,host,count,first_seen,last_seen\n2025-01-01,${long},${long}.example,1,2025-01-01T01:00:00Z,2025-01-01T01:00:00Z\n2025-01-01,x,y.example,\x1b[31m${long},2025-01-01T01:00:00Z,2025-01-01T01:00:00Z\n`);
    const r = await collect([f]);
    expect(r.obs[0]!.user!.length).toBe(1024);
    expect(r.obs[0]!.host!.length).toBe(1024);
    expect(r.errors[0]!.message.length).toBeLessThan(200);
    expect(r.errors[0]!.message).toContain("\\u001b[31m");
  });
});

describe("values as SIEMs print them", () => {
  it("times: ISO 8601 with Z, offsets or none (UTC), epoch seconds, the portal's 12-hour clock; nothing else", () => {
    expect(parseTime("2025-01-01T00:00:01Z")).toBe(Date.UTC(2025, 0, 1, 0, 0, 1));
    expect(parseTime("2025-01-01 01:00:01+0100")).toBe(Date.UTC(2025, 0, 1, 0, 0, 1));
    expect(parseTime("2025-01-01T00:00:01.5")).toBe(Date.UTC(2025, 0, 1, 0, 0, 1, 500));
    expect(parseTime("1735689601.512")).toBe(Date.UTC(2025, 0, 1, 0, 0, 1, 512));
    expect(parseTime(1735689601)).toBe(Date.UTC(2025, 0, 1, 0, 0, 1));
    expect(parseTime("1/1/2025, 12:00:01.512 AM", { portal: true })).toBe(Date.UTC(2025, 0, 1, 0, 0, 1, 512));
    expect(parseTime("1/1/2025, 12:30:00 PM", { portal: true })).toBe(Date.UTC(2025, 0, 1, 12, 30));
    expect(parseTime("12/31/2025, 11:59:59.999 PM", { portal: true })).toBe(Date.UTC(2025, 11, 31, 23, 59, 59, 999));
    expect(parseTime("1/1/2025, 12:00:01 AM")).toBeUndefined(); // only in a portal export
    for (const bad of ["2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z", "yesterday", "", "2025-01-01T00:00:00+25:00x", -1, Number.NaN]) expect(parseTime(bad), String(bad)).toBeUndefined();
  });

  it("counts: non-negative safe integers as numbers or text", () => {
    expect([parseCount(3), parseCount("3"), parseCount(" 12.0 "), parseCount("0")]).toEqual([3, 3, 12, 0]);
    for (const bad of [-1, 1.5, "1.5", "1e3", "", "x", "99999999999999999", null, Number.MAX_SAFE_INTEGER + 1]) expect(parseCount(bad), String(bad)).toBeUndefined();
  });
});

describe("the CLI routes SIEM exports by content", () => {
  it("extract reads each fixture as siem, and logs' own CSV and JSON lines stay with logs", async () => {
    for (const [name, source] of [["splunk-results.json", "siem:splunk"], ["splunk-export.json", "siem:splunk"], ["sentinel-api.json", "siem:sentinel"], ["sentinel-az.json", "siem:sentinel"], ["sentinel-portal.csv", "siem:sentinel"], ["elastic-esql.json", "siem:elastic"], ["elastic-esql.csv", "siem:csv"]] as const) {
      const r = await cliInProcess(["extract", fx(name)]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Observation);
      expect(lines.map((o) => o.source), name).toEqual([source, source]);
    }
    for (const name of ["generic.csv", "zscaler-web.csv", "zeek-ssl.ndjson"]) {
      const r = await cliInProcess(["extract", join(import.meta.dirname, "../logs/__fixtures__", name)]);
      expect(r.stdout.split("\n").filter(Boolean).every((l) => (JSON.parse(l) as Observation).source.startsWith("logs:")), name).toBe(true);
    }
  });

  it("scan siem stores only rows whose host the catalogue matches, and says how many it read", async () => {
    const f = file("mixed.csv", [
      "day,user,src,host,count,first_seen,last_seen,service_id",
      "2025-01-01,ann,,claude.ai,4,2025-01-01T01:00:00Z,2025-01-01T03:00:00Z,claude",
      "2025-01-01,ann,,www.wikipedia.org,9,2025-01-01T01:00:00Z,2025-01-01T03:00:00Z,claude",
    ].join("\n"));
    const db = join(tmp, "mixed.db");
    const r = await cliInProcess(["--db", db, "scan", "siem", f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("siem: 1 input(s), 2 observation(s), 1 matched an AI service");
    const ev = await cliInProcess(["--db", db, "evidence", "anthropic-claude", "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    expect((JSON.parse(ev.stdout) as { evidence: unknown[] }).evidence).toEqual([
      expect.objectContaining({ source: "siem:csv", kind: "log", user: "ann", host: "claude.ai", count: 4, time: "2025-01-01T01:00:00.000Z", lastTime: "2025-01-01T03:00:00.000Z", refs: [{ file: f, line: 2 }] }),
    ]);
    const bad = await cliInProcess(["--db", db, "scan", "siem", "--siem", "qradar", f]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--siem: "qradar" is not a SIEM this reads (expected one of splunk, sentinel, elastic, csv)');
  });

  it("a plain scan reads the files under sources.siem with the siem: section's kind and query name", async () => {
    const dir = mkdtempSync(join(tmp, "exports-"));
    writeFileSync(join(dir, "day.csv"), "day,user,host,count,first_seen,last_seen\n2025-01-01,ann,claude.ai,2,2025-01-01T01:00:00Z,2025-01-01T02:00:00Z\n");
    writeFileSync(join(dir, "notes.txt"), "not an export");
    const cfg = file("shadow-ai.yaml", `sources:\n  siem: [${JSON.stringify(dir)}]\nsiem:\n  kind: elastic\n  queryName: daily-esql\n`);
    const db = join(tmp, "config.db");
    const r = await cliInProcess(["--db", db, "--config", cfg, "scan", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { sources: unknown[] }).sources).toContainEqual({ source: "siem", inputs: 1, read: 1, matched: 1 });
    const ev = await cliInProcess(["--db", db, "evidence", "anthropic-claude", "--json"]);
    expect((JSON.parse(ev.stdout) as { evidence: unknown[] }).evidence).toEqual([expect.objectContaining({ source: "siem:elastic", action: "daily-esql", count: 2 })]);
  });
});
