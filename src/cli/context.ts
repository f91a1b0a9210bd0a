/**
 * What every command shares: global options, the database, the catalogue and output helpers.
 */
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

/** Print a JSON value on stdout, one document. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
