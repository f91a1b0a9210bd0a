import { gzipSync } from "node:zlib";

import { afterAll, describe, expect, it } from "vitest";

import type { InputError } from "../../src/core/collector.js";
import { Pcapng, clientHello, dnsMessage, dnsName, eth, ipv4, pcapFile, tcp, tempDir, udp } from "./__fixtures__/craft.js";
import { extractCapture } from "./index.js";
import { MAX_RECORD_BYTES } from "./pcap-reader.js";
import { MAX_BLOCK_BYTES } from "./pcapng-reader.js";
import { CHUNK_BYTES, readCapture } from "./reader.js";
import type { PacketSink } from "./reader.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const dnsFrame = (name: string, sport = 40000): Buffer =>
  eth(ipv4(17, udp(sport, 53, dnsMessage({ questions: [{ name: dnsName(name.split(".")), type: 1 }] }))));

const threeRecords = [
  { data: dnsFrame("one.example"), sec: 1767225600, frac: 1000 },
  { data: dnsFrame("two.example"), sec: 1767225601, frac: 2000 },
  { data: dnsFrame("three.example"), sec: 1767225602, frac: 3000 },
];

async function hosts(file: string): Promise<{ hosts: (string | undefined)[]; errors: InputError[] }> {
  const { observations, errors } = await extractCapture(file);
  return { hosts: observations.map((o) => o.host), errors };
}

describe("classic pcap through pcap-parser", () => {
  it("reads both byte orders and both resolutions", async () => {
    for (const bigEndian of [false, true]) {
      for (const nanos of [false, true]) {
        const file = tmp.write(`order-${bigEndian}-${nanos}.pcap`, pcapFile(threeRecords, { bigEndian, nanos }));
        const { observations, errors } = await extractCapture(file);
        expect(errors).toEqual([]);
        expect(observations.map((o) => o.host)).toEqual(["one.example", "two.example", "three.example"]);
        // µs fraction 1000 = 1 ms; ns fraction 1000 = 0.001 ms
        expect(observations[0]!.time).toBe(nanos ? "2026-01-01T00:00:00.000Z" : "2026-01-01T00:00:00.001Z");
      }
    }
  });

  it("keeps the packets before a cut-short last record and names its offset", async () => {
    const whole = pcapFile(threeRecords);
    const cut = whole.subarray(0, whole.length - 10);
    const { hosts: h, errors } = await hosts(tmp.write("truncated.pcap", cut));
    expect(h).toEqual(["one.example", "two.example"]);
    const third = 24 + 2 * (16 + threeRecords[0]!.data.length);
    expect(errors).toEqual([
      {
        input: expect.stringContaining("truncated.pcap"),
        offset: third,
        message: `record 3 at offset ${third} claims ${threeRecords[2]!.data.length} bytes, but the file ends after ${threeRecords[2]!.data.length - 10} of them`,
        partial: true,
      },
    ]);
  });

  it("reports a record header cut short", async () => {
    const whole = pcapFile(threeRecords.slice(0, 1));
    const file = tmp.write("cut-header.pcap", Buffer.concat([whole, Buffer.alloc(7)]));
    const { hosts: h, errors } = await hosts(file);
    expect(h).toEqual(["one.example"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(`record header at offset ${whole.length} is cut short: 7 of 16 bytes`);
    expect(errors[0]!.offset).toBe(whole.length);
  });

  it("stops at a record that claims more than any record may hold, keeping the ones before", async () => {
    const file = pcapFile(threeRecords);
    const second = 24 + 16 + threeRecords[0]!.data.length;
    file.writeUInt32LE(70_000_000, second + 8); // captured length of record 2
    const { hosts: h, errors } = await hosts(tmp.write("huge-record.pcap", file));
    expect(h).toEqual(["one.example"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ offset: second, partial: true });
    expect(errors[0]!.message).toBe(
      `record 2 at offset ${second} claims 70000000 bytes, more than the ${MAX_RECORD_BYTES} a record may hold (file snaplen 65535)`,
    );
  });

  it("reports a file header pcap-parser refuses once", async () => {
    const file = tmp.write("bad-version.pcap", pcapFile(threeRecords, { version: [3, 0] }));
    const { hosts: h, errors } = await hosts(file);
    expect(h).toEqual([]);
    expect(errors).toEqual([
      {
        input: file,
        offset: 0,
        message: "pcap file header at offset 0: unsupported version 3.0. pcap-parser only parses libpcap file format 2.4 (expected version 2.4)",
        partial: false,
      },
    ]);
  });

  it("reports a file header cut short as no capture, naming the size a header needs", async () => {
    const file = tmp.write("short-header.pcap", pcapFile([]).subarray(0, 10));
    const { errors } = await hosts(file);
    expect(errors).toEqual([
      { input: file, offset: 0, message: "not a capture: 10 bytes, a pcap file header needs 24 (a pcapng section header block 28)", partial: false },
    ]);
    // The same inside gzip, where the size is known only after decompressing.
    const gz = await hosts(tmp.write("short-header.pcap.gz", gzipSync(pcapFile([]).subarray(0, 10))));
    expect(gz.errors).toEqual([expect.objectContaining({ offset: 0, message: "not a capture: 10 bytes, a pcap file header needs 24", partial: false })]);
    const ng = await hosts(tmp.write("short.pcapng.gz", gzipSync(new Pcapng().shb().subarray(0, 26))));
    expect(ng.errors).toEqual([expect.objectContaining({ offset: 0, message: "not a capture: 26 bytes, a pcapng section header block needs 28", partial: false })]);
  });
});

describe("format detection", () => {
  it("reports an unknown magic once, naming what was expected", async () => {
    const file = tmp.write("bad-magic.pcap", Buffer.from("this is not a capture at all"));
    const { hosts: h, errors } = await hosts(file);
    expect(h).toEqual([]);
    expect(errors).toEqual([
      {
        input: file,
        offset: 0,
        message: "unknown magic 74686973 at offset 0: expected pcap (a1b2c3d4 or a1b23c4d, either byte order), pcapng (0a0d0d0a) or gzip (1f8b)",
        partial: false,
      },
    ]);
  });

  it("ignores the extension: a pcapng named .pcap and a pcap named .pcapng", async () => {
    const ng = new Pcapng();
    const pcapng = Buffer.concat([ng.shb(), ng.idb(1), ng.epb(0, 0n, dnsFrame("ng.example"))]);
    expect((await hosts(tmp.write("really-pcapng.pcap", pcapng))).hosts).toEqual(["ng.example"]);
    expect((await hosts(tmp.write("really-pcap.pcapng", pcapFile(threeRecords)))).hosts).toHaveLength(3);
  });

  it("decompresses gzip, and reports a gzip stream cut short", async () => {
    const gz = gzipSync(pcapFile(threeRecords));
    expect((await hosts(tmp.write("ok.pcap.gz", gz))).hosts).toHaveLength(3);
    const { errors } = await hosts(tmp.write("cut.pcap.gz", gz.subarray(0, gz.length - 8)));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^gzip stream: unexpected end of file \(after \d+ bytes of decompressed data\)$/);
  });

  it("reports empty and tiny files", async () => {
    const empty = await hosts(tmp.write("empty.pcap", Buffer.alloc(0)));
    expect(empty.errors).toEqual([
      expect.objectContaining({ offset: 0, message: "not a capture: the file is empty (0 bytes), a pcap file header needs 24 (a pcapng section header block 28)", partial: false }),
    ]);
    const tiny = await hosts(tmp.write("tiny.pcap", Buffer.from([0xd4, 0xc3])));
    expect(tiny.errors[0]!.message).toBe("not a capture: 2 bytes, a pcap file header needs 24 (a pcapng section header block 28)");
    const ten = await hosts(tmp.write("ten.pcap", Buffer.from("0123456789")));
    expect(ten.errors.map((e) => e.message)).toEqual(["not a capture: 10 bytes, a pcap file header needs 24 (a pcapng section header block 28)"]);
    // Two empty gzip members: 40 bytes that decompress to nothing.
    const emptyGz = await hosts(tmp.write("empty.pcap.gz", Buffer.concat([gzipSync(Buffer.alloc(0)), gzipSync(Buffer.alloc(0))])));
    expect(emptyGz.errors.map((e) => e.message)).toEqual([
      "not a capture: the file is empty (0 bytes), a pcap file header needs 24 (a pcapng section header block 28) (after gunzip)",
    ]);
  });

  it("reports a directory given as a capture", async () => {
    const { errors } = await hosts(tmp.path(""));
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^EISDIR/), partial: false })]);
  });
});

describe("streaming", () => {
  it("keeps chunks larger than any record or block a parser buffers (the read buffers are reused)", () => {
    expect(MAX_RECORD_BYTES).toBeLessThan(CHUNK_BYTES);
    expect(MAX_BLOCK_BYTES).toBeLessThan(CHUNK_BYTES);
  });

  it("reads no further than one chunk ahead of its consumer", async () => {
    // ~4 MB of small packets: 8 chunks.
    const records = Array.from({ length: 45_000 }, (_, i) => ({ data: dnsFrame(`n${i}.example`, 1024 + (i % 60000)) }));
    const file = tmp.write("many.pcap", pcapFile(records));
    let seen = 0;
    const sink: PacketSink = { packet: () => void seen++ };
    const it = readCapture(file, sink, { onError: () => {} });
    await it.next();
    const perChunk = Math.ceil(CHUNK_BYTES / (16 + records[0]!.data.length));
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(perChunk + 1);
    await it.next();
    expect(seen).toBeLessThanOrEqual(2 * perChunk + 1);
    await it.return(undefined);
  });

  it("never throws for any prefix of a valid file", async () => {
    const ng = new Pcapng();
    const files = [
      pcapFile(threeRecords),
      Buffer.concat([ng.shb(), ng.idb(1, { tsresol: 9 }), ng.epb(0, 5n, eth(ipv4(6, tcp(1, 443, clientHello("a.example", ["h2"])))))]),
    ];
    for (const [n, whole] of files.entries()) {
      for (let len = 0; len <= whole.length; len += 7) {
        const file = tmp.write(`prefix-${n}-${len}`, whole.subarray(0, len));
        const { errors } = await extractCapture(file);
        for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
      }
    }
  });
});
