/**
 * The `logs:` section of `shadow-ai.yaml`: settings of the log collector that a command line
 * cannot carry well (the field list of a Zscaler NSS feed, the column mapping of a generic CSV or
 * JSON-lines log). Every key is optional. `format` is used for files whose format is not detected;
 * `--format` on the command line forces a format for every input. `logOptions()` of `index.ts`
 * turns this section and `--format` into the collector's options.
 *
 * ```yaml
 * logs:
 *   format: zscaler              # for inputs whose format is not auto-detected
 *   timeZone: Europe/Berlin      # the devices' zone, for times written without one (BIND, PAN-OS, syslog)
 *   zscalerFields: [time, login, proto, eurl, action, appname, appclass, reqsize, respsize, ...]
 *   zscalerDelimiter: tab        # or a single character such as ","; JSON feeds need neither
 *   mapping:                     # for --format csv | jsonl
 *     kind: http                 # dns | tls | http | log (default log)
 *     time: timestamp            # column (CSV header name) or key (JSON, dotted for nesting)
 *     url: request_url           # or host: and path: separately
 *     user: username
 *     client: src_ip
 *     bytes: [bytes_in, bytes_out]   # one column or several, summed
 *   csv:
 *     delimiter: ","             # default ","; "tab" for TSV
 *     columns: [a, b, c]         # when the file has no header row
 *   year: 2025                   # year of syslog times written without one (default: from each file's modification time)
 *   malformedTolerance: 0.001    # share of malformed lines reported as warnings, not errors (default 0.001)
 *   squid:
 *     logformat: "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt"   # or squid | common | combined | ...
 *   clf:
 *     prefix: client-vhost       # or vhost-client; default: told per line
 * ```
 *
 * Each format with settings of its own has them under its name (`logs.squid`, `logs.clf`): the
 * schema of that section is the format's `settings` (`formats/<name>.ts`).
 */
import { z, type ZodType } from "zod";
import { baseSchema, type LogsConfig } from "./config-base.js";
import { FORMATS } from "./formats.js";
import { LOG_FORMATS } from "./formats/index.js";

export { logMappingSchema, type LogMapping, type LogsConfig } from "./config-base.js";

/** The sections of the formats that have settings (`logs.squid`, `logs.clf`), by format name. */
const formatSections: Record<string, ZodType> = Object.fromEntries(LOG_FORMATS.filter((f) => f.settings).map((f) => [f.name, f.settings!.optional()]));

/**
 * The `logs:` section: its own keys and one section per format with settings (validated by the
 * format's schema; typed loosely here, read by the format through `settingsOf`).
 */
export const logsConfigSchema = baseSchema
  .extend({ format: z.enum(FORMATS).optional(), ...formatSections })
  .strict() as unknown as z.ZodType<LogsConfig, z.input<typeof baseSchema>>;
