/**
 * The source contract: one evidence source as the registry (`collectors/registry.ts`) lists it.
 * Everything the CLI shows or accepts about a source is derived from this entry: the `scan <id>`
 * subcommand and its options, the `sources:` key and settings section of `shadow-ai.yaml`, which
 * files `extract` routes to it, the credentials it reads and their redaction, and `shadow-ai
 * sources`. A collector's own `collect` follows cartography's get → transform → load: fetch pages or
 * read files, turn them into observations, hand them on; it never deletes anything.
 */
import type { ZodType } from "zod";
import type { AgentItem } from "./agent.js";
import type { CollectContext } from "./collector.js";
import type { McpServerItem } from "./mcp.js";
import type { Observation } from "./observation.js";

/**
 * What deciding whether the scan keeps an observation reads of it (`keeps()`,
 * src/pipeline/keep.ts): the identifiers matching and `suspect()` look at, and the user's
 * department and job title.
 */
export type KeepInput = Pick<Observation, "host" | "path" | "clientId" | "appId" | "appName" | "publisher" | "appOwnerTenant" | "userAgent" | "user" | "department" | "jobTitle">;

/** An environment variable a source reads. */
export interface CredentialVar {
  /** The variable's name, e.g. `SHADOW_AI_GRAPH_ACCESS_TOKEN`. */
  env: string;
  /** True when its value is a secret: it is then redacted from every message, in every encoding. */
  secret: boolean;
  /** One line for `shadow-ai sources` and README. */
  description: string;
}

/** A command-line option of `scan <id>` beyond `--json` and `--fail-on`. */
export interface SourceOption {
  /** commander flags, e.g. `--format <format>`. */
  flags: string;
  description: string;
  /** Validate and convert the value; throw an Error whose message says what was expected (exit 2). */
  parse?: (value: string) => string;
}

/** The first bytes of a file, as a source's `sniff` sees them. */
export interface FileHead {
  /** Up to 64 KiB from offset 0. */
  bytes: Buffer;
  /** The same bytes decoded as text (UTF-8 or UTF-16 by BOM), for text formats. */
  text: string;
  /** The file's name (the last path component), for messages only: content decides. */
  name: string;
}

/** What `collect` is given besides the inputs. */
export interface SourceContext extends CollectContext {
  /** The source's settings section of the configuration, validated by `settings.schema` (undefined when absent). */
  settings: unknown;
  /** The values of the source's own command-line options, by option name (`format`, `timeZone`). */
  options: Readonly<Record<string, string | undefined>>;
  /**
   * Whether the scan keeps an observation (`keeps()` with the scan's matcher). A source may hand on
   * only those, with a {@link SkippedItem} counting the rest, and may decide it before it builds
   * the observation from the fields of {@link KeepInput} it will have. Absent: hand on everything.
   */
  keep?(o: KeepInput): boolean;
}

/**
 * Observations a source read and did not hand on because the scan would only have counted them:
 * they match no signature, look like no AI (`suspect()`) and carry no department or job title
 * (`keeps()` in src/pipeline/keep.ts decides). Counted as read, never stored.
 */
export interface SkippedItem {
  skipped: number;
}

/** True when a source's item is a {@link SkippedItem}. */
export function isSkippedItem(item: unknown): item is SkippedItem {
  return typeof item === "object" && item !== null && !Array.isArray(item) && typeof (item as { skipped?: unknown }).skipped === "number";
}

/**
 * One item a source yields: an observation, a parsed chunk of them (one await per chunk), an AI
 * agent or an MCP server with its evidence, or a count of observations read and skipped.
 */
export type SourceItem = Observation | readonly Observation[] | AgentItem | McpServerItem | SkippedItem;

/** A registry entry. */
export interface Source {
  /** The name in `scan <id>`, e.g. `pcap`, `logs`, `google`, `google-export`. */
  id: string;
  /** Human name, e.g. "Microsoft Entra ID (live, Microsoft Graph)". */
  displayName: string;
  /** One line for `scan --help`. */
  description: string;
  /** The API page or format specification it follows. */
  docsUrl: string;
  /** `file`: reads files given on the command line or in `sources:`; `live`: calls an API. */
  kind: "file" | "live";
  /**
   * True when each run reads the source's whole current state (every OAuth grant of a tenant):
   * then a record whose evidence comes only from complete sources, not seen again by a clean run,
   * is "no longer seen". Files, logs and captures are never complete: absence from one scan means
   * nothing, and their records retire by age instead (`inventory.staleAfterDays`).
   */
  complete?: boolean;
  /** Observation `source` values it writes (a trailing `:` is a prefix, `logs:` for `logs:zeek`): what a scan of it read. */
  observationSources: readonly string[];
  /** File sources: the key under `sources:` in shadow-ai.yaml that lists its paths (e.g. `googleExport`). */
  configKey?: string;
  /**
   * Its settings section of shadow-ai.yaml (a top-level key such as `logs`, `google`), shared by
   * the sources that name the same key, with the fields holding file paths (resolved against the
   * configuration file's directory).
   */
  settings?: { key: string; schema: ZodType; pathFields?: readonly string[]; description: string };
  /** Environment variables it reads. */
  credentials: readonly CredentialVar[];
  /** Extra options of `scan <id>`. */
  options?: readonly SourceOption[];
  /** File sources: whether each file is an independent input (captures) or files belong together (API pages, rotated logs). */
  perFile?: boolean;
  /**
   * File sources: directories given as inputs reach `collect` as they are (trees the source walks
   * itself, such as host folders of home directories with hidden configuration files); files still
   * go through `accept`.
   */
  directories?: boolean;
  /** File sources: which directory entries to pick up when a directory is given (by name). */
  accept?: (name: string) => boolean;
  /** File sources: whether a file's content is this source's input (magic bytes, API markers, log layout). */
  sniff?: (head: FileHead) => boolean;
  /** Live sources: whether a plain `scan` should run it (configured, or its token variable set). */
  enabled?: (settings: unknown, env: NodeJS.ProcessEnv) => boolean;
  /** Stream observations from the inputs (files for file sources, none for live ones); never buffer a whole source. */
  collect(inputs: readonly string[], ctx: SourceContext): AsyncIterable<SourceItem>;
  /** Errors of this source that mean the credentials were missing or refused (exit 8, nothing read). */
  isAuthError?: (e: unknown) => boolean;
}

/** Missing or refused credentials of a live source (exit 8). */
export class SourceAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceAuthError";
  }
}
