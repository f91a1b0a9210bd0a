/**
 * What every command shares: global options, the database, the catalogue and output helpers.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { AIService } from "../core/service.js";
import { bundledSignatureDir, loadSignatures, SignatureError, type LoadedSignature } from "../match/load.js";
import { Matcher } from "../match/matcher.js";
import { defaultDbPath, NativeModuleError, openStore, StoreError, type DB } from "../store/db.js";
import { ConfigError, loadConfig, type Config } from "../pipeline/config.js";
import { CliError, EXIT } from "./exit-codes.js";

/** Options that go before the command: `shadow-ai --db x.db scan pcap a.pcapng`. */
export interface GlobalOptions {
  db?: string;
  config?: string;
}

/**
 * Open the existing database named by `--db`, `$SHADOW_AI_DB` or `./shadow-ai.db` for a command
 * that reads or reviews it; failures exit 4. A database that does not exist is an error, never
 * created empty (a mistyped `--db` must not look like an empty inventory). Only `scan` creates one.
 */
export function openDb(g: GlobalOptions, readonly = false): DB {
  const path = resolve(g.db ?? defaultDbPath());
  if (!existsSync(path)) {
    throw new CliError(`${path}: no such database (check --db or $SHADOW_AI_DB; a scan creates it)`, EXIT.DATABASE);
  }
  try {
    return openStore(path, { readonly });
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, EXIT.DATABASE);
    if (e instanceof NativeModuleError) throw new CliError(e.message, EXIT.RUNTIME);
    throw e;
  }
}

const loaded = new Map<string, Config>();

/** The configuration of `--config` or `./shadow-ai.yaml`, read once per process; an invalid one exits 2. */
export function config(g: GlobalOptions): Config {
  const key = g.config ?? "";
  const hit = loaded.get(key);
  if (hit) return hit;
  try {
    const c = loadConfig(g.config);
    loaded.set(key, c);
    return c;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, EXIT.USAGE);
    throw e;
  }
}

const catalogues = new Map<string, { signatures: LoadedSignature[]; services: Map<string, AIService>; matcher: Matcher }>();

/** The bundled catalogue plus the configuration's extra signature directories, loaded once per process; a bad file exits 2. */
export function catalogue(g: GlobalOptions): { signatures: LoadedSignature[]; services: Map<string, AIService>; matcher: Matcher } {
  const key = config(g).signatures.extraDirs.join("\u0000");
  const hit = catalogues.get(key);
  if (hit) return hit;
  try {
    const signatures = loadSignatures([bundledSignatureDir(), ...config(g).signatures.extraDirs]);
    const list = signatures.map((s) => s.service);
    const loaded = { signatures, services: new Map(list.map((s) => [s.id, s])), matcher: new Matcher(list) };
    catalogues.set(key, loaded);
    return loaded;
  } catch (e) {
    if (e instanceof SignatureError) throw new CliError(`invalid signature: ${e.message}`, EXIT.USAGE);
    throw e;
  }
}

/** Print a JSON value on stdout, one document. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
