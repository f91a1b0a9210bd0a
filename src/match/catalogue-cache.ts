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
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { packageRoot } from "../core/paths.js";
import type { AIService } from "../core/service.js";
import type { LoadedSignature } from "./loaded.js";
import type { SignatureFile } from "./schema.js";

/** Format version of the cache file; a cache of another version is ignored. */
const VERSION = 2;

interface CacheFile {
  version: number;
  /** {@link fingerprint} of the files the cache was built from. */
  fingerprint: string;
  /** In file order (the services only: matching needs nothing else). */
  signatures: { file: string; service: Omit<AIService, "file"> }[];
}

/** The signature files as written (`raw`), in a file of their own beside the cache, read on first use. */
interface RawFile {
  fingerprint: string;
  raw: SignatureFile[];
}

/** Where the raw half of the cache lives: beside the cache. */
function rawPath(path: string): string {
  return path.replace(/\.json$/, "") + "-raw.json";
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

/**
 * The cache's key: SHA-256 over each signature file's name (with its folder), size and
 * modification time, in the order given, then the loader's code by content. Reading 2,000 files'
 * bytes at every start cost more than parsing the cache; a file edited, added, removed or moved
 * changes its size, time or name. The cache lives in dist/, as trusted as the code beside it.
 */
export function fingerprint(files: readonly string[]): string {
  const h = createHash("sha256");
  for (const f of files) {
    const st = statSync(f);
    h.update(join(basename(dirname(f)), basename(f))).update("\0").update(`${st.size}:${st.mtimeMs}`).update("\0");
  }
  h.update(hashFiles(loaderFiles()));
  return h.digest("hex");
}

/**
 * Write the cache of `signatures`, loaded from `files` (the caller validated them).
 * @throws Error when a signature does not survive a JSON round trip unchanged (a value JSON
 *   cannot hold): the cache would then differ from the files.
 */
export function writeCatalogueCache(files: readonly string[], signatures: readonly LoadedSignature[], path = catalogueCachePath()): void {
  const fp = fingerprint(files);
  const cache: CacheFile = {
    version: VERSION,
    fingerprint: fp,
    signatures: signatures.map(({ service }) => {
      const { file, ...rest } = service;
      return { file: basename(file ?? ""), service: rest };
    }),
  };
  const raws: RawFile = { fingerprint: fp, raw: signatures.map((s) => s.raw) };
  const text = JSON.stringify(cache);
  const rawText = JSON.stringify(raws);
  const back = (JSON.parse(text) as CacheFile).signatures;
  const backRaw = (JSON.parse(rawText) as RawFile).raw;
  for (let i = 0; i < back.length; i++) {
    if (JSON.stringify(back[i]) !== JSON.stringify(cache.signatures[i]) || JSON.stringify(backRaw[i]) !== JSON.stringify(raws.raw[i])) {
      throw new Error(`${files[i]}: does not survive a JSON round trip`);
    }
  }
  writeFileSync(rawPath(path), rawText);
  writeFileSync(path, text);
}

/**
 * The signatures of `files` (all in `dir`) from the cache, or undefined when there is no cache, it
 * is unreadable or of another version, or the files are not those it was built from. Each
 * signature's `raw` is read from the raw half of the cache the first time any is asked for.
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
  // the cache holds the signatures in the order of `files`, which the fingerprint just matched; the
  // raw signature files (examples, references, notes: for lint, test, show) load on first use
  void dir;
  const fp = cache.fingerprint;
  let raws: SignatureFile[] | undefined;
  const rawAt = (i: number): SignatureFile => {
    if (!raws) {
      const r = JSON.parse(readFileSync(rawPath(path), "utf8")) as RawFile;
      if (r.fingerprint !== fp || r.raw.length !== files.length) throw new Error(`${rawPath(path)}: does not belong to ${path}; run npm run build`);
      raws = r.raw;
    }
    return raws[i]!;
  };
  return cache.signatures.map(({ service }, i) => {
    const sig = { service: { ...service, file: files[i]! } } as LoadedSignature;
    Object.defineProperty(sig, "raw", { enumerable: true, configurable: true, get: () => rawAt(i) });
    return sig;
  });
}
