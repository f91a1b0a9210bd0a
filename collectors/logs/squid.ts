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
 * https://www.squid-cache.org/Doc/config/logformat/, https://wiki.squid-cache.org/Features/LogFormat
 */
import { bound, MAX_FIELD_LENGTH, type Observation } from "../../src/core/observation.js";
import { ownCopy } from "../../src/core/own-copy.js";
import { epochSecondsToMs, isoFromMs, MAX_PATH_LENGTH, SeparatorFinder, splitTarget, type LineParser, type Target, type ParseResult, type ParserContext } from "./common.js";

const SOURCE = "logs:squid";
const FIELDS = 10;

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

  constructor(private readonly ctx: ParserContext) {}

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
      host: host.length > MAX_FIELD_LENGTH ? bound(host) : host,
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
