/**
 * Test helpers that build packets and capture files byte by byte, so each unit test shows what it
 * feeds the collector. Checksums are left zero (nothing here verifies them, tshark neither by default).
 * The files in this folder were written with these helpers and checked with tshark 4.0.17; see
 * README.md beside this file.
 */

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

/** IPv4 header (20 bytes) + payload. `frag` is the 16-bit flags+offset field. */
export function ipv4(proto: number, payload: Buffer, src = "10.0.0.1", dst = "10.0.0.2", frag = 0): Buffer {
  return cat(
    Buffer.from([0x45, 0]),
    u16(20 + payload.length),
    u16(1),
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

/** A TLS 1.2-framed ClientHello record with server_name and ALPN extensions (and optional padding extension). */
export function clientHello(sni: string | Buffer | null, alpn: string[] = [], padding = 0): Buffer {
  const exts: Buffer[] = [];
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
