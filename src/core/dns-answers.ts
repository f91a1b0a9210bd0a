/**
 * A bounded table of DNS answers: (client, address) → the question name whose answer gave that
 * address, with the answer's time and TTL, for naming a later connection that carries no name of
 * its own (a Zeek conn.log line, a ClientHello without SNI). The log collector keys it by client
 * and address, the capture collector by address alone (client "").
 *
 * Why not a `Map<string, string>`: a table that keeps hundreds of thousands of entries while
 * millions of answers pass through it promotes every key and name string to V8's old space, where
 * they die when evicted. On a generated 1 GB Zeek dns.log (bench/logs.ts, 5.2 million lines, 10.4
 * million answers) parsing alone peaked at 461 MB of RSS (186 MB of old space) and took 25 s of
 * CPU with that map, against 121 MB and 10 s without a table, and 153 MB and 18 s with this one.
 * Here no entry owns a heap object; everything is in typed arrays allocated once:
 *
 * - the bytes (client, address, name) of each answer are one record in a ring of `maxBytes` bytes
 *   (one `Buffer`), written in the order answers arrive;
 * - a ring of 2 × `maxEntries` slots, in the same order, holds each record's offset, lengths,
 *   time, expiry and key hash; evicting the oldest slot frees the oldest record;
 * - an open-addressing hash index (linear probing, deletion by backward shift; Knuth, TAOCP vol. 3
 *   §6.4, Algorithm R) maps a hash of (client, address) to its slot, and a lookup compares the
 *   record's bytes, so a hash collision cannot give a wrong name.
 *
 * Not lru-cache, although the project has it: with it as the index (integer hash → record offset,
 * over the same record ring) the first 300 MB of that dns.log took 7.6 to 9.4 s of CPU and 225 MB
 * of RSS, against 6.7 s and 153 MB for this table and 3.1 s and 120 MB without one (same machine,
 * same hour): its `Map` and entry arrays are heap memory the collector scans, and it cannot give
 * the oldest entry's record without an iterator.
 *
 * Eviction, oldest answer first: when `maxEntries` pairs are held, when 2 × `maxEntries` answers
 * are in the slot ring (replaced ones included), or when the ring has no room for a new record
 * (`maxBytes`). A new answer for a pair replaces the previous one (the most recent answer wins,
 * and becomes the newest); `get(..., refresh)` makes a found answer the newest too, for
 * least-recently-used eviction.
 *
 * Expiry: when the caller gives the answer's TTL and the lookup's time, an answer names
 * connections that start at most `max(TTL, MIN_TTL_MS)` after it (RFC 1035 §3.2.1: the TTL is how
 * long the record may be cached, https://datatracker.ietf.org/doc/html/rfc1035#section-3.2.1; a
 * client that connects later has asked again, or asked a resolver out of sight; the floor covers
 * TTLs of 0 to a few seconds of load-balanced names and clocks of two logs a little apart). A
 * connection before the answer still takes it, as before. Without a TTL (a format that does not
 * give it) an answer is valid until evicted.
 *
 * Lengths: a client or address longer than 255 UTF-8 bytes, or a name longer than
 * {@link MAX_NAME_BYTES}, is not kept (no address or DNS name is that long: RFC 1035 §2.3.4 gives
 * 255 octets to a whole name); `add` then returns false.
 */

/** Longest name kept, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 1024;
/** Shortest validity of an answer that has a TTL, in ms. */
export const MIN_TTL_MS = 60_000;
/** Longest client or address kept, in UTF-8 bytes. */
const MAX_KEY_PART = 255;
/** Smallest ring: room for the longest record (255 + 255 + 1024 bytes) twice over. */
const MIN_BYTES = 4096;
/** Most entries: the index has twice as many buckets, addressed by 31-bit integers. */
const MAX_ENTRIES = 1 << 24;

export interface DnsAnswerTableOptions {
  /** Most answers held (1 to 2^24). */
  maxEntries: number;
  /** Size of the record ring in bytes (4096 to 2^30; a record is client + address + name, UTF-8). */
  maxBytes: number;
}

/** Bytes add and get encode a (client, address, name) into: enough for any strings within the char-length bounds (3 bytes a UTF-16 unit at most). */
const SCRATCH_BYTES = 3 * (2 * MAX_KEY_PART + MAX_NAME_BYTES);

/**
 * Encode `client` then `address` as UTF-8 at the start of `buf`: returns their byte lengths as
 * `client | address << 8`, or -1 when one is longer than 255 bytes.
 */
function encodeKey(buf: Buffer, client: string, address: string): number {
  if (client.length > MAX_KEY_PART || address.length > MAX_KEY_PART) return -1;
  const cl = client.length === 0 ? 0 : buf.write(client, 0, "utf8");
  const al = buf.write(address, cl, "utf8");
  return cl > MAX_KEY_PART || al > MAX_KEY_PART ? -1 : cl | (al << 8);
}

/** 32-bit FNV-1a over the client bytes, a separator, the address bytes (as {@link encodeKey} left them), then MurmurHash3's fmix32 (for the low bits). */
function hashKey(buf: Buffer, key: number): number {
  const cl = key & 0xff;
  const end = cl + (key >>> 8);
  let h = 0x811c9dc5;
  for (let i = 0; i < cl; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h = Math.imul(h ^ 0x100, 0x01000193);
  for (let i = cl; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

const hashScratch = Buffer.alloc(SCRATCH_BYTES);

/** The hash the table indexes (client, address) by; NaN when a part is too long to be kept. */
export function dnsAnswerKeyHash(client: string, address: string): number {
  const key = encodeKey(hashScratch, client, address);
  return key < 0 ? Number.NaN : hashKey(hashScratch, key);
}

export class DnsAnswerTable {
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly ring: Buffer;
  /** Where add and get encode their strings (client, address, then name) before hashing, comparing, copying. */
  private readonly scratch = Buffer.alloc(SCRATCH_BYTES);
  /** Where the next record goes. */
  private ringHead = 0;
  // Slots, a ring in the order answers were added: [tailSlot, tailSlot + used) are in use, some
  // by answers replaced since (dead until they are the oldest): twice maxEntries of them.
  private readonly slots: number;
  private readonly slotOffset: Int32Array;
  /** client bytes | address bytes << 8 | name bytes << 16. */
  private readonly slotLengths: Int32Array;
  private readonly slotHash: Int32Array;
  private readonly slotTime: Float64Array;
  private readonly slotExpires: Float64Array;
  /** 1 while the slot's answer is indexed (not replaced by a later one for the same pair). */
  private readonly slotLive: Uint8Array;
  private tailSlot = 0;
  private used = 0;
  private live = 0;
  /** Open addressing, two words a bucket: the key hash, then slot + 1 (0: an empty bucket). */
  private readonly buckets: Int32Array;
  private readonly mask: number;

  /** @throws RangeError when `maxEntries` is not an integer from 1 to 2^24 or `maxBytes` not one from 4096 to 2^30. */
  constructor(options: DnsAnswerTableOptions) {
    const { maxEntries, maxBytes } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_ENTRIES) {
      throw new RangeError(`DnsAnswerTable: maxEntries must be an integer from 1 to ${MAX_ENTRIES}, got ${maxEntries}`);
    }
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_BYTES || maxBytes > 2 ** 30) {
      throw new RangeError(`DnsAnswerTable: maxBytes must be an integer from ${MIN_BYTES} to 2^30, got ${maxBytes}`);
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ring = Buffer.alloc(maxBytes);
    const slots = (this.slots = maxEntries * 2);
    this.slotOffset = new Int32Array(slots);
    this.slotLengths = new Int32Array(slots);
    this.slotHash = new Int32Array(slots);
    this.slotTime = new Float64Array(slots);
    this.slotExpires = new Float64Array(slots);
    this.slotLive = new Uint8Array(slots);
    // At most maxEntries keys: a load factor of at most 1/2.
    let buckets = 4;
    while (buckets < maxEntries * 2) buckets *= 2;
    this.buckets = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
  }

  /**
   * Remember that the answer to a question for `name`, seen by `client` ("" when not keyed by
   * client) at `timeMs` (ms since the epoch; undefined when unknown), gave `address` (IPv4 dotted
   * or IPv6 text) with `ttlSeconds` (undefined when the source does not give it). Returns false,
   * keeping nothing, when a part is too long (see the module comment).
   */
  add(client: string, address: string, name: string, timeMs?: number, ttlSeconds?: number): boolean {
    const key = encodeKey(this.scratch, client, address);
    if (key < 0 || name.length > MAX_NAME_BYTES) return false;
    const kl = (key & 0xff) + (key >>> 8);
    const nl = this.scratch.write(name, kl, "utf8");
    if (nl > MAX_NAME_BYTES) return false;
    const time = timeMs !== undefined && Number.isFinite(timeMs) ? timeMs : Number.NaN;
    const expires =
      ttlSeconds !== undefined && Number.isFinite(ttlSeconds) && ttlSeconds >= 0 && !Number.isNaN(time) ? time + Math.max(ttlSeconds * 1000, MIN_TTL_MS) : Infinity;
    const hash = hashKey(this.scratch, key);
    const old = this.find(hash, key);
    if (old >= 0) this.unindex(old);
    this.append(hash, key, nl, time, expires);
    return true;
  }

  /**
   * The name whose answer last gave `address` to `client`; undefined when none did, when it was
   * evicted, or when `timeMs` (the connection's start, ms) is past the answer's expiry. With
   * `refresh`, a found answer becomes the newest (least-recently-used eviction, as the capture
   * collector wants), keeping its time and expiry.
   */
  get(client: string, address: string, timeMs?: number, refresh = false): string | undefined {
    const key = encodeKey(this.scratch, client, address);
    if (key < 0) return undefined;
    const hash = hashKey(this.scratch, key);
    const slot = this.find(hash, key);
    if (slot < 0) return undefined;
    const expires = this.slotExpires[slot]!;
    if (timeMs !== undefined && timeMs > expires) return undefined;
    const lengths = this.slotLengths[slot]!;
    const kl = (lengths & 0xff) + ((lengths >>> 8) & 0xff);
    const nl = lengths >>> 16;
    const at = this.slotOffset[slot]! + kl;
    const name = this.ring.toString("utf8", at, at + nl);
    if (refresh && slot !== this.newestSlot()) {
      // The scratch buffer holds the key; the name goes after it, then the record moves to the head.
      this.ring.copy(this.scratch, kl, at, at + nl);
      const time = this.slotTime[slot]!;
      this.unindex(slot);
      this.append(hash, key, nl, time, expires);
    }
    return name;
  }

  /** Answers held: the latest for each pair, expired ones included until evicted. */
  get size(): number {
    return this.live;
  }

  private newestSlot(): number {
    return (this.tailSlot + this.used - 1) % this.slots;
  }

  /** The live slot whose key is the scratch buffer's (`key` = client | address << 8 bytes) with this hash, or -1. */
  private find(hash: number, key: number): number {
    const buckets = this.buckets;
    const mask = this.mask;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const v = buckets[2 * b + 1]!;
      if (v === 0) return -1;
      if (buckets[2 * b] !== hash) continue;
      const slot = v - 1;
      if ((this.slotLengths[slot]! & 0xffff) !== key) continue;
      if (sameBytes(this.ring, this.slotOffset[slot]!, this.scratch, (key & 0xff) + (key >>> 8))) return slot;
    }
  }

  /**
   * Copy the scratch buffer's record (key lengths `key`, then `nl` name bytes) to the head of the
   * record ring, give it the next slot (evicting the oldest as needed) and index it.
   */
  private append(hash: number, key: number, nl: number, time: number, expires: number): void {
    while (this.live >= this.maxEntries || this.used === this.slots) this.evictOldest();
    const n = (key & 0xff) + (key >>> 8) + nl;
    const at = this.reserve(n);
    this.scratch.copy(this.ring, at, 0, n);
    const slot = (this.tailSlot + this.used) % this.slots;
    this.used++;
    this.slotOffset[slot] = at;
    this.slotLengths[slot] = key | (nl << 16);
    this.slotHash[slot] = hash;
    this.slotTime[slot] = time;
    this.slotExpires[slot] = expires;
    this.slotLive[slot] = 1;
    this.live++;
    const buckets = this.buckets;
    const mask = this.mask;
    let b = hash & mask;
    while (buckets[2 * b + 1] !== 0) b = (b + 1) & mask;
    buckets[2 * b] = hash;
    buckets[2 * b + 1] = slot + 1;
  }

  /**
   * Room for `n` contiguous bytes at the head of the record ring, evicting the oldest answers
   * until there is; returns the offset. Live records run from the oldest slot's offset to the
   * head, wrapping at most once; the bytes after the last record are left unused when a record
   * does not fit there.
   */
  private reserve(n: number): number {
    const cap = this.maxBytes;
    for (;;) {
      if (this.used === 0) {
        this.ringHead = n;
        return 0;
      }
      const head = this.ringHead;
      const tail = this.slotOffset[this.tailSlot]!;
      if (head > tail) {
        if (cap - head >= n) {
          this.ringHead = head + n;
          return head;
        }
        if (tail >= n) {
          this.ringHead = n;
          return 0;
        }
      } else if (head < tail && tail - head >= n) {
        this.ringHead = head + n;
        return head;
      }
      this.evictOldest();
    }
  }

  /** Drop the oldest slot (and so its record). */
  private evictOldest(): void {
    const slot = this.tailSlot;
    if (this.slotLive[slot] === 1) this.unindex(slot);
    this.tailSlot = (slot + 1) % this.slots;
    this.used--;
  }

  /** Remove a live slot from the index (backward-shift deletion: no tombstones). */
  private unindex(slot: number): void {
    const buckets = this.buckets;
    const mask = this.mask;
    let i = this.slotHash[slot]! & mask;
    while (buckets[2 * i + 1] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const v = buckets[2 * j + 1]!;
      if (v === 0) break;
      const h = buckets[2 * j]!;
      const home = h & mask;
      // Move j's entry into the hole at i unless its home lies cyclically in (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        buckets[2 * i] = h;
        buckets[2 * i + 1] = v;
        i = j;
      }
    }
    buckets[2 * i + 1] = 0;
    this.slotLive[slot] = 0;
    this.live--;
  }
}

/** True when the `n` bytes of `a` at `at` are those at the start of `b`. */
function sameBytes(a: Buffer, at: number, b: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[at + i] !== b[i]) return false;
  return true;
}
