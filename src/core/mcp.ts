/**
 * MCP servers configured on endpoints, as inventory items: what the configuration files of AI
 * clients (Claude Desktop, Claude Code, Cursor, VS Code, Gemini CLI, Windsurf, Codex) say about one
 * server, grouped across hosts and users. `collect-endpoint` writes them into a bundle
 * (collectors/endpoints/bundle.ts); `scan endpoints` hands them on as {@link McpServerItem}s; the store
 * keeps the facts per server (table `mcp_servers`, migration 12); the inventory turns them into
 * records of kind `mcp_server` (src/classify/mcp.ts).
 *
 * No secret value is ever part of these facts: environment variables and headers keep their names,
 * and their values are a keyed hash (HMAC-SHA256, see collectors/endpoints/secrets.ts).
 *
 * Record ids are `mcp:<identity>` (lower-case), the same on every host: `mcp:url:<host><path>` for
 * a remote server, `mcp:npm:<package>`, `mcp:pypi:<package>`, `mcp:docker:<image>` for a packaged
 * one, `mcp:cmd:<command> <script path, the home as ~>` for anything else.
 */
import type { Observation } from "./observation.js";

/** Prefix of MCP server record ids (and of their observations' `service_id`). */
export const MCP_PREFIX = "mcp:";

/** Whether a record or service id is an MCP server's. */
export function isMcpId(id: string): boolean {
  return id.startsWith(MCP_PREFIX);
}

/** How a client reaches the server (MCP specification, "Transports": stdio, Streamable HTTP, and the older HTTP+SSE). */
export type McpTransport = "stdio" | "http" | "sse";

/** Where the package of a stdio server comes from. */
export interface McpPackage {
  ecosystem: "npm" | "pypi" | "docker";
  /** `@modelcontextprotocol/server-filesystem`, `mcp-server-git`, `ghcr.io/github/github-mcp-server`. */
  name: string;
  /** The version or tag the command asks for (`1.2.3`, `latest`, `sha256:...`); absent when none. */
  version?: string;
  /** True for an exact version (npm `1.2.3`, PyPI `==1.2.3`, a Docker digest or a tag other than `latest`). */
  pinned: boolean;
}

/** An environment variable or HTTP header of a server: its name and what its value was, never the value. */
export interface McpSecretRef {
  name: string;
  /** True when the file holds the value itself; false for a reference (`${VAR}`, `${env:VAR}`, `$VAR`, `${input:id}`). */
  literal: boolean;
  /** A literal value that is (by its name or shape) a credential: what `plaintext-secret` is about. */
  secret: boolean;
  /** HMAC-SHA256 of the value under the bundle's key, 32 hex digits; absent for an empty value. */
  hash?: string;
  /** For a reference: the variable it names (`GITHUB_TOKEN`). */
  reference?: string;
}

/** What is wrong with a server, each a risk factor and a `--fail-on` code. */
export type McpFlag = "plaintext-secret" | "plain-http" | "unpinned" | "broad-access";

/** One place a server is configured: a host, a user, a client and a file. */
export interface McpInstall {
  host: string;
  user: string;
  /** Client id: `claude-desktop`, `claude-code`, `cursor`, `vscode`, `gemini-cli`, `windsurf`, `codex`. */
  client: string;
  /** The configuration file on the host. */
  file: string;
  /** `user` (every project), `project` (a project's shared file), `local` (Claude Code: one project, this user). */
  scope: "user" | "project" | "local";
  /** The project directory, for project and local scopes. */
  project?: string;
  /** The server's name in that file. */
  name: string;
  /** When the bundle was collected (ISO 8601 UTC). */
  collectedAt: string;
  /** The install's own flags (a plaintext secret is in one file, not in all). */
  flags: McpFlag[];
  /** Key id of the bundle's secret hashes (hashes compare only under the same key). */
  keyId: string;
  env: McpSecretRef[];
  headers: McpSecretRef[];
  /** Arguments as configured, with secret-looking values replaced by `[secret <hash>]`. */
  args?: string[];
  disabled?: boolean;
}

/** What the endpoints say about one MCP server, over all hosts and users that configure it. */
export interface McpServerFacts {
  /** Record id, see the module comment. */
  id: string;
  /** The observation source that read it (`endpoints`). */
  source: string;
  /** A display name: the package, the URL's host and path, or the command. */
  name: string;
  transport: McpTransport;
  /** Remote servers: scheme, host and path (no query, no user info). */
  url?: string;
  /** stdio servers: the command's base name (`npx`, `uvx`, `docker`, `node`). */
  command?: string;
  package?: McpPackage;
  /** Union of the installs' flags. */
  flags: McpFlag[];
  /** Every host, user, client and file where it is configured, sorted. */
  installs: McpInstall[];
}

/** A source item for one MCP server: its facts and the observations (one per install) that are its evidence. */
export interface McpServerItem {
  mcpServer: McpServerFacts;
  evidence: Observation[];
}

/** Whether a source item is an {@link McpServerItem}. */
export function isMcpServerItem(x: unknown): x is McpServerItem {
  return typeof x === "object" && x !== null && !Array.isArray(x) && "mcpServer" in x && "evidence" in x;
}

/** What an MCP server record shows besides the common record fields. */
export interface McpServerView extends McpServerFacts {
  /** Hosts that configure it, sorted. */
  hosts: string[];
  /** The catalogue signature it matched (`domain:api.githubcopilot.com`, `package:@playwright/mcp`), when any. */
  signature?: { id: string; matched: string };
  firstScanId: number;
  lastScanId: number;
}

/**
 * Merge what a scan read about a server with what the store held: installs are keyed by host,
 * user, client, file, scope, project and name; the newer `collectedAt` wins, others are kept (a
 * later scan of other hosts adds to, never replaces, the hosts already known). Flags are
 * recomputed as the union of the installs'. Pure.
 */
export function mergeMcpFacts(before: McpServerFacts | undefined, now: McpServerFacts): McpServerFacts {
  const key = (i: McpInstall) => [i.host, i.user, i.client, i.file, i.scope, i.project ?? "", i.name].join("\u0000");
  const byKey = new Map<string, McpInstall>();
  for (const i of [...(before?.installs ?? []), ...now.installs]) {
    const k = key(i);
    const old = byKey.get(k);
    if (!old || old.collectedAt <= i.collectedAt) byKey.set(k, i);
  }
  const installs = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
  const flags = [...new Set(installs.flatMap((i) => i.flags))].sort() as McpFlag[];
  return { ...now, installs, flags };
}
