/**
 * `shadow-ai.yaml`: the inputs a plain `shadow-ai scan` reads (`sources:`), each source's settings
 * section, and catalogue options. Its schema is derived from the source registry
 * (collectors/registry.ts): every file source adds its key under `sources:`, every source with
 * settings adds its section. Looked up in the working directory, or given with `--config FILE`.
 * Paths in it are relative to the file's own directory. Secrets never go here: they come from the
 * environment.
 */
import { readFileSync, statSync } from "node:fs";
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
  inventory: { staleAfterDays: number };
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
      inventory: z
        .object({
          staleAfterDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .default(90)
            .describe("a record with no evidence for this many days is reported as no longer seen (logs, captures and exports never prove absence)"),
        })
        .strict()
        .prefault({}),
    })
    .strict();
}

/** The configuration's JSON Schema (draft 2020-12), for editors and `shadow-ai config --schema`. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema(), { io: "input", unrepresentable: "any" });
}

/** The largest configuration file read (a configuration is a few KiB; this bounds `--config /dev/zero`-like mistakes). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Load the configuration: `file` if given (it must exist), else `./shadow-ai.yaml` if present,
 * else the empty configuration. Relative paths are resolved against the file's directory.
 *
 * A scan runs with the rights of whoever runs it and sends credentials where its configuration
 * says: a `shadow-ai.yaml` picked up from the working directory must belong to the user running
 * the scan and must not be writable by group or others; any configuration must not be writable by
 * others. Only a regular file of at most {@link MAX_CONFIG_BYTES} is read (a FIFO or device is never
 * opened). Errors quote no more of the file than a short, bounded excerpt.
 * @throws ConfigError naming the file and the invalid field.
 */
export function loadConfig(file?: string): Config {
  const path = file ? resolve(file) : resolve("shadow-ai.yaml");
  let st;
  try {
    st = statSync(path);
  } catch {
    if (file) throw new ConfigError(`${path}: configuration file not found`);
    return normalise(configSchema().parse({}) as Record<string, unknown>, undefined);
  }
  if (!st.isFile()) throw new ConfigError(`${path}: not a regular file; a configuration is a YAML file`);
  if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: ${st.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for a configuration file`);
  const uid = process.getuid?.();
  if (!file && uid !== undefined && st.uid !== uid) {
    throw new ConfigError(`${path}: refused: this shadow-ai.yaml in the working directory belongs to user ${st.uid}, not to the user running the scan (${uid}); pass --config to use it deliberately`);
  }
  if (!file && (st.mode & 0o022) !== 0) {
    throw new ConfigError(`${path}: refused: this shadow-ai.yaml in the working directory is writable by ${st.mode & 0o002 ? "others" : "its group"} (mode ${(st.mode & 0o777).toString(8)}); chmod go-w it`);
  }
  if (file && (st.mode & 0o002) !== 0) {
    throw new ConfigError(`${path}: refused: the configuration is writable by others (mode ${(st.mode & 0o777).toString(8)}); chmod o-w it`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"), { maxAliasCount: 50, prettyErrors: false }) ?? {};
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML: ${excerpt((e as Error).message.split("\n")[0] ?? "", 160)}`);
  }
  const parsed = configSchema().safeParse(doc);
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssue(parsed.error.issues[0]!)}`);
  return normalise(parsed.data as Record<string, unknown>, path);
}

/** At most `max` characters of `s`, control characters escaped, with an ellipsis when cut. */
function excerpt(s: string, max: number): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One schema problem in words, quoting at most three unknown keys of at most 40 characters each. */
function describeIssue(i: z.core.$ZodIssue): string {
  const where = i.path.map(String).join(".") || "(top level)";
  if (i.code === "unrecognized_keys") {
    const keys = i.keys.slice(0, 3).map((k) => JSON.stringify(excerpt(k, 40)));
    return `${excerpt(where, 80)}: unknown key${i.keys.length > 1 ? "s" : ""} ${keys.join(", ")}${i.keys.length > 3 ? ` and ${i.keys.length - 3} more` : ""}`;
  }
  return `${excerpt(where, 80)}: ${excerpt(i.message, 200)}`;
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
  const inventory = c["inventory"] as { staleAfterDays: number };
  return {
    ...(path ? { file: path } : {}),
    sources: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, abs(v ?? [])])),
    settings,
    signatures: { extraDirs: abs(sig.extraDirs) },
    inventory,
  };
}
