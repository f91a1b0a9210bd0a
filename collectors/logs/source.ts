/**
 * The log collector as a registry source (`scan logs`): proxy, DNS, network and SaaS logs, each
 * file's format detected from its first lines or named with `--format` / `logs.format`, read
 * incrementally from a cursor per file; only what the scan keeps is handed on (`SourceContext.keep`).
 * Formats and their specifications: `FORMAT_DOCS` in index.ts.
 */
import type { Source } from "../../src/core/source.js";
import { logsConfigSchema, type LogsConfig } from "./config.js";
import { detectFormat } from "./detect.js";
import { collectKeptLogBatches, collectLogBatches, displayName, docsUrl, FORMATS, isFormat, logOptions } from "./index.js";
import { isTimeZone } from "./zone.js";

/** `--format`: a format this collector reads, else an error naming them (exit 2). */
function parseFormat(v: string): string {
  if (!isFormat(v)) throw new Error(`--format: "${v}" is not a log format (expected one of ${FORMATS.join(", ")})`);
  return v;
}

/** `--time-zone`: an IANA zone this system knows, else an error (exit 2). */
function parseTimeZone(v: string): string {
  if (!isTimeZone(v)) throw new Error(`--time-zone: "${v}" is not a time zone this system knows (expected an IANA name such as Europe/Berlin or UTC)`);
  return v;
}

export const logsSource: Source = {
  id: "logs",
  displayName,
  description: `scan log files or directories (${FORMATS.join(", ")}; detected where unambiguous, else --format)`,
  docsUrl,
  kind: "file",
  observationSources: ["logs:"],
  configKey: "logs",
  settings: {
    key: "logs",
    schema: logsConfigSchema.default({}),
    description: "log formats: default format, time zone, Zscaler feed fields, the generic reader's column mapping",
  },
  credentials: [],
  options: [
    { flags: "--format <format>", description: `log format, when it cannot be detected (${FORMATS.join(", ")})`, parse: parseFormat },
    { flags: "--time-zone <zone>", description: "IANA zone of log times written without one (BIND, PAN-OS, syslog; default: logs.timeZone, else this machine's)", parse: parseTimeZone },
  ],
  perFile: false,
  accept: (n) => !/\.(json|ya?ml|md|pcap|pcapng)$/i.test(n),
  sniff: (head) => detectFormat(head.text.split(/\r?\n/).slice(0, 50)) !== undefined,
  collect: (files, ctx) => {
    const base = logOptions(ctx.settings as LogsConfig | undefined, ctx.options["format"]);
    const options = { ...base, ...(ctx.options["timeZone"] ? { timeZone: ctx.options["timeZone"] } : {}) };
    // only what the scan keeps is handed on (a proxy line of no interest is never built)
    return ctx.keep ? collectKeptLogBatches(files, options, ctx, ctx.keep) : collectLogBatches(files, options, ctx);
  },
};
