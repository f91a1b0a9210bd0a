/**
 * The log formats by name, as `--format` and `shadow-ai.yaml` use them: derived from the registry
 * in `formats/index.ts` (kept for the code that imported these names before the registry).
 */
import { LOG_FORMATS, logFormat } from "./formats/index.js";

/** Format names, in the order `--help` lists them. */
export const FORMATS = LOG_FORMATS.map((f) => f.name) as [string, ...string[]];

/** A format name (one of {@link FORMATS}). */
export type LogFormat = string;

/** One line per format: what it is and whether it is told apart from its first lines. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(LOG_FORMATS.map((f) => [f.name, f.description]));

/** The documentation each format follows. */
export const FORMAT_DOCS: Readonly<Record<string, string>> = Object.fromEntries(LOG_FORMATS.map((f) => [f.name, f.docsUrl]));

/** True when `s` names a format. */
export function isFormat(s: string): s is LogFormat {
  return logFormat(s) !== undefined;
}
