import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fixture, run } from "./__fixtures__/run.js";
import { detectFormat } from "./detect.js";
import { orderFiles } from "./files.js";
import { FORMATS } from "./formats.js";
import * as logs from "./index.js";

const head = (name: string) => readFileSync(fixture(name), "utf8").split("\n").slice(0, 20);

describe("detectFormat", () => {
  it.each([
    ["zeek-ssl.log", "zeek"],
    ["zeek-http.log", "zeek"],
    ["zeek-ssl.ndjson", "zeek"],
    ["zeek-dns-streaming.ndjson", "zeek"],
    ["squid-access.log", "squid"],
    ["clf-access.log", "clf"],
    ["okta-consent-page.json", "okta"],
    ["okta-system.ndjson", "okta"],
    ["cloudflare-gateway-dns.ndjson", "cloudflare"],
    ["cloudflare-gateway-http.ndjson", "cloudflare"],
    ["zscaler-web.ndjson", "zscaler"],
    ["panos.log", "panos"],
    ["bind-query.log", "bind"],
  ])("%s → %s", (name, format) => {
    expect(detectFormat(head(name))).toBe(format);
  });

  it.each([
    ["zscaler-web.csv", "an admin-defined CSV feed"],
    ["generic.csv", "a CSV of unknown layout"],
    ["generic.jsonl", "JSON of unknown keys"],
  ])("%s is not guessed (%s)", (name) => {
    expect(detectFormat(head(name))).toBeUndefined();
  });

  it("is undefined when the lines disagree, and for empty or junk input", () => {
    expect(detectFormat([...head("squid-access.log").slice(0, 2), ...head("bind-query.log").slice(0, 2)])).toBeUndefined();
    expect(detectFormat([head("okta-system.ndjson")[0]!, head("cloudflare-gateway-dns.ndjson")[0]!])).toBeUndefined();
    expect(detectFormat([])).toBeUndefined();
    expect(detectFormat(["", "   "])).toBeUndefined();
    expect(detectFormat(["hello", "world"])).toBeUndefined();
    expect(detectFormat(["{not json"])).toBeUndefined();
    expect(detectFormat(["\ufeff#separator \\x09"])).toBe("zeek");
  });

  it("detects gzip input by its magic bytes, whatever the file name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-detect-"));
    const f = join(dir, "ssl-log-without-extension");
    writeFileSync(f, gzipSync(readFileSync(fixture("zeek-ssl.log"))));
    const { observations, errors } = await run([f]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.host)).toEqual(["ssl.gstatic.com"]);
  });
});

describe("orderFiles", () => {
  it("reads rotated siblings oldest first, at the place of the family, conn logs last", () => {
    expect(
      orderFiles([
        "/l/access.log",
        "/l/access.log.1",
        "/l/access.log.10.gz",
        "/l/access.log.2.gz",
        "/z/conn.log",
        "/z/dns.log",
        "/l/other.log-20250102.gz",
        "/l/other.log",
        "/l/other.log-20250101",
        "/l/access.log",
      ]),
    ).toEqual(["/l/access.log.10.gz", "/l/access.log.2.gz", "/l/access.log.1", "/l/access.log", "/z/dns.log", "/l/other.log-20250101", "/l/other.log-20250102.gz", "/l/other.log", "/z/conn.log"]);
  });
});

describe("collector metadata", () => {
  it("exports id, displayName, docsUrl and the formats with their documentation", () => {
    expect(logs.id).toBe("logs");
    expect(logs.displayName.length).toBeGreaterThan(0);
    expect(logs.docsUrl).toMatch(/^https:\/\//);
    expect([...logs.FORMATS]).toEqual(["zeek", "squid", "clf", "okta", "zscaler", "panos", "cloudflare", "bind", "csv", "jsonl"]);
    for (const f of FORMATS) expect(logs.FORMAT_DOCS[f]).toMatch(/^https:\/\//);
  });
});
