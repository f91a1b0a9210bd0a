/**
 * Types for hpack.js 2.1.6 (https://github.com/indutny/hpack.js, lib/hpack/decompressor.js), which
 * ships none. Only what this collector uses: the decompressor, a readable/writable object stream.
 */
declare module "hpack.js" {
  import type { Duplex } from "node:stream";

  /** One decoded header field: name and value as latin1 strings (one char per byte). */
  interface HeaderField {
    name: string;
    value: string;
    neverIndex: boolean;
  }

  interface Decompressor extends Duplex {
    /** Queue a header block (or part of one) to decode. */
    write(chunk: Buffer): boolean;
    /**
     * Decode everything queued: pushes a {@link HeaderField} per field, adds literal fields with
     * incremental indexing to the dynamic table. A malformed block emits `error` (or passes it
     * to `cb`, on the next tick).
     */
    execute(cb?: (err: Error | null) => void): void;
    /** The next decoded field, or null. */
    read(): HeaderField | null;
  }

  const hpack: {
    decompressor: {
      /** `table.maxSize`: the largest dynamic table size (RFC 7541 §4.2) a size update may set, in octets. */
      create(options: { table: { maxSize: number } }): Decompressor;
    };
  };
  export default hpack;
}
