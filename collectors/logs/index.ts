/**
 * The log collector: proxy, DNS, network and SaaS logs that security teams already keep.
 *
 * One file per format under `formats/` (listed once in `formats/index.ts`: name, description,
 * docs URL, detector, settings, parser), helpers every format shares under `common/`, one line
 * reader for all (`lines.ts`: streaming, gzip, bounded lines), cursors for scheduled scans
 * (`cursor.ts`), the reading order of rotated files (`files.ts`) and format detection
 * (`detect.ts`, driven by the formats' detectors). The `logs:` section of `shadow-ai.yaml` is
 * defined in `config.ts`, each format's own section by the format.
 */
import { stat } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import type { CollectContext, Collector, InputError } from "../../src/core/collector.js";
import type { KeepInput, SkippedItem } from "../../src/core/source.js";
import { bound, type Observation } from "../../src/core/observation.js";
import type { LineParser, ParserContext, RunState } from "./common/index.js";
import { fingerprint, savePoint, startPoint } from "./cursor.js";
import { detectedFormats, detectFormat, MAX_DETECT_LINE } from "./detect.js";
import { orderFiles } from "./files.js";
import { FORMATS, isFormat } from "./formats.js";
import { logFormat } from "./formats/index.js";
import { JsonArraySplitter } from "./json-array.js";
import { forEachLine, gzipSource, HEAD_BYTES, headLines, MAX_LINE_BYTES, plainSource, readHead, readLineEvents, type ByteSource, type LineVisitor } from "./lines.js";
import type { LogOptions } from "./options.js";

export const id = "logs";
export const displayName = "Proxy, DNS, network and SaaS logs";
export const docsUrl = "https://docs.zeek.org/en/master/log-formats.html";

export { FORMATS, FORMAT_DESCRIPTIONS, FORMAT_DOCS, isFormat, type LogFormat } from "./formats.js";
export { LOG_FORMATS, listLogFormats, logFormat } from "./formats/index.js";
export type { LogFormatDefinition, LogFormatInfo, FormatDetector } from "./common/index.js";
export { detectFormat } from "./detect.js";
export { logsConfigSchema, logMappingSchema, type LogsConfig, type LogMapping } from "./config.js";
export { logOptions, type LogOptions } from "./options.js";
export { orderFiles } from "./files.js";

/** Bytes between two progress reports. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

/** Malformed lines reported one by one per file; the rest are counted in one summary. */
export const MALFORMED_SHOWN = 5;

/** Default of `logs.malformedTolerance`: malformed lines up to this share of a file's lines are warnings. */
export const DEFAULT_MALFORMED_TOLERANCE = 0.001;

/**
 * Something harmless worth showing: not a failure, never makes a scan partial. Lines skipped
 * within `logs.malformedTolerance`, records of no interest skipped for a stated reason (other
 * Zeek logs, other Okta events, web-server lines without a host), an empty file, a year taken
 * from a file's modification time.
 */
export interface InputWarning {
  /** The file. */
  input: string;
  /** 1-based line, when the warning is about one line. */
  line?: number;
  /** Byte offset of that line. */
  offset?: number;
  /** What was seen and what was done. */
  message: string;
  /** How many lines or records the warning stands for (1 for a single line). */
  count: number;
}

/** The collector's context: the core one, plus where warnings go (kept apart from errors). */
export interface LogCollectContext extends CollectContext {
  /** Receive warnings as they are found (they are also in the {@link LogCollectionResult}). */
  onWarning?(warning: InputWarning): void;
  /**
   * Keep only the observations this accepts (`keeps()` of src/pipeline/keep.ts, as the scan
   * passes it): the rest are not yielded but counted through {@link onSkipped}, and a parser that
   * can decides before it builds the observation (Squid's native lines). Absent: yield everything.
   */
  keep?(o: KeepInput): boolean;
  /** How many observations `keep` dropped, reported after each chunk that dropped some. */
  onSkipped?(count: number): void;
}

/** What one file gave. */
export interface LogFileResult {
  file: string;
  /** The format it was read as, or undefined when it was not read. */
  format?: string;
  /** Lines (or array elements' lines) read this time. */
  lines: number;
  /** Observations yielded. */
  records: number;
  /** Observations read and dropped because `ctx.keep` did not keep them. */
  skipped: number;
  /** Errors reported for this file (each `onError` call counts once). */
  errors: number;
  /** Warnings reported for this file. */
  warnings: number;
}

/**
 * The return value of {@link collectLogBatches} (the generator's `return`, seen by a consumer
 * that iterates it by hand): per file what was read, and every warning (at most
 * {@link MAX_WARNINGS_KEPT}; `warningCount` counts all). Errors went to `ctx.onError`.
 */
export interface LogCollectionResult {
  files: LogFileResult[];
  warnings: InputWarning[];
  warningCount: number;
  errorCount: number;
}

/** Warnings kept in the result (the rest are counted). */
export const MAX_WARNINGS_KEPT = 1000;

/** Files of one run share this (Zeek's DNS answers for conn.log). */
class SharedState implements RunState {
  private readonly values = new Map<string, unknown>();
  shared<T>(key: string, make: () => T): T {
    if (!this.values.has(key)) this.values.set(key, make());
    return this.values.get(key) as T;
  }
}

/** Where one run's problems go: errors to `onError`, warnings to `onWarning` and the result. */
class Reporter {
  readonly result: LogCollectionResult = { files: [], warnings: [], warningCount: 0, errorCount: 0 };

  constructor(private readonly ctx: LogCollectContext) {}

  error(e: InputError, file?: LogFileResult): void {
    this.result.errorCount++;
    if (file) file.errors++;
    this.ctx.onError(e);
  }

  warn(w: InputWarning, file?: LogFileResult): void {
    this.result.warningCount++;
    if (file) file.warnings++;
    if (this.result.warnings.length < MAX_WARNINGS_KEPT) this.result.warnings.push(w);
    this.ctx.onWarning?.(w);
  }
}

/**
 * Stream the observations of log files, a batch per chunk of 64 KiB of input, in file order
 * ({@link orderFiles}: rotated siblings oldest first). The same as {@link collectLogs} with less
 * per-observation overhead: a consumer that handles a batch at a time saves an `await` per record.
 *
 * Per file: the format is `options.format` or detected from the head ({@link detectFormat}; up to
 * 256 KiB, over-long lines left out); gzip is recognised by its magic bytes and decompressed as a
 * stream; lines longer than 64 KiB, invalid UTF-8 and `\r\n` are handled by `lines.ts`. With
 * `ctx.cursors`, reading resumes where the last scan stopped (see `cursor.ts`) and the position is
 * recorded after each batch has been consumed, so a scan killed mid-file resumes at the last
 * committed batch.
 *
 * Errors never stop the scan and never throw. Errors (`ctx.onError`): an unreadable file, a binary
 * or undecodable file, an unknown format or a missing mapping (`partial: false`); lines over the
 * length limit (always); malformed lines above `logs.malformedTolerance` of the file's lines (the
 * first {@link MALFORMED_SHOWN} with line, offset and what was expected, then one summary;
 * `partial: true`); a read or gzip error mid-file, with the offset reached. Warnings
 * (`ctx.onWarning`, and the returned {@link LogCollectionResult}): malformed lines within the
 * tolerance, records of no interest the parser skipped for a stated reason, an empty file.
 */
export async function* collectLogBatches(files: readonly string[], options: LogOptions, ctx: LogCollectContext): AsyncGenerator<Observation[], LogCollectionResult> {
  const reporter = new Reporter(ctx);
  for (const f of [options.format, options.defaultFormat]) {
    if (f !== undefined && !isFormat(f)) {
      reporter.error({ input: files.join(", ") || "(no input)", message: `unknown log format ${JSON.stringify(bound(f, 40))}: expected one of ${FORMATS.join(", ")}`, partial: false });
      return reporter.result;
    }
  }
  const run = new SharedState();
  for (const file of orderFiles(files)) {
    const r: LogFileResult = { file, lines: 0, records: 0, skipped: 0, errors: 0, warnings: 0 };
    reporter.result.files.push(r);
    for await (const batch of readFile(file, options, ctx, run, reporter, r)) {
      r.records += batch.length;
      yield batch;
    }
  }
  return reporter.result;
}

/**
 * {@link collectLogBatches} keeping only what `keep` keeps (see {@link LogCollectContext.keep}):
 * yields the kept observations a chunk at a time and, as {@link SkippedItem}s, how many were
 * dropped, for the scan pipeline to count (src/pipeline/ingest.ts).
 */
export async function* collectKeptLogBatches(
  files: readonly string[],
  options: LogOptions,
  ctx: LogCollectContext,
  keep: (o: KeepInput) => boolean,
): AsyncGenerator<Observation[] | SkippedItem, LogCollectionResult> {
  let skipped = 0;
  const batches = collectLogBatches(files, options, { ...ctx, keep, onSkipped: (n) => (skipped += n) });
  for (;;) {
    const r = await batches.next();
    if (skipped > 0) {
      yield { skipped };
      skipped = 0;
    }
    if (r.done) return r.value;
    yield r.value;
  }
}

/**
 * Stream the observations of log files, one by one: see {@link collectLogBatches} for formats,
 * order, cursors, errors and warnings. Each observation has `source` `logs:<format>`, a `kind`
 * (`dns`, `tls`, `quic`, `http`, `oauth_event`, `signin`, or `log`), `time` (ISO 8601 UTC with
 * ms), and `ref: {file, line, offset}` (1-based line, byte offset of the line in the decompressed
 * file).
 */
export async function* collectLogs(files: readonly string[], options: LogOptions, ctx: LogCollectContext): AsyncGenerator<Observation> {
  for await (const batch of collectLogBatches(files, options, ctx)) {
    for (let i = 0; i < batch.length; i++) yield batch[i]!;
  }
}

/** The collector as the core interface sees it: input is the list of log files (directories expanded by the caller). */
export const logsCollector: Collector<string[]> = { id, displayName, docsUrl, collect: (files, ctx) => collectLogs(files, {}, ctx) };

/**
 * Counts a file's malformed lines and reports them when the file ends: as warnings when they are
 * within the tolerance (a share of the lines read), else as errors. The first
 * {@link MALFORMED_SHOWN} are kept with line and offset, the rest summed. Over-long lines are
 * always errors, reported at once.
 */
class Malformed {
  count = 0;
  long = 0;
  private readonly first: { line: number; offset: number; message: string }[] = [];

  constructor(
    private readonly file: string,
    private readonly reporter: Reporter,
    private readonly result: LogFileResult,
    private readonly tolerance: number,
  ) {}

  add(line: number, offset: number, message: string): void {
    this.count++;
    if (this.first.length < MALFORMED_SHOWN) this.first.push({ line, offset, message: bound(message, 400) });
  }

  tooLong(line: number, offset: number, length: number, max: number): void {
    this.long++;
    if (this.long <= MALFORMED_SHOWN) {
      this.reporter.error({ input: this.file, line, offset, message: `line ${line}: line of ${length} bytes is over the ${max}-byte limit; line skipped`, partial: true }, this.result);
    }
  }

  finish(linesRead: number): void {
    if (this.long > MALFORMED_SHOWN) {
      this.reporter.error({ input: this.file, message: `${this.long} lines over the line limit in all were skipped (the first ${MALFORMED_SHOWN} are reported above)`, partial: true }, this.result);
    }
    if (this.count === 0) return;
    const within = this.count <= Math.floor(this.tolerance * linesRead);
    for (const m of this.first) {
      const message = `line ${m.line}: ${m.message}; line skipped`;
      if (within) this.reporter.warn({ input: this.file, line: m.line, offset: m.offset, message, count: 1 }, this.result);
      else this.reporter.error({ input: this.file, line: m.line, offset: m.offset, message, partial: true }, this.result);
    }
    if (within) {
      this.reporter.warn(
        { input: this.file, message: `${this.count} of ${linesRead} lines were malformed and skipped, within the tolerance of ${this.tolerance} (logs.malformedTolerance)`, count: this.count },
        this.result,
      );
    } else if (this.count > MALFORMED_SHOWN) {
      this.reporter.error({ input: this.file, message: `${this.count} malformed lines in all were skipped (the first ${MALFORMED_SHOWN} are reported above)`, partial: true }, this.result);
    }
  }
}

/** Magic numbers of binary files a log path may hold by mistake, for a clear message. */
const BINARY_KINDS: [Buffer, string][] = [
  [Buffer.from([0x50, 0x4b, 0x03, 0x04]), "a zip archive (unzip it first)"],
  [Buffer.from("BZh"), "bzip2 data (decompress it first: only gzip is read)"],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), "xz data (decompress it first: only gzip is read)"],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), "zstd data (decompress it first: only gzip is read)"],
  [Buffer.from([0xd4, 0xc3, 0xb2, 0xa1]), "a pcap capture (scan it with `scan pcap`)"],
  [Buffer.from([0xa1, 0xb2, 0xc3, 0xd4]), "a pcap capture (scan it with `scan pcap`)"],
  [Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), "a pcapng capture (scan it with `scan pcap`)"],
  [Buffer.from([0xff, 0xfe]), "UTF-16 text (convert it to UTF-8 first)"],
  [Buffer.from([0xfe, 0xff]), "UTF-16 text (convert it to UTF-8 first)"],
];

/** Why a head is not text, or undefined when it is: a known magic number, or NUL bytes. */
function notText(head: Buffer, gzip: boolean): string | undefined {
  for (const [magic, what] of BINARY_KINDS) if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return `${gzip ? "decompressed to " : ""}${what}`;
  const probe = head.subarray(0, 8192);
  const nul = probe.indexOf(0);
  if (nul < 0) return undefined;
  let zeros = 0;
  for (const b of probe) if (b === 0) zeros++;
  return `${gzip ? "its decompressed content is" : "it is"} binary, not a text log (${zeros === probe.length ? "all zero bytes" : `a NUL byte at offset ${nul}`})`;
}

async function* readFile(file: string, options: LogOptions, ctx: LogCollectContext, run: RunState, reporter: Reporter, result: LogFileResult): AsyncGenerator<Observation[]> {
  const fail = (message: string, partial = false) => reporter.error({ input: file, message, partial }, result);
  let st: BigIntStats;
  let head: Buffer;
  let gzip: boolean;
  try {
    st = await stat(file, { bigint: true });
    if (!st.isFile()) {
      fail("not a regular file: expected a log file");
      return;
    }
    ({ head, gzip } = await readHead(file, options.headBytes ?? HEAD_BYTES));
  } catch (e) {
    fail(`cannot read: ${bound((e as Error).message, 300)}`);
    return;
  }
  const size = Number(st.size);
  if (size === 0) {
    reporter.warn({ input: file, message: "empty file (0 bytes): nothing to read", count: 1 }, result);
    return;
  }
  if (gzip && head.length === 0) {
    fail("gzip data that cannot be decompressed (corrupt, or cut before its first block)");
    return;
  }
  const binary = notText(head, gzip);
  if (binary) {
    fail(`not a text log: ${binary}`);
    return;
  }
  const wholeHead = !gzip && head.length === size;
  const first = headLines(head, wholeHead);
  const usable = first.filter((l) => l.length <= MAX_DETECT_LINE && l.trim().length > 0);
  const firstText = usable[0]?.trimStart() ?? "";
  if (usable.length === 0) {
    if (wholeHead && first.every((l) => l.trim().length === 0)) {
      reporter.warn({ input: file, message: "the file holds only blank lines: nothing to read", count: 1 }, result);
    } else {
      fail(`no line of at most ${MAX_DETECT_LINE / 1024} KiB ends within the first ${Math.round(head.length / 1024)} KiB${gzip ? " (decompressed)" : ""}: not a line-oriented log, or lines far over the limit`);
    }
    return;
  }
  const format =
    options.format ??
    detectFormat(first, options) ??
    options.defaultFormat ??
    // with a mapping configured and nothing else known, the generic reader is the only candidate
    (options.mapping ? (firstText.startsWith("{") || firstText.startsWith("[") ? "jsonl" : "csv") : undefined);
  if (!format) {
    fail(
      `cannot tell the log format from the first lines; auto-detected are ${detectedFormats().join(", ")}: ` +
        `give --format (${FORMATS.join(" | ")}) or logs.format in shadow-ai.yaml`,
    );
    return;
  }
  const definition = logFormat(format)!;
  result.format = format;
  const malformed = new Malformed(file, reporter, result, options.malformedTolerance ?? DEFAULT_MALFORMED_TOLERANCE);
  const keep = ctx.keep;
  const pctx: ParserContext = {
    file,
    ...(keep ? { keep } : {}),
    report: (message) => reporter.error({ input: file, message, partial: true }, result),
    warn: (message) => reporter.warn({ input: file, message, count: 1 }, result),
    fileTimeMs: Number(st.mtimeMs),
    ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
    ...(options.year !== undefined ? { year: options.year } : {}),
  };
  const parser: LineParser | string = definition.createParser(pctx, options, run);
  if (typeof parser === "string") {
    fail(parser);
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
      long: (line, offset, length) => malformed.tooLong(line, offset, length, maxLine),
    };
  } else {
    visitor = {
      line: (t, s, e, line, offset) => {
        const err = parser.line(t, s, e, line, offset);
        if (err !== undefined) malformed.add(line, offset, err);
      },
      long: (line, offset, length) => malformed.tooLong(line, offset, length, maxLine),
    };
  }

  /** The chunk's observations that `keep` keeps (a parser may have dropped some already), or undefined. */
  const take = (): Observation[] | undefined => {
    let batch = parser.out;
    let skipped = parser.skipped ?? 0;
    if (skipped > 0) parser.skipped = 0;
    if (batch.length > 0) {
      parser.out = [];
      if (keep) {
        const kept = batch.filter((o) => keep(o));
        skipped += batch.length - kept.length;
        batch = kept;
      }
    }
    if (skipped > 0) {
      result.skipped += skipped;
      ctx.onSkipped?.(skipped);
    }
    return batch.length > 0 ? batch : undefined;
  };

  let source: ByteSource;
  try {
    source = gzip ? gzipSource(file, start.offset) : await plainSource(file, start.offset);
  } catch (e) {
    fail(`cannot read: ${bound((e as Error).message, 300)}`);
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
      const batch = take();
      if (batch) yield batch;
      // Resumed here: every observation before `pos` has been consumed.
      if (!whole) savePoint(ctx.cursors, file, st, fp, { offset: pos, line, size: savedSize });
      if (pos - reported >= PROGRESS_BYTES) {
        reported = pos;
        ctx.onProgress?.(pos, gzip ? undefined : size, "bytes");
      }
    }
  } catch (e) {
    failed = true;
    reporter.error(
      {
        input: file,
        offset: pos,
        line,
        message: `read stopped at byte ${pos} (line ${line}): ${bound((e as Error).message, 300)}${gzip ? " (a gzip file cut short or corrupt?)" : ""}`,
        partial: true,
      },
      result,
    );
  } finally {
    await source.close();
  }
  splitter?.end(line, pos);
  parser.finish?.();
  const last = take();
  if (last) yield last;
  result.lines = line - start.line;
  malformed.finish(result.lines);
  if (pos > reported) ctx.onProgress?.(pos, gzip ? undefined : size, "bytes");
  if (whole && !failed) savePoint(ctx.cursors, file, st, fp, { offset: pos, line, size, done: true });
}
