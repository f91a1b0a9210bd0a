import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, MemoryCursors, run } from "./__fixtures__/run.js";
import { logsConfigSchema, type LogMapping } from "./config.js";
import { logOptions } from "./index.js";

const csvMapping: LogMapping = {
  kind: "http",
  time: "timestamp",
  host: "dest_host",
  url: "url",
  user: "user",
  client: "src_ip",
  userAgent: "user_agent",
  bytes: ["bytes_in", "bytes_out"],
};

describe("generic CSV with a mapping", () => {
  it("maps columns; quoting, quote injection and formula cells stay data; bad rows are reported", async () => {
    const { observations, errors } = await run([fixture("generic.csv")], { format: "csv", mapping: csvMapping });
    expect(observations.map((o) => [o.host, o.path, o.user, o.bytes, o.time])).toEqual([
      ["api.openai.com", "/v1/chat/completions", "alice@corp.example", 6600, "2025-01-06T09:00:00.000Z"],
      ["claude.ai", "/api/organizations?x=1,2", "bob", 30, "2025-01-06T09:01:00.000Z"],
      ["gemini.google.com", "/app", '=hyperlink("http://evil.example","click")', 3, "2025-01-06T09:02:00.000Z"],
      ["copilot.microsoft.com", "/", "carol", 7, "2025-01-06T09:03:00.000Z"],
      ['api.mistral.ai","injected.example', "/v1/chat", "dave", 2, "2025-01-06T09:04:00.000Z"],
    ]);
    expect(observations[1]!.userAgent).toBe('Mozilla/5.0 (X11; Linux x86_64) "quoted", and commas');
    expect(observations[2]!.userAgent).toBe("+cmd|' /C calc'!A0");
    expect(observations[0]).toMatchObject({ source: "logs:csv", kind: "http", client: "10.0.0.7", ref: { line: 2 } });
    expect(errors.map((e) => e.line)).toEqual([7, 8]);
    expect(errors[0]!.message).toMatch(/'timestamp' \(mapping.time\): expected an ISO 8601 time/);
    expect(errors[1]!.message).toMatch(/invalid CSV quoting|unbalanced/);
  });

  it("a header without the mapped columns is reported once; no mapping at all is a file error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-generic-"));
    const f = join(dir, "x.csv");
    writeFileSync(f, "a,b\n1,2\n3,4\n");
    const r1 = await run([f], { format: "csv", mapping: csvMapping });
    expect(r1.observations).toEqual([]);
    expect(r1.errors).toHaveLength(1);
    expect(r1.errors[0]!.message).toMatch(/header row has no column "timestamp", "dest_host"/);
    const r2 = await run([f], { format: "csv" });
    expect(r2.errors).toEqual([expect.objectContaining({ partial: false, message: expect.stringMatching(/needs a column mapping/) })]);
  });

  it("resuming from a cursor still knows the header row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-generic-"));
    const f = join(dir, "x.csv");
    writeFileSync(f, "when,host\n2025-01-06T09:00:00Z,a.example\n");
    const cursors = new MemoryCursors();
    const mapping: LogMapping = { time: "when", host: "host" };
    expect((await run([f], { format: "csv", mapping }, cursors)).observations.map((o) => o.host)).toEqual(["a.example"]);
    writeFileSync(f, "2025-01-06T09:01:00Z,b.example\n", { flag: "a" });
    const again = await run([f], { format: "csv", mapping }, cursors);
    expect(again.observations.map((o) => [o.host, o.ref.line])).toEqual([["b.example", 3]]);
    expect(again.errors).toEqual([]);
  });
});

describe("generic JSON lines with a mapping", () => {
  it("dotted keys, epoch ms, missing host and non-objects reported", async () => {
    const mapping: LogMapping = { kind: "http", time: "ts", host: "http.host", path: "http.path", method: "http.method", userAgent: "http.ua", client: "src.ip", user: "src.user", bytes: ["bytes.in", "bytes.out"] };
    const { observations, errors } = await run([fixture("generic.jsonl")], { format: "jsonl", mapping });
    expect(observations.map((o) => [o.host, o.path, o.user, o.bytes, o.time])).toEqual([
      ["api.openai.com", "/v1/responses", "alice@corp.example", 2100, "2025-01-06T09:00:00.250Z"],
      ["claude.ai", "/new", undefined, undefined, "2025-01-06T09:01:00.123Z"],
    ]);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5]);
  });
});

describe("the logs: section of shadow-ai.yaml", () => {
  it("logOptions: --format forces; logs.format only where detection fails; a mapping implies csv or jsonl", async () => {
    expect(logOptions(undefined)).toEqual({});
    expect(logOptions({ format: "zscaler", zscalerFields: ["time"] }, "zeek")).toEqual({ format: "zeek", defaultFormat: "zscaler", zscalerFields: ["time"] });
    const mixed = await run([fixture("zscaler-web.csv"), fixture("zeek-ssl.log")], logOptions({ format: "zscaler" }));
    expect(mixed.errors).toEqual([]);
    expect(mixed.observations.map((o) => o.source)).toEqual(["logs:zscaler", "logs:zeek"]);
    const generic = await run([fixture("generic.csv")], logOptions({ mapping: csvMapping }));
    expect(generic.observations).toHaveLength(5);
    expect(generic.observations[0]!.source).toBe("logs:csv");
  });

  it("accepts the documented keys and rejects a mapping without a host", () => {
    expect(
      logsConfigSchema.parse({ format: "zscaler", zscalerFields: ["time", "login", "eurl"], zscalerDelimiter: "tab", mapping: { time: "t", url: "u", bytes: ["a", "b"] }, csv: { delimiter: ";" }, panosPositions: { userAgent: 47 } }),
    ).toMatchObject({ format: "zscaler" });
    expect(logsConfigSchema.safeParse({ mapping: { time: "t" } }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ format: "syslog" }).success).toBe(false);
    expect(logsConfigSchema.safeParse({ unknown: 1 }).success).toBe(false);
  });

  it("timeZone: an IANA name this system knows, or a message saying what is expected", () => {
    expect(logsConfigSchema.parse({ timeZone: "Europe/Berlin" })).toEqual({ timeZone: "Europe/Berlin" });
    const bad = logsConfigSchema.safeParse({ timeZone: "CEST+2" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/IANA name such as Europe\/Berlin/);
  });

  it("times without an offset are read in logs.timeZone; times with one are not moved", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-tz-"));
    const f = join(dir, "export.csv");
    writeFileSync(f, "timestamp,user,src_ip,dest_host,url,bytes_in,bytes_out,user_agent\n2026-07-01 08:00:00,a,10.0.0.1,api.openai.com,,1,1,x\n2026-07-01T08:00:00Z,b,10.0.0.2,api.openai.com,,1,1,x\n");
    const berlin = await run([f], { format: "csv", mapping: csvMapping, timeZone: "Europe/Berlin" });
    expect(berlin.errors).toEqual([]);
    expect(berlin.observations.map((o) => o.time)).toEqual(["2026-07-01T06:00:00.000Z", "2026-07-01T08:00:00.000Z"]);
    const utc = await run([f], { format: "csv", mapping: csvMapping });
    expect(utc.observations.map((o) => o.time)).toEqual(["2026-07-01T08:00:00.000Z", "2026-07-01T08:00:00.000Z"]);
  });
});
