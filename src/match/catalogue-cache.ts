/**
 * The bundled catalogue, validated once at build time (`npm run build` runs
 * `dist/src/match/build-catalogue.js`) and kept as JSON in `dist/catalogue.json`, so that a
 * command does not parse 300-odd YAML files and validate them with zod each time it starts (about
 * 0.4 s of every `query`). The cache is used only while it matches, byte for byte, the signature
 * files and the code that turns them into signatures (this directory's `load` and `schema`
 * modules): a SHA-256 over them is computed at load (about 20 ms) and compared with the one
 * recorded at build; an edited, added or removed file makes the loader parse the YAML again. The
 * cache is never written at run time (the install directory may be read-only).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { packageRoot } from "../core/paths.js";
import type { AIService } from "../core/service.js";
import type { LoadedSignature } from "./loaded.js";
import type { SignatureFile } from "./schema.js";

/** Format version of the cache file; a cache of another version is ignored. */
const VERSION = 1;

interface CacheFile {
  version: number;
  /** {@link fingerprint} of the files the cache was built from. */
  fingerprint: string;
  /** In file-name order; `file` is the base name, re-rooted at the directory when loaded. */
  signatures: { file: string; service: Omit<AIService, "file">; raw: SignatureFile }[];
}

/** Where the cache of the bundled catalogue lives. */
export function catalogueCachePath(): string {
  return join(packageRoot(), "dist", "catalogue.json");
}

/** The loader's own module files (compiled `.js` when running built, `.ts` from the sources). */
function loaderFiles(): string[] {
  return ["load", "schema"].map((name) => {
    const js = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
    return existsSync(js) ? js : fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  });
}

/**
 * SHA-256 (hex) over the name and bytes of each file, in the order given (`folder/name \0 bytes \0`
 * per file: the name with its folder, so that moving a signature to another category folder
 * changes it). `signatures export` gives it over the signature files, in path order, as the
 * catalogue's hash.
 */
export function hashFiles(files: readonly string[]): string {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(join(basename(dirname(f)), basename(f))).update("\0");
    h.update(readFileSync(f)).update("\0");
  }
  return h.digest("hex");
}

/** {@link hashFiles} over the files, in the order given, then the loader's code. */
export function fingerprint(files: readonly string[]): string {
  return hashFiles([...files, ...loaderFiles()]);
}

/**
 * Write the cache of `signatures`, loaded from `files` (the caller validated them).
 * @throws Error when a signature does not survive a JSON round trip unchanged (a value JSON
 *   cannot hold): the cache would then differ from the files.
 */
export function writeCatalogueCache(files: readonly string[], signatures: readonly LoadedSignature[], path = catalogueCachePath()): void {
  const cache: CacheFile = {
    version: VERSION,
    fingerprint: fingerprint(files),
    signatures: signatures.map(({ service, raw }) => {
      const { file, ...rest } = service;
      return { file: basename(file ?? ""), service: rest, raw };
    }),
  };
  const text = JSON.stringify(cache);
  const back = (JSON.parse(text) as CacheFile).signatures;
  for (let i = 0; i < back.length; i++) {
    if (JSON.stringify(back[i]) !== JSON.stringify(cache.signatures[i])) throw new Error(`${files[i]}: does not survive a JSON round trip`);
  }
  writeFileSync(path, text);
}

/**
 * The signatures of `files` (all in `dir`) from the cache, or undefined when there is no cache, it
 * is unreadable or of another version, or the files are not byte for byte those it was built from.
 */
export function readCatalogueCache(dir: string, files: readonly string[], path = catalogueCachePath()): LoadedSignature[] | undefined {
  if (!existsSync(path)) return undefined;
  let cache: CacheFile;
  try {
    cache = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
  } catch {
    return undefined;
  }
  if (cache.version !== VERSION || cache.signatures.length !== files.length || cache.fingerprint !== fingerprint(files)) return undefined;
  // the cache holds the signatures in the order of `files`, which the fingerprint just matched
  void dir;
  return cache.signatures.map(({ service, raw }, i) => ({ service: { ...service, file: files[i]! }, raw }));
}
