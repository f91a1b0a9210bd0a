/**
 * IPv4 (RFC 791 §3.1, https://www.rfc-editor.org/rfc/rfc791#section-3.1) and IPv6 (RFC 8200 §3-4,
 * https://www.rfc-editor.org/rfc/rfc8200#section-4) headers: where the transport payload is, and
 * address text (RFC 5952, https://www.rfc-editor.org/rfc/rfc5952#section-4).
 *
 * Fragments (RFC 791 §3.2 and RFC 8200 §4.5): decoded like any packet, with `fragId` >= 0 and
 * the fragment's offset and more-fragments flag, for fragments.ts to reassemble.
 */

import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from "./link.js";

/** One decoded IP header. Reused between packets: no allocation per packet. */
export interface IpHeader {
  /** 4 or 6. */
  version: number;
  /** Offset of the source address in the buffer (4 bytes for IPv4, 16 for IPv6). */
  src: number;
  /** Offset of the destination address. */
  dst: number;
  /** Upper-layer protocol number (6 TCP, 17 UDP, 4 IPv4-in-IP, 41 IPv6-in-IP, 47 GRE, ...). */
  protocol: number;
  /** Offset of the upper-layer header. */
  payload: number;
  /** End of the upper-layer data: the smaller of the IP length and the captured bytes. */
  end: number;
  /** -1 when the packet is not a fragment; else its identification (16 bits IPv4, 32 bits IPv6). */
  fragId: number;
  /** Offset of the fragment's data in the original datagram's payload, in bytes. */
  fragOffset: number;
  /** More-fragments flag. */
  moreFragments: boolean;
}

/** IPv6 extension headers walked over: hop-by-hop, routing, destination options, mobility, HIP, shim6. */
const IPV6_EXT_8 = new Set([0, 43, 60, 135, 139, 140]);
const MAX_EXT_HEADERS = 16;

/**
 * Decode the IP header at `buf[offset, end)` given the link layer's ethertype into `out` (reused:
 * no allocation). Returns false for a malformed header or ESP / no-next-header. A fragment
 * (IPv4 MF flag or offset, IPv6 fragment header) decodes with `out.fragId` >= 0: its payload is a
 * piece of the upper-layer datagram, not a header. Never reads outside the range.
 */
export function decodeIp(buf: Buffer, offset: number, end: number, ethertype: number, out: IpHeader): boolean {
  if (ethertype === ETHERTYPE_IPV4) {
    if (offset + 20 > end) return false;
    const vihl = buf[offset]!;
    if (vihl >> 4 !== 4) return false;
    const ihl = (vihl & 0x0f) * 4;
    if (ihl < 20 || offset + ihl > end) return false;
    const total = buf.readUInt16BE(offset + 2);
    const frag = buf.readUInt16BE(offset + 6);
    let stop = end;
    if (total !== 0) {
      // total 0 is TCP segmentation offload on the capturing host: trust the captured length.
      if (total < ihl) return false;
      if (offset + total < end) stop = offset + total;
    }
    out.version = 4;
    out.src = offset + 12;
    out.dst = offset + 16;
    out.protocol = buf[offset + 9]!;
    out.payload = offset + ihl;
    out.end = stop;
    if ((frag & 0x3fff) !== 0) {
      out.fragId = buf.readUInt16BE(offset + 4);
      out.fragOffset = (frag & 0x1fff) * 8;
      out.moreFragments = (frag & 0x2000) !== 0;
    } else out.fragId = -1;
    return true;
  }
  if (ethertype === ETHERTYPE_IPV6) {
    if (offset + 40 > end) return false;
    if (buf[offset]! >> 4 !== 6) return false;
    const plen = buf.readUInt16BE(offset + 4);
    let stop = end;
    if (plen !== 0 && offset + 40 + plen < end) stop = offset + 40 + plen; // 0: jumbogram or offload
    let next = buf[offset + 6]!;
    let p = offset + 40;
    out.fragId = -1;
    for (let i = 0; i < MAX_EXT_HEADERS; i++) {
      if (IPV6_EXT_8.has(next)) {
        if (p + 2 > stop) return false;
        const len = (buf[p + 1]! + 1) * 8;
        next = buf[p]!;
        p += len;
      } else if (next === 44) {
        // Fragment header (RFC 8200 §4.5): 8 bytes; offset in the upper 13 bits of bytes 2-3.
        if (p + 8 > stop) return false;
        const fo = buf.readUInt16BE(p + 2);
        out.fragOffset = (fo >> 3) * 8;
        out.moreFragments = (fo & 1) !== 0;
        out.fragId = buf.readUInt32BE(p + 4);
        next = buf[p]!;
        p += 8;
        break; // what follows is the fragmentable part: a piece of the datagram, not headers to walk
      } else if (next === 51) {
        // Authentication header (RFC 4302 §2.2): length in 4-byte units, minus 2.
        if (p + 2 > stop) return false;
        const len = (buf[p + 1]! + 2) * 4;
        next = buf[p]!;
        p += len;
      } else break;
      if (p > stop) return false;
    }
    if (p > stop) return false;
    if (out.fragId < 0 && (next === 50 || next === 59 || IPV6_EXT_8.has(next) || next === 44 || next === 51)) return false;
    out.version = 6;
    out.src = offset + 8;
    out.dst = offset + 24;
    out.protocol = next;
    out.payload = p;
    out.end = stop;
    return true;
  }
  return false;
}

/** Dotted-quad text of the IPv4 address at `buf[offset, offset+4)`. */
export function ipv4Text(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/**
 * RFC 5952 §4 text of the IPv6 address at `buf[offset, offset+16)`: lower-case hex, leading zeros
 * dropped, the longest run (first on a tie) of two or more zero groups written `::`.
 */
export function ipv6Text(buf: Buffer, offset: number): string {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const zero = buf[offset + 2 * i] === 0 && buf[offset + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    s += buf.readUInt16BE(offset + 2 * i).toString(16);
    if (i < 7) s += ":";
  }
  return s;
}

/** Text of an address of the given IP version at `buf[offset]`. */
export function ipText(buf: Buffer, offset: number, version: number): string {
  return version === 4 ? ipv4Text(buf, offset) : ipv6Text(buf, offset);
}
