/**
 * The options of a log scan: the `logs:` section of `shadow-ai.yaml` (see `config.ts`) with the
 * command line's choices, as every format's parser is given them.
 */
import type { LogsConfig } from "./config-base.js";
import type { LineLimits } from "./lines.js";

/**
 * Options of a log scan: the `logs:` section of `shadow-ai.yaml` (see `config.ts`) with `format`
 * set from `--format` when given, plus test knobs. Format-specific sections (`logs.squid`, ...)
 * are under their format's name.
 */
export interface LogOptions extends Omit<LogsConfig, "format"> {
  /** Read every input as this format (a registered name: `--format`); otherwise each file's format is detected. */
  format?: string;
  /** The format of files whose format cannot be detected (`logs.format` of `shadow-ai.yaml`). */
  defaultFormat?: string;
  /** Chunk and line-length limits (tests lower them). */
  limits?: LineLimits;
  /** Bytes of a file's head read to detect its format (tests lower it; default `lines.ts` HEAD_BYTES). */
  headBytes?: number;
  /** Format sections (`logs.squid`, `logs.clf`), validated by each format's settings schema; read with {@link settingsOf}. */
  readonly [formatSection: string]: unknown;
}

/**
 * The options of a log scan from the `logs:` section of `shadow-ai.yaml` (may be absent) and the
 * command line's `--format` (wins over detection; `logs.format` is used only where detection fails).
 */
export function logOptions(config: LogsConfig | undefined, cliFormat?: string): LogOptions {
  const { format, ...rest } = config ?? {};
  return { ...rest, ...(cliFormat !== undefined ? { format: cliFormat } : {}), ...(format !== undefined ? { defaultFormat: format } : {}) };
}

/**
 * A format's own section of the options (`logs.<name>`), as its settings schema validated it, or
 * undefined when absent.
 */
export function settingsOf<T>(options: LogOptions, name: string): T | undefined {
  return (options as Record<string, unknown>)[name] as T | undefined;
}
