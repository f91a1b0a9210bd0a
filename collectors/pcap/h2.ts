/**
 * Cleartext HTTP/2 ("h2c") requests from the client's byte stream: RFC 9113
 * (https://www.rfc-editor.org/rfc/rfc9113), header blocks decoded with HPACK (RFC 7541) by
 * hpack.js.
 *
 * A connection is recognised by the client connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`
 * (§3.4) at the start of a client segment: the first bytes of a prior-knowledge connection
 * (§3.3), or the first bytes after the `101 Switching Protocols` answer to an HTTP/1.1 request
 * with `Upgrade: h2c` (RFC 7540 §3.2; that request itself is read as HTTP/1 by http.ts). From there
 * every frame (§4.1: 24-bit length, type, flags, stream id) is read in order:
 * - HEADERS (§6.2) and CONTINUATION (§6.10) fragments are put together up to END_HEADERS, then
 *   decoded with one HPACK decoder per connection direction (this is the client's: its dynamic
 *   table, §2.3.2 of RFC 7541, lives as long as the connection); every block is decoded, trailers
 *   too, so that the table stays in step;
 * - a request's `:method`, `:path`, `:authority`, `host` and `user-agent` make an {@link H2Request};
 * - DNS over HTTPS (RFC 8484 §4.1) in the clear: a GET of `/dns-query?...` (or one that accepts
 *   `application/dns-message`) with a `dns=` query parameter (base64url, no padding), or a POST
 *   with `content-type: application/dns-message`, whose DATA frames (§6.1) hold the DNS message,
 *   gives the DNS message's bytes too;
 * - other frames are stepped over without being kept.
 *
 * Bounded: a header block of more than {@link MAX_HEADER_BLOCK} bytes, a bad preface, frames out
 * of order or an HPACK error make the connection `broken` (the decoder table would no longer match
 * the sender's; nothing more is read from it); the HPACK table holds at most
 * {@link MAX_HPACK_TABLE} octets (RFC 7541 §4.1 accounting); a DoH body is kept up to 65535 bytes
 * (a DNS message's largest size) for at most {@link MAX_OPEN_BODIES} streams. Other frames, DATA
 * included, are stepped over without being copied.
 */

import { createRequire } from "node:module";

import type HpackJs from "hpack.js";

/**
 * hpack.js, loaded on the first HTTP/2 connection: it pulls in readable-stream, whose loading
 * costs more (0.1-0.2 s) than most captures take to read, and few captures hold cleartext HTTP/2.
 */
let hpackModule: typeof HpackJs | null = null;
function hpack(): typeof HpackJs {
  hpackModule ??= createRequire(import.meta.url)("hpack.js") as typeof HpackJs;
  return hpackModule;
}

/** The client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Largest header block (all fragments of one HEADERS + CONTINUATION run) we put together; a longer
 * one breaks the connection. Servers refuse far less (nghttp2 and Go: 64 KiB or so of header list).
 */
export const MAX_HEADER_BLOCK = 64 * 1024;
/** Largest dynamic table an HPACK size update may ask for (RFC 7541 §6.3); the default is 4096. */
export const MAX_HPACK_TABLE = 64 * 1024;
/** DoH POST streams whose body is being gathered, per connection. */
export const MAX_OPEN_BODIES = 16;
const MAX_DNS_MESSAGE = 65535;

const FRAME_HEADER = 9;
const DATA = 0x0;
const HEADERS = 0x1;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** One request read from an HTTP/2 connection. Values as sent, bytes >= 0x80 as U+FFFD. */
export interface H2Request {
  /** Stream identifier. */
  stream: number;
  method?: string;
  path?: string;
  /** `:authority` pseudo-header. */
  authority?: string;
  /** `host` header field (RFC 9113 §8.3.1 allows it instead of `:authority`). */
  host?: string;
  userAgent?: string;
  /** The DNS message of a DoH request (RFC 8484), when it is one and it came whole. */
  dnsMessage?: Buffer;
}

/**
 * True when `buf[p, end)` starts with the HTTP/2 client preface, or with the first at least 4
 * bytes of it where the segment ends sooner (the rest is checked by {@link H2Connection}).
 */
export function startsWithPreface(buf: Buffer, p: number, end: number): boolean {
  const n = Math.min(end - p, H2_PREFACE.length);
  return n >= 4 && buf.compare(H2_PREFACE, 0, n, p, p + n) === 0;
}

/** Text of a header value as the other extractors render it: bytes >= 0x80 become U+FFFD. */
function text(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(latin1) ? latin1.replace(/[^\x00-\x7f]/g, "\uFFFD") : latin1;
}

/** base64url (RFC 4648 §5) without padding, as RFC 8484 §4.1 sends it; null if not that alphabet. */
function base64url(s: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s) || s.length > (MAX_DNS_MESSAGE * 4) / 3 + 4) return null;
  return Buffer.from(s, "base64url");
}

/** The value of query parameter `name` in a request target, or undefined. */
function queryParam(path: string, name: string): string | undefined {
  const q = path.indexOf("?");
  if (q < 0) return undefined;
  for (const part of path.slice(q + 1).split("&")) {
    const eq = part.indexOf("=");
    if (eq >= 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
  }
  return undefined;
}

const isDnsMessageType = (v: string | undefined): boolean => v !== undefined && /^application\/dns-message\s*(;|$)/i.test(v);

/**
 * The client → server half of one HTTP/2 connection, fed in TCP order from its first byte (the
 * preface). Synchronous: {@link H2Connection.feed} calls `onRequest` for each request as soon as its
 * header block (or, for a DoH POST, its body) is complete.
 */
export class H2Connection {
  /** True once the stream can no longer be read (see the module comment); feed() then ignores input. */
  broken = false;
  /** Why it broke, for tests and diagnostics. */
  reason = "";
  /** Requests reported. */
  requests = 0;

  private prefaceLeft = H2_PREFACE.length;
  private readonly header = Buffer.alloc(FRAME_HEADER);
  private headerFill = 0;
  /** Current frame: type, flags, stream, payload bytes still to come. */
  private type = 0;
  private flags = 0;
  private stream = 0;
  private left = 0;
  /** The payload of the current frame when it is kept (header block fragment, DoH body), else null. */
  private payload: Buffer | null = null;
  private payloadFill = 0;
  /** Fragments of the header block being put together, and the stream it belongs to. */
  private block: Buffer[] = [];
  private blockBytes = 0;
  private blockStream = 0;
  private blockEndStream = false;
  /** DoH POST requests waiting for their body, by stream. */
  private readonly bodies = new Map<number, { request: H2Request; parts: Buffer[]; bytes: number }>();
  private readonly hpack = hpack().decompressor.create({ table: { maxSize: MAX_HPACK_TABLE } });
  private hpackError: Error | null = null;

  constructor(private readonly onRequest: (request: H2Request) => void) {
    this.hpack.on("error", (err: Error) => {
      this.hpackError = err;
    });
  }

  /** Read the client bytes `buf[start, end)`, which follow the ones fed before. Copies what it keeps. */
  feed(buf: Buffer, start: number, end: number): void {
    let p = start;
    while (p < end && !this.broken) {
      if (this.prefaceLeft > 0) {
        const off = H2_PREFACE.length - this.prefaceLeft;
        const n = Math.min(this.prefaceLeft, end - p);
        if (buf.compare(H2_PREFACE, off, off + n, p, p + n) !== 0) return this.fail("not the HTTP/2 connection preface");
        this.prefaceLeft -= n;
        p += n;
      } else if (this.headerFill < FRAME_HEADER) {
        const n = Math.min(FRAME_HEADER - this.headerFill, end - p);
        buf.copy(this.header, this.headerFill, p, p + n);
        this.headerFill += n;
        p += n;
        if (this.headerFill === FRAME_HEADER) this.frameStart();
      } else {
        const n = Math.min(this.left, end - p);
        if (this.payload !== null) {
          buf.copy(this.payload, this.payloadFill, p, p + n);
          this.payloadFill += n;
        }
        this.left -= n;
        p += n;
      }
      if (this.headerFill === FRAME_HEADER && this.left === 0 && !this.broken) this.frameEnd();
    }
  }

  /** Stop reading; DoH POSTs still waiting for their body are reported (without it) by {@link H2Connection.close}. */
  private fail(reason: string): void {
    this.broken = true;
    this.reason = reason;
    this.block = [];
    this.payload = null;
  }

  /** A frame header is complete: decide whether its payload is kept. */
  private frameStart(): void {
    const h = this.header;
    const length = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
    this.type = h[3]!;
    this.flags = h[4]!;
    this.stream = h.readUInt32BE(5) & 0x7fffffff;
    this.left = length;
    this.payload = null;
    this.payloadFill = 0;
    if (this.block.length > 0 && this.type !== CONTINUATION) return this.fail("a header block was not followed by its CONTINUATION (RFC 9113 §6.10)");
    if (this.type === HEADERS || this.type === CONTINUATION) {
      if (this.blockBytes + length > MAX_HEADER_BLOCK) return this.fail(`a header block of more than ${MAX_HEADER_BLOCK} bytes`);
    } else if (this.type !== DATA || !this.bodies.has(this.stream) || length > MAX_DNS_MESSAGE + 256) {
      return; // stepped over (a DoH body too long for a DNS message, with at most 255 bytes of padding, too)
    }
    this.payload = Buffer.allocUnsafe(length);
  }

  /** A frame is complete (header and payload). */
  private frameEnd(): void {
    this.headerFill = 0;
    const payload = this.payload;
    this.payload = null;
    if (payload === null) return;
    const type = this.type;
    const flags = this.flags;
    // Padding (§6.1, §6.2) and the priority fields of HEADERS (§6.2).
    let from = 0;
    let to = payload.length;
    if ((type === HEADERS || type === DATA) && flags & PADDED) {
      if (to < 1) return this.fail("a padded frame without its pad length");
      to -= payload[0]!;
      from = 1;
    }
    if (type === HEADERS && flags & PRIORITY) from += 5;
    if (from > to) return this.fail("padding longer than the frame (RFC 9113 §6.1)");
    const fragment = payload.subarray(from, to);
    if (type === DATA) return this.body(this.stream, fragment, (flags & END_STREAM) !== 0);
    if (type === HEADERS) {
      this.blockStream = this.stream;
      this.blockEndStream = (flags & END_STREAM) !== 0;
    } else if (this.block.length === 0) {
      return this.fail("a CONTINUATION frame without a HEADERS frame before it (RFC 9113 §6.10)");
    } else if (this.stream !== this.blockStream) {
      return this.fail("a CONTINUATION frame of another stream (RFC 9113 §6.10)");
    }
    this.blockBytes += fragment.length;
    this.block.push(fragment);
    if (flags & END_HEADERS) {
      const block = this.block.length === 1 ? this.block[0]! : Buffer.concat(this.block, this.blockBytes);
      this.block = [];
      this.blockBytes = 0;
      this.headerBlock(this.blockStream, block, this.blockEndStream);
    }
  }

  /** Decode a whole header block of `stream` with the connection's HPACK decoder. */
  private headerBlock(stream: number, block: Buffer, endStream: boolean): void {
    const fields: { name: string; value: string }[] = [];
    this.hpackError = null;
    if (block.length > 0) {
      this.hpack.write(block);
      this.hpack.execute();
      for (let f = this.hpack.read(); f !== null; f = this.hpack.read()) fields.push(f);
    }
    if (this.hpackError !== null) return this.fail(`HPACK: ${(this.hpackError as Error).message}`);
    // A request's header block starts with pseudo-header fields (RFC 9113 §8.3); trailers have none.
    const req: H2Request = { stream };
    let contentType: string | undefined;
    let accept: string | undefined;
    let pseudo = false;
    for (const { name, value } of fields) {
      switch (name) {
        case ":method":
          req.method = text(value);
          pseudo = true;
          break;
        case ":path":
          req.path = text(value);
          pseudo = true;
          break;
        case ":authority":
          req.authority = text(value);
          pseudo = true;
          break;
        case ":scheme":
          pseudo = true;
          break;
        case "host":
          req.host ??= text(value);
          break;
        case "user-agent":
          req.userAgent ??= text(value);
          break;
        case "content-type":
          contentType ??= value;
          break;
        case "accept":
          accept ??= value;
          break;
      }
    }
    if (!pseudo || req.method === undefined) return; // trailers, or a block that is no request
    if (req.method === "GET" && req.path !== undefined && (req.path.startsWith("/dns-query?") || isDnsMessageType(accept))) {
      const dns = queryParam(req.path, "dns");
      if (dns !== undefined) {
        const msg = base64url(dns);
        if (msg !== null && msg.length >= 12) req.dnsMessage = msg;
      }
    } else if (req.method === "POST" && isDnsMessageType(contentType) && !endStream && this.bodies.size < MAX_OPEN_BODIES) {
      this.bodies.set(stream, { request: req, parts: [], bytes: 0 });
      return; // reported with its body
    }
    this.report(req);
  }

  /** A DATA frame of a DoH POST stream. */
  private body(stream: number, data: Buffer, endStream: boolean): void {
    const b = this.bodies.get(stream);
    if (b === undefined) return;
    if (b.bytes + data.length <= MAX_DNS_MESSAGE) {
      b.parts.push(data);
      b.bytes += data.length;
    }
    if (!endStream) return;
    this.bodies.delete(stream);
    if (b.bytes >= 12) b.request.dnsMessage = Buffer.concat(b.parts, b.bytes);
    this.report(b.request);
  }

  private report(req: H2Request): void {
    this.requests++;
    this.onRequest(req);
  }

  /** End of the capture (or the connection given up): report DoH POSTs whose body did not end, without it. */
  close(): void {
    for (const b of this.bodies.values()) this.report(b.request);
    this.bodies.clear();
  }
}
