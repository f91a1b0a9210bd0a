/**
 * What a configured MCP server is: its package (from the launcher command line), whether that
 * package is pinned, whether it reaches a shell or the whole file system, whether a remote one uses
 * plain HTTP. Pure functions over one server entry as a client's configuration gives it.
 *
 * Launchers: `npx` (npm exec, https://docs.npmjs.com/cli/v11/commands/npx), `npm exec`, `pnpm dlx`,
 * `yarn dlx`, `bunx`; `uvx` / `uv tool run` (https://docs.astral.sh/uv/guides/tools/), `pipx run`;
 * `docker run` / `podman run` (image reference `name[:tag][@digest]`,
 * https://docs.docker.com/reference/cli/docker/image/tag/).
 */
import { basename } from "node:path";
import type { McpFlag, McpPackage, McpTransport } from "../../src/core/mcp.js";

/** The base name of a command, without `.exe`/`.cmd`/`.bat` and lower-cased (`C:\\...\\npx.cmd` → `npx`). */
export function commandName(command: string): string {
  return basename(command.replace(/\\/g, "/")).replace(/\.(exe|cmd|bat|ps1)$/i, "").toLowerCase();
}

/** npm options of `npx` / `npm exec` that take a value (https://docs.npmjs.com/cli/v11/commands/npm-exec). */
const NPX_VALUE_OPTS = new Set(["-p", "--package", "-c", "--call", "--registry", "--cache", "--userconfig", "-w", "--workspace"]);

/** `@scope/name@1.2.3` → name and version; `name` → name only. */
function splitNpm(spec: string): { name: string; version?: string } {
  const at = spec.lastIndexOf("@");
  if (at > 0) return { name: spec.slice(0, at), version: spec.slice(at + 1) };
  return { name: spec };
}

/** Whether an npm version spec is exact (semver `1.2.3` with an optional pre-release), not a range or dist-tag. */
function npmPinned(version: string | undefined): boolean {
  return version !== undefined && /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version);
}

/** The package a stdio server runs, from its command and arguments; undefined for a plain command. */
export function packageOf(command: string, args: readonly string[]): McpPackage | undefined {
  const cmd = commandName(command);
  let rest = [...args];
  // `npm exec`, `pnpm dlx`, `yarn dlx`, `uv tool run`, `pipx run`: drop the subcommand words
  if ((cmd === "npm" && rest[0] === "exec") || ((cmd === "pnpm" || cmd === "yarn") && rest[0] === "dlx")) return npmPackage(rest.slice(1));
  if (cmd === "npx" || cmd === "bunx") return npmPackage(rest);
  if (cmd === "uv" && rest[0] === "tool" && rest[1] === "run") rest = rest.slice(2);
  else if (cmd === "pipx" && rest[0] === "run") rest = rest.slice(1);
  else if (cmd !== "uvx") return cmd === "docker" || cmd === "podman" ? dockerImage(rest) : undefined;
  return pypiPackage(rest);
}

function npmPackage(args: readonly string[]): McpPackage | undefined {
  let explicit: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") continue;
    if (a === "-p" || a === "--package") {
      explicit = args[i + 1];
      i++;
      continue;
    }
    if (a.startsWith("--package=")) {
      explicit = a.slice("--package=".length);
      continue;
    }
    if (NPX_VALUE_OPTS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    const { name, version } = splitNpm(explicit ?? a);
    return { ecosystem: "npm", name: name.toLowerCase(), ...(version ? { version } : {}), pinned: npmPinned(version) };
  }
  return undefined;
}

/** uvx options that take a value (https://docs.astral.sh/uv/reference/cli/#uv-tool-run). */
const UVX_VALUE_OPTS = new Set(["--with", "--python", "-p", "--index", "--index-url", "--extra-index-url", "--directory", "--project", "-w", "--with-requirements", "--with-editable", "--env-file"]);

function pypiPackage(args: readonly string[]): McpPackage | undefined {
  let from: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--from") {
      from = args[i + 1];
      i++;
      continue;
    }
    if (a.startsWith("--from=")) {
      from = a.slice("--from=".length);
      continue;
    }
    if (UVX_VALUE_OPTS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    const spec = from ?? a;
    // `pkg==1.2.3`, `pkg@1.2.3`, `pkg@latest`, `pkg>=1`, `pkg[extra]==1`, or a git/URL source
    if (/^(git\+|https?:|file:|\.|\/)/.test(spec)) return { ecosystem: "pypi", name: spec.slice(0, 200), pinned: /@[0-9a-f]{40}$/.test(spec) };
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(==|@|>=|<=|~=|>|<|!=)?\s*(.*)$/.exec(spec);
    if (!m) return undefined;
    const version = m[4] ? m[4] : undefined;
    const pinned = (m[3] === "==" || m[3] === "@") && version !== undefined && /^\d+(\.\d+)*([a-z0-9.+-]*)$/i.test(version);
    return { ecosystem: "pypi", name: m[1]!.toLowerCase().replace(/[._]+/g, "-"), ...(version ? { version } : {}), pinned };
  }
  return undefined;
}

/** `docker run` options that take a value (https://docs.docker.com/reference/cli/docker/container/run/). */
const DOCKER_VALUE_OPTS = new Set([
  "-e", "--env", "--env-file", "-v", "--volume", "--mount", "-p", "--publish", "--name", "--network", "--net", "-w", "--workdir",
  "-u", "--user", "--entrypoint", "--platform", "-l", "--label", "--add-host", "--cpus", "-m", "--memory", "--pull", "--cap-add", "--cap-drop",
  "--security-opt", "--device", "--tmpfs", "--ulimit", "--hostname", "-h", "--dns", "--log-driver", "--log-opt", "--restart", "--runtime",
]);

function dockerImage(args: readonly string[]): McpPackage | undefined {
  if (args[0] !== "run" && !(args[0] === "container" && args[1] === "run")) return undefined;
  const rest = args.slice(args[0] === "run" ? 1 : 2);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (DOCKER_VALUE_OPTS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    const at = a.indexOf("@");
    if (at > 0) return { ecosystem: "docker", name: a.slice(0, at).toLowerCase(), version: a.slice(at + 1), pinned: true };
    const colon = a.lastIndexOf(":");
    const slash = a.lastIndexOf("/");
    if (colon > slash) {
      const tag = a.slice(colon + 1);
      return { ecosystem: "docker", name: a.slice(0, colon).toLowerCase(), version: tag, pinned: tag !== "latest" };
    }
    return { ecosystem: "docker", name: a.toLowerCase(), pinned: false };
  }
  return undefined;
}

/**
 * Packages that give the model a shell: command runners whose purpose is to execute what the model
 * asks (Desktop Commander, mcp-server-commands, shell servers), by name.
 */
const SHELL_PACKAGE = /(^|[/@_-])(shell|terminal|commands?|desktop-commander|exec|ssh|bash|powershell)([_-]|$)/i;

/** Shells and interpreters run with a script from the command line. */
const SHELL_COMMANDS = new Set(["sh", "bash", "zsh", "fish", "dash", "ksh", "cmd", "powershell", "pwsh"]);

/** File-system servers that take allowed directories as arguments (the reference `server-filesystem`, its PyPI/Go ports). */
const FILESYSTEM_PACKAGE = /(^|[/@_-])(server-)?file-?system([_-]|$)|^mcp-server-filesystem$|filesystem-mcp/i;

/** An argument that is the root, a drive root or a whole home directory. */
function isWholeFileSystem(arg: string, home: string | undefined): boolean {
  const a = arg.replace(/\\/g, "/").replace(/\/+$/, "");
  if (a === "" || a === "~" || a === "$HOME" || a === "${HOME}" || a === "%USERPROFILE%" || a === "${userHome}") return true;
  if (/^[A-Za-z]:$/.test(a)) return true;
  if (a === "/Users" || a === "/home" || /^\/Users\/[^/]+$/.test(a) || /^\/home\/[^/]+$/.test(a) || /^[A-Za-z]:\/Users(\/[^/]+)?$/i.test(a)) return true;
  if (home && a === home.replace(/\\/g, "/").replace(/\/+$/, "")) return true;
  return false;
}

/**
 * Whether a stdio server reaches a shell or the whole file system: a shell package
 * ({@link SHELL_PACKAGE}), a shell as the command, a file-system server given `/`, a drive root or a
 * home directory, or a container that mounts one of those.
 */
export function hasBroadAccess(command: string, args: readonly string[], pkg: McpPackage | undefined, home?: string): boolean {
  const cmd = commandName(command);
  if (SHELL_COMMANDS.has(cmd)) return true;
  if (pkg && SHELL_PACKAGE.test(pkg.name)) return true;
  if (pkg && FILESYSTEM_PACKAGE.test(pkg.name)) {
    const after = args.slice(args.findIndex((a) => a.toLowerCase().includes(pkg.name.split("/").pop()!)) + 1);
    if (after.some((a) => !a.startsWith("-") && isWholeFileSystem(a, home))) return true;
  }
  if (pkg?.ecosystem === "docker") {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const v = a === "-v" || a === "--volume" ? args[i + 1] : a.startsWith("--volume=") ? a.slice(9) : a === "--mount" ? args[i + 1] : undefined;
      if (!v) continue;
      const src = v.startsWith("type=") ? (/(?:source|src)=([^,]+)/.exec(v)?.[1] ?? "") : v.split(":").slice(0, /^[A-Za-z]:/.test(v) ? 2 : 1).join(":");
      if (isWholeFileSystem(src, home)) return true;
    }
  }
  return false;
}

/** Loopback hosts: a server there is on the same machine, so plain HTTP does not cross a network. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127\./.test(h) || h === "::1" || h === "0.0.0.0";
}

/** The flags of one configured server (see McpFlag). */
export function flagsOf(s: { transport: McpTransport; url?: string; pkg?: McpPackage; broad: boolean; secret: boolean }): McpFlag[] {
  const flags: McpFlag[] = [];
  if (s.secret) flags.push("plaintext-secret");
  if (s.transport !== "stdio" && s.url) {
    try {
      const u = new URL(s.url);
      if (u.protocol === "http:" && !isLoopback(u.hostname)) flags.push("plain-http");
    } catch {
      // an unparsable URL is reported by the reader, not flagged
    }
  }
  if (s.pkg && !s.pkg.pinned) flags.push("unpinned");
  if (s.broad) flags.push("broad-access");
  return flags.sort();
}

/** The record identity of a server (see src/core/mcp.ts): `url:<host><path>`, `<ecosystem>:<package>`, `cmd:<command> <arg>`. */
export function identityOf(transport: McpTransport, url: string | undefined, command: string | undefined, args: readonly string[], pkg: McpPackage | undefined): string {
  if (transport !== "stdio" && url) {
    try {
      const u = new URL(url);
      // a key in the path was replaced by its hash, which differs per bundle key: one record per server, not per key
      return `url:${u.hostname.toLowerCase()}${u.port ? `:${u.port}` : ""}${u.pathname.replace(/\/secret-[0-9a-f]{32}(?=\/|$)/g, "/*").replace(/\/+$/, "")}`;
    } catch {
      return `url:${url.toLowerCase().slice(0, 200)}`;
    }
  }
  if (pkg) return `${pkg.ecosystem}:${pkg.name}`;
  // the script's path with the home directory as `~`: the same checkout on two machines is one
  // server, two unrelated `node index.js` are not
  const first = args.find((a) => !a.startsWith("-") && !a.startsWith("[secret"));
  const script = first?.replace(/\\/g, "/").replace(/^(?:[A-Za-z]:)?\/(?:Users|home)\/[^/]+(?=\/|$)|^\/root(?=\/|$)|^\$HOME(?=\/|$)/i, "~").toLowerCase();
  return `cmd:${commandName(command ?? "?")}${script ? ` ${script}` : ""}`.slice(0, 200);
}
