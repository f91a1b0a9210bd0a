/**
 * Reassembly of the first client bytes of a TCP connection (RFC 9293 §3.4 sequence numbers,
 * https://www.rfc-editor.org/rfc/rfc9293#section-3.4), only as far as a TLS ClientHello or an
 * HTTP/1.x request head needs: a ClientHello that post-quantum key shares push past one segment,
 * a request head whose Host comes in the second segment.
 *
 * A stream is opened by the decoder when a segment starts a ClientHello or request head that it
 * does not hold whole; later segments of the same 4-tuple are appended in sequence order
 * (retransmitted bytes dropped, segments that arrive early held back), until the caller's test
 * says it is complete or {@link MAX_STREAM_BYTES} is reached.
 *
 * Bounded: at most {@link MAX_STREAMS} open streams (the oldest is handed back to be flushed when
 * a new one needs room), {@link MAX_STREAM_BYTES} per stream, {@link MAX_EARLY_SEGMENTS} early
 * segments per stream. Looking a segment up allocates nothing.
 */

import type { H2Connection } from "./h2.js";
import type { IpHeader } from "./ip.js";

export const MAX_STREAMS = 1024;
export const MAX_STREAM_BYTES = 16 * 1024;
export const MAX_EARLY_SEGMENTS = 8;
/** A stream with no new bytes for this many frames is given up (flushed). */
export const STREAM_IDLE_FRAMES = 100_000;

/** What the stream gathers: a TLS ClientHello, an HTTP/1 request head, or a whole HTTP/2 connection's client bytes (fed on to its `h2` reader as they come in order). */
export type StreamKind = "tls" | "http" | "h2";

/** One client byte stream being gathered. */
export interface ClientStream {
  kind: StreamKind;
  /** Client (source) and server addresses as text, server port. */
  client: string;
  server: string;
  port: number;
  /** Bytes gathered, `data[0, length)`. */
  data: Buffer;
  length: number;
  /** Sequence number of the next byte expected. */
  next: number;
  /** Bytes the complete message needs, when known from its length fields (TLS); 0 when not (HTTP). */
  need: number;
  /** Frame, record offset and time of the last segment that added bytes. */
  frame: number;
  offset: number;
  timeMs: number;
  /** Segments that came before their turn: sequence number and a copy of their bytes. */
  early: { seq: number; bytes: Buffer }[];
  /** 4-tuple: addresses (4 or 16 bytes each) and ports, for an exact match. */
  key: Buffer;
  hash: number;
  /** True once bytes had to be dropped because the buffer was full (the stream has a hole). */
  truncated: boolean;
  /** For kind `h2`: the connection reader the bytes go to (h2.ts); null otherwise. */
  h2: H2Connection | null;
}

function tupleHash(buf: Buffer, h: IpHeader, sport: number, dport: number): number {
  const n = h.version === 4 ? 4 : 16;
  let x = (sport * 65536 + dport) | 0;
  for (let i = 0; i < n; i++) x = Math.imul(x ^ buf[h.src + i]!, 16777619) ^ buf[h.dst + i]!;
  return x | 0;
}

function tupleKey(buf: Buffer, h: IpHeader, sport: number, dport: number): Buffer {
  const n = h.version === 4 ? 4 : 16;
  const key = Buffer.allocUnsafe(2 * n + 4);
  buf.copy(key, 0, h.src, h.src + n);
  buf.copy(key, n, h.dst, h.dst + n);
  key.writeUInt16BE(sport, 2 * n);
  key.writeUInt16BE(dport, 2 * n + 2);
  return key;
}

function sameTuple(s: ClientStream, buf: Buffer, h: IpHeader, sport: number, dport: number): boolean {
  const n = h.version === 4 ? 4 : 16;
  const k = s.key;
  if (k.length !== 2 * n + 4) return false;
  if (k.readUInt16BE(2 * n) !== sport || k.readUInt16BE(2 * n + 2) !== dport) return false;
  return buf.compare(k, 0, n, h.src, h.src + n) === 0 && buf.compare(k, n, 2 * n, h.dst, h.dst + n) === 0;
}

/** Signed distance a - b between 32-bit sequence numbers. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** The open client streams of one capture. */
export class ClientStreams {
  private readonly byHash = new Map<number, ClientStream[]>();
  /** All open streams, oldest first (a Set keeps insertion order). */
  private readonly open = new Set<ClientStream>();

  get size(): number {
    return this.open.size;
  }

  /** The open stream of this segment's 4-tuple, if any. Allocates nothing. */
  find(buf: Buffer, h: IpHeader, sport: number, dport: number): ClientStream | undefined {
    const list = this.byHash.get(tupleHash(buf, h, sport, dport));
    if (list === undefined) return undefined;
    for (const s of list) if (sameTuple(s, buf, h, sport, dport)) return s;
    return undefined;
  }

  /**
   * Open a stream with the segment bytes `buf[start, end)` whose first byte has sequence number
   * `seq`. Returns the streams that had to be closed to make room or that went idle: the caller
   * flushes them.
   */
  start(
    kind: StreamKind,
    buf: Buffer,
    h: IpHeader,
    sport: number,
    dport: number,
    seq: number,
    start: number,
    end: number,
    need: number,
    texts: { client: string; server: string },
    at: { frame: number; offset: number; timeMs: number },
  ): ClientStream[] {
    const closed: ClientStream[] = [];
    for (const s of this.open) {
      if (this.open.size < MAX_STREAMS && at.frame - s.frame < STREAM_IDLE_FRAMES) break;
      this.remove(s);
      closed.push(s);
    }
    const length = Math.min(end - start, MAX_STREAM_BYTES);
    const cap = Math.min(MAX_STREAM_BYTES, Math.max(need, 2 * length, 2048));
    const data = Buffer.allocUnsafe(cap);
    buf.copy(data, 0, start, start + length);
    const hash = tupleHash(buf, h, sport, dport);
    const s: ClientStream = {
      kind,
      client: texts.client,
      server: texts.server,
      port: dport,
      data,
      length,
      next: (seq + (end - start)) >>> 0,
      need,
      frame: at.frame,
      offset: at.offset,
      timeMs: at.timeMs,
      early: [],
      key: tupleKey(buf, h, sport, dport),
      hash,
      truncated: length < end - start,
      h2: null,
    };
    const list = this.byHash.get(hash);
    if (list) list.push(s);
    else this.byHash.set(hash, [s]);
    this.open.add(s);
    return closed;
  }

  /**
   * Add the segment bytes `buf[start, end)` starting at sequence number `seq` to the stream.
   * Bytes already held are dropped, bytes ahead of the expected one are held back (copied) until
   * the gap fills. Returns true when bytes were added.
   */
  append(s: ClientStream, seq: number, buf: Buffer, start: number, end: number, at: { frame: number; offset: number; timeMs: number }): boolean {
    const d = seqDiff(seq, s.next);
    if (d > 0) {
      if (s.early.length < MAX_EARLY_SEGMENTS && d < MAX_STREAM_BYTES) {
        s.early.push({ seq, bytes: Buffer.from(buf.subarray(start, Math.min(end, start + MAX_STREAM_BYTES))) });
      }
      return false;
    }
    let added = this.add(s, buf, start - d, end); // d <= 0: skip the -d bytes already held
    // Held-back segments that now fit.
    for (let progress = true; progress && s.early.length > 0 && s.length < MAX_STREAM_BYTES; ) {
      progress = false;
      for (let i = 0; i < s.early.length; i++) {
        const e = s.early[i]!;
        const ed = seqDiff(e.seq, s.next);
        if (ed > 0) continue;
        s.early.splice(i, 1);
        if (this.add(s, e.bytes, -ed, e.bytes.length)) added = true;
        progress = true;
        break;
      }
    }
    if (added) {
      s.frame = at.frame;
      s.offset = at.offset;
      s.timeMs = at.timeMs;
    }
    return added;
  }

  /**
   * The fast path of a stream whose bytes are consumed as they come (kind `h2`): when the segment
   * starting at sequence number `seq` with `length` bytes is the next one expected and none is held
   * back, take it as read (the caller uses the bytes where they are) and return true; otherwise
   * return false and let {@link ClientStreams.append} sort it.
   */
  inOrder(s: ClientStream, seq: number, length: number, at: { frame: number; offset: number; timeMs: number }): boolean {
    if (seq !== s.next || s.early.length > 0) return false;
    s.next = (s.next + length) >>> 0;
    s.frame = at.frame;
    s.offset = at.offset;
    s.timeMs = at.timeMs;
    return true;
  }

  private add(s: ClientStream, buf: Buffer, start: number, end: number): boolean {
    if (start >= end) return false;
    const n = Math.min(end - start, MAX_STREAM_BYTES - s.length);
    if (n < end - start) s.truncated = true;
    if (n <= 0) return false;
    if (s.length + n > s.data.length) {
      const bigger = Buffer.allocUnsafe(Math.min(MAX_STREAM_BYTES, Math.max(2 * s.data.length, s.length + n)));
      s.data.copy(bigger, 0, 0, s.length);
      s.data = bigger;
    }
    buf.copy(s.data, s.length, start, start + n);
    s.length += n;
    s.next = (s.next + (end - start)) >>> 0;
    return true;
  }

  /** True when the stream cannot grow any more. */
  full(s: ClientStream): boolean {
    return s.length >= MAX_STREAM_BYTES;
  }

  /** Close a stream. */
  remove(s: ClientStream): void {
    this.open.delete(s);
    const list = this.byHash.get(s.hash);
    if (list === undefined) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byHash.delete(s.hash);
  }

  /** Close and return every open stream, oldest first (end of capture). */
  drain(): ClientStream[] {
    const all = [...this.open];
    this.open.clear();
    this.byHash.clear();
    return all;
  }
}
