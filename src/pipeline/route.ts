/**
 * One detector for `extract` and `scan`: which registered file source reads a file, told by
 * content, never by file name (each source's `sniff`: capture magic bytes, API response markers,
 * log layouts). Only the first 64 KiB are read, and only from regular files: a FIFO or device is
 * never opened.
 */
import { open } from "node:fs/promises";
import { constants } from "node:fs";
import { basename } from "node:path";
import type { FileHead, Source } from "../core/source.js";
import { decode } from "../io/json-file.js";

/** Bytes of a file's head that sniffing sees. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Read up to {@link HEAD_BYTES} from the start of `file`, opened non-blocking so that a FIFO
 * cannot hang the caller; a file that is not regular is refused.
 * @throws Error with the reason (ENOENT, EACCES, "not a regular file") for the caller to report.
 */
export async function readHead(file: string): Promise<FileHead> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error("not a regular file");
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, Math.max(st.size, 0)));
    const { bytesRead } = buf.length > 0 ? await fh.read(buf, 0, buf.length, 0) : { bytesRead: 0 };
    const bytes = buf.subarray(0, bytesRead);
    return { bytes, text: decode(bytes).text, name: basename(file) };
  } finally {
    await fh.close();
  }
}

/** What {@link routeFile} found: the source that reads the file, or why none does. */
export type Route = { source: Source } | { source?: undefined; reason: string };

/**
 * The first file source (registry order) whose `sniff` accepts the file's head.
 * @returns the source, or a reason naming what the file looked like and what was expected.
 */
export function routeHead(head: FileHead, candidates: readonly Source[]): Route {
  for (const s of candidates) if (s.kind === "file" && s.sniff?.(head)) return { source: s };
  const { bytes, text } = head;
  if (bytes.length === 0) return { reason: "empty file" };
  const expected = `expected ${candidates.filter((s) => s.kind === "file" && s.sniff).map((s) => s.displayName).join("; ")}`;
  if (/^\s*[[{]/.test(text)) return { reason: `JSON that no source recognises (no Google Admin SDK or Microsoft Graph markers in the first ${HEAD_BYTES / 1024} KiB); ${expected}` };
  return { reason: `not a recognised input (${bytes.length < 24 ? `${bytes.length} bytes` : "first bytes " + bytes.subarray(0, 8).toString("hex")}); ${expected}` };
}

/** {@link routeHead} for a file on disk; an unreadable file gives its reason. */
export async function routeFile(file: string, candidates: readonly Source[]): Promise<Route> {
  let head: FileHead;
  try {
    head = await readHead(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { reason: err.code ? `cannot read: ${err.code}` : err.message };
  }
  return routeHead(head, candidates);
}
