/**
 * `collect-endpoint [--home DIR] --out FILE`: runs on an endpoint (pushed by an MDM, an EDR or a
 * login script), reads the MCP and AI client configurations of the current user (or of the home
 * directory DIR) and writes a bundle (collectors/endpoints/bundle.ts) for `scan endpoints`.
 * Read-only apart from FILE, no network, no database. Secret values are never written: see
 * collectors/endpoints/secrets.ts for the keyed hash and its key (`SHADOW_AI_ENDPOINT_KEY`).
 *
 * Exit 0 when the bundle was written, even when some configuration files could not be read (they
 * are listed in the bundle's `problems` and on stderr: a user's malformed file is a finding, not a
 * failure of the rollout); exit 2 for bad usage; exit 1 when FILE cannot be written.
 */
import { writeFileSync, renameSync } from "node:fs";
import { homedir, hostname, platform, userInfo } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { bundleKey, collectHome, osOfHome, userOfHome } from "../../collectors/registry.js";
import { CliError, EXIT } from "./exit-codes.js";
import { safeText } from "./terminal.js";

interface Options {
  home?: string;
  out: string;
  host?: string;
  user?: string;
}

/** Add `collect-endpoint` to the program. */
export function registerCollectEndpoint(program: Command): void {
  program
    .command("collect-endpoint")
    .description("write a bundle of this user's MCP servers and local AI clients (read-only, no network; secrets hashed) for `scan endpoints`")
    .option("--home <dir>", "read this home directory instead of the current user's")
    .requiredOption("--out <file>", "where to write the bundle (JSON)")
    .option("--host <name>", "host name to record (default: this machine's)")
    .option("--user <name>", "user name to record (default: the current user, or the --home folder's name)")
    .action((opts: Options) => {
      let key;
      try {
        key = bundleKey();
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.USAGE);
      }
      const home = resolve(opts.home ?? homedir());
      const os = opts.home ? osOfHome(home) : platform() === "darwin" || platform() === "linux" || platform() === "win32" ? (platform() as "darwin" | "linux" | "win32") : "unknown";
      const user = opts.user ?? (opts.home ? userOfHome(home) : safeUser());
      const bundle = collectHome({ home, host: opts.host ?? hostname(), user, os, key, collectedAt: new Date().toISOString() });
      const out = resolve(opts.out);
      const tmp = `${out}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, `${JSON.stringify(bundle, null, 1)}\n`, { mode: 0o600 });
        renameSync(tmp, out);
      } catch (e) {
        throw new CliError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.INTERNAL);
      }
      for (const p of bundle.problems) process.stderr.write(`collect-endpoint: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
      process.stderr.write(
        `collect-endpoint: ${bundle.servers.length} MCP server entr${bundle.servers.length === 1 ? "y" : "ies"}, ${bundle.agents.length} AI client(s), ` +
          `${bundle.problems.length} problem(s) for ${safeText(user)}@${safeText(bundle.host.name)} -> ${safeText(out)}\n`,
      );
    });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return userOfHome(homedir());
  }
}
