/**
 * The pcap collector: DNS queries and responses, TLS ClientHello SNI/ALPN (with the ECH flag),
 * QUIC Initial SNI/ALPN (decrypted) and gQUIC CHLO SNI, HTTP/1.x request heads and cleartext
 * HTTP/2 requests (with DNS over HTTPS) from packet captures (classic pcap, pcapng, either
 * gzip-compressed), on wired link types and 802.11 (radiotap, Prism, AVS).
 *
 * File layout: reader.ts picks the format by magic and paces the reading; pcap-reader.ts and
 * pcapng-reader.ts parse the formats; packet.ts walks link.ts / ip.ts (fragments.ts, tunnel.ts)
 * to dns.ts, tls.ts (tcp-reassembly.ts), quic.ts, http.ts and h2.ts; resolve.ts keeps what DNS answers
 * said for connections without a usable name. KNOWN-DIFFERENCES.tsv lists what tshark finds in the
 * shared corpus and we do not, with the reason (checked by oracle.test.ts).
 */

import type { CollectContext, Collector, InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { SUPPORTED_LINKTYPES } from "./link.js";
import { MAX_H2_CONNECTIONS, PacketDecoder } from "./packet.js";
import { readCapture } from "./reader.js";

/**
 * A condition of one capture worth showing that is not a failure: the capture was read to its end
 * and its evidence kept, so it must not make a scan `partial` (issue 18). Same place fields as
 * {@link InputError}, plus a stable `code` and how many times it happened:
 * - `incomplete-fragments`: IP datagrams whose fragments never all came (only their first
 *   fragment was decoded);
 * - `protected-80211`: encrypted 802.11 data frames, which cannot be read without the keys;
 * - `h2-connections-not-read`: cleartext HTTP/2 connections that started while the most the
 *   collector reads at once (packet.ts `MAX_H2_CONNECTIONS`) were open.
 */
export interface InputWarning {
  /** File path. */
  input: string;
  /** Byte offset of the first record concerned. */
  offset?: number;
  code: "incomplete-fragments" | "protected-80211" | "h2-connections-not-read";
  /** How many datagrams or frames. */
  count: number;
  /** What happened and what it means, naming the first frame. */
  message: string;
}

/**
 * {@link CollectContext} with a place for warnings. A caller without `onWarning` does not see them
 * (they are not errors, so they never go to `onError`).
 */
export interface CaptureCollectContext extends CollectContext {
  onWarning?(warning: InputWarning): void;
}

export const id = "pcap";
export const displayName = "Packet captures (pcap, pcapng)";
export const docsUrl = "https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html";

/**
 * Stream the observations of one capture file, in the order found: by frame, except that a
 * ClientHello or request head spread over several TCP segments comes on the frame that completed it.
 *
 * Each observation has `source: "pcap"`, `kind` `dns` | `tls` | `quic` | `http`, `time` (ISO 8601
 * UTC with ms; the epoch when the record's timestamp is out of range), `client`/`server` addresses,
 * `port` (the server's), `host` as sent (DNS QNAME rendered as tshark renders it, SNI, HTTP Host
 * with its `:port`, HTTP/2 `:authority` or else `host`; a DoH request over cleartext HTTP/2 gives
 * an `http` and a `dns` observation), and where known `qtype`, `response`, `answers`, `alpn`, `ech`, `method`,
 * `path`, `userAgent` (HTTP User-Agent, gQUIC UAID); a ClientHello without SNI (or with ECH and an
 * ECH public name as SNI) to an address a DNS answer gave carries that answer's question name as
 * `host`, `resolvedFrom: "dns"` and its own SNI in `sni`. `ref` is `{file, frame (1-based), offset
 * (byte offset of the record)}`.
 *
 * Problems go to `ctx.onError` with a byte offset and what was expected: unreadable file, not a
 * capture (empty or shorter than a file header), unknown magic, bad or cut-short header or record
 * (the records before it are all delivered), link types not decoded (once per link type, with the
 * count of packets skipped), timestamps out of range. What is no failure goes to `ctx.onWarning`
 * (see {@link InputWarning}): IP datagrams whose fragments never all came, encrypted 802.11 data
 * frames. 802.11 management and control frames are the normal traffic of a wireless capture:
 * counted (PacketDecoder `wlan`), neither errors nor warnings. Never throws for bad data. Memory stays bounded: the
 * file is read in chunks (reader.ts `CHUNK_BYTES`), the next one only after the observations of the
 * previous one were consumed, and every table (TCP streams, fragments, QUIC flows, DNS names) has a
 * size bound.
 */
export async function* collect(file: string, ctx: CaptureCollectContext): AsyncGenerator<Observation> {
  const queue: Observation[] = [];
  const decoder = new PacketDecoder(file, (o) => queue.push(o));
  for await (const _ of readCapture(file, decoder, ctx)) {
    for (let i = 0; i < queue.length; i++) yield queue[i]!;
    queue.length = 0;
  }
  decoder.flush();
  for (let i = 0; i < queue.length; i++) yield queue[i]!;
  queue.length = 0;
  for (const s of decoder.skipped.values()) {
    const name = SUPPORTED_LINKTYPES.get(s.linkType);
    ctx.onError({
      input: file,
      offset: s.firstOffset,
      message:
        `${s.packets} of ${decoder.packets} packets skipped (first: frame ${s.firstFrame} at offset ${s.firstOffset}): ` +
        `link type ${s.linkType}${name ? ` (${name})` : ""} is not decoded; ` +
        `decoded link types: ${[...SUPPORTED_LINKTYPES.keys()].join(", ")}`,
      partial: s.packets < decoder.packets,
    });
  }
  if (decoder.badTimes > 0) {
    ctx.onError({
      input: file,
      offset: decoder.firstBadTime,
      message:
        `${decoder.badTimes} observations come from records whose timestamp is outside the representable range ` +
        `(first: record at offset ${decoder.firstBadTime}); they carry 1970-01-01T00:00:00.000Z`,
      partial: true,
    });
  }
  const frags = decoder.fragments;
  if (frags.incomplete > 0 && frags.firstIncomplete !== null) {
    ctx.onWarning?.({
      input: file,
      offset: frags.firstIncomplete.offset,
      code: "incomplete-fragments",
      count: frags.incomplete,
      message:
        `${frags.incomplete} fragmented IP datagrams never got all their fragments (first: frame ${frags.firstIncomplete.frame} ` +
        `at offset ${frags.firstIncomplete.offset}); only what their first fragment held was decoded`,
    });
  }
  if (decoder.h2Refused > 0) {
    ctx.onWarning?.({
      input: file,
      offset: decoder.firstH2RefusedOffset,
      code: "h2-connections-not-read",
      count: decoder.h2Refused,
      message:
        `${decoder.h2Refused} cleartext HTTP/2 connections were not read (first: frame ${decoder.firstH2Refused} at offset ` +
        `${decoder.firstH2RefusedOffset}): ${MAX_H2_CONNECTIONS} others were open at the time`,
    });
  }
  const wlan = decoder.wlan;
  if (wlan.protected > 0) {
    ctx.onWarning?.({
      input: file,
      offset: wlan.firstProtectedOffset,
      code: "protected-80211",
      count: wlan.protected,
      message:
        `${wlan.protected} of ${wlan.protected + wlan.data + wlan.other} 802.11 data frames are protected (encrypted) and were not read ` +
        `(first: frame ${wlan.firstProtectedFrame} at offset ${wlan.firstProtectedOffset}); a capture taken on the wired side or ` +
        `decrypted first (e.g. with the network's keys in Wireshark) shows their traffic`,
    });
  }
}

/** The collector as a {@link Collector} value. */
export const pcapCollector: Collector = { id, displayName, docsUrl, collect };

/** Everything {@link collect} gives for one file, gathered: for tests and small files. */
export interface CaptureExtract {
  observations: Observation[];
  errors: InputError[];
  warnings: InputWarning[];
}

/** Run {@link collect} over `file` and gather observations, errors and warnings (buffers them all: small files only). */
export async function extractCapture(file: string): Promise<CaptureExtract> {
  const errors: InputError[] = [];
  const warnings: InputWarning[] = [];
  const observations: Observation[] = [];
  for await (const o of collect(file, { onError: (e) => errors.push(e), onWarning: (w) => warnings.push(w) })) observations.push(o);
  return { observations, errors, warnings };
}
