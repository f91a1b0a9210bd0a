/**
 * IP fragment reassembly (IPv4: RFC 791 §3.2, https://www.rfc-editor.org/rfc/rfc791#section-3.2;
 * IPv6: RFC 8200 §4.5, https://www.rfc-editor.org/rfc/rfc8200#section-4.5), so that a DNS response
 * or a ClientHello larger than the path MTU is read whole, as tshark does.
 *
 * Fragments are grouped by (version, source, destination, identification, protocol) and copied;
 * once the last fragment has come and the pieces cover the datagram from 0 to its end, the
 * datagram is handed back as one buffer laid out `[source address][destination address][payload]`.
 *
 * Bounded: {@link MAX_DATAGRAMS} datagrams pending (the oldest is given up when a new one needs
 * room), {@link MAX_FRAGMENTS} fragments and {@link MAX_DATAGRAM_BYTES} bytes each; a datagram that
 * never completes is handed back by {@link Fragments.add} / {@link Fragments.drain} as `incomplete`
 * with its first fragment, if that came, so what the first fragment holds is still decoded.
 */

import type { IpHeader } from "./ip.js";

export const MAX_DATAGRAMS = 256;
export const MAX_FRAGMENTS = 64;
/** Largest reassembled payload: an IPv4 datagram's 16-bit total length. */
export const MAX_DATAGRAM_BYTES = 65535;
/** A datagram with no new fragment for this many frames is given up. */
export const FRAGMENT_IDLE_FRAMES = 10_000;

/** A reassembled (or given-up) datagram: its addresses and upper-layer payload in one buffer. */
export interface Datagram {
  /** 4 or 6. */
  version: number;
  /** Upper-layer protocol (6 TCP, 17 UDP, ...). */
  protocol: number;
  /** `[src (4 or 16)][dst (4 or 16)][payload]`. */
  data: Buffer;
  /** Offset of the payload in `data` (8 for IPv4, 32 for IPv6). */
  payload: number;
  /** Frame, record offset and time it is reported on: the completing fragment, or the first one when given up. */
  frame: number;
  offset: number;
  timeMs: number;
  /** False for a datagram given up: `data` holds only its first fragment. */
  complete: boolean;
}

interface Pending {
  key: string;
  version: number;
  protocol: number;
  addresses: Buffer;
  pieces: { off: number; bytes: Buffer }[];
  /** Payload length, known once the last fragment (MF clear) came; -1 before. */
  total: number;
  bytes: number;
  firstFrame: number;
  firstOffset: number;
  firstTimeMs: number;
  lastFrame: number;
}

/** Where a fragment was seen. */
export interface FragmentAt {
  frame: number;
  offset: number;
  timeMs: number;
}

/** The pending fragmented datagrams of one capture. */
export class Fragments {
  private readonly pending = new Map<string, Pending>();
  /** Datagrams given up (evicted, idle, or still open at the end). */
  incomplete = 0;
  /** First given-up datagram: frame and record offset, for the report. */
  firstIncomplete: { frame: number; offset: number } | null = null;

  /**
   * Add the fragment described by `h` (its payload `buf[h.payload, h.end)`). Returns the
   * datagrams this finished: the reassembled one when this fragment completed it, and any given up
   * to make room (with only their first fragment). Allocates a key and a copy per fragment.
   */
  add(buf: Buffer, h: IpHeader, at: FragmentAt): Datagram[] {
    const out: Datagram[] = [];
    const alen = h.version === 4 ? 4 : 16;
    const key = `${h.version}:${buf.toString("latin1", h.src, h.src + alen)}${buf.toString("latin1", h.dst, h.dst + alen)}:${h.fragId}:${h.protocol}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      for (const old of this.pending.values()) {
        if (this.pending.size < MAX_DATAGRAMS && at.frame - old.lastFrame < FRAGMENT_IDLE_FRAMES) break;
        this.giveUp(old, out);
      }
      const addresses = Buffer.allocUnsafe(2 * alen);
      buf.copy(addresses, 0, h.src, h.src + alen);
      buf.copy(addresses, alen, h.dst, h.dst + alen);
      p = {
        key,
        version: h.version,
        protocol: h.protocol,
        addresses,
        pieces: [],
        total: -1,
        bytes: 0,
        firstFrame: at.frame,
        firstOffset: at.offset,
        firstTimeMs: at.timeMs,
        lastFrame: at.frame,
      };
      this.pending.set(key, p);
    }
    p.lastFrame = at.frame;
    const len = Math.max(0, h.end - h.payload);
    if (h.fragOffset + len > MAX_DATAGRAM_BYTES || p.pieces.length >= MAX_FRAGMENTS) return out;
    if (h.fragOffset === 0) {
      p.firstFrame = at.frame;
      p.firstOffset = at.offset;
      p.firstTimeMs = at.timeMs;
    }
    if (!h.moreFragments) p.total = h.fragOffset + len;
    p.pieces.push({ off: h.fragOffset, bytes: Buffer.from(buf.subarray(h.payload, h.end)) });
    p.bytes += len;
    if (p.total >= 0 && p.bytes >= p.total) {
      const data = this.assemble(p);
      if (data !== null) {
        this.pending.delete(key);
        out.push({ version: p.version, protocol: p.protocol, data, payload: p.addresses.length, frame: at.frame, offset: at.offset, timeMs: at.timeMs, complete: true });
      }
    }
    return out;
  }

  /** Give up every pending datagram (end of capture). */
  drain(): Datagram[] {
    const out: Datagram[] = [];
    for (const p of this.pending.values()) this.giveUp(p, out);
    return out;
  }

  /** `[addresses][payload]` when the pieces cover `[0, total)` without a gap (overlaps: first come wins), else null. */
  private assemble(p: Pending): Buffer | null {
    const pieces = p.pieces.slice().sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const piece of pieces) {
      if (piece.off > covered) return null;
      covered = Math.max(covered, piece.off + piece.bytes.length);
    }
    if (covered < p.total) return null;
    const a = p.addresses.length;
    const data = Buffer.alloc(a + p.total);
    p.addresses.copy(data, 0);
    // Copy later arrivals first so that earlier ones overwrite overlaps.
    for (let i = p.pieces.length - 1; i >= 0; i--) {
      const piece = p.pieces[i]!;
      const n = Math.min(piece.bytes.length, p.total - piece.off);
      if (n > 0) piece.bytes.copy(data, a + piece.off, 0, n);
    }
    return data;
  }

  private giveUp(p: Pending, out: Datagram[]): void {
    this.pending.delete(p.key);
    this.incomplete++;
    if (this.firstIncomplete === null) this.firstIncomplete = { frame: p.firstFrame, offset: p.firstOffset };
    const first = p.pieces.find((x) => x.off === 0);
    if (first === undefined) return;
    const a = p.addresses.length;
    const data = Buffer.allocUnsafe(a + first.bytes.length);
    p.addresses.copy(data, 0);
    first.bytes.copy(data, a);
    out.push({ version: p.version, protocol: p.protocol, data, payload: a, frame: p.firstFrame, offset: p.firstOffset, timeMs: p.firstTimeMs, complete: false });
  }
}
