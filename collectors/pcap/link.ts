/**
 * Link layers: from a captured frame to the start of its IPv4/IPv6 packet.
 *
 * LINKTYPE values are those of the tcpdump.org registry
 * (https://www.tcpdump.org/linktypes.html, draft-ietf-opsawg-pcaplinktype). Supported: NULL (0),
 * ETHERNET (1) with 802.1Q / 802.1ad / 0x9100 tags (stacked), PPPoE session, MPLS and LLC/SNAP,
 * PPP (9), PPP_HDLC (50), RAW (101, and DLT 12/14 as written by some systems), C_HDLC (104),
 * LOOP (108), LINUX_SLL (113), ARCNET_LINUX (129), PPI (192, with an inner link type we decode),
 * IPV4 (228), IPV6 (229), NFLOG (239), PKTAP (258, and DLT_USER2 149 as Darwin writes it),
 * LINUX_SLL2 (276), and IEEE 802.11 data frames: IEEE802_11 (105), IEEE802_11_RADIOTAP (127),
 * PRISM_HEADER (119, or an AVS header in its place) and IEEE802_11_AVS (163); see {@link decodeWlan}.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_ARCNET_LINUX = 129;
export const LINKTYPE_PPI = 192;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_PKTAP = 258;
/** DLT_USER2, which Darwin uses for PKTAP; tshark reads it so. */
export const LINKTYPE_USER2 = 149;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_PRISM_HEADER = 119;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_IEEE802_11_AVS = 163;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Transparent Ethernet bridging (GRE, Geneve): an Ethernet frame follows. */
export const ETHERTYPE_TEB = 0x6558;

/** Names of the link types we decode, for error messages and docs. */
export const SUPPORTED_LINKTYPES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, "NULL"],
  [LINKTYPE_ETHERNET, "ETHERNET"],
  [LINKTYPE_PPP, "PPP"],
  [12, "RAW (DLT 12)"],
  [14, "RAW (DLT 14)"],
  [LINKTYPE_PPP_HDLC, "PPP_HDLC"],
  [LINKTYPE_RAW, "RAW"],
  [LINKTYPE_C_HDLC, "C_HDLC"],
  [LINKTYPE_LOOP, "LOOP"],
  [LINKTYPE_LINUX_SLL, "LINUX_SLL"],
  [LINKTYPE_ARCNET_LINUX, "ARCNET_LINUX"],
  [LINKTYPE_PPI, "PPI"],
  [LINKTYPE_IPV4, "IPV4"],
  [LINKTYPE_IPV6, "IPV6"],
  [LINKTYPE_LINUX_SLL2, "LINUX_SLL2"],
  [LINKTYPE_NFLOG, "NFLOG"],
  [LINKTYPE_PKTAP, "PKTAP"],
  [LINKTYPE_USER2, "PKTAP (USER2)"],
  [LINKTYPE_IEEE802_11, "IEEE802_11"],
  [LINKTYPE_PRISM_HEADER, "PRISM_HEADER"],
  [LINKTYPE_IEEE802_11_RADIOTAP, "IEEE802_11_RADIOTAP"],
  [LINKTYPE_IEEE802_11_AVS, "IEEE802_11_AVS"],
]);

/** Where the network layer starts. Reused between packets: no allocation per packet. */
export interface NetworkLayer {
  /** ETHERTYPE_IPV4 or ETHERTYPE_IPV6. */
  ethertype: number;
  /** Offset of the IP header in the buffer. */
  offset: number;
  /**
   * Set by the 802.11 link types only (left as it was by the others), when {@link decodeLink}
   * returns false: why the frame was skipped, one of the `WLAN_*` values.
   */
  wlan?: number;
}

/** 802.11 frame skipped: a management frame (type 0). */
export const WLAN_MANAGEMENT = 1;
/** 802.11 frame skipped: a control frame (type 1) or an extension frame (type 3). */
export const WLAN_CONTROL = 2;
/** 802.11 frame skipped: a protected (encrypted) data frame, which we cannot read. */
export const WLAN_PROTECTED = 3;
/** 802.11 frame skipped: a data frame without IPv4/IPv6 (null data, EAPOL, ARP, other LLC), or a bad header. */
export const WLAN_OTHER = 4;

const MAX_TAGS = 8;

/** Ethertype for the IP version nibble at `buf[offset]`, or 0. */
function byVersion(buf: Buffer, offset: number, end: number): number {
  if (offset >= end) return 0;
  const v = buf[offset]! >> 4;
  return v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
}

/**
 * A PPP frame at `buf[p, end)` carrying IPv4 (protocol 0x0021) or IPv6 (0x0057): fills `out` and
 * returns true. The HDLC-like address and control fields `FF 03` may be there or not (RFC 1662
 * §3.1, address-and-control-field compression, RFC 1661 §6.6); the protocol field is 2 bytes, or 1
 * when compressed (RFC 1661 §2 and §6.5: its first byte is even, the last odd). Other protocols (LCP,
 * IPCP, CHAP, compressed or encrypted data) give false. Never reads outside the range.
 */
export function decodePpp(buf: Buffer, p: number, end: number, out: NetworkLayer): boolean {
  return ppp(buf, p, end, out);
}

/** PPP protocol number (RFC 1661 §2; 1 byte when compressed) to ethertype; sets out.offset. */
function ppp(buf: Buffer, p: number, end: number, out: NetworkLayer): boolean {
  if (p + 2 <= end && buf[p] === 0xff && buf[p + 1] === 0x03) p += 2; // address + control (RFC 1662)
  if (p >= end) return false;
  let proto: number;
  if (buf[p]! & 1) {
    proto = buf[p]!;
    p += 1;
  } else {
    if (p + 2 > end) return false;
    proto = buf.readUInt16BE(p);
    p += 2;
  }
  if (proto === 0x21) out.ethertype = ETHERTYPE_IPV4;
  else if (proto === 0x57) out.ethertype = ETHERTYPE_IPV6;
  else return false;
  out.offset = p;
  return true;
}

/**
 * Decode an Ethernet II frame `buf[start, end)` (IEEE 802.3 §3.2.6): skip VLAN tags (0x8100,
 * 0x88a8, 0x9100; up to 8 stacked), PPPoE session (RFC 2516 §4), MPLS label stacks (RFC 3032) and
 * LLC/SNAP; fill `out` and return true when an IPv4/IPv6 packet follows.
 */
export function decodeEthernet(buf: Buffer, start: number, end: number, out: NetworkLayer): boolean {
  let p = start + 12;
  if (p + 2 > end) return false;
  let type = buf.readUInt16BE(p);
  p += 2;
  for (let tags = 0; tags < MAX_TAGS; tags++) {
    if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      if (p + 4 > end) return false;
      type = buf.readUInt16BE(p + 2);
      p += 4;
    } else if (type <= 1500) {
      // IEEE 802.3 length: LLC. Only SNAP with an ethertype (AA AA 03 00 00 00 tt tt) carries IP.
      if (p + 8 > end || buf[p] !== 0xaa || buf[p + 1] !== 0xaa || buf[p + 2] !== 0x03) return false;
      type = buf.readUInt16BE(p + 6);
      p += 8;
    } else break;
  }
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) {
    out.ethertype = type;
    out.offset = p;
    return true;
  }
  if (type === 0x8864) return ppp(buf, p + 6, end, out); // PPPoE session: 6-byte header, then PPP protocol
  if (type === 0x8847 || type === 0x8848) {
    // MPLS: 4-byte entries until the bottom-of-stack bit, then guess IPv4/IPv6 from the nibble.
    for (let i = 0; i < MAX_TAGS && p + 4 <= end; i++) {
      const bottom = buf[p + 2]! & 1;
      p += 4;
      if (bottom) {
        out.ethertype = byVersion(buf, p, end);
        out.offset = p;
        return out.ethertype !== 0;
      }
    }
  }
  return false;
}

/**
 * Find the IP packet in one captured frame `buf[start, end)` of link type `linkType`.
 * Returns false (and leaves `out` unspecified) when the frame carries no IPv4/IPv6 or the link type
 * is not supported (see {@link SUPPORTED_LINKTYPES}); never reads outside `[start, end)`.
 */
export function decodeLink(buf: Buffer, start: number, end: number, linkType: number, out: NetworkLayer): boolean {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(buf, start, end, out);
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4: // as tshark: the version nibble decides, whatever the link type says
    case LINKTYPE_IPV6:
      out.offset = start;
      out.ethertype = byVersion(buf, start, end);
      return out.ethertype !== 0;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      // 4-byte address family: host byte order for NULL (guess: a value above 0xffff is the other
      // order, as Wireshark does), network byte order for LOOP.
      if (start + 4 > end) return false;
      let af = linkType === LINKTYPE_LOOP ? buf.readUInt32BE(start) : buf.readUInt32LE(start);
      if (af > 0xffff) af = buf.readUInt32BE(start);
      out.offset = start + 4;
      if (af === 2) out.ethertype = ETHERTYPE_IPV4;
      else if (af === 10 || af === 23 || af === 24 || af === 28 || af === 30) out.ethertype = ETHERTYPE_IPV6;
      else return false;
      return true;
    }
    case LINKTYPE_LINUX_SLL:
      // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html: protocol type at offset 14.
      if (start + 16 > end) return false;
      out.ethertype = buf.readUInt16BE(start + 14);
      out.offset = start + 16;
      return out.ethertype === ETHERTYPE_IPV4 || out.ethertype === ETHERTYPE_IPV6;
    case LINKTYPE_LINUX_SLL2:
      // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html: protocol type at offset 0.
      if (start + 20 > end) return false;
      out.ethertype = buf.readUInt16BE(start);
      out.offset = start + 20;
      return out.ethertype === ETHERTYPE_IPV4 || out.ethertype === ETHERTYPE_IPV6;
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      return ppp(buf, start, end, out);
    case LINKTYPE_C_HDLC:
      // Cisco HDLC: address, control, ethertype.
      if (start + 4 > end) return false;
      out.ethertype = buf.readUInt16BE(start + 2);
      out.offset = start + 4;
      return out.ethertype === ETHERTYPE_IPV4 || out.ethertype === ETHERTYPE_IPV6;
    case LINKTYPE_NFLOG:
      return nflog(buf, start, end, out);
    case LINKTYPE_ARCNET_LINUX: {
      // https://www.tcpdump.org/linktypes/LINKTYPE_ARCNET_LINUX.html: source, destination, 2-byte
      // offset, protocol ID; RFC 1201 protocols (IP 0xd4) then have a split flag and a 2-byte
      // sequence number (4 more bytes for an exception packet, split flag 0xff); RFC 1051 (IP 0xf0)
      // has neither.
      if (start + 5 > end) return false;
      const proto = buf[start + 4]!;
      let p: number;
      if (proto === 0xf0) p = start + 5;
      else if (proto === 0xd4) p = start + 8 + (buf[start + 5] === 0xff ? 4 : 0);
      else return false;
      out.ethertype = ETHERTYPE_IPV4;
      out.offset = p;
      return p < end;
    }
    case LINKTYPE_PPI: {
      // Per-Packet Information header (https://www.tcpdump.org/linktypes/LINKTYPE_PPI.html):
      // version, flags, little-endian header length and inner link type, then the frame.
      if (start + 8 > end) return false;
      const hlen = buf.readUInt16LE(start + 2);
      const inner = buf.readUInt32LE(start + 4);
      if (hlen < 8 || start + hlen > end || inner === LINKTYPE_PPI || inner === LINKTYPE_PKTAP || inner === LINKTYPE_USER2) return false;
      return decodeLink(buf, start + hlen, end, inner, out);
    }
    case LINKTYPE_PKTAP:
    case LINKTYPE_USER2: {
      // Darwin PKTAP: header length (host order, little-endian in practice) and the inner link type.
      if (start + 8 > end) return false;
      const hlen = buf.readUInt32LE(start);
      const inner = buf.readUInt32LE(start + 4);
      if (hlen < 8 || start + hlen > end || inner === LINKTYPE_PKTAP || inner === LINKTYPE_USER2 || inner === LINKTYPE_NFLOG) return false;
      return decodeLink(buf, start + hlen, end, inner, out);
    }
    case LINKTYPE_IEEE802_11:
      return decodeWlan(buf, start, end, out);
    case LINKTYPE_IEEE802_11_RADIOTAP: {
      // Radiotap (https://www.radiotap.org/): version 0, pad, little-endian it_len covering the
      // whole radiotap header, then the 802.11 frame.
      if (start + 8 > end || buf[start] !== 0) return wlanSkip(out, WLAN_OTHER);
      const len = buf.readUInt16LE(start + 2);
      if (len < 8 || start + len > end) return wlanSkip(out, WLAN_OTHER);
      const flags = radiotapFlags(buf, start, start + len);
      return decodeWlan(buf, start + len, flags & RADIOTAP_F_FCS ? end - 4 : end, out, false, (flags & RADIOTAP_F_DATAPAD) !== 0);
    }
    case LINKTYPE_PRISM_HEADER:
    case LINKTYPE_IEEE802_11_AVS: {
      const len = wlanHeaderLength(buf, start, end, linkType);
      return len < 0 ? wlanSkip(out, WLAN_OTHER) : decodeWlan(buf, start + len, end, out);
    }
    default:
      return false;
  }
}

function wlanSkip(out: NetworkLayer, why: number): false {
  out.wlan = why;
  return false;
}

/**
 * Length of the Prism or AVS header in front of an 802.11 frame, or -1 when it does not fit.
 * - AVS (https://www.tcpdump.org/linktypes/LINKTYPE_IEEE802_11_AVS.html): big-endian version
 *   0x80211001 (or 0x80211000) and big-endian header length (64 for version 1);
 * - Prism (LINKTYPE_PRISM_HEADER): message code and message length in host byte order, 144
 *   bytes as written by the Linux wlan-ng drivers. Capture programs write an AVS header under this
 *   link type too; like Wireshark, the AVS version number tells them apart.
 */
function wlanHeaderLength(buf: Buffer, start: number, end: number, linkType: number): number {
  if (start + 8 > end) return -1;
  const magic = buf.readUInt32BE(start);
  let len: number;
  if (((magic & 0xfffffffe) >>> 0) === 0x80211000) len = buf.readUInt32BE(start + 4);
  else if (linkType === LINKTYPE_IEEE802_11_AVS) return -1;
  else {
    len = buf.readUInt32LE(start + 4);
    if (len !== PRISM_HEADER_BYTES) len = buf.readUInt32BE(start + 4);
    if (len !== PRISM_HEADER_BYTES) len = PRISM_HEADER_BYTES;
  }
  return len >= 8 && start + len <= end ? len : -1;
}

/** Length of the Prism monitoring header (msgcode, msglen, device name, 10 items of 12 bytes). */
const PRISM_HEADER_BYTES = 144;
/** Radiotap present bitmaps followed: an 8-byte TSFT (bit 0) can come before the Flags byte (bit 1). */
const MAX_RADIOTAP_PRESENT_WORDS = 8;

/** Radiotap Flags: the frame ends with a 4-byte FCS. */
const RADIOTAP_F_FCS = 0x10;
/** Radiotap Flags: padding between the 802.11 header and the payload, to a 4-byte boundary. */
const RADIOTAP_F_DATAPAD = 0x20;

/**
 * The Flags field (present bit 1, https://www.radiotap.org/fields/Flags.html) of the radiotap
 * header `buf[start, stop)`, or 0 when it has none. Fields are aligned to their natural size from
 * the start of the header (https://www.radiotap.org/#alignment): the Flags byte comes after the
 * present bitmaps (bit 31 of each: another follows) and the 8-byte, 8-aligned TSFT (bit 0).
 */
function radiotapFlags(buf: Buffer, start: number, stop: number): number {
  const present = buf.readUInt32LE(start + 4);
  if ((present & 0x02) === 0) return 0;
  let p = start + 8;
  for (let w = present, i = 0; (w & 0x80000000) !== 0 && i < MAX_RADIOTAP_PRESENT_WORDS; i++) {
    if (p + 4 > stop) return 0;
    w = buf.readUInt32LE(p);
    p += 4;
  }
  if (present & 0x01) p = start + (((p - start + 7) >> 3) << 3) + 8; // TSFT, 8-aligned
  return p < stop ? buf[p]! : 0;
}

/**
 * An IEEE 802.11 MAC frame `buf[start, end)` (IEEE Std 802.11-2020 §9.2.3-9.3.2; FCS, if any,
 * already cut off): for a data frame (type 2) that carries IPv4/IPv6 behind an LLC/SNAP header
 * (RFC 1042: `AA AA 03 00 00 00`, or `AA AA 03 00 00 F8` bridge tunnel, then the ethertype), fill
 * `out` and return true. The MAC header is 24 bytes, 30 with the fourth address (To DS and From DS
 * both set), plus 2 bytes of QoS control in QoS data subtypes (subtype bit 0x8), plus 4 of HT
 * control when a QoS frame has the +HTC/Order bit; an A-MSDU (QoS control bit 7) is read from its
 * first subframe (14-byte subframe header). Returns false, with `out.wlan` saying why, for
 * management, control and extension frames, protected (encrypted) frames, null-data subtypes
 * (subtype bit 0x4), other protocol versions, and data without IP. Never reads outside the range.
 * `swappedFc`: the two frame control bytes come in the other order, as Cisco access points send
 * them inside CAPWAP (Wireshark's CAPWAP "swap frame control" preference, on by default).
 * `dataPad`: the MAC header is padded to a multiple of 4 bytes (radiotap Flags 0x20, written by
 * Atheros drivers: QoS data then has 2 bytes of padding).
 */
export function decodeWlan(buf: Buffer, start: number, end: number, out: NetworkLayer, swappedFc = false, dataPad = false): boolean {
  if (start + 2 > end) return wlanSkip(out, WLAN_OTHER);
  const fc0 = buf[start + (swappedFc ? 1 : 0)]!;
  const fc1 = buf[start + (swappedFc ? 0 : 1)]!;
  const type = (fc0 >> 2) & 3;
  const subtype = fc0 >> 4;
  if ((fc0 & 3) !== 0) return wlanSkip(out, WLAN_OTHER); // protocol version 0 only
  if (type === 0) return wlanSkip(out, WLAN_MANAGEMENT);
  if (type !== 2) return wlanSkip(out, WLAN_CONTROL); // control frames are 10 to 20 bytes
  if (start + 24 > end) return wlanSkip(out, WLAN_OTHER);
  if (fc1 & 0x40) return wlanSkip(out, WLAN_PROTECTED);
  if (subtype & 0x4) return wlanSkip(out, WLAN_OTHER); // Null, CF-Ack/Poll without data
  let p = start + ((fc1 & 3) === 3 ? 30 : 24);
  let amsdu = false;
  if (subtype & 0x8) {
    if (p + 2 > end) return wlanSkip(out, WLAN_OTHER);
    amsdu = (buf[p]! & 0x80) !== 0;
    p += 2;
    if (fc1 & 0x80) p += 4; // HT control
  }
  if (dataPad) p = start + ((p - start + 3) & ~3);
  if (amsdu) p += 14; // first A-MSDU subframe: DA, SA, length
  if (p + 8 > end || buf[p] !== 0xaa || buf[p + 1] !== 0xaa || buf[p + 2] !== 0x03 || buf[p + 3] !== 0 || buf[p + 4] !== 0 || (buf[p + 5] !== 0 && buf[p + 5] !== 0xf8)) {
    return wlanSkip(out, WLAN_OTHER);
  }
  const ethertype = buf.readUInt16BE(p + 6);
  if (ethertype !== ETHERTYPE_IPV4 && ethertype !== ETHERTYPE_IPV6) return wlanSkip(out, WLAN_OTHER);
  out.ethertype = ethertype;
  out.offset = p + 8;
  return true;
}

/** True for the link types whose frames are 802.11 (see {@link NetworkLayer.wlan}). */
export function isWlanLinkType(linkType: number): boolean {
  return linkType === LINKTYPE_IEEE802_11 || linkType === LINKTYPE_IEEE802_11_RADIOTAP || linkType === LINKTYPE_PRISM_HEADER || linkType === LINKTYPE_IEEE802_11_AVS;
}

/**
 * LINKTYPE_NFLOG (https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html): a 4-byte header (address
 * family, version, resource id), then TLVs with length and type in host (little-endian) order,
 * padded to 4 bytes; the packet is the NFULA_PAYLOAD (9) TLV.
 */
function nflog(buf: Buffer, start: number, end: number, out: NetworkLayer): boolean {
  if (start + 4 > end) return false;
  const family = buf[start]!;
  let p = start + 4;
  for (let i = 0; i < 64 && p + 4 <= end; i++) {
    const len = buf.readUInt16LE(p);
    const type = buf.readUInt16LE(p + 2);
    if (len < 4 || p + len > end) return false;
    if (type === 9) {
      out.offset = p + 4;
      out.ethertype = family === 2 ? ETHERTYPE_IPV4 : family === 10 ? ETHERTYPE_IPV6 : byVersion(buf, p + 4, end);
      return out.ethertype !== 0;
    }
    p += (len + 3) & ~3;
  }
  return false;
}

/** True when {@link decodeLink} knows `linkType`. */
export function isSupportedLinkType(linkType: number): boolean {
  return SUPPORTED_LINKTYPES.has(linkType);
}
