import { describe, expect, it } from "vitest";

import { dnsMessage, dnsName, ptr, rr, u16, u8 } from "./__fixtures__/craft.js";
import { decodeDns, looksLikeDns, typeName } from "./dns.js";

const decode = (msg: Buffer): ReturnType<typeof decodeDns> => decodeDns(msg, 0, msg.length);
const qname = (labels: (string | Buffer)[]): string | undefined => decode(dnsMessage({ questions: [{ name: dnsName(labels), type: 1 }] }))?.questions[0]?.name;

describe("DNS messages", () => {
  it("decodes a query: QNAME as sent (case kept) and QTYPE mnemonic", () => {
    const msg = dnsMessage({ questions: [{ name: dnsName(["API", "Anthropic", "COM"]), type: 65 }] });
    expect(decode(msg)).toEqual({ response: false, questions: [{ name: "API.Anthropic.COM", qtype: "HTTPS" }], answers: [], addresses: [], echPublicNames: [] });
  });

  it("decodes a response with compressed CNAME, A and AAAA answers", () => {
    // question name at offset 12 (api.openai.com: 16 bytes, then type and class)
    const cname = dnsName(["edge", "example", "net"]);
    const msg = dnsMessage({
      flags: 0x8180,
      questions: [{ name: dnsName(["api", "openai", "com"]), type: 1 }],
      answers: [
        rr(ptr(12), 5, cname),
        rr(ptr(44), 1, Buffer.from([104, 18, 6, 192])),
        rr(ptr(44), 28, Buffer.from("2606470000000000000000006812 06c0".replace(" ", ""), "hex")),
        rr(ptr(44), 16, Buffer.from("\x05hello")), // TXT: not an answer we render
      ],
    });
    expect(decode(msg)).toEqual({
      response: true,
      questions: [{ name: "api.openai.com", qtype: "A" }],
      answers: ["edge.example.net", "104.18.6.192", "2606:4700::6812:6c0"],
      addresses: ["104.18.6.192", "2606:4700::6812:6c0"],
      echPublicNames: [],
    });
  });

  it("decodes HTTPS records (RFC 9460): target name, address hints, ECH public names", () => {
    const contents = Buffer.concat([u8(3), u16(0x20), u16(4), Buffer.alloc(4, 9), u16(4), u16(1), u16(1), u8(0), u8(18), Buffer.from("cloudflare-ech.com"), u16(0)]);
    const config = Buffer.concat([u16(0xfe0d), u16(contents.length), contents]);
    const ech = Buffer.concat([u16(config.length), config]);
    const v6hint = Buffer.from("26064700000000000000000000000001", "hex");
    const params = Buffer.concat([
      u16(1), u16(3), u8(2), Buffer.from("h2"), // alpn=h2
      u16(4), u16(8), Buffer.from([104, 16, 0, 1, 104, 16, 0, 2]), // ipv4hint
      u16(5), u16(ech.length), ech,
      u16(6), u16(16), v6hint,
    ]);
    const msg = dnsMessage({
      flags: 0x8180,
      questions: [{ name: dnsName(["crypto", "example"]), type: 65 }],
      answers: [rr(ptr(12), 65, Buffer.concat([u16(1), u8(0), params])), rr(ptr(12), 65, Buffer.concat([u16(2), dnsName(["alt", "example"])]))],
    });
    expect(decode(msg)).toEqual({
      response: true,
      questions: [{ name: "crypto.example", qtype: "HTTPS" }],
      answers: ["104.16.0.1", "104.16.0.2", "2606:4700::1", "alt.example"],
      addresses: ["104.16.0.1", "104.16.0.2", "2606:4700::1"],
      echPublicNames: ["cloudflare-ech.com"],
    });
    for (let cut = 0; cut < msg.length; cut++) expect(() => decodeDns(msg, 0, cut)).not.toThrow();
  });

  it("follows forward pointers and gives up on pointer loops", () => {
    // name = "a" + pointer forward to offset 30, where "b.example" sits after the question
    const q = Buffer.concat([Buffer.from([1, 0x61]), ptr(30), u16(1), u16(1)]); // name 12..16, type and class to 20
    const tail = Buffer.concat([Buffer.alloc(10), dnsName(["b", "example"])]); // 20..30 filler, then the name
    const msg = Buffer.concat([Buffer.from("123401000001000000000000", "hex"), q, tail]);
    expect(decode(msg)!.questions).toEqual([{ name: "a.b.example", qtype: "A" }]);
    const loop = Buffer.concat([Buffer.from("123401000001000000000000", "hex"), Buffer.from([1, 0x61]), ptr(12), u16(1), u16(1)]);
    expect(decode(loop)!.questions).toEqual([]);
  });

  it("renders the root and skips names tshark calls too long, keeping the others", () => {
    expect(qname([])).toBe(".");
    const long = Array.from({ length: 5 }, () => "x".repeat(50)); // 5*50 + 4 dots = 254 characters
    const msg = dnsMessage({
      questions: [
        { name: dnsName(long), type: 1 },
        { name: dnsName(["ok", "example"]), type: 1 },
      ],
    });
    expect(decode(msg)!.questions).toEqual([{ name: "ok.example", qtype: "A" }]);
    expect(qname(Array.from({ length: 5 }, (_, i) => "x".repeat(i === 0 ? 49 : 50)))).toHaveLength(253);
  });

  it("keeps what was read before a malformed part, and never reads outside its range", () => {
    const msg = dnsMessage({ questions: [{ name: dnsName(["a", "example"]), type: 1 }, { name: dnsName(["b", "example"]), type: 1 }] });
    expect(decodeDns(msg, 0, msg.length - 3)!.questions).toEqual([{ name: "a.example", qtype: "A" }]);
    expect(decodeDns(msg, 0, 11)).toBeNull();
    for (let cut = 12; cut < msg.length; cut++) expect(() => decodeDns(msg, 0, cut)).not.toThrow();
    const extended = Buffer.concat([Buffer.from("123401000001000000000000", "hex"), Buffer.from([0x41, 1, 0xff, 0]), u16(1), u16(1)]);
    expect(decode(extended)!.questions).toEqual([]);
  });

  it("renders label bytes as tshark 4.0.17 prints dns.qry.name", () => {
    // [label bytes between "x" and "y" (hex), tshark's text between "x" and "y"], from a capture of
    // crafted queries read by tshark 4.0.17 (-T fields -e dns.qry.name).
    const cases: [string, string][] = [
      ["80", "\ufffd"],
      ["fe", "\ufffd"],
      ["ff", "\ufffd"],
      ["c080", "\\u0000"],
      ["c1bf", "\\u007F"],
      ["e08080", "\\u0000"],
      ["eda080", "\ufffd"],
      ["edbf64", "\ufffdd"],
      ["edbfbf", "\ufffd"],
      ["f4908080", "\ufffd"],
      ["f5808080", "\ufffd"],
      ["f888808080", "\ufffd"],
      ["fc8480808080", "\ufffd"],
      ["c2", "\ufffd"],
      ["e282", "\ufffd"],
      ["c280", "\\u0080"],
      ["c29f", "\\u009F"],
      ["c2a0", "\u00a0"],
      ["e2808b", "\\u200B"],
      ["efbbbf", "\\uFEFF"],
      ["efbfbd", "\ufffd"],
      ["ee8080", "\ue000"],
      ["f09f9880", "\u{1f600}"],
      ["c3a9c3", "\u00e9\ufffd"],
      ["e28041", "\ufffdA"],
      ["cdb8", "\\u0378"],
      ["efbfbe", "\\uFFFE"],
      ["f0908080", "\u{10000}"],
      ["e0a080", "\u0800"],
      ["dfbf", "\u07ff"],
      ["f3a08081", "\\U000E0001"],
      ["f0afbfbe", "\\U0002FFFE"],
      ["f48fbfbf", "\\U0010FFFF"],
      ["e28087", "\u2007"],
      ["e280a8", "\u2028"],
      ["e280a9", "\u2029"],
      ["cd8f", "\u034f"],
      ["c2ad", "\\u00AD"],
      ["e2819f", "\u205f"],
      ["0102030405060708090a0b0c0d0e0f1b7f", "\\001\\002\\003\\004\\005\\006\\a\\b\\t\\n\\v\\f\\r\\016\\017\\033\\177"],
      ["5c2c2022272e", '\\, "\'.'],
    ];
    for (const [hex, text] of cases) {
      const label = Buffer.concat([Buffer.from("x"), Buffer.from(hex, "hex"), Buffer.from("y")]);
      expect([hex, qname([label, "com"])]).toEqual([hex, `x${text}y.com`]);
    }
    // From the corpus (tcpdump/dns-badlabel-style names as tshark printed them).
    expect(qname(["www", Buffer.from("allyourba\x04\x05\x06arebelongto", "latin1"), "cn"])).toBe("www.allyourba\\004\\005\\006arebelongto.cn");
  });

  it("applies tshark's DNS-over-UDP heuristic", () => {
    const query = dnsMessage({ questions: [{ name: dnsName(["a", "example"]), type: 1 }] });
    const yes = (m: Buffer): boolean => looksLikeDns(m, 0, m.length);
    expect(yes(query)).toBe(true);
    expect(yes(dnsMessage({ questions: [{ name: dnsName(["a"]), type: 1 }, { name: dnsName(["b"]), type: 1 }] }))).toBe(false);
    expect(yes(dnsMessage({ flags: 0x0800, questions: [{ name: dnsName(["a"]), type: 1 }] }))).toBe(false); // opcode 1
    expect(yes(dnsMessage({ flags: 0x8180, questions: [], answers: [rr(dnsName(["a"]), 1, Buffer.alloc(4))] }))).toBe(true);
    expect(yes(dnsMessage({ questions: [{ name: dnsName(["a"]), type: 1 }], answers: [rr(dnsName(["a"]), 1, Buffer.alloc(4))] }))).toBe(false);
    const manyAdditional = dnsMessage({ questions: [{ name: dnsName(["a"]), type: 1 }] });
    manyAdditional.writeUInt16BE(11, 10);
    expect(yes(manyAdditional)).toBe(false);
    expect(yes(query.subarray(0, 12))).toBe(false);
  });

  it("names record types like dns-packet, with TYPE<n> for unknown ones", () => {
    expect([1, 28, 5, 64, 65, 255, 999].map(typeName)).toEqual(["A", "AAAA", "CNAME", "SVCB", "HTTPS", "ANY", "TYPE999"]);
  });
});
