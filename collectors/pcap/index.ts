/**
 * The pcap collector: DNS queries and responses, TLS ClientHello SNI/ALPN (with the ECH flag),
 * QUIC Initial SNI/ALPN (decrypted) and gQUIC CHLO SNI, and HTTP/1.x request heads from packet
 * captures (classic pcap, pcapng, either gzip-compressed).
 *
 * File layout: reader.ts picks the format by magic and paces the reading; pcap-reader.ts and
 * pcapng-reader.ts parse the formats; packet.ts walks link.ts / ip.ts (fragments.ts, tunnel.ts)
 * to dns.ts, tls.ts (tcp-reassembly.ts), quic.ts and http.ts; resolve.ts keeps what DNS answers
 * said for connections without a usable name. KNOWN-DIFFERENCES.tsv lists what tshark finds in the
 * shared corpus and we do not, with the reason (checked by oracle.test.ts).
 */

import type { CollectContext, Collector, InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { SUPPORTED_LINKTYPES } from "./link.js";
import { PacketDecoder } from "./packet.js";
import { readCapture } from "./reader.js";

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
 * with its `:port`), and where known `qtype`, `response`, `answers`, `alpn`, `ech`, `method`,
 * `path`, `userAgent` (HTTP User-Agent, gQUIC UAID); a ClientHello without SNI (or with ECH and an
 * ECH public name as SNI) to an address a DNS answer gave carries that answer's question name as
 * `host`, `resolvedFrom: "dns"` and its own SNI in `sni`. `ref` is `{file, frame (1-based), offset
 * (byte offset of the record)}`.
 *
 * Problems go to `ctx.onError` with a byte offset and what was expected: unreadable file, unknown
 * magic, bad or cut-short header or record (the records before it are all delivered), link types
 * not decoded (once per link type, with the count of packets skipped), timestamps out of range, IP
 * datagrams whose fragments never all came. Never throws for bad data. Memory stays bounded: the
 * file is read in chunks (reader.ts `CHUNK_BYTES`), the next one only after the observations of the
 * previous one were consumed, and every table (TCP streams, fragments, QUIC flows, DNS names) has a
 * size bound.
 */
export async function* collect(file: string, ctx: CollectContext): AsyncGenerator<Observation> {
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
    ctx.onError({
      input: file,
      offset: frags.firstIncomplete.offset,
      message:
        `${frags.incomplete} fragmented IP datagrams never got all their fragments (first: frame ${frags.firstIncomplete.frame} ` +
        `at offset ${frags.firstIncomplete.offset}); only what their first fragment held was decoded`,
      partial: true,
    });
  }
}

/** The collector as a {@link Collector} value. */
export const pcapCollector: Collector = { id, displayName, docsUrl, collect };

/** Everything {@link collect} gives for one file, gathered: for tests and small files. */
export interface CaptureExtract {
  observations: Observation[];
  errors: InputError[];
}

/** Run {@link collect} over `file` and gather observations and errors (buffers them all: small files only). */
export async function extractCapture(file: string): Promise<CaptureExtract> {
  const errors: InputError[] = [];
  const observations: Observation[] = [];
  for await (const o of collect(file, { onError: (e) => errors.push(e) })) observations.push(o);
  return { observations, errors };
}
