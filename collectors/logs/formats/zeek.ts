/**
 * Zeek logs: `dns.log`, `ssl.log`, `http.log`, `quic.log` and `conn.log`, in Zeek's TSV format
 * (the `#fields` header gives the column order, which varies between Zeek versions and sites) or
 * as JSON lines (`LogAscii::use_json`, with `id.orig_h` keys, or the json-streaming flavour with
 * `id_orig_h` and `@stream`).
 *
 * - ssl.log → `tls` (host = `server_name`; records without SNI give nothing),
 *   quic.log → `quic` (host = `server_name`, ALPN = `client_protocol`),
 *   dns.log → `dns` (host = `query`, `qtype_name`, `answers`),
 *   http.log → `http` (host, `uri` as path, method, user agent, `username`, body bytes).
 * - conn.log has no host name. A connection becomes a `log` observation only when a `dns.log`
 *   read earlier in the same run answered that client's query with the connection's server
 *   address (host = the query name, `action` says so); other connections give nothing. The
 *   collector reads `conn` files after the others for that reason.
 * - Other logs (`files`, `x509`, `weird`, ...) are skipped silently.
 *
 * TSV details: `#separator` (`\x09`), `#set_separator`, `#empty_field` and `#unset_field` are
 * read from the header; unset and empty values are absent; `\xHH` escapes in values are decoded;
 * a file may hold several header blocks (appended logs). Time `ts` is epoch seconds (TSV) or
 * seconds or an ISO 8601 string (JSON).
 *
 * https://docs.zeek.org/en/master/log-formats.html, https://docs.zeek.org/en/master/logs/index.html
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { DnsAnswerTable } from "../../../src/core/dns-answers.js";
import {
  epochSecondsToMs,
  isoFromAny,
  isoFromMs,
  isRecord,
  isWrapped,
  MAX_PATH_LENGTH,
  SeparatorFinder,
  splitTarget,
  sumCounts,
  text,
  toCount,
  toPort,
  userOf,
  type LineParser,
  type ParseResult,
  type ParserContext,
  type LogFormatDefinition,
  unwrapRecord,
} from "../common/index.js";

const SOURCE = "logs:zeek";

/** Most DNS answers kept per record. */
const MAX_ANSWERS = 32;
/** Most entries of the run's DNS answer map, and the bytes of its records (client, address and name: about 50 bytes an answer). */
export const MAX_DNS_MAP = 200_000;
export const DNS_MAP_BYTES = 16 * 1024 * 1024;

/**
 * Addresses that `dns.log` answers gave to each client in this run: (client, address) → the
 * question name, with the answer's time and TTL (`TTLs`, one per answer). Bounded to
 * {@link MAX_DNS_MAP} answers and {@link DNS_MAP_BYTES} bytes, oldest answer evicted first; a
 * connection takes a name only when it starts within the answer's TTL (at least a minute); see
 * src/core/dns-answers.ts, which keeps no heap object per answer (a `Map` of strings took 19 s
 * and 390 MB of RSS on a 300 MB dns.log, against 4 s and 120 MB without it).
 */
export class DnsAnswerMap extends DnsAnswerTable {
  constructor(maxEntries = MAX_DNS_MAP, maxBytes = DNS_MAP_BYTES) {
    super({ maxEntries, maxBytes });
  }
}

/** The Zeek logs read, by `#path`. */
type ZeekLog = "ssl" | "quic" | "dns" | "http" | "conn";
const ZEEK_LOGS: readonly ZeekLog[] = ["dns", "ssl", "http", "quic", "conn"];

// Roles of the columns read (index into the position arrays).
const R_TS = 1;
const R_ORIG_H = 2;
const R_RESP_H = 3;
const R_RESP_P = 4;
const R_SERVER_NAME = 5;
const R_QUERY = 6;
const R_QTYPE = 7;
const R_ANSWERS = 8;
const R_HOST = 9;
const R_URI = 10;
const R_METHOD = 11;
const R_UA = 12;
const R_USERNAME = 13;
const R_REQ_LEN = 14;
const R_RESP_LEN = 15;
const R_ORIG_BYTES = 16;
const R_RESP_BYTES = 17;
const R_CLIENT_PROTOCOL = 18;
const R_RCODE = 19;
const R_TTLS = 20;
const ROLE_COUNT = 21;

const COLUMN_ROLES: Record<string, number> = {
  ts: R_TS,
  "id.orig_h": R_ORIG_H,
  "id.resp_h": R_RESP_H,
  "id.resp_p": R_RESP_P,
  server_name: R_SERVER_NAME,
  query: R_QUERY,
  qtype_name: R_QTYPE,
  answers: R_ANSWERS,
  host: R_HOST,
  uri: R_URI,
  method: R_METHOD,
  user_agent: R_UA,
  username: R_USERNAME,
  request_body_len: R_REQ_LEN,
  response_body_len: R_RESP_LEN,
  orig_bytes: R_ORIG_BYTES,
  resp_bytes: R_RESP_BYTES,
  client_protocol: R_CLIENT_PROTOCOL,
  rcode_name: R_RCODE,
  TTLs: R_TTLS,
};

/** Which log a set of field names belongs to, when `#path` / `_path` does not say. */
function inferLog(has: (name: string) => boolean): ZeekLog | undefined {
  if (has("server_name")) return has("client_protocol") || has("client_initial_dcid") ? "quic" : "ssl";
  // dns.log: `query` with any other DNS column (exports drop `qtype_name`, keep `qtype` or `rcode`)
  if (has("query") && (has("qtype_name") || has("qtype") || has("rcode") || has("rcode_name") || has("trans_id") || has("qclass") || has("answers") || has("TTLs"))) return "dns";
  if (has("uri") || (has("host") && has("method"))) return "http";
  if (has("conn_state") || (has("orig_bytes") && has("duration"))) return "conn";
  return undefined;
}

function asLog(path: string | undefined): ZeekLog | undefined | null {
  if (path === undefined) return undefined;
  return path === "ssl" || path === "quic" || path === "dns" || path === "http" || path === "conn" ? path : null;
}

/** Decode Zeek's `\xHH` escapes (non-printable bytes and separators in values). */
export function unescapeZeek(s: string): string {
  if (s.indexOf("\\x") < 0) return s;
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A header directive's value: `#separator \x09` gives a tab. */
function headerValue(v: string): string {
  return unescapeZeek(v);
}

export class ZeekParser implements LineParser {
  out: Observation[] = [];
  readonly json = true;
  private sep = "\t";
  private setSep = ",";
  private empty = "(empty)";
  private unset = "-";
  private path: string | undefined;
  private log: ZeekLog | undefined | null;
  /** TSV: role of each column, the last column read, and the column count. */
  private want: Uint8Array | undefined;
  private maxCol = -1;
  private ncols = 0;
  private readonly ps = new Int32Array(ROLE_COUNT);
  private readonly pe = new Int32Array(ROLE_COUNT);
  private readonly has = new Uint8Array(ROLE_COUNT);
  private readonly finder = new SeparatorFinder();
  /** Records of other logs by `_path` (at most 64 paths kept). */
  private readonly others = new Map<string, number>();
  /** dns.log records whose `TTLs` do not pair with their answers (a number each), and the first one's line. */
  private badTtls = 0;
  private firstBadTtlLine = 0;

  constructor(
    private readonly ctx: ParserContext,
    private readonly dns: DnsAnswerMap,
  ) {}

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    const c0 = t.charCodeAt(start);
    if (c0 === 35 /* # */) return this.header(t.slice(start, end));
    if (c0 === 123 /* { */) {
      let v: unknown;
      try {
        v = JSON.parse(t.slice(start, end));
      } catch (e) {
        return `invalid JSON: ${(e as Error).message.slice(0, 120)}`;
      }
      return this.record(v, line, offset);
    }
    if (start === end) return undefined;
    const want = this.want;
    if (!want) return "a data line before the '#fields' header: expected Zeek TSV with its header, or JSON lines";
    if (this.log === null || this.log === undefined) {
      this.other(this.path ?? "(unknown)");
      return undefined;
    }
    // Find the columns read, scanning separators up to the last column needed.
    const sep = this.sep;
    const ps = this.ps;
    const pe = this.pe;
    let p = start;
    const maxCol = this.maxCol;
    for (let c = 0; c <= maxCol; c++) {
      let q = this.finder.find(t, sep, p, end);
      if (q < 0 || q > end) {
        if (c < maxCol) return `expected ${this.ncols} ${sep === "\t" ? "tab" : JSON.stringify(sep)}-separated fields as '#fields' says, found ${c + 1}`;
        q = end;
      }
      const r = want[c]!;
      if (r !== 0) {
        ps[r] = p;
        pe[r] = q;
      }
      p = q + 1;
    }
    const ms = epochSecondsToMs(t, ps[R_TS]!, pe[R_TS]!);
    const time = isoFromMs(ms);
    if (time === undefined) return `ts: expected epoch seconds, found ${JSON.stringify(t.slice(ps[R_TS]!, Math.min(pe[R_TS]!, ps[R_TS]! + 40)))}`;
    switch (this.log) {
      case "ssl":
      case "quic": {
        const host = this.val(t, R_SERVER_NAME);
        if (host === undefined) return undefined;
        const o: Observation = {
          source: SOURCE,
          kind: this.log === "ssl" ? "tls" : "quic",
          time,
          host: bound(host),
          client: this.val(t, R_ORIG_H),
          server: this.val(t, R_RESP_H),
          port: this.port(t),
          ref: { file: this.ctx.file, line, offset },
        };
        if (this.log === "quic") {
          const alpn = this.val(t, R_CLIENT_PROTOCOL);
          if (alpn) o.alpn = alpn.split(this.setSep, 16).map((a) => bound(a, 64));
        }
        this.out.push(o);
        return undefined;
      }
      case "dns": {
        const host = this.val(t, R_QUERY);
        if (host === undefined) return undefined;
        const client = this.val(t, R_ORIG_H);
        const answersText = this.val(t, R_ANSWERS);
        const answers = answersText ? answersText.split(this.setSep, MAX_ANSWERS).map((a) => bound(a, 256)) : undefined;
        const ttlsText = answers ? this.val(t, R_TTLS) : undefined;
        const ttls = ttlsText ? ttlsText.split(this.setSep, MAX_ANSWERS).map(Number) : undefined;
        this.pushDns(time, ms, host, client, this.val(t, R_RESP_H), this.port(t), this.val(t, R_QTYPE), answers, ttls, line, offset);
        return undefined;
      }
      case "http": {
        let uri = this.val(t, R_URI);
        let host = this.val(t, R_HOST);
        let port = this.port(t);
        if (host === undefined && uri !== undefined) {
          // A proxy request: the absolute URI (or CONNECT's authority) names the host.
          const target = splitTarget(uri);
          host = target.host;
          if (target.port !== undefined) port = target.port;
          uri = target.path;
        }
        if (host === undefined) return undefined;
        const ua = this.val(t, R_UA);
        const method = this.val(t, R_METHOD);
        const user = this.val(t, R_USERNAME);
        const bytes = sumCounts(this.count(t, R_REQ_LEN), this.count(t, R_RESP_LEN));
        const o: Observation = {
          source: SOURCE,
          kind: "http",
          time,
          host: bound(host),
          client: this.val(t, R_ORIG_H),
          server: this.val(t, R_RESP_H),
          port,
          ref: { file: this.ctx.file, line, offset },
        };
        if (method) o.method = bound(method, 32);
        if (uri) o.path = bound(uri, MAX_PATH_LENGTH);
        if (ua) o.userAgent = bound(ua);
        if (user) o.user = bound(user.toLowerCase(), 320);
        if (bytes !== undefined) o.bytes = bytes;
        this.out.push(o);
        return undefined;
      }
      case "conn": {
        const client = this.val(t, R_ORIG_H);
        const server = this.val(t, R_RESP_H);
        if (client === undefined || server === undefined) return undefined;
        this.pushConn(time, ms, client, server, this.port(t), sumCounts(this.count(t, R_ORIG_BYTES), this.count(t, R_RESP_BYTES)), line, offset);
        return undefined;
      }
    }
  }

  /**
   * Read the header block at the top of the file (its leading `#` lines) before reading from a
   * cursor's offset past it.
   */
  prime(headLines: string[]): void {
    for (const l of headLines) {
      if (l.charCodeAt(0) !== 35) break;
      this.header(l);
    }
  }

  /** A TSV value of role `r`, undefined when the column is absent, unset or empty. */
  private val(t: string, r: number): string | undefined {
    if (this.has[r] === 0) return undefined;
    const s = this.ps[r]!;
    const e = this.pe[r]!;
    const n = e - s;
    if (n === 0) return undefined;
    if (n === this.unset.length && t.startsWith(this.unset, s)) return undefined;
    if (n === this.empty.length && t.startsWith(this.empty, s)) return undefined;
    const v = t.slice(s, e);
    return v.indexOf("\\x") >= 0 ? unescapeZeek(v) : v;
  }

  private port(t: string): number | undefined {
    if (this.has[R_RESP_P] === 0) return undefined;
    let n = 0;
    const s = this.ps[R_RESP_P]!;
    const e = this.pe[R_RESP_P]!;
    if (e === s || e - s > 5) return undefined;
    for (let i = s; i < e; i++) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      n = n * 10 + c;
    }
    return n <= 65535 ? n : undefined;
  }

  private count(t: string, r: number): number | undefined {
    const v = this.val(t, r);
    return v === undefined ? undefined : toCount(v);
  }

  private header(h: string): ParseResult {
    // `#separator \x09` is followed by a space; the other directives by the separator.
    const cut = h.startsWith("#separator") ? h.indexOf(" ") : h.indexOf(this.sep);
    if (cut < 0) return undefined;
    const name = h.slice(0, cut);
    const value = h.slice(cut + 1);
    switch (name) {
      case "#separator": {
        const s = headerValue(value.trim());
        if (s.length !== 1) return `#separator: expected one character (such as \\x09), found ${JSON.stringify(value.slice(0, 20))}`;
        this.sep = s;
        break;
      }
      case "#set_separator":
        this.setSep = headerValue(value) || ",";
        break;
      case "#empty_field":
        this.empty = headerValue(value);
        break;
      case "#unset_field":
        this.unset = headerValue(value);
        break;
      case "#path":
        this.path = value.trim();
        this.log = asLog(this.path);
        break;
      case "#fields":
        return this.fields(value.split(this.sep));
      default:
        break; // #open, #close, #types, comments
    }
    return undefined;
  }

  private fields(names: string[]): ParseResult {
    this.ncols = names.length;
    const want = new Uint8Array(names.length);
    this.has.fill(0);
    this.maxCol = -1;
    names.forEach((n, i) => {
      const r = COLUMN_ROLES[n.replace(/^id_/, "id.")];
      if (r !== undefined && this.has[r] === 0) {
        want[i] = r;
        this.has[r] = 1;
        this.maxCol = Math.max(this.maxCol, i);
      }
    });
    this.want = want;
    if (this.path === undefined) this.log = inferLog((n) => names.includes(n));
    if (this.has[R_TS] === 0) {
      this.want = undefined;
      return "'#fields' has no 'ts' column: expected a Zeek log header";
    }
    return undefined;
  }

  record(value: unknown, line: number, offset: number): ParseResult {
    // A record exported through a SIEM: the Zeek object inside `_raw`, `result`, `_source`, `event`.
    const v = isRecord(value) && isWrapped(value) ? unwrapRecord(value) : value;
    if (!isRecord(v)) return "expected a JSON object (a Zeek log record)";
    const g = (k: string): unknown => {
      if (k in v) return v[k];
      const alt = k.replace(".", "_");
      if (alt in v) return v[alt];
      const dot = k.indexOf(".");
      if (dot > 0) {
        const outer = v[k.slice(0, dot)];
        if (isRecord(outer)) return outer[k.slice(dot + 1)];
      }
      return undefined;
    };
    const path = typeof v["_path"] === "string" ? v["_path"] : typeof v["@stream"] === "string" ? v["@stream"] : undefined;
    let log = asLog(path);
    if (log === undefined) log = inferLog((n) => g(n) !== undefined);
    if (!log) {
      this.other(path ?? "(unknown)");
      return undefined;
    }
    const time = isoFromAny(g("ts"));
    if (!time) return `ts: expected epoch seconds or an ISO 8601 time, found ${JSON.stringify(String(g("ts")).slice(0, 40))}`;
    const client = text(g("id.orig_h"), 64);
    const server = text(g("id.resp_h"), 64);
    const port = toPort(g("id.resp_p") as number | string | undefined);
    const ref = { file: this.ctx.file, line, offset };
    switch (log) {
      case "ssl":
      case "quic": {
        const host = text(g("server_name"));
        if (!host) return undefined;
        const o: Observation = { source: SOURCE, kind: log === "ssl" ? "tls" : "quic", time, host, client, server, port, ref };
        const proto = g("client_protocol");
        const alpn = typeof proto === "string" ? [proto] : Array.isArray(proto) ? proto.filter((x): x is string => typeof x === "string") : [];
        if (log === "quic" && alpn.length > 0) o.alpn = alpn.slice(0, 16).map((a) => bound(a, 64));
        this.out.push(o);
        return undefined;
      }
      case "dns": {
        const host = text(g("query"));
        if (!host) return undefined;
        const a = g("answers");
        const answers = Array.isArray(a) ? a.filter((x): x is string => typeof x === "string").slice(0, MAX_ANSWERS).map((x) => bound(x, 256)) : undefined;
        // TTLs pair with answers by position; when an answer was not a string, the pairing is lost.
        const t = g("TTLs");
        const ttls =
          t === undefined || !Array.isArray(a) || answers?.length !== a.length
            ? undefined
            : Array.isArray(t)
              ? t.slice(0, MAX_ANSWERS).map((x) => (typeof x === "number" ? x : Number.NaN))
              : []; // not a list: reported as not pairing with the answers
        this.pushDns(time, Date.parse(time), host, client, server, port, text(g("qtype_name"), 32), answers && answers.length > 0 ? answers : undefined, ttls, line, offset);
        return undefined;
      }
      case "http": {
        let host = text(g("host"));
        let uri = text(g("uri"), MAX_PATH_LENGTH);
        let httpPort = port;
        if (!host && uri) {
          // A proxy request: the absolute URI (or CONNECT's authority) names the host.
          const target = splitTarget(uri);
          host = target.host;
          if (target.port !== undefined) httpPort = target.port;
          uri = target.path;
        }
        if (!host) return undefined;
        const o: Observation = { source: SOURCE, kind: "http", time, host, client, server, port: httpPort, ref };
        const method = text(g("method"), 32);
        const ua = text(g("user_agent"));
        const user = userOf(g("username"));
        const bytes = sumCounts(toCount(g("request_body_len")), toCount(g("response_body_len")));
        if (method) o.method = method;
        if (uri) o.path = uri;
        if (ua) o.userAgent = ua;
        if (user) o.user = user;
        if (bytes !== undefined) o.bytes = bytes;
        this.out.push(o);
        return undefined;
      }
      case "conn":
        if (client && server) this.pushConn(time, Date.parse(time), client, server, port, sumCounts(toCount(g("orig_bytes")), toCount(g("resp_bytes"))), line, offset);
        return undefined;
    }
  }

  /** Count a record of a log this parser does not read (files, x509, weird, ...). */
  private other(path: string): void {
    let p = path.length > 40 ? path.slice(0, 40) : path;
    if (this.others.size >= 64 && !this.others.has(p)) p = "(others)";
    this.others.set(p, (this.others.get(p) ?? 0) + 1);
  }

  finish(): void {
    if (this.badTtls > 0) {
      this.ctx.warn(
        `${this.badTtls} dns.log record(s) have TTLs that are not one number per answer (first at line ${this.firstBadTtlLine}); ` +
          "their answers name later connections until evicted, without expiry",
      );
    }
    if (this.others.size === 0) return;
    let total = 0;
    for (const n of this.others.values()) total += n;
    const list = [...this.others].slice(0, 8).map(([p, n]) => `${p}: ${n}`).join(", ");
    this.ctx.warn(`${total} record(s) of Zeek logs that hold no host name were not read (${list}); read are ${ZEEK_LOGS.join(", ")}`);
  }

  /**
   * A dns.log record; its address answers go into the run's answer map, each with its TTL
   * (seconds; `ttls[i]` for `answers[i]`, NaN or absent when unknown) and the record's time `ms`.
   * `TTLs` is "the caching intervals of the associated RRs described by the answers field"
   * (DNS::Info, https://docs.zeek.org/en/master/scripts/base/protocols/dns/main.zeek.html).
   */
  private pushDns(
    time: string,
    ms: number,
    host: string,
    client: string | undefined,
    server: string | undefined,
    port: number | undefined,
    qtype: string | undefined,
    answers: string[] | undefined,
    ttls: number[] | undefined,
    line: number,
    offset: number,
  ): void {
    const o: Observation = { source: SOURCE, kind: "dns", time, host: bound(host), client, server, port, ref: { file: this.ctx.file, line, offset } };
    if (qtype) o.qtype = bound(qtype, 32);
    if (answers && ttls && (ttls.length !== answers.length || ttls.some((x) => !(x >= 0)))) {
      if (this.badTtls++ === 0) this.firstBadTtlLine = line;
    }
    if (answers) {
      o.answers = answers;
      o.response = true;
      if (client) {
        for (let i = 0; i < answers.length; i++) if (isAddress(answers[i]!)) this.dns.add(client, answers[i]!, o.host!, ms, ttls?.[i]);
      }
    }
    this.out.push(o);
  }

  /** A conn.log record starting at `ms`: a `log` observation when an unexpired answer to `client` gave `server`. */
  private pushConn(time: string, ms: number, client: string, server: string, port: number | undefined, bytes: number | undefined, line: number, offset: number): void {
    const host = this.dns.get(client, server, Number.isNaN(ms) ? undefined : ms);
    if (host === undefined) return;
    const o: Observation = {
      source: SOURCE,
      kind: "log",
      time,
      host,
      client,
      server,
      port,
      action: "connection (host from an earlier dns.log answer to this client)",
      ref: { file: this.ctx.file, line, offset },
    };
    if (bytes !== undefined) o.bytes = bytes;
    this.out.push(o);
  }
}

/** True for IPv4 dotted or IPv6 text (what DNS A/AAAA answers hold), not for names. */
function isAddress(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s));
}

/** Zeek's `#separator` / `#fields` header block: the first line alone tells a Zeek TSV log. */
const ZEEK_HEADER = /^#(separator|fields|path|set_separator)\b/;

/** A Zeek JSON record: `ts` with `uid`, the connection 4-tuple, `_path` or `@stream`; or a dns.log record without them. */
function isZeekRecord(o: Record<string, unknown>): boolean {
  if (!("ts" in o)) return false;
  if ("uid" in o || "id.orig_h" in o || "id_orig_h" in o || "_path" in o || "@stream" in o) return true;
  const id = o["id"];
  return isRecord(id) && "orig_h" in id;
}

export const zeekFormat: LogFormatDefinition = {
  name: "zeek",
  description: "Zeek dns.log, ssl.log, http.log, quic.log, conn.log: TSV with a #fields header, or JSON lines, also inside SIEM exports (auto-detected)",
  docsUrl: "https://docs.zeek.org/en/master/log-formats.html",
  detect: { header: (l) => ZEEK_HEADER.test(l), record: isZeekRecord },
  createParser: (ctx, _options, run) => new ZeekParser(ctx, run.shared("zeek.dnsAnswers", () => new DnsAnswerMap())),
};
