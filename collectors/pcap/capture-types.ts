/**
 * The types the capture readers share: the sink records go to, the push-parser contract and the
 * problem reporter. In a module of their own so that reader.ts and the two format readers
 * (pcap-reader.ts, pcapng-reader.ts) do not import each other.
 */

/** Receives every captured record, synchronously, in file order. */
export interface PacketSink {
  /**
   * One record: its bytes are `buf[start, end)` (valid only during the call: copy what you keep),
   * its link type (LINKTYPE value), its time in whole milliseconds since 1970-01-01T00:00:00Z (can
   * lie outside the range of a Date for absurd timestamps; 0 when the record has none), its 1-based
   * frame number (as tshark's `frame.number`) and the byte offset of its record (pcap record
   * header, pcapng block) in the file.
   */
  packet(buf: Buffer, start: number, end: number, linkType: number, timeMs: number, frame: number, offset: number): void;
}

/** A push parser for one capture format. */
export interface CaptureParser {
  /** Parse the next chunk, calling the sink for each complete record. False once it has stopped on a fatal problem. */
  push(chunk: Buffer): boolean;
  /** End of input: report a last record or header cut short. */
  finish(): void;
}

/** Report a problem at a byte offset; `partial` as in {@link InputError}. */
export type Report = (offset: number | undefined, message: string, partial: boolean) => void;
