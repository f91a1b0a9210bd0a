/**
 * DNS messages (RFC 1035 §4.1, https://www.rfc-editor.org/rfc/rfc1035#section-4.1; also mDNS,
 * RFC 6762, and LLMNR, RFC 4795, which share the format): question names and types, and for a
 * response the answer data (addresses and names).
 *
 * Why not `dns-packet`'s `decode()`: it decodes labels as UTF-8 with no escaping (tshark prints
 * control bytes as `\ooo`, see text.ts), rejects compression pointers that point forward (RFC 1035
 * does not forbid them and tshark follows them), and throws away the whole message when any record
 * is malformed, where tshark still shows the question. So the walk over the message is ours, kept
 * to what the collector needs, and `dns-packet` gives the record-type mnemonics.
 */

import * as dnsTypes from "dns-packet/types.js";

import { ipv4Text, ipv6Text } from "./ip.js";
import { escapeDnsName } from "./text.js";

/** Well-known ports whose UDP/TCP payload is a DNS message: DNS, mDNS, LLMNR. */
export const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/** True for a port of {@link DNS_PORTS} (a comparison, for the per-packet path). */
export function isDnsPort(port: number): boolean {
  return port === 53 || port === 5353 || port === 5355;
}

export interface DnsQuestion {
  /** QNAME as tshark prints it (`.` for the root, which tshark shows as `<Root>`). */
  name: string;
  /** QTYPE mnemonic (`A`, `HTTPS`) or `TYPE<n>`. */
  qtype: string;
}

export interface DnsMessage {
  /** QR bit. */
  response: boolean;
  questions: DnsQuestion[];
  /**
   * Answer-section data of a response, in order: A/AAAA addresses, CNAME/DNAME/PTR/NS targets,
   * and for HTTPS/SVCB records (RFC 9460) the target name when not `.` and the ipv4hint/ipv6hint
   * addresses.
   */
  answers: string[];
  /** The addresses among `answers` (A, AAAA, ipv4hint, ipv6hint), as text: what later connections go to. */
  addresses: string[];
  /**
   * Public names of the ECH configurations (`ech` SvcParam of HTTPS/SVCB answers,
   * draft-ietf-tls-esni-22 §4): a ClientHello whose SNI is one of them hides its real name.
   */
  echPublicNames: string[];
}

/**
 * Longest name, in characters with the dots, that tshark prints (it shows `<Name too long>` from 254
 * on; RFC 1035 §2.3.4 allows 255 octets on the wire, that is 253 characters).
 */
const MAX_NAME_CHARS = 253;
/** Compression pointers followed per name before it is taken for a loop (tshark: 255). */
const MAX_POINTERS = 255;
const MAX_QUESTIONS = 256;
const MAX_ANSWERS = 256;

/**
 * Labels and pointers followed per message, over all its names: a crafted message (thousands of
 * questions, each a long pointer chain) would otherwise cost millions of steps. A real message of
 * 64 KiB has at most 32768 labels.
 */
const MAX_STEPS_PER_MESSAGE = 65536;
let steps = 0;

const scratch = Buffer.alloc(MAX_NAME_CHARS + 1);
/** Offset just after the name read by the last {@link readName} call (in the original sequence). */
let nameEnd = 0;

/** {@link readName}'s answer for a well-formed name that is too long to be a host name. */
const TOO_LONG = "";

/**
 * Read the possibly compressed name at `buf[p]` of the message `buf[msg, end)` (RFC 1035 §4.1.4).
 * Returns its text, `.` for the root, {@link TOO_LONG} (the empty string) for a name of more than
 * {@link MAX_NAME_CHARS} characters, or null when malformed (out of bounds, pointer loop, extended
 * label types 0x40/0x80, a pointer to the empty name); sets {@link nameEnd} unless null.
 */
function readName(buf: Buffer, msg: number, end: number, p: number): string | null {
  let n = 0;
  let clean = true;
  let pointers = 0;
  let after = -1;
  for (;;) {
    if (p >= end || ++steps > MAX_STEPS_PER_MESSAGE) return null;
    const len = buf[p]!;
    p++;
    if (len === 0) break;
    const kind = len & 0xc0;
    if (kind === 0) {
      if (p + len > end) return null;
      if (n > 0) {
        if (n < scratch.length) scratch[n] = 0x2e;
        n++;
      }
      if (n + len <= scratch.length) {
        for (let i = 0; i < len; i++) {
          const b = buf[p + i]!;
          if (b < 0x20 || b > 0x7e) clean = false;
          scratch[n++] = b;
        }
      } else n += len; // already too long to print: only the length matters (pointer loops stay cheap)
      p += len;
    } else if (kind === 0xc0) {
      if (p >= end) return null;
      const target = msg + (((len & 0x3f) << 8) | buf[p]!);
      p++;
      if (after < 0) after = p;
      if (++pointers > MAX_POINTERS) return null;
      if (n > MAX_NAME_CHARS) {
        // Already too long to print, and its end in the record is known: no need to follow a
        // pointer chain (or loop) any further.
        nameEnd = after;
        return TOO_LONG;
      }
      p = target;
    } else return null;
  }
  nameEnd = after < 0 ? p : after;
  if (n === 0) return pointers === 0 ? "." : null;
  if (n > MAX_NAME_CHARS) return TOO_LONG;
  return escapeDnsName(scratch, 0, n, clean);
}

/**
 * Step over the possibly compressed name at `buf[p]` without rendering it (owner names of answer
 * records): the offset just after it in the record, or -1 when malformed or cut short. A pointer
 * ends the name in the record (RFC 1035 §4.1.4), so its target is not followed.
 */
function skipName(buf: Buffer, end: number, p: number): number {
  for (let i = 0; i < 128; i++) {
    if (p >= end) return -1;
    const len = buf[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    p += 1 + len;
  }
  return -1;
}

const typeNames = new Map<number, string>([
  [64, "SVCB"],
  [65, "HTTPS"],
]);

/** QTYPE/TYPE number to mnemonic (dns-packet's table, plus SVCB/HTTPS, RFC 9460); `TYPE<n>` when unknown (RFC 3597 §5). */
export function typeName(type: number): string {
  let name = typeNames.get(type);
  if (name === undefined) {
    name = dnsTypes.toString(type);
    if (name.startsWith("UNKNOWN_")) name = `TYPE${type}`;
    if (typeNames.size < 4096) typeNames.set(type, name);
  }
  return name;
}

/**
 * tshark's "DNS over UDP" heuristic (enabled by default in 4.0), for UDP datagrams on other ports:
 * a header longer than 12 bytes with opcode 0 (standard query); a query has exactly one question
 * and no answer or authority records; a response has at most one question, 100 answers and 10
 * authority records; at most 10 additional records; questions + answers > 0. Checked against
 * tshark 4.0.17 with crafted datagrams.
 */
export function looksLikeDns(buf: Buffer, start: number, end: number): boolean {
  if (end - start <= 12) return false;
  const flags = buf.readUInt16BE(start + 2);
  if ((flags & 0x7800) !== 0) return false;
  const qd = buf.readUInt16BE(start + 4);
  const an = buf.readUInt16BE(start + 6);
  const ns = buf.readUInt16BE(start + 8);
  const ar = buf.readUInt16BE(start + 10);
  if (flags & 0x8000) {
    if (qd > 1 || an > 100 || ns > 10) return false;
  } else if (qd !== 1 || an !== 0 || ns !== 0) return false;
  return ar <= 10 && qd + an > 0;
}

/**
 * Decode the DNS message at `buf[start, end)` (no TCP length prefix). Returns null when it is
 * shorter than the 12-byte header; otherwise the questions read before any malformed part, and the
 * answers of a response (RFC 1035 §4.1.3 resource records; HTTPS/SVCB, RFC 9460 §2.2, with their
 * ipv4hint (4), ech (5) and ipv6hint (6) SvcParams, §7.3-7.4). Never throws, never reads outside
 * the range.
 */
export function decodeDns(buf: Buffer, start: number, end: number): DnsMessage | null {
  if (end - start < 12) return null;
  const flags = buf.readUInt16BE(start + 2);
  const qd = Math.min(buf.readUInt16BE(start + 4), MAX_QUESTIONS);
  const an = Math.min(buf.readUInt16BE(start + 6), MAX_ANSWERS);
  const response = (flags & 0x8000) !== 0;
  steps = 0;
  const msg: DnsMessage = { response, questions: [], answers: [], addresses: [], echPublicNames: [] };
  let p = start + 12;
  let ok = true;
  for (let i = 0; i < qd; i++) {
    const name = readName(buf, start, end, p);
    if (name === null || nameEnd + 4 > end) {
      ok = false;
      break;
    }
    if (name !== TOO_LONG) msg.questions.push({ name, qtype: typeName(buf.readUInt16BE(nameEnd)) });
    p = nameEnd + 4;
  }
  if (!response || !ok) return msg;
  for (let i = 0; i < an; i++) {
    const q = skipName(buf, end, p);
    if (q < 0 || q + 10 > end) break;
    const type = buf.readUInt16BE(q);
    const rdlen = buf.readUInt16BE(q + 8);
    const rdata = q + 10;
    const rdend = rdata + rdlen;
    if (rdend > end) break;
    if (type === 1 && rdlen === 4) address(msg, ipv4Text(buf, rdata));
    else if (type === 28 && rdlen === 16) address(msg, ipv6Text(buf, rdata));
    else if (type === 5 || type === 39 || type === 12 || type === 2) {
      const target = readName(buf, start, rdend, rdata);
      if (target !== null && target !== TOO_LONG) msg.answers.push(target);
    } else if ((type === 65 || type === 64) && rdlen >= 3) svcb(buf, start, rdata, rdend, msg);
    p = rdend;
  }
  return msg;
}

function address(msg: DnsMessage, text: string): void {
  msg.answers.push(text);
  msg.addresses.push(text);
}

/** SVCB/HTTPS RDATA (RFC 9460 §2.2): priority, target name, then SvcParams (key, length, value). */
function svcb(buf: Buffer, msg0: number, p: number, end: number, msg: DnsMessage): void {
  const target = readName(buf, msg0, end, p + 2);
  if (target === null) return;
  if (target !== "." && target !== TOO_LONG) msg.answers.push(target);
  let q = nameEnd;
  for (let i = 0; i < 64 && q + 4 <= end; i++) {
    const key = buf.readUInt16BE(q);
    const len = buf.readUInt16BE(q + 2);
    const v = q + 4;
    const vend = v + len;
    if (vend > end) return;
    if (key === 4) for (let a = v; a + 4 <= vend; a += 4) address(msg, ipv4Text(buf, a));
    else if (key === 6) for (let a = v; a + 16 <= vend; a += 16) address(msg, ipv6Text(buf, a));
    else if (key === 5) echConfigList(buf, v, vend, msg.echPublicNames);
    q = vend;
  }
}

/**
 * ECHConfigList (draft-ietf-tls-esni-22 §4): a 2-byte length, then ECHConfig entries (version,
 * length, contents). For version 0xfe0d the contents are key_config (config_id, kem_id,
 * public_key<2>, cipher_suites<2>), maximum_name_length, public_name<1>, extensions<2>: the public
 * names are pushed to `out` (ASCII; at most 8 per list).
 */
export function echConfigList(buf: Buffer, p: number, end: number, out: string[]): void {
  if (p + 2 > end) return;
  const listEnd = Math.min(p + 2 + buf.readUInt16BE(p), end);
  p += 2;
  for (let i = 0; i < 8 && p + 4 <= listEnd; i++) {
    const version = buf.readUInt16BE(p);
    const next = p + 4 + buf.readUInt16BE(p + 2);
    if (next > listEnd) return;
    if (version === 0xfe0d) {
      let q = p + 4 + 3; // config_id, kem_id
      if (q + 2 > next) return;
      q += 2 + buf.readUInt16BE(q); // public_key
      if (q + 2 > next) return;
      q += 2 + buf.readUInt16BE(q); // cipher_suites
      q += 1; // maximum_name_length
      if (q + 1 > next) return;
      const len = buf[q]!;
      if (len > 0 && q + 1 + len <= next) out.push(buf.toString("latin1", q + 1, q + 1 + len));
    }
    p = next;
  }
}
