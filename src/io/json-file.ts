/**
 * Reading API responses saved as JSON files, streamed: memory stays flat whatever the file's size.
 *
 * A file is read in two passes with stream-json's core tokenizer (https://github.com/uhop/stream-json,
 * `core/parser.js`; its `Assembler` builds each record):
 * 1. {@link outlineJsonFile} checks the whole file (so that an invalid or truncated file gives an
 *    error before any observation, as `JSON.parse` did) and keeps its outline: the top-level
 *    object's members other than its item arrays (`items`, `users`, `value`), and for each item
 *    array its length and first non-null element (enough to tell the page's kind).
 * 2. {@link readJsonRecords} streams the records one batch at a time: the elements of the
 *    top-level object's item arrays, or the elements of a top-level array.
 *
 * Bounds: nesting depth ({@link JSON_LIMITS}`.maxDepth`, 64), the JSON text of one record
 * (`maxRecordChars`, 1 MiB; an element of a top-level array, which may be a whole saved page,
 * `maxElementChars`, 16 MiB), one string (the record bound), and the file (`maxBytes`, 64 GiB).
 * A record over its bound is skipped and counted, never assembled. Invalid JSON is reported as
 * `invalid JSON at line N, column C (byte offset B): ...`, located by stream-json's verifier
 * (`core/utils/verifier.js`), which is run only after the parser failed.
 *
 * Shared by the export collectors (`google-workspace`, `microsoft-entra`); it knows nothing of
 * either API. (A candidate for `src/core/` once a third JSON collector needs it.)
 */
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { getManyValues, isMany, none } from "stream-chain/core";
import { Assembler } from "stream-json/core/assembler.js";
import { jsonParser, type Token } from "stream-json/core/parser.js";
import { jsonVerifier } from "stream-json/core/utils/verifier.js";
import type { CollectContext } from "../core/collector.js";
import { bound } from "../core/observation.js";
import { ownCopy } from "../core/own-copy.js";

/** Default bounds of {@link outlineJsonFile} and {@link readJsonRecords}. */
export const JSON_LIMITS = {
  /** Largest file read (bytes). Memory does not grow with it; time does (about 3 s per 250 MB per pass). */
  maxBytes: 64 * 1024 ** 3,
  /** Deepest nesting of arrays and objects; API responses nest fewer than 10 levels. */
  maxDepth: 64,
  /** Largest JSON text (UTF-16 code units, about bytes) of one item, one top-level member or one string. */
  maxRecordChars: 1024 * 1024,
  /** Largest JSON text of one element of a top-level array (it may be a whole saved page of items). */
  maxElementChars: 16 * 1024 * 1024,
} as const;

/** Upper bound of what an outline keeps of the top-level object's other members (UTF-16 code units). */
const MAX_MEMBERS_CHARS = 1024 * 1024;

/**
 * Bytes read from the file at a time. Kept well under V8's large-object threshold (128 KiB):
 * strings above it go to the large-object space, freed only by full collections, and with 256 KiB
 * chunks the heap grew to 160 MB where 64 KiB chunks keep it under 60 MB.
 */
const CHUNK_BYTES = 64 * 1024;

/** Options of {@link outlineJsonFile}; the defaults ({@link JSON_LIMITS}) suit real use, tests lower them. */
export interface ReadJsonOptions {
  maxBytes?: number;
  maxDepth?: number;
  maxRecordChars?: number;
  maxElementChars?: number;
  /** Names of the top-level object's members that are item arrays, streamed element by element (default `items`, `users`, `value`). */
  itemArrays?: readonly string[];
}

/** Default item arrays: Google's `items` and `users`, Microsoft Graph's `value` (`Value` from PowerShell). */
export const ITEM_ARRAYS: readonly string[] = ["items", "users", "value", "Value"];

/**
 * An item array of the top-level object, as an outline holds it: not its elements, but how many
 * there are and the first one that is not `null` (to tell what they are). Its elements are read
 * with {@link readJsonRecords}.
 */
export class ItemArray {
  constructor(
    /** The member's name (`items`, `value`, ...). */
    readonly member: string,
    /** Number of elements. */
    readonly length: number,
    /** The first element that is not `null` (`undefined` when none, or when it was over the record bound). */
    readonly first: unknown,
  ) {}
}

/** Stands for a top-level member whose JSON text is over the record bound (it is not assembled). */
export const OVERSIZE: unique symbol = Symbol("over the record size bound");

/** What the first pass found in a JSON file. */
export interface JsonOutline {
  file: string;
  /** The file's modification time, ISO 8601 UTC with milliseconds. */
  mtime: string;
  /** Size in bytes. */
  size: number;
  /** What the file holds at its top. */
  top: "object" | "array" | "scalar";
  /**
   * The top-level object's members in file order (a null-prototype object): each item array as
   * an {@link ItemArray}, each other member assembled (or {@link OVERSIZE}). Empty for an array.
   */
  members: Record<string, unknown>;
  /** Members not kept because the kept ones were already over 1 MiB of text. */
  membersOmitted: number;
  /** Number of elements of a top-level array (0 otherwise). */
  elements: number;
  /** The value of a top-level scalar (`"text"`, `3`, `null`). */
  scalar?: unknown;
  /** Records (items or elements) over their bound: skipped by {@link readJsonRecords}. */
  oversize: { count: number; first?: string };
  /** The limits in force, for the second pass. */
  limits: Required<ReadJsonOptions>;
  /** How the file is encoded (BOM). */
  encoding: Encoding;
}

/** One record streamed by {@link readJsonRecords}. */
export type JsonRecord =
  /** An element of an item array of the top-level object. */
  | { member: string; index: number; value: unknown }
  /** An element of a top-level array. */
  | { member?: undefined; index: number; value: unknown };

type Encoding = { bomBytes: number; kind: "utf8" | "utf16le" | "utf16be" };

/** An error with the position of invalid JSON. */
class JsonPositionError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly offset: number,
  ) {
    super(message);
  }
}

function limitsOf(opts: ReadJsonOptions): Required<ReadJsonOptions> {
  return {
    maxBytes: opts.maxBytes ?? JSON_LIMITS.maxBytes,
    maxDepth: opts.maxDepth ?? JSON_LIMITS.maxDepth,
    maxRecordChars: opts.maxRecordChars ?? JSON_LIMITS.maxRecordChars,
    maxElementChars: opts.maxElementChars ?? JSON_LIMITS.maxElementChars,
    itemArrays: opts.itemArrays ?? ITEM_ARRAYS,
  };
}

/** Open a regular file without blocking on a FIFO or device; `undefined` plus a reason otherwise. */
async function openRegular(file: string): Promise<{ fh: FileHandle; size: number; mtime: string }> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error("not a regular file: expected a JSON file of saved API responses"), { notRegular: true });
    return { fh, size: st.size, mtime: st.mtime.toISOString() };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The encoding a file's first bytes declare: a UTF-8 or UTF-16 BOM, else UTF-8. */
function encodingOf(head: Buffer): Encoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { bomBytes: 3, kind: "utf8" };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { bomBytes: 2, kind: "utf16le" };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { bomBytes: 2, kind: "utf16be" };
  return { bomBytes: 0, kind: "utf8" };
}

/** A streaming decoder for one encoding: `write(bytes)` gives text, `end()` the rest. */
function decoderFor(kind: Encoding["kind"]): { write(b: Buffer): string; end(): string } {
  if (kind === "utf16be") {
    const td = new TextDecoder("utf-16be", { ignoreBOM: true });
    return { write: (b) => td.decode(b, { stream: true }), end: () => td.decode() };
  }
  const sd = new StringDecoder(kind);
  return { write: (b) => sd.write(b), end: () => sd.end() };
}

/**
 * The decoded text of a file, chunk by chunk, BOM removed. Reads at most `maxBytes` + 1 bytes
 * (the caller has checked the size; a file that grows is cut, and the parser then fails).
 */
async function* textChunks(fh: FileHandle, enc: Encoding, maxBytes: number): AsyncGenerator<string> {
  const dec = decoderFor(enc.kind);
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let pos = enc.bomBytes;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const text = dec.write(buf.subarray(0, bytesRead));
    if (text) yield text;
    if (pos > maxBytes) break;
  }
  const rest = dec.end();
  if (rest) yield rest;
}

/** What the walker reports. */
interface WalkHandlers {
  /** A member of the top-level object that is not an item array (`OVERSIZE` when over the bound). */
  member?(name: string, value: unknown): void;
  /** An item array of the top-level object ended with `length` elements. */
  itemArrayEnd?(name: string, length: number): void;
  /** Whether to assemble element `index` of item array `name` (else it is only measured). */
  wantItem?(name: string, index: number): boolean;
  /** An assembled element of an item array. */
  item?(name: string, index: number, value: unknown): void;
  /** Whether to assemble element `index` of a top-level array. */
  wantElement?(index: number): boolean;
  /** An assembled element of a top-level array. */
  element?(index: number, value: unknown): void;
  /** A record over its bound (skipped). */
  oversize?(where: string): void;
  /** A top-level scalar. */
  scalar?(value: unknown): void;
}

const VALUE_START = new Set(["startObject", "startArray", "stringValue", "numberValue", "nullValue", "trueValue", "falseValue"]);

/**
 * Follows the token stream of stream-json's parser (packed keys, strings and numbers) and hands
 * records to its handlers: the top-level object's members and item-array elements, or a
 * top-level array's elements, each assembled by stream-json's `Assembler` within its bound.
 */
class Walker {
  top: JsonOutline["top"] | undefined;
  private depth = 0;
  private key: string | undefined;
  private itemArray: string | undefined;
  private index = 0;
  private cap: { assemble: boolean; size: number; depth: number; limit: number; kind: "member" | "item" | "element"; name: string; index: number } | undefined;
  /**
   * One assembler for every record, emptied as each record is taken from it. A record must not stay
   * referenced from an assembler once it is handed over: an assembler that outlived two young-generation
   * collections (it is promoted to the old generation and stays there, dead, until the next full
   * collection) keeps the last record it built alive through V8's old-to-new remembered set, and
   * that record is promoted in turn. Measured on a 70 MB whole-domain export read by stream-json
   * alone with a new `Assembler` per element: 58 MB promoted and two full collections; with the
   * assembler's `current` cleared after each element, 4 MB and none.
   */
  private readonly asm = new Assembler();

  constructor(
    private readonly h: WalkHandlers,
    private readonly limits: Required<ReadJsonOptions>,
  ) {}

  token(t: Token): void {
    if (this.cap) return this.feed(t);
    const name = t.name;
    if (this.depth === 0) {
      if (name === "startObject") {
        this.top = "object";
        this.depth = 1;
      } else if (name === "startArray") {
        this.top = "array";
        this.depth = 1;
        this.index = 0;
      } else if (VALUE_START.has(name)) {
        this.top = "scalar";
        this.h.scalar?.(scalarOf(t));
      }
      return;
    }
    if (this.top === "object") {
      if (this.depth === 1) {
        if (name === "keyValue") {
          this.key = (t as { value: string }).value;
        } else if (name === "endObject") {
          this.depth = 0;
        } else if (name === "startArray" && this.key !== undefined && this.limits.itemArrays.includes(this.key)) {
          this.itemArray = this.key;
          this.index = 0;
          this.depth = 2;
        } else if (VALUE_START.has(name)) {
          this.begin("member", this.key ?? "", 0, true, this.limits.maxRecordChars, t);
        }
        return;
      }
      // depth 2: inside an item array
      if (name === "endArray") {
        this.h.itemArrayEnd?.(this.itemArray!, this.index);
        this.itemArray = undefined;
        this.depth = 1;
      } else if (VALUE_START.has(name)) {
        const i = this.index++;
        this.begin("item", this.itemArray!, i, this.h.wantItem?.(this.itemArray!, i) ?? false, this.limits.maxRecordChars, t);
      }
      return;
    }
    // top-level array
    if (name === "endArray") {
      this.depth = 0;
    } else if (VALUE_START.has(name)) {
      const i = this.index++;
      this.begin("element", "", i, this.h.wantElement?.(i) ?? false, this.limits.maxElementChars, t);
    }
  }

  /** Number of elements of the top-level array so far. */
  get elements(): number {
    return this.top === "array" ? this.index : 0;
  }

  private begin(kind: "member" | "item" | "element", name: string, index: number, assemble: boolean, limit: number, t: Token): void {
    this.cap = { assemble, size: 0, depth: 0, limit, kind, name, index };
    this.feed(t);
  }

  private feed(t: Token): void {
    const c = this.cap!;
    const v = (t as { value?: unknown }).value;
    c.size += typeof v === "string" ? v.length + 3 : 2;
    if (c.assemble) {
      if (c.size > c.limit) {
        c.assemble = false;
        this.asm.dropToLevel(0);
      } else {
        this.asm.consume(t.name === "stringValue" ? { name: "stringValue", value: unpinned(t.value) } : t);
      }
    }
    if (t.name === "startObject" || t.name === "startArray") c.depth++;
    else if (t.name === "endObject" || t.name === "endArray") c.depth--;
    if (c.depth > 0) return;
    this.cap = undefined;
    const value: unknown = c.assemble ? this.asm.current : undefined;
    // complete: the assembler is back at its top level (done), where dropToLevel(0) does nothing
    this.asm.current = null;
    const over = c.size > c.limit;
    if (c.kind === "member") {
      this.h.member?.(c.name, over ? OVERSIZE : value);
      return;
    }
    const where = c.kind === "item" ? `${JSON.stringify(bound(c.name, 40))}[${c.index}]` : `[${c.index}]`;
    if (over) this.h.oversize?.(where);
    else if (c.assemble && c.kind === "item") this.h.item?.(c.name, c.index, value);
    else if (c.assemble) this.h.element?.(c.index, value);
  }
}

/**
 * Shortest cut of a string that V8 makes a view into its parent (`SlicedString::kMinLength`, 13
 * characters, https://github.com/v8/v8/blob/main/src/objects/string.h); shorter cuts are copies.
 */
const SLICE_MIN_CHARS = 13;

/**
 * A string value as a copy that keeps nothing else alive ({@link ownCopy}). stream-json's parser
 * cuts each string value out of the text it holds (`buffer.slice(...)` in `core/parser.js`: the
 * rest of the last chunk and the new 64 KiB chunk), so one client ID or address kept by the
 * store's batch of matched evidence or by a user map would keep its whole chunk alive (64 KiB,
 * 128 KiB as UTF-16): measured, 2,000 kept 60-character cuts of distinct 64 KiB strings held
 * 134 MB of heap, 0.24 MB once copied.
 */
function unpinned(s: string): string {
  return s.length < SLICE_MIN_CHARS ? s : ownCopy(s);
}

function scalarOf(t: Token): unknown {
  switch (t.name) {
    case "stringValue":
      return t.value;
    case "numberValue":
      return Number(t.value);
    case "trueValue":
      return true;
    case "falseValue":
      return false;
    default:
      return null;
  }
}

/**
 * Run a file through the parser and a walker. `onBatch` is called after each chunk (for the
 * second pass to yield what was collected). Throws the parser's error (or an I/O error).
 */
async function* walkFile(fh: FileHandle, enc: Encoding, limits: Required<ReadJsonOptions>, walker: Walker): AsyncGenerator<void> {
  // Packed keys, strings and numbers only: one token per value (what the Assembler reads).
  const parser = jsonParser({ streamValues: false, maxDepth: limits.maxDepth, maxPackedLength: limits.maxRecordChars });
  const feed = (out: unknown) => {
    if (out === none) return;
    if (isMany(out)) for (const t of getManyValues(out) as Token[]) walker.token(t);
    else walker.token(out as Token);
  };
  for await (const text of textChunks(fh, enc, limits.maxBytes)) {
    feed(parser(text));
    yield;
  }
  feed((parser as unknown as (end: typeof none) => unknown)(none));
  yield;
}

/**
 * First pass over a JSON file: check all of it and return its outline (see {@link JsonOutline}).
 * Problems (unreadable, not a regular file, over `maxBytes`, invalid JSON, nested deeper than
 * `maxDepth`, a string over `maxRecordChars`) are reported through `ctx.onError` with
 * `partial: false`, and `undefined` is returned so that the caller goes on with the next file.
 * A FIFO or device is never read (opened non-blocking, then refused).
 *
 * Accepts UTF-8 with or without a BOM and UTF-16 (LE or BE) with a BOM (what Windows PowerShell
 * 5.1's `Out-File` writes). Invalid JSON is reported with its line, column (UTF-16 units) and
 * byte offset: `invalid JSON at line 5, column 23 (byte offset 126): expected ',' (found "\"")`.
 * Peak memory: one 64 KiB chunk, one record, the kept members (at most 1 MiB of text).
 */
export async function outlineJsonFile(file: string, ctx: Pick<CollectContext, "onError">, opts: ReadJsonOptions = {}): Promise<JsonOutline | undefined> {
  const limits = limitsOf(opts);
  let opened: Awaited<ReturnType<typeof openRegular>>;
  try {
    opened = await openRegular(file);
  } catch (e) {
    const err = e as Error & { notRegular?: boolean };
    ctx.onError({ input: file, message: err.notRegular ? err.message : `cannot read: ${bound(err.message, 300)}`, partial: false });
    return undefined;
  }
  const { fh, size, mtime } = opened;
  try {
    if (size > limits.maxBytes) {
      ctx.onError({
        input: file,
        message: `file is ${size} bytes, over the ${limits.maxBytes}-byte limit for one JSON export; save the API pages as separate files`,
        partial: false,
      });
      return undefined;
    }
    const head = Buffer.alloc(3);
    const { bytesRead } = await fh.read(head, 0, 3, 0);
    const enc = encodingOf(head.subarray(0, bytesRead));
    const members: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    let membersChars = 0;
    let membersOmitted = 0;
    const firsts = new Map<string, unknown>();
    const oversize: JsonOutline["oversize"] = { count: 0 };
    let scalar: unknown;
    const walker = new Walker(
      {
        member(name, value) {
          const chars = name.length + (value === OVERSIZE ? 0 : approxChars(value));
          if (membersChars + chars > MAX_MEMBERS_CHARS) {
            membersOmitted++;
            return;
          }
          membersChars += chars;
          members[name] = value;
        },
        wantItem: (name) => !firsts.has(name),
        item(name, _i, value) {
          if (value !== null) firsts.set(name, value);
        },
        itemArrayEnd(name, length) {
          members[name] = new ItemArray(name, length, firsts.get(name));
          firsts.delete(name);
        },
        oversize(where) {
          oversize.count++;
          oversize.first ??= where;
        },
        scalar(value) {
          scalar = value;
        },
      },
      limits,
    );
    try {
      for await (const _ of walkFile(fh, enc, limits, walker)) {
        // the walker collects
      }
    } catch (e) {
      ctx.onError(await describeParseFailure(file, fh, enc, limits, e as Error));
      return undefined;
    }
    const outline: JsonOutline = {
      file,
      mtime,
      size,
      top: walker.top ?? "scalar",
      members,
      membersOmitted,
      elements: walker.elements,
      oversize,
      limits,
      encoding: enc,
    };
    if (outline.top === "scalar") outline.scalar = scalar;
    return outline;
  } catch (e) {
    ctx.onError({ input: file, message: `cannot read: ${bound((e as Error).message, 300)}`, partial: false });
    return undefined;
  } finally {
    await fh.close();
  }
}

/** Rough size of an assembled value as JSON text (for the bound on kept members). */
function approxChars(v: unknown): number {
  if (typeof v === "string") return v.length + 2;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + approxChars(x) + 1, 2);
  if (typeof v === "object" && v !== null) return Object.entries(v).reduce((n, [k, x]) => n + k.length + 4 + approxChars(x), 2);
  return 8;
}

/**
 * Second pass: the records of a file whose outline was taken, in batches (one per 64 KiB read),
 * each record assembled within its bound. `members` names the item arrays of a top-level object
 * to read (default: all); the elements of a top-level array are always read. Records over their
 * bound are left out (the outline counts them).
 * @throws Error when the file cannot be read again or no longer parses (it changed since its outline).
 */
export async function* readJsonRecords(outline: JsonOutline, members?: ReadonlySet<string>): AsyncGenerator<JsonRecord[]> {
  const { fh } = await openRegular(outline.file);
  try {
    let batch: JsonRecord[] = [];
    const walker = new Walker(
      {
        wantItem: (name) => members === undefined || members.has(name),
        item: (member, index, value) => void batch.push({ member, index, value }),
        wantElement: () => true,
        element: (index, value) => void batch.push({ index, value }),
      },
      outline.limits,
    );
    try {
      for await (const _ of walkFile(fh, outline.encoding, outline.limits, walker)) {
        if (batch.length > 0) {
          const out = batch;
          batch = [];
          yield out;
        }
      }
    } catch (e) {
      throw new Error(`the file changed while it was read: ${bound((e as Error).message, 200)}`);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The elements of item array `member` of an outlined file, in batches; a plain array is yielded
 * as it is. Lets a caller treat an item array of an outline and an array inside an element alike.
 * A streamed batch is a new array each time, held by nothing else: a caller may empty it (see
 * {@link drain}) so that its records die while the caller works on what it made of them.
 */
export async function* itemsOf(outline: JsonOutline, items: readonly unknown[] | ItemArray): AsyncGenerator<readonly unknown[]> {
  if (!(items instanceof ItemArray)) {
    if (items.length > 0) yield items;
    return;
  }
  if (items.length === 0) return;
  for await (const batch of readJsonRecords(outline, new Set([items.member]))) {
    const values: unknown[] = [];
    for (const r of drain(batch)) if (r.member === items.member) values.push(r.value);
    if (values.length > 0) yield values;
  }
}

/**
 * The elements of an array, each removed from it as it is handed out (the array is empty at the
 * end). For batches of records: what a generator holds while it is suspended stays alive, and a
 * batch of a few hundred records held while each one's evidence is matched and stored lives long
 * enough to be promoted to V8's old generation, which then grows by hundreds of MB between full
 * collections on a large export. Dropping each record as it is taken lets it die young.
 */
export function* drain<T>(batch: T[]): Generator<T> {
  const held = batch as (T | undefined)[];
  for (let i = 0; i < held.length; i++) {
    const x = held[i] as T;
    held[i] = undefined;
    yield x;
  }
  batch.length = 0;
}

/** The error to report after the parser failed: located by stream-json's verifier when it can. */
async function describeParseFailure(file: string, fh: FileHandle, enc: Encoding, limits: Required<ReadJsonOptions>, e: Error): Promise<{ input: string; message: string; partial: false; offset?: number; line?: number }> {
  let located: JsonPositionError | undefined;
  try {
    located = await locateJsonError(fh, enc, limits);
  } catch {
    located = undefined;
  }
  if (located) {
    return {
      input: file,
      offset: located.offset,
      line: located.line,
      message: `invalid JSON at line ${located.line}, column ${located.column} (byte offset ${located.offset}): ${located.message}`,
      partial: false,
    };
  }
  const msg = e.message;
  if (/maxPackedLength/.test(msg)) {
    return { input: file, message: `a key, string or number is over the ${limits.maxRecordChars}-character bound of one record; not an API response`, partial: false };
  }
  return { input: file, message: `invalid JSON: ${bound(msg.replace(/^Parser (cannot parse input: |has )/, ""), 200)}`, partial: false };
}

/**
 * A message for records skipped because they were over their bound, or `undefined` when none
 * were: `3 record(s) over the 1048576-character bound of one record skipped (first: "items"[12])`.
 */
export function oversizeMessage(outline: JsonOutline): string | undefined {
  if (outline.oversize.count === 0) return undefined;
  return `${outline.oversize.count} record(s) over the ${outline.limits.maxRecordChars}-character bound of one record (${outline.limits.maxElementChars} for an element of a top-level array) skipped (first: ${outline.oversize.first})`;
}

/** Verifier messages, reworded as the rest of our errors are. */
function describeVerifierMessage(msg: string, maxDepth: number): string {
  const m = msg.replace(/^ERROR at \d+ \(\d+, \d+\): /, "").replace(/^Verifier (cannot parse input: |has )/, "");
  if (/nesting depth exceeds/.test(m)) return `nested deeper than ${maxDepth} levels of arrays and objects`;
  if (m === "escaped characters") return "invalid escape or control character in a string (escape it)";
  if (m === "expected a string value") return "unterminated string";
  if (m === "unexpected characters") return "unexpected character";
  if (m === "expected an object key" || m === "unexpected token '}'") return "expected a double-quoted property name";
  if (m === "unexpected token ']'") return "expected a value";
  return m;
}

/**
 * Where the JSON text of an open file first stops being valid, by stream-json's verifier:
 * line, column (1-based, UTF-16 units), byte offset (counting the BOM) and what was expected,
 * with the character found there. `undefined` when the verifier finds no error.
 */
async function locateJsonError(fh: FileHandle, enc: Encoding, limits: Required<ReadJsonOptions>): Promise<JsonPositionError | undefined> {
  const verifier = jsonVerifier({ maxDepth: limits.maxDepth });
  let failure: (Error & { line?: number; pos?: number; offset?: number }) | undefined;
  try {
    for await (const text of textChunks(fh, enc, limits.maxBytes)) verifier(text);
    (verifier as unknown as (end: typeof none) => unknown)(none);
  } catch (e) {
    failure = e as typeof failure;
  }
  if (!failure || typeof failure.offset !== "number" || typeof failure.line !== "number" || typeof failure.pos !== "number") return undefined;
  // Byte offset and the character at the error: decode again up to it.
  const charOffset = failure.offset;
  let chars = 0;
  let bytes = enc.bomBytes;
  let found: string | undefined;
  for await (const text of textChunks(fh, enc, limits.maxBytes)) {
    if (chars + text.length > charOffset) {
      const k = charOffset - chars;
      bytes += enc.kind === "utf8" ? Buffer.byteLength(text.slice(0, k), "utf8") : k * 2;
      found = text.slice(k, k + 1);
      break;
    }
    chars += text.length;
    bytes += enc.kind === "utf8" ? Buffer.byteLength(text, "utf8") : text.length * 2;
  }
  const at = found ? JSON.stringify(found) : "end of input";
  return new JsonPositionError(`${describeVerifierMessage(failure.message, limits.maxDepth)} (found ${at})`, failure.line, failure.pos, bytes);
}

/**
 * Check one JSON file (the first pass of {@link outlineJsonFile}); kept for callers that only
 * need to know whether a file is valid JSON and to have its errors reported.
 * @deprecated use {@link outlineJsonFile}.
 */
export const readJsonFile = outlineJsonFile;

/** Decode a JSON file's bytes: UTF-8 with or without a BOM, or UTF-16 (LE or BE) with a BOM. */
export function decode(buf: Buffer): { text: string; bomBytes: number; utf16: boolean } {
  const enc = encodingOf(buf);
  if (enc.kind === "utf8") return { text: buf.toString("utf8", enc.bomBytes), bomBytes: enc.bomBytes, utf16: false };
  if (enc.kind === "utf16le") return { text: buf.toString("utf16le", 2), bomBytes: 2, utf16: true };
  const le = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
  le.swap16();
  return { text: le.toString("utf16le"), bomBytes: 2, utf16: true };
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
    const { fh } = await openRegular(file);
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

/** A time from evidence as ISO 8601 UTC with milliseconds, or `undefined` when it is not a date. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length < 10 || value.length > 64) return undefined;
  // Only ISO-like dates: `new Date()` also accepts free text such as "1" or "March 7".
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * The time of the state a snapshot file describes (grants, role assignments): the UTC day of its
 * optional top-level `exportedAt` (ISO 8601, written by whatever saved the responses; not part of
 * either API), else of the file's modification time, as `2026-11-22T00:00:00.000Z`.
 *
 * A day, not an instant, as the live collectors time state at the UTC day the scan started
 * (`snapshotDay` in `paging.ts`): the same export saved twice, or copied the same day (a new
 * mtime), gives the same observations, and a daily export records that a grant still exists.
 */
export function snapshotTime(f: Pick<JsonOutline, "members" | "mtime">): string {
  const t = isoTime(f.members["exportedAt"]) ?? f.mtime;
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}

/** A plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ItemArray);
}

/** A bounded string, or `undefined` for anything else (numbers, objects) or an empty string. */
export function str(v: unknown, max?: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  return s.length > 0 ? bound(s, max) : undefined;
}

/**
 * A field that the API documents as a list, as a list: an array as it is, a single object (some
 * exports flatten one-element lists, e.g. an activity's `events`) as a list of one, anything else
 * (absent, null, a string) as empty.
 */
export function asList(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  return isObject(v) ? [v] : [];
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
  if (v instanceof ItemArray) return `an array of ${v.length} element(s)${v.first !== undefined ? ` starting with ${describeShape(v.first)}` : ""}`;
  if (v === OVERSIZE) return "a value over the record size bound";
  if (Array.isArray(v)) return `an array of ${v.length} element(s)${v.length ? ` starting with ${describeShape(v[0])}` : ""}`;
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 8).map((k) => JSON.stringify(bound(k, 40)));
    return `an object with keys ${keys.length ? keys.join(", ") : "(none)"}${Object.keys(v).length > 8 ? ", ..." : ""}`;
  }
  return v === null ? "null" : `a ${typeof v}`;
}
