import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, run } from "./__fixtures__/run.js";
import { bindTime } from "./formats/bind.js";
import { ctimeToMs } from "./formats/zscaler.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-saas-"));

describe("Okta System Log", () => {
  it("a GET /api/v1/logs page saved whole (vets-api cassette): one oauth_event per consent, scopes from ConsentGrant targets", async () => {
    const { observations, errors } = await run([fixture("okta-consent-page.json")]);
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(2);
    expect(observations[0]).toEqual({
      source: "logs:okta",
      kind: "oauth_event",
      time: "2020-12-23T21:47:03.448Z",
      action: "app.oauth2.as.consent.grant",
      user: "2b6669d5cf094246915d1e49b959973d",
      client: "71.196.193.56",
      userAgent: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:83.0) Gecko/20100101 Firefox/83.0",
      clientId: "0oa7rb3qjbKyi6j7O2p7",
      scopes: ["launch/patient"],
      ref: { file: fixture("okta-consent-page.json"), line: 1, offset: 0, id: "64c501c6-4568-11eb-8734-8539fa555daa" },
    });
    expect(observations[1]!.scopes).toEqual(["launch/patient", "disability_rating.read", "service_history.read", "veteran_status.read"]);
  });

  it("the same page pretty-printed: elements found across lines, with their first line", async () => {
    const dir = tmp();
    const f = join(dir, "okta-page.json");
    writeFileSync(f, JSON.stringify(JSON.parse(readFileSync(fixture("okta-consent-page.json"), "utf8")), null, 2));
    const { observations, errors } = await run([f]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.ref.line)).toEqual([2, 106]);
    expect(observations.map((o) => o.scopes?.length)).toEqual([1, 4]);
  });

  it("JSON lines: SSO → signin with the app; other event types are skipped", async () => {
    const { observations, errors } = await run([fixture("okta-system.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.kind, o.appName, o.user, o.action])).toEqual([
      ["signin", "AWS Dev Account", "jdoe@example.com", "user.authentication.sso"],
      ["oauth_event", undefined, "2b6669d5cf094246915d1e49b959973d", "app.oauth2.as.consent.grant"],
    ]);
    expect(observations[0]).toMatchObject({ client: "162.200.141.72", time: "2024-12-31T22:08:59.019Z", ref: { line: 2, id: "d5bbf620-c7c3-11ef-8b08-adee8697db96" } });
    expect(observations[0]!.clientId).toBeUndefined(); // SAML app: its app id is no OAuth client id
  });

  it("OIDC SSO gives the app instance id as client id; failures say so; upper-case logins are lower-cased", async () => {
    const dir = tmp();
    const f = join(dir, "okta.ndjson");
    const ev = {
      eventType: "user.authentication.sso",
      published: "2025-01-06T09:00:00.000Z",
      uuid: "u1",
      actor: { alternateId: "Alice@Corp.Example", type: "User" },
      outcome: { result: "FAILURE" },
      debugContext: { debugData: { signOnMode: "OpenID Connect" } },
      target: [{ id: "0oaChatGPT123", type: "AppInstance", displayName: "ChatGPT Enterprise" }],
    };
    writeFileSync(f, `${JSON.stringify(ev)}\n{"eventType": 42}\n{not json\n`);
    const { observations, errors } = await run([f], { format: "okta" });
    expect(observations).toEqual([expect.objectContaining({ kind: "signin", user: "alice@corp.example", clientId: "0oaChatGPT123", appName: "ChatGPT Enterprise", action: "user.authentication.sso: FAILURE" })]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[1]!.message).toMatch(/invalid JSON/);
  });

  it("a JSON array cut short is reported, the complete records before it kept", async () => {
    const dir = tmp();
    const f = join(dir, "cut.json");
    const text = readFileSync(fixture("okta-consent-page.json"), "utf8");
    writeFileSync(f, text.slice(0, text.length - 200));
    const { observations, errors } = await run([f]);
    expect(observations).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/ends in the middle of a record/);
  });
});

describe("Cloudflare Gateway (elastic cloudflare_logpush test lines)", () => {
  it("DNS: query name, type, resolved IPs, email, decision", async () => {
    const { observations, errors } = await run([fixture("cloudflare-gateway-dns.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations).toEqual([
      {
        source: "logs:cloudflare",
        kind: "dns",
        time: "2023-05-02T22:49:53.000Z",
        host: "security.ubuntu.com",
        qtype: "A",
        answers: ["67.43.156.1", "67.43.156.2", "67.43.156.3"],
        user: "user@test.com",
        client: "175.16.199.0",
        server: "1.128.0.1",
        port: 443,
        action: "allowedOnNoPolicyMatch",
        ref: { file: fixture("cloudflare-gateway-dns.ndjson"), line: 1, offset: 0 },
      },
    ]);
  });

  it("HTTP: Datetime as RFC 3339, Unix seconds and Unix nanoseconds give the same time", async () => {
    const { observations, errors } = await run([fixture("cloudflare-gateway-http.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => o.time)).toEqual(["2023-05-03T20:55:05.000Z", "2023-05-03T20:55:05.000Z", "2023-05-03T20:55:05.000Z"]);
    expect(observations[0]).toMatchObject({ kind: "http", host: "guce.yahoo.com", method: "GET", user: "user@example.com", client: "192.168.1.123", server: "89.160.20.129", port: 443, action: "block" });
  });

  it("a bad Datetime is a malformed line", async () => {
    const dir = tmp();
    const f = join(dir, "gw.ndjson");
    writeFileSync(f, `${JSON.stringify({ Datetime: "soon", QueryName: "x.example" })}\n`);
    const { observations, errors } = await run([f], { format: "cloudflare" });
    expect(observations).toEqual([]);
    expect(errors[0]!.message).toMatch(/'Datetime': expected RFC 3339/);
  });
});

describe("Zscaler NSS web", () => {
  it("JSON in the Splunk HEC wrapper (elastic zscaler_zia test lines)", async () => {
    const { observations, errors } = await run([fixture("zscaler-web.ndjson")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.port, o.path, o.method, o.bytes, o.action, o.time])).toEqual([
      ["www.example.com", undefined, undefined, "CONNECT", 665, "Blocked", "2021-12-31T07:07:07.000Z"],
      ["www.example.com.com", undefined, "/join/", "POST", 14448, "Blocked", "2021-12-31T07:07:07.000Z"],
      ["www.example.com", 443, undefined, "CONNECT", 620, "Allowed", "2022-08-29T09:20:35.000Z"],
    ]);
    expect(observations[0]).toMatchObject({ user: "test@example.com", client: "81.2.69.193", server: "81.2.69.145", userAgent: "Windows Microsoft Windows 10 Pro ZTunnel/1.0" });
    expect(observations[0]!.department).toBeUndefined(); // "Unknown"
    expect(observations[0]!.appName).toBeUndefined(); // "General Browsing"
  });

  it("the CSV sample of Zscaler's documentation, with the documented field order", async () => {
    const { observations, errors } = await run([fixture("zscaler-web.csv")], { format: "zscaler" });
    expect(errors).toEqual([]);
    expect(observations).toEqual([
      expect.objectContaining({ host: "ebay.com", path: "/", appName: "Ebay", user: "new-gre", client: "172.17.3.49", server: "66.211.175.229", userAgent: "curl/7.68.0", bytes: 14133, time: "2022-06-20T15:29:11.000Z" }),
    ]);
    expect(observations[0]!.department).toBeUndefined(); // "Default Department"
  });

  it("a tab-separated feed with a configured field list, epochtime, encoded fields and quote injection", async () => {
    const dir = tmp();
    const f = join(dir, "nss.tsv");
    writeFileSync(
      f,
      [
        ["1736154000", "bob%40corp.example", "chat.openai.com/backend-api/conversation", "ChatGPT", "Research", "POST"].join("\t"),
        ["1736154001", "eve@corp.example", 'evil.example/"\t"x', "X", "Sales", "GET"].join("\t"),
        ["Mon Jan 99 00:00:00 2025", "x", "a.example", "A", "B", "GET"].join("\t"),
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "zscaler", zscalerFields: ["epochtime", "elogin", "eurl", "appname", "dept", "reqmethod"] });
    expect(observations[0]).toMatchObject({ host: "chat.openai.com", path: "/backend-api/conversation", user: "bob@corp.example", appName: "ChatGPT", department: "Research", method: "POST", time: "2025-01-06T09:00:00.000Z" });
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(ctimeToMs("Mon Jun 20 15:29:11 2022")).toBe(Date.UTC(2022, 5, 20, 15, 29, 11));
    // an NSS feed set to another zone than GMT: logs.timeZone
    expect(ctimeToMs("Mon Jun 20 15:29:11 2022", "America/Chicago")).toBe(Date.UTC(2022, 5, 20, 20, 29, 11));
  });
});

describe("PAN-OS (elastic panw test lines)", () => {
  it("TRAFFIC → log with App-ID and bytes; THREAT/url → http with host, path, user agent, method", async () => {
    const prevTz = process.env["TZ"];
    process.env["TZ"] = "UTC";
    try {
      const { observations, errors } = await run([fixture("panos.log")]);
      expect(errors).toEqual([]);
      expect(observations.map((o) => [o.kind, o.host, o.appName, o.bytes, o.port, o.time])).toEqual([
        ["log", undefined, "apple-maps", 7734, 443, "2018-11-30T16:09:07.000Z"],
        ["log", undefined, "ping", 1176, undefined, "2018-11-30T16:09:09.000Z"],
        ["http", "consent.cmp.oath.com", "ssl", undefined, 443, "2018-11-30T16:44:36.000Z"],
        ["http", "chatgpt.com", "openai-chatgpt", undefined, 443, "2025-01-06T09:12:01.000Z"],
      ]);
      expect(observations[3]).toMatchObject({
        path: "/backend-api/conversation?model=gpt-4o",
        user: "corp\\alice",
        client: "192.168.15.230",
        server: "104.18.32.47",
        method: "post",
        action: "alert",
        userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      });
    } finally {
      if (prevTz === undefined) delete process.env["TZ"];
      else process.env["TZ"] = prevTz;
    }
  });

  it("reads the firewall's local time in logs.timeZone, whatever this machine's zone", async () => {
    const prevTz = process.env["TZ"];
    process.env["TZ"] = "Asia/Tokyo";
    try {
      const { observations, errors } = await run([fixture("panos.log")], { timeZone: "America/Los_Angeles" });
      expect(errors).toEqual([]);
      // 2018-11-30 16:09:07 PST (UTC-8) and 2025-01-06 09:12:01 PST
      expect([observations[0]!.time, observations[3]!.time]).toEqual(["2018-12-01T00:09:07.000Z", "2025-01-06T17:12:01.000Z"]);
    } finally {
      if (prevTz === undefined) delete process.env["TZ"];
      else process.env["TZ"] = prevTz;
    }
  });

  it("CSV quote injection cannot shift columns; short and unbalanced lines are malformed", async () => {
    const dir = tmp();
    const f = join(dir, "panos.csv");
    const base = readFileSync(fixture("panos.log"), "utf8").split("\n")[3]!;
    const injected = base.replace('"chatgpt.com/backend-api/conversation?model=gpt-4o"', '"evil.example/"",THREAT,url,""x"');
    writeFileSync(f, [injected, "1,2025/01/06 09:12:01,0128,THREAT,url", base.replace('"chatgpt.com', "\"chatgpt.com").replace('gpt-4o"', "gpt-4o"), ""].join("\n"));
    const { observations, errors } = await run([f], { format: "panos" });
    expect(observations.map((o) => [o.host, o.path, o.appName, o.user])).toEqual([["evil.example", '/",THREAT,url,"x', "openai-chatgpt", "corp\\alice"]]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
  });
});

describe("BIND query log", () => {
  let prevTz: string | undefined;
  beforeEach(() => {
    prevTz = process.env["TZ"];
    process.env["TZ"] = "UTC";
  });
  afterEach(() => {
    if (prevTz === undefined) delete process.env["TZ"];
    else process.env["TZ"] = prevTz;
  });

  it("reads 9.9 to 9.18 shapes: @0x pointer, (qname), view, flags such as +E(0)K; skips other categories", async () => {
    const { observations, errors } = await run([fixture("bind-query.log")]);
    expect(errors).toEqual([]);
    expect(observations.map((o) => [o.host, o.qtype, o.client, o.server, o.time])).toEqual([
      ["weather.bom.gov.au", "A", "127.0.0.1", "127.0.0.1", "2023-05-02T13:33:40.299Z"],
      ["pizzaseo.com", "ANY", "45.231.61.2", "172.20.101.44", "2021-05-18T16:34:13.003Z"],
      ["www.example.com", "A", "192.0.2.10", "198.51.100.7", "2026-06-07T05:59:41.389Z"],
      ["api.openai.com", "AAAA", "10.0.0.7", "10.0.0.53", "2025-01-06T09:12:00.120Z"],
    ]);
    expect(observations[0]).toMatchObject({ source: "logs:bind", kind: "dns", ref: { line: 1, offset: 0 } });
  });

  it("print-time and syslog times in logs.timeZone; ISO times keep their own offset", async () => {
    const { observations } = await run([fixture("bind-query.log")], { timeZone: "Europe/Berlin" });
    // print-time local: CEST (UTC+2) in May and June, CET (UTC+1) in January
    expect(observations.map((o) => o.time)).toEqual(["2023-05-02T11:33:40.299Z", "2021-05-18T14:34:13.003Z", "2026-06-07T03:59:41.389Z", "2025-01-06T08:12:00.120Z"]);
    expect(bindTime("2025-01-06T09:00:00.123Z queries: info: client ...", {}, "Europe/Berlin")?.time).toBe("2025-01-06T09:00:00.123Z");
    expect(bindTime("Dec 31 23:59:59 ns1 named[812]: client ...", { fileTimeMs: Date.UTC(2025, 0, 1) }, "Asia/Kolkata")?.time).toBe("2024-12-31T18:29:59.000Z");
  });

  it("syslog and ISO time prefixes; a query line without a time is malformed", async () => {
    expect(bindTime("May  2 13:33:40 ns1 named[812]: client ...", { fileTimeMs: Date.UTC(2025, 5, 1) })?.time).toBe("2025-05-02T13:33:40.000Z");
    expect(bindTime("Dec 31 23:59:59 ns1 named[812]: client ...", { fileTimeMs: Date.UTC(2025, 0, 1) })?.time).toBe("2024-12-31T23:59:59.000Z");
    expect(bindTime("2025-01-06T09:00:00.123456Z queries: info: client ...")?.time).toBe("2025-01-06T09:00:00.123Z");
    const dir = tmp();
    const f = join(dir, "named.log");
    writeFileSync(f, "queries: info: client @0x1 10.0.0.1#5353 (a.example): query: a.example IN A + (10.0.0.53)\n");
    const { observations, errors } = await run([f], { format: "bind" });
    expect(observations).toEqual([]);
    expect(errors[0]!.message).toMatch(/expected the line to start with a time/);
  });
});
