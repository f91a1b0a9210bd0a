/**
 * HTTP/1.x request heads (RFC 9112 §3 request line, §5 field lines,
 * https://www.rfc-editor.org/rfc/rfc9112#section-3): method, request target, Host, User-Agent.
 *
 * A request head is recognised on any port by its request line `METHOD SP target SP HTTP/d.d`
 * ending in LF or CRLF, or one of the broken forms Zeek and tshark both still read as a request
 * (`OPTIONS HTTP/1.1`, `GET /HTTP/1.1`, `POST / HTTP/1.`, `GET / http/1.1`, and on HTTP ports
 * `GET /p` without a version: see requestLine); the HTTP/2 preface
 * `PRI * HTTP/2.0` is not a request (h2.ts reads that connection). Header lines count only when their line end is present, so a Host cut by a
 * segment boundary is not reported half. Several pipelined requests in one segment are all read.
 * Field values: leading whitespace dropped, the rest as sent (tshark does the same), bytes >= 0x80
 * as U+FFFD.
 */

import { asciiText } from "./text.js";

export interface HttpRequest {
  method: string;
  /** Request target as sent (origin form `/p?q`, absolute form, or `host:port` for CONNECT). */
  path: string;
  /** Host field value with its `:port` when sent so. */
  host?: string;
  userAgent?: string;
}

const MAX_METHOD = 24;
const MAX_HEAD = 16 * 1024;
const MAX_REQUESTS = 16;

function isMethodChar(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x5f; // A-Z - _
}

/** Cheap pre-filter: `buf[p, end)` starts with an upper-case token and a space. */
export function looksLikeHttpRequest(buf: Buffer, p: number, end: number): boolean {
  if (p + 4 > end || !isMethodChar(buf[p]!)) return false;
  const stop = Math.min(end, p + MAX_METHOD + 1);
  for (let i = p + 1; i < stop; i++) {
    const b = buf[i]!;
    if (b === 0x20) return true;
    if (!isMethodChar(b)) return false;
  }
  return false;
}

/** Case-insensitive compare of `buf[p, p+name.length)` with the lower-case ASCII `name`. */
function fieldIs(buf: Buffer, p: number, end: number, name: string): boolean {
  if (end - p !== name.length) return false;
  for (let i = 0; i < name.length; i++) if ((buf[p + i]! | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** Offset of the next LF in `buf[p, end)`, or -1. */
function lineEnd(buf: Buffer, p: number, end: number): number {
  const i = buf.indexOf(0x0a, p);
  return i >= 0 && i < end ? i : -1;
}

/**
 * Whether `buf[start, end)` holds a whole request head: the length up to and including the empty
 * line that ends it, or -1 when that line is not there yet (RFC 9112 §2.1).
 */
export function requestHeadLength(buf: Buffer, start: number, end: number): number {
  const limit = Math.min(end, start + MAX_HEAD);
  let p = start;
  for (;;) {
    const e = lineEnd(buf, p, limit);
    if (e < 0) return -1;
    if (e === p || (e === p + 1 && buf[p] === 0x0d)) return p === start ? -1 : e + 1 - start;
    p = e + 1;
  }
}

/** True when the first line of `buf[start, end)` is not complete yet (no LF). */
export function firstLineOpen(buf: Buffer, start: number, end: number): boolean {
  return lineEnd(buf, start, Math.min(end, start + MAX_HEAD)) < 0;
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

/** `HTTP/` at `buf[i]`, in any case (Zeek accepts `http/1.1` with a weird, tshark too). */
function isHttpSlash(buf: Buffer, i: number): boolean {
  return (buf[i]! | 0x20) === 0x68 && (buf[i + 1]! | 0x20) === 0x74 && (buf[i + 2]! | 0x20) === 0x74 && (buf[i + 3]! | 0x20) === 0x70 && buf[i + 4] === 0x2f;
}

/**
 * Methods tshark knows (its `is_http_request_or_reply`; RFC 9110 §9, WebDAV RFC 4918, SSDP/GENA):
 * a request line without any HTTP version is read only with one of these, on an HTTP port.
 */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
  "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
  "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH",
]);

/**
 * TCP ports tshark reads as HTTP whatever the first line looks like (its `http.tcp.port` default
 * range): only there is a request line without an HTTP version read as a request.
 */
export const HTTP_PORTS: ReadonlySet<number> = new Set([80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710]);

/**
 * The request target of the request line `buf[p, stop)` whose method ends at `sp` (a space), read
 * as leniently as Zeek (`HTTP_Analyzer::ParseRequest`) and tshark both still read it, checked with
 * tshark 4.0.17:
 * - `GET /p HTTP/1.1` (RFC 9112 §3), also with several spaces or tabs, text after the version, or
 *   `http/1.1` in lower case;
 * - `OPTIONS HTTP/1.1`: no target (Zeek: empty URI), target "";
 * - `POST / HTTP/1.` and other cut or odd versions after a space: target `/`;
 * - `GET /HTTP/1.1`: no space before the version, target `/HTTP/1.1` as both read it;
 * - `GET /p` with no version at all (HTTP/0.9 form, headers may follow): only when `noVersion` is
 *   allowed (the caller's port is one of {@link HTTP_PORTS}), the method is one tshark knows and
 *   the target is not empty (Zeek's own condition).
 * Elsewhere a line must name an HTTP version, so that other text protocols (`EHLO x`, RTSP's
 * `OPTIONS x RTSP/1.0`) are not taken for HTTP. Returns null for those, and for the HTTP/2
 * connection preface `PRI * HTTP/2.0` (RFC 9113 §3.4), which is not a request.
 */
function requestLine(buf: Buffer, p: number, sp: number, stop: number, noVersion: boolean): { target: number; targetEnd: number } | null {
  let t = sp;
  while (t < stop && isSpace(buf[t])) t++;
  // The last "HTTP/" of the line.
  let v = -1;
  for (let i = stop - 5; i >= t; i--) {
    if (isHttpSlash(buf, i)) {
      v = i;
      break;
    }
  }
  let targetEnd: number;
  if (v < 0) {
    if (!noVersion || !KNOWN_METHODS.has(buf.toString("latin1", p, sp))) return null;
    targetEnd = stop;
    while (targetEnd > t && isSpace(buf[targetEnd - 1])) targetEnd--;
    return targetEnd > t ? { target: t, targetEnd } : null;
  }
  if (v === t || isSpace(buf[v - 1])) {
    targetEnd = v;
    while (targetEnd > t && isSpace(buf[targetEnd - 1])) targetEnd--;
  } else {
    // "GET /HTTP/1.1": the version is glued to the target; keep the target up to the first space.
    targetEnd = t;
    while (targetEnd < stop && !isSpace(buf[targetEnd])) targetEnd++;
  }
  if (sp - p === 3 && buf.toString("latin1", p, sp) === "PRI" && buf.toString("latin1", t, targetEnd) === "*" && buf.toString("latin1", v, v + 8) === "HTTP/2.0") {
    return null;
  }
  return { target: t, targetEnd };
}

/**
 * Parse the HTTP/1.x request heads at the start of `buf[start, end)` (one TCP segment or UDP
 * datagram). `httpPort`: the server port is one of {@link HTTP_PORTS}, where a request line
 * without a version is read too (see requestLine). Returns the requests found, in order (empty
 * when the data is not an HTTP request). Never throws, never reads outside the range.
 */
export function parseHttpRequests(buf: Buffer, start: number, end: number, httpPort = false): HttpRequest[] {
  const out: HttpRequest[] = [];
  let p = start;
  while (out.length < MAX_REQUESTS && looksLikeHttpRequest(buf, p, end)) {
    const limit = Math.min(end, p + MAX_HEAD);
    let sp = p;
    while (buf[sp] !== 0x20) sp++;
    const le = lineEnd(buf, sp, limit);
    if (le < 0) break;
    const lineStop = le > sp && buf[le - 1] === 0x0d ? le - 1 : le;
    const line = requestLine(buf, p, sp, lineStop, httpPort);
    if (line === null) break;
    const req: HttpRequest = { method: buf.toString("latin1", p, sp), path: asciiText(buf, line.target, line.targetEnd) };
    let contentLength = 0;
    let chunked = false;
    let q = le + 1;
    let complete = false;
    for (;;) {
      const e = lineEnd(buf, q, limit);
      if (e < 0) break;
      const stop = e > q && buf[e - 1] === 0x0d ? e - 1 : e;
      if (stop === q) {
        complete = true;
        q = e + 1;
        break;
      }
      const first = buf[q]!;
      if (first !== 0x20 && first !== 0x09) {
        let colon = q;
        while (colon < stop && buf[colon] !== 0x3a) colon++;
        if (colon < stop) {
          let val = colon + 1;
          while (val < stop && (buf[val] === 0x20 || buf[val] === 0x09)) val++;
          if (req.host === undefined && fieldIs(buf, q, colon, "host")) req.host = asciiText(buf, val, stop);
          else if (req.userAgent === undefined && fieldIs(buf, q, colon, "user-agent"))
            req.userAgent = asciiText(buf, val, stop);
          else if (fieldIs(buf, q, colon, "content-length")) contentLength = Number(buf.toString("latin1", val, stop));
          else if (fieldIs(buf, q, colon, "transfer-encoding")) chunked = true;
        }
      }
      q = e + 1;
    }
    out.push(req);
    if (!complete || chunked || !Number.isSafeInteger(contentLength) || contentLength < 0) break;
    p = q + contentLength;
  }
  return out;
}
