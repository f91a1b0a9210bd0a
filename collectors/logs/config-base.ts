/**
 * The `logs:` section's own keys (see config.ts for the whole section and its documentation), in a
 * module that does not depend on the format registry: the parsers' option types (options.ts, the
 * generic reader) come from here, so that the registry, which builds the full schema from every
 * format's settings, and the formats do not import each other.
 */
import { z, type ZodType } from "zod";
import { isTimeZone } from "./zone.js";

const column = z.string().min(1).max(256);

/** A delimiter: `tab`, or one character. */
const delimiter = z.union([z.literal("tab"), z.string().length(1)]);

/** Which column (CSV header name) or key (JSON; `a.b` for nesting) holds each observation field. */
export const logMappingSchema = z
  .object({
    /** Observation kind of every record (default `log`). */
    kind: z.enum(["dns", "tls", "http", "log"]).optional(),
    /** The record's time: ISO 8601 / RFC 3339, or Unix seconds, ms, µs or ns (told by size). */
    time: column,
    /** Host name (`host:port` accepted). One of `host` and `url` is required. */
    host: column.optional(),
    /** A full URL, or `host/path` without a scheme: gives host, port and path. */
    url: column.optional(),
    path: column.optional(),
    user: column.optional(),
    client: column.optional(),
    server: column.optional(),
    port: column.optional(),
    userAgent: column.optional(),
    method: column.optional(),
    /** One column, or several whose counts are summed (bytes in + bytes out). */
    bytes: z.union([column, z.array(column).min(1).max(8)]).optional(),
    appName: column.optional(),
    department: column.optional(),
    action: column.optional(),
    qtype: column.optional(),
  })
  .strict()
  .refine((m) => m.host !== undefined || m.url !== undefined, { message: "mapping needs `host` or `url`: the column that names the server" });

/** The `logs:` section's own keys (format sections are added from the registry below). */
export const baseSchema = z
  .object({
    /** Format of log inputs whose format is not auto-detected; `--format` forces one for every input. */
    format: z.string().min(1).max(64).optional(),
    /**
     * IANA time zone (`Europe/Berlin`, `UTC`) of times the logs write without a zone: BIND,
     * PAN-OS and syslog headers (default: this process's zone), Zscaler NSS `time` and generic
     * CSV / JSON times without an offset (default: UTC). `--time-zone` overrides it.
     */
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: "not a time zone this system knows: expected an IANA name such as Europe/Berlin, America/New_York or UTC" })
      .optional(),
    /** Zscaler NSS feed: the field names of the feed output format, in order (`%s{login}` → `login`). */
    zscalerFields: z.array(z.string().min(1).max(64)).min(1).max(512).optional(),
    /** Zscaler NSS feed: the field delimiter; default: tab when the first line has one, else comma. */
    zscalerDelimiter: delimiter.optional(),
    /** The generic reader's mapping (`--format csv` or `jsonl`). */
    mapping: logMappingSchema.optional(),
    /** The generic CSV reader's dialect. */
    csv: z
      .object({
        delimiter: delimiter.optional(),
        /** Column names when the file has no header row. */
        columns: z.array(column).min(1).max(1024).optional(),
      })
      .strict()
      .optional(),
    /**
     * PAN-OS: 0-based CSV positions that differ on your PAN-OS version (the defaults follow the
     * PAN-OS 10.x/11.x syslog field order; field 0 carries the syslog header when there is one).
     */
    panosPositions: z
      .object({
        userAgent: z.number().int().min(0).max(512).optional(),
        referer: z.number().int().min(0).max(512).optional(),
        httpMethod: z.number().int().min(0).max(512).optional(),
      })
      .strict()
      .optional(),
    /**
     * The year of syslog times written without one (`Mar  9 23:59:59` headers of BIND lines sent
     * through syslog); default: the year that puts each file's lines at most a day after its
     * modification time.
     */
    year: z.number().int().min(1970).max(9999).optional(),
    /**
     * Malformed lines up to this share of a file's non-empty lines (0 to 1) are reported as
     * warnings (counted and shown; the scan is not partial); above it, as errors. Default 0.001
     * (one line in a thousand). Over-long lines are always errors.
     */
    malformedTolerance: z.number().min(0).max(1).optional(),
  })
  .strict();

/** The `logs:` section as parsed (its format sections are read through `settingsOf`). */
export type LogsConfig = z.infer<typeof baseSchema>;

/** The generic reader's mapping as parsed. */
export type LogMapping = z.infer<typeof logMappingSchema>;
