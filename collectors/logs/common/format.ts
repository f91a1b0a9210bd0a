/**
 * What one log format is, for the registry in `formats/index.ts`: its name, what it reads, the
 * documentation it follows, how it is recognised from a file's first lines, its own settings
 * (`logs.<name>` in `shadow-ai.yaml`) and how a parser for one file is made. Each format is one
 * file under `formats/` exporting one {@link LogFormatDefinition}.
 */
import type { ZodType } from "zod";
import type { LogOptions } from "../options.js";
import type { LineParser, ParserContext } from "./parser.js";

/**
 * How a format is told apart from its first lines (see `detect.ts`). Each test sees one line or
 * record; `detect.ts` votes over the head of the file, so a test only has to be right about the
 * line it is given. A format without a detector is never guessed (it needs `--format`).
 */
export interface FormatDetector {
  /** The first non-empty line alone decides (Zeek's `#fields` header block). */
  header?(firstLine: string): boolean;
  /** A JSON object of this format (given as it is, and again unwrapped from a SIEM export). */
  record?(v: Record<string, unknown>): boolean;
  /** A text line of this format. `options` carries configured layouts (Squid's `logformat`). */
  line?(line: string, options: LogOptions): boolean;
  /**
   * The share of the sampled text lines that must fit {@link FormatDetector.line} (default 0.5).
   * Lower for formats whose lines are unmistakable but arrive mixed with other programs' lines
   * (BIND's queries among the other categories of a syslog feed).
   */
  minShare?: number;
}

/** State shared by the files of one run (Zeek's DNS answers joined to conn.log). */
export interface RunState {
  /** The value under `key`, created by `make` on first use. */
  shared<T>(key: string, make: () => T): T;
}

/** One log format. */
export interface LogFormatDefinition {
  /** The name `--format`, `logs.format` and `source` (`logs:<name>`) use: lower case, no spaces. */
  readonly name: string;
  /** One line: what it reads, and whether it is detected. */
  readonly description: string;
  /** The vendor documentation the parser follows. */
  readonly docsUrl: string;
  /** How it is recognised; absent: never guessed. */
  readonly detect?: FormatDetector;
  /**
   * The schema of its own settings, `logs.<name>` in `shadow-ai.yaml` (absent: none). The
   * section, validated, is given to {@link LogFormatDefinition.createParser} as `settings`.
   */
  readonly settings?: ZodType;
  /**
   * A parser for one file, or why the file cannot be read this way (a missing mapping, a
   * `logformat` with no URL): reported once for the file, which is then skipped.
   */
  createParser(ctx: ParserContext, options: LogOptions, run: RunState): LineParser | string;
}

/** The metadata of a format as the source registry and `sources --json` list it. */
export interface LogFormatInfo {
  name: string;
  description: string;
  docsUrl: string;
  /** True when the format is recognised from its first lines; false: it needs `--format`. */
  detected: boolean;
}
