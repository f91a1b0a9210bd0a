/**
 * The pcap collector as a registry source (`scan pcap`, `extract`): packet captures in classic
 * pcap (µs and ns) or pcapng, optionally gzip-compressed, told apart by magic bytes, never by name.
 * Magic numbers: pcap a1b2c3d4 / a1b23c4d in either byte order
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html#section-4), pcapng 0a0d0d0a
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html#section-4.1), gzip 1f8b (RFC 1952 §2.3.1).
 */
import type { Source } from "../../src/core/source.js";
import { collect, displayName, docsUrl } from "./index.js";

const CAPTURE_MAGICS = new Set(["a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1", "0a0d0d0a"]);

/** Whether `bytes` start like a capture (or a gzip stream, which the reader then checks further). */
export function looksLikeCapture(bytes: Buffer): boolean {
  if (bytes.length >= 4 && CAPTURE_MAGICS.has(bytes.subarray(0, 4).toString("hex"))) return true;
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export const pcapSource: Source = {
  id: "pcap",
  displayName,
  description: "scan packet captures (pcap, pcapng; chosen by magic bytes)",
  docsUrl,
  kind: "file",
  observationSources: ["pcap"],
  configKey: "pcap",
  credentials: [],
  perFile: true,
  accept: (n) => /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i.test(n),
  sniff: (head) => looksLikeCapture(head.bytes),
  collect: (files, ctx) => collect(files[0]!, ctx),
};
