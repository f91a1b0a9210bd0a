import { describe, expect, it } from "vitest";

import { MAC_A, avs, eth, ipv4, ipv6, llcSnap, prism, radiotap, udp, u16, u32, wlanFrame } from "./__fixtures__/craft.js";
import { decodeIp, ipv6Text } from "./ip.js";
import type { IpHeader } from "./ip.js";
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, WLAN_CONTROL, WLAN_MANAGEMENT, WLAN_OTHER, WLAN_PROTECTED, decodeLink } from "./link.js";
import type { NetworkLayer } from "./link.js";

const net: NetworkLayer = { ethertype: 0, offset: 0 };
const ip: IpHeader = { version: 0, src: 0, dst: 0, protocol: 0, payload: 0, end: 0, fragId: -1, fragOffset: 0, moreFragments: false };
const packet = ipv4(17, udp(1, 53, Buffer.alloc(12)));
const v6a = Buffer.from("fe800000000000000000000000000001", "hex");
const v6b = Buffer.from("20010db8000000000000000000000002", "hex");

function link(frame: Buffer, linkType: number): [number, number] | null {
  return decodeLink(frame, 0, frame.length, linkType, net) ? [net.ethertype, net.offset] : null;
}

describe("link layers", () => {
  it("Ethernet, with stacked 802.1ad / 802.1Q tags and LLC/SNAP", () => {
    expect(link(eth(packet), 1)).toEqual([ETHERTYPE_IPV4, 14]);
    expect(link(eth(packet, 0x0800, [[0x88a8, 10], [0x8100, 20], [0x9100, 30]]), 1)).toEqual([ETHERTYPE_IPV4, 26]);
    const snap = Buffer.concat([Buffer.alloc(12), u16(8 + packet.length), Buffer.from("aaaa03000000", "hex"), u16(0x0800), packet]);
    expect(link(snap, 1)).toEqual([ETHERTYPE_IPV4, 22]);
    expect(link(eth(Buffer.alloc(28), 0x0806), 1)).toBeNull(); // ARP
  });

  it("PPPoE and MPLS inside Ethernet", () => {
    const pppoe = eth(Buffer.concat([Buffer.from("1100000100", "hex"), Buffer.from([packet.length + 2]), u16(0x0021), packet]), 0x8864);
    expect(link(pppoe, 1)).toEqual([ETHERTYPE_IPV4, 22]);
    const mpls = eth(Buffer.concat([Buffer.from("00010000", "hex"), Buffer.from("00020140", "hex"), packet]), 0x8847);
    expect(link(mpls, 1)).toEqual([ETHERTYPE_IPV4, 22]);
  });

  it("Linux SLL and SLL2, raw IP (by version nibble), NULL in either byte order, LOOP, PPP, C-HDLC", () => {
    expect(link(Buffer.concat([Buffer.alloc(14), u16(0x86dd), ipv6(17, Buffer.alloc(8), v6a, v6b)]), 113)).toEqual([ETHERTYPE_IPV6, 16]);
    expect(link(Buffer.concat([u16(0x0800), Buffer.alloc(18), packet]), 276)).toEqual([ETHERTYPE_IPV4, 20]);
    expect(link(packet, 101)).toEqual([ETHERTYPE_IPV4, 0]);
    expect(link(ipv6(17, Buffer.alloc(8), v6a, v6b), 228)).toEqual([ETHERTYPE_IPV6, 0]); // tshark too
    expect(link(Buffer.concat([Buffer.from([2, 0, 0, 0]), packet]), 0)).toEqual([ETHERTYPE_IPV4, 4]);
    expect(link(Buffer.concat([u32(2), packet]), 0)).toEqual([ETHERTYPE_IPV4, 4]);
    expect(link(Buffer.concat([u32(30), packet]), 108)).toEqual([ETHERTYPE_IPV6, 4]);
    expect(link(Buffer.concat([Buffer.from("ff030021", "hex"), packet]), 9)).toEqual([ETHERTYPE_IPV4, 4]);
    expect(link(Buffer.concat([Buffer.from("0f000800", "hex"), packet]), 104)).toEqual([ETHERTYPE_IPV4, 4]);
  });

  it("NFLOG and PKTAP", () => {
    const tlv = (type: number, value: Buffer): Buffer => {
      const h = Buffer.alloc(4);
      h.writeUInt16LE(4 + value.length, 0);
      h.writeUInt16LE(type, 2);
      return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    };
    const nflog = Buffer.concat([Buffer.from([2, 0, 0, 0]), tlv(1, Buffer.alloc(4)), tlv(9, packet)]);
    expect(link(nflog, 239)).toEqual([ETHERTYPE_IPV4, 16]);
    const pktapHeader = Buffer.alloc(108);
    pktapHeader.writeUInt32LE(108, 0);
    pktapHeader.writeUInt32LE(1, 4);
    expect(link(Buffer.concat([pktapHeader, eth(packet)]), 258)).toEqual([ETHERTYPE_IPV4, 122]);
  });

  it("802.11 data frames behind radiotap, Prism, AVS or nothing, with LLC/SNAP (issue 18)", () => {
    const data = wlanFrame(Buffer.concat([llcSnap(), packet]));
    expect(link(data, 105)).toEqual([ETHERTYPE_IPV4, 24 + 8]);
    // Radiotap: header length from it_len (18 here: TSFT, Flags, Rate); with the FCS flag the
    // frame's last 4 bytes are the FCS, not data.
    expect(link(radiotap(data), 127)).toEqual([ETHERTYPE_IPV4, 18 + 32]);
    expect(link(radiotap(data, true), 127)).toEqual([ETHERTYPE_IPV4, 18 + 32]);
    expect(link(prism(data), 119)).toEqual([ETHERTYPE_IPV4, 144 + 32]);
    expect(link(avs(data), 119)).toEqual([ETHERTYPE_IPV4, 64 + 32]); // an AVS header under the Prism link type
    expect(link(avs(data), 163)).toEqual([ETHERTYPE_IPV4, 64 + 32]);
    // QoS data (2-byte QoS control), with +HTC (4 more), four addresses, IPv6, bridge-tunnel SNAP, A-MSDU.
    expect(link(wlanFrame(Buffer.concat([llcSnap(), packet]), { qos: 5 }), 105)).toEqual([ETHERTYPE_IPV4, 26 + 8]);
    expect(link(wlanFrame(Buffer.concat([llcSnap(), packet]), { qos: 0, htc: true }), 105)).toEqual([ETHERTYPE_IPV4, 30 + 8]);
    expect(link(wlanFrame(Buffer.concat([llcSnap(0x86dd), ipv6(17, Buffer.alloc(8), v6a, v6b)]), { toDs: true, fromDs: true }), 105)).toEqual([ETHERTYPE_IPV6, 30 + 8]);
    expect(link(wlanFrame(Buffer.concat([Buffer.from("aaaa030000f8", "hex"), u16(0x0800), packet])), 105)).toEqual([ETHERTYPE_IPV4, 32]);
    const subframe = Buffer.concat([Buffer.alloc(12), u16(8 + packet.length), llcSnap(), packet]);
    expect(link(wlanFrame(subframe, { qos: 0x80 }), 105)).toEqual([ETHERTYPE_IPV4, 26 + 14 + 8]);
    // A PPI header around an 802.11 frame.
    const ppi = Buffer.alloc(8);
    ppi.writeUInt16LE(8, 2);
    ppi.writeUInt32LE(105, 4);
    expect(link(Buffer.concat([ppi, data]), 192)).toEqual([ETHERTYPE_IPV4, 8 + 32]);
  });

  it("802.11 frames without readable IP are skipped with the reason", () => {
    const why = (frame: Buffer, linkType = 105): number | undefined => {
      net.wlan = 0;
      expect(decodeLink(frame, 0, frame.length, linkType, net)).toBe(false);
      return net.wlan;
    };
    const beacon = wlanFrame(Buffer.alloc(40), { type: 0, subtype: 8 });
    expect(why(beacon)).toBe(WLAN_MANAGEMENT);
    expect(why(radiotap(beacon), 127)).toBe(WLAN_MANAGEMENT);
    expect(why(Buffer.concat([Buffer.from([0xd4, 0x00, 0, 0]), MAC_A, Buffer.alloc(20)]))).toBe(WLAN_CONTROL); // ACK
    expect(why(wlanFrame(Buffer.concat([Buffer.alloc(8), llcSnap(), packet]), { protected: true }))).toBe(WLAN_PROTECTED);
    expect(why(wlanFrame(Buffer.alloc(0), { subtype: 4 }))).toBe(WLAN_OTHER); // null data
    expect(why(wlanFrame(Buffer.concat([llcSnap(0x888e), Buffer.alloc(20)])))).toBe(WLAN_OTHER); // EAPOL
    expect(why(wlanFrame(Buffer.concat([llcSnap(), packet])).subarray(0, 20))).toBe(WLAN_OTHER); // cut short
    // A radiotap length past the frame, a Prism header longer than the frame: refused, nothing read outside.
    const bad = radiotap(wlanFrame(Buffer.concat([llcSnap(), packet])));
    bad.writeUInt16LE(bad.length + 1, 2);
    expect(why(bad, 127)).toBe(WLAN_OTHER);
    expect(why(Buffer.alloc(100), 119)).toBe(WLAN_OTHER);
    expect(why(Buffer.alloc(6), 163)).toBe(WLAN_OTHER);
  });

  it("refuses link types it does not decode and frames too short", () => {
    expect(link(packet, 147)).toBeNull();
    expect(link(Buffer.alloc(5), 1)).toBeNull();
    expect(link(Buffer.alloc(3), 0)).toBeNull();
  });
});

describe("IP", () => {
  it("IPv4: payload bounded by the total length, fragments described", () => {
    const padded = Buffer.concat([packet, Buffer.alloc(6)]); // Ethernet padding after the packet
    expect(decodeIp(padded, 0, padded.length, ETHERTYPE_IPV4, ip)).toBe(true);
    expect([ip.version, ip.protocol, ip.payload, ip.end, ip.fragId]).toEqual([4, 17, 20, packet.length, -1]);
    expect(decodeIp(ipv4(17, Buffer.alloc(8), "1.1.1.1", "2.2.2.2", 0x2000), 0, 28, ETHERTYPE_IPV4, ip)).toBe(true); // first fragment
    expect([ip.fragId, ip.fragOffset, ip.moreFragments]).toEqual([1, 0, true]);
    expect(decodeIp(ipv4(17, Buffer.alloc(8), "1.1.1.1", "2.2.2.2", 0x0010), 0, 28, ETHERTYPE_IPV4, ip)).toBe(true);
    expect([ip.fragId, ip.fragOffset, ip.moreFragments, ip.payload]).toEqual([1, 128, false, 20]);
    expect(decodeIp(ipv4(17, Buffer.alloc(8), "1.1.1.1", "2.2.2.2", 0x4000), 0, 28, ETHERTYPE_IPV4, ip)).toBe(true); // DF only
    expect(ip.fragId).toBe(-1);
  });

  it("IPv6: walks extension headers to the transport, describes fragments", () => {
    const hbh = { type: 0, body: Buffer.alloc(6) };
    const dst = { type: 60, body: Buffer.alloc(14) };
    const p0 = ipv6(17, udp(1, 53, Buffer.alloc(4)), v6a, v6b, [hbh, dst]);
    expect(decodeIp(p0, 0, p0.length, ETHERTYPE_IPV6, ip)).toBe(true);
    expect([ip.version, ip.protocol, ip.payload, ip.fragId]).toEqual([6, 17, 40 + 8 + 16, -1]);
    const frag0 = { type: 44, body: Buffer.from("00000100000001", "hex") }; // offset 0, M=1, id 0x100000001 & 0xffffffff
    const p = ipv6(17, udp(1, 53, Buffer.alloc(4)), v6a, v6b, [hbh, dst, frag0]);
    expect(decodeIp(p, 0, p.length, ETHERTYPE_IPV6, ip)).toBe(true);
    expect([ip.version, ip.protocol, ip.payload, ip.fragOffset, ip.moreFragments]).toEqual([6, 17, 40 + 8 + 16 + 8, 0, true]);
    const later = ipv6(17, Buffer.alloc(12), v6a, v6b, [{ type: 44, body: Buffer.from("00005800000001", "hex") }]);
    expect(decodeIp(later, 0, later.length, ETHERTYPE_IPV6, ip)).toBe(true);
    expect([ip.protocol, ip.payload, ip.fragOffset, ip.moreFragments, ip.fragId]).toEqual([17, 48, 88, false, 1]);
    const esp = ipv6(50, Buffer.alloc(16), v6a, v6b);
    expect(decodeIp(esp, 0, esp.length, ETHERTYPE_IPV6, ip)).toBe(false);
  });

  it("prints IPv6 addresses per RFC 5952", () => {
    const t = (hex: string): string => ipv6Text(Buffer.from(hex, "hex"), 0);
    expect(t("00000000000000000000000000000001")).toBe("::1");
    expect(t("00000000000000000000000000000000")).toBe("::");
    expect(t("20010db8000000000001000000000001")).toBe("2001:db8::1:0:0:1");
    expect(t("20010db8000100000000000000000000")).toBe("2001:db8:1::");
    expect(t("20010db80000000100000000000000ff")).toBe("2001:db8:0:1::ff");
    expect(t("fe80000000000000020086fffe0580da")).toBe("fe80::200:86ff:fe05:80da");
    expect(t("20010db8000100010001000100010001")).toBe("2001:db8:1:1:1:1:1:1");
  });
});
