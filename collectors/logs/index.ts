/**
 * The log collector: proxy, DNS, network and SaaS logs that security teams already keep.
 *
 * One parser per format (`zeek.ts`, `squid.ts`, `clf.ts`, `okta.ts`, `zscaler.ts`, `panos.ts`,
 * `cloudflare.ts`, `bind.ts`, `generic.ts`), one line reader for all (`lines.ts`: streaming,
 * gzip, bounded lines), cursors for scheduled scans (`cursor.ts`), the reading order of rotated
 * files (`files.ts`) and format detection (`detect.ts`). The `logs:` section of `shadow-ai.yaml`
 * is defined in `config.ts`.
 */
import { stat } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import type { CollectContext, Collector } from "../../src/core/collector.js";
import { bound, type Observation } from "../../src/core/observation.js";
import { BindParser } from "./bind.js";
import { ClfParser } from "./clf.js";
import { CloudflareParser } from "./cloudflare.js";
import type { LineParser, ParserContext } from "./common.js";
import type { LogsConfig } from "./config.js";
import { fingerprint, savePoint, startPoint } from "./cursor.js";
import { detectFormat } from "./detect.js";
import { orderFiles } from "./files.js";
import { FORMAT_DESCRIPTIONS, FORMATS, isFormat, type LogFormat } from "./formats.js";
import { CsvParser, JsonlParser } from "./generic.js";
import { JsonArraySplitter } from "./json-array.js";
import { forEachLine, gzipSource, headLines, MAX_LINE_BYTES, plainSource, readHead, readLineEvents, type ByteSource, type LineLimits, type LineVisitor } from "./lines.js";
import { OktaParser } from "./okta.js";
import { PanosParser } from "./panos.js";
import { SquidParser } from "./squid.js";
import { DnsAnswerMap, ZeekParser } from "./zeek.js";
import { ZSCALER_SAMPLE_FIELDS, ZscalerParser } from "./zscaler.js";

export const id = "logs";
export const displayName = "Proxy, DNS, network and SaaS logs";
export const docsUrl = "https://docs.zeek.org/en/master/log-formats.html";

export { FORMATS, FORMAT_DESCRIPTIONS, isFormat, type LogFormat } from "./formats.js";
export { detectFormat } from "./detect.js";
export { logsConfigSchema, logMappingSchema, type LogsConfig, type LogMapping } from "./config.js";
export { orderFiles } from "./files.js";

/** The documentation each format follows. */
export const FORMAT_DOCS: Record<LogFormat, string> = {
  zeek: "https://docs.zeek.org/en/master/log-formats.html",
  squid: "https://www.squid-cache.org/Doc/config/logformat/",
  clf: "https://httpd.apache.org/docs/current/logs.html#common",
  okta: "https://developer.okta.com/docs/reference/api/system-log/",
  zscaler: "https://help.zscaler.com/zia/nss-feed-output-format-web-logs",
  panos: "https://docs.paloaltonetworks.com/pan-os/10-2/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions",
  cloudflare: "https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_http/",
  bind: "https://bind9.readthedocs.io/en/latest/reference.html#logging-categories",
  csv: "https://www.rfc-editor.org/rfc/rfc4180",
  jsonl: "https://jsonlines.org/",
};

/** Bytes between two progress reports. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

/** Malformed lines reported one by one per file; the rest are counted in one summary. */
export const MALFORMED_SHOWN = 5;

/**
 * Options of a log scan: the `logs:` section of `shadow-ai.yaml` (see `config.ts`) with `format`
 * set from `--format` when given, plus test knobs.
 */
export interface LogOptions extends Omit<LogsConfig, "format"> {
  /** Read every input as this format (a name of {@link FORMATS}: `--format`); otherwise each file's format is detected. */
  format?: string;
  /** The format of files whose format cannot be detected (`logs.format` of `shadow-ai.yaml`). */
  defaultFormat?: string;
  /** Chunk and line-length limits (tests lower them). */
  limits?: LineLimits;
}

/**
 * The options of a log scan from the `logs:` section of `shadow-ai.yaml` (may be absent) and the
 * command line's `--format` (wins over detection; `logs.format` is used only where detection fails).
 */
export function logOptions(config: LogsConfig | undefined, cliFormat?: string): LogOptions {
  const { format, ...rest } = config ?? {};
  return { ...rest, ...(cliFormat !== undefined ? { format: cliFormat } : {}), ...(format !== undefined ? { defaultFormat: format } : {}) };
}

/** Files of every run share this: DNS answers for conn.log. */
interface RunState {
  dns: DnsAnswerMap;
}

/**
 * Stream the observations of log files, a batch per chunk of 64 KiB of input, in file order
 * ({@link orderFiles}: rotated siblings oldest first). The same as {@link collectLogs} with less
 * per-observation overhead: a consumer that handles a batch at a time saves an `await` per record.
 *
 * Per file: the format is `options.format` or detected from the first lines ({@link detectFormat});
 * gzip is recognised by its magic bytes and decompressed as a stream; lines longer than 64 KiB,
 * invalid UTF-8 and `\r\n` are handled by `lines.ts`. With `ctx.cursors`, reading resumes where
 * the last scan stopped (see `cursor.ts`) and the position is recorded after each batch has been
 * consumed, so a scan killed mid-file resumes at the last committed batch.
 *
 * Errors never stop the scan and never throw: an unreadable file, an unknown format or a missing
 * mapping are reported with `partial: false`; the first {@link MALFORMED_SHOWN} malformed lines of
 * a file are reported with their line, byte offset and what was expected (`partial: true`), then
 * one summary with the total; a read or gzip error mid-file is reported with the offset reached
 * (everything before it is kept).
 */
export async function* collectLogBatches(files: readonly string[], options: LogOptions, ctx: CollectContext): AsyncGenerator<Observation[]> {
  for (const f of [options.format, options.defaultFormat]) {
    if (f !== undefined && !isFormat(f)) {
      ctx.onError({ input: files.join(", ") || "(no input)", message: `unknown log format ${JSON.stringify(bound(f, 40))}: expected one of ${FORMATS.join(", ")}`, partial: false });
      return;
    }
  }
  const run: RunState = { dns: new DnsAnswerMap() };
  for (const file of orderFiles(files)) yield* readFile(file, options, ctx, run);
}

/**
 * Stream the observations of log files, one by one: see {@link collectLogBatches} for formats,
 * order, cursors and errors. Each observation has `source` `logs:<format>`, a `kind` (`dns`,
 * `tls`, `quic`, `http`, `oauth_event`, `signin`, or `log`), `time` (ISO 8601 UTC with ms), and
 * `ref: {file, line, offset}` (1-based line, byte offset of the line in the decompressed file).
 */
export async function* collectLogs(files: readonly string[], options: LogOptions, ctx: CollectContext): AsyncGenerator<Observation> {
  for await (const batch of collectLogBatches(files, options, ctx)) {
    for (let i = 0; i < batch.length; i++) yield batch[i]!;
  }
}

/** The collector as the core interface sees it: input is the list of log files (directories expanded by the caller). */
export const logsCollector: Collector<string[]> = { id, displayName, docsUrl, collect: (files, ctx) => collectLogs(files, {}, ctx) };

/** Counts malformed lines of a file and reports the first few. */
class Malformed {
  count = 0;

  constructor(
    private readonly file: string,
    private readonly ctx: CollectContext,
  ) {}

  add(line: number, offset: number, message: string): void {
    this.count++;
    if (this.count <= MALFORMED_SHOWN) this.ctx.onError({ input: this.file, line, offset, message: `line ${line}: ${bound(message, 400)}; line skipped`, partial: true });
  }

  finish(): void {
    if (this.count > MALFORMED_SHOWN) {
      this.ctx.onError({ input: this.file, message: `${this.count} malformed lines in all were skipped (the first ${MALFORMED_SHOWN} are reported above)`, partial: true });
    }
  }
}

/** A parser for `format`, or why the file cannot be read that way. */
function createParser(format: LogFormat, pctx: ParserContext, options: LogOptions, run: RunState): LineParser | string {
  switch (format) {
    case "zeek":
      return new ZeekParser(pctx, run.dns);
    case "squid":
      return new SquidParser(pctx);
    case "clf":
      return new ClfParser(pctx);
    case "okta":
      return new OktaParser(pctx);
    case "cloudflare":
      return new CloudflareParser(pctx);
    case "bind":
      return new BindParser(pctx);
    case "panos":
      return new PanosParser(pctx, options.panosPositions ?? {});
    case "zscaler":
      return new ZscalerParser(pctx, options.zscalerFields ?? ZSCALER_SAMPLE_FIELDS, options.zscalerDelimiter);
    case "csv":
    case "jsonl":
      if (!options.mapping) {
        return `format ${format} needs a column mapping: add logs.mapping to shadow-ai.yaml naming at least the time and the host (or url) ${format === "csv" ? "columns" : "keys"}`;
      }
      return format === "csv" ? new CsvParser(pctx, options.mapping, options.csv) : new JsonlParser(pctx, options.mapping);
  }
}

async function* readFile(file: string, options: LogOptions, ctx: CollectContext, run: RunState): AsyncGenerator<Observation[]> {
  let st: BigIntStats;
  let head: Buffer;
  let gzip: boolean;
  try {
    st = await stat(file, { bigint: true });
    if (!st.isFile()) {
      ctx.onError({ input: file, message: "not a regular file: expected a log file", partial: false });
      return;
    }
    ({ head, gzip } = await readHead(file));
  } catch (e) {
    ctx.onError({ input: file, message: `cannot read: ${bound((e as Error).message, 300)}`, partial: false });
    return;
  }
  const size = Number(st.size);
  const first = headLines(head, !gzip && head.length === size);
  const firstText = first.find((l) => l.trim().length > 0)?.trimStart() ?? "";
  const format =
    (options.format as LogFormat | undefined) ??
    detectFormat(first) ??
    (options.defaultFormat as LogFormat | undefined) ??
    // with a mapping configured and nothing else known, the generic reader is the only candidate
    (options.mapping && firstText.length > 0 ? (firstText.startsWith("{") || firstText.startsWith("[") ? "jsonl" : "csv") : undefined);
  if (!format) {
    if (first.every((l) => l.trim().length === 0)) return; // an empty file: nothing to say
    ctx.onError({
      input: file,
      message:
        "cannot tell the log format from the first lines; auto-detected are Zeek, Squid, common/combined, Okta, " +
        `Zscaler (JSON), PAN-OS, Cloudflare Gateway and BIND logs: give --format (${FORMATS.join(" | ")}) or logs.format in shadow-ai.yaml`,
      partial: false,
    });
    return;
  }
  const malformed = new Malformed(file, ctx);
  const pctx: ParserContext = {
    file,
    report: (message) => ctx.onError({ input: file, message, partial: true }),
    ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
  };
  const parser = createParser(format, pctx, options, run);
  if (typeof parser === "string") {
    ctx.onError({ input: file, message: parser, partial: false });
    return;
  }
  const arrayMode = parser.json && firstText.startsWith("[");
  // Gzip files and JSON arrays are read whole and remembered as done; plain line files resume.
  const whole = gzip || arrayMode;
  const fp = fingerprint(head);
  const start = startPoint(ctx.cursors, file, st, fp, arrayMode ? "whole" : gzip ? "gzip" : "lines");
  if (start.skip) return;
  if (!gzip && start.offset === size && start.from?.size === size) return; // nothing new
  if (start.offset > 0) parser.prime?.(first);

  const maxLine = options.limits?.maxLineBytes ?? MAX_LINE_BYTES;
  let visitor: LineVisitor;
  let splitter: JsonArraySplitter | undefined;
  if (arrayMode) {
    splitter = new JsonArraySplitter({
      element: (json, line, offset) => {
        let v: unknown;
        try {
          v = JSON.parse(json);
        } catch (e) {
          malformed.add(line, offset, `invalid JSON in array element: ${(e as Error).message.slice(0, 120)}`);
          return;
        }
        const err = parser.record!(v, line, offset);
        if (err) malformed.add(line, offset, err);
      },
      error: (message, line, offset) => malformed.add(line, offset, message),
    });
    const sp = splitter;
    visitor = {
      line: (t, s, e, line, offset) => sp.feed(t, s, e, line, offset),
      long: (line, offset, length) => malformed.add(line, offset, `line of ${length} bytes is over the ${maxLine}-byte limit`),
    };
  } else {
    visitor = {
      line: (t, s, e, line, offset) => {
        const err = parser.line(t, s, e, line, offset);
        if (err !== undefined) malformed.add(line, offset, err);
      },
      long: (line, offset, length) => malformed.add(line, offset, `line of ${length} bytes is over the ${maxLine}-byte limit`),
    };
  }

  let source: ByteSource;
  try {
    source = gzip ? gzipSource(file, start.offset) : await plainSource(file, start.offset);
  } catch (e) {
    ctx.onError({ input: file, message: `cannot read: ${bound((e as Error).message, 300)}`, partial: false });
    return;
  }
  let line = start.line;
  let pos = start.offset;
  let failed = false;
  let reported = pos;
  try {
    for await (const ev of readLineEvents(source, start.offset, options.limits)) {
      let savedSize = ev.endOffset;
      if (ev.type === "lines") {
        line = forEachLine(ev.bytes, ev.offset, line, visitor, maxLine);
        pos = ev.endOffset;
      } else if (ev.type === "long") {
        visitor.long(line, ev.offset, ev.length);
        line++;
        pos = ev.endOffset;
      } else {
        // The unterminated last line: read it now unless a writer may still be adding to it
        // (scheduled scans hold it until it ends with '\n' or the file stays unchanged for a scan).
        const unchanged = start.from !== undefined && start.from.offset === ev.offset && start.from.size === ev.endOffset;
        if (!ctx.cursors || whole || unchanged) {
          line = forEachLine(ev.bytes, ev.offset, line, visitor, maxLine);
          pos = ev.endOffset;
        }
        savedSize = ev.endOffset;
      }
      if (parser.out.length > 0) {
        const batch = parser.out;
        parser.out = [];
        yield batch;
      }
      // Resumed here: every observation before `pos` has been consumed.
      if (!whole) savePoint(ctx.cursors, file, st, fp, { offset: pos, line, size: savedSize });
      if (pos - reported >= PROGRESS_BYTES) {
        reported = pos;
        ctx.onProgress?.(pos, gzip ? undefined : size, "bytes");
      }
    }
  } catch (e) {
    failed = true;
    ctx.onError({
      input: file,
      offset: pos,
      line,
      message: `read stopped at byte ${pos} (line ${line}): ${bound((e as Error).message, 300)}${gzip ? " (a gzip file cut short or corrupt?)" : ""}`,
      partial: true,
    });
  } finally {
    await source.close();
  }
  splitter?.end(line, pos);
  parser.finish?.();
  if (parser.out.length > 0) {
    const batch = parser.out;
    parser.out = [];
    yield batch;
  }
  malformed.finish();
  if (pos > reported) ctx.onProgress?.(pos, gzip ? undefined : size, "bytes");
  if (whole && !failed) savePoint(ctx.cursors, file, st, fp, { offset: pos, line, size, done: true });
}
