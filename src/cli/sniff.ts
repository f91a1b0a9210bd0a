/**
 * Telling inputs apart by content, never by file extension: capture magic numbers
 * (pcap: a1b2c3d4 / a1b23c4d in either byte order, https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html#section-4;
 * pcapng: 0a0d0d0a, https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html#section-4.1; gzip: 1f8b)
 * and, for JSON, the API's own markers (`admin#directory#…`, `admin#reports#…`, `@odata.context`).
 */
import { open } from "node:fs/promises";
import { decode } from "../io/json-file.js";

export type InputFormat = "capture" | "google" | "microsoft" | "unknown";

const CAPTURE_MAGICS = new Set(["a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1", "0a0d0d0a"]);

/** Read the first 64 KiB of `file` and say what it is. I/O errors give `unknown`. */
export async function sniffFormat(file: string): Promise<InputFormat> {
  let head: Buffer;
  try {
    const fh = await open(file, "r");
    try {
      const buf = Buffer.alloc(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return "unknown";
  }
  if (head.length >= 4 && CAPTURE_MAGICS.has(head.subarray(0, 4).toString("hex"))) return "capture";
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "capture";
  const { text } = decode(head);
  if (!/^\s*[[{]/.test(text)) return "unknown";
  // Graph pages, or PowerShell's PascalCase output of the same objects
  if (/"@odata\.context"|"servicePrincipalType"|"consentType"|"userPrincipalName"|"activityDisplayName"/i.test(text)) return "microsoft";
  if (/"admin#(directory|reports)#|"displayText"\s*:|"clientId"\s*:\s*"[^"]*\.apps\.googleusercontent\.com"/.test(text)) return "google";
  return "unknown";
}
