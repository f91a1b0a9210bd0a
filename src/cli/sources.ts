/**
 * The evidence sources the CLI can scan, by name, each bound to its collector.
 */
import type { CollectContext } from "../core/collector.js";
import type { Observation } from "../core/observation.js";
import * as pcap from "../../collectors/pcap/index.js";
import * as google from "../../collectors/google-workspace/index.js";
import * as microsoft from "../../collectors/microsoft-entra/index.js";
import * as logs from "../../collectors/logs/index.js";
import type { Config } from "./config.js";
import { CliError, EXIT } from "./exit-codes.js";

/** What a source is given besides its files: the configuration and the command's own options. */
export interface SourceOptions {
  config: Config;
  /** `scan logs --format F`. */
  format?: string;
  /** `scan logs --time-zone Z`. */
  timeZone?: string;
}

export interface Source {
  description: string;
  /** A live API source: it takes no files (`scan google`). */
  live?: boolean;
  /** True when each file is an independent input (captures); false when files belong together (API pages). */
  perFile: boolean;
  /** Which directory entries to pick up when a directory is given. */
  accept: (name: string) => boolean;
  /** Observations one by one, or in arrays (a parsed chunk) where the collector works that way. */
  collect(files: string[], ctx: CollectContext, options: SourceOptions): AsyncIterable<Observation | readonly Observation[]>;
}

const json = (n: string) => /\.json$/i.test(n);

/** The scannable sources by name (`scan <name>`). */
export type SourceName = "pcap" | "google-export" | "microsoft-export" | "logs" | "google" | "microsoft";

export const SOURCES: Record<SourceName, Source> = {
  pcap: {
    description: "scan packet captures (pcap, pcapng; chosen by magic bytes)",
    perFile: true,
    accept: (n: string) => /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i.test(n),
    collect: (files: string[], ctx: CollectContext) => pcap.collect(files[0]!, ctx),
  },
  "google-export": {
    description: "scan Google Admin SDK responses saved as JSON (tokens.list, users.list, activities.list)",
    perFile: false,
    accept: json,
    collect: (files: string[], ctx: CollectContext) => google.collectExport(files, ctx),
  },
  "microsoft-export": {
    description: "scan Microsoft Graph responses saved as JSON (servicePrincipals, oauth2PermissionGrants, users)",
    perFile: false,
    accept: json,
    collect: (files: string[], ctx: CollectContext) => microsoft.collectExport(files, ctx),
  },
  google: {
    description: "scan Google Workspace live through the Admin SDK (read-only scopes; credentials from the environment or google.keyFile)",
    live: true,
    perFile: false,
    accept: () => false,
    collect: (_files: string[], ctx: CollectContext, o: SourceOptions) => google.collectGoogle(credentials(() => google.googleOptions(o.config.google)), ctx),
  },
  microsoft: {
    description: "scan Microsoft Entra ID live through Microsoft Graph (Directory.Read.All, AuditLog.Read.All; credentials from the environment)",
    live: true,
    perFile: false,
    accept: () => false,
    collect: (_files: string[], ctx: CollectContext, o: SourceOptions) =>
      microsoft.collectMicrosoft(credentials(() => microsoft.microsoftOptions(o.config.microsoft)), ctx),
  },
  logs: {
    description: `scan log files or directories (${logs.FORMATS.join(", ")}; detected where unambiguous, else --format)`,
    perFile: false,
    accept: (n: string) => !/\.(json|ya?ml|md|pcap|pcapng)$/i.test(n),
    collect: (files: string[], ctx: CollectContext, o: SourceOptions) =>
      logs.collectLogBatches(
        files,
        {
          ...o.config.logs,
          ...(o.format ?? o.config.logs.format ? { format: o.format ?? o.config.logs.format } : {}),
          ...(o.timeZone ? { timeZone: o.timeZone } : {}),
        },
        ctx,
      ),
  },
};

/** Build a live source's options; missing credentials end the command with exit 8. */
function credentials<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.AUTH);
  }
}

/** Errors of a live source that end the whole command (refused credentials), with exit 8. */
export function isAuthError(e: unknown): boolean {
  return e instanceof google.GoogleAuthError || e instanceof microsoft.MicrosoftAuthError || (e instanceof CliError && e.exitCode === EXIT.AUTH);
}
