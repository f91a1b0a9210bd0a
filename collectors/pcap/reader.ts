/**
 * Capture files in, packets out: picks the reader by the file's magic bytes (never by extension),
 * streams the file in chunks and paces the reading by its consumer.
 *
 * Formats:
 * - classic pcap, microsecond magic `a1b2c3d4` in either byte order: pcap-parser 0.2.1 (pcap-reader.ts);
 * - classic pcap, nanosecond magic `a1b23c4d` in either byte order: the same reader, translated
 *   (the magic is rewritten to the microsecond one before pcap-parser sees it, and the fraction is
 *   read as nanoseconds); https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html#section-4;
 * - pcapng: our own reader (pcapng-reader.ts);
 * - any of these gzip-compressed (`1f 8b`): decompressed on the fly; offsets are then offsets in
 *   the decompressed stream.
 */

import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

import type { CollectContext } from "../../src/core/collector.js";
import { createPcapReader } from "./pcap-reader.js";
import { createPcapngReader } from "./pcapng-reader.js";

import type { CaptureParser, PacketSink, Report } from "./capture-types.js";
export type { CaptureParser, PacketSink, Report };

/**
 * Bytes read from the file per chunk: also the bound on observations queued between two reads.
 * Large enough that the per-read cost of the thread pool round trip stays small (64 KiB chunks
 * left the parser idle a quarter of the time), small enough to keep memory flat.
 */
export const CHUNK_BYTES = 512 * 1024;

const hex = (b: Buffer, n: number): string => b.subarray(0, n).toString("hex");

/** The reader for a file starting with `head` (at least 4 bytes), or null with a reason. */
function chooseParser(head: Buffer, sink: PacketSink, report: Report): CaptureParser | string {
  const magic = head.readUInt32BE(0);
  switch (magic) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
      return createPcapReader(sink, report, false);
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return createPcapReader(sink, report, true);
    case 0x0a0d0d0a:
      return createPcapngReader(sink, report);
    case 0xa1b2cd34:
    case 0x34cdb2a1:
      return "magic a1b2cd34 at offset 0 is the modified (Kuznetsov) pcap format, which is not supported";
    default:
      return (
        `unknown magic ${hex(head, 4)} at offset 0: expected pcap (a1b2c3d4 or a1b23c4d, either byte order), ` +
        `pcapng (0a0d0d0a) or gzip (1f8b)`
      );
  }
}

/** The smallest capture: a classic pcap file header (draft-ietf-opsawg-pcap §4); a pcapng section header block needs 28. */
const MIN_CAPTURE_BYTES = 24;

/** What is wrong with a file of `size` bytes, too short to be a capture. */
function tooShort(size: number): string {
  return `${size === 0 ? "the file is empty (0 bytes)" : `${size} bytes`}, a pcap file header needs ${MIN_CAPTURE_BYTES} (a pcapng section header block 28)`;
}

/** Buffers {@link fileChunks} cycles through: one being read, one being parsed, one a parser may still hold a slice of. */
const READ_BUFFERS = 3;

/**
 * The chunks of an open file, with the read of the next chunk already under way while the caller
 * works on the current one, so that parsing and disk reads overlap. The chunks cycle through
 * {@link READ_BUFFERS} buffers: a chunk's bytes stay valid until two more chunks have been
 * delivered, which is what the parsers need (each copies a record cut by a chunk's end when the
 * next chunk arrives, and the sink copies what it keeps). No garbage per chunk.
 */
async function* fileChunks(fh: FileHandle): AsyncGenerator<Buffer> {
  const ring = Array.from({ length: READ_BUFFERS }, () => Buffer.allocUnsafeSlow(CHUNK_BYTES));
  let turn = 0;
  let pos = 0;
  let next = fh.read(ring[0]!, 0, CHUNK_BYTES, pos);
  try {
    for (;;) {
      const { bytesRead, buffer } = await next;
      if (bytesRead === 0) return;
      pos += bytesRead;
      turn = (turn + 1) % READ_BUFFERS;
      next = fh.read(ring[turn]!, 0, CHUNK_BYTES, pos);
      yield bytesRead < buffer.length ? buffer.subarray(0, bytesRead) : buffer;
    }
  } finally {
    next.catch(() => {}); // a read still under way when the consumer stops: its outcome no longer matters
  }
}

/**
 * Stream the capture `file` into `sink`. An async generator that yields once after each chunk
 * (at most {@link CHUNK_BYTES}) has been parsed: the caller drains what the sink produced and only
 * then asks for more, so the file is read no faster than it is consumed (one chunk ahead) and
 * memory stays bounded.
 *
 * Every problem (unreadable file, unknown magic, bad header, corrupt or cut-short record, gzip
 * error) goes to `ctx.onError` with the byte offset (0 when the file could not be read at all); the
 * generator never throws for bad data and the records before a problem are all delivered.
 */
export async function* readCapture(file: string, sink: PacketSink, ctx: CollectContext): AsyncGenerator<void> {
  const report: Report = (offset, message, partial) =>
    ctx.onError(offset === undefined ? { input: file, message, partial } : { input: file, offset, message, partial });
  let fh: FileHandle | null = null;
  let raw: Readable | null = null;
  let gunzip: Readable | null = null;
  let gzip = false;
  let parser: CaptureParser | null = null;
  let head: Buffer[] = [];
  let headLen = 0;
  let bytes = 0;
  try {
    fh = await open(file, "r");
    const stat = await fh.stat();
    const size = stat.size;
    if (size < MIN_CAPTURE_BYTES && stat.isFile()) {
      report(0, `not a capture: ${tooShort(size)}`, false);
      return;
    }
    let chunks: AsyncIterable<Buffer> = fileChunks(fh);
    for (;;) {
      let restart = false;
      for await (const chunk of chunks) {
        bytes += chunk.length;
        if (parser === null) {
          head.push(chunk);
          headLen += chunk.length;
          if (headLen < 4) continue;
          const first = head.length === 1 ? chunk : Buffer.concat(head, headLen);
          head = [];
          if (!gzip && first[0] === 0x1f && first[1] === 0x8b) {
            gzip = true;
            restart = true;
            break;
          }
          const chosen = chooseParser(first, sink, report);
          if (typeof chosen === "string") {
            report(0, gzip ? `after gunzip: ${chosen}` : chosen, false);
            return;
          }
          parser = chosen;
          if (!parser.push(first)) return;
        } else if (!parser.push(chunk)) return;
        yield;
      }
      if (!restart) break;
      // gzip: read the file again through a decompressor.
      head = [];
      headLen = 0;
      bytes = 0;
      raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
      const z = createGunzip({ chunkSize: CHUNK_BYTES });
      raw.on("error", (err) => z.destroy(err));
      gunzip = raw.pipe(z);
      chunks = gunzip as AsyncIterable<Buffer>;
    }
    if (parser === null) {
      report(0, `not a capture: ${tooShort(headLen)}${gzip ? " (after gunzip)" : ""}`, false);
      return;
    }
    parser.finish();
    yield;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what = gzip ? `gzip stream: ${e.message}` : e.code ? `${e.code}: ${e.message}` : e.message;
    report(parser === null ? 0 : bytes, `${what} (after ${bytes} bytes${gzip ? " of decompressed data" : ""})`, parser !== null);
  } finally {
    gunzip?.destroy();
    raw?.destroy();
    await fh?.close().catch(() => {});
  }
}
