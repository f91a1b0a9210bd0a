/**
 * The variants real organisations produce (issue #18): each vendor's documented layouts, SIEM
 * wrappers and broken lines, from samples nobody on this team wrote (see __fixtures__/README.md).
 */
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fixture, run } from "./__fixtures__/run.js";
import { logsConfigSchema } from "./config.js";
import { detectFormat } from "./detect.js";
import { clientComesFirst } from "./formats/clf.js";
import { compileLogformat, logformatSpec, parseLogformat, SQUID_BUILTIN_FORMATS } from "./formats/squid.js";
import { nssTimeToMs } from "./formats/zscaler.js";
import { listLogFormats, LOG_FORMATS } from "./index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-variants-"));
const write = (name: string, text: string | Buffer): string => {
  const f = join(tmp(), name);
  writeFileSync(f, text);
  return f;
};

/** Lines 3–5 of clf-access.log: Squid's built-in `combined` format (with `\"` escapes on line 5). */
const SQUID_COMBINED = readFileSync(fixture("clf-access.log"), "utf8").split("\n").slice(2, 5).join("\n") + "\n";

/** A custom "extended" Squid format: native columns with the request size and two timers inserted, and the user agent appended. */
const EXTENDED = 'logformat extended %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %>st %tr %rm %ru %[un %Sh/%<a %mt "%{User-Agent}>h"';
const EXTENDED_LOG = [
  '1765102532.123    904 10.0.1.15 TCP_MISS/200 1843 364 123 GET https://api.openai.com/v1/models - HIER_DIRECT/104.18.33.45 application/json "curl/8.5.0"',
  '1765102533.007  15234 10.0.1.16 TCP_TUNNEL/200 48213 712 15230 CONNECT claude.ai:443 alice HIER_DIRECT/160.79.104.10 - "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"',
  '1765102534.450     12 10.0.1.17 TCP_DENIED/403 3921 455 11 POST http://chatgpt.com/backend-api/conversation bob%40corp.example HIER_NONE/- text/html "Mozilla/5.0"',
  "1765102535.001     17 10.0.1.18 TCP_MISS/200", // cut short
  "",
].join("\n");

describe("Squid logformat (logs.squid.logformat)", () => {
  it("a custom format read with the default (native) format gives errors, never records", async () => {
    const f = write("access.log", EXTENDED_LOG);
    const { observations, errors, warnings } = await run([f], { format: "squid" });
    expect(observations).toEqual([]);
    expect(warnings).toEqual([]);
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(errors[0]!.message).toMatch(/column 6 is "364", expected the request method as in Squid's native format/);
    expect(errors[0]!.message).toMatch(/set logs\.squid\.logformat/);
    expect(errors.every((e) => e.input === f && e.partial)).toBe(true);
  });

  it("the same log with its logformat declared: every field from its own column; a line that does not fit is an error", async () => {
    const f = write("access.log", EXTENDED_LOG);
    const options = { format: "squid", squid: { logformat: EXTENDED }, timeZone: "UTC" };
    const { observations, errors } = await run([f], options);
    expect(observations.map((o) => [o.host, o.port, o.path, o.method, o.user, o.client, o.server, o.action, o.bytes, o.userAgent, o.time])).toEqual([
      ["api.openai.com", 443, "/v1/models", "GET", undefined, "10.0.1.15", "104.18.33.45", "TCP_MISS/200", 1843, "curl/8.5.0", "2025-12-07T10:15:32.123Z"],
      ["claude.ai", 443, undefined, "CONNECT", "alice", "10.0.1.16", "160.79.104.10", "TCP_TUNNEL/200", 48213, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "2025-12-07T10:15:33.007Z"],
      ["chatgpt.com", 80, "/backend-api/conversation", "POST", "bob@corp.example", "10.0.1.17", undefined, "TCP_DENIED/403", 3921, "Mozilla/5.0", "2025-12-07T10:15:34.450Z"],
    ]);
    expect(errors.map((e) => [e.line, e.message])).toEqual([[4, expect.stringMatching(/^line 4: does not fit the configured logformat \(logs\.squid\.logformat "%ts/)]]);
    // declared, the format is also detected without --format
    expect(detectFormat(EXTENDED_LOG.split("\n"), { squid: { logformat: EXTENDED } })).toBe("squid");
    expect(detectFormat(EXTENDED_LOG.split("\n"))).toBeUndefined();
  });

  it("built-in named formats: combined (quoted request, escaped quotes), and the native one by name", async () => {
    const f = write("combined.log", SQUID_COMBINED);
    const { observations, errors } = await run([f], { format: "squid", squid: { logformat: "combined" } });
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.port, o.path, o.user, o.client, o.action, o.bytes, o.userAgent, o.time])).toEqual([
      ["claude.ai", 443, undefined, "alice@corp.example", "10.20.30.40", "TCP_TUNNEL/200", 48213, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "2025-01-01T00:00:05.000Z"],
      ["api.anthropic.com", 80, "/v1/messages", undefined, "10.20.30.41", "TCP_MISS/200", 1290, "anthropic-typescript/0.32.1", "2025-01-01T00:00:06.000Z"],
      ["example.org", 80, '/a%20b?x="y"', undefined, "10.20.30.42", "TCP_MISS/404", undefined, 'evil" "ua', "2025-01-01T00:00:07.000Z"],
    ]);
    const native = await run([fixture("squid-access.log")], { squid: { logformat: "squid" } });
    expect(native.errors).toEqual([]);
    expect(native.observations).toHaveLength(5);
  });

  it("strftime times (%{...}tl with a literal zone), a whole `logformat NAME SPEC` line, and formats that cannot name a host", async () => {
    // Frontier Squid's documented `awstats` format (squid.conf of a public deployment)
    const awstats = 'logformat awstats %>a %ui %un [%{%d/%b/%Y:%H:%M:%S +0000}tl] "%rm %ru HTTP/%rv" %Hs %<st %Ss:%Sh %tr "%{X-Frontier-Id}>h" "%{Referer}>h" "%{User-Agent}>h"';
    const f = write(
      "frontier.log",
      '131.225.1.2 - - [07/Dec/2025:10:15:32 +0000] "GET http://cmsfrontier.cern.ch:8000/FrontierProd/Frontier?type=frontier_request HTTP/1.1" 200 1523 TCP_MISS:HIER_DIRECT 37 "CMSSW_13_0_0 5.4.0 1234 user" "-" "-"\n',
    );
    const { observations, errors } = await run([f], { format: "squid", squid: { logformat: awstats }, timeZone: "UTC" });
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.port, o.action, o.time])).toEqual([["cmsfrontier.cern.ch", 8000, "TCP_MISS/200", "2025-12-07T10:15:32.000Z"]]);
    expect(logformatSpec(awstats)).toBe(awstats.slice("logformat awstats ".length));
    expect(() => compileLogformat(SQUID_BUILTIN_FORMATS["useragent"]!)).toThrow(/names no host/);
    expect(() => compileLogformat("%>a %ru")).toThrow(/no time/);
    expect(() => compileLogformat("%ts %ru %zz")).toThrow(/unknown format code at offset 8/);
    expect(parseLogformat("%ts %ssl::>sni %{Host}>h").filter((p) => "token" in p).map((p) => ("token" in p ? [p.token.code, p.token.arg] : []))).toEqual([
      ["ts", undefined],
      ["ssl::>sni", undefined],
      [">h", "Host"],
    ]);
  });

  it("logs.squid.logformat is checked when the configuration is read", () => {
    expect(logsConfigSchema.safeParse({ squid: { logformat: EXTENDED } }).success).toBe(true);
    expect(logsConfigSchema.safeParse({ squid: { logformat: "common" } }).success).toBe(true);
    const bad = logsConfigSchema.safeParse({ squid: { logformat: "%>a [%tl]" } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/names no host/);
    expect(logsConfigSchema.safeParse({ squid: { logformt: "squid" } }).success).toBe(false);
  });
});

describe("Zscaler NSS time variants", () => {
  it("Cloud NSS `2021-12-31 08:08:08` (elastic zscaler_zia http_endpoint test line) is read as UTC, or in logs.timeZone", async () => {
    const { observations, errors } = await run([fixture("zscaler-cloudnss.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.time, o.host, o.path, o.method, o.client, o.server, o.user])).toEqual([
      ["2021-12-31T08:08:08.000Z", "www.example.com", "/pqr", "CONNECT", "81.2.69.193", "81.2.69.145", "test@example.com"],
    ]);
    const berlin = await run([fixture("zscaler-cloudnss.ndjson")], { timeZone: "Europe/Berlin" });
    expect(berlin.observations[0]!.time).toBe("2021-12-31T07:08:08.000Z");
  });

  it("every documented form parses; other text does not", () => {
    const iso = (s: string) => new Date(nssTimeToMs(s)).toISOString();
    expect(iso("Mon Jun 20 15:29:11 2022")).toBe("2022-06-20T15:29:11.000Z");
    expect(iso("Mon Jun  6 15:29:11 2022")).toBe("2022-06-06T15:29:11.000Z");
    expect(iso("2021-12-31 08:08:08")).toBe("2021-12-31T08:08:08.000Z");
    expect(iso("2021-12-31T08:08:08.250+01:00")).toBe("2021-12-31T07:08:08.250Z");
    expect(iso("Jun 20 2022 15:29:11")).toBe("2022-06-20T15:29:11.000Z");
    expect(iso("1655738951")).toBe("2022-06-20T15:29:11.000Z");
    for (const bad of ["31/12/2021 08:08:08", "2021-13-31 08:08:08", "yesterday", "", "Mon Jun 31 15:29:11 2022"]) expect(nssTimeToMs(bad)).toBeNaN();
  });

  it("a record with an unreadable time is an error naming the forms expected", async () => {
    const line = readFileSync(fixture("zscaler-cloudnss.ndjson"), "utf8").replace("2021-12-31 08:08:08", "31.12.2021 08:08");
    const { observations, errors } = await run([write("nss.ndjson", line)]);
    expect(observations).toEqual([]);
    expect(errors[0]!.message).toMatch(/expected 'epochtime', or 'time' like "Mon Jun 20 15:29:11 2022" or "2021-12-31 08:08:08", found "31\.12\.2021 08:08"/);
  });
});

describe("Zeek JSON from SIEM exports", () => {
  it("elastic's zeek dns test file: records without _path and qtype_name, and a Splunk export line with the record in _raw", async () => {
    const { observations, errors, warnings } = await run([fixture("zeek-dns-elastic.ndjson")]);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(observations.map((o) => [o.ref.line, o.host, o.qtype, o.client])).toEqual([
      [1, "dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io", "A", "192.168.86.167"],
      [2, "_googlecast._tcp.local", "PTR", "fe80::4ef:15cf:769f:ff21"],
      [3, "_googlecast._tcp.local", undefined, "192.168.86.237"],
      [4, "manage.office.com", undefined, "10.156.0.2"],
      [5, "login.microsoftonline.com", undefined, "10.156.0.2"],
      [6, "login.microsoftonline.com", undefined, "10.156.0.2"],
      [7, "manage.office.com", undefined, "10.156.0.2"],
      [8, "_googlecast._tcp.local", undefined, "192.168.86.237"],
    ]);
    // the wrapped record is the same record as line 3
    const { ref: r3, ...o3 } = observations[2]!;
    const { ref: r8, ...o8 } = observations[7]!;
    expect(o8).toEqual(o3);
    expect([r3.line, r8.line]).toEqual([3, 8]);
  });

  it("one wrapped line (or a Splunk message frame) among the first lines does not stop detection; Elasticsearch _source and HEC event wrappers too", async () => {
    const lines = readFileSync(fixture("zeek-dns-elastic.ndjson"), "utf8").trim().split("\n");
    expect(detectFormat([lines[7]!, ...lines.slice(0, 3)])).toBe("zeek");
    expect(detectFormat(['{"messages":[{"type":"INFO","text":"search job completed"}]}', lines[7]!, lines[0]!])).toBe("zeek");
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    const f = write(
      "export.ndjson",
      [
        JSON.stringify({ _index: "zeek-dns-2019.01.11", _id: "a1", _score: 1, _source: record }),
        JSON.stringify({ time: 1547188415, host: "sensor1", sourcetype: "bro:dns:json", event: record }),
        '{"preview":false,"lastrow":true}',
        "",
      ].join("\n"),
    );
    const { observations, errors, warnings } = await run([f]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.host)).toEqual(["dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io", "dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io"]);
    // the trailing frame is not a Zeek record: counted, shown, not an error
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^1 record\(s\) of Zeek logs that hold no host name were not read \(\(unknown\): 1\)/)]);
  });

  it("http.log with an absolute URI and no host (proxied requests): host and port from the URI, in JSON and TSV", async () => {
    const json = write(
      "http.ndjson",
      [
        '{"ts":1700000000.1,"uid":"C1","id.orig_h":"10.0.0.9","id.orig_p":50000,"id.resp_h":"10.0.0.1","id.resp_p":3128,"trans_depth":1,"method":"GET","uri":"http://api.openai.com:8080/v1/models?x=1","user_agent":"curl/8.5.0"}',
        '{"ts":1700000000.2,"uid":"C2","id.orig_h":"10.0.0.9","id.orig_p":50001,"id.resp_h":"10.0.0.1","id.resp_p":3128,"trans_depth":1,"method":"CONNECT","uri":"claude.ai:443"}',
        '{"ts":1700000000.3,"uid":"C3","id.orig_h":"10.0.0.9","id.orig_p":50002,"id.resp_h":"10.0.0.1","id.resp_p":80,"trans_depth":1,"method":"GET","uri":"/index.html"}',
        "",
      ].join("\n"),
    );
    const r = await run([json]);
    expect(r.errors).toEqual([]);
    expect(r.observations.map((o) => [o.host, o.port, o.path, o.method])).toEqual([
      ["api.openai.com", 8080, "/v1/models?x=1", "GET"],
      ["claude.ai", 443, undefined, "CONNECT"],
    ]);
    const tsv = write(
      "http.log",
      ["#separator \\x09", "#path\thttp", "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tmethod\thost\turi", "1700000000.1\tC1\t10.0.0.9\t50000\t10.0.0.1\t3128\tGET\t-\thttps://api.anthropic.com/v1/messages", ""].join("\n"),
    );
    expect((await run([tsv])).observations.map((o) => [o.host, o.port, o.path])).toEqual([["api.anthropic.com", 443, "/v1/messages"]]);
  });
});

describe("BIND: appliance and syslog layouts", () => {
  it("elastic's infoblox_nios test lines: query-and-response layout, view/UDP in either order, BIND's own time after the syslog header", async () => {
    const { observations, errors, warnings } = await run([fixture("infoblox-nios-dns.log")], { timeZone: "UTC", year: 2022 });
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.ref.line, o.host, o.qtype, o.client, o.server, o.action, o.time])).toEqual([
      [1, "a1.foo.com", "A", "192.168.0.1", undefined, "NOERROR", "2022-04-07T08:08:10.043Z"],
      [2, "test.com", "A", "192.168.0.1", undefined, "REFUSED", "2022-04-07T08:08:10.043Z"],
      [3, "a2.foo.com", "A", "192.168.0.1", undefined, "NOERROR", "2022-04-07T08:08:10.043Z"],
      [4, "non-exist.foo.com", "A", "192.168.0.1", undefined, "NXDOMAIN", "2022-04-07T08:08:10.043Z"],
      [5, "a1.foo.com", "A", "192.168.0.1", undefined, "NOERROR", "2022-04-07T08:08:10.043Z"],
      [7, "config.nos-avg.cz", "TXT", "192.168.0.1", "192.168.0.1", undefined, "2022-03-09T23:59:59.000Z"],
      [22, "settings-win.data.microsoft.com", "A", "192.168.1.90", undefined, "REFUSED", "2022-04-14T16:17:20.046Z"],
      [23, "ocsp.digicert.com", "A", "192.168.1.90", "192.168.1.10", undefined, "2022-04-14T16:16:05.000Z"],
      [25, "89.160.20.128.a1.foo.com", "PTR", "89.160.20.128", undefined, "NOERROR", "2022-10-04T10:18:07.834Z"],
      [26, "settings-win.data.microsoft.com", "TXT", "89.160.20.128", undefined, "NOERROR", "2023-05-09T11:54:36.185Z"],
      [27, "abugtera.tun.p2.42", "A", "89.160.20.128", "81.2.69.144", undefined, "2022-11-27T13:03:52.000Z"],
      [28, "version.bind", "TXT", "10.4.71.204", "192.168.0.1", undefined, "2022-11-27T11:53:09.000Z"],
    ]);
    expect(observations[4]).toMatchObject({ response: true, answers: ["192.168.0.2", "192.168.0.3"] });
    expect(observations[5]!.response).toBeUndefined();
    // 16 lines of other categories (transfers, DNSSEC, RPZ, ...) are counted once, as a warning
    expect(warnings.map((w) => w.message)).toEqual(["16 line(s) of other BIND categories or programs (no 'query:') were skipped"]);
  });

  it("syslog times without a year take it from the file's modification time, never silently from today", async () => {
    const f = write("named.log", readFileSync(fixture("infoblox-nios-dns.log")));
    utimesSync(f, new Date(Date.UTC(2023, 0, 15)), new Date(Date.UTC(2023, 0, 15))); // written in January 2023
    const { observations, warnings } = await run([f], { timeZone: "UTC" });
    const byLine = new Map(observations.map((o) => [o.ref.line, o.time]));
    expect([byLine.get(7), byLine.get(23), byLine.get(27)]).toEqual(["2022-03-09T23:59:59.000Z", "2022-04-14T16:16:05.000Z", "2022-11-27T13:03:52.000Z"]);
    expect(byLine.get(1)).toBe("2022-04-07T08:08:10.043Z"); // BIND's own time has its year
    expect(warnings.map((w) => w.message)).toContain("4 line(s) carry only a syslog time without a year: the year 2022 was taken from the file's modification time; set logs.year if that is wrong");
    // a line of the day the file was last written stays in that year
    const g = write("today.log", "<30>Jan 15 00:10:00 ns1 named[1]: client @0x1 10.0.0.1#5353 (a.example): query: a.example IN A + (10.0.0.53)\n");
    utimesSync(g, new Date(Date.UTC(2023, 0, 15, 1)), new Date(Date.UTC(2023, 0, 15, 1)));
    expect((await run([g], { timeZone: "UTC" })).observations[0]!.time).toBe("2023-01-15T00:10:00.000Z");
  });

  it("broken query lines are errors with their line", async () => {
    const f = write(
      "named.log",
      [
        "07-Apr-2022 08:08:10.043 client 192.168.0.1#57398 UDP: query: a1.foo.com IN A response: NOERROR +ED a1.foo.com 28800 IN A 192.168.0.2;",
        "07-Apr-2022 08:08:10.043 client 192.168.0.1 UDP: query: broken.example IN A response: NOERROR +ED", // no #port
        "07-Apr-2022 08:08:10.043 client 192.168.0.1#57398 UDP: query: cut.example IN", // cut short
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "bind", timeZone: "UTC" });
    expect(observations.map((o) => o.host)).toEqual(["a1.foo.com"]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
  });
});

describe("common / combined with client and vhost prefixes", () => {
  const line = (prefix: string) => `${prefix} - - [01/Jan/2025:00:00:08 +0000] "GET /v1/models HTTP/1.1" 200 512 "-" "curl/8.5.0"`;

  it("`client:port vhost:port` and Apache's `%v:%p %h` are told apart; the client field must be an address or host", async () => {
    const f = write(
      "access.log",
      [
        line("10.0.0.5:52344 api.openai.com:443"), // client:port vhost:port
        line("api.openai.com:443 10.0.0.5"), // vhost_combined (Apache's %v:%p %h)
        line("10.0.0.5:52344 10.9.9.9:443"), // both addresses: the ephemeral port is the client
        line("[2001:db8::5]:52344 api.anthropic.com:443"),
        line("api.openai.com:443 1700000000"), // a number is not a client
        line('api.openai.com:443 "GET'),
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "clf" });
    expect(observations.map((o) => [o.client, o.host, o.port, o.path])).toEqual([
      ["10.0.0.5", "api.openai.com", 443, "/v1/models"],
      ["10.0.0.5", "api.openai.com", 443, "/v1/models"],
      ["10.0.0.5", "10.9.9.9", 443, "/v1/models"],
      ["2001:db8::5", "api.anthropic.com", 443, "/v1/models"],
    ]);
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [5, 'line 5: the client field "1700000000" is not an IP address or host name; line skipped'],
      [6, 'line 6: the client field "\\"GET" is not an IP address or host name; line skipped'],
    ]);
    expect([clientComesFirst("10.0.0.5:52344", "proxy.example:3128"), clientComesFirst("www.example.com:443", "10.1.2.3"), clientComesFirst("10.0.0.1:443", "10.0.0.2:50000")]).toEqual([true, false, false]);
  });

  it("logs.clf.prefix states the order where a line cannot tell it (two host names)", async () => {
    const f = write("access.log", `${line("laptop7.corp.example:52344 api.openai.com:443")}\n`);
    const told = await run([f], { format: "clf", clf: { prefix: "client-vhost" } });
    expect(told.observations.map((o) => [o.client, o.host])).toEqual([["laptop7.corp.example", "api.openai.com"]]);
    const guessed = await run([f], { format: "clf" });
    expect(guessed.observations.map((o) => [o.client, o.host])).toEqual([["api.openai.com", "laptop7.corp.example"]]);
  });
});

describe("Okta events without client.ipAddress", () => {
  it("take the client from request.ipChain[0].ip (vets-api cassette event with its ipAddress removed)", async () => {
    const events = JSON.parse(readFileSync(fixture("okta-consent-page.json"), "utf8")) as { client: { ipAddress: unknown } }[];
    const noIp = structuredClone(events[0]!);
    noIp.client.ipAddress = null;
    const empty = structuredClone(events[0]!);
    empty.client.ipAddress = "";
    const f = write("okta.ndjson", `${JSON.stringify(noIp)}\n${JSON.stringify(empty)}\n`);
    const { observations, errors } = await run([f]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.client)).toEqual(["71.196.193.56", "71.196.193.56"]);
  });
});

describe("detection cannot be starved; every file gets a clear outcome", () => {
  const squid = readFileSync(fixture("squid-access.log"), "utf8");

  it("a 70 KB first line: detected from the lines after it, the long line an error with its number", async () => {
    const f = write("access.log", `${"x".repeat(70 * 1024)}\n${squid}`);
    const { observations, errors, result } = await run([f]);
    expect(result.files[0]!.format).toBe("squid");
    expect(observations).toHaveLength(5);
    expect(errors).toEqual([{ input: f, line: 1, offset: 0, message: "line 1: line of 71680 bytes is over the 65536-byte limit; line skipped", partial: true }]);
  });

  it("a first line longer than the whole head: a clear error, not silence", async () => {
    const f = write("huge.log", `${"y".repeat(300 * 1024)}\n${squid}`);
    const { observations, errors } = await run([f]);
    expect(observations).toEqual([]);
    expect(errors).toEqual([{ input: f, message: "no line of at most 64 KiB ends within the first 256 KiB: not a line-oriented log, or lines far over the limit", partial: false }]);
  });

  it("binary files, a gzip of zeros, other compressions: errors that say what the file is", async () => {
    const bin = write("data.log", Buffer.from([0x4c, 0x4f, 0x47, 0x00, 0x01, 0x02, 0x0a, 0x41]));
    const zeros = write("zeros.log.gz", gzipSync(Buffer.alloc(1024 * 1024)));
    const zip = write("logs.zip", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]));
    const { observations, errors } = await run([bin, zeros, zip]);
    expect(observations).toEqual([]);
    expect(errors.map((e) => [e.input, e.message, e.partial])).toEqual([
      [bin, "not a text log: it is binary, not a text log (a NUL byte at offset 3)", false],
      [zeros, "not a text log: its decompressed content is binary, not a text log (all zero bytes)", false],
      [zip, "not a text log: a zip archive (unzip it first)", false],
    ]);
  });

  it("an empty or blank file is a warning, not an error and not silence", async () => {
    const empty = write("empty.log", "");
    const blank = write("blank.log", "\n \n\r\n");
    const { observations, errors, warnings, result } = await run([empty, blank]);
    expect(observations).toEqual([]);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => [w.input, w.message]).sort()).toEqual([
      [blank, "the file holds only blank lines: nothing to read"],
      [empty, "empty file (0 bytes): nothing to read"],
    ].sort());
    expect(result.files.map((r) => [r.file, r.format, r.warnings]).sort()).toEqual([
      [blank, undefined, 1],
      [empty, undefined, 1],
    ].sort());
  });
});

describe("warnings apart from errors", () => {
  const good = (i: number) => `1700000000.${String(i % 1000).padStart(3, "0")}     5 10.0.0.1 TCP_MISS/200 100 GET http://h${i}.example/ - HIER_DIRECT/1.2.3.4 text/html`;

  it("malformed lines within logs.malformedTolerance are counted warnings; above it, errors", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => good(i));
    lines[700] = "1700000000.700 garbage";
    lines[1400] = "1700000001.400 garbage";
    const f = write("access.log", `${lines.join("\n")}\n`);
    const within = await run([f]);
    expect(within.errors).toEqual([]);
    expect(within.observations).toHaveLength(1998);
    expect(within.warnings.map((w) => [w.line, w.count])).toEqual([
      [701, 1],
      [1401, 1],
      [undefined, 2],
    ]);
    expect(within.warnings[2]!.message).toBe("2 of 2000 lines were malformed and skipped, within the tolerance of 0.001 (logs.malformedTolerance)");
    expect(within.result).toMatchObject({ errorCount: 0, warningCount: 3, files: [{ file: f, format: "squid", lines: 2000, records: 1998, errors: 0, warnings: 3 }] });
    const strict = await run([f], { malformedTolerance: 0 });
    expect(strict.warnings).toEqual([]);
    expect(strict.errors.map((e) => e.line)).toEqual([701, 1401]);
    expect(strict.result.errorCount).toBe(2);
  });
});

describe("the format registry", () => {
  it("lists every format with its name, description and documentation; names are unique", () => {
    const list = listLogFormats();
    expect(list.map((f) => f.name)).toEqual(["zeek", "squid", "clf", "okta", "zscaler", "panos", "cloudflare", "bind", "csv", "jsonl"]);
    for (const f of list) {
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.docsUrl).toMatch(/^https:\/\//);
    }
    expect(list.filter((f) => !f.detected).map((f) => f.name)).toEqual(["csv", "jsonl"]);
    expect(new Set(LOG_FORMATS.map((f) => f.name)).size).toBe(LOG_FORMATS.length);
  });
});
