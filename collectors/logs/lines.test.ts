import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { run } from "./__fixtures__/run.js";
import { forEachLine, gzipSource, plainSource, readLineEvents, type LineEvent } from "./lines.js";

const tmp = () => mkdtempSync(join(tmpdir(), "logs-lines-"));

/** Every line of a file as [line, offset, text], and the long ones as [line, offset, length]. */
async function lines(file: string, gzip = false, limits = { chunkBytes: 16, maxLineBytes: 32 }): Promise<{ lines: [number, number, string][]; long: [number, number, number][]; tail?: string }> {
  const out: [number, number, string][] = [];
  const long: [number, number, number][] = [];
  let tail: string | undefined;
  const visitor = {
    line: (t: string, s: number, e: number, line: number, offset: number) => out.push([line, offset, t.slice(s, e)]),
    long: (line: number, offset: number, length: number) => long.push([line, offset, length]),
  };
  let line = 1;
  const src = gzip ? gzipSource(file) : await plainSource(file, 0);
  for await (const ev of readLineEvents(src, 0, limits) as AsyncIterable<LineEvent>) {
    if (ev.type === "lines") line = forEachLine(ev.bytes, ev.offset, line, visitor, limits.maxLineBytes);
    else if (ev.type === "long") long.push([line++, ev.offset, ev.length]);
    else tail = ev.bytes.toString();
  }
  await src.close();
  return { lines: out, long, ...(tail !== undefined ? { tail } : {}) };
}

describe("line reader", () => {
  it("splits across chunk boundaries with exact byte offsets, CRLF and a missing final newline", async () => {
    const f = join(tmp(), "a.log");
    writeFileSync(f, "first line\r\nsecond, a bit longer line\n\nlast");
    expect(await lines(f)).toEqual({
      lines: [
        [1, 0, "first line"],
        [2, 12, "second, a bit longer line"],
        [3, 38, ""],
      ],
      long: [],
      tail: "last",
    });
  });

  it("a line over the limit is reported with its length and skipped, whether or not it fits a chunk", async () => {
    const f = join(tmp(), "b.log");
    const huge = "x".repeat(1000);
    writeFileSync(f, `ok\n${huge}\nafter\n${"y".repeat(40)}\nend\n${"z".repeat(100)}`);
    const r = await lines(f);
    expect(r.lines).toEqual([
      [1, 0, "ok"],
      [3, 1004, "after"],
      [5, 1051, "end"],
    ]);
    expect(r.long).toEqual([
      [2, 3, 1000],
      [4, 1010, 40],
      [6, 1055, 100],
    ]);
  });

  it("invalid UTF-8 decodes to U+FFFD and later offsets stay exact; multi-byte text too", async () => {
    const f = join(tmp(), "c.log");
    writeFileSync(f, Buffer.concat([Buffer.from("ok\n"), Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]), Buffer.from("naïve café\nnext\n"), Buffer.from([0xe2, 0x82, 0x0a]), Buffer.from("z\n")]));
    const r = await lines(f, false, { chunkBytes: 1 << 16, maxLineBytes: 1 << 16 });
    expect(r.lines).toEqual([
      [1, 0, "ok"],
      [2, 3, "a\ufffd\ufffdb"],
      [3, 8, "naïve café"],
      [4, 21, "next"],
      [5, 26, "\ufffd"],
      [6, 29, "z"],
    ]);
  });

  it("a UTF-8 byte-order mark on line 1 is dropped", async () => {
    const f = join(tmp(), "bom.log");
    writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("héllo\nworld\n")]));
    expect((await lines(f, false, { chunkBytes: 1024, maxLineBytes: 1024 })).lines).toEqual([
      [1, 0, "héllo"],
      [2, 10, "world"],
    ]);
  });

  it("gzip (several members, as logrotate appends) reads like the plain file", async () => {
    const f = join(tmp(), "d.log.gz");
    writeFileSync(f, Buffer.concat([gzipSync("one\ntwo\n"), gzipSync("three\n")]));
    expect((await lines(f, true)).lines).toEqual([
      [1, 0, "one"],
      [2, 4, "two"],
      [3, 8, "three"],
    ]);
  });
});

describe("hostile input end to end", () => {
  it("a 1 MiB line, binary garbage and a cut gzip never stop a scan", async () => {
    const dir = tmp();
    const f = join(dir, "access.log");
    const l1 = Buffer.from("1700000000.000 1 10.0.0.1 TCP_TUNNEL/200 1 CONNECT a.example:443 - HIER_DIRECT/1.2.3.4 -\n");
    const l2 = Buffer.from(`1700000000.000 1 10.0.0.1 TCP_MISS/200 1 GET http://b.example/${"A".repeat(1 << 20)} - HIER_DIRECT/1.2.3.4 -\n`);
    const l3 = Buffer.from([0, 1, 2, 0xff, 0xc3, 0x28, 0x0a]);
    const l4 = Buffer.from("1700000000.000 1 10.0.0.1 TCP_TUNNEL/200 1 CONNECT c.example:443 - HIER_DIRECT/1.2.3.4 -\n");
    writeFileSync(f, Buffer.concat([l1, l2, l3, l4]));
    const { observations, errors } = await run([f], { format: "squid" });
    expect(observations.map((o) => [o.host, o.ref.line, o.ref.offset])).toEqual([
      ["a.example", 1, 0],
      ["c.example", 4, l1.length + l2.length + l3.length],
    ]);
    expect(errors.map((e) => [e.line, e.offset])).toEqual([
      [2, l1.length],
      [3, l1.length + l2.length],
    ]);
    expect(errors[0]!.message).toBe(`line 2: line of ${l2.length - 1} bytes is over the 65536-byte limit; line skipped`);

    const gz = join(dir, "cut.log.gz");
    const whole = gzipSync(Buffer.from("1700000000.000 1 10.0.0.1 TCP_TUNNEL/200 1 CONNECT a.example:443 - HIER_DIRECT/1.2.3.4 -\n".repeat(2000)));
    writeFileSync(gz, whole.subarray(0, whole.length - 40));
    const cut = await run([gz], { format: "squid" });
    expect(cut.observations.length).toBeGreaterThan(0);
    expect(cut.errors.at(-1)).toMatchObject({ partial: true, message: expect.stringMatching(/read stopped at byte \d+ .*gzip file cut short or corrupt/) });
  });

  it("lines without separators cannot make parsing quadratic (each search bounded by its line)", async () => {
    const dir = tmp();
    const junk = `${"x".repeat(30)}\n`.repeat(60_000);
    const zeek = join(dir, "ssl.log");
    writeFileSync(zeek, `#separator \\x09\n#path\tssl\n#fields\tts\tid.orig_h\tserver_name\n${junk}`);
    const squid = join(dir, "access.log");
    writeFileSync(squid, junk);
    const clf = join(dir, "clf.log");
    writeFileSync(clf, junk);
    const t0 = performance.now();
    for (const [f, format] of [[zeek, "zeek"], [squid, "squid"], [clf, "clf"]] as const) {
      const { observations, errors } = await run([f], { format });
      expect(observations).toEqual([]);
      expect(errors.at(-1)!.message).toMatch(/^60000 malformed lines in all/);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("many malformed lines: the first 5 are reported with line and offset, then one total", async () => {
    const f = join(tmp(), "bad.log");
    writeFileSync(f, `${Array.from({ length: 12 }, (_, i) => `garbage ${i}`).join("\n")}\n`);
    const { errors } = await run([f], { format: "squid" });
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, undefined]);
    expect(errors[1]).toMatchObject({ offset: 10, partial: true });
    expect(errors[5]!.message).toBe("12 malformed lines in all were skipped (the first 5 are reported above)");
  });

  it("unreadable inputs, directories, unknown formats and empty files", async () => {
    const dir = tmp();
    const empty = join(dir, "empty.log");
    writeFileSync(empty, "");
    const odd = join(dir, "odd.log");
    writeFileSync(odd, "hello world\nthis is not a log\n");
    const { observations, errors } = await run([join(dir, "missing.log"), dir, empty, odd]);
    expect(observations).toEqual([]);
    expect(errors.map((e) => [e.input, e.partial, e.message.slice(0, 30)])).toEqual([
      [join(dir, "missing.log"), false, "cannot read: ENOENT: no such f"],
      [dir, false, "not a regular file: expected a"],
      [odd, false, "cannot tell the log format fro"],
    ]);
    const bad = await run([odd], { format: "syslog" });
    expect(bad.errors).toEqual([expect.objectContaining({ partial: false, message: expect.stringMatching(/unknown log format "syslog"/) })]);
  });
});
