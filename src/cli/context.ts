/**
 * What every command shares: global options, the database, the catalogue and output helpers.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AIService } from "../core/service.js";
import { bundledSignatureDir, loadSignatures, SignatureError, type LoadedSignature } from "../match/load.js";
import { Matcher } from "../match/matcher.js";
import { defaultDbPath, NativeModuleError, openStore, StoreError, type DB } from "../store/db.js";
import { loadConfig, type Config } from "./config.js";
import { CliError, EXIT } from "./exit-codes.js";

/** Options that go before the command: `shadow-ai --db x.db scan pcap a.pcapng`. */
export interface GlobalOptions {
  db?: string;
  config?: string;
}

/** Open the database named by `--db`, `$SHADOW_AI_DB` or `./shadow-ai.db`; failures exit 4. */
export function openDb(g: GlobalOptions, readonly = false): DB {
  try {
    return openStore(g.db ?? defaultDbPath(), { readonly });
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, EXIT.DATABASE);
    if (e instanceof NativeModuleError) throw new CliError(e.message, EXIT.RUNTIME);
    throw e;
  }
}

/** The configuration of `--config` or `./shadow-ai.yaml`. */
export function config(g: GlobalOptions): Config {
  return loadConfig(g.config);
}

/** The bundled catalogue plus the configuration's extra signature directories; a bad file exits 2. */
export function catalogue(g: GlobalOptions): { signatures: LoadedSignature[]; services: Map<string, AIService>; matcher: Matcher } {
  try {
    const signatures = loadSignatures([bundledSignatureDir(), ...config(g).signatures.extraDirs]);
    const list = signatures.map((s) => s.service);
    return { signatures, services: new Map(list.map((s) => [s.id, s])), matcher: new Matcher(list) };
  } catch (e) {
    if (e instanceof SignatureError) throw new CliError(`invalid signature: ${e.message}`, EXIT.USAGE);
    throw e;
  }
}

/**
 * Expand inputs: a file stays itself; a directory gives its regular files (not recursive, sorted,
 * hidden files skipped). A path that does not exist is an error for the caller to report.
 */
export function expandInputs(inputs: readonly string[], accept: (name: string) => boolean = () => true): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of inputs) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) {
        if (f.startsWith(".") || !accept(f)) continue;
        const full = join(p, f);
        if (statSync(full).isFile()) files.push(full);
      }
    } else {
      files.push(p);
    }
  }
  return { files, missing };
}

/** Print a JSON value on stdout, one document. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
