/**
 * Reading API responses saved as JSON files: a size cap, BOM/UTF-16 handling, parse errors with a
 * line, column and byte offset, and a cheap look at the first key of the top-level object.
 *
 * Shared by the export collectors (`google-workspace`, `microsoft-entra`); it knows nothing of
 * either API. (A candidate for `src/core/` once a third JSON collector needs it.)
 */
import { open, readFile, stat } from "node:fs/promises";
import type { CollectContext } from "../core/collector.js";
import { bound } from "../core/observation.js";
import { parse as parseJsonc, ParseErrorCode, printParseErrorCode, type ParseError } from "jsonc-parser";

/** Largest JSON file read whole (a first cut without a streaming parser). */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** A parsed JSON file and the facts about it that observations need. */
export interface JsonFile {
  file: string;
  doc: unknown;
  /** The file's modification time, ISO 8601 UTC with milliseconds. */
  mtime: string;
}

/** Options for {@link readJsonFile}; the defaults suit real use, tests lower the cap. */
export interface ReadJsonOptions {
  maxBytes?: number;
}

/**
 * Read and parse one JSON file. Problems (unreadable, a directory, over the size cap, invalid
 * JSON) are reported through `ctx.onError` with `partial: false`, and `undefined` is returned so
 * that the caller goes on with the next file.
 *
 * Accepts UTF-8 with or without a BOM and UTF-16 with a BOM (what Windows PowerShell 5.1's
 * `Out-File` writes). Invalid JSON is reported with its line, column and byte offset.
 */
export async function readJsonFile(file: string, ctx: CollectContext, opts: ReadJsonOptions = {}): Promise<JsonFile | undefined> {
  const maxBytes = opts.maxBytes ?? MAX_JSON_BYTES;
  let text: string;
  let bomBytes: number;
  let utf16: boolean;
  let mtime: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) {
      ctx.onError({ input: file, message: "not a regular file: expected a JSON file of saved API responses", partial: false });
      return undefined;
    }
    if (st.size > maxBytes) {
      ctx.onError({
        input: file,
        message: `file is ${st.size} bytes, over the ${maxBytes}-byte limit for one JSON export; save the API pages as separate files`,
        partial: false,
      });
      return undefined;
    }
    mtime = st.mtime.toISOString();
    ({ text, bomBytes, utf16 } = decode(await readFile(file)));
  } catch (e) {
    ctx.onError({ input: file, message: `cannot read: ${bound((e as Error).message, 300)}`, partial: false });
    return undefined;
  }
  try {
    return { file, doc: JSON.parse(text) as unknown, mtime };
  } catch (e) {
    const err = findJsonError(text);
    if (!err) {
      ctx.onError({ input: file, message: `invalid JSON: ${bound((e as Error).message, 200)}`, partial: false });
      return undefined;
    }
    const { line, column } = lineColumn(text, err.pos);
    const offset = bomBytes + (utf16 ? err.pos * 2 : Buffer.byteLength(text.slice(0, err.pos), "utf8"));
    ctx.onError({
      input: file,
      offset,
      line,
      message: `invalid JSON at line ${line}, column ${column} (byte offset ${offset}): ${err.what}`,
      partial: false,
    });
    return undefined;
  }
}

/** Decode a JSON file's bytes: UTF-8 with or without a BOM, or UTF-16 (LE or BE) with a BOM. */
export function decode(buf: Buffer): { text: string; bomBytes: number; utf16: boolean } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: buf.toString("utf8", 3), bomBytes: 3, utf16: false };
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return { text: buf.toString("utf16le", 2), bomBytes: 2, utf16: true };
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const le = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    le.swap16();
    return { text: le.toString("utf16le"), bomBytes: 2, utf16: true };
  }
  return { text: buf.toString("utf8"), bomBytes: 0, utf16: false };
}

/**
 * The name and string value of the first member of the top-level object, read from the first
 * 4 KiB of the file without parsing it: `{"kind": "admin#directory#tokenList", ...}` gives
 * `["kind", "admin#directory#tokenList"]`. Google puts `kind` first and Graph puts
 * `@odata.context` first, so this tells a page's kind before the file is parsed. `undefined`
 * when the file does not start that way (an array, PowerShell output) or cannot be read.
 */
export async function sniffFirstMember(file: string): Promise<[string, string] | undefined> {
  let head: string;
  try {
    const fh = await open(file, "r");
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = decode(buf.subarray(0, bytesRead)).text;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  const m = /^\s*\{\s*"([^"\\]{1,64})"\s*:\s*"([^"\\]{0,1024})"/.exec(head);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** Where JSON text first stops being valid: the UTF-16 index and what was expected there. */
export interface JsonSyntaxError {
  pos: number;
  what: string;
}

/**
 * Find the first syntax error in JSON text (RFC 8259) with Microsoft's `jsonc-parser` in strict
 * mode (no comments, no trailing commas), because V8's `JSON.parse` messages do not always carry a
 * position. Used only after `JSON.parse` failed. Returns `undefined` for valid text, and also when
 * the text nests too deeply for the parser (the caller then reports V8's message alone).
 */
export function findJsonError(text: string): JsonSyntaxError | undefined {
  const errors: ParseError[] = [];
  try {
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    return undefined; // RangeError on extreme nesting
  }
  const first = errors[0];
  if (!first) return undefined;
  const at = first.offset >= text.length ? "end of input" : JSON.stringify(text.slice(first.offset, first.offset + 1));
  return { pos: first.offset, what: `${describeParseError(first.error)} (found ${at})` };
}

const PARSE_ERROR_TEXT: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "unexpected character",
  [ParseErrorCode.InvalidNumberFormat]: "invalid number",
  [ParseErrorCode.PropertyNameExpected]: "expected a double-quoted property name",
  [ParseErrorCode.ValueExpected]: "expected a value",
  [ParseErrorCode.ColonExpected]: "expected ':' after a property name",
  [ParseErrorCode.CommaExpected]: "expected ','",
  [ParseErrorCode.CloseBraceExpected]: "expected '}'",
  [ParseErrorCode.CloseBracketExpected]: "expected ']'",
  [ParseErrorCode.EndOfFileExpected]: "expected the end of the JSON value",
  [ParseErrorCode.InvalidCommentToken]: "comments are not JSON",
  [ParseErrorCode.UnexpectedEndOfComment]: "comments are not JSON",
  [ParseErrorCode.UnexpectedEndOfString]: "unterminated string or control character in a string (escape it)",
  [ParseErrorCode.UnexpectedEndOfNumber]: "invalid number",
  [ParseErrorCode.InvalidUnicode]: "invalid \\u escape in a string",
  [ParseErrorCode.InvalidEscapeCharacter]: "invalid escape in a string",
  [ParseErrorCode.InvalidCharacter]: "control character in a string (escape it)",
};

function describeParseError(code: ParseErrorCode): string {
  return PARSE_ERROR_TEXT[code] ?? printParseErrorCode(code);
}

/** 1-based line and column (in UTF-16 units) of an index into text. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf("\n"); k >= 0 && k < pos; k = text.indexOf("\n", k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

/** A time from evidence as ISO 8601 UTC with milliseconds, or `undefined` when it is not a date. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length < 10 || value.length > 64) return undefined;
  // Only ISO-like dates: `new Date()` also accepts free text such as "1" or "March 7".
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * The time a snapshot file describes: its optional top-level `exportedAt` (ISO 8601, written by
 * whatever saved the responses; not part of either API), else the file's modification time.
 */
export function snapshotTime(f: JsonFile): string {
  const doc = f.doc;
  if (isObject(doc)) {
    const t = isoTime(doc["exportedAt"]);
    if (t) return t;
  }
  return f.mtime;
}

/** A plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A bounded string, or `undefined` for anything else (numbers, objects) or an empty string. */
export function str(v: unknown, max?: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  return s.length > 0 ? bound(s, max) : undefined;
}

/** Most scopes kept from one grant. */
export const MAX_SCOPES = 256;

/** Bounded, de-duplicated string scopes from an array (non-strings dropped). */
export function scopeList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = new Set<string>();
  for (const s of v) {
    const b = str(s);
    if (b) out.add(b);
    if (out.size >= MAX_SCOPES) break;
  }
  return out.size > 0 ? [...out] : undefined;
}

/** The top-level keys of a value, for "got ..." in an error message. */
export function describeShape(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} element(s)${v.length ? ` starting with ${describeShape(v[0])}` : ""}`;
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 8).map((k) => JSON.stringify(bound(k, 40)));
    return `an object with keys ${keys.length ? keys.join(", ") : "(none)"}${Object.keys(v).length > 8 ? ", ..." : ""}`;
  }
  return v === null ? "null" : `a ${typeof v}`;
}
