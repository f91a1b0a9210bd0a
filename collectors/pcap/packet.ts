/**
 * One captured frame to observations: link layer, IP (with IP-in-IP, GRE (v0, and v1 with PPP),
 * VXLAN, Geneve, GTP-U and CAPWAP data tunnels, see tunnel.ts; fragments reassembled, see
 * fragments.ts), UDP/TCP, then DNS, TLS ClientHello, QUIC Initial (quic.ts), HTTP/1 request head
 * or cleartext HTTP/2 requests (h2.ts).
 *
 * - UDP: RFC 768; TCP header: RFC 9293 §3.1 (https://www.rfc-editor.org/rfc/rfc9293#section-3.1).
 * - A PROXY protocol header before the first client bytes is stepped over (tunnel.ts).
 * - DNS on UDP/TCP ports 53, 5353 (mDNS), 5355 (LLMNR), either direction; over TCP each message
 *   has a 2-byte length prefix (RFC 1035 §4.2.2), several may share a segment. On other UDP ports,
 *   DNS found by tshark's heuristic (see looksLikeDns).
 * - TLS and HTTP on any TCP port; SSDP (HTTP over UDP 1900) too, as tshark does.
 * - HTTP/2 in the clear on any TCP port, from a client segment that starts with the connection
 *   preface (prior knowledge, or after an h2c upgrade): the client's bytes of that connection are
 *   then all read in order (tcp-reassembly.ts keeps the order, h2.ts the frames and the HPACK
 *   table); each request is an `http` observation (`host` from `:authority`, else `host`), a DoH
 *   request a `dns` observation too.
 *
 * - QUIC: any UDP datagram that starts with a long header of a version we can decrypt, or looks
 *   like gQUIC; the ClientHello gathered from the Initial packets' CRYPTO frames.
 *
 * A ClientHello or request head that does not fit its first segment is gathered over the next
 * ones (tcp-reassembly.ts) and reported on the frame that completes it, as tshark does; what is
 * still open at the end of the capture (or pushed out of the bounded table) is reported with what
 * was gathered. The same holds for IP fragments and QUIC CRYPTO frames.
 *
 * DNS answers feed a bounded address → name map (resolve.ts): a TLS/QUIC ClientHello without SNI,
 * or with Encrypted Client Hello and an SNI that DNS named as an ECH public name, gets the name that
 * resolved to its server address as `host`, with `resolvedFrom: "dns"` and the SNI it carried in
 * `sni`.
 */

import { bound } from "../../src/core/observation.js";
import type { Observation } from "../../src/core/observation.js";
import { decodeDns, isDnsPort, looksLikeDns } from "./dns.js";
import { Fragments } from "./fragments.js";
import type { Datagram } from "./fragments.js";
import { H2Connection, startsWithPreface } from "./h2.js";
import type { H2Request } from "./h2.js";
import { HTTP_PORTS, firstLineOpen, looksLikeHttpRequest, parseHttpRequests, requestHeadLength } from "./http.js";
import { decodeIp, ipText } from "./ip.js";
import type { IpHeader } from "./ip.js";
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_TEB,
  WLAN_CONTROL,
  WLAN_MANAGEMENT,
  WLAN_PROTECTED,
  decodeEthernet,
  decodeLink,
  decodePpp,
  decodeWlan,
  isSupportedLinkType,
  isWlanLinkType,
} from "./link.js";
import type { NetworkLayer } from "./link.js";
import { QuicInitials, looksLikeQuic } from "./quic.js";
import type { QuicHello } from "./quic.js";
import type { PacketSink } from "./capture-types.js";
import { ResolvedNames } from "./resolve.js";
import { ClientStreams } from "./tcp-reassembly.js";
import type { ClientStream, StreamKind } from "./tcp-reassembly.js";
import { clientHelloLength, looksLikeTls, parseClientHello } from "./tls.js";
import type { ClientHello } from "./tls.js";
import {
  CAPWAP_DATA_PORT,
  CAPWAP_ETHERNET,
  CAPWAP_IEEE802_11,
  GENEVE_PORT,
  GTPU_PORT,
  VXLAN_PORT,
  capwapInner,
  geneveInner,
  greInner,
  greV1Inner,
  gtpInner,
  skipProxyHeader,
  vxlanInner,
} from "./tunnel.js";

/** Tunnels nested deeper than this are not followed. */
const MAX_DEPTH = 4;
/** HTTP/2 connections read at once: a bound on the HPACK tables and header blocks kept (about 128 KiB each at most). */
export const MAX_H2_CONNECTIONS = 256;
const SSDP_PORT = 1900;

/** Link type statistics for packets we could not decode at all. */
export interface SkippedLinkType {
  linkType: number;
  packets: number;
  /** Frame number and byte offset of the first such packet. */
  firstFrame: number;
  firstOffset: number;
}

let lastSecond = NaN;
let lastPrefix = "";

/**
 * ISO 8601 UTC text with milliseconds for a time in ms since the epoch, or null when out of the
 * range a JavaScript Date can hold (±8.64e15 ms). The text up to the seconds is kept from the last
 * call, so that frames of the same second cost one string concatenation.
 */
export function isoTime(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  const second = Math.floor(ms / 1000);
  const frac = ms - second * 1000;
  if (second !== lastSecond || !Number.isInteger(frac) || ms < 0 || ms >= 253402300800000) {
    const text = new Date(ms).toISOString();
    if (Number.isInteger(frac) && ms >= 0 && ms < 253402300800000) {
      lastSecond = second;
      lastPrefix = text.slice(0, 20);
    }
    return text;
  }
  return lastPrefix + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac + "Z";
}

/**
 * A {@link PacketSink} that decodes each frame and hands every observation to `emit`, synchronously.
 * Per packet it allocates nothing until something is found (headers are read in place into reused
 * structures).
 */
export class PacketDecoder implements PacketSink {
  /** Frames seen. */
  packets = 0;
  /** Observations whose frame's time was outside the Date range (they carry the epoch). */
  badTimes = 0;
  /** Record offset of the first of them. */
  firstBadTime = 0;
  /** Link types not decoded, by number. */
  readonly skipped = new Map<number, SkippedLinkType>();

  /**
   * 802.11 frames (link types 105, 119, 127, 163) by what became of them: `data` decoded to IP;
   * `management`, `control` (control and extension frames) counted and skipped as the normal
   * traffic of a wireless capture; `protected` data frames skipped because they are encrypted;
   * `other` data frames without IP (null data, EAPOL, ARP) or with a header cut short.
   */
  readonly wlan = { data: 0, management: 0, control: 0, protected: 0, other: 0, firstProtectedFrame: 0, firstProtectedOffset: 0 };

  private readonly net: NetworkLayer = { ethertype: 0, offset: 0, wlan: 0 };
  /** HTTP/2 connections being read (each holds an HPACK table of up to 64 KiB). */
  private readonly h2Connections = new Set<H2Connection>();
  /** HTTP/2 connections not read because {@link MAX_H2_CONNECTIONS} were open, and the frame of the first. */
  h2Refused = 0;
  firstH2Refused = 0;
  firstH2RefusedOffset = 0;
  /** Out-parameter of capwapInner (reused). */
  private readonly at0: number[] = [0];
  private readonly ips: IpHeader[] = Array.from({ length: MAX_DEPTH + 1 }, () => ({
    version: 0,
    src: 0,
    dst: 0,
    protocol: 0,
    payload: 0,
    end: 0,
    fragId: -1,
    fragOffset: 0,
    moreFragments: false,
  }));
  private readonly streams = new ClientStreams();
  /** IP fragments waiting for the rest of their datagram. */
  readonly fragments = new Fragments();
  /** QUIC Initial packets' CRYPTO data by client flow. */
  private readonly quic = new QuicInitials();
  /** Address → name from DNS answers, for ClientHellos without a usable SNI. */
  readonly resolved = new ResolvedNames();
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
      } else if (this.net.wlan !== 0) this.wlanSkipped(frame, offset); // 802.11, also inside PPI
      return;
    }
    if (isWlanLinkType(linkType)) this.wlan.data++;
    this.cur.frame = frame;
    this.cur.offset = offset;
    this.cur.timeMs = timeMs;
    this.time = null;
    this.ip(buf, this.net.offset, end, this.net.ethertype, 0);
  }

  /** Count an 802.11 frame decodeLink skipped (the reason is in `net.wlan`). */
  private wlanSkipped(frame: number, offset: number): void {
    const w = this.wlan;
    switch (this.net.wlan) {
      case WLAN_MANAGEMENT:
        w.management++;
        break;
      case WLAN_CONTROL:
        w.control++;
        break;
      case WLAN_PROTECTED:
        if (w.protected++ === 0) {
          w.firstProtectedFrame = frame;
          w.firstProtectedOffset = offset;
        }
        break;
      default:
        w.other++;
    }
    this.net.wlan = 0;
  }

  private ip(buf: Buffer, offset: number, end: number, ethertype: number, depth: number): void {
    const h = this.ips[depth]!;
    if (!decodeIp(buf, offset, end, ethertype, h)) return;
    if (h.fragId >= 0) {
      const done = this.fragments.add(buf, h, this.cur);
      for (let i = 0; i < done.length; i++) this.datagram(done[i]!, depth);
      return;
    }
    this.transport(buf, h, depth);
  }

  /** A datagram put together from fragments (or the first fragment of one that never completed). */
  private datagram(d: Datagram, depth: number): void {
    const { frame, offset, timeMs } = this.cur;
    this.at(d.frame, d.offset, d.timeMs);
    const h = this.ips[depth]!;
    h.version = d.version;
    h.src = 0;
    h.dst = d.version === 4 ? 4 : 16;
    h.protocol = d.protocol;
    h.payload = d.payload;
    h.end = d.data.length;
    h.fragId = -1;
    this.transport(d.data, h, depth);
    this.at(frame, offset, timeMs);
  }

  private transport(buf: Buffer, h: IpHeader, depth: number): void {
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

  /** GRE: IPv4, IPv6 or bridged Ethernet inside (see greInner); version 1 (PPTP): PPP inside (greV1Inner). */
  private gre(buf: Buffer, p: number, end: number, depth: number): void {
    if (p + 2 <= end && (buf[p + 1]! & 7) === 1) {
      const q = greV1Inner(buf, p, end);
      if (q < 0) return;
      const stop = Math.min(end, q + buf.readUInt16BE(p + 4));
      if (decodePpp(buf, q, stop, this.net)) this.ip(buf, this.net.offset, stop, this.net.ethertype, depth + 1);
      return;
    }
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
    if (isDnsPort(dport) || isDnsPort(sport)) {
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
    } else if (depth < MAX_DEPTH && (dport === CAPWAP_DATA_PORT || sport === CAPWAP_DATA_PORT)) {
      const what = capwapInner(buf, data, stop, this.at0);
      const q = this.at0[0]!;
      // 802.11 frames with the frame control bytes swapped, as Cisco access points send them and tshark reads them by default.
      if (what === CAPWAP_IEEE802_11 ? decodeWlan(buf, q, stop, this.net, true) : what === CAPWAP_ETHERNET && decodeEthernet(buf, q, stop, this.net)) {
        this.ip(buf, this.net.offset, stop, this.net.ethertype, depth + 1);
      } else this.net.wlan = 0;
    } else if ((dport === SSDP_PORT || sport === SSDP_PORT) && looksLikeHttpRequest(buf, data, stop)) {
      this.http(buf, data, stop, ipText(buf, h.src, h.version), ipText(buf, h.dst, h.version), dport);
    } else if (looksLikeQuic(buf, data, stop)) {
      const client = ipText(buf, h.src, h.version);
      const server = ipText(buf, h.dst, h.version);
      const r = this.quic.datagram(buf, data, stop, client, sport, server, dport, this.cur);
      if (this.quic.evicted.length > 0) this.flushQuic(this.quic.evicted.splice(0));
      if (r !== null) this.fromQuic(r);
    } else if (sport !== 137 && sport !== 138 && dport !== 137 && dport !== 138 && looksLikeDns(buf, data, stop)) {
      // (137, 138: NetBIOS name and datagram services, which look like DNS to the heuristic but are not)
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
        if (s.h2 !== null) this.h2Segment(s, s.h2, seq, buf, data, end);
        else if (this.streams.append(s, seq, buf, data, end, this.cur) && this.complete(s)) {
          this.streams.remove(s);
          this.fromStream(s);
        }
        return;
      }
    }
    if (isDnsPort(dport) || isDnsPort(sport)) {
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
    } else if (buf[data] === 0x50 && startsWithPreface(buf, data, end)) {
      // HTTP/2 with prior knowledge, or after an h2c upgrade: the whole client side is read from here on.
      if (this.h2Connections.size >= MAX_H2_CONNECTIONS) {
        if (this.h2Refused++ === 0) {
          this.firstH2Refused = this.cur.frame;
          this.firstH2RefusedOffset = this.cur.offset;
        }
        return;
      }
      this.open("h2", buf, h, sport, dport, (seq + (end - skipped)) >>> 0, end, end, 0);
      const s = this.streams.find(buf, h, sport, dport);
      if (s !== undefined) {
        s.h2 = new H2Connection((r) => this.fromH2(s, r));
        this.h2Connections.add(s.h2);
        this.h2Segment(s, s.h2, s.next, buf, data, end, true);
      }
    } else if (looksLikeHttpRequest(buf, data, end)) {
      const open = requestHeadLength(buf, data, end) < 0;
      if (open && (firstLineOpen(buf, data, end) || parseHttpRequests(buf, data, end, HTTP_PORTS.has(dport)).length > 0)) {
        this.open("http", buf, h, sport, dport, (seq + (data - skipped)) >>> 0, data, end, 0);
      } else this.http(buf, data, end, ipText(buf, h.src, h.version), ipText(buf, h.dst, h.version), dport);
    }
  }

  /**
   * Client bytes `buf[start, end)` of an HTTP/2 connection, starting at sequence number `seq`: in
   * order, they go straight to its reader; otherwise through the stream's reordering (copied). A
   * connection that can no longer be read, or whose stream lost bytes, is closed.
   */
  private h2Segment(s: ClientStream, conn: H2Connection, seq: number, buf: Buffer, start: number, end: number, first = false): void {
    if (first || this.streams.inOrder(s, seq, end - start, this.cur)) conn.feed(buf, start, end);
    else if (this.streams.append(s, seq, buf, start, end, this.cur) && !s.truncated) {
      conn.feed(s.data, 0, s.length);
      s.length = 0;
    }
    if (conn.broken || s.truncated) {
      this.streams.remove(s);
      this.h2Closed(conn);
    }
  }

  /** An HTTP/2 connection is no longer read (broken, pushed out of the stream table, end of capture). */
  private h2Closed(conn: H2Connection): void {
    this.h2Connections.delete(conn);
    conn.close();
  }

  /** Report a request of an HTTP/2 connection (and the DNS question of a DoH request) on the current frame. */
  private fromH2(s: ClientStream, r: H2Request): void {
    const o = this.observation("http", s.client, s.server, s.port);
    const host = r.authority ?? r.host;
    if (host !== undefined) o.host = bound(host);
    if (r.method !== undefined) o.method = bound(r.method);
    if (r.path !== undefined) o.path = bound(r.path);
    if (r.userAgent !== undefined) o.userAgent = bound(r.userAgent);
    this.emit(o);
    if (r.dnsMessage === undefined) return;
    const msg = decodeDns(r.dnsMessage, 0, r.dnsMessage.length);
    if (msg === null || msg.response) return;
    for (const q of msg.questions) {
      const d = this.observation("dns", s.client, s.server, s.port);
      d.host = bound(q.name);
      d.qtype = q.qtype;
      d.response = false;
      this.emit(d);
    }
  }

  /** Start gathering a client stream; flush the streams that make room for it. */
  private open(kind: StreamKind, buf: Buffer, h: IpHeader, sport: number, dport: number, seq: number, start: number, end: number, need: number): void {
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
    if (s.h2 !== null) return this.h2Closed(s.h2);
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

  /** Report QUIC handshakes that were not seen whole, on their own frames, then come back to the current one. */
  private flushQuic(list: QuicHello[]): void {
    const { frame, offset, timeMs } = this.cur;
    for (const r of list) this.fromQuic(r);
    this.at(frame, offset, timeMs);
  }

  /** Report a QUIC handshake on the frame that completed it. */
  private fromQuic(r: QuicHello): void {
    this.at(r.frame, r.offset, r.timeMs);
    if (r.hello !== null) this.hello("quic", r.hello, r.client, r.server, r.port);
    else if (r.chlo !== null) {
      const o = this.observation("quic", r.client, r.server, r.port);
      if (r.chlo.sni !== undefined) o.host = bound(r.chlo.sni);
      if (r.chlo.userAgent !== undefined) o.userAgent = bound(r.chlo.userAgent);
      this.emit(o);
    }
  }

  /**
   * End of the capture: report the streams still open with what was gathered (a ClientHello whose
   * later segments were not captured still gives the extensions it holds); the same for QUIC
   * CRYPTO data and for fragmented datagrams (their first fragment, when it came).
   */
  flush(): void {
    for (const d of this.fragments.drain()) this.datagram(d, 0);
    for (const s of this.streams.drain()) this.fromStream(s);
    for (const r of this.quic.drain()) this.fromQuic(r);
  }

  private dns(buf: Buffer, start: number, end: number, h: IpHeader, sport: number, dport: number): void {
    const msg = decodeDns(buf, start, end);
    if (msg === null || msg.questions.length === 0) return;
    const client = ipText(buf, msg.response ? h.dst : h.src, h.version);
    const server = ipText(buf, msg.response ? h.src : h.dst, h.version);
    const port = msg.response ? sport : dport;
    const answers = msg.response && msg.answers.length > 0 ? msg.answers.map((a) => bound(a)) : undefined;
    const qname = msg.questions[0]!.name;
    if (msg.response && qname !== ".") {
      for (let i = 0; i < msg.addresses.length; i++) this.resolved.add(msg.addresses[i]!, qname);
      for (let i = 0; i < msg.echPublicNames.length; i++) this.resolved.addEchPublicName(msg.echPublicNames[i]!);
    }
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
    if (hello !== null) this.hello("tls", hello, client, server, port);
  }

  /**
   * A ClientHello's observation. Its SNI is the `host`, unless it has none, or it has ECH and the
   * SNI is an ECH public name from a DNS answer: then the name DNS resolved to the server address
   * (if any) is the `host`, marked `resolvedFrom: "dns"`, and the SNI moves to `sni`.
   */
  private hello(kind: "tls" | "quic", hello: ClientHello, client: string, server: string, port: number): void {
    const o = this.observation(kind, client, server, port);
    const sni = hello.sni;
    const resolved =
      sni === undefined || (hello.ech === true && this.resolved.isEchPublicName(sni)) ? this.resolved.get(server) : undefined;
    if (resolved !== undefined && resolved !== sni) {
      o.host = bound(resolved);
      o.resolvedFrom = "dns";
      if (sni !== undefined) o.sni = bound(sni);
    } else if (sni !== undefined) o.host = bound(sni);
    if (hello.alpn !== undefined) o.alpn = hello.alpn.map((a) => bound(a));
    if (hello.ech === true) o.ech = true;
    this.emit(o);
  }

  private http(buf: Buffer, start: number, end: number, client: string, server: string, port: number): void {
    for (const r of parseHttpRequests(buf, start, end, HTTP_PORTS.has(port))) {
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
      if (t === null && this.badTimes++ === 0) this.firstBadTime = this.cur.offset;
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
