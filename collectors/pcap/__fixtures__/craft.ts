/**
 * Test helpers that build packets and capture files byte by byte, so each unit test shows what it
 * feeds the collector. Checksums are left zero (nothing here verifies them, tshark neither by default).
 * The files in this folder were written with these helpers and checked with tshark 4.0.17; see
 * README.md beside this file.
 */

import { createCipheriv } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const u8 = (n: number): Buffer => Buffer.from([n & 0xff]);
export const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

export const MAC_A = Buffer.from("001122334455", "hex");
export const MAC_B = Buffer.from("66778899aabb", "hex");

/** Ethernet II frame, optionally with VLAN tags (TPID, VID) in front of the ethertype. */
export function eth(payload: Buffer, ethertype = 0x0800, tags: [number, number][] = []): Buffer {
  return cat(MAC_A, MAC_B, ...tags.map(([tpid, vid]) => cat(u16(tpid), u16(vid))), u16(ethertype), payload);
}

export function ipv4Addr(text: string): Buffer {
  return Buffer.from(text.split(".").map(Number));
}

/** IPv4 header (20 bytes) + payload. `frag` is the 16-bit flags+offset field, `id` the identification. */
export function ipv4(proto: number, payload: Buffer, src = "10.0.0.1", dst = "10.0.0.2", frag = 0, id = 1): Buffer {
  return cat(
    Buffer.from([0x45, 0]),
    u16(20 + payload.length),
    u16(id),
    u16(frag),
    Buffer.from([64, proto]),
    u16(0),
    ipv4Addr(src),
    ipv4Addr(dst),
    payload,
  );
}

/** IPv6 header + extension headers ({next, body} with body a multiple of 8 minus 2 bytes) + payload. */
export function ipv6(proto: number, payload: Buffer, src: Buffer, dst: Buffer, ext: { type: number; body: Buffer }[] = []): Buffer {
  // Chain: first header's type goes in the fixed header; each ext's next is the following one.
  const types = [...ext.map((e) => e.type), proto];
  const exts = ext.map((e, i) => {
    if (e.type === 44) return cat(u8(types[i + 1]!), e.body); // fragment header: next, reserved, offset/M, id
    return cat(u8(types[i + 1]!), u8((e.body.length + 2) / 8 - 1), e.body);
  });
  const rest = cat(...exts, payload);
  return cat(Buffer.from([0x60, 0, 0, 0]), u16(rest.length), u8(types[0]!), u8(64), src, dst, rest);
}

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  return cat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload);
}

/** TCP header (20 bytes, PSH+ACK unless `flags` given) + payload. */
export function tcp(sport: number, dport: number, payload: Buffer, seq = 1000, flags = 0x18): Buffer {
  return cat(u16(sport), u16(dport), u32(seq), u32(0), Buffer.from([0x50, flags]), u16(65535), u16(0), u16(0), payload);
}

/** A DNS name from raw labels (Buffers or ASCII strings), root-terminated. */
export function dnsName(labels: (string | Buffer)[]): Buffer {
  return cat(...labels.map((l) => (typeof l === "string" ? Buffer.from(l, "latin1") : l)).map((l) => cat(u8(l.length), l)), u8(0));
}

/** A DNS message: header + questions + answer records (already encoded). */
export function dnsMessage(opts: {
  id?: number;
  flags?: number;
  questions: { name: Buffer; type: number }[];
  answers?: Buffer[];
  additional?: Buffer[];
}): Buffer {
  const q = opts.questions.map((x) => cat(x.name, u16(x.type), u16(1)));
  return cat(
    u16(opts.id ?? 0x1234),
    u16(opts.flags ?? 0x0100),
    u16(opts.questions.length),
    u16(opts.answers?.length ?? 0),
    u16(0),
    u16(opts.additional?.length ?? 0),
    ...q,
    ...(opts.answers ?? []),
    ...(opts.additional ?? []),
  );
}

/** A resource record: owner name (encoded, may be a pointer), type, class IN, TTL 60, RDATA. */
export function rr(name: Buffer, type: number, rdata: Buffer): Buffer {
  return cat(name, u16(type), u16(1), u32(60), u16(rdata.length), rdata);
}

/** Compression pointer to `offset` in the message. */
export const ptr = (offset: number): Buffer => u16(0xc000 | offset);

/** A TLS extension: type, length, data. */
export const extension = (type: number, data: Buffer): Buffer => cat(u16(type), u16(data.length), data);

/** An outer encrypted_client_hello extension (0xfe0d, type 0): cipher suite, config id, enc, payload (draft-ietf-tls-esni-22 §5). */
export function echOuter(configId = 7): Buffer {
  return extension(0xfe0d, cat(u8(0), u16(1), u16(1), u8(configId), u16(32), Buffer.alloc(32, 0xee), u16(144), Buffer.alloc(144, 0xcc)));
}

/**
 * The ClientHello handshake message (no record layer) with server_name and ALPN extensions, an
 * optional padding extension and any extra extensions.
 */
export function clientHelloMessage(sni: string | Buffer | null, alpn: string[] = [], padding = 0, extra: Buffer[] = []): Buffer {
  return clientHello(sni, alpn, padding, extra).subarray(5);
}

/** A TLS 1.2-framed ClientHello record with server_name and ALPN extensions (and optional padding and extra extensions). */
export function clientHello(sni: string | Buffer | null, alpn: string[] = [], padding = 0, extra: Buffer[] = []): Buffer {
  const exts: Buffer[] = [...extra];
  if (sni !== null) {
    const name = typeof sni === "string" ? Buffer.from(sni, "latin1") : sni;
    const entry = cat(u8(0), u16(name.length), name);
    exts.push(cat(u16(0), u16(entry.length + 2), u16(entry.length), entry));
  }
  if (alpn.length > 0) {
    const list = cat(...alpn.map((a) => cat(u8(a.length), Buffer.from(a, "latin1"))));
    exts.push(cat(u16(16), u16(list.length + 2), u16(list.length), list));
  }
  if (padding > 0) exts.push(cat(u16(21), u16(padding), Buffer.alloc(padding)));
  const extBytes = cat(...exts);
  const body = cat(u16(0x0303), Buffer.alloc(32, 0x11), u8(0), u16(2), u16(0x1301), u8(1), u8(0), u16(extBytes.length), extBytes);
  const hs = cat(u8(1), u32(body.length).subarray(1), body);
  return cat(u8(22), u16(0x0301), u16(hs.length), hs);
}

export interface Record {
  data: Buffer;
  /** Seconds and fraction (µs, or ns for nanosecond files). */
  sec?: number;
  frac?: number;
  /** Original length when it differs from the captured one. */
  origLen?: number;
}

/** A classic pcap file (draft-ietf-opsawg-pcap): little-endian unless `bigEndian`, µs unless `nanos`. */
export function pcapFile(records: Record[], opts: { linkType?: number; nanos?: boolean; bigEndian?: boolean; snaplen?: number; version?: [number, number] } = {}): Buffer {
  const le = !opts.bigEndian;
  const w32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(n >>> 0);
    else b.writeUInt32BE(n >>> 0);
    return b;
  };
  const w16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(n);
    else b.writeUInt16BE(n);
    return b;
  };
  const [major, minor] = opts.version ?? [2, 4];
  const header = cat(
    w32(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4),
    w16(major),
    w16(minor),
    w32(0),
    w32(0),
    w32(opts.snaplen ?? 65535),
    w32(opts.linkType ?? 1),
  );
  return cat(
    header,
    ...records.map((r, i) =>
      cat(w32(r.sec ?? 1700000000 + i), w32(r.frac ?? 0), w32(r.data.length), w32(r.origLen ?? r.data.length), r.data),
    ),
  );
}

/** Writer for pcapng blocks in one byte order. */
export class Pcapng {
  constructor(readonly bigEndian = false) {}

  private w32(n: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.bigEndian) b.writeUInt32BE(n >>> 0);
    else b.writeUInt32LE(n >>> 0);
    return b;
  }

  private w16(n: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.bigEndian) b.writeUInt16BE(n);
    else b.writeUInt16LE(n);
    return b;
  }

  /** Any block: type, body (padded to 4), lengths on both sides. */
  block(type: number, body: Buffer): Buffer {
    const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
    const len = 12 + body.length + pad.length;
    return cat(this.w32(type), this.w32(len), body, pad, this.w32(len));
  }

  /** An option: code, length, value padded to 4. */
  option(code: number, value: Buffer): Buffer {
    return cat(this.w16(code), this.w16(value.length), value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }

  shb(): Buffer {
    return this.block(0x0a0d0d0a, cat(this.w32(0x1a2b3c4d), this.w16(1), this.w16(0), Buffer.alloc(8, 0xff)));
  }

  /** Interface description block; `tsresol` is the raw if_tsresol byte, `tsoffset` seconds. */
  idb(linkType: number, opts: { snaplen?: number; tsresol?: number; tsoffset?: bigint } = {}): Buffer {
    const options: Buffer[] = [];
    if (opts.tsresol !== undefined) options.push(this.option(9, u8(opts.tsresol)));
    if (opts.tsoffset !== undefined) {
      const b = Buffer.alloc(8);
      if (this.bigEndian) b.writeBigInt64BE(opts.tsoffset);
      else b.writeBigInt64LE(opts.tsoffset);
      options.push(this.option(14, b));
    }
    if (options.length > 0) options.push(this.option(0, Buffer.alloc(0)));
    return this.block(1, cat(this.w16(linkType), this.w16(0), this.w32(opts.snaplen ?? 0), ...options));
  }

  /** Enhanced packet block with a 64-bit timestamp in the interface's units. */
  epb(interfaceId: number, ts: bigint, data: Buffer): Buffer {
    return this.block(
      6,
      cat(this.w32(interfaceId), this.w32(Number(ts >> 32n)), this.w32(Number(ts & 0xffffffffn)), this.w32(data.length), this.w32(data.length), data),
    );
  }

  spb(data: Buffer): Buffer {
    return this.block(3, cat(this.w32(data.length), data));
  }
}

/** Linux cooked capture v1 header (LINKTYPE_LINUX_SLL, 16 bytes) + payload. */
export function sll(payload: Buffer, protocol = 0x0800): Buffer {
  return cat(u16(0), u16(1), u16(6), MAC_A, u16(0), u16(protocol), payload);
}

/** Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2, 20 bytes) + payload. */
export function sll2(payload: Buffer, protocol = 0x0800): Buffer {
  return cat(u16(protocol), u16(0), u32(2), u16(1), u8(0), u8(6), MAC_A, u16(0), payload);
}

/** BSD loopback: LINKTYPE_NULL (address family in the writer's byte order) or LINKTYPE_LOOP (network order). */
export function loopback(payload: Buffer, family: number, littleEndian: boolean): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(family);
  else h.writeUInt32BE(family);
  return cat(h, payload);
}

/** QUIC variable-length integer (RFC 9000 §16), in the shortest form unless `len` is given. */
export function varint(n: number, len?: number): Buffer {
  const l = len ?? (n < 64 ? 1 : n < 16384 ? 2 : n < 2 ** 30 ? 4 : 8);
  const b = Buffer.alloc(l);
  let v = n;
  for (let i = l - 1; i >= 0; i--) {
    b[i] = v % 256;
    v = Math.floor(v / 256);
  }
  b[0]! |= { 1: 0x00, 2: 0x40, 4: 0x80, 8: 0xc0 }[l]!;
  return b;
}

/** A QUIC CRYPTO frame (RFC 9000 §19.6). */
export const cryptoFrame = (offset: number, data: Buffer): Buffer => cat(u8(0x06), varint(offset), varint(data.length), data);

/**
 * A protected QUIC long-header packet (RFC 9001 §5.3-5.4, the way a sender builds it): `header`
 * ends with the packet number of `pnLen` bytes and a length field that already counts the payload,
 * the packet number and the 16-byte tag; `payload` is the plaintext frames.
 */
export function protectLongHeader(keys: { key: Buffer; iv: Buffer; hp: Buffer }, header: Buffer, payload: Buffer, pn: number, pnLen: number): Buffer {
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i]! ^= (pn >>> (8 * i)) & 0xff;
  const c = createCipheriv("aes-128-gcm", keys.key, nonce);
  c.setAAD(header);
  const sealed = cat(c.update(payload), c.final(), c.getAuthTag());
  const pnOffset = header.length - pnLen;
  const sample = sealed.subarray(4 - pnLen, 4 - pnLen + 16);
  const ecb = createCipheriv("aes-128-ecb", keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(sample);
  const out = cat(header, sealed);
  out[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLen; i++) out[pnOffset + i]! ^= mask[1 + i]!;
  return out;
}

/**
 * A client Initial packet: long header of `version` (type 0b00, or 0b01 for QUIC v2), `dcid`,
 * empty SCID unless given, a token, the frames padded with PADDING to `padTo` bytes of payload,
 * packet number `pn` in `pnLen` bytes, protected with `keys`.
 */
export function quicInitial(opts: {
  version: number;
  dcid: Buffer;
  scid?: Buffer;
  token?: Buffer;
  keys: { key: Buffer; iv: Buffer; hp: Buffer };
  frames: Buffer;
  padTo?: number;
  pn?: number;
  pnLen?: number;
}): Buffer {
  const pnLen = opts.pnLen ?? 4;
  const pn = opts.pn ?? 0;
  const payload = cat(opts.frames, Buffer.alloc(Math.max(0, (opts.padTo ?? 0) - opts.frames.length)));
  const type = opts.version === 0x6b3343cf ? 1 : 0;
  const first = 0xc0 | (type << 4) | (pnLen - 1);
  const token = opts.token ?? Buffer.alloc(0);
  const scid = opts.scid ?? Buffer.alloc(0);
  const pnBytes = Buffer.alloc(pnLen);
  for (let i = 0; i < pnLen; i++) pnBytes[pnLen - 1 - i] = (pn >>> (8 * i)) & 0xff;
  const header = cat(u8(first), u32(opts.version), u8(opts.dcid.length), opts.dcid, u8(scid.length), scid, varint(token.length), token, varint(payload.length + pnLen + 16, 2), pnBytes);
  return protectLongHeader(opts.keys, header, payload, pn, pnLen);
}

/** A temporary directory for files a test writes; `cleanup()` removes it. */
export function tempDir(): { path(name: string): string; write(name: string, data: Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-pcap-"));
  return {
    path: (name) => join(dir, name),
    write(name, data) {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** LLC/SNAP header (RFC 1042) with an ethertype, as 802.11 data frames carry it. */
export const llcSnap = (ethertype = 0x0800): Buffer => cat(Buffer.from("aaaa03000000", "hex"), u16(ethertype));

/**
 * An IEEE 802.11 MAC frame (IEEE Std 802.11-2020 §9.2-9.3): frame control (little-endian type,
 * subtype, flags), duration, three addresses (four with `toDs` and `fromDs`), sequence control,
 * QoS control for QoS subtypes (bit 7: A-MSDU), HT control with `htc` on a QoS frame, then `body`.
 */
export function wlanFrame(body: Buffer, opts: { type?: number; subtype?: number; toDs?: boolean; fromDs?: boolean; protected?: boolean; qos?: number; htc?: boolean } = {}): Buffer {
  const type = opts.type ?? 2;
  const subtype = opts.subtype ?? (opts.qos !== undefined ? 8 : 0);
  const fc0 = (subtype << 4) | (type << 2);
  const fc1 = (opts.toDs ? 1 : 0) | (opts.fromDs ? 2 : 0) | (opts.protected ? 0x40 : 0) | (opts.htc ? 0x80 : 0);
  const addrs = opts.toDs && opts.fromDs ? 4 : 3;
  const qos = subtype & 8 ? cat(u8(opts.qos ?? 0), u8(0), opts.htc ? Buffer.alloc(4) : Buffer.alloc(0)) : Buffer.alloc(0);
  const a = [MAC_A, MAC_B, Buffer.from("0a0b0c0d0e0f", "hex"), Buffer.from("101112131415", "hex")].slice(0, addrs);
  return cat(Buffer.from([fc0, fc1]), u16(0), ...a.slice(0, 3), u16(0x1230), ...a.slice(3), qos, body);
}

/**
 * A radiotap header (https://www.radiotap.org/) before `frame`: version 0, little-endian length,
 * present bitmap with TSFT (8 bytes, 8-aligned), Flags (0x10 when `fcs`: the frame ends with a
 * 4-byte FCS, appended here; 0x20 when `dataPad`: the caller padded the MAC header to 4 bytes) and
 * Rate.
 */
export function radiotap(frame: Buffer, fcs = false, dataPad = false): Buffer {
  const fields = cat(Buffer.alloc(8, 0x11), u8((fcs ? 0x10 : 0) | (dataPad ? 0x20 : 0)), u8(0x0c)); // TSFT, Flags, Rate
  const header = Buffer.alloc(8);
  header.writeUInt16LE(8 + fields.length, 2);
  header.writeUInt32LE(0x00000007, 4);
  return cat(header, fields, frame, fcs ? Buffer.from("deadbeef", "hex") : Buffer.alloc(0));
}

/** A 144-byte Prism monitoring header (msgcode 0x41, msglen 144 little-endian, device name) before `frame`. */
export function prism(frame: Buffer): Buffer {
  const h = Buffer.alloc(144);
  h.writeUInt32LE(0x41, 0);
  h.writeUInt32LE(144, 4);
  h.write("wlan0", 8, "latin1");
  return cat(h, frame);
}

/** A 64-byte AVS capture header, version 0x80211001 (big-endian), before `frame`. */
export function avs(frame: Buffer): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32BE(0x80211001, 0);
  h.writeUInt32BE(64, 4);
  return cat(h, frame);
}

/**
 * Enhanced GRE (version 1) of PPTP (RFC 2637 §4.1) with a PPP frame: key bit set, protocol 0x880B,
 * payload length and call ID, optional sequence and acknowledgment numbers.
 */
export function greV1(ppp: Buffer, opts: { seq?: number; ack?: number; callId?: number } = {}): Buffer {
  const flags = 0x2000 | (opts.seq !== undefined ? 0x1000 : 0) | (opts.ack !== undefined ? 0x0080 : 0) | 1;
  return cat(
    u16(flags),
    u16(0x880b),
    u16(ppp.length),
    u16(opts.callId ?? 7),
    opts.seq !== undefined ? u32(opts.seq) : Buffer.alloc(0),
    opts.ack !== undefined ? u32(opts.ack) : Buffer.alloc(0),
    ppp,
  );
}

/** An HTTP/2 frame (RFC 9113 §4.1): 24-bit length, type, flags, 31-bit stream identifier, payload. */
export function h2Frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  return cat(u32(payload.length).subarray(1), u8(type), u8(flags), u32(stream), payload);
}

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * An HPACK header block (RFC 7541 §6.2.2) of literal fields without indexing, with new names and
 * no Huffman coding: each field is `00`, name length, name, value length, value (lengths < 127).
 */
export function hpackLiterals(fields: [string, string][]): Buffer {
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, "latin1");
    if (b.length > 126) throw new Error("hpackLiterals: strings up to 126 bytes");
    return cat(u8(b.length), b);
  };
  return cat(...fields.map(([n, v]) => cat(u8(0), str(n), str(v))));
}
