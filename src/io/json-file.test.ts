import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../core/collector.js";
import { asList, ItemArray, isoTime, itemsOf, outlineJsonFile, OVERSIZE, readJsonRecords, snapshotTime, sniffFirstMember, type JsonOutline, type JsonRecord, type ReadJsonOptions } from "./json-file.js";

const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-json-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const f = join(tmp, `f${n++}.json`);
  writeFileSync(f, content);
  return f;
}

async function outline(content: string | Buffer, opts?: ReadJsonOptions): Promise<{ o: JsonOutline | undefined; errors: InputError[]; f: string }> {
  const f = file(content);
  const errors: InputError[] = [];
  const o = await outlineJsonFile(f, { onError: (e) => errors.push(e) }, opts);
  return { o, errors, f };
}

async function records(o: JsonOutline, members?: Set<string>): Promise<JsonRecord[]> {
  const out: JsonRecord[] = [];
  for await (const b of readJsonRecords(o, members)) out.push(...b);
  return out;
}

function valid(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("outlineJsonFile", () => {
  it("keeps the top-level members and outlines item arrays by length and first non-null element", async () => {
    const { o, errors } = await outline(JSON.stringify({ kind: "k", items: [null, { a: 1 }, { a: 2 }], etag: "e", exportedAt: "2026-11-20T09:00:00Z", user: { x: [1] } }));
    expect(errors).toEqual([]);
    expect(o?.top).toBe("object");
    expect({ ...o!.members }).toEqual({ kind: "k", items: new ItemArray("items", 3, { a: 1 }), etag: "e", exportedAt: "2026-11-20T09:00:00Z", user: { x: [1] } });
    expect(await records(o!)).toEqual([
      { member: "items", index: 0, value: null },
      { member: "items", index: 1, value: { a: 1 } },
      { member: "items", index: 2, value: { a: 2 } },
    ]);
  });

  it("streams the elements of a top-level array and reads a scalar", async () => {
    const { o } = await outline('[{"a":[1,2]}, 3, "x", null]');
    expect(o?.top).toBe("array");
    expect(o?.elements).toBe(4);
    expect((await records(o!)).map((r) => r.value)).toEqual([{ a: [1, 2] }, 3, "x", null]);
    const s = await outline(' "just text" ');
    expect(s.o?.top).toBe("scalar");
    expect(s.o?.scalar).toBe("just text");
  });

  it("agrees with JSON.parse on valid text and on mutations of it", async () => {
    const base = JSON.stringify({ kind: "x", items: [{ a: 1.5e3, b: [true, false, null], c: "q\"\\\u00e9\n" }, -0.25, [], {}] }, null, 1);
    let seed = 7;
    const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
    const alphabet = '{}[]:,"\\ 0123456789-+.eEtrufalsn\t\nx';
    for (let k = 0; k < 300; k++) {
      const p = rnd(base.length);
      const ch = alphabet[rnd(alphabet.length)]!;
      const op = rnd(3);
      const t = op === 0 ? base.slice(0, p) + base.slice(p + 1) : op === 1 ? base.slice(0, p) + ch + base.slice(p) : base.slice(0, p) + ch + base.slice(p + 1);
      const { o, errors } = await outline(t);
      expect(o !== undefined, JSON.stringify(t)).toBe(valid(t));
      if (o) {
        const doc = JSON.parse(t) as unknown;
        const recs = await records(o);
        if (o.top === "object") {
          const rebuilt: Record<string, unknown> = {};
          for (const [key, v] of Object.entries(o.members)) rebuilt[key] = v instanceof ItemArray ? recs.filter((r) => r.member === key).map((r) => r.value) : v;
          expect(rebuilt, JSON.stringify(t)).toEqual(doc);
        } else if (o.top === "array") {
          expect(recs.map((r) => r.value)).toEqual(doc);
        }
      } else {
        expect(errors[0]?.message, JSON.stringify(t)).toMatch(/^invalid JSON at line \d+, column \d+ \(byte offset \d+\): /);
      }
    }
  });

  it("gives the line, column, byte offset and what was expected", async () => {
    const cases: [string, string][] = [
      ['{"a": }', "invalid JSON at line 1, column 7 (byte offset 6): expected a value (found \"}\")"],
      ['{"a":1', "invalid JSON at line 1, column 7 (byte offset 6): expected ',' (found end of input)"],
      ["", "invalid JSON at line 1, column 1 (byte offset 0): expected a value (found end of input)"],
      ["[1,2]x", 'invalid JSON at line 1, column 6 (byte offset 5): unexpected character (found "x")'],
      ['{"a":1,}', 'invalid JSON at line 1, column 8 (byte offset 7): expected a double-quoted property name (found "}")'],
      ["[1,]", 'invalid JSON at line 1, column 4 (byte offset 3): expected a value (found "]")'],
      ['{\n "é": x}', 'invalid JSON at line 2, column 7 (byte offset 9): expected a value (found "x")'],
    ];
    for (const [text, message] of cases) {
      const { errors } = await outline(text);
      expect(errors.map((e) => e.message)).toEqual([message]);
    }
  });

  it("strips a UTF-8 BOM and counts it in the byte offset of an error", async () => {
    const ok = await outline("\ufeff" + '{"kind":"k"}');
    expect({ ...ok.o!.members }).toEqual({ kind: "k" });
    const bad = await outline("\ufeff" + '{"é": x}');
    expect(bad.errors).toEqual([{ input: bad.f, offset: 3 + 7, line: 1, message: 'invalid JSON at line 1, column 7 (byte offset 10): expected a value (found "x")', partial: false }]);
  });

  it("reads UTF-16 LE and BE with a BOM, and locates errors in them in bytes", async () => {
    const body = JSON.stringify({ user: "ivan@example.com", items: [{ clientId: "c", displayText: "Fäthom 😀" }] });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    for (const buf of [le, be]) {
      const { o } = await outline(buf);
      expect(o?.members["user"]).toBe("ivan@example.com");
      expect((await records(o!)).map((r) => r.value)).toEqual([{ clientId: "c", displayText: "Fäthom 😀" }]);
    }
    const bad = await outline(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a": x}', "utf16le")]));
    expect(bad.errors[0]).toMatchObject({ offset: 2 + 6 * 2, line: 1 });
  });

  it("refuses deep nesting with a located error, without a stack overflow", async () => {
    const { errors, f } = await outline("[".repeat(1_000_000));
    expect(errors).toEqual([
      { input: f, offset: 64, line: 1, message: 'invalid JSON at line 1, column 65 (byte offset 64): nested deeper than 64 levels of arrays and objects (found "[")', partial: false },
    ]);
    const ok = await outline("[".repeat(60) + "]".repeat(60));
    expect(ok.errors).toEqual([]);
  });

  it("skips and counts records over their bound, and never assembles them", async () => {
    const big = "x".repeat(900);
    const { o, errors } = await outline(JSON.stringify({ items: [{ a: 1 }, { b: [big, big] }, { c: 3 }], note: [big, big] }), { maxRecordChars: 1000 });
    expect(errors).toEqual([]);
    expect(o?.oversize).toEqual({ count: 1, first: '"items"[1]' });
    expect(o?.members["note"]).toBe(OVERSIZE);
    expect((await records(o!)).map((r) => r.value)).toEqual([{ a: 1 }, { c: 3 }]);
    // a single string over the bound ends the file: no JSON API response holds one
    const s = await outline(JSON.stringify({ items: ["y".repeat(600_000)] }), { maxRecordChars: 1000 });
    expect(s.errors[0]?.message).toMatch(/over the 1000-character bound of one record/);
  });

  it("refuses a directory, a FIFO (without hanging) and a file over the size cap", async () => {
    const errors: InputError[] = [];
    const onError = (e: InputError) => errors.push(e);
    const dir = join(tmp, "d");
    mkdirSync(dir);
    expect(await outlineJsonFile(dir, { onError })).toBeUndefined();
    const fifo = join(tmp, "fifo.json");
    execFileSync("mkfifo", [fifo]);
    expect(await outlineJsonFile(fifo, { onError })).toBeUndefined();
    expect(await outlineJsonFile(file('{"a":1}'), { onError }, { maxBytes: 3 })).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([
      "not a regular file: expected a JSON file of saved API responses",
      "not a regular file: expected a JSON file of saved API responses",
      "file is 7 bytes, over the 3-byte limit for one JSON export; save the API pages as separate files",
    ]);
  });

  it("keeps members safe from __proto__", async () => {
    const { o } = await outline('{"__proto__": {"polluted": 1}, "items": [{"__proto__": {"x": 1}}]}');
    expect(Object.getPrototypeOf(o!.members)).toBeNull();
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const [r] = await records(o!);
    expect(Object.getPrototypeOf(r!.value)).toBe(Object.prototype);
  });

  it("itemsOf reads an outlined item array, or passes a plain array through", async () => {
    const { o } = await outline('{"items": [1, 2, 3], "value": [4]}');
    const got: unknown[] = [];
    for await (const b of itemsOf(o!, o!.members["items"] as ItemArray)) got.push(...b);
    for await (const b of itemsOf(o!, [9])) got.push(...b);
    expect(got).toEqual([1, 2, 3, 9]);
  });
});

describe("sniffFirstMember", () => {
  it("reads the first member of the top-level object only", async () => {
    expect(await sniffFirstMember(file('\n  {\n "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", "value": []}'))).toEqual([
      "@odata.context",
      "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants",
    ]);
    expect(await sniffFirstMember(file('[{"kind": "admin#directory#tokenList"}]'))).toBeUndefined();
    expect(await sniffFirstMember(file('{"etag": 1, "kind": "admin#directory#tokenList"}'))).toBeUndefined();
  });
});

describe("snapshotTime", () => {
  it("is the UTC day of exportedAt, else of the file's mtime", () => {
    expect(snapshotTime({ members: { exportedAt: "2026-11-20T23:30:00-02:00" }, mtime: "2026-12-01T10:00:00.000Z" })).toBe("2026-11-21T00:00:00.000Z");
    expect(snapshotTime({ members: { exportedAt: "yesterday" }, mtime: "2026-12-01T10:00:00.000Z" })).toBe("2026-12-01T00:00:00.000Z");
  });
});

describe("isoTime and asList", () => {
  it("normalises ISO times and refuses other text", () => {
    expect(isoTime("2020-03-13T19:15:41.6195833Z")).toBe("2020-03-13T19:15:41.619Z");
    expect(isoTime("2026-11-18T07:24:42+01:00")).toBe("2026-11-18T06:24:42.000Z");
    expect(isoTime("March 7, 2026")).toBeUndefined();
    expect(isoTime(1700000000)).toBeUndefined();
  });

  it("takes an object for a list of one and ignores other types", () => {
    expect(asList([1])).toEqual([1]);
    expect(asList({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asList("x")).toEqual([]);
    expect(asList(null)).toEqual([]);
  });
});
