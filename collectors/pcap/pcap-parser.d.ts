/**
 * Types for pcap-parser 0.2.1 (https://github.com/kunklejr/node-pcap-parser, lib/pcap-parser.js),
 * which ships none (`@types/pcap-parser` does not exist). Only what this collector uses.
 */
declare module "pcap-parser" {
  import type { EventEmitter } from "node:events";

  namespace pcapParser {
    /** The 24-byte classic pcap file header. `linkLayerType` is the raw 32-bit field (FCS bits included). */
    interface GlobalHeader {
      magicNumber: number;
      majorVersion: number;
      minorVersion: number;
      gmtOffset: number;
      timestampAccuracy: number;
      snapshotLength: number;
      linkLayerType: number;
    }
    /** The 16-byte record header. The fraction is named microseconds whatever the file's resolution. */
    interface PacketHeader {
      timestampSeconds: number;
      timestampMicroseconds: number;
      capturedLength: number;
      originalLength: number;
    }
    interface Packet {
      header: PacketHeader;
      /** A slice of the parser's buffer, not a copy. */
      data: Buffer;
    }
    /** What the parser reads from: a path, or anything with `on`, `pause` and `resume`. */
    interface Source {
      on(event: "data", listener: (chunk: Buffer) => void): unknown;
      on(event: "error", listener: (err: Error) => void): unknown;
      on(event: "end", listener: () => void): unknown;
      pause(): unknown;
      resume(): unknown;
    }
    interface Parser extends EventEmitter {
      on(event: "globalHeader", listener: (header: GlobalHeader) => void): this;
      on(event: "packetHeader", listener: (header: PacketHeader) => void): this;
      on(event: "packetData", listener: (data: Buffer) => void): this;
      on(event: "packet", listener: (packet: Packet) => void): this;
      on(event: "end", listener: () => void): this;
      on(event: "error", listener: (err: Error) => void): this;
    }
    /** Start parsing (on the next tick): attach listeners synchronously. */
    function parse(input: string | Source): Parser;
  }
  export = pcapParser;
}
