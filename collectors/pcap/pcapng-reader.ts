/**
 * pcapng files, our own reader (draft-ietf-opsawg-pcapng-03,
 * https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
 *
 * - Section Header Block (§4.1): byte order from its byte-order magic, both orders, and any number
 *   of sections (each new SHB resets the interfaces and may change the byte order).
 * - Interface Description Block (§4.2): link type and snap length per interface; options
 *   `if_tsresol` (9) and `if_tsoffset` (14) set how timestamps read.
 * - Enhanced Packet Block (§4.3), Simple Packet Block (§4.4, interface 0, no timestamp) and the
 *   obsolete Packet Block (Appendix A) carry packets.
 * - Every other block is stepped over without being buffered, whatever its length; the ones tshark
 *   shows as frames (systemd journal, custom blocks, sysdig events) still advance the frame number.
 *
 * A push parser: chunks in, records out to a {@link PacketSink}; a block is buffered only once it
 * is complete, and only up to {@link MAX_BLOCK_BYTES}.
 */

import { MAX_RECORD_BYTES } from "./pcap-reader.js";
import type { CaptureParser, PacketSink, Report } from "./capture-types.js";

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
/** Smallest section header block: type, length, byte-order magic, versions, section length, trailing length (pcapng §4.1). */
const MIN_SHB = 28;

/** Blocks tshark 4.0 turns into frames of their own although they hold no packet. */
const OTHER_FRAME_BLOCKS: ReadonlySet<number> = new Set([
  9, // systemd journal export
  0x00000bad, // custom block, copiable
  0x40000bad, // custom block, not copiable
  0x204, // sysdig event
  0x208, // sysdig event with flags
  0x216, // sysdig event v2 (and large)
  0x217,
  0x221,
  0x222,
  0x223,
  0x224,
]);

/** Largest block we buffer: a maximal packet plus room for options. */
export const MAX_BLOCK_BYTES = MAX_RECORD_BYTES + 64 * 1024;
/** Interfaces per section. */
const MAX_INTERFACES = 65536;

const TWO32 = 4294967296;

interface Interface {
  linkType: number;
  snaplen: number;
  /** if_tsresol: true for 10^-exp seconds, false for 2^-exp. */
  decimal: boolean;
  exp: number;
  /** For decimal exp >= 3: 10^(exp-3), units per millisecond. */
  unitsPerMs: number;
  /** if_tsoffset in milliseconds. */
  offsetMs: number;
}

/** Milliseconds since the epoch for a 64-bit timestamp `high:low` in the interface's units. */
function timeMs(high: number, low: number, ifc: Interface): number {
  if (ifc.decimal && ifc.exp >= 3) {
    const d = ifc.unitsPerMs;
    if (d === 1) return high * TWO32 + low + ifc.offsetMs;
    if (d < 2 ** 21) {
      // Exact without BigInt: high = hq*d + hr, and hr*2^32 + low < 2^53.
      const hq = Math.floor(high / d);
      const hr = high - hq * d;
      return hq * TWO32 + Math.floor((hr * TWO32 + low) / d) + ifc.offsetMs;
    }
  }
  const t = (BigInt(high) << 32n) | BigInt(low);
  let ms: bigint;
  if (ifc.decimal) ms = ifc.exp >= 3 ? t / 10n ** BigInt(ifc.exp - 3) : t * 10n ** BigInt(3 - ifc.exp);
  else ms = (t * 1000n) >> BigInt(ifc.exp);
  return Number(ms) + ifc.offsetMs;
}

const BLOCK_NAMES: Record<number, string> = {
  [SHB]: "section header block",
  [IDB]: "interface description block",
  [PB]: "packet block",
  [SPB]: "simple packet block",
  [EPB]: "enhanced packet block",
};

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block of type 0x${type.toString(16)}`;
}

class PcapngReader implements CaptureParser {
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Bytes needed in `parts` before parsing can progress. */
  private need = 12;
  /** File offset of the first byte in `parts`. */
  private base = 0;
  /** Bytes of an oversized skipped block still to drop, and that block. */
  private skip = 0;
  private skipped = { offset: 0, type: 0, length: 0 };
  private le = true;
  private interfaces: Interface[] = [];
  private frame = 0;
  private fed = 0;
  private stopped = false;

  constructor(
    private readonly sink: PacketSink,
    private readonly report: Report,
  ) {}

  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    this.fed += chunk.length;
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      this.base += n;
      if (n === chunk.length) return true;
      chunk = chunk.subarray(n);
    }
    this.parts.push(chunk);
    this.partsLen += chunk.length;
    if (this.partsLen < this.need) return true;
    const data = this.parts.length === 1 ? chunk : Buffer.concat(this.parts, this.partsLen);
    this.parts = [];
    this.partsLen = 0;
    const used = this.blocks(data);
    if (this.stopped) return false;
    this.base += used;
    if (used < data.length) {
      this.parts.push(data.subarray(used));
      this.partsLen = data.length - used;
    }
    return true;
  }

  finish(): void {
    if (this.stopped) return;
    if (this.skip > 0) {
      const s = this.skipped;
      this.report(
        s.offset,
        `${blockName(s.type)} at offset ${s.offset} claims ${s.length} bytes, but the file ends ${this.skip} bytes short`,
        true,
      );
      return;
    }
    if (this.partsLen === 0) return;
    const data = Buffer.concat(this.parts, this.partsLen);
    const off = this.base;
    if (off === 0 && data.length < MIN_SHB) {
      // Not even the first block came whole: nothing was read, the file is no capture.
      this.report(0, `not a capture: ${data.length} bytes, a pcapng section header block needs ${MIN_SHB}`, false);
      return;
    }
    if (data.length < 12) {
      this.report(off, `block header at offset ${off} is cut short: ${data.length} of 12 bytes`, true);
      return;
    }
    const type = this.u32(data, 0);
    const len = this.u32(data, 4);
    this.report(
      off,
      `${blockName(type)} at offset ${off} claims ${len} bytes, but the file ends after ${data.length} of them`,
      off > 0,
    );
  }

  private u32(b: Buffer, p: number): number {
    return this.le ? b.readUInt32LE(p) : b.readUInt32BE(p);
  }

  private u16(b: Buffer, p: number): number {
    return this.le ? b.readUInt16LE(p) : b.readUInt16BE(p);
  }

  private fail(offset: number, message: string): void {
    this.stopped = true;
    this.report(offset, message, true);
  }

  /** Parse the complete blocks at the start of `data`; return the bytes consumed. */
  private blocks(data: Buffer): number {
    let p = 0;
    for (;;) {
      const avail = data.length - p;
      if (avail < 12) {
        this.need = 12;
        return p;
      }
      const off = this.base + p;
      let type = data.readUInt32LE(p); // the SHB type reads the same in both orders
      if (type === SHB) {
        const bom = data.readUInt32LE(p + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.fail(off, `section header block at offset ${off}: byte-order magic ${data.toString("hex", p + 8, p + 12)} is neither 4d3c2b1a nor 1a2b3c4d`);
          return p;
        }
      } else type = this.u32(data, p);
      const len = this.u32(data, p + 4);
      if (len < 12) {
        this.fail(off, `block length ${len} at offset ${off} is shorter than 12`);
        return p;
      }
      if (len % 4 !== 0) {
        this.fail(off, `block length ${len} at offset ${off} is not a multiple of 4`);
        return p;
      }
      if (type !== SHB && type !== IDB && type !== EPB && type !== SPB && type !== PB) {
        // Not needed: step over it without buffering.
        if (OTHER_FRAME_BLOCKS.has(type)) this.frame++;
        if (len <= avail) {
          p += len;
          continue;
        }
        this.skip = len - avail;
        this.skipped = { offset: off, type, length: len };
        this.need = 12;
        return data.length;
      }
      if (len > MAX_BLOCK_BYTES) {
        this.fail(off, `${blockName(type)} at offset ${off} claims ${len} bytes, more than the ${MAX_BLOCK_BYTES} allowed`);
        return p;
      }
      if (len > avail) {
        this.need = len;
        return p;
      }
      const trailer = this.u32(data, p + len - 4);
      if (trailer !== len) {
        this.fail(off, `${blockName(type)} at offset ${off}: trailing length ${trailer} does not match leading length ${len}`);
        return p;
      }
      this.block(type, data, p, len, off);
      if (this.stopped) return p;
      p += len;
    }
  }

  /** One complete block `data[p, p+len)` at file offset `off`. */
  private block(type: number, data: Buffer, p: number, len: number, off: number): void {
    switch (type) {
      case SHB: {
        if (len < 28) return this.fail(off, `section header block at offset ${off} is ${len} bytes, shorter than 28`);
        const major = this.u16(data, p + 12);
        if (major !== 1) {
          return this.fail(off, `section header block at offset ${off}: version ${major}.${this.u16(data, p + 14)}, expected 1.x`);
        }
        this.interfaces = [];
        return;
      }
      case IDB: {
        if (len < 20) return this.fail(off, `interface description block at offset ${off} is ${len} bytes, shorter than 20`);
        if (this.interfaces.length >= MAX_INTERFACES) {
          return this.fail(off, `interface description block at offset ${off}: more than ${MAX_INTERFACES} interfaces in one section`);
        }
        this.interfaces.push(this.idb(data, p, len));
        return;
      }
      case EPB:
      case PB: {
        if (len < 32) return this.fail(off, `${blockName(type)} at offset ${off} is ${len} bytes, shorter than 32`);
        const id = type === EPB ? this.u32(data, p + 8) : this.u16(data, p + 8);
        const ifc = this.interfaces[id];
        if (ifc === undefined) {
          return this.fail(off, `${blockName(type)} at offset ${off} names interface ${id}, but the section has ${this.interfaces.length}`);
        }
        const caplen = this.u32(data, p + 20);
        if (caplen > len - 32) {
          return this.fail(off, `${blockName(type)} at offset ${off}: captured length ${caplen} is more than the ${len - 32} bytes the block holds`);
        }
        this.frame++;
        const ms = timeMs(this.u32(data, p + 12), this.u32(data, p + 16), ifc);
        this.sink.packet(data, p + 28, p + 28 + caplen, ifc.linkType, ms, this.frame, off);
        return;
      }
      case SPB: {
        if (len < 16) return this.fail(off, `simple packet block at offset ${off} is ${len} bytes, shorter than 16`);
        const ifc = this.interfaces[0];
        if (ifc === undefined) return this.fail(off, `simple packet block at offset ${off} comes before any interface description block`);
        let caplen = Math.min(this.u32(data, p + 8), len - 16);
        if (ifc.snaplen > 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
        this.frame++;
        this.sink.packet(data, p + 12, p + 12 + caplen, ifc.linkType, 0, this.frame, off);
        return;
      }
    }
  }

  /** Interface description block body: link type, snaplen, if_tsresol, if_tsoffset (§4.2). */
  private idb(data: Buffer, p: number, len: number): Interface {
    const ifc: Interface = {
      linkType: this.u16(data, p + 8),
      snaplen: this.u32(data, p + 12),
      decimal: true,
      exp: 6,
      unitsPerMs: 1000,
      offsetMs: 0,
    };
    const end = p + len - 4;
    let q = p + 16;
    while (q + 4 <= end) {
      const code = this.u16(data, q);
      const olen = this.u16(data, q + 2);
      const v = q + 4;
      if (code === 0 || v + olen > end) break;
      if (code === 9 && olen >= 1) {
        const r = data[v]!;
        ifc.decimal = (r & 0x80) === 0;
        ifc.exp = r & 0x7f;
        ifc.unitsPerMs = ifc.decimal && ifc.exp >= 3 ? 10 ** (ifc.exp - 3) : 0;
      } else if (code === 14 && olen >= 8) {
        const s = this.le ? data.readBigInt64LE(v) : data.readBigInt64BE(v);
        ifc.offsetMs = Number(s) * 1000;
      }
      q = v + ((olen + 3) & ~3);
    }
    return ifc;
  }
}

/**
 * A {@link CaptureParser} for pcapng. Records (EPB, SPB, PB) go to `sink` with their interface's
 * link type, the 1-based frame number and the offset of their block. Fatal problems (bad block
 * length, mismatched trailer, unknown interface, captured length past the block, oversized
 * packet block, bad byte-order magic or version) are reported with the block's offset and stop the
 * reading; a cut-short last block is reported at {@link CaptureParser.finish}. All `partial: true`:
 * the records before the problem are delivered.
 */
export function createPcapngReader(sink: PacketSink, report: Report): CaptureParser {
  return new PcapngReader(sink, report);
}
