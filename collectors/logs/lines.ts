/**
 * Reading a log file as lines, streaming: plain or gzip (told by the magic bytes `1f 8b`), from a
 * byte offset, in chunks of 64 KiB, with a bounded line length.
 *
 * - Memory: one work buffer of {@link CHUNK_BYTES} + {@link MAX_LINE_BYTES}, reused; a line longer
 *   than {@link MAX_LINE_BYTES} is reported as `long` and skipped without being buffered whole.
 * - Encoding: UTF-8. Invalid sequences decode to U+FFFD and the line is still given; byte offsets
 *   stay exact (a chunk that is not 1 byte = 1 UTF-16 unit is split by bytes, line by line).
 *   A UTF-8 byte-order mark on line 1 is dropped. `\r\n` and `\n` both end a line.
 * - Offsets are of the decompressed stream for gzip input (what a cursor records).
 */
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { constants as zc, createGunzip } from "node:zlib";

/** Longest line read, in bytes; longer lines are counted as malformed and skipped. */
export const MAX_LINE_BYTES = 64 * 1024;

/** Bytes read per chunk: each chunk's observations are handed on before the next is read (small chunks keep few observations alive at once, which keeps garbage collection cheap). */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Bytes of the (decompressed) head read for format detection and the content fingerprint: room
 * for a few lines after a first line of up to {@link MAX_LINE_BYTES} and more (a 70 KB first line
 * does not starve detection).
 */
export const HEAD_BYTES = 256 * 1024;

/** A source of the file's (decompressed) bytes, read sequentially. */
export interface ByteSource {
  /** Fill `into[at, at + max)`; resolves the number of bytes given, 0 at the end. Rejects on I/O or gzip errors. */
  read(into: Buffer, at: number, max: number): Promise<number>;
  close(): Promise<void>;
}

/** True when the buffer starts with the gzip magic `1f 8b`. */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** A plain file read from byte `start` on. */
export async function plainSource(file: string, start: number): Promise<ByteSource> {
  const fh: FileHandle = await open(file, "r");
  let pos = start;
  return {
    async read(into, at, max) {
      const { bytesRead } = await fh.read(into, at, max, pos);
      pos += bytesRead;
      return bytesRead;
    },
    close: () => fh.close(),
  };
}

/**
 * A gzip file (one or more concatenated members, as `gzip` and `logrotate` write them),
 * decompressed as a stream; the first `skip` decompressed bytes are discarded (a cursor's offset).
 */
export function gzipSource(file: string, skip = 0): ByteSource {
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  const gz = createGunzip({ chunkSize: 256 * 1024 });
  raw.on("error", (e) => gz.destroy(e));
  raw.pipe(gz);
  const it = gz[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let piece: Buffer | undefined;
  let at0 = 0;
  let toSkip = skip;
  return {
    async read(into, at, max) {
      for (;;) {
        if (!piece || at0 >= piece.length) {
          const r = await it.next();
          if (r.done) return 0;
          piece = r.value;
          at0 = 0;
        }
        if (toSkip > 0) {
          const n = Math.min(toSkip, piece.length - at0);
          at0 += n;
          toSkip -= n;
          continue;
        }
        const n = Math.min(max, piece.length - at0);
        piece.copy(into, at, at0, at0 + n);
        at0 += n;
        return n;
      }
    },
    async close() {
      raw.destroy();
      gz.destroy();
    },
  };
}

/**
 * The first up to `max` ({@link HEAD_BYTES}) bytes of a file, decompressed when it is gzip (a gzip head
 * that cannot be decompressed gives what could be, possibly nothing).
 * @throws on I/O errors (the caller reports the file as unreadable).
 */
export async function readHead(file: string, max = HEAD_BYTES): Promise<{ head: Buffer; gzip: boolean }> {
  const fh = await open(file, "r");
  let raw: Buffer;
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (!isGzip(raw)) return { head: raw, gzip: false };
  return { head: await gunzipPartial(raw, max), gzip: true };
}

/** Decompress as much of a gzip prefix as it holds, up to `max` bytes. */
function gunzipPartial(data: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const gz = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH });
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      gz.destroy();
      const all = Buffer.concat(parts);
      resolve(all.subarray(0, Math.min(max, all.length)));
    };
    gz.on("data", (d: Buffer) => {
      parts.push(d);
      size += d.length;
      if (size >= max) finish();
    });
    gz.on("end", finish);
    gz.on("error", finish);
    gz.end(data);
  });
}

/** Split a head into its complete lines (the last, possibly cut, line dropped unless the head is the whole file). */
export function headLines(head: Buffer, whole: boolean, max = 4096): string[] {
  let text = head.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  if (!whole) lines.pop();
  return lines.slice(0, max).map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/** One piece of the stream, in file order. */
export type LineEvent =
  /** Complete lines (each ends with `\n`): `bytes` is valid until the next event is asked for. */
  | { type: "lines"; bytes: Buffer; offset: number; endOffset: number }
  /** A line longer than the limit, skipped; `length` excludes the terminator. `eof`: it was the unterminated last line. */
  | { type: "long"; offset: number; length: number; endOffset: number; eof: boolean }
  /** The last line of the stream, not terminated by `\n` (a file still being written, or a missing final newline). */
  | { type: "tail"; bytes: Buffer; offset: number; endOffset: number };

/** Sizes for {@link readLineEvents}; the defaults suit real use, tests lower them. */
export interface LineLimits {
  chunkBytes?: number;
  maxLineBytes?: number;
}

/**
 * Read `source` (positioned at byte `start` of the file) as a sequence of line events. Line
 * numbers are the caller's to count: each `lines` event holds whole lines, each `long` event one.
 */
export async function* readLineEvents(source: ByteSource, start: number, limits: LineLimits = {}): AsyncGenerator<LineEvent> {
  const chunk = limits.chunkBytes ?? CHUNK_BYTES;
  const maxLine = limits.maxLineBytes ?? MAX_LINE_BYTES;
  const work = Buffer.allocUnsafe(chunk + maxLine + 1);
  // Two read buffers: the next chunk is read (on libuv's thread pool) while this one is parsed.
  const incoming = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
  let which = 0;
  let pending: Promise<number> | undefined = source.read(incoming[0]!, 0, chunk);
  pending.catch(() => 0);
  let filled = 0; // valid bytes in work[0, filled); work[0] is at file offset `base`
  let base = start;
  let skipping: { offset: number; length: number } | undefined;
  try {
    while (pending) {
      const n = await pending;
      pending = undefined;
      if (n === 0) break;
      const from = filled;
      incoming[which]!.copy(work, filled, 0, n);
      filled += n;
      which ^= 1;
      pending = source.read(incoming[which]!, 0, chunk);
      pending.catch(() => 0); // handled: a failure is seen by the `await` above, on the next turn
      let s = 0;
      if (skipping) {
        const nl = work.indexOf(10, from);
        if (nl < 0 || nl >= filled) {
          skipping.length += filled;
          base += filled;
          filled = 0;
          continue;
        }
        const long = skipping;
        skipping = undefined;
        yield { type: "long", offset: long.offset, length: long.length + nl, endOffset: base + nl + 1, eof: false };
        s = nl + 1;
      }
      const last = filled > s ? work.lastIndexOf(10, filled - 1) : -1;
      if (last >= s) {
        yield { type: "lines", bytes: work.subarray(s, last + 1), offset: base + s, endOffset: base + last + 1 };
        s = last + 1;
      }
      const rest = filled - s;
      if (rest > maxLine) {
        skipping = { offset: base + s, length: rest };
        base += filled;
        filled = 0;
      } else if (s > 0) {
        work.copy(work, 0, s, filled);
        base += s;
        filled = rest;
      }
    }
  } finally {
    // A consumer that stops early leaves a read in flight: let it settle before the source closes.
    if (pending) await pending.catch(() => 0);
  }
  if (skipping) yield { type: "long", offset: skipping.offset, length: skipping.length + filled, endOffset: base + filled, eof: true };
  else if (filled > 0) yield { type: "tail", bytes: work.subarray(0, filled), offset: base, endOffset: base + filled };
}

/** What {@link forEachLine} calls. */
export interface LineVisitor {
  /** A line `text[start, end)` without its terminator; `line` 1-based, `offset` its byte offset. */
  line(text: string, start: number, end: number, line: number, offset: number): void;
  /** A line over the length limit, not decoded. */
  long(line: number, offset: number, length: number): void;
}

/**
 * Call `visit` for each line of `bytes` (whole lines; the last may lack its `\n`), the first being
 * line `firstLine` at byte offset `offset`.
 * @returns the number of the line after the last one visited.
 */
export function forEachLine(bytes: Buffer, offset: number, firstLine: number, visit: LineVisitor, maxLine = MAX_LINE_BYTES): number {
  const text = bytes.toString("utf8");
  let line = firstLine;
  if (text.length === bytes.length) {
    // Every byte decoded to one UTF-16 unit (ASCII, or single invalid bytes → U+FFFD): index = byte offset.
    const n = text.length;
    let s = 0;
    while (s < n) {
      let nl = text.indexOf("\n", s);
      if (nl < 0) nl = n;
      if (nl - s > maxLine) visit.long(line, offset + s, nl - s);
      else {
        let e = nl;
        if (e > s && text.charCodeAt(e - 1) === 13) e--;
        visit.line(text, s, e, line, offset + s);
      }
      line++;
      s = nl + 1;
    }
    return line;
  }
  const n = bytes.length;
  let s = 0;
  while (s < n) {
    let nl = bytes.indexOf(10, s);
    if (nl < 0) nl = n;
    if (nl - s > maxLine) visit.long(line, offset + s, nl - s);
    else {
      let e = nl;
      if (e > s && bytes[e - 1] === 13) e--;
      let t = bytes.toString("utf8", s, e);
      if (offset + s === 0 && t.charCodeAt(0) === 0xfeff) t = t.slice(1);
      visit.line(t, 0, t.length, line, offset + s);
    }
    line++;
    s = nl + 1;
  }
  return line;
}
