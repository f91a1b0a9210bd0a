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
    expect(result.files).toEqual([{ file: f, format: "zeek", lines: 5, records: 0, errors: 0, warnings: 1 }]);
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
  it("keeps at least the MAX_DNS_MAP / 2 most recent answers and at most MAX_DNS_MAP; a new answer refreshes", () => {
    const m = new DnsAnswerMap();
    const half = MAX_DNS_MAP / 2;
    const fill = (n: number, tag: string) => {
      for (let i = 0; i < n; i++) m.add("10.9.9.9", `198.51.${i >> 8}.${i & 255}`, `${tag}${i}.example`);
    };
    m.add("10.0.0.1", "192.0.2.1", "first.example");
    m.add("10.0.0.1", "192.0.2.2", "second.example");
    fill(half - 2, "a"); // the first generation is full
    fill(half, "b"); // a second one: the first is now the previous generation, still read
    expect(m.get("10.0.0.1", "192.0.2.2")).toBe("second.example");
    m.add("10.0.0.1", "192.0.2.1", "first-again.example"); // answered again: into the newest generation
    expect(m.get("10.0.0.1", "192.0.2.1")).toBe("first-again.example");
    fill(half, "c"); // and another: the first generation is dropped
    expect(m.get("10.0.0.1", "192.0.2.2")).toBeUndefined();
    expect(m.get("10.0.0.1", "192.0.2.1")).toBe("first-again.example");
    expect(m.get("10.9.9.9", "198.51.0.0")).toBe("c0.example");
    expect(m.get("10.0.0.2", "192.0.2.1")).toBeUndefined(); // per client
  });
});
