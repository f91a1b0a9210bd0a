/**
 * `sources [--json]`: the source registry as users see it: each source's id (`scan <id>`), kind,
 * what it reads, its documentation, the key under `sources:` and the settings section in
 * shadow-ai.yaml, its extra options and the environment variables it reads (names only, never
 * values). `config [--schema] [--json]`: which configuration file is in use and what it declares,
 * or the configuration's JSON Schema.
 */
import type { Command } from "commander";
import { sources } from "../../collectors/registry.js";
import { configJsonSchema } from "../pipeline/config.js";
import { config, printJson, type GlobalOptions } from "./context.js";
import { safeText, wrapText } from "./terminal.js";

/** One registry entry as `sources --json` prints it. */
export interface SourceInfo {
  id: string;
  displayName: string;
  kind: "file" | "live";
  description: string;
  docsUrl: string;
  /** `sources.<configKey>` in shadow-ai.yaml (file sources). */
  configKey: string | null;
  /** The settings section of shadow-ai.yaml it reads, if any. */
  settingsKey: string | null;
  options: string[];
  credentials: { env: string; secret: boolean; description: string; set: boolean }[];
}

/** The registry as {@link SourceInfo} rows, in registry order. */
export function sourceInfos(env: NodeJS.ProcessEnv = process.env): SourceInfo[] {
  return sources().map((s) => ({
    id: s.id,
    displayName: s.displayName,
    kind: s.kind,
    description: s.description,
    docsUrl: s.docsUrl,
    configKey: s.configKey ?? null,
    settingsKey: s.settings?.key ?? null,
    options: (s.options ?? []).map((o) => o.flags),
    credentials: s.credentials.map((c) => ({ env: c.env, secret: c.secret, description: c.description, set: Boolean(env[c.env]?.trim()) })),
  }));
}

/** Add `sources` and `config` to the program. */
export function registerSources(program: Command): void {
  program
    .command("sources")
    .description("list the evidence sources this build can scan, with their config keys and credential variables")
    .option("--json", "print the registry as JSON")
    .action((opts: { json?: boolean }) => {
      const rows = sourceInfos();
      if (opts.json) return printJson(rows);
      for (const r of rows) {
        const lines = [
          `${r.id} (${r.kind}): ${r.displayName}`,
          `  ${r.description}`,
          `  docs: ${r.docsUrl}`,
          ...(r.configKey ? [`  shadow-ai.yaml: sources.${r.configKey}`] : []),
          ...(r.settingsKey ? [`  settings: ${r.settingsKey}:`] : []),
          ...(r.options.length ? [`  options: ${r.options.join(", ")}`] : []),
          ...r.credentials.map((c) => `  ${c.env}${c.secret ? " (secret)" : ""}${c.set ? " [set]" : ""}: ${c.description}`),
        ];
        process.stdout.write(lines.map((l) => wrapText(safeText(l), 2)).join("\n") + "\n\n");
      }
    });

  program
    .command("config")
    .description("show which configuration file is in use and what it declares, or its JSON Schema")
    .option("--schema", "print the configuration's JSON Schema (derived from the source registry)")
    .option("--json", "print as JSON")
    .action((opts: { schema?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.schema) return printJson(configJsonSchema());
      const c = config(cmd.optsWithGlobals<GlobalOptions>());
      const view = { file: c.file ?? null, sources: c.sources, settings: Object.keys(c.settings), signatures: c.signatures };
      if (opts.json) return printJson(view);
      process.stdout.write(`configuration: ${safeText(c.file ?? "(none: no --config and no ./shadow-ai.yaml)")}\n`);
      for (const [k, v] of Object.entries(c.sources)) if (v.length) process.stdout.write(`  sources.${k}: ${v.map((p) => safeText(p)).join(", ")}\n`);
      if (view.settings.length) process.stdout.write(`  settings: ${view.settings.join(", ")}\n`);
      if (c.signatures.extraDirs.length) process.stdout.write(`  signatures.extraDirs: ${c.signatures.extraDirs.map((p) => safeText(p)).join(", ")}\n`);
    });
}
