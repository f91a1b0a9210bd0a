/**
 * Encapsulations stepped over to reach an inner packet or the first client bytes. Each function
 * takes the bytes `buf[p, end)` after the outer header and returns the offset of what is inside,
 * or -1 when the bytes are not that encapsulation (skipProxyHeader: `p` when there is no PROXY
 * header); none reads outside the range.
 *
 * - GRE: RFC 2784 §2.1 (https://www.rfc-editor.org/rfc/rfc2784#section-2.1), key and sequence
 *   fields of RFC 2890 §2; enhanced GRE (version 1) of PPTP, RFC 2637 §4.1
 *   (https://www.rfc-editor.org/rfc/rfc2637#section-4.1), with a PPP frame inside.
 * - VXLAN: RFC 7348 §5 (https://www.rfc-editor.org/rfc/rfc7348#section-5), UDP 4789.
 * - Geneve: RFC 8926 §3.4 (https://www.rfc-editor.org/rfc/rfc8926#section-3.4), UDP 6081.
 * - GTP-U: 3GPP TS 29.281 §5, UDP 2152.
 * - CAPWAP data channel: RFC 5415 §4.3 (https://www.rfc-editor.org/rfc/rfc5415#section-4.3), UDP
 *   5247, with 802.11 frames (RFC 5416) or Ethernet frames inside.
 * - PROXY protocol v1/v2: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt.
 */

export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
export const GTPU_PORT = 2152;
export const CAPWAP_DATA_PORT = 5247;

/** What a CAPWAP data packet carries (see {@link capwapInner}). */
export const CAPWAP_IEEE802_11 = 1;
export const CAPWAP_ETHERNET = 2;

/**
 * A CAPWAP data packet (RFC 5415 §4.3) at `buf[p, end)`: preamble version 0 and type 0 (type 1 is
 * a DTLS-protected packet, not read), then HLEN (header length in 4-byte words), RID, WBID, the T
 * flag (native frame of the wireless binding) and F (fragment). Returns what the payload is,
 * {@link CAPWAP_IEEE802_11} (T set, binding 1: IEEE 802.11) or {@link CAPWAP_ETHERNET} (T clear:
 * an IEEE 802.3 frame), and puts its offset in `at[0]`; 0 for anything else (fragments included).
 */
export function capwapInner(buf: Buffer, p: number, end: number, at: number[]): number {
  if (p + 8 > end || buf[p] !== 0) return 0;
  const v = (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
  const hlen = (v >> 19) * 4;
  const wbid = (v >> 9) & 0x1f;
  const native = (v >> 8) & 1;
  const fragment = (v >> 7) & 1;
  if (hlen < 8 || p + hlen >= end || fragment) return 0;
  at[0] = p + hlen;
  if (!native) return CAPWAP_ETHERNET;
  return wbid === 1 ? CAPWAP_IEEE802_11 : 0;
}

/** GRE version 0: offset of the payload (whose ethertype is at `p + 2`), past optional checksum, key, sequence. */
export function greInner(buf: Buffer, p: number, end: number): number {
  if (p + 4 > end) return -1;
  const flags = buf.readUInt16BE(p);
  if ((flags & 7) !== 0) return -1; // version 0 only
  let q = p + 4;
  if (flags & 0x8000) q += 4; // checksum + reserved
  if (flags & 0x2000) q += 4; // key
  if (flags & 0x1000) q += 4; // sequence number
  return q < end ? q : -1;
}

/** GRE protocol type of PPP (RFC 2637 §4.1). */
export const GRE_PPP = 0x880b;

/**
 * Enhanced GRE (version 1, PPTP; RFC 2637 §4.1) at `buf[p, end)`: flags with the key bit set,
 * protocol type 0x880B, the key field holding the payload length (16 bits) and the call ID, then
 * the optional sequence number (S bit) and acknowledgment number (A bit, 0x0080). Returns the
 * offset of the PPP frame, which ends at `min(end, offset + payload length)` (the length is at
 * `p + 4`), or -1 when this is not such a packet or it carries no payload (an acknowledgment only).
 */
export function greV1Inner(buf: Buffer, p: number, end: number): number {
  if (p + 8 > end) return -1;
  const flags = buf.readUInt16BE(p);
  if ((flags & 7) !== 1 || (flags & 0x2000) === 0 || buf.readUInt16BE(p + 2) !== GRE_PPP) return -1;
  let q = p + 8;
  if (flags & 0x1000) q += 4; // sequence number
  if (flags & 0x0080) q += 4; // acknowledgment number
  return buf.readUInt16BE(p + 4) > 0 && q < end ? q : -1;
}

/** VXLAN: 8-byte header with the I flag (0x08) set, then an Ethernet frame. */
export function vxlanInner(buf: Buffer, p: number, end: number): number {
  return p + 8 < end && (buf[p]! & 0x08) !== 0 ? p + 8 : -1;
}

/** Geneve version 0: 8-byte header plus options (length in 4-byte units); protocol type at `p + 2`. */
export function geneveInner(buf: Buffer, p: number, end: number): number {
  if (p + 8 > end || buf[p]! >> 6 !== 0) return -1;
  const q = p + 8 + (buf[p]! & 0x3f) * 4;
  return q < end ? q : -1;
}

/**
 * Start of the inner packet of a GTP-U G-PDU at `buf[p, end)` (3GPP TS 29.281 §5.1-5.2: version 1,
 * protocol type 1, message type 255; optional sequence number / N-PDU / extension header chain),
 * or -1 when it is not one.
 */
export function gtpInner(buf: Buffer, p: number, end: number): number {
  if (p + 8 > end) return -1;
  const flags = buf[p]!;
  if (flags >> 5 !== 1 || (flags & 0x10) === 0 || buf[p + 1] !== 0xff) return -1;
  let q = p + 8;
  if (flags & 0x07) {
    if (q + 4 > end) return -1;
    let next = (flags & 0x04) !== 0 ? buf[q + 3]! : 0;
    q += 4;
    for (let i = 0; next !== 0 && i < 16; i++) {
      if (q >= end) return -1;
      const len = buf[q]! * 4;
      if (len === 0 || q + len > end) return -1;
      next = buf[q + len - 1]!;
      q += len;
    }
  }
  return q < end ? q : -1;
}

const PROXY_V2_SIGNATURE = Buffer.from("0d0a0d0a000d0a515549540a", "hex");

/** Offset after a PROXY protocol v1 (`PROXY ...\r\n`) or v2 header at `buf[p]`, or `p` when there is none. */
export function skipProxyHeader(buf: Buffer, p: number, end: number): number {
  if (p + 16 > end) return p;
  if (buf[p] === 0x50 && buf.toString("latin1", p, p + 6) === "PROXY ") {
    const stop = Math.min(end, p + 108);
    for (let i = p + 6; i + 1 < stop; i++) if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return i + 2;
    return p;
  }
  if (buf[p] === 0x0d && buf.compare(PROXY_V2_SIGNATURE, 0, 12, p, p + 12) === 0) {
    const q = p + 16 + buf.readUInt16BE(p + 14);
    return q <= end ? q : p;
  }
  return p;
}
