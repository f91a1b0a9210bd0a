/**
 * BIND 9 query logs (`category queries`), as a file channel or through syslog:
 * `02-May-2023 13:33:40.299 queries: info: client @0x2c11226c 127.0.0.1#59751 (weather.bom.gov.au): view internal: query: weather.bom.gov.au IN A +E(0)K (127.0.0.1)`.
 * The time prefix is optional (`print-time`), the `@0x...` client pointer (BIND ≥ 9.11), the
 * `(qname)` (≥ 9.10), the `view` and the category/severity words are optional; flags (`+`, `-`,
 * `S`, `E(n)`, `T`, `D`, `C`, `K`, ...) are not interpreted.
 *
 * Each query becomes a `dns` observation: host (the query name), qtype, client address and the
 * server address BIND answered on. Time: `DD-Mon-YYYY HH:MM:SS[.mmm]` (print-time local), an
 * ISO 8601 time (print-time iso8601 / iso8601-utc), or a syslog `Mon DD HH:MM:SS` header (the year
 * taken as the one that puts the time not more than a day in the future); local times are read in
 * the zone `logs.timeZone` names, else in this process's zone (`TZ`). Lines that are not queries (other categories mixed into syslog) are
 * skipped silently.
 *
 * https://bind9.readthedocs.io/en/latest/reference.html#logging-categories (queries), BIND `lib/ns/query.c` log_query()
 */
import { bound, type Observation } from "../../src/core/observation.js";
import { isoFromLocal, isoFromRfc3339, monthIndex, type LineParser, type ParseResult, type ParserContext } from "./common.js";

const SOURCE = "logs:bind";

const BIND_TIME = /^(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;
const SYSLOG_TIME = /^(?:<\d+>)?([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/;
const QUERY = / client (?:@0x[0-9a-fA-F]+ )?([0-9a-fA-F.:]+)#(\d+)(?: \([^)]*\))?: (?:view ([^:]+): )?query: (\S+) (\S+) (\S+) (\S+)(?: \(([^)]*)\))?/;

/**
 * The time at the start of a BIND log line, ISO UTC, or undefined. BIND's own and syslog's times
 * have no zone: read in `zone` (`logs.timeZone`), else in this process's zone; a syslog header has
 * no year either: the one that puts the time at most a day after `now`.
 */
export function bindTime(line: string, now = new Date(), zone?: string): string | undefined {
  let m = BIND_TIME.exec(line);
  if (m) {
    return isoFromLocal(Number(m[3]), monthIndex(m[2]!), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Number(m[7]) : 0, zone);
  }
  m = ISO_TIME.exec(line);
  if (m) return isoFromRfc3339(m[1]!.replace(/(\.\d{3})\d+/, "$1"));
  m = SYSLOG_TIME.exec(line);
  if (m) {
    const mon = monthIndex(m[1]!);
    let year = now.getFullYear();
    const t = (y: number) => isoFromLocal(y, mon, Number(m![2]), Number(m![3]), Number(m![4]), Number(m![5]), 0, zone);
    let iso = t(year);
    if (iso && Date.parse(iso) > now.getTime() + 86_400_000) iso = t(--year);
    return iso;
  }
  return undefined;
}

export class BindParser implements LineParser {
  out: Observation[] = [];
  readonly json = false;

  constructor(private readonly ctx: ParserContext) {}

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    if (start === end) return undefined;
    const l = t.slice(start, end);
    const q = l.indexOf(" query: ");
    if (q < 0) return undefined;
    const m = QUERY.exec(l);
    if (!m) return "expected 'client [@0x...] ADDRESS#PORT [(name)]: [view V: ]query: NAME CLASS TYPE FLAGS (SERVER)'";
    const time = bindTime(l, undefined, this.ctx.timeZone);
    if (!time) return "expected the line to start with a time (02-May-2023 13:33:40.299, ISO 8601, or a syslog 'May  2 13:33:40')";
    const o: Observation = {
      source: SOURCE,
      kind: "dns",
      time,
      host: bound(m[4]!),
      qtype: bound(m[6]!, 32),
      client: bound(m[1]!, 64),
      ref: { file: this.ctx.file, line, offset },
    };
    if (m[8]) o.server = bound(m[8], 64);
    this.out.push(o);
    return undefined;
  }
}
