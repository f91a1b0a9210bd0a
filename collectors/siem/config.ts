/**
 * The `siem:` section of shadow-ai.yaml, read by `scan siem` (files listed under `sources.siem`).
 * Both settings have a command-line option that overrides them.
 */
import { z } from "zod";
import { SIEM_KINDS } from "./columns.js";

export const siemConfigSchema = z
  .object({
    /** Which SIEM exported the CSV files (`splunk`, `sentinel`, `elastic`, `csv`); JSON results name theirs by their shape. `--siem` overrides. */
    kind: z.enum(SIEM_KINDS).optional(),
    /** The saved search or scheduled query that produced the files, recorded with each row (`action`) unless the row has `search_name`. `--query-name` overrides. */
    queryName: z.string().min(1).max(200).optional(),
  })
  .strict();

export type SiemConfig = z.infer<typeof siemConfigSchema>;
