/**
 * Capture variants of issue 18, end to end through the file reader and the collector: cleartext
 * HTTP/2, GRE version 1 with PPP, 802.11 link types, warnings that are not errors.
 *
 * Real captures from the shared corpus (`../shared/corpus/pcap`, skipped when it is not there) where
 * one exists; otherwise small captures built byte by byte with __fixtures__/craft.ts. Each crafted
 * capture here was written to a file and read with tshark 4.0.17 (Debian 12), which found the same
 * names (`tshark -r f.pcap -T fields -e frame.number -e dns.qry.name`; for HTTP/2 on port 8080
 * `-d tcp.port==8080,http2 -e http2.headers.authority -e http2.headers.path`).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { packageRoot } from "../../src/core/paths.js";
import {
  H2_PREFACE,
  avs,
  dnsMessage,
  dnsName,
  eth,
  greV1,
  h2Frame,
  hpackLiterals,
  ipv4,
  llcSnap,
  pcapFile,
  prism,
  radiotap,
  tcp,
  tempDir,
  u16,
  u32,
  udp,
  wlanFrame,
} from "./__fixtures__/craft.js";
import { extractCapture } from "./index.js";
import { decodeIp } from "./ip.js";
import type { IpHeader } from "./ip.js";
import { decodeLink, decodePpp } from "./link.js";
import { PacketDecoder } from "./packet.js";
import type { NetworkLayer } from "./link.js";
import { readCapture } from "./reader.js";
import { greV1Inner } from "./tunnel.js";

const CORPUS = join(packageRoot(), "..", "shared", "corpus", "pcap");
const HAVE_CORPUS = existsSync(join(CORPUS, "ORACLE-INDEX.tsv"));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const dnsQuery = (name: string): Buffer => ipv4(17, udp(40000, 53, dnsMessage({ questions: [{ name: dnsName(name.split(".")), type: 1 }] })));
const wlanDns = (name: string, opts: Parameters<typeof wlanFrame>[1] = {}): Buffer => wlanFrame(Buffer.concat([llcSnap(), dnsQuery(name)]), opts);

async function names(data: Buffer, linkType: number): Promise<{ names: [number | undefined, string | undefined][]; errors: string[]; warnings: string[] }> {
  const file = tmp.write(`link${linkType}-${Math.random().toString(36).slice(2)}.pcap`, data);
  const r = await extractCapture(file);
  return { names: r.observations.map((o) => [o.ref.frame, o.host]), errors: r.errors.map((e) => e.message), warnings: r.warnings.map((w) => w.code) };
}

describe("802.11 captures (link types 105, 119, 127, 163)", () => {
  it("reads DNS from data frames behind radiotap: FCS, QoS, +HTC, four addresses, A-MSDU", async () => {
    const amsdu = Buffer.concat([Buffer.alloc(12), u16(8 + dnsQuery("amsdu.example").length), llcSnap(), dnsQuery("amsdu.example")]);
    const file = pcapFile(
      [
        { data: radiotap(wlanDns("plain.example")) },
        { data: radiotap(wlanDns("fcs.example"), true) },
        { data: radiotap(wlanDns("qos.example", { qos: 5 })) },
        { data: radiotap(wlanDns("htc.example", { qos: 0, htc: true })) },
        { data: radiotap(wlanDns("wds.example", { toDs: true, fromDs: true })) },
        { data: radiotap(wlanFrame(amsdu, { qos: 0x80 })) },
        // QoS data (26-byte header) with the radiotap data-pad flag: 2 bytes of padding before the LLC header.
        { data: radiotap(wlanFrame(Buffer.concat([Buffer.alloc(2), llcSnap(), dnsQuery("datapad.example")]), { qos: 0 }), false, true) },
        { data: radiotap(wlanFrame(Buffer.alloc(30), { type: 0, subtype: 8 })) }, // beacon: counted, skipped
        { data: radiotap(Buffer.from("d4000000001122334455", "hex")) }, // ACK: counted, skipped
      ],
      { linkType: 127 },
    );
    expect(await names(file, 127)).toEqual({
      names: [
        [1, "plain.example"],
        [2, "fcs.example"],
        [3, "qos.example"],
        [4, "htc.example"],
        [5, "wds.example"],
        [6, "amsdu.example"],
        [7, "datapad.example"],
      ],
      errors: [],
      warnings: [],
    });
  });

  it("reads Prism (and AVS under the Prism link type), AVS, and bare 802.11", async () => {
    expect((await names(pcapFile([{ data: prism(wlanDns("prism.example")) }, { data: avs(wlanDns("avs-in-prism.example")) }], { linkType: 119 }), 119)).names).toEqual([
      [1, "prism.example"],
      [2, "avs-in-prism.example"],
    ]);
    expect((await names(pcapFile([{ data: avs(wlanDns("avs.example")) }], { linkType: 163 }), 163)).names).toEqual([[1, "avs.example"]]);
    expect((await names(pcapFile([{ data: wlanDns("raw80211.example") }], { linkType: 105 }), 105)).names).toEqual([[1, "raw80211.example"]]);
  });

  it("warns about protected data frames, and reports no error for management and control frames", async () => {
    const r = await names(pcapFile([{ data: radiotap(wlanDns("secret.example", { protected: true })) }, { data: radiotap(wlanFrame(Buffer.alloc(30), { type: 0, subtype: 4 })) }], { linkType: 127 }), 127);
    expect(r).toEqual({ names: [], errors: [], warnings: ["protected-80211"] });
  });

  it.skipIf(!HAVE_CORPUS)("reads the corpus' radiotap captures without errors (tcpdump's 802.11 printer tests)", async () => {
    // ieee802.11_htc.pcap: one QoS data frame with HT control carrying DHCP (0.0.0.0 -> 255.255.255.255), as tshark reads it.
    const htc = await extractCapture(join(CORPUS, "tcpdump/ieee802.11_htc.pcap"));
    expect([htc.observations, htc.errors, htc.warnings]).toEqual([[], [], []]);
    // ieee802.11_rx-stbc.pcap: three protected data frames.
    const stbc = await extractCapture(join(CORPUS, "tcpdump/ieee802.11_rx-stbc.pcap"));
    expect(stbc.errors).toEqual([]);
    expect(stbc.warnings).toEqual([expect.objectContaining({ code: "protected-80211", count: 3, offset: 24 })]);
    // ieee802.11_exthdr.pcap: radiotap with extended present bitmaps, management, control and null-data frames.
    const ext = await extractCapture(join(CORPUS, "tcpdump/ieee802.11_exthdr.pcap"));
    expect([ext.errors, ext.warnings]).toEqual([[], []]);
  });
});

describe("GRE version 1 (PPTP) with PPP", () => {
  it("reads DNS inside, with full and compressed PPP headers", async () => {
    const file = pcapFile([
      { data: eth(ipv4(47, greV1(Buffer.concat([Buffer.from("ff030021", "hex"), dnsQuery("pptp.example")]), { seq: 1, ack: 7 }))) },
      { data: eth(ipv4(47, greV1(Buffer.concat([Buffer.from("21", "hex"), dnsQuery("pfc.example")]), { seq: 2 }))) },
    ]);
    expect((await names(file, 1)).names).toEqual([
      [1, "pptp.example"],
      [2, "pfc.example"],
    ]);
  });

  it.skipIf(!HAVE_CORPUS)("finds the IPv4 packet inside the corpus' GRE v1 packet (nDPI/gre.pcapng: SIP over PPTP)", async () => {
    // Ethernet, 802.1Q, IPv4 proto 47, GRE flags 0x3081 (key, sequence, acknowledgment; version 1),
    // PPP ff 03 00 21, IPv4 192.168.10.210 -> 192.168.103.40 UDP 5060 (a SIP answer).
    const net: NetworkLayer = { ethertype: 0, offset: 0, wlan: 0 };
    const ip: IpHeader = { version: 0, src: 0, dst: 0, protocol: 0, payload: 0, end: 0, fragId: -1, fragOffset: 0, moreFragments: false };
    const found: string[] = [];
    const sink = {
      packet(buf: Buffer, start: number, end: number, linkType: number): void {
        if (!decodeLink(buf, start, end, linkType, net) || !decodeIp(buf, net.offset, end, net.ethertype, ip) || ip.protocol !== 47) return;
        const q = greV1Inner(buf, ip.payload, ip.end);
        expect(q).toBeGreaterThan(0);
        expect(decodePpp(buf, q, ip.end, net)).toBe(true);
        expect(decodeIp(buf, net.offset, ip.end, net.ethertype, ip)).toBe(true);
        found.push(`${buf.subarray(ip.src, ip.src + 4).join(".")} > ${buf.subarray(ip.dst, ip.dst + 4).join(".")} proto ${ip.protocol} dport ${buf.readUInt16BE(ip.payload + 2)}`);
      },
    };
    for await (const _ of readCapture(join(CORPUS, "nDPI/gre.pcapng"), sink, { onError: (e) => found.push(e.message) })) {
      // drain
    }
    expect(found).toEqual(["192.168.10.210 > 192.168.103.40 proto 17 dport 5060"]);
  });
});

describe("CAPWAP data tunnels (RFC 5415 §4.3, UDP 5247)", () => {
  it.skipIf(!HAVE_CORPUS)("reads the TLS ClientHello inside the corpus' CAPWAP capture (802.11 with Cisco's swapped frame control)", async () => {
    // tshark (CAPWAP "swap frame control" on by default) finds SNI alt2-mtalk.google.com on frame 9.
    const r = await extractCapture(join(CORPUS, "nDPI/capwap_data.pcapng"));
    expect(r.errors).toEqual([]);
    expect(r.observations[0]).toMatchObject({ kind: "tls", host: "alt2-mtalk.google.com", client: "10.1.3.68", server: "74.125.130.188", port: 443, ref: { frame: 9 } });
  });

  it("reads an Ethernet frame inside CAPWAP (T flag clear), and skips fragments and DTLS", async () => {
    // Preamble 00; HLEN 2 (8 bytes), RID 0, WBID 1, T 0 (payload: an 802.3 frame); fragment id and offset.
    const capwap = (flags: number, payload: Buffer, preamble = 0): Buffer => Buffer.concat([Buffer.from([preamble]), Buffer.from([0x10, 0x02 | (flags >> 8), flags & 0xff]), Buffer.alloc(4), payload]);
    const file = pcapFile([
      { data: eth(ipv4(17, udp(40000, 5247, capwap(0, eth(dnsQuery("capwap.example")))))) },
      { data: eth(ipv4(17, udp(40000, 5247, capwap(0x80, eth(dnsQuery("fragment.example")))))) }, // F set
      { data: eth(ipv4(17, udp(40000, 5247, capwap(0, eth(dnsQuery("dtls.example")), 1)))) }, // DTLS preamble
    ]);
    expect((await names(file, 1)).names).toEqual([[1, "capwap.example"]]);
  });
});

describe("cleartext HTTP/2", () => {
  it.skipIf(!HAVE_CORPUS)("reads the corpus' prior-knowledge h2c capture (nDPI/http2.pcapng, a 5G core NF on port 29518)", async () => {
    // tshark -d tcp.port==29518,http2 gives frame 2: :authority 127.0.0.1:29518, POST /namf-comm/v1/subscriptions.
    const r = await extractCapture(join(CORPUS, "nDPI/http2.pcapng"));
    expect(r.errors).toEqual([]);
    expect(r.observations.map((o) => [o.ref.frame, o.kind, o.host, o.method, o.path, o.userAgent, o.client, o.server, o.port])).toEqual([
      [2, "http", "127.0.0.1:29518", "POST", "/namf-comm/v1/subscriptions", "OpenAPI-Generator/1.0.0/go", "127.0.0.1", "127.0.0.1", 29518],
    ]);
  });

  it("reads :authority from a crafted prior-knowledge connection", async () => {
    const settings = h2Frame(4, 0, 0, Buffer.concat([u16(3), u32(100)]));
    const block = hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "h2.example:8080"], [":path", "/x"], ["user-agent", "ua/1"]]);
    const first = Buffer.concat([H2_PREFACE, settings, h2Frame(1, 0x5, 1, block)]);
    const r = await extractCapture(tmp.write("h2.pcap", pcapFile([{ data: eth(ipv4(6, tcp(40000, 8080, first, 1000))) }])));
    expect(r.observations.map((o) => [o.ref.frame, o.host, o.method, o.path, o.userAgent])).toEqual([[1, "h2.example:8080", "GET", "/x", "ua/1"]]);
  });
});

describe("warnings are not errors", () => {
  it("reports IP datagrams whose fragments never all came as a warning, with their count and first frame", async () => {
    const first = ipv4(17, udp(40000, 53, Buffer.alloc(40)), "10.0.0.1", "10.0.0.2", 0x2000, 77); // MF set, the rest never comes
    const r = await extractCapture(tmp.write("frag.pcap", pcapFile([{ data: eth(first) }, { data: eth(dnsQuery("whole.example")) }])));
    expect(r.errors).toEqual([]);
    expect(r.observations.map((o) => o.host)).toEqual(["whole.example"]);
    expect(r.warnings).toEqual([
      {
        input: expect.stringMatching(/frag\.pcap$/),
        offset: 24,
        code: "incomplete-fragments",
        count: 1,
        message: "1 fragmented IP datagrams never got all their fragments (first: frame 1 at offset 24); only what their first fragment held was decoded",
      },
    ]);
  });

  it.skipIf(!HAVE_CORPUS)("a corpus capture with incomplete fragments has warnings and no errors", async () => {
    const index = readFileSync(join(CORPUS, "ORACLE-INDEX.tsv"), "utf8");
    expect(index).toContain("nDPI/fuzz-2006-09-29-28586.pcap\t");
    const r = await extractCapture(join(CORPUS, "nDPI/fuzz-2006-09-29-28586.pcap"));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([expect.objectContaining({ code: "incomplete-fragments", count: 5, offset: 10309 })]);
  });
});

describe("HTTP/1 request lines as Zeek and tshark read them", () => {
  it("keeps the Host of the request lines both keep, on port 80", async () => {
    // tshark 4.0.17 on this capture: http.host h0, h1, h2, h3, h4, h6, h7, h8, h10 (not the
    // lower-case method `get`, not the unknown method `FOO`). Zeek reads every line here. We keep
    // what both keep, and `FOO` (a method token followed by an HTTP version), not `get`.
    const lines = ["GET /x http/1.1", "GET /x", "OPTIONS HTTP/1.1", "GET /HTTP/1.1", "POST / HTTP/1.", "get / HTTP/1.1", "GET  /a   HTTP/1.1", "GET / HTTP/1.1 trailing", "HEAD /x HTTP/9", "FOO /x HTTP/1.1", "GET / HTTP/1.1"];
    const file = pcapFile(lines.map((l, i) => ({ data: eth(ipv4(6, tcp(40000 + i, 80, Buffer.from(`${l}\r\nHost: h${i}.example\r\nUser-Agent: ua\r\n\r\n`), 1000))) })));
    const r = await extractCapture(tmp.write("lenient.pcap", file));
    expect(r.observations.map((o) => o.host)).toEqual(["h0.example", "h1.example", "h2.example", "h3.example", "h4.example", "h6.example", "h7.example", "h8.example", "h9.example", "h10.example"]);
  });
});

describe("bad input in the new decoders", () => {
  /** Deterministic generator (mulberry32), so that a failure can be replayed. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("never throws on cut and bit-flipped 802.11, GRE v1, CAPWAP and HTTP/2 frames", () => {
    const settings = h2Frame(4, 0, 0, Buffer.concat([u16(3), u32(100)]));
    const h2 = Buffer.concat([H2_PREFACE, settings, h2Frame(1, 0x5, 1, hpackLiterals([[":method", "GET"], [":scheme", "http"], [":authority", "fuzz.example"], [":path", "/"]]))]);
    const seeds: [Buffer, number][] = [
      [radiotap(wlanDns("fuzz.example", { qos: 0x80, htc: true }), true), 127],
      [prism(wlanDns("fuzz.example", { toDs: true, fromDs: true })), 119],
      [avs(wlanDns("fuzz.example")), 163],
      [wlanDns("fuzz.example", { qos: 1 }), 105],
      [eth(ipv4(47, greV1(Buffer.concat([Buffer.from("ff030021", "hex"), dnsQuery("fuzz.example")]), { seq: 1, ack: 2 }))), 1],
      [eth(ipv4(17, udp(1, 5247, Buffer.concat([Buffer.from("00200320", "hex"), Buffer.alloc(12), wlanDns("fuzz.example")])))), 1],
      [eth(ipv4(6, tcp(40000, 80, h2, 1000))), 1],
    ];
    const random = rng(18);
    let frames = 0;
    for (const [seed, linkType] of seeds) {
      const d = new PacketDecoder("fuzz.pcap", () => {});
      for (let i = 0; i < 400; i++) {
        const f = Buffer.from(seed.subarray(0, Math.floor(random() * (seed.length + 1))));
        for (let k = Math.floor(random() * 4); k > 0 && f.length > 0; k--) {
          const at = Math.floor(random() * f.length);
          f[at] = f[at]! ^ (1 << Math.floor(random() * 8));
        }
        d.packet(f, 0, f.length, linkType, 0, ++frames, 24);
      }
      d.flush();
    }
    expect(frames).toBe(seeds.length * 400);
  });
});
