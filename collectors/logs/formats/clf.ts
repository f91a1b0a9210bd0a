/**
 * The common and combined log formats, as proxies write them (Squid `logformat common` /
 * `combined`, Apache or nginx as forward proxies), with an optional leading virtual host
 * (Apache `vhost_combined`):
 * `[vhost[:port] ]client ident user [10/Oct/2000:13:55:36 -0700] "METHOD target HTTP/1.1" status bytes ["referer" "user-agent"] ...`
 *
 * Each request becomes an `http` observation: host, port and path from the request target (an
 * absolute URL or CONNECT's `host:port`, as a proxy logs them) or, for an origin-form target
 * (`/index.html`), the host of the leading vhost. Also method, user (absent when `-`), client,
 * response bytes, user agent. A request with no host at all (a web server's own log) gives
 * nothing; their number is reported once per file, as a warning.
 *
 * The two fields before ident and user: Apache's `vhost_combined` writes `%v:%p %h` (vhost
 * first), other servers `client:port vhost:port`. Which one is the client is told per line: the
 * IP address when only one of the two is an address; when both are, the one with an ephemeral
 * port (above 1023, while the other's is a well-known one); else Apache's order. `logs.clf.prefix`
 * (`vhost-client` or `client-vhost`) states the order instead. The client field must be an IP
 * address or a host name (`%h` with HostnameLookups), else the line is malformed.
 *
 * Quoted fields end at a `"` that is not escaped by a backslash (Apache and nginx write `\"`),
 * so a hostile user agent cannot end its field early.
 *
 * https://httpd.apache.org/docs/current/logs.html#common, https://www.squid-cache.org/Doc/config/logformat/
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { z } from "zod";
import { settingsOf } from "../options.js";
import { isAddressOrHost, isIP, isoFromMs, MAX_PATH_LENGTH, monthIndex, splitHostPort, splitTarget, toCount, type LineParser, type LogFormatDefinition, type ParseResult, type ParserContext } from "../common/index.js";

const SOURCE = "logs:clf";

/** A quoted field `"..."` starting at `i` (the quote): its unescaped text and the index after the closing quote. */
function quoted(t: string, i: number, end: number): { value: string; next: number } | undefined {
  if (t.charCodeAt(i) !== 34) return undefined;
  let j = i + 1;
  let escapes = false;
  for (; j < end; j++) {
    const c = t.charCodeAt(j);
    if (c === 92 /* \ */) {
      escapes = true;
      j++;
    } else if (c === 34) break;
  }
  if (j >= end) return undefined;
  const raw = t.slice(i + 1, j);
  return { value: escapes ? raw.replace(/\\(["\\])/g, "$1") : raw, next: j + 1 };
}

/** `10/Oct/2000:13:55:36 -0700` (optionally with a fraction of a second) as ms since the epoch, or NaN. */
export function clfTimeToMs(s: string): number {
  const m = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(\.\d+)? ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const mon = monthIndex(m[2]!);
  if (mon < 0) return Number.NaN;
  const day = Number(m[1]);
  const utc = Date.UTC(Number(m[3]), mon, day, Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Math.floor(Number(m[7]) * 1000) : 0);
  if (new Date(utc).getUTCDate() !== day || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return Number.NaN;
  const zone = (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return m[8] === "+" ? utc - zone : utc + zone;
}

/** The order of `vhost` and `client` when a line has both (`logs.clf.prefix`). */
export type ClfPrefix = "vhost-client" | "client-vhost";

/**
 * Of two leading fields `a b` (each `host[:port]`), true when `a` is the client: the only IP
 * address of the two, or, both being addresses, the one with an ephemeral port while the other's
 * port is well known. Otherwise false: Apache's `%v:%p %h` (vhost first).
 */
export function clientComesFirst(a: string, b: string): boolean {
  const x = splitHostPort(a);
  const y = splitHostPort(b);
  const ax = isIP(x.host);
  const ay = isIP(y.host);
  if (ax !== ay) return ax;
  if (ax && x.port !== undefined && y.port !== undefined) return x.port > 1023 && y.port <= 1023;
  return false;
}

function skipSpaces(t: string, i: number, end: number): number {
  while (i < end && t.charCodeAt(i) === 32) i++;
  return i;
}

/** The space-delimited token at or after `i`. */
function token(t: string, i: number, end: number): { value: string; next: number } {
  const s = skipSpaces(t, i, end);
  let e = t.indexOf(" ", s);
  if (e < 0 || e > end) e = end;
  return { value: t.slice(s, e), next: e };
}

export class ClfParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  private noHost = 0;

  constructor(
    private readonly ctx: ParserContext,
    /** `logs.clf.prefix`: the order of the two leading fields, when stated. */
    private readonly order?: ClfPrefix,
  ) {}

  line(text: string, from: number, to: number, line: number, offset: number): ParseResult {
    if (from === to) return undefined;
    // Work on the line alone, so that no search can run on into the following lines.
    const t = text.slice(from, to);
    const start = 0;
    const end = t.length;
    const open = t.indexOf(" [", start);
    if (open < 0 || open >= end) return "expected '[day/Mon/year:hh:mm:ss zone]' after the client, ident and user fields";
    const close = t.indexOf("]", open);
    if (close < 0 || close >= end) return "the time in '[...]' is not closed";
    const pre = t.slice(start, open).split(" ").filter((x) => x.length > 0);
    if (pre.length !== 3 && pre.length !== 4) return `expected 'client ident user' (or 'vhost client ident user') before the time, found ${pre.length} field(s)`;
    let vhost: string | undefined;
    let clientField: string;
    if (pre.length === 4) {
      const clientFirst = this.order === "client-vhost" || (this.order === undefined && clientComesFirst(pre[0]!, pre[1]!));
      [clientField, vhost] = clientFirst ? [pre[0]!, pre[1]!] : [pre[1]!, pre[0]!];
    } else clientField = pre[0]!;
    const user = pre[pre.length - 1];
    const clientAddr = splitHostPort(clientField).host;
    if (clientField !== "-" && !isAddressOrHost(clientAddr)) return `the client field ${JSON.stringify(bound(clientField, 60))} is not an IP address or host name`;
    const client = clientField === "-" ? undefined : clientAddr;
    const ms = clfTimeToMs(t.slice(open + 2, close));
    const time = isoFromMs(ms);
    if (time === undefined) return `expected a time like '10/Oct/2000:13:55:36 -0700', found ${JSON.stringify(t.slice(open + 2, Math.min(close, open + 40)))}`;
    let i = close + 1;
    while (i < end && t.charCodeAt(i) === 32) i++;
    const req = quoted(t, i, end);
    if (!req) return "expected the quoted request line (\"METHOD target HTTP/x\") after the time";
    i = req.next;
    // status, bytes, then (combined) the quoted referer and user agent
    const status = token(t, i, end);
    const bytesTok = token(t, status.next, end);
    let userAgent: string | undefined;
    const referer = quoted(t, skipSpaces(t, bytesTok.next, end), end);
    if (referer) {
      const ua = quoted(t, skipSpaces(t, referer.next, end), end);
      if (ua && ua.value !== "-" && ua.value.length > 0) userAgent = bound(ua.value);
    }
    const bytesText = bytesTok.value;
    const parts = req.value.split(" ");
    const method = parts.length >= 2 ? parts[0]! : undefined;
    const target = parts.length >= 2 ? splitTarget(parts[1]!) : {};
    let host = target.host;
    let port = target.port;
    if (!host && vhost && vhost !== "-") {
      const v = splitTarget(vhost);
      host = v.host;
      port ??= v.port;
    }
    if (!host) {
      this.noHost++;
      return undefined;
    }
    if (vhost !== undefined && port === undefined) port = splitHostPort(vhost).port;
    const o: Observation = { source: SOURCE, kind: "http", time, host, ref: { file: this.ctx.file, line, offset } };
    if (client) o.client = bound(client, 256);
    if (port !== undefined) o.port = port;
    if (target.path !== undefined) o.path = bound(target.path, MAX_PATH_LENGTH);
    if (method) o.method = bound(method, 32);
    if (user && user !== "-") o.user = bound(user.replace(/^"|"$/g, "").toLowerCase(), 320);
    if (userAgent) o.userAgent = userAgent;
    const bytes = toCount(bytesText);
    if (bytes !== undefined) o.bytes = bytes;
    this.out.push(o);
    return undefined;
  }

  finish(): void {
    if (this.noHost > 0) {
      this.ctx.warn(
        `${this.noHost} request(s) name no host (an origin-form target such as '/index.html' and no leading vhost): ` +
          "this looks like a web server's own log rather than a proxy's, so they were not read",
      );
    }
  }
}

/** Common / combined log format, with an optional leading `vhost[:port]` or `client:port vhost:port`: `h l u [dd/Mon/yyyy:hh:mm:ss +zzzz] "request" ...`. */
export const CLF_LINE = /^(\S+\s+)?\S+ \S+ (\S+|"[^"]*") \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4}\] "/;

/** `logs.clf`: settings of the common / combined reader. */
export const clfSettingsSchema = z
  .object({
    /** Which of two leading fields is the client: `vhost-client` (Apache vhost_combined, `%v:%p %h`) or `client-vhost`; default: told per line. */
    prefix: z.enum(["vhost-client", "client-vhost"]).optional(),
  })
  .strict();

export const clfFormat: LogFormatDefinition = {
  name: "clf",
  description: "common / combined log format of proxies (Squid, Apache, nginx), optional leading vhost or client:port vhost:port (auto-detected)",
  docsUrl: "https://httpd.apache.org/docs/current/logs.html#common",
  detect: { line: (l) => CLF_LINE.test(l) },
  settings: clfSettingsSchema,
  createParser: (ctx, options) => new ClfParser(ctx, settingsOf<z.infer<typeof clfSettingsSchema>>(options, "clf")?.prefix),
};
