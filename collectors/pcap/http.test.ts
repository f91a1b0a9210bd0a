import { describe, expect, it } from "vitest";

import { firstLineOpen, looksLikeHttpRequest, parseHttpRequests, requestHeadLength } from "./http.js";

const b = (s: string): Buffer => Buffer.from(s, "latin1");
const parse = (s: string): ReturnType<typeof parseHttpRequests> => {
  const buf = b(s);
  return parseHttpRequests(buf, 0, buf.length);
};

describe("HTTP/1.x request heads", () => {
  it("reads method, target, Host with its port, User-Agent", () => {
    expect(parse("POST /v1/chat/completions?x=1 HTTP/1.1\r\nHOST:  api.openai.com:443\r\nuser-agent: OpenAI/Python 1.2\r\nContent-Length: 0\r\n\r\n")).toEqual([
      { method: "POST", path: "/v1/chat/completions?x=1", host: "api.openai.com:443", userAgent: "OpenAI/Python 1.2" },
    ]);
  });

  it("takes bare LF line ends, and CONNECT targets", () => {
    expect(parse("CONNECT api.anthropic.com:443 HTTP/1.1\nHost: api.anthropic.com:443\n\n")).toEqual([
      { method: "CONNECT", path: "api.anthropic.com:443", host: "api.anthropic.com:443" },
    ]);
  });

  it("reads pipelined requests, skipping a body of Content-Length", () => {
    const reqs = parse("POST /a HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n\r\nxyzGET /b HTTP/1.1\r\nHost: b.example\r\n\r\n");
    expect(reqs.map((r) => [r.method, r.path, r.host])).toEqual([
      ["POST", "/a", "a.example"],
      ["GET", "/b", "b.example"],
    ]);
  });

  it("keeps only header lines whose end is present", () => {
    expect(parse("GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: cut.exa")).toEqual([{ method: "GET", path: "/", userAgent: "x" }]);
    const buf = b("GET / HTTP/1.1\r\nHost: a\r\n");
    expect(requestHeadLength(buf, 0, buf.length)).toBe(-1);
    const whole = b("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody");
    expect(requestHeadLength(whole, 0, whole.length)).toBe(whole.length - 4);
    expect(firstLineOpen(b("GET /very-long"), 0, 14)).toBe(true);
  });

  it("refuses what is not an HTTP request", () => {
    for (const s of ["HTTP/1.1 200 OK\r\n\r\n", "EHLO mail.example\r\n", "GET /\r\n", "OPTIONS rtsp://x RTSP/1.0\r\n\r\n", "get / HTTP/1.1\r\n\r\n", ""]) {
      expect([s, parse(s)]).toEqual([s, []]);
    }
    expect(looksLikeHttpRequest(b("M-SEARCH * HTTP/1.1\r\n"), 0, 21)).toBe(true);
  });

  it("reads the broken request lines Zeek and tshark keep, with their Host (issue 18)", () => {
    const cases: [string, string][] = [
      ["OPTIONS HTTP/1.1", ""], // no target: Zeek's empty URI
      ["GET /HTTP/1.1", "/HTTP/1.1"], // version glued to the target: Zeek's URI
      ["POST / HTTP/1.", "/"], // cut version
      ["GET  /a   HTTP/1.1", "/a"], // runs of spaces
      ["GET / HTTP/1.1 trailing", "/"], // text after the version
      ["HEAD /x HTTP/9", "/x"],
      ["GET /x http/1.1", "/x"], // lower-case version keyword
    ];
    for (const [line, path] of cases) {
      const reqs = parse(`${line}\r\nHost: lenient.example:8080\r\nUser-Agent: ua\r\n\r\n`);
      expect([line, reqs]).toEqual([line, [{ method: line.split(/[ \t]/)[0], path, host: "lenient.example:8080", userAgent: "ua" }]]);
    }
  });

  it("reads a request line without a version only on an HTTP port, with a method tshark knows and a target", () => {
    const head = (line: string): Buffer => b(`${line}\r\nHost: v09.example\r\n\r\n`);
    const on80 = (line: string): ReturnType<typeof parseHttpRequests> => parseHttpRequests(head(line), 0, head(line).length, true);
    expect(on80("GET /x")).toEqual([{ method: "GET", path: "/x", host: "v09.example" }]);
    expect(on80("OPTIONS *")).toEqual([{ method: "OPTIONS", path: "*", host: "v09.example" }]);
    expect(parse("GET /x\r\nHost: v09.example\r\n\r\n")).toEqual([]); // another port
    expect(on80("FOO /x")).toEqual([]); // unknown method
    expect(on80("GET ")).toEqual([]); // no target
    expect(on80("EHLO mail.example")).toEqual([]);
  });

  it("does not read the HTTP/2 connection preface as a request", () => {
    expect(parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).toEqual([]);
  });

  it("renders bytes >= 0x80 as U+FFFD and keeps control bytes as sent", () => {
    expect(parse("GET / HTTP/1.1\r\nHost: caf\xc3\xa9\x01.example\r\n\r\n")[0]!.host).toBe("caf\ufffd\ufffd\x01.example");
  });
});
