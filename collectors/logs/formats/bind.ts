/**
 * BIND 9 query logs (`category queries`), as a file channel or through syslog:
 * `02-May-2023 13:33:40.299 queries: info: client @0x2c11226c 127.0.0.1#59751 (weather.bom.gov.au): view internal: query: weather.bom.gov.au IN A +E(0)K (127.0.0.1)`.
 * The time prefix is optional (`print-time`), the `@0x...` client pointer (BIND ≥ 9.11), the
 * `(qname)` (≥ 9.10), the `view` and the category/severity words are optional; flags (`+`, `-`,
 * `S`, `E(n)`, `T`, `D`, `C`, `K`, ...) are not interpreted.
 *
 * Also the query-and-response layout DNS appliances built on BIND write (Infoblox NIOS
 * "DNS Responses" logging, through syslog):
 * `07-Apr-2022 08:08:10.043 client 192.168.0.1#57398 UDP: query: a1.foo.com IN A response: NOERROR +ED a1.foo.com 28800 IN A 192.168.0.2; ...`,
 * with or without a colon after the port and a category word (`infoblox-responses:`).
 *
 * Each query becomes a `dns` observation: host (the query name), qtype, client address, the
 * server address BIND answered on, and for the response layout the response code as `action`
 * and the answers' data (`response: true`). Time: BIND's own `DD-Mon-YYYY HH:MM:SS[.mmm]`
 * (print-time local) wherever it follows a syslog header, an ISO 8601 time (print-time iso8601 /
 * iso8601-utc, or an RFC 5424 header), else the syslog `Mon DD HH:MM:SS` header, which has no
 * year: the year is `logs.year` when configured, else the one that puts the time at most a day
 * after the file's modification time (a file written in January holding `Dec 31` lines gets the
 * year before), and the file gets one warning saying so. Local times are read in the zone
 * `logs.timeZone` names, else in this process's zone (`TZ`). Lines of other categories (syslog
 * mixes them in) are counted and reported once as a warning.
 *
 * https://bind9.readthedocs.io/en/latest/reference.html#logging-categories (queries), BIND `lib/ns/query.c` log_query()
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { isoFromLocal, isoFromRfc3339, monthIndex, type LineParser, type LogFormatDefinition, type ParseResult, type ParserContext } from "../common/index.js";

const SOURCE = "logs:bind";

/** Most answers kept from one response line. */
const MAX_ANSWERS = 32;

/** BIND's own print-time, after an optional syslog header: `07-Apr-2022 08:08:10.043`. */
const BIND_TIME = /(?:^|\s)(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?\s/;
/** ISO 8601 at the start, after an optional `<pri>` and RFC 5424 version. */
const ISO_TIME = /^(?:<\d{1,3}>(?:1 )?)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;
/** An RFC 3164 syslog header: `<30>Mar  9 23:59:59`. */
const SYSLOG_TIME = /^(?:<\d{1,3}>)?([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/;
/**
 * The query: `client [@0x...] ADDRESS#PORT [(qname)][:] [UDP: |TCP: ][view V: ]query: NAME CLASS TYPE
 * [response: RCODE ]FLAGS [(SERVER)| answers]`.
 */
const QUERY = /(?:^|\s)client (?:@0x[0-9a-fA-F]+ )?([0-9a-fA-F.:]+)#(\d+)(?: \([^)]*\))?:? (?:(?:view [^:]+|UDP|TCP): ){0,3}query: (\S+) (\S+) (\S+)(?: response: ([A-Z0-9]+))? ([-+]\S*)(?: \(([^)]*)\)|( .*))?$/;

/** What the year of a year-less syslog time was taken from. */
export interface YearSource {
  /** `logs.year`. */
  year?: number;
  /** The file's modification time (ms): the latest time its lines can carry. */
  fileTimeMs?: number;
}

/**
 * The time at the start of a BIND log line, ISO UTC, or undefined, and whether its year was
 * inferred (a syslog header without BIND's own time). BIND's own and syslog's times have no zone:
 * read in `zone` (`logs.timeZone`), else in this process's zone. A syslog header has no year:
 * `years.year` when given, else the year that puts the time at most a day after
 * `years.fileTimeMs` (else after now).
 */
export function bindTime(line: string, years: YearSource = {}, zone?: string): { time: string; inferred: boolean } | undefined {
  let m = BIND_TIME.exec(line.length > 160 ? line.slice(0, 160) : line);
  if (m) {
    const time = isoFromLocal(Number(m[3]), monthIndex(m[2]!), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Number(m[7]) : 0, zone);
    return time ? { time, inferred: false } : undefined;
  }
  m = ISO_TIME.exec(line);
  if (m) {
    const time = isoFromRfc3339(m[1]!.replace(/(\.\d{3})\d+/, "$1"));
    return time ? { time, inferred: false } : undefined;
  }
  m = SYSLOG_TIME.exec(line);
  if (!m) return undefined;
  const mon = monthIndex(m[1]!);
  const at = (y: number) => isoFromLocal(y, mon, Number(m![2]), Number(m![3]), Number(m![4]), Number(m![5]), 0, zone);
  if (years.year !== undefined) {
    const time = at(years.year);
    return time ? { time, inferred: false } : undefined;
  }
  const ref = years.fileTimeMs ?? Date.now();
  let year = new Date(ref).getUTCFullYear() + 1;
  let time = at(year);
  // The latest year that does not put the line more than a day after the file was last written.
  while (year > 1970 && (time === undefined || Date.parse(time) > ref + 86_400_000)) time = at(--year);
  return time ? { time, inferred: true } : undefined;
}

/** The data of the resource records after `response: RCODE FLAGS` (`name ttl class type data;` each). */
function answersOf(rest: string): string[] | undefined {
  const out: string[] = [];
  for (const rr of rest.split(";", MAX_ANSWERS + 1)) {
    const f = rr.trim().split(/\s+/);
    if (f.length >= 5 && /^\d+$/.test(f[1]!)) out.push(bound(f.slice(4).join(" "), 256));
    if (out.length >= MAX_ANSWERS) break;
  }
  return out.length > 0 ? out : undefined;
}

export class BindParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;
  /** Lines of other categories, and lines whose year came from the file's time. */
  private others = 0;
  private inferredYear: number | undefined;
  private inferred = 0;
  private readonly years: YearSource;

  constructor(private readonly ctx: ParserContext) {
    this.years = { ...(ctx.year !== undefined ? { year: ctx.year } : {}), ...(ctx.fileTimeMs !== undefined ? { fileTimeMs: ctx.fileTimeMs } : {}) };
  }

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    const l = t.slice(start, end);
    if (l.indexOf(" query: ") < 0) {
      this.others++;
      return undefined;
    }
    const m = QUERY.exec(l);
    if (!m) return "expected 'client [@0x...] ADDRESS#PORT [(name)]: [view V: ]query: NAME CLASS TYPE FLAGS (SERVER)' or '... query: NAME CLASS TYPE response: RCODE FLAGS ANSWERS'";
    const when = bindTime(l, this.years, this.ctx.timeZone);
    if (!when) return "expected the line to start with a time (02-May-2023 13:33:40.299, ISO 8601, or a syslog 'May  2 13:33:40')";
    if (when.inferred) {
      this.inferred++;
      this.inferredYear ??= Number(when.time.slice(0, 4));
    }
    const o: Observation = {
      source: SOURCE,
      kind: "dns",
      time: when.time,
      host: bound(m[3]!),
      qtype: bound(m[5]!, 32),
      client: bound(m[1]!, 64),
      ref: { file: this.ctx.file, line, offset },
    };
    if (m[8]) o.server = bound(m[8], 64);
    if (m[6]) {
      o.action = m[6];
      o.response = true;
      const answers = m[9] ? answersOf(m[9]) : undefined;
      if (answers) o.answers = answers;
    }
    this.out.push(o);
    return undefined;
  }

  finish(): void {
    if (this.inferred > 0) {
      this.ctx.warn(
        `${this.inferred} line(s) carry only a syslog time without a year: the year ${this.inferredYear} was taken from the file's modification time; set logs.year if that is wrong`,
      );
    }
    if (this.others > 0) this.ctx.warn(`${this.others} line(s) of other BIND categories or programs (no 'query:') were skipped`);
  }
}

/** A BIND query line of either layout (detection). */
export const BIND_LINE = /(?:^|\s)client (@0x[0-9a-fA-F]+ )?[0-9a-fA-F.:]+#\d+( \([^)]*\))?:? ((view [^:]+|UDP|TCP): ){0,3}query(-errors)?: \S+ [A-Z0-9]+ [A-Z0-9]+ (response: [A-Z0-9]+ )?[-+]/;

export const bindFormat: LogFormatDefinition = {
  name: "bind",
  description: "BIND 9 query log, and the query-and-response log of BIND-based appliances (Infoblox), as a file or through syslog (auto-detected)",
  docsUrl: "https://bind9.readthedocs.io/en/latest/reference.html#logging-categories",
  detect: { line: (l) => BIND_LINE.test(l), minShare: 0.25 },
  createParser: (ctx) => new BindParser(ctx),
};
