/**
 * Reading one home directory's AI client configurations into a bundle (bundle.ts): the user-scope
 * files of every client (clients.ts), the project-scope files of every project found (the projects
 * `~/.claude.json` names, and a bounded walk of the home), and the presence of local AI clients and
 * model runners. Read-only, no network. Nothing stops it: a file that is malformed (JSON, JSONC,
 * TOML), unreadable, not a regular file, a dangling link or a link loop is reported in
 * `problems` with its path, and the rest is read.
 *
 * Bounds: a configuration file is read whole up to {@link MAX_CONFIG_BYTES} (256 MiB: Claude Code's
 * `~/.claude.json` reaches 15-100 MB, as it keeps every project's history); a larger one is
 * reported, not read. The walk for project files goes {@link WALK_DEPTH} levels below the home and
 * visits at most {@link WALK_DIRS} directories, never into hidden directories, `node_modules`,
 * `Library`, `AppData` or symbolic links (so it cannot loop).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import type { McpSecretRef, McpTransport } from "../../src/core/mcp.js";
import { commandName, flagsOf, hasBroadAccess, packageOf } from "./analyse.js";
import { BUNDLE_FORMAT, BUNDLE_VERSION, type Bundle, type BundleServer } from "./bundle.js";
import { CLIENTS, PRESENCE, PROJECT_FILES, USER_FILES, type ClientId, type ConfigFile } from "./clients.js";
import { redactArgs, redactUrl, secretRef, type SecretKey } from "./secrets.js";

/** Largest configuration file read (bytes). */
export const MAX_CONFIG_BYTES = 256 * 1024 * 1024;
/** How deep below the home the walk for project files goes. */
export const WALK_DEPTH = 4;
/** How many directories the walk visits at most. */
export const WALK_DIRS = 20_000;
/** Servers read from one file at most (the rest are reported). */
const MAX_SERVERS_PER_FILE = 500;

/** Directory names the walk for projects does not enter. */
const SKIP_DIRS = new Set(["node_modules", "Library", "AppData", "Applications", "Pictures", "Music", "Movies", "Videos", "vendor", "venv", "__pycache__", "target", "dist", "build"]);

/** Whom and where a bundle is about. */
export interface HomeContext {
  home: string;
  host: string;
  user: string;
  os: Bundle["host"]["os"];
  key: SecretKey;
  /** ISO 8601 UTC. */
  collectedAt: string;
}

type Problems = Bundle["problems"];

/** Why a file system call failed, in words. */
function reasonOf(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT": return "no such file (or a dangling symbolic link)";
    case "ELOOP": return "symbolic link loop";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "a directory, not a file";
    default: return `cannot read: ${e.code ?? e.message}`;
  }
}

/**
 * The text of a configuration file, or undefined (with a problem reported) when it is absent,
 * unreadable, not a regular file or larger than {@link MAX_CONFIG_BYTES}. Opened non-blocking so a
 * FIFO cannot hang the collector; absence (ENOENT on the path itself, not on a link) is not a problem.
 */
export function readConfig(file: string, problems: Problems): string | undefined {
  let isLink = false;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" && (e as NodeJS.ErrnoException).code !== "ENOTDIR") problems.push({ path: file, reason: reasonOf(e as NodeJS.ErrnoException) });
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    problems.push({ path: file, reason: err.code === "ENOENT" && isLink ? "dangling symbolic link" : reasonOf(err) });
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      problems.push({ path: file, reason: "not a regular file" });
      return undefined;
    }
    if (st.size > MAX_CONFIG_BYTES) {
      problems.push({ path: file, reason: `${st.size} bytes, more than the ${MAX_CONFIG_BYTES}-byte bound: not read` });
      return undefined;
    }
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    let text = buf.subarray(0, n).toString("utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  } catch (e) {
    problems.push({ path: file, reason: reasonOf(e as NodeJS.ErrnoException) });
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** `offset` in `text` as 1-based line and column. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `line ${line} column ${offset - last}`;
}

/**
 * Parse JSON, or JSONC (comments, trailing commas: VS Code and Cursor accept both) with jsonc-parser.
 * A syntax error is reported with its line and column; what parsed before it is still returned, so
 * the servers written before a stray comma are not lost.
 */
export function parseJsonFile(file: string, text: string, problems: Problems): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
    // with comments and trailing commas allowed, what jsonc-parser still reports is a real error
    const real = errors;
    if (real.length > 0) {
      const e = real[0]!;
      problems.push({ path: file, reason: `malformed JSON at ${lineCol(text, e.offset)}: ${printParseErrorCode(e.error)} (${real.length} error(s); entries before it were read)` });
    }
    return value;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object at `path` inside `root` (also a flat dotted key, `"mcp.servers"`, as VS Code settings allow). */
function at(root: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  if (!isObject(root)) return undefined;
  const flat = root[path.join(".")];
  if (path.length > 1 && isObject(flat)) return flat;
  let v: unknown = root;
  for (const k of path) v = isObject(v) ? v[k] : undefined;
  return isObject(v) ? v : undefined;
}

/** Where a server entry was found. */
interface Place {
  client: ClientId;
  file: string;
  scope: BundleServer["scope"];
  project?: string;
}

/** A string of at most `max` characters, or undefined. */
function s(v: unknown, max = 4096): string | undefined {
  return typeof v === "string" ? v.slice(0, max) : undefined;
}

/**
 * One server entry, normalised. JSON clients: `command`, `args`, `env`, `type`, `url` (Windsurf
 * also `serverUrl`, Gemini CLI `httpUrl` for Streamable HTTP and `url` for SSE), `headers`,
 * `disabled`. Codex: `command`, `args`, `env`, `url`, `http_headers`, `env_http_headers` (header →
 * variable name), `bearer_token_env_var`, `enabled`.
 */
export function normaliseServer(place: Place, name: string, raw: Record<string, unknown>, ctx: HomeContext): BundleServer {
  const type = s(raw["type"], 40)?.toLowerCase();
  const httpUrl = s(raw["httpUrl"]);
  const rawUrl = httpUrl ?? s(raw["url"]) ?? s(raw["serverUrl"]);
  let transport: McpTransport;
  if (type === "stdio" || (!rawUrl && raw["command"] !== undefined)) transport = "stdio";
  else if (type === "sse" || (place.client === "gemini-cli" && !httpUrl && rawUrl)) transport = "sse";
  else transport = rawUrl ? "http" : "stdio";

  const env: McpSecretRef[] = isObject(raw["env"]) ? Object.entries(raw["env"]).slice(0, 500).map(([k, v]) => secretRef(ctx.key, k, v)) : [];
  const headerObj = isObject(raw["headers"]) ? raw["headers"] : isObject(raw["http_headers"]) ? raw["http_headers"] : {};
  const headers: McpSecretRef[] = Object.entries(headerObj).slice(0, 500).map(([k, v]) => secretRef(ctx.key, k, v));
  if (isObject(raw["env_http_headers"])) {
    for (const [k, v] of Object.entries(raw["env_http_headers"]).slice(0, 500)) headers.push({ name: k.slice(0, 200), literal: false, secret: false, ...(typeof v === "string" ? { reference: v.slice(0, 200) } : {}) });
  }
  if (typeof raw["bearer_token_env_var"] === "string") headers.push({ name: "Authorization", literal: false, secret: false, reference: raw["bearer_token_env_var"].slice(0, 200) });

  let secret = env.some((e) => e.secret) || headers.some((h) => h.secret);
  const out: BundleServer = { client: place.client, file: place.file, scope: place.scope, ...(place.project ? { project: place.project } : {}), name: name.slice(0, 200), transport, env, headers, flags: [] };
  let pkg: BundleServer["package"];
  if (transport === "stdio") {
    const command = s(raw["command"]) ?? "";
    const argv = Array.isArray(raw["args"]) ? raw["args"].slice(0, 500).map((a) => (typeof a === "string" ? a : JSON.stringify(a) ?? "")) : [];
    // a whole command line in `command` ("npx -y pkg") is split on spaces, as clients pass it to a shell
    const words = argv.length === 0 && /\s/.test(command.trim()) ? command.trim().split(/\s+/) : [command, ...argv];
    const [cmd, ...args] = words;
    pkg = packageOf(cmd ?? "", args);
    const red = redactArgs(ctx.key, args);
    if (red.secret) secret = true;
    const broad = hasBroadAccess(cmd ?? "", args, pkg, ctx.home);
    out.command = commandName(cmd ?? "");
    out.args = red.args;
    if (pkg) out.package = pkg;
    out.flags = flagsOf({ transport, pkg, broad, secret });
  } else {
    const r = redactUrl(ctx.key, rawUrl ?? "");
    if (r.secret) secret = true;
    out.url = r.url;
    out.flags = flagsOf({ transport, url: rawUrl ?? "", broad: false, secret });
  }
  if (raw["disabled"] === true || raw["enabled"] === false) out.disabled = true;
  return out;
}

/** The servers of one parsed file at `rootKey`. */
function serversIn(place: Place, root: Record<string, unknown> | undefined, ctx: HomeContext, problems: Problems): BundleServer[] {
  if (!root) return [];
  const entries = Object.entries(root);
  if (entries.length > MAX_SERVERS_PER_FILE) problems.push({ path: place.file, reason: `${entries.length} servers; the first ${MAX_SERVERS_PER_FILE} were read` });
  const out: BundleServer[] = [];
  for (const [name, raw] of entries.slice(0, MAX_SERVERS_PER_FILE)) {
    if (!isObject(raw)) {
      problems.push({ path: place.file, reason: `server "${name.slice(0, 100)}" is not an object` });
      continue;
    }
    out.push(normaliseServer(place, name, raw, ctx));
  }
  return out;
}

/** Read one configuration file into server entries; the project paths `~/.claude.json` names go to `projects`. */
function readFile(cf: ConfigFile, file: string, project: string | undefined, ctx: HomeContext, problems: Problems, projects: Set<string>): BundleServer[] | undefined {
  const text = readConfig(file, problems);
  if (text === undefined) return undefined;
  const place: Place = { client: cf.client, file, scope: cf.scope, ...(project ? { project } : {}) };
  if (cf.format.type === "codex-toml") {
    let doc: unknown;
    try {
      doc = parseToml(text);
    } catch (e) {
      const err = e as Error & { line?: number; column?: number };
      problems.push({ path: file, reason: `malformed TOML${err.line ? ` at line ${err.line} column ${err.column}` : ""}: ${err.message.split("\n")[0]}` });
      return [];
    }
    return serversIn(place, at(doc, ["mcp_servers"]), ctx, problems);
  }
  const doc = parseJsonFile(file, text, problems);
  if (cf.format.type === "json") return serversIn(place, at(doc, cf.format.rootKey), ctx, problems);
  // ~/.claude.json: user scope at the root, local scope per project
  const out = serversIn(place, at(doc, ["mcpServers"]), ctx, problems);
  const projs = at(doc, ["projects"]);
  for (const [path, p] of Object.entries(projs ?? {})) {
    projects.add(path);
    if (isObject(p)) out.push(...serversIn({ client: "claude-code", file, scope: "local", project: path }, at(p, ["mcpServers"]), ctx, problems));
  }
  return out;
}

/**
 * A project path as `~/.claude.json` names it on its own machine, found under `home` when the
 * collector reads a copy (`--home`): `/Users/alice/src/app` → `<home>/src/app`.
 */
function localProjectDir(path: string, home: string): string | undefined {
  const norm = path.replace(/\\/g, "/");
  const candidates = [path];
  const m = /^(?:[A-Za-z]:)?\/(?:Users|home)\/[^/]+\/(.+)$/.exec(norm) ?? /^\/root\/(.+)$/.exec(norm);
  if (m) candidates.push(join(home, ...m[1]!.split("/")));
  for (const c of candidates) {
    try {
      if (statSync(c).isDirectory()) return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Directories under `home` (not hidden, not skipped, not links), to look for project files in. */
function walkProjects(home: string, problems: Problems): string[] {
  const out: string[] = [];
  let visited = 0;
  const walk = (dir: string, depth: number): void => {
    if (visited >= WALK_DIRS) return;
    visited++;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (depth > 0 && err.code !== "ENOENT") problems.push({ path: dir, reason: reasonOf(err) });
      return;
    }
    if (depth > 0) out.push(dir);
    if (depth >= WALK_DEPTH) return;
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      // Dirent types come from lstat: a symbolic link is never a directory here, so the walk cannot loop
      if (e.isDirectory() && !e.name.startsWith(".") && !SKIP_DIRS.has(e.name)) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(home, 0);
  if (visited >= WALK_DIRS) problems.push({ path: home, reason: `the walk for project files stopped after ${WALK_DIRS} directories` });
  return out;
}

/** Whether `path` exists (following links); a link loop or permission problem is reported. */
function exists(path: string, problems: Problems): boolean {
  try {
    statSync(path);
    return true;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== "ENOENT" && err.code !== "ENOTDIR") problems.push({ path, reason: reasonOf(err) });
    return false;
  }
}

/** Read every AI client configuration of one home into a bundle. Never throws for what it reads. */
export function collectHome(ctx: HomeContext): Bundle {
  const problems: Problems = [];
  const servers: BundleServer[] = [];
  const agents = new Map<string, Bundle["agents"][number]>();
  const agent = (client: ClientId, file: string) => {
    if (!agents.has(client)) agents.set(client, { client, kind: CLIENTS[client].kind, file });
  };
  const projects = new Set<string>();
  for (const cf of USER_FILES) {
    const file = join(ctx.home, ...cf.path);
    const found = readFile(cf, file, undefined, ctx, problems, projects);
    if (found === undefined) continue;
    servers.push(...found);
    // VS Code's settings.json says nothing about AI unless it holds MCP servers
    if (cf.client !== "vscode" || found.length > 0) agent(cf.client, file);
  }
  for (const p of PRESENCE) {
    const path = join(ctx.home, ...p.path);
    if (exists(path, problems)) agent(p.client, path);
  }
  const dirs = new Set<string>();
  for (const p of projects) {
    const d = localProjectDir(p, ctx.home);
    if (d) dirs.add(d);
  }
  for (const d of walkProjects(ctx.home, problems)) dirs.add(d);
  for (const dir of [...dirs].sort()) {
    for (const cf of PROJECT_FILES) {
      const file = join(dir, ...cf.path);
      const found = readFile(cf, file, dir, ctx, problems, new Set());
      if (found === undefined) continue;
      servers.push(...found);
      if (found.length > 0) agent(cf.client, file);
    }
  }
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    collectedAt: ctx.collectedAt,
    host: { name: ctx.host, os: ctx.os },
    user: ctx.user,
    home: ctx.home,
    secretHash: { algorithm: "HMAC-SHA256/128", keySource: ctx.key.source, keyId: ctx.key.keyId },
    agents: [...agents.values()].sort((a, b) => (a.client < b.client ? -1 : 1)),
    servers,
    problems: problems.map((p) => ({ path: p.path.slice(0, 4096), reason: p.reason.slice(0, 2000) })),
  };
}

/** The operating system a home's layout suggests (`Library/` macOS, `AppData/` Windows, else Linux). */
export function osOfHome(home: string): Bundle["host"]["os"] {
  const has = (p: string) => {
    try {
      return statSync(join(home, p)).isDirectory();
    } catch {
      return false;
    }
  };
  if (has("Library")) return "darwin";
  if (has("AppData")) return "win32";
  return home.includes(`${sep}home${sep}`) || home.startsWith("/home/") || home === "/root" ? "linux" : "unknown";
}

/** The user a home belongs to, by its folder name. */
export function userOfHome(home: string): string {
  return basename(home.replace(/[\\/]+$/, "")) || "unknown";
}
