import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, run } from "./__fixtures__/run.js";
import { DnsAnswerMap, MAX_DNS_MAP } from "./formats/zeek.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-zeek-"));

describe("Zeek TSV (zeek/zeek btest baselines)", () => {
  it("ssl.log: server_name → tls, columns from #fields", async () => {
    const { observations, errors } = await run([fixture("zeek-ssl.log")]);
    expect(errors).toEqual([]);
    expect(observations).toEqual([
      {
        source: "logs:zeek",
        kind: "tls",
        time: "2012-04-27T14:53:12.319Z",
        host: "ssl.gstatic.com",
        client: "192.168.1.105",
        server: "74.125.224.79",
        port: 443,
        ref: { file: fixture("zeek-ssl.log"), line: 8, offset: 337 },
      },
    ]);
  });

  it("dns.log: query, qtype, no answers → not a response", async () => {
    const { observations, errors } = await run([fixture("zeek-dns.log")]);
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({ kind: "dns", host: "paypal.com", qtype: "DNSKEY", client: "192.168.6.10", server: "192.168.129.36", port: 53, time: "2013-01-30T17:08:00.761Z" });
    expect(observations[0]!.answers).toBeUndefined();
  });

  it("http.log: host, uri, method, body bytes; records without a host are skipped", async () => {
    const { observations, errors } = await run([fixture("zeek-http.log")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.method)).toEqual(["OPTIONS", "OPTIONS", "GET", "CCM_POST", "CONNECT", "HEAD"]);
    expect(observations[2]).toMatchObject({ kind: "http", host: "www.google.com", path: "/", bytes: 43911, client: "128.2.6.136", port: 80 });
    expect(observations[0]).toMatchObject({ path: "*", bytes: 962 });
  });

  it("quic.log: server_name and client_protocol as ALPN", async () => {
    const { observations } = await run([fixture("zeek-quic.log")]);
    expect(observations).toEqual([expect.objectContaining({ kind: "quic", host: "api.cirrus-ci.com", alpn: ["h3"], server: "110.213.53.115", port: 443 })]);
  });

  it("conn.log alone gives nothing (no host name)", async () => {
    const { observations, errors } = await run([fixture("zeek-conn.log")]);
    expect(observations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("conn.log after dns.log: a connection to an answered address gets the query name, per client", async () => {
    // given in the wrong order: conn files are read last
    const { observations } = await run([fixture("join-conn.log"), fixture("join-dns.log")]);
    expect(observations.map((o) => [o.kind, o.host, o.client])).toEqual([
      ["dns", "api.openai.com", "10.0.0.7"],
      ["log", "api.openai.com", "10.0.0.7"],
    ]);
    expect(observations[0]).toMatchObject({ answers: ["162.159.140.245", "172.66.0.243"], response: true });
    expect(observations[1]).toMatchObject({ bytes: 4096 + 65536, server: "162.159.140.245", port: 443 });
    expect(observations[1]!.action).toMatch(/dns\.log answer/);
  });

  it("a different column order, id_orig_h names, unset and empty values, \\x escapes", async () => {
    const dir = tmp();
    const f = join(dir, "ssl.log");
    writeFileSync(
      f,
      [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tssl",
        "#fields\tserver_name\tts\tid_resp_p\tid_resp_h\tid_orig_h",
        "api.openai.com\t1700000000.5\t443\t1.2.3.4\t10.0.0.1",
        "-\t1700000001.0\t443\t1.2.3.4\t10.0.0.1",
        "(empty)\t1700000002.0\t443\t1.2.3.4\t10.0.0.1",
        "evil\\x09tab.example\t1700000003.0\t443\t1.2.3.4\t-",
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.client, o.server, o.port, o.time])).toEqual([
      ["api.openai.com", "10.0.0.1", "1.2.3.4", 443, "2023-11-14T22:13:20.500Z"],
      ["evil\ttab.example", undefined, "1.2.3.4", 443, "2023-11-14T22:13:23.000Z"],
    ]);
  });

  it("several header blocks in one file (appended logs) and data before any header", async () => {
    const dir = tmp();
    const f = join(dir, "mixed.log");
    writeFileSync(
      f,
      [
        "1700000000.0\torphan.example",
        "#separator \\x09",
        "#path\tssl",
        "#fields\tts\tserver_name",
        "1700000000.0\ta.example",
        "#close\t2023-11-14-22-13-20",
        "#separator \\x09",
        "#path\tdns",
        "#fields\tquery\tts\tqtype_name",
        "b.example\t1700000001.0\tAAAA",
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "zeek" });
    expect(observations.map((o) => [o.kind, o.host, o.qtype])).toEqual([
      ["tls", "a.example", undefined],
      ["dns", "b.example", "AAAA"],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 1, offset: 0, partial: true });
    expect(errors[0]!.message).toMatch(/before the '#fields' header/);
  });

  it("broken rows: too few columns, a bad ts; the scan goes on", async () => {
    const dir = tmp();
    const f = join(dir, "ssl.log");
    writeFileSync(f, ["#separator \\x09", "#path\tssl", "#fields\tts\tid.orig_h\tserver_name", "1700000000.0\t10.0.0.1", "yesterday\t10.0.0.1\tx.example", "1700000000.0\t10.0.0.1\tok.example", ""].join("\n"));
    const { observations, errors } = await run([f]);
    expect(observations.map((o) => o.host)).toEqual(["ok.example"]);
    expect(errors.map((e) => e.line)).toEqual([4, 5]);
    expect(errors[0]!.message).toMatch(/^line 4: expected 3 tab-separated fields as '#fields' says, found 2; line skipped$/);
    expect(errors[1]!.message).toMatch(/^line 5: ts: expected epoch seconds, found "yesterday"/);
  });

  it("other Zeek logs (x509, files, weird) are skipped with one counted warning, not an error", async () => {
    const dir = tmp();
    const f = join(dir, "weird.log");
    writeFileSync(f, ["#separator \\x09", "#path\tweird", "#fields\tts\tuid\tname", "1700000000.0\tC1\tbad_HTTP_request", "1700000001.0\tC2\tbad_HTTP_request", ""].join("\n"));
    const { observations, errors, warnings, result } = await run([f]);
    expect(observations).toEqual([]);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^2 record\(s\) of Zeek logs that hold no host name were not read \(weird: 2\)/)]);
    expect(result.files).toEqual([{ file: f, format: "zeek", lines: 5, records: 0, skipped: 0, errors: 0, warnings: 1 }]);
  });
});

describe("Zeek JSON", () => {
  it("LogAscii::use_json (elastic zeek ssl test lines): id.orig_h keys; records without SNI give nothing", async () => {
    const { observations, errors } = await run([fixture("zeek-ssl.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.client, o.port])).toEqual([
      ["dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io", "10.178.98.102", 9243],
      ["splunk-api.swiftcrypto.com", "89.160.20.156", 443],
    ]);
    expect(observations[0]!.time).toBe("2019-01-17T01:32:16.805Z");
  });

  it("json-streaming (OTRF apt29): @stream, id_orig_h, answers with CNAMEs", async () => {
    const { observations, errors } = await run([fixture("zeek-dns-streaming.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(4);
    expect(observations[1]).toMatchObject({
      kind: "dns",
      host: "ctldl.windowsupdate.com",
      qtype: "A",
      client: "10.0.1.5",
      server: "10.0.0.4",
      port: 53,
      response: true,
      answers: ["audownload.windowsupdate.nsatc.net", "au.download.windowsupdate.com.edgesuite.net", "a767.dscg3.akamai.net", "23.62.7.160", "23.62.7.146"],
    });
    expect(observations[2]!.answers).toBeUndefined();
  });

  it("ts as an ISO 8601 string (LogAscii::json_timestamps)", async () => {
    const dir = tmp();
    const f = join(dir, "http.json");
    writeFileSync(f, `${JSON.stringify({ _path: "http", ts: "2025-01-06T09:00:00.123456Z", "id.orig_h": "10.0.0.1", "id.resp_h": "1.2.3.4", "id.resp_p": 80, host: "api.openai.com", uri: "/v1/models", method: "GET", user_agent: "curl/8", request_body_len: 0, response_body_len: 512 })}\n`);
    const { observations } = await run([f]);
    expect(observations).toEqual([expect.objectContaining({ kind: "http", time: "2025-01-06T09:00:00.123Z", host: "api.openai.com", path: "/v1/models", userAgent: "curl/8", bytes: 512 })]);
  });
});

describe("DnsAnswerMap", () => {
  it("holds MAX_DNS_MAP answers, evicts the oldest first; a new answer for a pair replaces it and becomes the newest", () => {
    const m = new DnsAnswerMap();
    // MAX_DNS_MAP distinct (client, address) pairs: 10.9.x.y asking, 198.51.x.y answered.
    const fill = (from: number, n: number, tag: string) => {
      for (let i = from; i < from + n; i++) m.add(`10.9.${i >> 16}.${(i >> 8) & 255}`, `198.51.${(i >> 8) & 255}.${i & 255}`, `${tag}${i}.example`);
    };
    m.add("10.0.0.1", "192.0.2.1", "first.example");
    m.add("10.0.0.1", "192.0.2.2", "second.example");
    fill(0, MAX_DNS_MAP - 2, "a");
    expect(m.size).toBe(MAX_DNS_MAP);
    expect(m.get("10.0.0.1", "192.0.2.1")).toBe("first.example");
    m.add("10.0.0.1", "192.0.2.1", "first-again.example"); // answered again: the newest, first.example forgotten
    expect(m.size).toBe(MAX_DNS_MAP);
    expect(m.get("10.0.0.1", "192.0.2.1")).toBe("first-again.example");
    fill(MAX_DNS_MAP, 1, "b"); // one more pair: the oldest (second) goes
    expect(m.get("10.0.0.1", "192.0.2.2")).toBeUndefined();
    expect(m.get("10.9.0.0", "198.51.0.0")).toBe("a0.example");
    fill(MAX_DNS_MAP + 1, 1000, "c");
    expect(m.size).toBe(MAX_DNS_MAP);
    expect(m.get("10.9.0.0", "198.51.0.0")).toBeUndefined();
    expect(m.get("10.9.0.3", "198.51.3.232")).toBe("a1000.example");
    expect(m.get("10.0.0.1", "192.0.2.1")).toBe("first-again.example");
    expect(m.get("10.0.0.2", "192.0.2.1")).toBeUndefined(); // per client
  });
});

describe("conn.log attribution with the answers' TTLs", () => {
  const dnsTsv = (ttls: string) =>
    [
      "#separator \\x09",
      "#set_separator\t,",
      "#empty_field\t(empty)",
      "#unset_field\t-",
      "#path\tdns",
      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tqtype_name\trcode_name\tanswers\tTTLs",
      "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring\tstring\tvector[string]\tvector[interval]",
      `1735689600.000000\tCa1\t10.0.0.7\t53001\t10.0.0.53\t53\tudp\tapi.openai.com\tA\tNOERROR\tapi.openai.com.cdn.example,162.159.140.245,172.66.0.243\t${ttls}`,
      "",
    ].join("\n");
  const connTsv = (offsets: number[]) =>
    [
      "#separator \\x09",
      "#set_separator\t,",
      "#empty_field\t(empty)",
      "#unset_field\t-",
      "#path\tconn",
      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tresp_bytes",
      "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tcount",
      ...offsets.map((s, i) => `${1735689600 + s}.000000\tCb${i}\t10.0.0.7\t${50000 + i}\t${i % 2 ? "172.66.0.243" : "162.159.140.245"}\t443\ttcp\t1\t2`),
      "",
    ].join("\n");

  it("TSV: a connection takes the name within its answer's TTL (at least a minute), not later", async () => {
    const dir = tmp();
    // TTLs pair with answers: the CNAME's 3600 s, then 300 s and 30 s (floored to 60 s) for the addresses.
    writeFileSync(join(dir, "dns.log"), dnsTsv("3600.000000,300.000000,30.000000"));
    // 162.159.140.245 (TTL 300) at +10 s, +290 s, +310 s; 172.66.0.243 (TTL 30 → 60) at +45 s, +61 s.
    writeFileSync(join(dir, "conn.log"), connTsv([10, 45, 290, 61, 310]));
    const { observations, errors, warnings } = await run([join(dir, "conn.log"), join(dir, "dns.log")]);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    const conns = observations.filter((o) => o.kind === "log");
    expect(conns.map((o) => [o.time, o.server, o.host])).toEqual([
      ["2025-01-01T00:00:10.000Z", "162.159.140.245", "api.openai.com"],
      ["2025-01-01T00:00:45.000Z", "172.66.0.243", "api.openai.com"],
      ["2025-01-01T00:04:50.000Z", "162.159.140.245", "api.openai.com"],
    ]);
  });

  it("TSV without a TTLs column, or with unset TTLs: answers do not expire", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "dns.log"), dnsTsv("-"));
    writeFileSync(join(dir, "conn.log"), connTsv([86_400, 86_401]));
    const { observations } = await run([join(dir, "conn.log"), join(dir, "dns.log")]);
    expect(observations.filter((o) => o.kind === "log").map((o) => o.host)).toEqual(["api.openai.com", "api.openai.com"]);
  });

  it("TTLs that do not pair with the answers: a warning naming the first line; those answers do not expire", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "dns.log"), dnsTsv("3600.000000,abc,30.000000"));
    writeFileSync(join(dir, "conn.log"), connTsv([86_400]));
    const { observations, errors, warnings } = await run([join(dir, "conn.log"), join(dir, "dns.log")]);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^1 dns\.log record\(s\) have TTLs that are not one number per answer \(first at line 8\)/)]);
    expect(warnings[0]!.input).toBe(join(dir, "dns.log"));
    // 162.159.140.245's TTL is unreadable: no expiry, so a day later it still names the connection.
    expect(observations.filter((o) => o.kind === "log").map((o) => o.host)).toEqual(["api.openai.com"]);
  });

  it("JSON: TTLs as numbers beside answers", async () => {
    const dir = tmp();
    const f = join(dir, "dns-conn.json");
    const base = { "id.orig_h": "10.0.0.7", "id.orig_p": 53001, "id.resp_h": "10.0.0.53", "id.resp_p": 53 };
    writeFileSync(
      f,
      [
        { _path: "dns", ts: 1735689600, uid: "Ca1", ...base, query: "claude.ai", qtype_name: "A", answers: ["160.79.104.10"], TTLs: [120.0] },
        { _path: "conn", ts: 1735689700, uid: "Cb1", "id.orig_h": "10.0.0.7", "id.orig_p": 50000, "id.resp_h": "160.79.104.10", "id.resp_p": 443 },
        { _path: "conn", ts: 1735689900, uid: "Cb2", "id.orig_h": "10.0.0.7", "id.orig_p": 50001, "id.resp_h": "160.79.104.10", "id.resp_p": 443 },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n") + "\n",
    );
    const { observations } = await run([f]);
    // +100 s is within the 120 s TTL; +300 s is not.
    expect(observations.filter((o) => o.kind === "log").map((o) => [o.time, o.host])).toEqual([["2025-01-01T00:01:40.000Z", "claude.ai"]]);
  });
});
