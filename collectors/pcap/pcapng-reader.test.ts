import { describe, expect, it } from "vitest";

import { Pcapng, dnsMessage, dnsName, eth, ipv4, udp } from "./__fixtures__/craft.js";
import { createPcapngReader } from "./pcapng-reader.js";
import type { Report } from "./reader.js";

interface Seen {
  frame: number;
  offset: number;
  linkType: number;
  timeMs: number;
  bytes: number;
}

/** Run the reader over `file`, fed in chunks of `chunk` bytes. */
function read(file: Buffer, chunk = 1 << 16): { packets: Seen[]; errors: { offset: number | undefined; message: string; partial: boolean }[] } {
  const packets: Seen[] = [];
  const errors: { offset: number | undefined; message: string; partial: boolean }[] = [];
  const report: Report = (offset, message, partial) => errors.push({ offset, message, partial });
  const reader = createPcapngReader(
    { packet: (_buf, start, end, linkType, timeMs, frame, offset) => packets.push({ frame, offset, linkType, timeMs, bytes: end - start }) },
    report,
  );
  for (let i = 0; i < file.length; i += chunk) if (!reader.push(file.subarray(i, i + chunk))) break;
  reader.finish();
  return { packets, errors };
}

const frame = eth(ipv4(17, udp(1, 53, dnsMessage({ questions: [{ name: dnsName(["x", "example"]), type: 1 }] }))));

describe("pcapng reader", () => {
  for (const bigEndian of [false, true]) {
    it(`reads ${bigEndian ? "big" : "little"}-endian sections, in any chunking`, () => {
      const w = new Pcapng(bigEndian);
      const file = Buffer.concat([w.shb(), w.idb(1), w.epb(0, 1767225600123456n, frame), w.epb(0, 1767225601000000n, frame)]);
      for (const chunk of [1, 3, 13, 64, 1 << 16]) {
        const { packets, errors } = read(file, chunk);
        expect(errors).toEqual([]);
        expect(packets.map((p) => [p.frame, p.linkType, p.timeMs, p.bytes])).toEqual([
          [1, 1, 1767225600123, frame.length],
          [2, 1, 1767225601000, frame.length],
        ]);
      }
    });
  }

  it("keeps per-interface link types and timestamp resolutions, and resets them per section", () => {
    const le = new Pcapng(false);
    const be = new Pcapng(true);
    const file = Buffer.concat([
      le.shb(),
      le.idb(1), // µs
      le.idb(101, { tsresol: 3 }), // ms
      le.idb(113, { tsresol: 9, tsoffset: -100n }), // ns, 100 s earlier
      le.idb(228, { tsresol: 0x80 | 10 }), // 2^-10 s
      le.epb(2, 1767225600123456789n, frame),
      le.epb(1, 1767225600123n, frame),
      le.epb(3, 1024n * 1767225600n + 512n, frame),
      le.epb(0, 1767225600999999n, frame),
      be.shb(),
      be.idb(276, { tsresol: 6 }),
      be.epb(0, 5000n, frame),
    ]);
    const { packets, errors } = read(file);
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.frame, p.linkType, p.timeMs])).toEqual([
      [1, 113, 1767225500123],
      [2, 101, 1767225600123],
      [3, 228, 1767225600500],
      [4, 1, 1767225600999],
      [5, 276, 5],
    ]);
  });

  it("steps over unknown blocks of any size, buffering nothing, and counts tshark's non-packet frames", () => {
    const w = new Pcapng();
    const big = w.block(0x80000001, Buffer.alloc(3 * 1024 * 1024));
    const file = Buffer.concat([w.shb(), w.idb(1), big, w.block(0xbad, Buffer.alloc(8)), w.epb(0, 0n, frame), w.spb(frame)]);
    const { packets, errors } = read(file, 4096);
    expect(errors).toEqual([]);
    // tshark 4.0.17 shows a custom block (0xbad) as a frame of its own: frame 1 here, so the
    // packets are frames 2 and 3 (checked with tshark on the same bytes).
    expect(packets.map((p) => [p.frame, p.bytes])).toEqual([
      [2, frame.length],
      [3, frame.length],
    ]);
  });

  it("reports a block length shorter than 12 with its offset, keeping the packets before", () => {
    const w = new Pcapng();
    const head = Buffer.concat([w.shb(), w.idb(1), w.epb(0, 0n, frame)]);
    const bad = Buffer.alloc(12);
    bad.writeUInt32LE(6, 0);
    bad.writeUInt32LE(3, 4);
    const { packets, errors } = read(Buffer.concat([head, bad, w.epb(0, 0n, frame)]));
    expect(packets).toHaveLength(1);
    expect(errors).toEqual([{ offset: head.length, message: `block length 3 at offset ${head.length} is shorter than 12`, partial: true }]);
  });

  it("reports a length that is not a multiple of 4, and mismatched trailing length", () => {
    const w = new Pcapng();
    const head = Buffer.concat([w.shb(), w.idb(1)]);
    const odd = w.epb(0, 0n, frame);
    odd.writeUInt32LE(odd.length + 2, 4);
    expect(read(Buffer.concat([head, odd])).errors[0]!.message).toBe(`block length ${odd.length + 2} at offset ${head.length} is not a multiple of 4`);
    const mismatched = w.epb(0, 0n, frame);
    mismatched.writeUInt32LE(8, mismatched.length - 4);
    expect(read(Buffer.concat([head, mismatched])).errors[0]!.message).toBe(
      `enhanced packet block at offset ${head.length}: trailing length 8 does not match leading length ${mismatched.length}`,
    );
  });

  it("reports a cut-short last block and a cut-short skipped block", () => {
    const w = new Pcapng();
    const head = Buffer.concat([w.shb(), w.idb(1), w.epb(0, 0n, frame)]);
    const next = w.epb(0, 0n, frame);
    const cut = read(Buffer.concat([head, next.subarray(0, 40)]));
    expect(cut.packets).toHaveLength(1);
    expect(cut.errors).toEqual([
      { offset: head.length, message: `enhanced packet block at offset ${head.length} claims ${next.length} bytes, but the file ends after 40 of them`, partial: true },
    ]);
    const header = read(Buffer.concat([head, next.subarray(0, 5)]));
    expect(header.errors[0]!.message).toBe(`block header at offset ${head.length} is cut short: 5 of 12 bytes`);
    const skipped = w.block(0x80000001, Buffer.alloc(200_000));
    const cutSkip = read(Buffer.concat([head, skipped.subarray(0, 100_000)]), 4096);
    expect(cutSkip.errors[0]!.message).toBe(
      `block of type 0x80000001 at offset ${head.length} claims ${skipped.length} bytes, but the file ends ${skipped.length - 100_000} bytes short`,
    );
  });

  it("reports an unknown interface, a packet before any interface, and a captured length past the block", () => {
    const w = new Pcapng();
    const head = Buffer.concat([w.shb(), w.idb(1)]);
    expect(read(Buffer.concat([head, w.epb(1, 0n, frame)])).errors[0]!.message).toBe(
      `enhanced packet block at offset ${head.length} names interface 1, but the section has 1`,
    );
    expect(read(Buffer.concat([w.shb(), w.spb(frame)])).errors[0]!.message).toBe(
      "simple packet block at offset 28 comes before any interface description block",
    );
    const long = w.epb(0, 0n, frame);
    long.writeUInt32LE(10_000, 20); // captured length
    expect(read(Buffer.concat([head, long])).errors[0]!.message).toBe(
      `enhanced packet block at offset ${head.length}: captured length 10000 is more than the ${long.length - 32} bytes the block holds`,
    );
  });

  it("refuses to buffer an oversized packet block and a bad byte-order magic", () => {
    const w = new Pcapng();
    const head = Buffer.concat([w.shb(), w.idb(1)]);
    const huge = Buffer.alloc(12);
    huge.writeUInt32LE(6, 0);
    huge.writeUInt32LE(0x7ffffff0, 4);
    expect(read(Buffer.concat([head, huge])).errors[0]!.message).toMatch(
      new RegExp(`^enhanced packet block at offset ${head.length} claims 2147483632 bytes, more than the \\d+ allowed$`),
    );
    const shb = w.shb();
    shb.writeUInt32LE(0x12345678, 8);
    expect(read(shb).errors[0]!.message).toBe("section header block at offset 0: byte-order magic 78563412 is neither 4d3c2b1a nor 1a2b3c4d");
  });
});
