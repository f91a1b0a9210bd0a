/**
 * Squid's native `access.log` format:
 * `logformat squid %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt`, e.g.
 * `1544160065.248    228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT en.wikipedia.org:443 - HIER_DIRECT/91.198.174.192 -`.
 * Columns are separated by runs of spaces (the elapsed time is padded).
 *
 * Each request becomes an `http` observation: host and port from the URL (`host:port` for
 * CONNECT, an absolute URL otherwise), path, method, the user (`%[un`, absent when `-`), the
 * client address, the server address after the slash of the hierarchy field (`HIER_DIRECT/<address>`), reply bytes (`%<st`), and the Squid
 * result code as `action` (`TCP_TUNNEL/200`, `TCP_DENIED/403`). Requests with no URL (`NONE`
 * method, `error:` URLs of failed transactions) give nothing.
 *
 * Every column is checked to be what the native format writes there (elapsed ms, an address,
 * `CODE/status`, a byte count, a method, `HIER/peer`): a line of another layout is an error that
 * says so, never a record read from the wrong columns. Then, when the scan says what it keeps
 * (`ParserContext.keep`), a line whose host and path it does not keep is counted, not built: most
 * of a proxy's lines are of no interest to an AI inventory.
 *
 * Logs in another `logformat` (built-in `common`, `combined`, `referrer`, `useragent`, or a custom
 * one) are read when `logs.squid.logformat` declares it: the specification, in the directive's own
 * syntax, is compiled once to a whole-line pattern ({@link compileLogformat}); a line that does not
 * fit it is an error.
 *
 * https://www.squid-cache.org/Doc/config/logformat/, https://wiki.squid-cache.org/Features/LogFormat
 */
import { bound, MAX_FIELD_LENGTH, type Observation } from "../../../src/core/observation.js";
import { ownCopy } from "../../../src/core/own-copy.js";
import type { KeepInput } from "../../../src/core/source.js";
import { z } from "zod";
import { settingsOf, type LogOptions } from "../options.js";
import {
  epochSecondsToMs,
  isAddressOrHost,
  isoFromLocal,
  isoFromMs,
  isoFromUtc,
  MAX_PATH_LENGTH,
  monthIndex,
  SeparatorFinder,
  splitHostPort,
  splitTarget,
  type LineParser,
  type LogFormatDefinition,
  type Target,
  type ParseResult,
  type ParserContext,
} from "../common/index.js";

const SOURCE = "logs:squid";
const FIELDS = 10;

/** What each checked column of the native format holds, for messages (by 0-based column). */
const NATIVE_COLUMNS: Record<number, string> = {
  1: "the elapsed milliseconds",
  2: "the client address",
  3: "the result code and status (TCP_MISS/200)",
  4: "the reply size in bytes",
  5: "the request method",
  8: "the hierarchy code and peer (HIER_DIRECT/1.2.3.4)",
};

/**
 * A small cache of the recurring values of a column (methods, result codes, user names), so that
 * the same text is not allocated once per line: compared in place, sliced only when new.
 */
export class Interner {
  private readonly values: string[] = [];

  constructor(private readonly max = 32) {}

  get(t: string, s: number, e: number): string {
    const n = e - s;
    const vs = this.values;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i]!;
      if (v.length === n && t.startsWith(v, s)) return v;
    }
    const v = t.slice(s, e);
    if (vs.length < this.max) vs.push(ownCopy(v)); // a slice would keep the whole chunk alive
    return v;
  }
}

export class SquidParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  private readonly fs = new Int32Array(FIELDS);
  private readonly fe = new Int32Array(FIELDS);
  private readonly methods = new Interner();
  private readonly codes = new Interner();
  private readonly users = new Interner(64);
  private readonly finder = new SeparatorFinder();
  /** What `ctx.keep` is asked with, reused line after line. */
  private readonly probe: KeepInput = {};
  skipped = 0;

  constructor(private readonly ctx: ParserContext) {}

  /** Why the columns found are not Squid's native ones, or undefined when they are. */
  private checkColumns(t: string): string | undefined {
    const fs = this.fs;
    const fe = this.fe;
    const cs = fs[2]!;
    const ce = fe[2]!;
    const bad = !digitsIn(t, fs[1]!, fe[1]!)
      ? 1
      : !ipv4In(t, cs, ce) && (ce - cs > 64 || !isAddressOrHost(t.slice(cs, ce)))
        ? 2
        : !resultCodeIn(t, fs[3]!, fe[3]!)
          ? 3
          : !digitsIn(t, fs[4]!, fe[4]!)
            ? 4
            : !methodIn(t, fs[5]!, fe[5]!)
              ? 5
              : !hierarchyIn(t, fs[8]!, fe[8]!)
                ? 8
                : 0;
    if (bad === 0) return undefined;
    return (
      `column ${bad + 1} is ${JSON.stringify(t.slice(fs[bad]!, Math.min(fe[bad]!, fs[bad]! + 40)))}, expected ${NATIVE_COLUMNS[bad]} as in Squid's native format ` +
      "(if the proxy writes a custom logformat, set logs.squid.logformat to it)"
    );
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    const fs = this.fs;
    const fe = this.fe;
    let n = 0;
    let i = start;
    while (n < FIELDS && i < end) {
      while (i < end && t.charCodeAt(i) === 32) i++;
      if (i >= end) break;
      let j = this.finder.find(t, " ", i, end);
      if (j < 0 || j > end) j = end;
      fs[n] = i;
      fe[n] = j;
      n++;
      i = j;
    }
    if (n === 0) return undefined;
    if (n < 9) return `expected the ${FIELDS} space-separated fields of Squid's native format (time elapsed client code/status bytes method URL user hierarchy/peer type), found ${n}`;
    const time = isoFromMs(epochSecondsToMs(t, fs[0]!, fe[0]!));
    if (time === undefined) return `expected a Unix time with milliseconds (1544160065.248) first, found ${JSON.stringify(t.slice(fs[0]!, Math.min(fe[0]!, fs[0]! + 30)))}`;
    // Every column must look like what Squid's native format writes there: a line of another
    // layout (a custom `logformat`) is an error, never a record read from the wrong columns.
    const bad = this.checkColumns(t);
    if (bad !== undefined) return bad;
    const method = this.methods.get(t, fs[5]!, fe[5]!);
    const us = fs[6]!;
    const ue = fe[6]!;
    if (method === "NONE" || t.startsWith("error:", us) || (ue - us === 1 && t.charCodeAt(us) === 45)) return undefined;
    // The URL: `host:port` (CONNECT) or `scheme://host[:port]/path`, read in place.
    let hs = us;
    let defaultPort: number | undefined;
    for (let k = us; k < us + 9 && k < ue; k++) {
      const c = t.charCodeAt(k);
      if (c === 58 /* : */) {
        if (t.charCodeAt(k + 1) === 47 && t.charCodeAt(k + 2) === 47) {
          hs = k + 3;
          const len = k - us;
          defaultPort = len === 5 && t.startsWith("https", us) ? 443 : len === 4 && t.startsWith("http", us) ? 80 : undefined;
        }
        break;
      }
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) break;
    }
    let he = ue;
    let colon = -1;
    let odd = false;
    for (let k = hs; k < ue; k++) {
      const c = t.charCodeAt(k);
      if (c === 47 /* / */) {
        he = k;
        break;
      }
      if (c === 58 /* : */) {
        if (colon >= 0) odd = true; // a bare IPv6 address
        colon = k;
      } else if (c === 64 /* @ */ || c === 63 /* ? */ || c === 35 /* # */ || c === 91 /* [ */) odd = true;
    }
    let host: string;
    let port = defaultPort;
    let path: string | undefined;
    if (odd) {
      const target: Target = splitTarget(t.slice(us, ue)); // IPv6 literal, user info, a query without a path
      if (!target.host) return undefined;
      host = target.host;
      port = target.port;
      path = target.path;
    } else {
      host = t.slice(hs, colon >= 0 ? colon : he);
      if (colon >= 0) port = toPortIn(t, colon + 1, he) ?? defaultPort;
      if (he < ue) path = t.slice(he, ue - he > MAX_PATH_LENGTH ? he + MAX_PATH_LENGTH : ue);
    }
    if (host.length === 0) return undefined;
    if (host.length > MAX_FIELD_LENGTH) host = bound(host);
    // most proxy lines are of no interest to the scan: dropped before the record is built (a
    // native line has no department, so host and path decide)
    const keep = this.ctx.keep;
    if (keep !== undefined) {
      const probe = this.probe;
      probe.host = host;
      probe.path = path;
      if (!keep(probe)) {
        this.skipped++;
        return undefined;
      }
    }
    let user: string | undefined;
    if (!(fe[7]! - fs[7]! === 1 && t.charCodeAt(fs[7]!) === 45)) user = bound(decodeUser(this.users.get(t, fs[7]!, fe[7]!)).toLowerCase(), 320);
    let server: string | undefined;
    const slash = t.lastIndexOf("/", fe[8]! - 1);
    if (slash >= fs[8]! && slash < fe[8]! - 1 && !(fe[8]! - slash === 2 && t.charCodeAt(slash + 1) === 45)) server = t.slice(slash + 1, Math.min(fe[8]!, slash + 257));
    // One object shape for every record (absent fields are undefined): cheaper for every reader.
    const o: Observation = {
      source: SOURCE,
      kind: "http",
      time,
      host,
      port,
      path,
      method,
      user,
      client: t.slice(fs[2]!, fe[2]!),
      server,
      action: this.codes.get(t, fs[3]!, fe[3]!),
      bytes: countIn(t, fs[4]!, fe[4]!),
      ref: { file: this.ctx.file, line, offset },
    };
    this.out.push(o);
    return undefined;
  }
}

/** True when `t[s, e)` is a dotted-quad IPv4 address (the common client), checked without allocating. */
function ipv4In(t: string, s: number, e: number): boolean {
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/** True when `t[s, e)` is all decimal digits (at least one), after an optional `-`. */
function digitsIn(t: string, s: number, e: number): boolean {
  if (s < e && t.charCodeAt(s) === 45) s++;
  if (s >= e) return false;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `TCP_MISS/200`, `NONE_NONE/000`, `TAG_NONE/503`: upper-case letters and `_`, `/`, three digits. */
function resultCodeIn(t: string, s: number, e: number): boolean {
  const slash = e - 4;
  if (slash <= s || t.charCodeAt(slash) !== 47) return false;
  for (let i = s; i < slash; i++) {
    const c = t.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57))) return false;
  }
  return digitsIn(t, slash + 1, e);
}

/** An HTTP method token (`GET`, `CONNECT`, `NONE`, `PROPFIND`): letters, `_` and `-`, at least one letter. */
function methodIn(t: string, s: number, e: number): boolean {
  if (e - s > 32 || s >= e) return false;
  let letters = 0;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c !== 95 && c !== 45) return false;
  }
  return letters > 0;
}

/** `HIER_DIRECT/1.2.3.4`, `NONE/-`, `FIRSTUP_PARENT/proxy`: a hierarchy code, `/`, a peer. */
function hierarchyIn(t: string, s: number, e: number): boolean {
  let i = s;
  for (; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c === 47) break;
    if (!((c >= 65 && c <= 90) || c === 95)) return false;
  }
  return i > s && i < e - 1;
}

/** A decimal port in `t[s, e)`, or undefined. */
function toPortIn(t: string, s: number, e: number): number | undefined {
  if (e <= s || e - s > 5) return undefined;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n <= 65535 ? n : undefined;
}

/** A decimal count in `t[s, e)` (at most 15 digits), or undefined. */
function countIn(t: string, s: number, e: number): number | undefined {
  if (e <= s || e - s > 15) return undefined;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/** Squid writes user names URL-encoded where they hold spaces or odd bytes (`alice%40corp`). */
function decodeUser(u: string): string {
  if (u.indexOf("%") < 0) return u;
  try {
    return decodeURIComponent(u);
  } catch {
    return u;
  }
}

// ---------------------------------------------------------------------------------------------
// Custom `logformat`: compiled once to a line pattern

/**
 * Squid's built-in format definitions (cf.data.pre, `logformat`):
 * https://www.squid-cache.org/Doc/config/logformat/
 */
export const SQUID_BUILTIN_FORMATS: Readonly<Record<string, string>> = {
  squid: "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
  common: '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh',
  combined: '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh',
  referrer: "%ts.%03tu %>a %{Referer}>h %ru",
  useragent: '%>a [%tl] "%{User-Agent}>h"',
};

/**
 * Format codes, longest first within each namespace, as Squid's token tables list them
 * (`src/format/Token.cc`: TokenTableMisc, TokenTable2C, TokenTable1C and the `ssl::`/`tls::`,
 * `icap::`, `adapt::` namespaces).
 */
const CODES = [
  ">handshake", ">nfmark", "<nfmark", "err_detail", "err_code", "credentials", ">eui", ">qos", "<qos", "note",
  ">la", "<la", ">lp", "<lp", ">ha", ">Hs", "<Hs", "<bs", ">rm", ">ru", ">rs", ">rd", ">rP", ">rp", ">rv", "<rm", "<ru", "<rs", "<rd", "<rP", "<rp", "<rv",
  ">st", ">sh", "<st", "<sH", "<sS", "<sh", "<pt", "<tt", "la", "lp", "oa", "ts", "tu", "tl", "tg", "tS", "tr", "dt", "un", "ul", "ui", "ue", "us",
  "Hs", "Ss", "Sh", "mt", "rm", "ru", "rp", "rv", "rG", "st", "et", "ea", "sn",
  ">a", ">p", ">A", "<a", "<p", "<A", ">h", "<h", ">v", "%",
];
const NAMESPACED = [
  ">received_supported_version", "<received_supported_version", ">received_hello_version", "<received_hello_version",
  ">negotiated_version", "<negotiated_version", ">negotiated_cipher", "<negotiated_cipher", ">cert_subject", ">cert_issuer",
  "<cert_subject", "<cert_issuer", "<cert_errors", "bump_mode", ">sni", "<service_name", "<last_h", "all_trs", "sum_trs",
  "tio", "to", "tt", "tr", "Hs", "rm", "ru", ">st", "<st", "<bs", ">h", "<h", "<A",
];

/** One `%` token of a format specification. */
interface Token {
  code: string;
  arg?: string;
  /** The value's encoding: `"` quoted, `[` Squid text, `#` URL, `/` shell, `'` raw, or none. */
  quote: string;
  /** Inside literal `"..."` or `[...]` of the specification (Squid quotes the value then too). */
  context: "" | '"' | "[";
  width: boolean;
}

type Piece = { lit: string } | { token: Token };

/**
 * Split a `logformat` specification into literal text and `%` tokens, with Squid's syntax
 * `% [encoding] [-] [[0]width][.max] [{arg}] formatcode [{arg}]` (namespaces `ssl::`, `tls::`,
 * `icap::`, `adapt::`, `http::`).
 * @throws Error naming the offset of a token it cannot read.
 */
export function parseLogformat(spec: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let lit = "";
  let context: "" | '"' | "[" = "";
  while (i < spec.length) {
    const c = spec[i]!;
    if (c !== "%") {
      if (c === '"') context = context === '"' ? "" : context === "" ? '"' : context;
      else if (c === "[" && context === "") context = "[";
      else if (c === "]" && context === "[") context = "";
      lit += c;
      i++;
      continue;
    }
    const at = i;
    i++;
    if (spec[i] === "%") {
      lit += "%";
      i++;
      continue;
    }
    let quote = "";
    if (spec[i] !== undefined && `"'[#/`.includes(spec[i]!)) quote = spec[i++]!;
    if (spec[i] === "-") i++;
    let width = false;
    while (spec[i] !== undefined && /[0-9]/.test(spec[i]!)) {
      width = true;
      i++;
    }
    if (spec[i] === "." && /[0-9]/.test(spec[i + 1] ?? "")) {
      i++;
      while (spec[i] !== undefined && /[0-9]/.test(spec[i]!)) i++;
    }
    let arg: string | undefined;
    if (spec[i] === "{") {
      const close = spec.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed '{' at offset ${i} of the logformat`);
      arg = spec.slice(i + 1, close);
      i = close + 1;
    }
    let code: string | undefined;
    const ns = /^(ssl|tls|icap|adapt|http)::/.exec(spec.slice(i));
    if (ns) {
      i += ns[0].length;
      const table = ns[1] === "http" ? CODES : NAMESPACED;
      code = table.find((k) => spec.startsWith(k, i));
      if (code) code = ns[1] === "http" ? code : `${ns[1] === "tls" ? "ssl" : ns[1]}::${code}`;
      if (code) i += code.length - (ns[1] === "http" ? 0 : code.indexOf("::") + 2);
    } else {
      code = CODES.find((k) => spec.startsWith(k, i));
      if (code) i += code.length;
    }
    if (!code) throw new Error(`unknown format code at offset ${at} of the logformat: ${JSON.stringify(spec.slice(at, at + 12))}`);
    if (arg === undefined && spec[i] === "{") {
      const close = spec.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed '{' at offset ${i} of the logformat`);
      arg = spec.slice(i + 1, close);
      i = close + 1;
    }
    if (lit) out.push({ lit });
    lit = "";
    out.push({ token: { code, ...(arg !== undefined ? { arg } : {}), quote, context, width } });
  }
  if (lit) out.push({ lit });
  return out;
}

const ESCAPE = /[.*+?^${}()|[\]\\]/g;
const OPTIONAL_DASH = (p: string) => `(?:${p}|-)`;

/** The pattern of one strftime directive (for `%{...}tl` / `%{...}tg`), and the time part it sets. */
const STRFTIME: Record<string, [string, string | undefined]> = {
  d: ["(\\d{2})", "day"],
  e: [" ?(\\d{1,2})", "day"],
  m: ["(\\d{2})", "month"],
  b: ["([A-Za-z]{3})", "mon"],
  h: ["([A-Za-z]{3})", "mon"],
  Y: ["(\\d{4})", "year"],
  y: ["(\\d{2})", "year2"],
  H: ["(\\d{2})", "hour"],
  M: ["(\\d{2})", "minute"],
  S: ["(\\d{2})", "second"],
  z: ["([+-]\\d{4})", "zone"],
  Z: ["[A-Za-z]{1,5}", undefined],
  a: ["[A-Za-z]{3}", undefined],
  A: ["[A-Za-z]+", undefined],
  j: ["\\d{3}", undefined],
  p: ["[AP]M", undefined],
};

/** `%d/%b/%Y:%H:%M:%S %z`, Squid's `%tl` default (`src/format/Format.cc`). */
const DEFAULT_TL = "%d/%b/%Y:%H:%M:%S %z";

/** What the compiled pattern captures, by role. */
type Role =
  | "ts" | "tu" | "client" | "clientName" | "method" | "url" | "domain" | "urlPort" | "urlPath" | "scheme" | "sni"
  | "user" | "ident" | "status" | "code" | "hier" | "bytes" | "server" | "userAgent";

/** A compiled `logformat`: the whole-line pattern and where each role's value is. */
export interface CompiledLogformat {
  spec: string;
  pattern: RegExp;
  groups: Partial<Record<Role, number>>;
  /** For `%tl`/`%tg`: the strftime parts and their group numbers; `utc` for `%tg`. */
  time?: { parts: Partial<Record<string, number>>; utc: boolean };
}

/**
 * Compile a `logformat` specification to one anchored pattern: each token's value by what Squid
 * writes for its code (numbers, addresses, `CODE/status`, quoted strings in `"..."` context,
 * bracketed text in `[...]`), literal text as itself (a run of spaces also takes the padding of a
 * `%6tr`-style width).
 * @throws Error when the specification has an unknown code, or names no host (`%ru`, `%>ru`,
 *   `%>rd`, `%ssl::>sni`) or no time (`%ts`, `%tl`, `%tg`).
 */
export function compileLogformat(spec: string): CompiledLogformat {
  const pieces = parseLogformat(spec);
  let re = "^\\s*";
  let group = 0;
  const groups: Partial<Record<Role, number>> = {};
  let time: CompiledLogformat["time"];
  const capture = (role: Role | undefined, p: string): string => {
    if (role === undefined || groups[role] !== undefined) return `(?:${p})`;
    groups[role] = ++group;
    return `(${p})`;
  };
  for (const piece of pieces) {
    if ("lit" in piece) {
      re += piece.lit.replace(ESCAPE, "\\$&").replace(/ +/g, " +");
      continue;
    }
    const t = piece.token;
    const pad = t.width ? " *" : "";
    const quoted = t.quote === '"' || t.context === '"';
    const free = quoted ? '(?:[^"\\\\]|\\\\.)*' : t.context === "[" ? "[^\\]]*" : "\\S+";
    const header = (t.arg ?? "").toLowerCase();
    switch (t.code) {
      case "ts":
        re += pad + capture("ts", "\\d{1,12}");
        break;
      case "tu":
        re += pad + capture("tu", "\\d{1,3}");
        break;
      case "tl":
      case "tg": {
        const f = t.arg ?? DEFAULT_TL;
        const parts: Partial<Record<string, number>> = {};
        let tre = "";
        for (let k = 0; k < f.length; k++) {
          if (f[k] === "%" && k + 1 < f.length) {
            const d = f[++k]!;
            const spec2 = d === "T" ? null : d === "F" ? null : STRFTIME[d];
            if (d === "T") {
              tre += "(\\d{2}):(\\d{2}):(\\d{2})";
              parts["hour"] = ++group;
              parts["minute"] = ++group;
              parts["second"] = ++group;
            } else if (d === "F") {
              tre += "(\\d{4})-(\\d{2})-(\\d{2})";
              parts["year"] = ++group;
              parts["month"] = ++group;
              parts["day"] = ++group;
            } else if (spec2) {
              tre += spec2[0];
              if (spec2[1] !== undefined && spec2[0].includes("(")) parts[spec2[1]] = ++group;
            } else if (d === "%") tre += "%";
            else throw new Error(`unsupported strftime directive %${d} in %{${f}}${t.code}`);
          } else tre += f[k]!.replace(ESCAPE, "\\$&");
        }
        re += pad + tre;
        time ??= { parts, utc: t.code === "tg" };
        break;
      }
      case ">a":
      case "la":
      case ">la":
        re += pad + capture(t.code === ">a" ? "client" : undefined, OPTIONAL_DASH("[0-9A-Fa-f.:%]+"));
        break;
      case ">A":
        re += pad + capture("clientName", free);
        break;
      case "<a":
      case "<la":
      case "oa":
        re += pad + capture(t.code === "<a" ? "server" : undefined, OPTIONAL_DASH("[0-9A-Fa-f.:%]+"));
        break;
      case ">p":
      case "<p":
      case "lp":
      case ">lp":
      case "<lp":
      case ">rP":
        re += pad + capture(t.code === ">rP" ? "urlPort" : undefined, OPTIONAL_DASH("\\d{1,5}"));
        break;
      case "Ss":
        re += pad + capture("code", "[A-Z_]+|-");
        break;
      case "Sh":
        re += pad + capture("hier", "[A-Z_]+|-");
        break;
      case "Hs":
      case ">Hs":
      case "<Hs":
        re += pad + capture(t.code === "<Hs" ? undefined : "status", "\\d{1,3}|-");
        break;
      case "st":
      case "<st":
      case ">st":
      case "<sh":
      case ">sh":
      case "<bs":
      case "<sH":
      case "<sS":
      case "sn":
        re += pad + capture(t.code === "<st" || (t.code === "st" && groups.bytes === undefined) ? "bytes" : undefined, "\\d+|-");
        break;
      case "tr":
      case "dt":
      case "<pt":
      case "<tt":
      case "tS":
        re += pad + "(?:-?\\d+(?:\\.\\d+)?|-)";
        break;
      case "rm":
      case ">rm":
        re += pad + capture("method", "[A-Za-z_-]+");
        break;
      case "ru":
      case ">ru":
        // in a quoted context Squid writes `"` as `\"`
        re += pad + capture("url", quoted ? '(?:[^"\\\\\\s]|\\\\.)+' : "\\S+");
        break;
      case ">rd":
        re += pad + capture("domain", "[^\\s/\"]+");
        break;
      case ">rp":
        re += pad + capture("urlPath", quoted ? '(?:[^"\\\\\\s]|\\\\.)+' : "\\S+");
        break;
      case ">rs":
        re += pad + capture("scheme", "[A-Za-z][A-Za-z0-9+.-]*|-");
        break;
      case "rv":
      case ">rv":
        re += pad + "(?:[0-9.]+|-)";
        break;
      case "un":
      case "ul":
      case "ue":
      case "us":
        re += pad + capture("user", quoted ? free : "\\S+");
        break;
      case "ui":
        re += pad + capture("ident", quoted ? free : "\\S+");
        break;
      case "ssl::>sni":
        re += pad + capture("sni", "[^\\s\"]+");
        break;
      case ">h":
        re += pad + capture(header === "user-agent" ? "userAgent" : header === "host" && groups.domain === undefined ? "domain" : undefined, free);
        break;
      default:
        re += pad + `(?:${free})`;
    }
  }
  re += "\\s*$";
  if (groups.url === undefined && groups.domain === undefined && groups.sni === undefined) {
    throw new Error("the logformat names no host: it needs %ru, %>ru, %>rd, %{Host}>h or %ssl::>sni");
  }
  if (groups.ts === undefined && time === undefined) throw new Error("the logformat has no time: it needs %ts, %tl or %tg");
  return { spec, pattern: new RegExp(re), groups, ...(time ? { time } : {}) };
}

/**
 * The specification a `logs.squid.logformat` value stands for: a built-in name (`squid`,
 * `common`, `combined`, `referrer`, `useragent`), a whole `logformat NAME SPEC` directive line
 * from squid.conf, or the specification itself.
 */
export function logformatSpec(value: string): string {
  const v = value.trim();
  if (SQUID_BUILTIN_FORMATS[v] !== undefined) return SQUID_BUILTIN_FORMATS[v]!;
  const directive = /^logformat\s+\S+\s+(.+)$/s.exec(v);
  return directive ? directive[1]!.trim() : v;
}

/** True when a specification is Squid's native one (read by the fast {@link SquidParser}). */
export function isNativeSpec(spec: string): boolean {
  return spec.replace(/\s+/g, " ") === SQUID_BUILTIN_FORMATS["squid"];
}

const compiled = new Map<string, CompiledLogformat>();

/** {@link compileLogformat}, remembered by specification (compiled once per run). */
export function compiledLogformat(spec: string): CompiledLogformat {
  let c = compiled.get(spec);
  if (!c) {
    c = compileLogformat(spec);
    if (compiled.size < 64) compiled.set(spec, c);
  }
  return c;
}

/** A line of a custom `logformat`, read through its compiled pattern. */
export class LogformatParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  private readonly expected: string;

  constructor(
    private readonly ctx: ParserContext,
    private readonly format: CompiledLogformat,
  ) {
    this.expected = `does not fit the configured logformat (logs.squid.logformat ${JSON.stringify(format.spec.length > 80 ? `${format.spec.slice(0, 80)}…` : format.spec)})`;
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    const l = t.slice(start, end);
    if (l.trim().length === 0) return undefined;
    const m = this.format.pattern.exec(l);
    if (!m) return this.expected;
    const g = this.format.groups;
    const val = (r: Role): string | undefined => {
      const i = g[r];
      const v = i === undefined ? undefined : m[i];
      return v === undefined || v === "" || v === "-" ? undefined : v;
    };
    const time = this.time(m);
    if (time === undefined) return `${this.expected}: the time is not a valid date`;
    const client = val("client") ?? val("clientName");
    if (client !== undefined && !isAddressOrHost(splitHostPort(client).host)) return `${this.expected}: the client ${JSON.stringify(bound(client, 60))} is not an address or host name`;
    const method = val("method");
    const rawUrl = val("url");
    const url = rawUrl !== undefined && rawUrl.indexOf("\\") >= 0 ? rawUrl.replace(/\\(["\\])/g, "$1") : rawUrl;
    if (method === "NONE" || url?.startsWith("error:")) return undefined;
    let target: Target = url ? splitTarget(url) : {};
    if (!target.host) {
      const domain = val("domain") ?? val("sni");
      if (domain) {
        const hp = splitHostPort(domain);
        const port = val("urlPort");
        target = { host: hp.host, ...((hp.port ?? (port ? Number(port) : undefined)) !== undefined ? { port: hp.port ?? Number(port) } : {}), ...(target.path ? { path: target.path } : {}) };
        const path = val("urlPath");
        if (path && !target.path) target.path = bound(path, MAX_PATH_LENGTH);
      }
    }
    if (!target.host) return undefined;
    const o: Observation = { source: SOURCE, kind: "http", time, host: bound(target.host), ref: { file: this.ctx.file, line, offset } };
    if (target.port !== undefined) o.port = target.port;
    if (target.path !== undefined) o.path = target.path;
    if (method) o.method = bound(method, 32);
    const user = val("user") ?? val("ident");
    if (user) o.user = bound(decodeUser(user.replace(/^"|"$/g, "")).toLowerCase(), 320);
    if (client) o.client = bound(splitHostPort(client).host, 64);
    const server = val("server");
    if (server) o.server = bound(server, 64);
    const code = val("code");
    const status = val("status");
    if (code || status) o.action = bound(code && status ? `${code}/${status}` : (code ?? status)!, 64);
    const bytes = val("bytes");
    if (bytes) o.bytes = Number(bytes);
    const ua = val("userAgent");
    if (ua) o.userAgent = bound(ua.replace(/\\(["\\])/g, "$1"));
    this.out.push(o);
    return undefined;
  }

  /** The record's time from `%ts[.%tu]` or `%tl` / `%tg`. */
  private time(m: RegExpExecArray): string | undefined {
    const g = this.format.groups;
    if (g.ts !== undefined) {
      const ts = m[g.ts]!;
      const tu = g.tu !== undefined ? m[g.tu] : undefined;
      return isoFromMs(Number(ts) * 1000 + (tu ? Number(tu.padEnd(3, "0").slice(0, 3)) : 0));
    }
    const spec = this.format.time!;
    const p = (k: string): string | undefined => (spec.parts[k] !== undefined ? m[spec.parts[k]!] : undefined);
    const year = p("year") !== undefined ? Number(p("year")) : p("year2") !== undefined ? 2000 + Number(p("year2")) : Number.NaN;
    const month0 = p("month") !== undefined ? Number(p("month")) - 1 : p("mon") !== undefined ? monthIndex(p("mon")!) : -1;
    const args = [year, month0, Number(p("day")), Number(p("hour") ?? 0), Number(p("minute") ?? 0), Number(p("second") ?? 0)] as const;
    const zone = p("zone");
    if (zone !== undefined) {
      const utc = isoFromUtc(...args);
      if (!utc) return undefined;
      const off = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
      return isoFromMs(Date.parse(utc) + (zone[0] === "+" ? -off : off));
    }
    return spec.utc ? isoFromUtc(...args) : isoFromLocal(...args, 0, this.ctx.timeZone);
  }
}

/** `logs.squid`: the access log's layout. */
export const squidSettingsSchema = z
  .object({
    /**
     * The `logformat` the access log is written in: a built-in name (`squid`, `common`,
     * `combined`, `referrer`, `useragent`), the specification (`%ts.%03tu %6tr %>a ...`), or the
     * whole `logformat NAME SPEC` line of squid.conf. Default: `squid` (the native format).
     */
    logformat: z
      .string()
      .min(1)
      .max(4096)
      .superRefine((v, ctx) => {
        try {
          const spec = logformatSpec(v);
          if (!isNativeSpec(spec)) compileLogformat(spec);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      })
      .optional(),
  })
  .strict();

/** `logs.squid` as validated. */
export type SquidSettings = z.infer<typeof squidSettingsSchema>;

/** The compiled custom logformat of the options, or undefined for the native format. */
function customFormat(options: LogOptions): CompiledLogformat | undefined {
  const v = settingsOf<SquidSettings>(options, "squid")?.logformat;
  if (v === undefined) return undefined;
  const spec = logformatSpec(v);
  return isNativeSpec(spec) ? undefined : compiledLogformat(spec);
}

/** Squid native: `1544160065.248    228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT host:443 - HIER_DIRECT/1.2.3.4 -`. */
export const SQUID_LINE = /^\s*\d{9,11}\.\d{3}\s+-?\d+\s+\S+\s+[A-Z_]+\/\d{3}\s+\d+\s+\S+\s+\S+\s+\S+\s+[A-Z_]+\/\S+(\s+\S+)?/;

export const squidFormat: LogFormatDefinition = {
  name: "squid",
  description: "Squid access.log: the native format (auto-detected), or the logformat logs.squid.logformat names (detected when configured)",
  docsUrl: "https://www.squid-cache.org/Doc/config/logformat/",
  detect: {
    line: (l, options) => {
      let custom: CompiledLogformat | undefined;
      try {
        custom = customFormat(options);
      } catch {
        return false;
      }
      return custom ? custom.pattern.test(l) : SQUID_LINE.test(l);
    },
  },
  settings: squidSettingsSchema,
  createParser: (ctx, options) => {
    let custom: CompiledLogformat | undefined;
    try {
      custom = customFormat(options);
    } catch (e) {
      return `logs.squid.logformat: ${(e as Error).message}`;
    }
    return custom ? new LogformatParser(ctx, custom) : new SquidParser(ctx);
  },
};
