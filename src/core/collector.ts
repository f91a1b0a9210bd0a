import type { Observation } from "./observation.js";

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

/** What a collector is given for one run. */
export interface CollectContext {
  /** Report a problem without stopping. */
  onError(error: InputError): void;
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
