import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, run } from "./__fixtures__/run.js";
import { clfTimeToMs } from "./formats/clf.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-proxy-"));

describe("Squid native access.log", () => {
  it("reads documented sample lines: CONNECT host:port, absolute URLs, users, peers, codes", async () => {
    const { observations, errors } = await run([fixture("squid-access.log")]);
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(5); // the NONE error:invalid-request line gives nothing
    expect(observations[0]).toEqual({
      source: "logs:squid",
      kind: "http",
      time: "2018-12-07T05:21:05.248Z",
      host: "en.wikipedia.org",
      port: 443,
      client: "172.30.109.89",
      server: "91.198.174.192",
      method: "CONNECT",
      action: "TCP_TUNNEL/200",
      bytes: 87633,
      ref: { file: fixture("squid-access.log"), line: 1, offset: 0 },
    });
    expect(observations[1]).toMatchObject({ host: "www.caida.org", port: 80, path: "/home/images/home.jpg", server: "213.219.122.19", method: "GET", bytes: 2836 });
    expect(observations[2]).toMatchObject({ host: "www.blogger.com", path: "/status.g?", client: "127.0.0.1" });
    expect(observations[3]).toMatchObject({ host: "api.openai.com", port: 443, user: "alice@corp.example", method: "CONNECT" });
    expect(observations[3]!.path).toBeUndefined();
    expect(observations[4]).toMatchObject({ host: "chatgpt.com", action: "TCP_DENIED/403", path: "/backend-api/conversation" });
    expect(observations[4]!.server).toBeUndefined();
  });

  it("hostile and broken lines: short, bad time, user info, IPv6, tabs, huge paths", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const long = `/${"a".repeat(5000)}`;
    writeFileSync(
      f,
      [
        "1700000000.000 1 10.0.0.1 TCP_MISS/200",
        "yesterday 1 10.0.0.1 TCP_MISS/200 10 GET http://x.example/ - HIER_DIRECT/1.2.3.4 -",
        "1700000000.000 1 10.0.0.1 TCP_MISS/200 10 GET http://user:pw@api.openai.com:8443/v1?x=1 - HIER_DIRECT/1.2.3.4 -",
        "1700000000.000 1 10.0.0.1 TCP_MISS/200 10 GET http://[2001:db8::1]:8080/x - HIER_DIRECT/2001:db8::1 -",
        `1700000000.000 1 10.0.0.1 TCP_MISS/200 10 GET http://long.example${long} - HIER_DIRECT/1.2.3.4 -`,
        "1700000000.000 1 10.0.0.1 TCP_MISS/200 10 GET https://api.anthropic.com?q=1 - HIER_DIRECT/1.2.3.4 -",
        "",
      ].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "squid" });
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
    expect(errors[0]!.message).toMatch(/expected the 10 space-separated fields/);
    expect(observations.map((o) => [o.host, o.port, o.path])).toEqual([
      ["api.openai.com", 8443, "/v1?x=1"],
      ["2001:db8::1", 8080, "/x"],
      ["long.example", 80, long.slice(0, 1024)],
      ["api.anthropic.com", 443, "/?q=1"],
    ]);
  });
});

describe("common / combined log format", () => {
  it("reads Apache's documented lines and proxy lines (Squid common/combined, vhost_combined)", async () => {
    const { observations, errors, warnings } = await run([fixture("clf-access.log")]);
    expect(observations.map((o) => [o.host, o.port, o.path, o.method, o.user, o.userAgent, o.bytes, o.time])).toEqual([
      ["claude.ai", 443, undefined, "CONNECT", "alice@corp.example", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 48213, "2025-01-01T00:00:05.000Z"],
      ["api.anthropic.com", 80, "/v1/messages", "POST", undefined, "anthropic-typescript/0.32.1", 1290, "2025-01-01T00:00:06.000Z"],
      ["example.org", 80, '/a%20b?x="y"', "GET", undefined, 'evil" "ua', undefined, "2025-01-01T00:00:07.000Z"],
      ["www.example.com", 443, "/v1/models", "GET", undefined, "curl/8.5.0", 512, "2025-01-01T00:00:08.000Z"],
    ]);
    // the two web-server lines (origin-form, no vhost) name no host: one warning, not per line, and no error
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^2 request\(s\) name no host/);
    expect(observations[0]!.client).toBe("10.20.30.40");
  });

  it("time zones and broken lines", async () => {
    expect(new Date(clfTimeToMs("10/Oct/2000:13:55:36 -0700")).toISOString()).toBe("2000-10-10T20:55:36.000Z");
    expect(clfTimeToMs("31/Feb/2000:13:55:36 +0000")).toBeNaN();
    const dir = tmp();
    const f = join(dir, "access.log");
    writeFileSync(
      f,
      ['10.0.0.1 - - 10/Oct/2000:13:55:36 -0700 "GET http://a.example/ HTTP/1.1" 200 1', '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET http://a.example/ HTTP/1.1 200 1', '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET http://ok.example/ HTTP/1.1" 200 1', ""].join("\n"),
    );
    const { observations, errors } = await run([f], { format: "clf" });
    expect(observations.map((o) => o.host)).toEqual(["ok.example"]);
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
  });
});
