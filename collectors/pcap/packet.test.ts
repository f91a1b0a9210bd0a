import { describe, expect, it } from "vitest";

import type { Observation } from "../../src/core/observation.js";
import { clientHello, dnsMessage, dnsName, eth, ipv4, ipv6, tcp, u16, udp } from "./__fixtures__/craft.js";
import { PacketDecoder } from "./packet.js";
import { MAX_STREAM_BYTES } from "./tcp-reassembly.js";

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

  it("skips what it cannot decode without throwing", () => {
    const junk = [Buffer.alloc(0), Buffer.alloc(13), eth(Buffer.alloc(3)), eth(ipv4(6, Buffer.alloc(10))), eth(ipv4(17, Buffer.alloc(4)))];
    expect(decode(junk)).toEqual([]);
    const d = new PacketDecoder("t.pcap", () => {});
    d.packet(Buffer.alloc(40), 0, 40, 127, 0, 1, 24);
    d.packet(Buffer.alloc(40), 0, 40, 127, 0, 2, 80);
    expect([...d.skipped.values()]).toEqual([{ linkType: 127, packets: 2, firstFrame: 1, firstOffset: 24 }]);
  });
});
