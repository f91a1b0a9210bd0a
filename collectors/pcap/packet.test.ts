import { describe, expect, it } from "vitest";

import type { Observation } from "../../src/core/observation.js";
import {
  clientHello,
  clientHelloMessage,
  cryptoFrame,
  dnsMessage,
  dnsName,
  echOuter,
  eth,
  greV1,
  ipv4,
  ipv6,
  loopback,
  ptr,
  quicInitial,
  rr,
  sll,
  sll2,
  tcp,
  u16,
  u32,
  u8,
  udp,
} from "./__fixtures__/craft.js";
import { PacketDecoder } from "./packet.js";
import { clientInitialKeys } from "./quic.js";
import { MAX_STREAMS, MAX_STREAM_BYTES } from "./tcp-reassembly.js";

/** Decode Ethernet frames as frames 1..n; return what was found (after the end-of-capture flush). */
function decode(frames: Buffer[], linkType = 1): Observation[] {
  const out: Observation[] = [];
  const d = new PacketDecoder("t.pcap", (o) => out.push(o));
  frames.forEach((f, i) => d.packet(f, 0, f.length, linkType, 1767225600000 + i * 1000, i + 1, 24 + i * 100));
  d.flush();
  return out;
}
const found = (obs: Observation[]): [number | undefined, string, string | undefined][] => obs.map((o) => [o.ref.frame, o.kind, o.host]);

const query = (name: string, type = 1): Buffer => dnsMessage({ questions: [{ name: dnsName(name.split(".")), type }] });

describe("packet decoder", () => {
  it("DNS over UDP on 53/5353/5355, over TCP with length prefixes, and by heuristic on other UDP ports", () => {
    const twoInOne = Buffer.concat([u16(query("t1.example").length), query("t1.example"), u16(query("t2.example").length), query("t2.example")]);
    const obs = decode([
      eth(ipv4(17, udp(5353, 5353, query("printer.local", 12)))),
      eth(ipv4(17, udp(5355, 40000, dnsMessage({ flags: 0x8000, questions: [{ name: dnsName(["host"]), type: 1 }] })))),
      eth(ipv4(6, tcp(40001, 53, twoInOne))),
      eth(ipv4(17, udp(40002, 8053, query("odd-port.example")))),
      eth(ipv4(17, udp(137, 137, query("netbios.example")))), // NetBIOS name service: not DNS
    ]);
    expect(found(obs)).toEqual([
      [1, "dns", "printer.local"],
      [2, "dns", "host"],
      [3, "dns", "t1.example"],
      [3, "dns", "t2.example"],
      [4, "dns", "odd-port.example"],
    ]);
    expect(obs[1]).toMatchObject({ response: true, client: "10.0.0.2", server: "10.0.0.1", port: 5355 });
    expect(obs[0]).toMatchObject({ qtype: "PTR", time: "2026-01-01T00:00:00.000Z", ref: { file: "t.pcap", frame: 1, offset: 24 } });
  });

  it("TLS and HTTP on any TCP port, SSDP over UDP, a PROXY protocol header stepped over", () => {
    const proxyV1 = Buffer.concat([Buffer.from("PROXY TCP4 1.1.1.1 2.2.2.2 1000 443\r\n"), clientHello("behind-proxy.example")]);
    const proxyV2 = Buffer.concat([Buffer.from("0d0a0d0a000d0a515549540a2111000c", "hex"), Buffer.alloc(12), clientHello("v2.example")]);
    const obs = decode([
      eth(ipv4(6, tcp(40000, 8443, clientHello("any-port.example", ["h2"])))),
      eth(ipv4(6, tcp(40001, 3128, Buffer.from("GET http://x.example/ HTTP/1.1\r\nHost: x.example\r\n\r\n")))),
      eth(ipv4(17, udp(40002, 1900, Buffer.from("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n")))),
      eth(ipv4(6, tcp(40003, 443, proxyV1))),
      eth(ipv4(6, tcp(40004, 443, proxyV2))),
    ]);
    expect(found(obs)).toEqual([
      [1, "tls", "any-port.example"],
      [2, "http", "x.example"],
      [3, "http", "239.255.255.250:1900"],
      [4, "tls", "behind-proxy.example"],
      [5, "tls", "v2.example"],
    ]);
    expect(obs[0]).toMatchObject({ client: "10.0.0.1", server: "10.0.0.2", port: 8443, alpn: ["h2"] });
  });

  it("looks inside IP-in-IP, GRE, VXLAN, Geneve and GTP-U", () => {
    const inner = ipv4(17, udp(40000, 53, query("inner.example")), "192.168.0.1", "192.168.0.2");
    const gre = Buffer.concat([u16(0x2000), u16(0x0800), Buffer.alloc(4), inner]); // key present
    const vxlan = udp(40001, 4789, Buffer.concat([Buffer.from("0800000000000100", "hex"), eth(inner)]));
    const geneve = udp(40002, 6081, Buffer.concat([Buffer.from("0100655800000100", "hex"), Buffer.alloc(4), eth(inner)]));
    const gtp = udp(2152, 2152, Buffer.concat([Buffer.from("34ff", "hex"), u16(inner.length + 8), Buffer.alloc(4), Buffer.from("00000085", "hex"), Buffer.from("0100000000000000", "hex").subarray(0, 4), inner]));
    const obs = decode([
      eth(ipv4(4, inner)),
      eth(ipv6(4, inner, Buffer.alloc(16, 1), Buffer.alloc(16, 2)), 0x86dd),
      eth(ipv4(47, gre)),
      eth(ipv4(17, vxlan)),
      eth(ipv4(17, geneve)),
      eth(ipv4(17, gtp)),
    ]);
    expect(found(obs)).toEqual([1, 2, 3, 4, 5, 6].map((f) => [f, "dns", "inner.example"]));
    for (const o of obs) expect([o.client, o.server]).toEqual(["192.168.0.1", "192.168.0.2"]);
  });

  it("looks inside enhanced GRE (version 1, PPTP) carrying PPP, with or without compressed PPP headers (issue 18)", () => {
    const inner = ipv4(17, udp(40000, 53, query("pptp.example")), "192.168.0.1", "192.168.0.2");
    const inner6 = ipv6(17, udp(40000, 53, query("pptp6.example")), Buffer.alloc(16, 1), Buffer.alloc(16, 2));
    const obs = decode([
      eth(ipv4(47, greV1(Buffer.concat([Buffer.from("ff030021", "hex"), inner]), { seq: 1, ack: 7 }))), // full PPP header
      eth(ipv4(47, greV1(Buffer.concat([Buffer.from("21", "hex"), inner]), { seq: 2 }))), // address/control and protocol compressed
      eth(ipv4(47, greV1(Buffer.concat([Buffer.from("0057", "hex"), inner6]), { seq: 3 }))), // IPv6, address/control compressed
      eth(ipv4(47, greV1(Buffer.alloc(0), { ack: 9 }))), // acknowledgment only: no payload
      eth(ipv4(47, greV1(Buffer.concat([Buffer.from("ff03c021", "hex"), Buffer.alloc(12)]), { seq: 4 }))), // LCP
      eth(ipv4(47, greV1(Buffer.concat([Buffer.from("ff0300fd", "hex"), Buffer.alloc(40)]), { seq: 5 }))), // compressed data (CCP)
    ]);
    expect(found(obs)).toEqual([
      [1, "dns", "pptp.example"],
      [2, "dns", "pptp.example"],
      [3, "dns", "pptp6.example"],
    ]);
    expect([obs[0]!.client, obs[0]!.server]).toEqual(["192.168.0.1", "192.168.0.2"]);
    // The payload length in the key field bounds the PPP frame: bytes after it are not read as IP.
    const gre = greV1(Buffer.concat([Buffer.from("21", "hex"), inner]), { seq: 6 });
    gre.writeUInt16BE(10, 4);
    expect(decode([eth(ipv4(47, gre))])).toEqual([]);
  });

  it("gathers a ClientHello over two segments and reports it on the second, as tshark does", () => {
    const hello = clientHello("split.example", ["h2", "http/1.1"], 1800);
    const cut = 1000;
    const obs = decode([
      eth(ipv4(6, tcp(40000, 443, hello.subarray(0, cut), 5000))),
      eth(ipv4(6, tcp(40001, 443, clientHello("other.example"), 9000))), // another connection between
      eth(ipv4(6, tcp(40000, 443, hello.subarray(cut), 5000 + cut))),
    ]);
    expect(found(obs)).toEqual([
      [2, "tls", "other.example"],
      [3, "tls", "split.example"],
    ]);
    expect(obs[1]).toMatchObject({ alpn: ["h2", "http/1.1"], client: "10.0.0.1", port: 443, ref: { frame: 3, offset: 224 } });
  });

  it("puts segments in sequence order, drops retransmitted bytes, and handles sequence wrap-around", () => {
    const hello = clientHello("ooo.example", ["h2"], 3000);
    const seq0 = 0xffffff00; // wraps inside the stream
    const seg = (from: number, to: number): Buffer => eth(ipv4(6, tcp(40000, 443, hello.subarray(from, to), (seq0 + from) >>> 0)));
    const obs = decode([seg(0, 1000), seg(2000, hello.length), seg(500, 1500), seg(1000, 2000)]);
    expect(found(obs)).toEqual([[4, "tls", "ooo.example"]]);
    expect(obs[0]!.alpn).toEqual(["h2"]);
  });

  it("gathers an HTTP request head whose Host comes in a later segment", () => {
    const head = Buffer.from("GET /track?" + "q=1&".repeat(400) + " HTTP/1.1\r\nUser-Agent: ua\r\nHost: late.example\r\n\r\n");
    const obs = decode([
      eth(ipv4(6, tcp(40000, 80, head.subarray(0, 1200), 1))),
      eth(ipv4(6, tcp(40000, 80, head.subarray(1200), 1201))),
    ]);
    expect(found(obs)).toEqual([[2, "http", "late.example"]]);
    expect(obs[0]).toMatchObject({ method: "GET", userAgent: "ua" });
  });

  it("reports what it gathered when the rest never comes, at the end of the capture", () => {
    const hello = clientHello("lonely.example", ["h2"], 2000);
    const obs = decode([eth(ipv4(6, tcp(40000, 443, hello.subarray(0, 600), 1)))]);
    expect(found(obs)).toEqual([[1, "tls", "lonely.example"]]);
  });

  it("bounds a stream at MAX_STREAM_BYTES", () => {
    const big = Buffer.concat([Buffer.from("GET / HTTP/1.1\r\nHost: big.example\r\nX: "), Buffer.alloc(MAX_STREAM_BYTES * 2, 0x61)]);
    const frames: Buffer[] = [];
    for (let off = 0, seq = 1; off < big.length; off += 1400, seq += 1400) frames.push(eth(ipv4(6, tcp(40000, 80, big.subarray(off, off + 1400), seq))));
    const obs = decode(frames);
    expect(found(obs)).toEqual([[Math.ceil(MAX_STREAM_BYTES / 1400), "http", "big.example"]]);
  });

  it("bounds the flow table: the oldest open stream is reported early when a new one needs room", () => {
    const frames: Buffer[] = [];
    for (let i = 0; i <= MAX_STREAMS; i++) {
      const hello = clientHello(`s${i}.example`, [], 1500);
      frames.push(eth(ipv4(6, tcp(10000 + (i % 50000), 443, hello.subarray(0, 500), 1), "10.0.0.1", `10.1.${i >> 8}.${i & 255}`)));
    }
    const obs = decode(frames);
    expect(obs).toHaveLength(MAX_STREAMS + 1);
    // s0 was pushed out when the last one opened: reported first, on its own frame; the rest at the end.
    expect(found(obs).slice(0, 2)).toEqual([
      [1, "tls", "s0.example"],
      [2, "tls", "s1.example"],
    ]);
  });

  it("skips what it cannot decode without throwing", () => {
    const junk = [Buffer.alloc(0), Buffer.alloc(13), eth(Buffer.alloc(3)), eth(ipv4(6, Buffer.alloc(10))), eth(ipv4(17, Buffer.alloc(4)))];
    expect(decode(junk)).toEqual([]);
    const d = new PacketDecoder("t.pcap", () => {});
    d.packet(Buffer.alloc(40), 0, 40, 147, 0, 1, 24); // DLT_USER0: not decoded
    d.packet(Buffer.alloc(40), 0, 40, 147, 0, 2, 80);
    expect([...d.skipped.values()]).toEqual([{ linkType: 147, packets: 2, firstFrame: 1, firstOffset: 24 }]);
  });
});

describe("packet decoder: link types, fragments, QUIC, ECH and DNS attribution", () => {
  const dnsPacket = ipv4(17, udp(40000, 53, query("link.example")));
  const v6a = Buffer.from("20010db8000000000000000000000001", "hex");
  const v6b = Buffer.from("20010db8000000000000000000000035", "hex");

  it("reads Linux SLL and SLL2, BSD NULL (either byte order) and LOOP, raw IP", () => {
    const v6 = ipv6(17, udp(40000, 53, query("v6.example")), v6a, v6b);
    expect(found(decode([sll(dnsPacket)], 113))).toEqual([[1, "dns", "link.example"]]);
    expect(found(decode([sll2(v6, 0x86dd)], 276))).toEqual([[1, "dns", "v6.example"]]);
    expect(found(decode([loopback(dnsPacket, 2, true), loopback(v6, 30, true), loopback(v6, 24, false)], 0)).map((f) => f[2])).toEqual([
      "link.example",
      "v6.example",
      "v6.example",
    ]);
    expect(found(decode([loopback(v6, 28, false)], 108))).toEqual([[1, "dns", "v6.example"]]);
    expect(found(decode([dnsPacket, v6], 101)).map((f) => f[2])).toEqual(["link.example", "v6.example"]);
    // A frame too short for its link header gives nothing and does not throw.
    expect(decode([sll(Buffer.alloc(0)).subarray(0, 10)], 113)).toEqual([]);
  });

  it("reassembles IPv4 fragments in any order and reports on the completing frame", () => {
    const answers = Array.from({ length: 40 }, (_, i) => rr(ptr(12), 1, Buffer.from([10, 1, 0, i])));
    const msg = dnsMessage({ flags: 0x8180, questions: [{ name: dnsName(["big", "example"]), type: 1 }], answers });
    const datagram = udp(53, 40000, msg); // 8 + ~ 650 bytes
    const pieces = [datagram.subarray(0, 200), datagram.subarray(200, 400), datagram.subarray(400)];
    const frag = (i: number, more: boolean): Buffer => eth(ipv4(17, pieces[i]!, "10.0.0.53", "10.0.0.1", (more ? 0x2000 : 0) | ((i * 200) / 8), 77));
    const obs = decode([frag(2, false), frag(0, true), eth(dnsPacket), frag(1, true)]);
    expect(found(obs)).toEqual([
      [3, "dns", "link.example"],
      [4, "dns", "big.example"],
    ]);
    expect(obs[1]!.answers).toHaveLength(40);
    expect(obs[1]).toMatchObject({ client: "10.0.0.1", server: "10.0.0.53", response: true });
  });

  it("reassembles IPv6 fragments; decodes the first fragment alone when the rest never comes", () => {
    const datagram = udp(40000, 53, query("frag6.example"));
    const fh = (offset: number, more: boolean): { type: number; body: Buffer } => ({
      type: 44,
      body: Buffer.concat([u8(0), u16(offset | (more ? 1 : 0)), u32(0xabcd)]),
    });
    const first = ipv6(17, datagram.subarray(0, 16), v6a, v6b, [fh(0, true)]);
    const second = ipv6(17, datagram.subarray(16), v6a, v6b, [fh(16, false)]);
    expect(found(decode([first, second], 101))).toEqual([[2, "dns", "frag6.example"]]);
    // Only the first fragment: what it holds (the DNS header and the start of the name) is decoded at the end, on its own frame.
    const lonely = udp(40000, 53, query("only.example"));
    const obs = decode([ipv6(17, lonely, v6a, v6b, [fh(0, true)])], 101);
    expect(found(obs)).toEqual([[1, "dns", "only.example"]]);
  });

  it("decrypts a QUIC Initial on any UDP port", () => {
    const dcid = Buffer.from("1122334455667788", "hex");
    const packet = quicInitial({
      version: 1,
      dcid,
      keys: clientInitialKeys(1, dcid)!,
      frames: cryptoFrame(0, clientHelloMessage("quic.example", ["h3"])),
      padTo: 1200,
    });
    const obs = decode([eth(ipv4(17, udp(50000, 8443, packet)))]);
    expect(obs).toEqual([expect.objectContaining({ kind: "quic", host: "quic.example", alpn: ["h3"], port: 8443, client: "10.0.0.1", server: "10.0.0.2" })]);
  });

  it("flags ECH, and attributes a ClientHello without SNI, or with an ECH public name as SNI, to the name DNS resolved", () => {
    // An HTTPS record for chat.example with an ECH config whose public name is public.example, and an A record.
    const echConfig = Buffer.concat([u16(0xfe0d), u16(0)]); // length patched below
    const contents = Buffer.concat([u8(7), u16(0x20), u16(32), Buffer.alloc(32, 1), u16(4), u16(1), u16(1), u8(0), u8(14), Buffer.from("public.example"), u16(0)]);
    echConfig.writeUInt16BE(contents.length, 2);
    const list = Buffer.concat([u16(echConfig.length + contents.length), echConfig, contents]);
    const httpsRdata = Buffer.concat([u16(1), u8(0), u16(5), u16(list.length), list, u16(4), u16(4), Buffer.from([203, 0, 113, 9])]);
    const response = dnsMessage({
      flags: 0x8180,
      questions: [{ name: dnsName(["chat", "example"]), type: 65 }],
      answers: [rr(ptr(12), 65, httpsRdata)],
    });
    const aResponse = dnsMessage({ flags: 0x8180, questions: [{ name: dnsName(["bare", "example"]), type: 1 }], answers: [rr(ptr(12), 1, Buffer.from([198, 51, 100, 7]))] });
    const obs = decode([
      eth(ipv4(17, udp(53, 40000, response), "10.0.0.53", "10.0.0.1")),
      eth(ipv4(17, udp(53, 40000, aResponse), "10.0.0.53", "10.0.0.1")),
      eth(ipv4(6, tcp(40001, 443, clientHello("public.example", ["h2"], 0, [echOuter()])), "10.0.0.1", "203.0.113.9")),
      eth(ipv4(6, tcp(40002, 443, clientHello(null, ["h2"])), "10.0.0.1", "198.51.100.7")),
      eth(ipv4(6, tcp(40003, 443, clientHello("grease.example", ["h2"], 0, [echOuter()])), "10.0.0.1", "198.51.100.7")),
      eth(ipv4(6, tcp(40004, 443, clientHello(null)), "10.0.0.1", "192.0.2.1")),
    ]);
    expect(obs[0]).toMatchObject({ kind: "dns", host: "chat.example", answers: ["203.0.113.9"] });
    expect(obs[2]).toMatchObject({ kind: "tls", host: "chat.example", resolvedFrom: "dns", sni: "public.example", ech: true, alpn: ["h2"] });
    expect(obs[3]).toMatchObject({ kind: "tls", host: "bare.example", resolvedFrom: "dns" });
    expect(obs[3]!.sni).toBeUndefined();
    // ECH (here GREASE-like) with an SNI that no DNS answer named as an ECH public name: the SNI stays.
    expect(obs[4]).toMatchObject({ kind: "tls", host: "grease.example", ech: true });
    expect(obs[4]!.resolvedFrom).toBeUndefined();
    // No SNI and no DNS answer for the address: no host.
    expect(obs[5]!.host).toBeUndefined();
    expect(obs[5]!.resolvedFrom).toBeUndefined();
  });
});
