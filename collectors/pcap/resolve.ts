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
 * Both are bounded and forget the least recently used entries first (lru-cache: O(1) per
 * operation; evicting a plain `Map`'s first key is not, as V8 skips the holes that deletions leave
 * at the front of its table: quadratic on captures with many names).
 */
import { LRUCache } from "lru-cache";

/** Addresses remembered. */
export const MAX_ADDRESSES = 32768;
/** ECH public names remembered. */
export const MAX_ECH_NAMES = 1024;

/** An LRU map from address text to the name that resolved to it, and the set of ECH public names. */
export class ResolvedNames {
  private readonly names: LRUCache<string, string>;
  private readonly echNames: LRUCache<string, true>;

  constructor(maxAddresses = MAX_ADDRESSES, maxEchNames = MAX_ECH_NAMES) {
    this.names = new LRUCache({ max: maxAddresses });
    this.echNames = new LRUCache({ max: maxEchNames });
  }

  /** Remember that `name` resolved to `address` (IPv4 dotted or RFC 5952 IPv6 text). */
  add(address: string, name: string): void {
    this.names.set(address, name);
  }

  /** The name that last resolved to `address`, refreshed as recently used; undefined when none did. */
  get(address: string): string | undefined {
    return this.names.get(address);
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
