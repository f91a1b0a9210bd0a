/**
 * TLS ClientHello: server name (SNI) and ALPN offers.
 *
 * - Record layer: RFC 8446 §5.1 (https://www.rfc-editor.org/rfc/rfc8446#section-5.1), content
 *   type 22 handshake; a leading change_cipher_spec record (20, middlebox compatibility mode,
 *   RFC 8446 §D.4) is stepped over.
 * - ClientHello: RFC 8446 §4.1.2 (https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2), handshake
 *   type 1: legacy_version, random, session id, cipher suites, compression methods, extensions.
 * - server_name: RFC 6066 §3 (https://www.rfc-editor.org/rfc/rfc6066#section-3), extension 0,
 *   name type 0 host_name. With ECH (extension 0xfe0d) this is the outer, public name.
 * - ALPN: RFC 7301 §3.1 (https://www.rfc-editor.org/rfc/rfc7301#section-3.1), extension 16.
 * - Encrypted Client Hello: draft-ietf-tls-esni-22 §5
 *   (https://datatracker.ietf.org/doc/html/draft-ietf-tls-esni-22#section-5), extension 0xfe0d,
 *   ECHClientHello type 0 (outer): the server_name is then the public name of the ECH
 *   configuration, the real one is encrypted. The older encrypted_server_name extension 0xffce
 *   (draft-ietf-tls-esni-02) hides the name the same way and is flagged too.
 * - QUIC carries the handshake message without the record layer (RFC 9001 §4.1.3,
 *   https://www.rfc-editor.org/rfc/rfc9001#section-4.1.3): {@link parseClientHelloMessage}.
 *
 * Only the bytes at hand are read: given a ClientHello cut short, the extensions that lie wholly
 * in it are still used (tcp-reassembly.ts gathers the segments first when it can).
 */

import { asciiText } from "./text.js";

export interface ClientHello {
  /** First host_name of the server_name extension, ASCII with U+FFFD for bytes >= 0x80 (as tshark). */
  sni?: string;
  /** ALPN protocol names offered, in order. */
  alpn?: string[];
  /**
   * True when an outer encrypted_client_hello (0xfe0d, type 0) or an encrypted_server_name
   * (0xffce) extension is present. Chromium sends a GREASE ECH extension when it has no ECH
   * configuration, which looks the same on the wire (draft-ietf-tls-esni-22 §6.2): true means the
   * real name may be hidden, not that it is.
   */
  ech?: boolean;
}

const MAX_ALPN = 32;

/** True when `buf[p, end)` starts like a TLS handshake or change_cipher_spec record. Cheap pre-filter. */
export function looksLikeTls(buf: Buffer, p: number, end: number): boolean {
  if (p + 6 > end) return false;
  const type = buf[p]!;
  return (type === 22 || type === 20) && buf[p + 1] === 3 && buf[p + 2]! <= 4;
}

/**
 * Bytes from `start` to the end of the handshake record holding the ClientHello that starts at
 * `buf[start]` (change_cipher_spec records before it included), from its length field; -1 when
 * `buf[start, end)` does not start a ClientHello. Used to tell whether a segment holds it whole.
 */
export function clientHelloLength(buf: Buffer, start: number, end: number): number {
  let p = start;
  for (let i = 0; i < 4 && p + 5 <= end && buf[p] === 20; i++) p += 5 + buf.readUInt16BE(p + 3);
  if (p + 6 > end || buf[p] !== 22 || buf[p + 1] !== 3 || buf[p + 5] !== 1) return -1;
  return p + 5 + buf.readUInt16BE(p + 3) - start;
}

/**
 * Parse a ClientHello starting at the TLS record at `buf[start, end)`. Returns null when the data is
 * not a ClientHello (or is cut before its extensions' length); otherwise what was found. Never
 * throws, never reads outside the range.
 */
export function parseClientHello(buf: Buffer, start: number, end: number): ClientHello | null {
  let p = start;
  // Step over change_cipher_spec records, then expect a handshake record.
  for (let i = 0; i < 4 && p + 5 <= end && buf[p] === 20; i++) p += 5 + buf.readUInt16BE(p + 3);
  if (p + 9 > end || buf[p] !== 22 || buf[p + 1] !== 3) return null;
  const recEnd = Math.min(p + 5 + buf.readUInt16BE(p + 3), end);
  return parseClientHelloMessage(buf, p + 5, recEnd);
}

/**
 * Parse the ClientHello handshake message (RFC 8446 §4: type 1, 24-bit length, body) at
 * `buf[start, end)`, as QUIC CRYPTO frames carry it (no record layer). Returns null when it is not
 * a ClientHello or is cut before its extensions' length; a message cut later gives the extensions
 * that lie wholly in the bytes at hand. Never throws, never reads outside the range.
 */
export function parseClientHelloMessage(buf: Buffer, start: number, end: number): ClientHello | null {
  let p = start;
  if (p + 4 > end || buf[p] !== 1) return null; // handshake type client_hello
  const hsLen = (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
  const hsEnd = Math.min(p + 4 + hsLen, end);
  p += 4;
  // legacy_version (2) + random (32)
  p += 34;
  if (p + 1 > hsEnd) return null;
  p += 1 + buf[p]!; // legacy_session_id
  if (p + 2 > hsEnd) return null;
  p += 2 + buf.readUInt16BE(p); // cipher_suites
  if (p + 1 > hsEnd) return null;
  p += 1 + buf[p]!; // legacy_compression_methods
  const hello: ClientHello = {};
  if (p + 2 > hsEnd) return p <= hsEnd ? hello : null; // no extensions at all (TLS 1.0 style)
  const extEnd = Math.min(p + 2 + buf.readUInt16BE(p), hsEnd);
  p += 2;
  while (p + 4 <= extEnd) {
    const type = buf.readUInt16BE(p);
    const len = buf.readUInt16BE(p + 2);
    const data = p + 4;
    const dataEnd = data + len;
    if (dataEnd > extEnd) break; // continues past what we hold
    if (type === 0 && hello.sni === undefined) {
      const sni = serverName(buf, data, dataEnd);
      if (sni !== undefined) hello.sni = sni;
    } else if (type === 16 && hello.alpn === undefined) {
      const alpn = alpnList(buf, data, dataEnd);
      if (alpn !== undefined) hello.alpn = alpn;
    } else if ((type === 0xfe0d && len > 0 && buf[data] === 0) || type === 0xffce) hello.ech = true;
    p = dataEnd;
  }
  return hello;
}

/** First host_name (type 0) of a ServerNameList, RFC 6066 §3. */
function serverName(buf: Buffer, p: number, end: number): string | undefined {
  if (p + 2 > end) return undefined;
  const listEnd = Math.min(p + 2 + buf.readUInt16BE(p), end);
  p += 2;
  while (p + 3 <= listEnd) {
    const type = buf[p]!;
    const len = buf.readUInt16BE(p + 1);
    p += 3;
    if (p + len > listEnd) return undefined;
    if (type === 0) return asciiText(buf, p, p + len);
    p += len;
  }
  return undefined;
}

/** ProtocolNameList, RFC 7301 §3.1. */
function alpnList(buf: Buffer, p: number, end: number): string[] | undefined {
  if (p + 2 > end) return undefined;
  const listEnd = Math.min(p + 2 + buf.readUInt16BE(p), end);
  p += 2;
  const names: string[] = [];
  while (p + 1 <= listEnd && names.length < MAX_ALPN) {
    const len = buf[p]!;
    p += 1;
    if (p + len > listEnd) break;
    names.push(asciiText(buf, p, p + len));
    p += len;
  }
  return names.length > 0 ? names : undefined;
}
