/**
 * One captured frame to observations: link layer, IP (with IP-in-IP, GRE, VXLAN, Geneve and GTP-U
 * tunnels, see tunnel.ts), UDP/TCP, then DNS, TLS ClientHello or HTTP request head.
 *
 * - UDP: RFC 768; TCP header: RFC 9293 §3.1 (https://www.rfc-editor.org/rfc/rfc9293#section-3.1).
 * - A PROXY protocol header before the first client bytes is stepped over (tunnel.ts).
 * - DNS on UDP/TCP ports 53, 5353 (mDNS), 5355 (LLMNR), either direction; over TCP each message
 *   has a 2-byte length prefix (RFC 1035 §4.2.2), several may share a segment. On other UDP ports,
 *   DNS found by tshark's heuristic (see looksLikeDns).
 * - TLS and HTTP on any TCP port; SSDP (HTTP over UDP 1900) too, as tshark does.
 *
 * A ClientHello or request head that does not fit its first segment is gathered over the next
 * ones (tcp-reassembly.ts) and reported on the frame that completes it, as tshark does; what is
 * still open at the end of the capture (or pushed out of the bounded table) is reported with what
 * was gathered.
 */

import { bound } from "../../src/core/observation.js";
import type { Observation } from "../../src/core/observation.js";
import { DNS_PORTS, decodeDns, looksLikeDns } from "./dns.js";
import { firstLineOpen, looksLikeHttpRequest, parseHttpRequests, requestHeadLength } from "./http.js";
import { decodeIp, ipText } from "./ip.js";
import type { IpHeader } from "./ip.js";
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB, decodeEthernet, decodeLink, isSupportedLinkType } from "./link.js";
import type { NetworkLayer } from "./link.js";
import type { PacketSink } from "./reader.js";
import { ClientStreams } from "./tcp-reassembly.js";
import type { ClientStream } from "./tcp-reassembly.js";
import { clientHelloLength, looksLikeTls, parseClientHello } from "./tls.js";
import { GENEVE_PORT, GTPU_PORT, VXLAN_PORT, geneveInner, greInner, gtpInner, skipProxyHeader, vxlanInner } from "./tunnel.js";

/** Tunnels nested deeper than this are not followed. */
const MAX_DEPTH = 4;
const SSDP_PORT = 1900;
/** UDP ports whose protocols look like DNS to the heuristic but are not: NetBIOS name and datagram services. */
const NOT_DNS_PORTS: ReadonlySet<number> = new Set([137, 138]);

/** Link type statistics for packets we could not decode at all. */
export interface SkippedLinkType {
  linkType: number;
  packets: number;
  /** Frame number and byte offset of the first such packet. */
  firstFrame: number;
  firstOffset: number;
}

/**
 * ISO 8601 UTC text with milliseconds for a time in ms since the epoch, or null when out of the
 * range a JavaScript Date can hold (±8.64e15 ms).
 */
export function isoTime(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString();
}

/**
 * A {@link PacketSink} that decodes each frame and hands every observation to `emit`, synchronously.
 * Per packet it allocates nothing until something is found (headers are read in place into reused
 * structures).
 */
export class PacketDecoder implements PacketSink {
  /** Frames seen. */
  packets = 0;
  /** Frames whose time was outside the Date range (their observations carry the epoch). */
  badTimes = 0;
  /** Link types not decoded, by number. */
  readonly skipped = new Map<number, SkippedLinkType>();

  private readonly net: NetworkLayer = { ethertype: 0, offset: 0 };
  private readonly ips: IpHeader[] = Array.from({ length: MAX_DEPTH + 1 }, () => ({
    version: 0,
    src: 0,
    dst: 0,
    protocol: 0,
    payload: 0,
    end: 0,
  }));
  private readonly streams = new ClientStreams();
  /** The frame being decoded (or the one a reassembled stream is reported on). */
  private readonly cur = { frame: 0, offset: 0, timeMs: 0 };
  private time: string | null = null;

  constructor(
    private readonly file: string,
    private readonly emit: (observation: Observation) => void,
  ) {}

  packet(buf: Buffer, start: number, end: number, linkType: number, timeMs: number, frame: number, offset: number): void {
    this.packets++;
    if (!decodeLink(buf, start, end, linkType, this.net)) {
      if (!isSupportedLinkType(linkType)) {
        const s = this.skipped.get(linkType);
        if (s) s.packets++;
        else this.skipped.set(linkType, { linkType, packets: 1, firstFrame: frame, firstOffset: offset });
      }
      return;
    }
    this.cur.frame = frame;
    this.cur.offset = offset;
    this.cur.timeMs = timeMs;
    this.time = null;
    this.ip(buf, this.net.offset, end, this.net.ethertype, 0);
  }

  private ip(buf: Buffer, offset: number, end: number, ethertype: number, depth: number): void {
    const h = this.ips[depth]!;
    if (!decodeIp(buf, offset, end, ethertype, h)) return;
    const p = h.payload;
    switch (h.protocol) {
      case 6:
        return this.tcp(buf, p, h.end, h);
      case 17:
        return this.udp(buf, p, h.end, h, depth);
      case 4:
        if (depth < MAX_DEPTH) this.ip(buf, p, h.end, ETHERTYPE_IPV4, depth + 1);
        return;
      case 41:
        if (depth < MAX_DEPTH) this.ip(buf, p, h.end, ETHERTYPE_IPV6, depth + 1);
        return;
      case 47:
        if (depth < MAX_DEPTH) this.gre(buf, p, h.end, depth);
        return;
    }
  }

  /** GRE: IPv4, IPv6 or bridged Ethernet inside (see greInner). */
  private gre(buf: Buffer, p: number, end: number, depth: number): void {
    const inner = greInner(buf, p, end);
    if (inner >= 0) this.inner(buf, inner, end, buf.readUInt16BE(p + 2), depth);
  }

  /** Continue with a tunnelled packet of the given ethertype at `buf[p, end)`. */
  private inner(buf: Buffer, p: number, end: number, ethertype: number, depth: number): void {
    if (p >= end) return;
    if (ethertype === ETHERTYPE_IPV4 || ethertype === ETHERTYPE_IPV6) this.ip(buf, p, end, ethertype, depth + 1);
    else if (ethertype === ETHERTYPE_TEB && decodeEthernet(buf, p, end, this.net)) {
      this.ip(buf, this.net.offset, end, this.net.ethertype, depth + 1);
    }
  }

  private udp(buf: Buffer, p: number, end: number, h: IpHeader, depth: number): void {
    if (p + 8 > end) return;
    const sport = buf.readUInt16BE(p);
    const dport = buf.readUInt16BE(p + 2);
    const len = buf.readUInt16BE(p + 4);
    const stop = len >= 8 && p + len < end ? p + len : end;
    const data = p + 8;
    if (DNS_PORTS.has(dport) || DNS_PORTS.has(sport)) {
      this.dns(buf, data, stop, h, sport, dport);
    } else if (depth < MAX_DEPTH && dport === VXLAN_PORT) {
      const inner = vxlanInner(buf, data, stop);
      if (inner >= 0) this.inner(buf, inner, stop, ETHERTYPE_TEB, depth);
    } else if (depth < MAX_DEPTH && dport === GENEVE_PORT) {
      const inner = geneveInner(buf, data, stop);
      if (inner >= 0) this.inner(buf, inner, stop, buf.readUInt16BE(data + 2), depth);
    } else if (depth < MAX_DEPTH && (dport === GTPU_PORT || sport === GTPU_PORT)) {
      const inner = gtpInner(buf, data, stop);
      if (inner >= 0) this.inner(buf, inner, stop, (buf[inner]! >> 4) === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, depth);
    } else if ((dport === SSDP_PORT || sport === SSDP_PORT) && looksLikeHttpRequest(buf, data, stop)) {
      this.http(buf, data, stop, ipText(buf, h.src, h.version), ipText(buf, h.dst, h.version), dport);
    } else if (!NOT_DNS_PORTS.has(sport) && !NOT_DNS_PORTS.has(dport) && looksLikeDns(buf, data, stop)) {
      this.dns(buf, data, stop, h, sport, dport);
    }
  }

  private tcp(buf: Buffer, p: number, end: number, h: IpHeader): void {
    if (p + 20 > end) return;
    const sport = buf.readUInt16BE(p);
    const dport = buf.readUInt16BE(p + 2);
    const hlen = (buf[p + 12]! >> 4) * 4;
    if (hlen < 20) return;
    let data = p + hlen;
    if (data >= end) return;
    // Sequence number of the first payload byte (a SYN takes one).
    const seq = (buf.readUInt32BE(p + 4) + (buf[p + 13]! & 0x02 ? 1 : 0)) >>> 0;
    if (this.streams.size > 0) {
      const s = this.streams.find(buf, h, sport, dport);
      if (s !== undefined) {
        if (this.streams.append(s, seq, buf, data, end, this.cur) && this.complete(s)) {
          this.streams.remove(s);
          this.fromStream(s);
        }
        return;
      }
    }
    if (DNS_PORTS.has(dport) || DNS_PORTS.has(sport)) {
      // One or more length-prefixed messages; a message cut by the segment end is read as far as it goes.
      let q = data;
      for (let i = 0; i < 64 && q + 2 < end; i++) {
        const len = buf.readUInt16BE(q);
        if (len < 12) break;
        const stop = Math.min(q + 2 + len, end);
        this.dns(buf, q + 2, stop, h, sport, dport);
        q += 2 + len;
      }
      return;
    }
    const skipped = data;
    data = skipProxyHeader(buf, data, end);
    if (looksLikeTls(buf, data, end)) {
      const need = clientHelloLength(buf, data, end);
      if (need > end - data) this.open("tls", buf, h, sport, dport, (seq + (data - skipped)) >>> 0, data, end, need);
      else this.tls(buf, data, end, ipText(buf, h.src, h.version), ipText(buf, h.dst, h.version), dport);
    } else if (looksLikeHttpRequest(buf, data, end)) {
      const open = requestHeadLength(buf, data, end) < 0;
      if (open && (firstLineOpen(buf, data, end) || parseHttpRequests(buf, data, end).length > 0)) {
        this.open("http", buf, h, sport, dport, (seq + (data - skipped)) >>> 0, data, end, 0);
      } else this.http(buf, data, end, ipText(buf, h.src, h.version), ipText(buf, h.dst, h.version), dport);
    }
  }

  /** Start gathering a client stream; flush the streams that make room for it. */
  private open(kind: "tls" | "http", buf: Buffer, h: IpHeader, sport: number, dport: number, seq: number, start: number, end: number, need: number): void {
    const texts = { client: ipText(buf, h.src, h.version), server: ipText(buf, h.dst, h.version) };
    const closed = this.streams.start(kind, buf, h, sport, dport, seq, start, end, need, texts, this.cur);
    if (closed.length > 0) {
      const { frame, offset, timeMs } = this.cur;
      for (const s of closed) this.fromStream(s);
      this.at(frame, offset, timeMs);
    }
  }

  private complete(s: ClientStream): boolean {
    if (this.streams.full(s)) return true;
    return s.kind === "tls" ? s.length >= s.need : requestHeadLength(s.data, 0, s.length) >= 0;
  }

  /** Report a gathered stream, on the frame that last added to it. */
  private fromStream(s: ClientStream): void {
    this.at(s.frame, s.offset, s.timeMs);
    if (s.kind === "tls") this.tls(s.data, 0, s.length, s.client, s.server, s.port);
    else this.http(s.data, 0, s.length, s.client, s.server, s.port);
  }

  private at(frame: number, offset: number, timeMs: number): void {
    if (frame === this.cur.frame && timeMs === this.cur.timeMs) return;
    this.cur.frame = frame;
    this.cur.offset = offset;
    this.cur.timeMs = timeMs;
    this.time = null;
  }

  /**
   * End of the capture: report the streams still open with what was gathered (a ClientHello whose
   * later segments were not captured still gives the extensions it holds).
   */
  flush(): void {
    for (const s of this.streams.drain()) this.fromStream(s);
  }

  private dns(buf: Buffer, start: number, end: number, h: IpHeader, sport: number, dport: number): void {
    const msg = decodeDns(buf, start, end);
    if (msg === null || msg.questions.length === 0) return;
    const client = ipText(buf, msg.response ? h.dst : h.src, h.version);
    const server = ipText(buf, msg.response ? h.src : h.dst, h.version);
    const port = msg.response ? sport : dport;
    const answers = msg.response && msg.answers.length > 0 ? msg.answers.map((a) => bound(a)) : undefined;
    for (const q of msg.questions) {
      const o = this.observation("dns", client, server, port);
      o.host = bound(q.name);
      o.qtype = q.qtype;
      o.response = msg.response;
      if (answers) o.answers = answers;
      this.emit(o);
    }
  }

  private tls(buf: Buffer, start: number, end: number, client: string, server: string, port: number): void {
    const hello = parseClientHello(buf, start, end);
    if (hello === null) return;
    const o = this.observation("tls", client, server, port);
    if (hello.sni !== undefined) o.host = bound(hello.sni);
    if (hello.alpn !== undefined) o.alpn = hello.alpn.map((a) => bound(a));
    this.emit(o);
  }

  private http(buf: Buffer, start: number, end: number, client: string, server: string, port: number): void {
    for (const r of parseHttpRequests(buf, start, end)) {
      const o = this.observation("http", client, server, port);
      if (r.host !== undefined) o.host = bound(r.host);
      o.method = bound(r.method);
      o.path = bound(r.path);
      if (r.userAgent !== undefined) o.userAgent = bound(r.userAgent);
      this.emit(o);
    }
  }

  private observation(kind: Observation["kind"], client: string, server: string, port: number): Observation {
    if (this.time === null) {
      const t = isoTime(this.cur.timeMs);
      if (t === null) this.badTimes++;
      this.time = t ?? "1970-01-01T00:00:00.000Z";
    }
    return {
      source: "pcap",
      kind,
      time: this.time,
      client,
      server,
      port,
      ref: { file: this.file, frame: this.cur.frame, offset: this.cur.offset },
    };
  }
}
