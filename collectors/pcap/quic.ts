/**
 * QUIC Initial packets: the client's ClientHello, decrypted, for its SNI and ALPN; and the CHLO of
 * Google QUIC (gQUIC) for its SNI and user agent.
 *
 * IETF QUIC (v1, RFC 9000/9001; v2, RFC 9369; drafts 22-34 and their Facebook mvfst and Google
 * T050/T051 relatives):
 * 1. Long header (RFC 9000 §17.2, https://www.rfc-editor.org/rfc/rfc9000#section-17.2): version,
 *    DCID, SCID, token, length; the Initial type is 0b00 in v1 and 0b01 in v2 (RFC 9369 §3.2,
 *    https://www.rfc-editor.org/rfc/rfc9369#section-3.2). Several packets may share a datagram
 *    (RFC 9000 §12.2): the length field steps from one to the next.
 * 2. Keys from the DCID (RFC 9001 §5.2, https://www.rfc-editor.org/rfc/rfc9001#section-5.2):
 *    `initial_secret = HKDF-Extract(salt, DCID)`, `client_initial_secret = HKDF-Expand-Label(
 *    initial_secret, "client in", "", 32)`, then key/iv/hp with the labels "quic key"/"quic iv"/
 *    "quic hp" ("quicv2 ..." in v2, RFC 9369 §3.3.2). The salt depends on the version.
 * 3. Header protection removed (RFC 9001 §5.4): AES-128-ECB of the 16-byte sample 4 bytes after
 *    the packet number offset gives the mask for the low 4 bits of the first byte and the packet
 *    number bytes.
 * 4. Payload decrypted (RFC 9001 §5.3): AES-128-GCM, nonce = iv XOR packet number, AAD = the
 *    unprotected header; a packet that does not authenticate is ignored (a server's Initial, which
 *    uses the server keys, or something that only looks like QUIC).
 * 5. CRYPTO frames (RFC 9000 §19.6) gathered by offset per client flow (4-tuple), across packets
 *    and datagrams, in any order, until the ClientHello handshake message is whole (Chromium splits
 *    it over several frames and packets, and reorders them). After the client switches to the
 *    server's connection ID its Initial keys stay those of its first DCID (RFC 9001 §5.2), so a
 *    flow remembers the keys that worked.
 *
 * gQUIC (Q039-Q046 in clear, Q050 encrypted like an IETF Initial with its own salt): the
 * handshake message `CHLO` (QUIC Crypto, https://docs.google.com/document/d/1g5nIXAIkN_Y-7XJW5K45IblHd_L2f5LTaDUDwvZ5L6g)
 * is a tag/value map whose `SNI\0` and `UAID` tags give the server name and the user agent.
 *
 * Bounded: {@link MAX_FLOWS} flows, {@link MAX_CRYPTO_BYTES} gathered per flow, {@link MAX_KEY_SETS}
 * derived key sets kept; a datagram whose first byte is not a long header costs one comparison.
 */

import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import type { Cipheriv } from "node:crypto";

import { asciiText } from "./text.js";
import { parseClientHelloMessage } from "./tls.js";
import type { ClientHello } from "./tls.js";

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
const GQUIC_Q050 = 0x51303530;
const GQUIC_T050 = 0x54303530;
const GQUIC_T051 = 0x54303531;

/** Client flows whose CRYPTO data is being gathered (or is done, to drop retransmissions). */
export const MAX_FLOWS = 1024;
/** CRYPTO bytes gathered per flow: a ClientHello with post-quantum key shares and ECH is ~2-3 KB. */
export const MAX_CRYPTO_BYTES = 16 * 1024;
/** Derived Initial key sets kept, by version and DCID. */
export const MAX_KEY_SETS = 256;
/** Coalesced packets looked at per datagram. */
const MAX_PACKETS_PER_DATAGRAM = 8;
/** CRYPTO fragments held per flow (their ranges are merged as they come). */
const MAX_RANGES = 64;

const hex = (s: string): Buffer => Buffer.from(s, "hex");
/** Initial salts: RFC 9001 §5.2, RFC 9369 §3.3.1, and the drafts as Wireshark 4.0 has them. */
const SALT_V1 = hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
const SALT_V2 = hex("0dede3def700a6db819381be6e269dcbf9bd2ed9");
const SALT_DRAFT_22 = hex("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a");
const SALT_DRAFT_23 = hex("c3eef712c72ebb5a11a7d2432bb46365bef9f502");
const SALT_DRAFT_29 = hex("afbfec289993d24c9e9786f19c6111e04390a899");
const SALT_Q050 = hex("504574efd066fe2f9d945cfcdbd3a7f0d3b56b45");
const SALT_T050 = hex("7ff579e5acd072915580304c43a2367c60488310");
const SALT_T051 = hex("7a4edef4e7ccee5fa4506c19124fc8ccda6e033d");

/**
 * The Initial salt of a QUIC version, or null when the version is not one whose Initial packets we
 * can decrypt: v1, v2, drafts 21-34 (0xff0000xx), mvfst (0xfaceb001 = draft 22, 0xfaceb002 and
 * 0xfaceb00e = draft 27), Google Q050/T050/T051, and the version-negotiation grease pattern
 * 0x?a?a?a?a (decrypted as draft 29, as Wireshark does).
 */
export function initialSalt(version: number): Buffer | null {
  if (version === QUIC_V1) return SALT_V1;
  if (version === QUIC_V2) return SALT_V2;
  if (version >>> 8 === 0xff0000) {
    const d = version & 0xff;
    if (d < 21 || d > 34) return null;
    return d <= 22 ? SALT_DRAFT_22 : d <= 28 ? SALT_DRAFT_23 : d <= 32 ? SALT_DRAFT_29 : SALT_V1;
  }
  switch (version) {
    case 0xfaceb001:
      return SALT_DRAFT_22;
    case 0xfaceb002:
    case 0xfaceb00e:
      return SALT_DRAFT_23;
    case GQUIC_Q050:
      return SALT_Q050;
    case GQUIC_T050:
      return SALT_T050;
    case GQUIC_T051:
      return SALT_T051;
  }
  if ((version & 0x0f0f0f0f) === 0x0a0a0a0a) return SALT_DRAFT_29;
  return null;
}

/** True for a version whose Initial packet type is 0b01 and labels are "quicv2 ..." (RFC 9369). */
function isV2(version: number): boolean {
  return version === QUIC_V2;
}

/** HKDF-Extract (RFC 5869 §2.2, https://www.rfc-editor.org/rfc/rfc5869#section-2.2) with SHA-256. */
export function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac("sha256", salt).update(ikm).digest();
}

/**
 * HKDF-Expand-Label (RFC 8446 §7.1, https://www.rfc-editor.org/rfc/rfc8446#section-7.1) with
 * SHA-256 and an empty context: `length` (at most 32) bytes of `HKDF-Expand(secret,
 * HkdfLabel(length, "tls13 " + label, ""))`. `node:crypto`'s hkdfSync always extracts first, so
 * this is written with HMAC.
 */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // counter of the first (and only) block
  return createHmac("sha256", secret).update(info).digest().subarray(0, length);
}

/** The client's Initial packet protection keys (RFC 9001 §5.1-5.2): AES-128 key, 12-byte IV, header protection key. */
export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/**
 * Derive the client's Initial keys for `version` from the Destination Connection ID of its first
 * Initial packet (RFC 9001 §5.2 and Appendix A.1; RFC 9369 §3.3 and Appendix A.1). Null when the
 * version is not one {@link initialSalt} knows.
 */
export function clientInitialKeys(version: number, dcid: Buffer): InitialKeys | null {
  const salt = initialSalt(version);
  if (salt === null) return null;
  const secret = hkdfExpandLabel(hkdfExtract(salt, dcid), "client in", 32);
  const v2 = isV2(version);
  return {
    key: hkdfExpandLabel(secret, v2 ? "quicv2 key" : "quic key", 16),
    iv: hkdfExpandLabel(secret, v2 ? "quicv2 iv" : "quic iv", 12),
    hp: hkdfExpandLabel(secret, v2 ? "quicv2 hp" : "quic hp", 16),
  };
}

/** Keys plus the header protection cipher made once for them. */
interface KeySet extends InitialKeys {
  hpCipher: Cipheriv;
}

function keySet(keys: InitialKeys): KeySet {
  const hpCipher = createCipheriv("aes-128-ecb", keys.hp, null);
  hpCipher.setAutoPadding(false);
  return { ...keys, hpCipher };
}

/** Offset just after the varint read by the last {@link varint} call. */
let varEnd = 0;

/**
 * The QUIC variable-length integer (RFC 9000 §16, https://www.rfc-editor.org/rfc/rfc9000#section-16)
 * at `buf[p]`, or -1 when it does not fit before `end`; sets {@link varEnd}. Values above 2^53 lose
 * precision (no length or offset in a capture comes near).
 */
export function varint(buf: Buffer, p: number, end: number): number {
  if (p >= end) return -1;
  const b = buf[p]!;
  const len = 1 << (b >> 6);
  if (p + len > end) return -1;
  let v = b & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + buf[p + i]!;
  varEnd = p + len;
  return v;
}

/** The 32-bit version of a long-header packet at `buf[p]`, or -1 when the datagram does not start with one. */
function longHeaderVersion(buf: Buffer, p: number, end: number): number {
  if (p + 7 > end || (buf[p]! & 0x80) === 0) return -1;
  return buf.readUInt32BE(p + 1);
}

/**
 * Cheap pre-filter: true when the UDP payload `buf[p, end)` starts with a QUIC long header of a
 * version we decrypt, or looks like a gQUIC packet (public header with a `Q0dd` version, or a long
 * header with one).
 */
export function looksLikeQuic(buf: Buffer, p: number, end: number): boolean {
  const version = longHeaderVersion(buf, p, end);
  if (version >= 0 && (initialSalt(version) !== null || isGquicVersion(version))) return true;
  return gquicPublicHeader(buf, p, end);
}

/** "Q0dd" as a 32-bit big-endian number. */
function isGquicVersion(v: number): boolean {
  return v >>> 16 === 0x5130 && (v >>> 8 & 0xff) >= 0x30 && (v >>> 8 & 0xff) <= 0x39 && (v & 0xff) >= 0x30 && (v & 0xff) <= 0x39;
}

/**
 * gQUIC public header (Q039-Q043) from a client: flags with the version bit (0x01) and an 8-byte
 * connection ID (0x08), then the version `Q0dd`.
 */
function gquicPublicHeader(buf: Buffer, p: number, end: number): boolean {
  if (p + 13 > end) return false;
  const flags = buf[p]!;
  if ((flags & 0x81) !== 0x01 || (flags & 0x08) === 0) return false;
  return isGquicVersion(buf.readUInt32BE(p + 9));
}

const CHLO = 0x43484c4f; // "CHLO"
const TAG_SNI = 0x534e4900; // "SNI\0"
const TAG_UAID = 0x55414944; // "UAID"
const MAX_CHLO_TAGS = 64;

/** What a gQUIC CHLO gives. */
export interface GquicHello {
  sni?: string;
  userAgent?: string;
}

/**
 * Find a gQUIC `CHLO` handshake message in `buf[p, end)` and read its `SNI\0` and `UAID` tags:
 * tag (4), number of entries (2, little-endian), padding (2), then per entry a tag and the
 * little-endian end offset of its value, then the values. A value cut by `end` is not used. Null
 * when there is no CHLO.
 */
export function parseChlo(buf: Buffer, p: number, end: number): GquicHello | null {
  let q = -1;
  for (let i = p; i + 8 <= end; i++) {
    if (buf[i] === 0x43 && buf.readUInt32BE(i) === CHLO) {
      q = i;
      break;
    }
  }
  if (q < 0) return null;
  const n = Math.min(buf.readUInt16LE(q + 4), MAX_CHLO_TAGS);
  const values = q + 8 + 8 * n;
  const out: GquicHello = {};
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const e = q + 8 + 8 * i;
    if (e + 8 > end) break;
    const tag = buf.readUInt32BE(e);
    const stop = buf.readUInt32LE(e + 4);
    if (stop < prev) break;
    const a = values + prev;
    const b = values + stop;
    prev = stop;
    if (b > end) continue;
    if (tag === TAG_SNI) out.sni = asciiText(buf, a, b);
    else if (tag === TAG_UAID) out.userAgent = asciiText(buf, a, b);
  }
  return out;
}

/** Where and when a packet was seen: the frame reported for what it completes. */
export interface At {
  frame: number;
  offset: number;
  timeMs: number;
}

/** A client flow's Initial handshake, gathered. */
export interface QuicHello {
  /** Client and server addresses as text, server port. */
  client: string;
  server: string;
  port: number;
  /** QUIC version of the packets (0x00000001, 0x6b3343cf, 0x51303530, ...). */
  version: number;
  /** Frame, record offset and time of the packet that completed it (or last added to it). */
  frame: number;
  offset: number;
  timeMs: number;
  /** The ClientHello of IETF QUIC (and T050/T051); null for gQUIC or when not parseable. */
  hello: ClientHello | null;
  /** The CHLO of gQUIC; null for IETF QUIC. */
  chlo: GquicHello | null;
}

const EMPTY = Buffer.alloc(0);

/** One client flow (4-tuple) whose CRYPTO stream is being gathered. */
interface Flow {
  client: string;
  server: string;
  port: number;
  version: number;
  keys: KeySet | null;
  data: Buffer;
  /** Merged byte ranges held, [start0, end0, start1, end1, ...], sorted. */
  ranges: number[];
  done: boolean;
  frame: number;
  offset: number;
  timeMs: number;
}

/**
 * The Initial packets of one capture: feed each UDP datagram that {@link looksLikeQuic} with
 * {@link datagram}; completed handshakes come back from it, flows still open at the end from
 * {@link drain}.
 */
export class QuicInitials {
  private readonly keys = new Map<string, KeySet>();
  private readonly flows = new Map<string, Flow>();
  /** The unprotected header (AAD) of the packet being decrypted: long enough for a retry token. */
  private readonly header = Buffer.alloc(2048);
  private readonly nonce = Buffer.alloc(12);
  /** Flows pushed out of the table before completing: reported by the next {@link datagram} call's caller through {@link evicted}. */
  readonly evicted: QuicHello[] = [];

  /**
   * One UDP datagram `buf[p, end)` from `client:sport` to `server:port`. Returns the handshake it
   * completed, or null. A datagram going the other way of a flow whose Initial packets we
   * decrypted is the server's and is not tried. Never throws.
   */
  datagram(buf: Buffer, p: number, end: number, client: string, sport: number, server: string, port: number, at: At): QuicHello | null {
    const flowKey = `${client}|${sport}|${server}|${port}`;
    if (!this.flows.has(flowKey) && this.flows.has(`${server}|${port}|${client}|${sport}`)) return null;
    if (gquicPublicHeader(buf, p, end)) {
      const chlo = parseChlo(buf, p, end);
      if (chlo === null) return null;
      return this.once(flowKey, client, server, port, buf.readUInt32BE(p + 9), at, null, chlo);
    }
    let result: QuicHello | null = null;
    for (let i = 0; i < MAX_PACKETS_PER_DATAGRAM && p < end; i++) {
      const version = longHeaderVersion(buf, p, end);
      if (version < 0) break;
      if (isGquicVersion(version) && version !== GQUIC_Q050) {
        // Q046 (long header, CHLO in clear).
        const chlo = parseChlo(buf, p, end);
        return chlo === null ? null : this.once(flowKey, client, server, port, version, at, null, chlo);
      }
      const next = this.packet(buf, p, end, version, flowKey, client, server, port, at);
      if (next.hello !== null) result = next.hello;
      if (next.end <= p) break;
      p = next.end;
    }
    return result;
  }

  /** Flows still open, with what they gathered (end of capture); the table is emptied. */
  drain(): QuicHello[] {
    const out: QuicHello[] = [];
    for (const f of this.flows.values()) if (!f.done && f.ranges.length > 0) out.push(this.result(f));
    this.flows.clear();
    return out;
  }

  /** A handshake seen whole in one packet (gQUIC in clear): reported once per flow. */
  private once(flowKey: string, client: string, server: string, port: number, version: number, at: At, hello: ClientHello | null, chlo: GquicHello | null): QuicHello | null {
    const f = this.flow(flowKey, client, server, port, version);
    if (f.done) return null;
    f.done = true;
    return { client, server, port, version, frame: at.frame, offset: at.offset, timeMs: at.timeMs, hello, chlo };
  }

  private flow(flowKey: string, client: string, server: string, port: number, version: number): Flow {
    let f = this.flows.get(flowKey);
    if (f !== undefined) return f;
    if (this.flows.size >= MAX_FLOWS) {
      for (const [k, old] of this.flows) {
        this.flows.delete(k);
        if (!old.done && old.ranges.length > 0) this.evicted.push(this.result(old));
        break;
      }
    }
    f = { client, server, port, version, keys: null, data: Buffer.alloc(0), ranges: [], done: false, frame: 0, offset: 0, timeMs: 0 };
    this.flows.set(flowKey, f);
    return f;
  }

  private keysFor(version: number, buf: Buffer, dcid: number, dcidLen: number): KeySet | null {
    const id = `${version}:${buf.toString("hex", dcid, dcid + dcidLen)}`;
    let k = this.keys.get(id);
    if (k === undefined) {
      const keys = clientInitialKeys(version, buf.subarray(dcid, dcid + dcidLen));
      if (keys === null) return null;
      k = keySet(keys);
      if (this.keys.size >= MAX_KEY_SETS) for (const old of this.keys.keys()) {
        this.keys.delete(old);
        break;
      }
      this.keys.set(id, k);
    }
    return k;
  }

  /**
   * One long-header packet at `buf[p, end)`: decrypt it when it is an Initial and feed its CRYPTO
   * frames to its flow. Returns the end of the packet (to step to a coalesced one; `p` when its
   * length cannot be read) and the handshake it completed.
   */
  private packet(buf: Buffer, p: number, end: number, version: number, flowKey: string, client: string, server: string, port: number, at: At): { end: number; hello: QuicHello | null } {
    const none = { end: p, hello: null };
    if (initialSalt(version) === null) return none;
    const first = buf[p]!;
    let q = p + 5;
    const dcidLen = buf[q]!;
    if (dcidLen > 20 || q + 1 + dcidLen >= end) return none;
    const dcid = q + 1;
    q = dcid + dcidLen;
    const scidLen = buf[q]!;
    if (scidLen > 20) return none;
    q += 1 + scidLen;
    const type = (first >> 4) & 3;
    const initial = isV2(version) ? type === 1 : type === 0;
    const retry = isV2(version) ? type === 0 : type === 3;
    if (retry) return { end, hello: null };
    if (initial) {
      const tokenLen = varint(buf, q, end);
      if (tokenLen < 0 || varEnd + tokenLen > end) return none;
      q = varEnd + tokenLen;
    }
    const length = varint(buf, q, end);
    if (length < 0) return none;
    const pn = varEnd;
    const packetEnd = Math.min(pn + length, end);
    const result = { end: pn + length <= end ? pn + length : end, hello: null as QuicHello | null };
    if (!initial || length < 20 || pn + 20 > end || pn - p > this.header.length - 4) return result;

    let f = this.flows.get(flowKey);
    if (f !== undefined && f.done) return result;
    let plain: Buffer | null = null;
    if (f !== undefined && f.keys !== null) plain = this.decrypt(buf, p, pn, packetEnd, first, f.keys);
    let keys: KeySet | null = null;
    if (plain === null) {
      keys = this.keysFor(version, buf, dcid, dcidLen);
      if (keys !== null && keys !== f?.keys) plain = this.decrypt(buf, p, pn, packetEnd, first, keys);
    }
    if (plain === null) return result;
    f ??= this.flow(flowKey, client, server, port, version);
    if (keys !== null) f.keys = keys;
    f.frame = at.frame;
    f.offset = at.offset;
    f.timeMs = at.timeMs;
    if (version === GQUIC_Q050) {
      const chlo = parseChlo(plain, 0, plain.length);
      if (chlo !== null) {
        f.done = true;
        result.hello = { client, server, port, version, frame: at.frame, offset: at.offset, timeMs: at.timeMs, hello: null, chlo };
      }
      return result;
    }
    this.frames(f, plain);
    if (this.complete(f)) {
      f.done = true;
      result.hello = this.result(f);
      // Keep only the tombstone (to drop retransmissions), not the bytes.
      f.data = EMPTY;
      f.ranges = [];
      f.keys = null;
    }
    return result;
  }

  /**
   * Remove header protection and decrypt the packet `buf[p, packetEnd)` whose packet number starts
   * at `pn`; the plaintext payload, or null when it does not authenticate. The capture buffer is
   * not modified (the header is unprotected in a copy).
   */
  private decrypt(buf: Buffer, p: number, pn: number, packetEnd: number, first: number, k: KeySet): Buffer | null {
    const sample = pn + 4;
    if (sample + 16 > packetEnd) return null;
    const mask = k.hpCipher.update(buf.subarray(sample, sample + 16));
    if (mask.length < 5) return null;
    const unmasked = first ^ (mask[0]! & 0x0f);
    const pnLen = (unmasked & 3) + 1;
    const hlen = pn - p + pnLen;
    if (pn + pnLen + 16 > packetEnd || hlen > this.header.length) return null;
    const header = this.header;
    buf.copy(header, 0, p, pn);
    header[0] = unmasked;
    let number = 0;
    for (let i = 0; i < pnLen; i++) {
      const b = buf[pn + i]! ^ mask[1 + i]!;
      header[pn - p + i] = b;
      number = number * 256 + b;
    }
    const nonce = this.nonce;
    k.iv.copy(nonce);
    for (let i = 0; i < 4; i++) nonce[11 - i]! ^= (number >>> (8 * i)) & 0xff;
    try {
      const d = createDecipheriv("aes-128-gcm", k.key, nonce);
      d.setAAD(header.subarray(0, hlen));
      d.setAuthTag(buf.subarray(packetEnd - 16, packetEnd));
      const out = d.update(buf.subarray(pn + pnLen, packetEnd - 16));
      d.final();
      return out;
    } catch {
      return null;
    }
  }

  /**
   * The frames of a decrypted Initial payload (RFC 9000 §12.4: PADDING, PING, ACK, CRYPTO,
   * CONNECTION_CLOSE): CRYPTO data is copied into the flow; anything else stops the walk.
   */
  private frames(f: Flow, b: Buffer): void {
    let p = 0;
    const end = b.length;
    for (let i = 0; i < 256 && p < end; i++) {
      const type = b[p]!;
      if (type === 0x00) {
        p++;
        while (p < end && b[p] === 0) p++;
      } else if (type === 0x01) p++;
      else if (type === 0x02 || type === 0x03) {
        // ACK: largest, delay, range count, first range, then count x (gap, length), ECN counts for 0x03.
        let q = p + 1;
        if (varint(b, q, end) < 0 || varint(b, varEnd, end) < 0) return;
        const count = varint(b, varEnd, end);
        if (count < 0 || count > 256 || varint(b, varEnd, end) < 0) return;
        q = varEnd;
        for (let r = 0; r < 2 * count + (type === 0x03 ? 3 : 0); r++) {
          if (varint(b, q, end) < 0) return;
          q = varEnd;
        }
        p = q;
      } else if (type === 0x06 || type === 0x08) {
        // CRYPTO (0x06); gQUIC Q050 carries it as 0x08 and is not walked here.
        const off = varint(b, p + 1, end);
        if (off < 0) return;
        const len = varint(b, varEnd, end);
        if (len < 0 || varEnd + len > end) return;
        this.add(f, off, b, varEnd, varEnd + len);
        p = varEnd + len;
      } else if (type === 0x1c || type === 0x1d) {
        return;
      } else return;
    }
  }

  /** Copy CRYPTO bytes `src[a, b)` at stream offset `off` into the flow, clipped to {@link MAX_CRYPTO_BYTES}. */
  private add(f: Flow, off: number, src: Buffer, a: number, b: number): void {
    if (off >= MAX_CRYPTO_BYTES || b <= a) return;
    const stop = Math.min(off + (b - a), MAX_CRYPTO_BYTES);
    if (stop > f.data.length) {
      const bigger = Buffer.alloc(Math.min(MAX_CRYPTO_BYTES, Math.max(stop, 2 * f.data.length, 2048)));
      f.data.copy(bigger);
      f.data = bigger;
    }
    src.copy(f.data, off, a, a + (stop - off));
    // Merge [off, stop) into the sorted ranges.
    const r = f.ranges;
    let s = off;
    let e = stop;
    const merged: number[] = [];
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const rs = r[i]!;
      const re = r[i + 1]!;
      if (re < s) merged.push(rs, re);
      else if (rs > e) {
        if (!placed) {
          merged.push(s, e);
          placed = true;
        }
        merged.push(rs, re);
      } else {
        s = Math.min(s, rs);
        e = Math.max(e, re);
      }
    }
    if (!placed) merged.push(s, e);
    if (merged.length <= 2 * MAX_RANGES) f.ranges = merged;
  }

  /** Bytes held contiguously from offset 0. */
  private prefix(f: Flow): number {
    return f.ranges.length > 0 && f.ranges[0] === 0 ? f.ranges[1]! : 0;
  }

  /** True when the handshake message at offset 0 is whole (or cannot grow any more). */
  private complete(f: Flow): boolean {
    const n = this.prefix(f);
    if (n < 4) return false;
    const need = 4 + ((f.data[1]! << 16) | (f.data[2]! << 8) | f.data[3]!);
    return n >= need || n >= MAX_CRYPTO_BYTES;
  }

  private result(f: Flow): QuicHello {
    const n = this.prefix(f);
    const hello = n > 0 ? parseClientHelloMessage(f.data, 0, n) : null;
    return { client: f.client, server: f.server, port: f.port, version: f.version, frame: f.frame, offset: f.offset, timeMs: f.timeMs, hello, chlo: null };
  }
}
