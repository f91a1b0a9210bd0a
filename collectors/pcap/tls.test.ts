import { describe, expect, it } from "vitest";

import { clientHello, clientHelloMessage, echOuter, extension, u8 } from "./__fixtures__/craft.js";
import { clientHelloLength, looksLikeTls, parseClientHello, parseClientHelloMessage } from "./tls.js";

const parse = (b: Buffer): ReturnType<typeof parseClientHello> => parseClientHello(b, 0, b.length);

describe("TLS ClientHello", () => {
  it("finds SNI and ALPN offers in order", () => {
    const hello = clientHello("API.Anthropic.com", ["h2", "http/1.1"]);
    expect(looksLikeTls(hello, 0, hello.length)).toBe(true);
    expect(parse(hello)).toEqual({ sni: "API.Anthropic.com", alpn: ["h2", "http/1.1"] });
    expect(clientHelloLength(hello, 0, hello.length)).toBe(hello.length);
  });

  it("gives a ClientHello without extensions of interest", () => {
    expect(parse(clientHello(null))).toEqual({});
  });

  it("steps over a change_cipher_spec record first (middlebox compatibility mode)", () => {
    const ccs = Buffer.from("140303000101", "hex");
    const both = Buffer.concat([ccs, clientHello("b.example", ["h2"])]);
    expect(parse(both)).toEqual({ sni: "b.example", alpn: ["h2"] });
    expect(clientHelloLength(both, 0, both.length)).toBe(both.length);
  });

  it("uses the extensions that lie wholly in a ClientHello cut short", () => {
    const hello = clientHello("c.example", ["h2"], 1500);
    const sniEnd = hello.indexOf("c.example") + "c.example".length;
    expect(parse(hello.subarray(0, sniEnd))).toEqual({ sni: "c.example" });
    expect(parse(hello.subarray(0, sniEnd - 1))).toEqual({});
    expect(clientHelloLength(hello, 0, 100)).toBe(hello.length);
    for (let cut = 0; cut < hello.length; cut += 3) expect(() => parse(hello.subarray(0, cut))).not.toThrow();
  });

  it("renders bytes >= 0x80 as U+FFFD, as tshark does", () => {
    expect(parse(clientHello(Buffer.from("caf\xc3\xa9.example", "latin1"), ["h\xff"]))).toEqual({ sni: "caf\ufffd\ufffd.example", alpn: ["h\ufffd"] });
  });

  it("refuses what is not a ClientHello", () => {
    const serverHello = clientHello("x");
    serverHello[5] = 2;
    expect(parse(serverHello)).toBeNull();
    expect(clientHelloLength(serverHello, 0, serverHello.length)).toBe(-1);
    const appData = Buffer.from("170303001000000000", "hex");
    expect(looksLikeTls(appData, 0, appData.length)).toBe(false);
    expect(parse(Buffer.from("GET / HTTP/1.1\r\n"))).toBeNull();
  });

  it("flags Encrypted Client Hello (outer 0xfe0d, or the older 0xffce), not an inner ECH extension", () => {
    expect(parse(clientHello("public.example", ["h2"], 0, [echOuter()]))).toEqual({ sni: "public.example", alpn: ["h2"], ech: true });
    expect(parse(clientHello("esni.example", [], 0, [extension(0xffce, Buffer.alloc(40))]))).toEqual({ sni: "esni.example", ech: true });
    expect(parse(clientHello("inner.example", [], 0, [extension(0xfe0d, u8(1))]))).toEqual({ sni: "inner.example" });
  });

  it("parses the handshake message without a record layer, as QUIC carries it", () => {
    const m = clientHelloMessage("quic.example", ["h3"]);
    expect(parseClientHelloMessage(m, 0, m.length)).toEqual({ sni: "quic.example", alpn: ["h3"] });
    expect(parseClientHelloMessage(m, 0, 3)).toBeNull();
  });
});
