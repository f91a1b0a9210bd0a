/**
 * Names learnt from DNS answers, to attribute a later connection that carries no name of its own
 * (a ClientHello without SNI) or hides it (Encrypted Client Hello, whose outer SNI is only the
 * public name of the ECH configuration; draft-ietf-tls-esni-22 §6.1,
 * https://datatracker.ietf.org/doc/html/draft-ietf-tls-esni-22#section-6.1).
 *
 * - address → the question name whose response carried it (A, AAAA, and the ipv4hint/ipv6hint of
 *   HTTPS/SVCB records, RFC 9460 §7.3): the most recent answer wins;
 * - the public names of the ECH configurations seen in HTTPS/SVCB answers (`ech` SvcParam): a
 *   ClientHello whose SNI is one of them was sent with real ECH, not GREASE.
 *
 * The address table is a {@link DnsAnswerTable} (src/core/dns-answers.ts) of at most
 * {@link MAX_ADDRESSES} answers and {@link MAX_ADDRESS_BYTES} bytes, keyed by address alone, that
 * keeps no heap object per answer; it forgets the least recently used address first (a lookup
 * refreshes it) and, when the caller gives the answer's time and TTL, names connections up to
 * that TTL (at least a minute) after the answer. The ECH public names are few: an lru-cache
 * (https://github.com/isaacs/node-lru-cache) of at most {@link MAX_ECH_NAMES} strings.
 */
import { LRUCache } from "lru-cache";
import { DnsAnswerTable } from "../../src/core/dns-answers.js";

/** Addresses remembered. */
export const MAX_ADDRESSES = 32768;
/** Bytes of the address table's records (20 + address + name bytes each: about 75 for IPv4 and a 40-character name). */
export const MAX_ADDRESS_BYTES = 4 * 1024 * 1024;
/** ECH public names remembered. */
export const MAX_ECH_NAMES = 1024;

/** An LRU map from address text to the name that resolved to it, and the set of ECH public names. */
export class ResolvedNames {
  private readonly names: DnsAnswerTable;
  private readonly echNames: LRUCache<string, true>;

  /** @throws RangeError when a bound is not a positive integer (or `maxBytes` is under 4096). */
  constructor(maxAddresses = MAX_ADDRESSES, maxEchNames = MAX_ECH_NAMES, maxBytes = MAX_ADDRESS_BYTES) {
    this.names = new DnsAnswerTable({ maxEntries: maxAddresses, maxBytes });
    this.echNames = new LRUCache({ max: maxEchNames });
  }

  /**
   * Remember that `name` resolved to `address` (IPv4 dotted or RFC 5952 IPv6 text), in an answer
   * seen at `timeMs` (ms since the epoch) with `ttlSeconds` when known (RFC 1035 §4.1.3 TTL).
   * A name longer than 1024 UTF-8 bytes or an address longer than 255 is not kept.
   */
  add(address: string, name: string, timeMs?: number, ttlSeconds?: number): void {
    this.names.add("", address, name, timeMs, ttlSeconds);
  }

  /**
   * The name that last resolved to `address`, refreshed as recently used; undefined when none did,
   * or when `timeMs` (the connection's time, ms) is past the answer's TTL.
   */
  get(address: string, timeMs?: number): string | undefined {
    return this.names.get("", address, timeMs, true);
  }

  /** Remember an ECH configuration's public name (compared case-insensitively). */
  addEchPublicName(name: string): void {
    this.echNames.set(name.toLowerCase(), true);
  }

  /** True when `name` is the public name of an ECH configuration seen in a DNS answer. */
  isEchPublicName(name: string): boolean {
    return this.echNames.has(name.toLowerCase());
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.names.size;
  }
}
