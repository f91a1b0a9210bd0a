import type { Observation } from "./observation.js";
import type { RosterSink } from "./roster.js";

/**
 * A problem with one input that did not stop the scan: a truncated capture, a malformed record,
 * an API error. `where` names the file and byte offset, the line, or the API call.
 */
export interface InputError {
  /** File path or API endpoint. */
  input: string;
  /** Byte offset in the file, when the error is at one. */
  offset?: number;
  /** 1-based line number, when the input is line-oriented. */
  line?: number;
  /** What was wrong and what was expected. */
  message: string;
  /** True when everything before the error was read and kept (a truncated file), false when the input was skipped. */
  partial: boolean;
}

/**
 * Something harmless worth showing, never a failure: a scan with warnings is still `complete`.
 * Incomplete IP fragments in an otherwise good capture, encrypted 802.11 frames, log lines skipped
 * within the tolerance, records of no interest skipped for a stated reason.
 */
export interface InputWarning {
  /** File path or API endpoint. */
  input: string;
  /** Byte offset of the first record concerned. */
  offset?: number;
  /** 1-based line, when the warning is about one line. */
  line?: number;
  /** A stable code for the kind of warning (`incomplete-fragments`, `malformed-within-tolerance`, ...). */
  code?: string;
  /** How many records, lines or datagrams it stands for. */
  count: number;
  /** What was seen and what was done. */
  message: string;
}

/**
 * Where a collector keeps its position between scheduled scans (a log file's inode and byte
 * offset, an API's last event time). Values are opaque strings, usually JSON.
 *
 * Exactly-once: a value passed to {@link CursorStore.set} is committed in the same database
 * transaction as every observation the collector yielded before the call, so call `set` only
 * after yielding everything up to the position it records. A killed scan then resumes from the
 * last committed position, and never skips evidence.
 */
export interface CursorStore {
  /** The committed value for `key`, or undefined on the first scan. */
  get(key: string): string | undefined;
  /** Record a new position, to be committed with the observations yielded so far. */
  set(key: string, value: string): void;
}

/** What a collector is given for one run. */
export interface CollectContext {
  /** Report a problem without stopping. */
  onError(error: InputError): void;
  /** Report something harmless worth showing (see {@link InputWarning}); optional. */
  onWarning?(warning: InputWarning): void;
  /** Positions of incremental sources; absent when the caller wants a full read (e.g. `extract`). */
  cursors?: CursorStore;
  /** Progress of long work: `done` of `total` units (users, bytes). Optional; the CLI draws a bar. */
  onProgress?(done: number, total: number | undefined, unit: string): void;
  /** Where vendor rosters and directory accounts go (src/core/roster.ts); absent when nothing is stored (e.g. `extract`). */
  rosters?: RosterSink;
}

/**
 * A collector: one evidence source. Each lives in `collectors/<id>/` and exports `id`,
 * `displayName`, `docsUrl` and `collect`.
 */
export interface Collector<Input = string> {
  id: string;
  displayName: string;
  /** The API page or format specification the collector follows. */
  docsUrl: string;
  /** Stream observations from one input; never buffers a whole source. */
  collect(input: Input, ctx: CollectContext): AsyncIterable<Observation>;
}
