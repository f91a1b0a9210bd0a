/**
 * Zscaler Internet Access NSS web logs. The feed output format is defined by the administrator
 * (a list of field macros such as `%s{login}`), so the field order comes from configuration:
 *
 * - JSON feeds (the Cloud NSS default, and the Splunk HEC wrapper
 *   `{"sourcetype": "zscalernss-web", "event": {...}}`) name their fields: nothing to configure.
 * - Tab- or comma-separated feeds: `logs.zscalerFields` lists the field names in feed order
 *   (`[time, login, proto, eurl, ...]`, the names inside the macros' braces); `logs.zscalerDelimiter`
 *   sets the delimiter (default: tab when the first line has one, else comma; quoted fields are
 *   unquoted). Without `zscalerFields`, {@link ZSCALER_SAMPLE_FIELDS} is assumed.
 *
 * Each record becomes an `http` observation: host, port and path from `eurl`/`url` (a URL without
 * scheme) or `ehost`/`host`, `login` as user, `cip`/`sip` as client/server, `reqmethod`, `ua`,
 * `reqsize + respsize` (or `totalsize`) as bytes, `appname` as appName (Zscaler's own cloud app
 * name, e.g. `ChatGPT`), `dept` as department, `action` (Allowed/Blocked). Time is
 * `epochtime` when the feed has it, else `time` (`Mon Jun 20 15:29:11 2022`) read as UTC: set the
 * feed's time zone to GMT, or add `%d{epochtime}` to the feed. Fields prefixed `e` (`elogin`, `eua`)
 * are URL-decoded.
 *
 * https://help.zscaler.com/zia/nss-feed-output-format-web-logs
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import {
  epochAutoToMs,
  isoFromMs,
  isoFromRfc3339,
  isoFromUtc,
  isRecord,
  isWrapped,
  monthIndex,
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
import { delimiterChar, splitCsv } from "../csv.js";

const SOURCE = "logs:zscaler";

/**
 * The field order of Zscaler's documented web-log sample (the same fields, in the same order, as
 * the JSON sample of the elastic `zscaler_zia` integration), assumed when `zscalerFields` is not set.
 */
export const ZSCALER_SAMPLE_FIELDS = [
  "time", "login", "proto", "eurl", "action", "appname", "appclass", "reqsize", "respsize", "stime", "ctime",
  "urlclass", "urlsupercat", "urlcat", "malwarecat", "threatname", "riskscore", "dlpeng", "dlpdict", "location",
  "dept", "cip", "sip", "reqmethod", "respcode", "ua", "ereferer", "ruletype", "rulelabel", "contenttype",
  "unscannabletype", "deviceowner", "devicehostname",
];

/** Departments Zscaler writes when it does not know one. */
const NO_DEPARTMENT = new Set(["unknown", "default department", "none", "n/a", "na"]);

/**
 * `Mon Jun 20 15:29:11 2022` (ctime, no zone) read in `zone` (`logs.timeZone`: the NSS feed's
 * time zone setting), else as UTC (the feed's default, GMT), as ms; NaN when not that shape.
 */
export function ctimeToMs(s: string, zone?: string): number {
  const m = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(s.trim());
  if (!m) return Number.NaN;
  const iso = isoFromUtc(Number(m[6]), monthIndex(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, zone);
  return iso ? Date.parse(iso) : Number.NaN;
}

/** `Jun 20 2022 15:29:11` (the CEF `rt` form of NSS feeds), read as {@link ctimeToMs} reads ctime. */
const MON_DAY_YEAR = /^([A-Za-z]{3}) +(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * An NSS `time` value in any of the forms Zscaler feeds write, as ms since the epoch, or NaN:
 *
 * - `Mon Jun 20 15:29:11 2022`: `%s{time}`, the default of NSS feed output formats;
 * - `2021-12-31 08:08:08` (also with `T`, a fraction or an offset): Cloud NSS feeds and the
 *   "Splunk CIM" feed format `%d{yy}-%02d{mth}-%02d{dd} %02d{hh}:%02d{mm}:%02d{ss}`;
 * - `Jun 20 2022 15:29:11`: the CEF `rt` form;
 * - Unix seconds or milliseconds (`%d{epochtime}` written into `time`).
 *
 * Times without an offset are in the feed's time zone: `zone` (`logs.timeZone`), else UTC (GMT,
 * the feed default). https://help.zscaler.com/zia/nss-feed-output-format-web-logs
 */
export function nssTimeToMs(s: string, zone?: string): number {
  const t = s.trim();
  if (t.length === 0 || t.length > 64) return Number.NaN;
  const c = t.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
      const iso = isoFromRfc3339(t, zone);
      return iso ? Date.parse(iso) : Number.NaN;
    }
    return epochAutoToMs(t);
  }
  const ms = ctimeToMs(t, zone);
  if (!Number.isNaN(ms)) return ms;
  const m = MON_DAY_YEAR.exec(t);
  if (!m) return Number.NaN;
  const iso = isoFromUtc(Number(m[3]), monthIndex(m[1]!), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), 0, zone);
  return iso ? Date.parse(iso) : Number.NaN;
}

/** Base64 text (`b64url`, `b64referer` of newer feeds) decoded as UTF-8, or undefined. */
function base64Text(v: unknown): string | undefined {
  const s = text(v, 16384);
  if (!s || !/^[A-Za-z0-9+/=_-]+$/.test(s)) return undefined;
  const d = Buffer.from(s, "base64").toString("utf8");
  return d.length > 0 && !d.includes("\ufffd") ? d : undefined;
}

function decoded(v: unknown): string | undefined {
  const s = text(v);
  if (!s || s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class ZscalerParser implements LineParser {
  out: Observation[] = [];
  readonly json = true;
  private delimiter: string | undefined;

  constructor(
    private readonly ctx: ParserContext,
    private readonly fields: readonly string[],
    delimiter: string | undefined,
  ) {
    this.delimiter = delimiter === undefined ? undefined : delimiterChar(delimiter, "\t");
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    const l = t.slice(start, end);
    if (t.charCodeAt(start) === 123 /* { */) {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (e) {
        return `invalid JSON: ${(e as Error).message.slice(0, 120)}`;
      }
      return this.record(v, line, offset);
    }
    this.delimiter ??= l.indexOf("\t") >= 0 ? "\t" : ",";
    const values = splitCsv(l, this.delimiter);
    if (typeof values === "string") return values;
    if (values.length < Math.min(this.fields.length, 3)) {
      return `expected ${this.fields.length} ${this.delimiter === "\t" ? "tab" : JSON.stringify(this.delimiter)}-separated fields (logs.zscalerFields), found ${values.length}`;
    }
    const rec: Record<string, string> = {};
    const n = Math.min(values.length, this.fields.length);
    for (let i = 0; i < n; i++) rec[this.fields[i]!] = values[i]!;
    return this.record(rec, line, offset);
  }

  record(value: unknown, line: number, offset: number): ParseResult {
    const v = isRecord(value) && isWrapped(value) ? unwrapRecord(value) : value;
    if (!isRecord(v)) return "expected a Zscaler NSS web record (a JSON object)";
    const r = isRecord(v["event"]) ? v["event"] : v;
    let ms = epochAutoToMs(r["epochtime"]);
    if (Number.isNaN(ms) && typeof r["time"] === "string") ms = nssTimeToMs(r["time"], this.ctx.timeZone);
    const time = isoFromMs(ms);
    if (!time) {
      return `expected 'epochtime', or 'time' like "Mon Jun 20 15:29:11 2022" or "2021-12-31 08:08:08", found ${JSON.stringify(String(r["time"] ?? r["epochtime"]).slice(0, 40))}`;
    }
    const url = text(r["eurl"]) ?? text(r["url"]) ?? base64Text(r["b64url"]);
    const target = url ? splitTarget(url) : {};
    const host = text(r["ehost"]) ?? text(r["host"]) ?? text(r["hostname"]) ?? target.host;
    if (!host) return undefined;
    const o: Observation = { source: SOURCE, kind: "http", time, host: bound(host), ref: { file: this.ctx.file, line, offset } };
    const port = target.port ?? toPort(r["sport"] as string | undefined);
    if (port !== undefined) o.port = port;
    if (target.path !== undefined) o.path = target.path;
    const user = userOf(r["login"]) ?? userOf(decoded(r["elogin"]));
    if (user) o.user = user;
    const client = text(r["cip"], 64) ?? text(r["cintip"], 64) ?? text(r["cltip"], 64) ?? text(r["cltintip"], 64);
    if (client) o.client = client;
    const server = text(r["sip"], 64) ?? text(r["serverip"], 64);
    if (server) o.server = server;
    const method = text(r["reqmethod"], 32);
    if (method) o.method = method;
    const ua = text(r["ua"]) ?? text(r["useragent"]) ?? decoded(r["eua"]);
    if (ua) o.userAgent = bound(ua);
    const bytes = sumCounts(toCount(r["reqsize"]), toCount(r["respsize"])) ?? toCount(r["totalsize"]);
    if (bytes !== undefined) o.bytes = bytes;
    const app = text(r["appname"], 256);
    if (app && app !== "General Browsing") o.appName = app;
    const dept = text(r["dept"], 256) ?? decoded(r["edept"]);
    if (dept && !NO_DEPARTMENT.has(dept.toLowerCase())) o.department = bound(dept, 256);
    const action = text(r["action"], 64);
    if (action) o.action = action;
    this.out.push(o);
    return undefined;
  }
}

/** A Zscaler NSS web record: the HEC `sourcetype`, or the feed's own field names. */
function isZscalerRecord(o: Record<string, unknown>): boolean {
  if (typeof o["sourcetype"] === "string" && o["sourcetype"].startsWith("zscalernss")) return true;
  const ev = o["event"];
  if (isRecord(ev) && ("eurl" in ev || "b64url" in ev)) return true;
  return ("eurl" in o || "b64url" in o) && ("login" in o || "cip" in o || "cltip" in o);
}

export const zscalerFormat: LogFormatDefinition = {
  name: "zscaler",
  description: "Zscaler NSS web log: JSON (auto-detected), or tab/comma-separated with logs.zscalerFields (needs --format)",
  docsUrl: "https://help.zscaler.com/zia/nss-feed-output-format-web-logs",
  detect: { record: isZscalerRecord },
  createParser: (ctx, options) => new ZscalerParser(ctx, options.zscalerFields ?? ZSCALER_SAMPLE_FIELDS, options.zscalerDelimiter),
};
