/**
 * The log formats the `logs` collector reads: one file per format in this folder, one line each
 * here. The order is the order `--help` lists them in and the order detection tries them in (a
 * line that fits two formats counts for the first).
 *
 * To add a format: write `formats/<name>.ts` exporting a `LogFormatDefinition` (name,
 * description, docs URL, detector, optional `logs.<name>` settings schema, parser) and add it
 * below. Nothing else changes: `--format`, `logs.format`, the configuration schema, detection and
 * `listLogFormats()` all read this list.
 */
import type { LogFormatDefinition, LogFormatInfo } from "../common/index.js";
import { bindFormat } from "./bind.js";
import { clfFormat } from "./clf.js";
import { cloudflareFormat } from "./cloudflare.js";
import { csvFormat } from "./csv.js";
import { jsonlFormat } from "./jsonl.js";
import { oktaFormat } from "./okta.js";
import { panosFormat } from "./panos.js";
import { squidFormat } from "./squid.js";
import { zeekFormat } from "./zeek.js";
import { zscalerFormat } from "./zscaler.js";

/** Every format, in listing and detection order. */
export const LOG_FORMATS: readonly LogFormatDefinition[] = [
  zeekFormat,
  squidFormat,
  clfFormat,
  oktaFormat,
  zscalerFormat,
  panosFormat,
  cloudflareFormat,
  bindFormat,
  csvFormat,
  jsonlFormat,
];

const BY_NAME = new Map(LOG_FORMATS.map((f) => [f.name, f]));

/** The format named `name`, or undefined. */
export function logFormat(name: string): LogFormatDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * Every format's name, description and documentation URL, and whether it is detected from its
 * first lines: what a source registry, `sources --json` or `--help` lists.
 */
export function listLogFormats(): LogFormatInfo[] {
  return LOG_FORMATS.map((f) => ({ name: f.name, description: f.description, docsUrl: f.docsUrl, detected: f.detect !== undefined }));
}
