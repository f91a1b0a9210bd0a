/**
 * Bytes from the wire to text, rendered the way tshark 4.0 renders them, so that our values and the
 * oracle's compare equal.
 *
 * - {@link asciiText}: TLS SNI/ALPN and HTTP header values (Wireshark `ENC_ASCII`): bytes below 0x80
 *   are kept, every byte from 0x80 up becomes U+FFFD.
 * - {@link escapeDnsName}: DNS names (Wireshark `format_text()` over the raw label bytes): UTF-8
 *   kept, broken sequences as U+FFFD, controls escaped (details on the function).
 */

const REPLACEMENT = "\uFFFD";

/**
 * Decode `buf[start, end)` as ASCII, each byte >= 0x80 replaced by U+FFFD (Wireshark `ENC_ASCII`).
 * No allocation beyond the result string on the all-ASCII path.
 */
export function asciiText(buf: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end && buf[i]! < 0x80) i++;
  if (i === end) return buf.toString("latin1", start, end);
  let out = buf.toString("latin1", start, i);
  for (; i < end; i++) {
    const b = buf[i]!;
    out += b < 0x80 ? String.fromCharCode(b) : REPLACEMENT;
  }
  return out;
}

const C_ESCAPES: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
};

/** GLib's g_unichar_isprint() is false for these general categories. */
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, "0");
}

/**
 * Render raw DNS name bytes `buf[start, end)` (labels already joined with `.`) as tshark 4.0 prints
 * `dns.qry.name` (Wireshark's `format_text()`), checked byte class by byte class against tshark
 * 4.0.17:
 * - printable ASCII as is (backslash, space, comma and dots inside labels included);
 * - other ASCII as `\a \b \t \n \v \f \r` or 3-digit octal (`\004`, `\177`);
 * - a byte >= 0x80 opens a sequence whose length its bit pattern gives (2 to 6 bytes, overlong
 *   forms allowed): cut short by a non-continuation byte, or a surrogate, or above U+10FFFF, it
 *   becomes one U+FFFD; a stray continuation byte or 0xFE/0xFF is one U+FFFD; a code point that
 *   GLib does not call printable (categories Cc, Cf, Cn, Cs) becomes `\uXXXX` or `\UXXXXXXXX`.
 * `clean` tells that the caller saw only bytes 0x20..0x7e, which allows the fast path.
 */
export function escapeDnsName(buf: Buffer, start: number, end: number, clean: boolean): string {
  if (clean) return buf.toString("latin1", start, end);
  let out = "";
  let i = start;
  while (i < end) {
    const c = buf[i++]!;
    if (c >= 0x20 && c < 0x7f) {
      out += String.fromCharCode(c);
      continue;
    }
    if (c < 0x80) {
      out += C_ESCAPES[c] ?? "\\" + c.toString(8).padStart(3, "0");
      continue;
    }
    let more: number;
    let cp: number;
    if ((c & 0xe0) === 0xc0) [more, cp] = [1, c & 0x1f];
    else if ((c & 0xf0) === 0xe0) [more, cp] = [2, c & 0x0f];
    else if ((c & 0xf8) === 0xf0) [more, cp] = [3, c & 0x07];
    else if ((c & 0xfc) === 0xf8) [more, cp] = [4, c & 0x03];
    else if ((c & 0xfe) === 0xfc) [more, cp] = [5, c & 0x01];
    else {
      out += REPLACEMENT;
      continue;
    }
    while (more > 0 && i < end && (buf[i]! & 0xc0) === 0x80) {
      cp = cp * 64 + (buf[i++]! & 0x3f);
      more--;
    }
    if (more > 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += REPLACEMENT;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    if (NOT_PRINTABLE.test(ch)) out += cp > 0xffff ? "\\U" + hex(cp, 8) : "\\u" + hex(cp, 4);
    else out += ch;
  }
  return out;
}
