import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../core/collector.js";
import { findJsonError, isoTime, readJsonFile, sniffFirstMember } from "./json-file.js";

const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-json-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function valid(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("findJsonError", () => {
  it("agrees with JSON.parse on valid text and on mutations of it", () => {
    const base = JSON.stringify({ kind: "x", items: [{ a: 1.5e3, b: [true, false, null], c: "q\"\\\u00e9\n" }, -0.25, [], {}] }, null, 1);
    expect(findJsonError(base)).toBeUndefined();
    // deterministic pseudo-random mutations: delete, insert or replace one character
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = '{}[]:,"\\ 0123456789-+.eEtrufalsn\t\nx';
    for (let k = 0; k < 3000; k++) {
      const p = rnd(base.length);
      const ch = alphabet[rnd(alphabet.length)]!;
      const op = rnd(3);
      const t = op === 0 ? base.slice(0, p) + base.slice(p + 1) : op === 1 ? base.slice(0, p) + ch + base.slice(p) : base.slice(0, p) + ch + base.slice(p + 1);
      expect(findJsonError(t) === undefined, JSON.stringify(t)).toBe(valid(t));
    }
  });

  it("gives the position and what was expected", () => {
    expect(findJsonError('{"a": }')).toEqual({ pos: 6, what: "expected a value (found \"}\")" });
    expect(findJsonError('{"a":1')).toEqual({ pos: 6, what: "expected '}' (found end of input)" });
    expect(findJsonError("")).toEqual({ pos: 0, what: "expected a value (found end of input)" });
    expect(findJsonError("[1,2]x")?.pos).toBe(5);
    expect(findJsonError('{"a":1,}')?.what).toMatch(/^expected a double-quoted property name/);
    expect(findJsonError('{"a": // c\n 1}')?.what).toMatch(/^comments are not JSON/);
  });

  it("does not overflow the stack on deep nesting: it gives up and the caller keeps V8's message", async () => {
    expect(findJsonError("[".repeat(200_000))).toBeUndefined();
    const deep = join(tmp, "deep.json");
    writeFileSync(deep, "[".repeat(200_000));
    const errors: InputError[] = [];
    expect(await readJsonFile(deep, { onError: (e) => errors.push(e) })).toBeUndefined();
    expect(errors[0]?.message).toMatch(/^invalid JSON: /);
  });
});

describe("readJsonFile", () => {
  it("strips a UTF-8 BOM and counts it in the byte offset of an error", async () => {
    const ok = join(tmp, "bom.json");
    writeFileSync(ok, "\ufeff" + '{"kind":"k"}');
    const errors: InputError[] = [];
    expect((await readJsonFile(ok, { onError: (e) => errors.push(e) }))?.doc).toEqual({ kind: "k" });
    const bad = join(tmp, "bom-bad.json");
    writeFileSync(bad, "\ufeff" + '{"é": x}');
    await readJsonFile(bad, { onError: (e) => errors.push(e) });
    expect(errors).toEqual([{ input: bad, offset: 3 + 7, line: 1, message: 'invalid JSON at line 1, column 7 (byte offset 10): unexpected character (found "x")', partial: false }]);
  });

  it("reports a directory", async () => {
    const errors: InputError[] = [];
    expect(await readJsonFile(tmp, { onError: (e) => errors.push(e) })).toBeUndefined();
    expect(errors[0]?.message).toMatch(/^not a regular file/);
  });
});

describe("sniffFirstMember", () => {
  it("reads the first member of the top-level object only", async () => {
    const a = join(tmp, "a.json");
    writeFileSync(a, '\n  {\n "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", "value": []}');
    expect(await sniffFirstMember(a)).toEqual(["@odata.context", "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants"]);
    const b = join(tmp, "b.json");
    writeFileSync(b, '[{"kind": "admin#directory#tokenList"}]');
    expect(await sniffFirstMember(b)).toBeUndefined();
    const c = join(tmp, "c.json");
    writeFileSync(c, '{"etag": 1, "kind": "admin#directory#tokenList"}');
    expect(await sniffFirstMember(c)).toBeUndefined();
  });
});

describe("isoTime", () => {
  it("normalises ISO times and refuses other text", () => {
    expect(isoTime("2020-03-13T19:15:41.6195833Z")).toBe("2020-03-13T19:15:41.619Z");
    expect(isoTime("2026-11-18T07:24:42+01:00")).toBe("2026-11-18T06:24:42.000Z");
    expect(isoTime("March 7, 2026")).toBeUndefined();
    expect(isoTime(1700000000)).toBeUndefined();
  });
});
