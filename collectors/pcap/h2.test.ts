import { describe, expect, it } from "vitest";

import type { Observation } from "../../src/core/observation.js";
import { H2_PREFACE, dnsMessage, dnsName, eth, h2Frame, hpackLiterals, ipv4, tcp, u16, u32, u8 } from "./__fixtures__/craft.js";
import { H2Connection, MAX_HEADER_BLOCK, startsWithPreface } from "./h2.js";
import type { H2Request } from "./h2.js";
import { MAX_H2_CONNECTIONS, PacketDecoder } from "./packet.js";

const HEADERS = 0x1;
const CONTINUATION = 0x9;
const DATA = 0x0;
const SETTINGS = 0x4;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/**
 * RFC 7541 Appendix C.3 and C.4: three requests on one connection, the second and third using the
 * dynamic table the first filled (C.3 with literal strings, C.4 the same with Huffman coding).
 */
const C3 = [hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"), hex("8286 84be 5808 6e6f 2d63 6163 6865"), hex("8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65")];
const C4 = [hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"), hex("8286 84be 5886 a8eb 1064 9cbf"), hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")];

/** Feed `chunks` to a new connection; the requests it reported. */
function read(...chunks: Buffer[]): { requests: H2Request[]; conn: H2Connection } {
  const requests: H2Request[] = [];
  const conn = new H2Connection((r) => requests.push(r));
  for (const c of chunks) conn.feed(c, 0, c.length);
  return { requests, conn };
}

const settings = h2Frame(SETTINGS, 0, 0, Buffer.concat([u16(3), u32(100)]));

describe("HTTP/2 client stream (RFC 9113) with HPACK (RFC 7541)", () => {
  it("decodes RFC 7541 C.3 and C.4 requests with one dynamic table per connection", () => {
    for (const blocks of [C3, C4]) {
      const { requests, conn } = read(H2_PREFACE, settings, ...blocks.map((b, i) => h2Frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, b)));
      expect(conn.broken).toBe(false);
      expect(requests).toEqual([
        { stream: 1, method: "GET", path: "/", authority: "www.example.com" },
        { stream: 3, method: "GET", path: "/", authority: "www.example.com" },
        { stream: 5, method: "GET", path: "/index.html", authority: "www.example.com" },
      ]);
    }
  });

  it("reads byte by byte as well as whole, and puts CONTINUATION fragments, padding and priority together", () => {
    const block = hpackLiterals([
      [":method", "POST"],
      [":scheme", "http"],
      [":path", "/v1/chat/completions"],
      [":authority", "api.openai.example:8080"],
      ["user-agent", "OpenAI/Python 1.40.0"],
    ]);
    const padded = Buffer.concat([u8(3), Buffer.from("80000001", "hex"), u8(15), block.subarray(0, 10), Buffer.alloc(3)]); // pad length, priority, fragment, padding
    const stream = Buffer.concat([
      H2_PREFACE,
      settings,
      h2Frame(HEADERS, PADDED | PRIORITY, 3, padded),
      h2Frame(CONTINUATION, 0, 3, block.subarray(10, 30)),
      h2Frame(CONTINUATION, END_HEADERS, 3, block.subarray(30)),
      h2Frame(DATA, END_STREAM, 3, Buffer.from("{}")),
    ]);
    const want = [{ stream: 3, method: "POST", path: "/v1/chat/completions", authority: "api.openai.example:8080", userAgent: "OpenAI/Python 1.40.0" }];
    expect(read(stream).requests).toEqual(want);
    expect(read(...[...stream].map((b) => Buffer.from([b]))).requests).toEqual(want);
  });

  it("takes `host` where there is no :authority, and skips trailers", () => {
    const { requests } = read(
      H2_PREFACE,
      h2Frame(HEADERS, END_HEADERS, 1, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":path", "/"], ["host", "only-host.example"]])),
      h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, hpackLiterals([["grpc-status", "0"]])), // trailers
    );
    expect(requests).toEqual([{ stream: 1, method: "GET", path: "/", host: "only-host.example" }]);
  });

  it("gives the DNS message of DoH requests: GET ?dns= (base64url) and POST application/dns-message", () => {
    const query = dnsMessage({ questions: [{ name: dnsName(["api", "anthropic", "com"]), type: 1 }] });
    const { requests } = read(
      H2_PREFACE,
      h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "doh.example"], [":path", `/dns-query?dns=${query.toString("base64url")}`]])),
      h2Frame(HEADERS, END_HEADERS, 3, hpackLiterals([[":method", "POST"], [":scheme", "http"], [":authority", "doh.example"], [":path", "/dns-query"], ["content-type", "application/dns-message"]])),
      h2Frame(DATA, 0, 3, query.subarray(0, 5)),
      h2Frame(DATA, END_STREAM, 3, query.subarray(5)),
      // ?dns= on another path without an accept of application/dns-message: not DoH
      h2Frame(HEADERS, END_HEADERS | END_STREAM, 5, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "x.example"], [":path", `/search?dns=${query.toString("base64url")}`]])),
    );
    expect(requests.map((r) => [r.stream, r.method, r.authority, r.dnsMessage?.equals(query) ?? false])).toEqual([
      [1, "GET", "doh.example", true],
      [3, "POST", "doh.example", true],
      [5, "GET", "x.example", false],
    ]);
  });

  it("stops reading a connection it can no longer follow", () => {
    expect(read(Buffer.from("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")).conn.reason).toBe("not the HTTP/2 connection preface");
    expect(read(H2_PREFACE, h2Frame(HEADERS, END_HEADERS, 1, hex("bf"))).conn.reason).toMatch(/^HPACK: /); // index 63: empty dynamic table
    const huge = read(H2_PREFACE, h2Frame(HEADERS, 0, 1, Buffer.alloc(1000)));
    for (let i = 0; i < MAX_HEADER_BLOCK / 1000 + 1; i++) huge.conn.feed(h2Frame(CONTINUATION, 0, 1, Buffer.alloc(1000)), 0, 1009);
    expect(huge.conn.reason).toBe(`a header block of more than ${MAX_HEADER_BLOCK} bytes`);
    expect(read(H2_PREFACE, h2Frame(HEADERS, 0, 1, hex("82")), settings).conn.reason).toMatch(/CONTINUATION/);
    const ok = read(H2_PREFACE, h2Frame(HEADERS, END_HEADERS, 1, C3[0]!));
    expect([ok.conn.broken, ok.requests.length]).toEqual([false, 1]);
    // A DoH POST whose body never comes is still reported, without a DNS message, when the connection ends.
    const post = read(H2_PREFACE, h2Frame(HEADERS, END_HEADERS, 1, hpackLiterals([[":method", "POST"], [":scheme", "http"], [":authority", "doh.example"], [":path", "/dns-query"], ["content-type", "application/dns-message"]])), h2Frame(CONTINUATION, END_HEADERS, 3, hex("82")));
    expect([post.conn.broken, post.requests]).toEqual([true, []]);
    post.conn.close();
    expect(post.requests).toEqual([{ stream: 1, method: "POST", path: "/dns-query", authority: "doh.example" }]);
  });

  it("never throws on cut or bit-flipped connections", () => {
    const good = Buffer.concat([H2_PREFACE, settings, ...C4.map((b, i) => h2Frame(HEADERS, END_HEADERS | (i === 1 ? PADDED : 0), 1 + 2 * i, i === 1 ? Buffer.concat([u8(2), b, Buffer.alloc(2)]) : b))]);
    let x = 18;
    const random = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    let broken = 0;
    for (let i = 0; i < 2000; i++) {
      const f = Buffer.from(good.subarray(0, H2_PREFACE.length + random(good.length - H2_PREFACE.length + 1)));
      for (let k = 1 + random(3); k > 0; k--) {
        const at = H2_PREFACE.length + random(f.length - H2_PREFACE.length || 1);
        if (at < f.length) f[at] = f[at]! ^ (1 << random(8));
      }
      const { conn } = read(f.subarray(0, random(f.length + 1)), f.subarray(0)); // also a repeated prefix
      if (conn.broken) broken++;
    }
    expect(broken).toBeGreaterThan(0); // the mutations did reach the checks
  });

  it("recognises the preface, also cut by the segment end", () => {
    expect(startsWithPreface(H2_PREFACE, 0, 24)).toBe(true);
    expect(startsWithPreface(H2_PREFACE, 0, 6)).toBe(true);
    expect(startsWithPreface(H2_PREFACE, 0, 3)).toBe(false);
    expect(startsWithPreface(Buffer.from("PRIORITY / HTTP/1.1\r\n"), 0, 21)).toBe(false);
  });
});

describe("cleartext HTTP/2 in captures", () => {
  /** Frames 1..n on Ethernet; what the decoder found. */
  function decode(frames: Buffer[]): Observation[] {
    const out: Observation[] = [];
    const d = new PacketDecoder("h2.pcap", (o) => out.push(o));
    frames.forEach((f, i) => d.packet(f, 0, f.length, 1, 1767225600000 + i * 1000, i + 1, 24 + i * 100));
    d.flush();
    return out;
  }
  const client = (payload: Buffer, seq: number, sport = 40000): Buffer => eth(ipv4(6, tcp(sport, 8080, payload, seq)));
  const server = (payload: Buffer, seq: number): Buffer => eth(ipv4(6, tcp(8080, 40000, payload, seq), "10.0.0.2", "10.0.0.1"));
  const row = (o: Observation): unknown[] => [o.ref.frame, o.kind, o.host, o.method, o.path, o.userAgent];

  it("prior knowledge: one http observation per request, none for the preface (was: `PRI *` without host)", () => {
    const first = Buffer.concat([H2_PREFACE, settings, h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, C3[0]!)]);
    const obs = decode([
      client(first, 1000),
      server(h2Frame(SETTINGS, 0, 0, Buffer.alloc(0)), 5000),
      client(h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, C3[1]!), 1000 + first.length),
      client(h2Frame(HEADERS, END_HEADERS | END_STREAM, 5, C3[2]!), 1000 + first.length + 9 + C3[1]!.length),
    ]);
    expect(obs.map(row)).toEqual([
      [1, "http", "www.example.com", "GET", "/", undefined],
      [3, "http", "www.example.com", "GET", "/", undefined],
      [4, "http", "www.example.com", "GET", "/index.html", undefined],
    ]);
    expect(obs[0]).toMatchObject({ client: "10.0.0.1", server: "10.0.0.2", port: 8080 });
  });

  it("h2c upgrade: the HTTP/1.1 request, then the requests after 101 Switching Protocols", () => {
    const upgrade = Buffer.from(
      "GET /first HTTP/1.1\r\nHost: h2c.example:8080\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nUser-Agent: curl/8.5.0\r\n\r\n",
    );
    const after = Buffer.concat([H2_PREFACE, settings]);
    const second = h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "h2c.example:8080"], [":path", "/second"], ["user-agent", "curl/8.5.0"]]));
    const obs = decode([
      client(upgrade, 1000),
      server(Buffer.from("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"), 5000),
      client(after, 1000 + upgrade.length),
      client(second, 1000 + upgrade.length + after.length),
    ]);
    expect(obs.map(row)).toEqual([
      [1, "http", "h2c.example:8080", "GET", "/first", "curl/8.5.0"],
      [4, "http", "h2c.example:8080", "GET", "/second", "curl/8.5.0"],
    ]);
  });

  it("puts segments in order, drops retransmissions, and reports on the frame that completed the header block", () => {
    const frames = Buffer.concat([h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, C4[0]!), h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, C4[1]!)]);
    const seq = 1000 + H2_PREFACE.length;
    const obs = decode([
      client(H2_PREFACE, 1000),
      client(frames.subarray(20), seq + 20), // early
      client(frames.subarray(0, 20), seq), // fills the gap: both requests complete here
      client(frames.subarray(0, 20), seq), // retransmission
    ]);
    expect(obs.map(row)).toEqual([
      [3, "http", "www.example.com", "GET", "/", undefined],
      [3, "http", "www.example.com", "GET", "/", undefined],
    ]);
  });

  it("reads at most MAX_H2_CONNECTIONS connections at once and counts the others", () => {
    const d = new PacketDecoder("h2.pcap", () => {});
    const first = Buffer.concat([H2_PREFACE, h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, C3[0]!)]);
    for (let i = 0; i <= MAX_H2_CONNECTIONS; i++) {
      const f = client(first, 1000, 10000 + i);
      d.packet(f, 0, f.length, 1, 0, i + 1, 24 + 200 * i);
    }
    expect([d.h2Refused, d.firstH2Refused, d.firstH2RefusedOffset]).toEqual([1, MAX_H2_CONNECTIONS + 1, 24 + 200 * MAX_H2_CONNECTIONS]);
  });

  it("DoH over cleartext HTTP/2 gives the DNS question too", () => {
    const query = dnsMessage({ questions: [{ name: dnsName(["chat", "openai", "com"]), type: 28 }] });
    const get = h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "dns.example"], [":path", `/dns-query?dns=${query.toString("base64url")}`]]));
    const obs = decode([client(Buffer.concat([H2_PREFACE, get]), 1000)]);
    expect(obs.map((o) => [o.kind, o.host, o.qtype, o.response])).toEqual([
      ["http", "dns.example", undefined, undefined],
      ["dns", "chat.openai.com", "AAAA", false],
    ]);
    expect(obs[1]).toMatchObject({ client: "10.0.0.1", server: "10.0.0.2", port: 8080, ref: { frame: 1 } });
  });
});
