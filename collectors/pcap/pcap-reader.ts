/**
 * Classic pcap files (draft-ietf-opsawg-pcap §4-5,
 * https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html) through pcap-parser 0.2.1.
 *
 * pcap-parser is wrapped to make up for what it lacks:
 * - it reads from an object we feed chunk by chunk (it only needs `on`, `pause`, `resume`) and
 *   parses each chunk synchronously, so not feeding the next chunk is the pause;
 * - it knows only the microsecond magic: for the nanosecond magic the caller asks for `nanos` and
 *   the first 4 bytes are rewritten to the microsecond magic of the same byte order;
 * - it drops a cut-short last record silently: we count the bytes of the records it delivered and
 *   compare with the bytes fed;
 * - it buffers whatever length a record header claims: a record longer than
 *   {@link MAX_RECORD_BYTES} stops the reading before it can pile up the rest of the file;
 * - on a bad header it emits `error` then `end`: reported once.
 */

import { EventEmitter } from "node:events";

import pcapParser from "pcap-parser";

import type { CaptureParser, PacketSink, Report } from "./capture-types.js";

/** Largest record we accept: Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD (tshark refuses larger ones too). */
export const MAX_RECORD_BYTES = 262144;

/** Bytes handed to pcap-parser per 'data' event. */
const FEED_BYTES = 64 * 1024;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** A stand-in for a readable stream: pcap-parser listens on it, we emit the chunks. */
class ChunkFeed extends EventEmitter {
  pause(): void {}
  resume(): void {}
}

/**
 * A {@link CaptureParser} for classic pcap (magic a1b2c3d4, or a1b23c4d with `nanos`, either byte
 * order). Records go to `sink` with their 1-based frame number and the offset of their 16-byte
 * record header. Problems go to `report`:
 * - a file header pcap-parser refuses (bad version): offset 0, partial false, once;
 * - a record claiming more than {@link MAX_RECORD_BYTES}: its offset, partial true, reading stops;
 * - a cut-short file header or last record (at {@link CaptureParser.finish}): its offset, partial true.
 */
export function createPcapReader(sink: PacketSink, report: Report, nanos: boolean): CaptureParser {
  const feed = new ChunkFeed();
  const parser = pcapParser.parse(feed);
  const fractionPerMs = nanos ? 1e6 : 1e3;
  let linkType = 0;
  let snaplen = 0;
  let major = 2;
  let minor = 4;
  let headerSeen = false;
  let offset = 0; // offset of the next record header
  let frame = 0;
  let fed = 0;
  let stopped = false;
  let pending: pcapParser.PacketHeader | null = null;

  parser.on("globalHeader", (h) => {
    headerSeen = true;
    // Lower 26 bits: link type; the upper bits carry FCS information (draft-ietf-opsawg-pcap §4).
    linkType = h.linkLayerType & 0x03ffffff;
    snaplen = h.snapshotLength;
    major = h.majorVersion;
    minor = h.minorVersion;
    offset = FILE_HEADER;
  });
  parser.on("packetHeader", (h) => {
    if (stopped) return;
    pending = h;
    if (h.capturedLength > MAX_RECORD_BYTES) {
      stopped = true;
      // Files older than format 2.4 may come from libpcap < 0.5, which could swap the two lengths;
      // pcap-parser cannot be told to undo that, so say so.
      const swapped =
        (major < 2 || (major === 2 && minor < 4)) && h.originalLength <= MAX_RECORD_BYTES
          ? `; format ${major}.${minor} files from old libpcap may have the captured (${h.originalLength}) and original lengths swapped, which is not undone`
          : "";
      report(
        offset,
        `record ${frame + 1} at offset ${offset} claims ${h.capturedLength} bytes, more than the ${MAX_RECORD_BYTES} ` +
          `a record may hold (file snaplen ${snaplen})${swapped}`,
        true,
      );
    }
  });
  parser.on("packet", (p) => {
    if (stopped) return;
    frame++;
    const h = p.header;
    const timeMs = h.timestampSeconds * 1000 + Math.floor(h.timestampMicroseconds / fractionPerMs);
    sink.packet(p.data, 0, p.data.length, linkType, timeMs, frame, offset);
    offset += RECORD_HEADER + p.data.length;
    pending = null;
  });
  parser.on("error", (err) => {
    if (stopped) return;
    stopped = true;
    report(0, `pcap file header at offset 0: ${err.message} (expected version 2.4)`, false);
  });

  return {
    push(chunk: Buffer): boolean {
      if (stopped) return false;
      if (fed === 0 && nanos) {
        chunk = Buffer.from(chunk);
        // a1b23c4d -> a1b2c3d4 in the file's byte order (4d3cb2a1 is the little-endian form).
        chunk.writeUInt32BE(chunk[0] === 0xa1 ? 0xa1b2c3d4 : 0xd4c3b2a1, 0);
      }
      // pcap-parser copies what it holds plus the new data into a new buffer on every 'data' event:
      // feeding it FEED_BYTES at a time keeps those allocations small and of one size, which the C
      // heap reuses (large ones of varying size fragment it and the process grows with the file).
      for (let i = 0; i < chunk.length && !stopped; i += FEED_BYTES) {
        const piece = chunk.subarray(i, Math.min(i + FEED_BYTES, chunk.length));
        fed += piece.length;
        feed.emit("data", piece);
      }
      return !stopped;
    },
    finish(): void {
      if (stopped) return;
      if (!headerSeen) {
        report(0, `not a capture: ${fed} bytes, a pcap file header needs ${FILE_HEADER}`, false);
        return;
      }
      const left = fed - offset;
      if (left <= 0) return;
      if (pending !== null) {
        report(
          offset,
          `record ${frame + 1} at offset ${offset} claims ${pending.capturedLength} bytes, ` +
            `but the file ends after ${left - RECORD_HEADER} of them`,
          true,
        );
      } else {
        report(offset, `record header at offset ${offset} is cut short: ${left} of ${RECORD_HEADER} bytes`, true);
      }
    },
  };
}
