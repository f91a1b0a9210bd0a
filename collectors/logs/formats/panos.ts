/**
 * Palo Alto Networks PAN-OS firewall logs in their syslog CSV form (with or without the syslog
 * header in front of field 0), or exported as CSV with a header row (skipped).
 *
 * - THREAT logs of subtype `url` (URL filtering) become `http` observations: host, port and path
 *   from `URL/Filename` (a URL without scheme), the source user, source and destination address,
 *   destination port, `Application` as appName (the App-ID, e.g. `openai-chatgpt`), user agent,
 *   HTTP method, and the firewall's action.
 * - TRAFFIC logs become `log` observations with no host: `Application` (App-ID) as appName is
 *   what they offer to matching, plus user, addresses, port, `Bytes` and the action.
 * - Other types and THREAT subtypes are skipped silently.
 *
 * Positions follow the PAN-OS 10.2 "Syslog Field Descriptions" (0-based; field 0 is FUTURE_USE,
 * prefixed by the syslog header when there is one): type 3, subtype 4, generated time 6, source 7,
 * destination 8, source user 12, application 14, destination port 25, action 30, TRAFFIC bytes 31,
 * THREAT URL/filename 31, user agent 46, referer 49, HTTP method 63. Positions that differ on other
 * versions are set with `logs.panosPositions`. Times are the firewall's local time, read in the
 * zone `logs.timeZone` names, else in the zone of this process (`TZ`).
 *
 * https://docs.paloaltonetworks.com/pan-os/10-2/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { isoFromLocal, splitTarget, text, toCount, toPort, userOf, type LineParser, type LogFormatDefinition, type ParseResult, type ParserContext } from "../common/index.js";
import { splitCsv } from "../csv.js";

const SOURCE = "logs:panos";

/** Positions of the fields read (0-based CSV indices). */
export interface PanosPositions {
  userAgent: number;
  referer: number;
  httpMethod: number;
}

export const PANOS_DEFAULT_POSITIONS: PanosPositions = { userAgent: 46, referer: 49, httpMethod: 63 };

const F_TYPE = 3;
const F_SUBTYPE = 4;
const F_RECEIVE_TIME = 1;
const F_GENERATED_TIME = 6;
const F_SRC = 7;
const F_DST = 8;
const F_SRC_USER = 12;
const F_APP = 14;
const F_DPORT = 25;
const F_ACTION = 30;
const F_BYTES = 31;
const F_URL = 31;

/**
 * `2018/11/30 16:09:07` (the firewall's local time) as ISO UTC, read in `zone` (`logs.timeZone`)
 * or else in this process's zone; undefined when not that shape.
 */
export function panosTime(s: string | undefined, zone?: string): string | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return undefined;
  return isoFromLocal(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0, zone);
}

export class PanosParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  private readonly pos: PanosPositions;

  constructor(
    private readonly ctx: ParserContext,
    positions: Partial<PanosPositions> = {},
  ) {
    this.pos = { ...PANOS_DEFAULT_POSITIONS, ...positions };
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    const f = splitCsv(t.slice(start, end), ",");
    if (typeof f === "string") return f;
    if (f[F_RECEIVE_TIME] === "Receive Time") return undefined; // header row of a CSV export
    if (f.length < 32) return `expected the comma-separated fields of a PAN-OS log (at least 32: ... type, subtype, ..., action, ...), found ${f.length}`;
    const type = f[F_TYPE];
    const subtype = f[F_SUBTYPE];
    const isUrl = type === "THREAT" && subtype === "url";
    if (!isUrl && type !== "TRAFFIC") return undefined;
    const time = panosTime(f[F_GENERATED_TIME], this.ctx.timeZone) ?? panosTime(f[F_RECEIVE_TIME], this.ctx.timeZone);
    if (!time) return `expected a time like 2018/11/30 16:09:07 in field 6 (generated time), found ${JSON.stringify((f[F_GENERATED_TIME] ?? "").slice(0, 40))}`;
    const ref = { file: this.ctx.file, line, offset };
    let o: Observation;
    if (isUrl) {
      const target = splitTarget(f[F_URL] ?? "");
      if (!target.host) return undefined;
      o = { source: SOURCE, kind: "http", time, host: target.host, ref };
      if (target.path !== undefined) o.path = target.path;
      const ua = text(f[this.pos.userAgent]);
      if (ua) o.userAgent = bound(ua);
      const method = text(f[this.pos.httpMethod], 32);
      if (method) o.method = method;
      const port = toPort(f[F_DPORT]) ?? target.port;
      if (port !== undefined && port !== 0) o.port = port;
    } else {
      o = { source: SOURCE, kind: "log", time, ref };
      const bytes = toCount(f[F_BYTES]);
      if (bytes !== undefined) o.bytes = bytes;
      const port = toPort(f[F_DPORT]);
      if (port !== undefined && port !== 0) o.port = port;
    }
    const app = text(f[F_APP], 128);
    if (app && app !== "incomplete" && app !== "not-applicable") o.appName = app;
    const user = userOf(f[F_SRC_USER]);
    if (user) o.user = user;
    const src = text(f[F_SRC], 64);
    if (src) o.client = src;
    const dst = text(f[F_DST], 64);
    if (dst) o.server = dst;
    const action = text(f[F_ACTION], 64);
    if (action) o.action = action;
    this.out.push(o);
    return undefined;
  }
}

/** PAN-OS CSV (after an optional syslog header): `1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,`. */
export const PANOS_LINE = /(^|[\s>])[^,\s]*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,(TRAFFIC|THREAT|SYSTEM|CONFIG|HIPMATCH|USERID|AUTH|DECRYPTION|GLOBALPROTECT|IPTAG|CORRELATION|SCTP|TUNNEL|GTP),/;

export const panosFormat: LogFormatDefinition = {
  name: "panos",
  description: "Palo Alto PAN-OS TRAFFIC and THREAT/url logs: syslog or CSV (auto-detected)",
  docsUrl: "https://docs.paloaltonetworks.com/pan-os/10-2/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions",
  detect: { line: (l) => PANOS_LINE.test(l) },
  createParser: (ctx, options) => new PanosParser(ctx, options.panosPositions ?? {}),
};
