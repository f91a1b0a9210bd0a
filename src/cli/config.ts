/**
 * `shadow-ai.yaml`: the sources a plain `shadow-ai scan` reads, and catalogue options.
 * Looked up in the working directory, or given with `--config FILE`. Paths in it are relative to
 * the file's own directory. Secrets never go here: they come from the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { googleConfigSchema } from "../../collectors/google-workspace/config.js";
import { logsConfigSchema } from "../../collectors/logs/config.js";
import { microsoftConfigSchema } from "../../collectors/microsoft-entra/config.js";
import { CliError, EXIT } from "./exit-codes.js";

const paths = z.array(z.string().min(1)).default([]);

export const configSchema = z
  .object({
    sources: z
      .object({
        /** Capture files or directories of captures (.pcap, .pcapng). */
        pcap: paths,
        /** Google Admin SDK responses saved as JSON (tokens.list, users.list, activities.list). */
        googleExport: paths,
        /** Microsoft Graph responses saved as JSON (servicePrincipals, oauth2PermissionGrants, users). */
        microsoftExport: paths,
        /** Log files or directories of rotated logs (read incrementally, from a cursor per file). */
        logs: paths,
      })
      .strict()
      .default({ pcap: [], googleExport: [], microsoftExport: [], logs: [] }),
    /** Log formats: default format, Zscaler feed fields, the generic reader's column mapping. */
    logs: logsConfigSchema.default({}),
    /** Live Google Workspace scan (Admin SDK): customer, rootUrl, service-account key file and subject. Secrets stay in files or the environment. */
    google: googleConfigSchema.optional(),
    /** Live Microsoft Entra scan (Graph): cloud, graphBaseUrl, authorityHost. Secrets come from the environment. */
    microsoft: microsoftConfigSchema.optional(),
    signatures: z
      .object({
        /** Directories of organisation-specific signatures, same schema as the bundled ones. */
        extraDirs: paths,
      })
      .strict()
      .default({ extraDirs: [] }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/**
 * Load the configuration: `file` if given (it must exist), else `./shadow-ai.yaml` if present,
 * else the empty configuration. Relative paths are resolved against the file's directory.
 * @throws CliError (exit 2) naming the file and the invalid field.
 */
export function loadConfig(file?: string): Config & { file?: string } {
  const path = file ? resolve(file) : resolve("shadow-ai.yaml");
  if (!existsSync(path)) {
    if (file) throw new CliError(`${path}: configuration file not found`, EXIT.USAGE);
    return configSchema.parse({});
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8")) ?? {};
  } catch (e) {
    throw new CliError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`, EXIT.USAGE);
  }
  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new CliError(`${path}: ${i.path.join(".") || "(top level)"}: ${i.message}`, EXIT.USAGE);
  }
  const base = dirname(path);
  const abs = (xs: string[]) => xs.map((x) => resolve(base, x));
  const c = parsed.data;
  return {
    file: path,
    sources: {
      pcap: abs(c.sources.pcap),
      googleExport: abs(c.sources.googleExport),
      microsoftExport: abs(c.sources.microsoftExport),
      logs: abs(c.sources.logs),
    },
    logs: c.logs,
    ...(c.google ? { google: { ...c.google, ...(c.google.keyFile ? { keyFile: resolve(base, c.google.keyFile) } : {}) } } : {}),
    ...(c.microsoft ? { microsoft: { ...c.microsoft, ...(c.microsoft.certificatePath ? { certificatePath: resolve(base, c.microsoft.certificatePath) } : {}) } } : {}),
    signatures: { extraDirs: abs(c.signatures.extraDirs) },
  };
}
