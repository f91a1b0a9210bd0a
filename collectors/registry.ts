/**
 * Every evidence source, one line each (like Renovate's lib/modules/manager/api.ts). The CLI's
 * `scan` subcommands, the configuration schema, `extract`'s routing, file sniffing, redaction of
 * credentials and `shadow-ai sources` are all derived from this list; no file under src/cli/
 * imports a collector folder. Adding a source: a folder under collectors/ exporting a `Source`
 * (src/core/source.ts), and one line here.
 *
 * Order matters where inputs are sniffed: the first file source whose `sniff` accepts a file's
 * head reads it, so narrow formats (capture magic, API markers) come before broad ones (logs).
 */
import type { Source } from "../src/core/source.js";
import { addSecretEnvVars } from "../src/io/redact.js";
import { anthropicSource } from "./anthropic/source.js";
import { endpointsSource } from "./endpoints/source.js";
import { googleExportSource, googleSource } from "./google-workspace/source.js";
import { logsSource } from "./logs/source.js";
import { microsoftExportSource, microsoftSource } from "./microsoft-entra/source.js";
import { chatgptMembersSource, openaiSource } from "./openai/source.js";
import { pcapSource } from "./pcap/source.js";
import { siemSource } from "./siem/source.js";

const SOURCES: Source[] = [
  pcapSource,
  googleExportSource,
  microsoftExportSource,
  chatgptMembersSource,
  endpointsSource,
  siemSource,
  logsSource,
  googleSource,
  microsoftSource,
  openaiSource,
  anthropicSource,
];

const SOURCE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Add a source at run time (tests, and organisations' own plug-ins loaded before the program is
 * built). Its secret credential variables join the redaction list at once.
 * @throws Error when the id is not kebab-case or is taken, or its config key or settings key
 *   clashes with another source's.
 */
export function registerSource(source: Source): void {
  if (!SOURCE_ID.test(source.id)) throw new Error(`source id "${source.id}" is not kebab-case`);
  if (SOURCES.some((s) => s.id === source.id)) throw new Error(`source id "${source.id}" is already registered`);
  if (source.configKey && SOURCES.some((s) => s.configKey === source.configKey)) throw new Error(`sources.${source.configKey} already belongs to another source`);
  const clash = source.settings && SOURCES.find((s) => s.settings?.key === source.settings!.key && s.settings.schema !== source.settings!.schema);
  if (clash) throw new Error(`settings section "${source.settings!.key}" already belongs to source ${clash.id}`);
  SOURCES.push(source);
  addSecretEnvVars(source.credentials.filter((c) => c.secret).map((c) => c.env));
}

/** Remove a source added with {@link registerSource} (tests). Built-in sources cannot be removed. */
export function unregisterSource(id: string): void {
  const i = SOURCES.findIndex((s) => s.id === id);
  if (i >= BUILTIN) SOURCES.splice(i, 1);
}

const BUILTIN = SOURCES.length;
addSecretEnvVars(SOURCES.flatMap((s) => s.credentials.filter((c) => c.secret).map((c) => c.env)));

/** Every registered source, in registry order. */
export function sources(): readonly Source[] {
  return SOURCES;
}

/** The source named `id`, or undefined. */
export function sourceById(id: string): Source | undefined {
  return SOURCES.find((s) => s.id === id);
}

/**
 * What `collect-endpoint` (a command that runs on an endpoint, not a scan) needs from the endpoints
 * collector: finding a home directory's MCP and agent configurations and keying the bundle's hashes.
 */
export { collectHome, osOfHome, userOfHome } from "./endpoints/discover.js";
export { bundleKey } from "./endpoints/secrets.js";
