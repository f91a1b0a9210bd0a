/**
 * `shadow-ai.yaml`: the inputs a plain `shadow-ai scan` reads (`sources:`), each source's settings
 * section, and catalogue options. Its schema is derived from the source registry
 * (collectors/registry.ts): every file source adds its key under `sources:`, every source with
 * settings adds its section. Looked up in the working directory, or given with `--config FILE`.
 * Paths in it are relative to the file's own directory. Secrets never go here: they come from the
 * environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { sources } from "../../collectors/registry.js";
/** An invalid or missing configuration file; the message names the file and the field (exit 2 in the CLI). */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const paths = z.array(z.string().min(1)).default([]);

/** The validated configuration, paths made absolute. */
export interface Config {
  /** The file it came from; undefined when none was found (the empty configuration). */
  file?: string;
  /** Inputs of the file sources, by their `configKey` (`pcap`, `googleExport`, ...); absolute paths. */
  sources: Record<string, string[]>;
  /** Each settings section present (or defaulted) in the file, by key (`logs`, `google`, ...), validated. */
  settings: Record<string, unknown>;
  signatures: { extraDirs: string[] };
}

/** The zod schema of `shadow-ai.yaml` for the sources registered now. */
export function configSchema() {
  const inputs: Record<string, z.ZodType> = {};
  const sections: Record<string, z.ZodType> = {};
  for (const s of sources()) {
    if (s.configKey) inputs[s.configKey] = paths.describe(`${s.displayName}: files or directories (scan ${s.id})`);
    if (s.settings && !(s.settings.key in sections)) sections[s.settings.key] = s.settings.schema.optional().describe(s.settings.description);
  }
  return z
    .object({
      sources: z.object(inputs).strict().prefault({}).describe("inputs of the file sources that a plain `scan` reads"),
      ...sections,
      signatures: z
        .object({ extraDirs: paths.describe("directories of organisation-specific signatures, same schema as the bundled ones") })
        .strict()
        .default({ extraDirs: [] }),
    })
    .strict();
}

/** The configuration's JSON Schema (draft 2020-12), for editors and `shadow-ai config --schema`. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema(), { io: "input", unrepresentable: "any" });
}

/**
 * Load the configuration: `file` if given (it must exist), else `./shadow-ai.yaml` if present,
 * else the empty configuration. Relative paths are resolved against the file's directory.
 * @throws CliError (exit 2) naming the file and the invalid field.
 */
export function loadConfig(file?: string): Config {
  const path = file ? resolve(file) : resolve("shadow-ai.yaml");
  if (!existsSync(path)) {
    if (file) throw new ConfigError(`${path}: configuration file not found`);
    return normalise(configSchema().parse({}) as Record<string, unknown>, undefined);
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8")) ?? {};
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const parsed = configSchema().safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ConfigError(`${path}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  return normalise(parsed.data as Record<string, unknown>, path);
}

/** Resolve every path against the configuration file's directory and split inputs from settings. */
function normalise(c: Record<string, unknown>, path: string | undefined): Config {
  const base = path ? dirname(path) : process.cwd();
  const abs = (xs: readonly string[]) => xs.map((x) => resolve(base, x));
  const inputs = (c["sources"] ?? {}) as Record<string, string[]>;
  const settings: Record<string, unknown> = {};
  for (const s of sources()) {
    const key = s.settings?.key;
    if (!key || key in settings || c[key] === undefined) continue;
    const section = { ...(c[key] as Record<string, unknown>) };
    for (const f of s.settings!.pathFields ?? []) if (typeof section[f] === "string") section[f] = resolve(base, section[f] as string);
    settings[key] = section;
  }
  const sig = c["signatures"] as { extraDirs: string[] };
  return {
    ...(path ? { file: path } : {}),
    sources: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, abs(v ?? [])])),
    settings,
    signatures: { extraDirs: abs(sig.extraDirs) },
  };
}
