/**
 * Where scheduled scans of a log file resume: cursors kept in the store (see `CursorStore` in
 * `src/core/collector.ts`), committed with the observations read before them, so a scan reads
 * every line once and never twice, even when killed.
 *
 * Each file has two keys holding the same {@link FileCursor} value:
 * - `file:<absolute path>`: the file under its name. Resumed when the device and inode are the
 *   same, the size is at least the offset, and the content fingerprint (when both have one) is
 *   the same; otherwise the file was rotated away or truncated, and is read from the start.
 * - `fp:<fingerprint>`: the file under its content, a SHA-256 of its first {@link FINGERPRINT_BYTES}
 *   (decompressed) bytes. This finds a file again after it was renamed (`access.log` →
 *   `access.log.1`), copied (copytruncate) or compressed (`access.log.2.gz`): its offset is that
 *   of the same content under its old name. Files shorter than that have no fingerprint.
 *
 * Gzip files are read whole (the offset is then of the decompressed stream) and remembered as done
 * by device, inode, size and modification time: an unchanged `.gz` is not opened again.
 *
 * A final line without `\n` is held back (the writer may still be writing it) and read on a later
 * scan once it is terminated, or once the file is found unchanged since the scan that held it.
 *
 * Positions are recorded once per chunk (64 KiB), after the chunk's observations were consumed.
 * The store commits a position with the observations queued before it, so a scan killed mid-file
 * resumes at the last committed chunk boundary: lines read after it whose observations happened to
 * be committed too (at most one chunk) are read again, and their observations, identical down to
 * `ref`, are stored once by the store's content key. A scan that ends normally reads every line
 * exactly once.
 */
import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { resolve } from "node:path";
import type { CursorStore } from "../../src/core/collector.js";

/** Bytes of the start of a file that identify its content. */
export const FINGERPRINT_BYTES = 512;

/** A file's position, as stored (JSON) under both of its keys. */
export interface FileCursor {
  /** Device and inode numbers, as decimal text (they may exceed 2^53). */
  dev: string;
  ino: string;
  /** File size (compressed size for gzip) when the position was recorded. */
  size: number;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
  /** Byte offset (of the decompressed stream for gzip) of the first line not yet read. */
  offset: number;
  /** 1-based number of that line. */
  line: number;
  /** Content fingerprint, when the file was long enough to have one. */
  fp?: string;
  /** Gzip: the whole file was read. */
  done?: boolean;
}

/** Where to start reading a file. */
export interface StartPoint {
  offset: number;
  line: number;
  /** True when the file is known and unchanged: nothing to read. */
  skip: boolean;
  /** The cursor this start came from, if any (for the held-back last line). */
  from?: FileCursor;
}

/** The content fingerprint of a file from its (decompressed) head, or undefined when shorter than {@link FINGERPRINT_BYTES}. */
export function fingerprint(head: Buffer): string | undefined {
  if (head.length < FINGERPRINT_BYTES) return undefined;
  return createHash("sha256").update(head.subarray(0, FINGERPRINT_BYTES)).digest("hex").slice(0, 32);
}

/** Cursor keys of a file. */
export function pathKey(file: string): string {
  return `file:${resolve(file)}`;
}

export function fpKey(fp: string): string {
  return `fp:${fp}`;
}

function parse(v: string | undefined): FileCursor | undefined {
  if (!v) return undefined;
  try {
    const c = JSON.parse(v) as Partial<FileCursor>;
    if (typeof c.offset === "number" && typeof c.line === "number" && typeof c.dev === "string" && typeof c.ino === "string") return c as FileCursor;
  } catch {
    // an unreadable cursor is as good as none: read from the start
  }
  return undefined;
}

/**
 * How a file is read: `lines` (a plain line file: resumable at any line), `gzip` (a gzip line
 * file: read whole, or from the offset of the same content read under another name), `whole`
 * (a JSON array: read whole or not at all).
 */
export type ReadMode = "lines" | "gzip" | "whole";

/**
 * Decide where to start reading `file` (stat `st`, fingerprint `fp`) from its stored cursors.
 * Without a store (a one-off `extract`), always from the start.
 */
export function startPoint(store: CursorStore | undefined, file: string, st: BigIntStats, fp: string | undefined, mode: ReadMode): StartPoint {
  const fresh: StartPoint = { offset: 0, line: 1, skip: false };
  if (!store) return fresh;
  const dev = st.dev.toString();
  const ino = st.ino.toString();
  const size = Number(st.size);
  const byPath = parse(store.get(pathKey(file)));
  if (byPath && byPath.dev === dev && byPath.ino === ino && (byPath.fp === undefined || fp === undefined || byPath.fp === fp)) {
    if (mode !== "lines") {
      if (byPath.done && byPath.size === size && byPath.mtimeMs === Number(st.mtimeMs)) return { offset: byPath.offset, line: byPath.line, skip: true, from: byPath };
    } else if (size >= byPath.offset) {
      return { offset: byPath.offset, line: byPath.line, skip: false, from: byPath };
    }
  }
  if (fp && mode !== "whole") {
    const byContent = parse(store.get(fpKey(fp)));
    if (byContent && (mode === "gzip" || size >= byContent.offset)) return { offset: byContent.offset, line: byContent.line, skip: false, from: byContent };
  }
  return fresh;
}

/** Record the position reached in `file`: under its path and, when it has one, its fingerprint. */
export function savePoint(store: CursorStore | undefined, file: string, st: BigIntStats, fp: string | undefined, at: { offset: number; line: number; size: number; done?: boolean }): void {
  if (!store) return;
  const c: FileCursor = {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: at.size,
    mtimeMs: Number(st.mtimeMs),
    offset: at.offset,
    line: at.line,
    ...(fp ? { fp } : {}),
    ...(at.done ? { done: true } : {}),
  };
  const v = JSON.stringify(c);
  store.set(pathKey(file), v);
  if (fp) store.set(fpKey(fp), v);
}
