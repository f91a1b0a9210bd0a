/**
 * The bundled catalogue, validated once at build time (`npm run build` runs
 * `dist/src/match/build-catalogue.js`) and kept in `dist/`, so that a command does not parse
 * 2,000-odd YAML files and validate them with zod each time it starts.
 *
 * Three files, all pure ASCII (characters outside ASCII written as `\uXXXX`, so they are read as
 * one-byte strings, several times faster to decode and parse than UTF-8 text):
 * - `catalogue.json`, read at every start: the stamps that decide whether the cache holds, each
 *   signature's path, id and name, and the catalogue's identifier index (identifier-index.ts: the
 *   domain, client-ID, app-ID and publisher maps, the app-name patterns and user-agent hints), so a
 *   {@link Matcher} over these services is ready without reading them;
 * - `catalogue-services.jsonl` (JSON Lines, https://jsonlines.org/): line 1 names the build, line
 *   i + 2 is signature i's service without its prose; read when any service's other fields are
 *   first asked for, and each line parsed only when its own service is (a scan parses the services
 *   it matched and classifies);
 * - `catalogue-raw.jsonl`: the same for the signature files as written (`raw`: examples, notes,
 *   references, description, rationale), for `signatures show`, lint-style checks and reports.
 *
 * When the cache is used (see {@link openCatalogueCache}):
 * - the loader's code (this directory's `load` and `schema` modules, by content) must be the code
 *   that built it, and the format version must match; otherwise it is not used at all;
 * - fast path: when the signature directory and each folder in it have the stamp they had at
 *   build (inode, size, modification and change time, in nanoseconds), no file was added, removed,
 *   renamed, moved or replaced (git checkout, `sed -i` and editors that save by rename all replace
 *   the file), and every signature comes from the cache without touching its file;
 * - otherwise, file by file: a signature file whose stamp is the one recorded at build comes from
 *   the cache, any other is parsed and validated from its YAML.
 *
 * What the fast path does not see: a file rewritten in place (same inode: `>>`, an editor that
 * truncates and writes, as VS Code does by default) changes only that file's own stamp, not its
 * folder's. After editing a bundled signature that way, run `npm run build` (or save it by
 * rename); `signatures lint` and `signatures test` always read the YAML. The bundled catalogue is
 * the package's own data, edited only by its maintainers; an organisation's signatures
 * (`signatures.extraDirs`) are never cached and always read from their files.
 *
 * A stamp within {@link RACY_MS} of the moment it was taken (a file written just before) could be
 * matched by a later change within the file system's time granularity, so it is recorded as racy
 * and never trusted (the racy-clean rule of git's index: https://git-scm.com/docs/racy-git).
 * The cache is never written at run time (the install directory may be read-only).
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, type BigIntStats } from "node:fs";
import { isAscii } from "node:buffer";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { packageRoot } from "../core/paths.js";
import type { AIService, DefaultClassification } from "../core/service.js";
import { addService, deserialiseIndex, emptyIndex, registerIndex, serialiseIndex, type SerialIndex } from "./identifier-index.js";
import type { LoadedSignature } from "./loaded.js";
import type { SignatureFile } from "./schema.js";

/** Format version of the cache; a cache of another version is ignored. */
const VERSION = 3;

/** Stamps newer than this when taken (milliseconds) are recorded as racy and never trusted. */
export const RACY_MS = 3000;
/** The stamp that never matches. */
const RACY = "racy";

/** A service as `catalogue-services.jsonl` keeps it: without the prose, which is in the raw file. */
type SlimService = Omit<AIService, "file" | "description" | "references" | "euAiAct"> & { euAiAct: Omit<DefaultClassification, "rationale"> };

/** `catalogue.json`. */
interface Header {
  version: number;
  /** {@link fingerprint} of the files the cache was built from (also line 1 of each JSON Lines file, to pair them). */
  fingerprint: string;
  /** SHA-256 over the loader's code (see {@link loaderHash}). */
  loader: string;
  /** The signature directory (`""`) and each folder the loader reads in it, relative, with their {@link stamp} at build. */
  folders: [string, string][];
  /** Per signature, in path order, `\n`-separated: its path relative to the directory (`/`-separated). */
  files: string;
  /** Per signature, `\n`-separated: the file's {@link stamp} at build. */
  stamps: string;
  /** Per signature: its service's id and name. */
  ids: string[];
  names: string[];
  /** The identifier index of the services, in this order. */
  index: SerialIndex;
}

/** Line 1 of each JSON Lines file. */
interface LinesHeader {
  fingerprint: string;
  count: number;
}

/** Where the other two files live: beside the header. */
function servicesPath(path: string): string {
  return path.replace(/\.json$/, "") + "-services.jsonl";
}
function rawPath(path: string): string {
  return path.replace(/\.json$/, "") + "-raw.jsonl";
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

/** {@link hashFiles} over the loader's code: a cache built by other code is not used. */
function loaderHash(): string {
  return hashFiles(loaderFiles());
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
 * A file's or folder's stamp: `inode:size:mtimeNs:ctimeNs` (POSIX stat, nanoseconds), or `racy`
 * when its modification or change time is within {@link RACY_MS} of `now` (ms since the epoch).
 * Any write, rename into place, `touch` or `chmod` changes it.
 * @throws the `statSync` error (ENOENT, EACCES) for a path that cannot be read.
 */
export function stamp(path: string, now = Date.now()): string {
  const st: BigIntStats = statSync(path, { bigint: true });
  const newest = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n);
  if (now - newest < RACY_MS) return RACY;
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * The cache's key over the signature files: SHA-256 over each file's name (with its folder) and
 * {@link stamp}, in the order given, then the loader's code by content. Computed at build; the
 * JSON Lines files carry it so that the files of two builds are never mixed.
 */
export function fingerprint(files: readonly string[], stamps: readonly string[] = files.map((f) => stamp(f))): string {
  const h = createHash("sha256");
  files.forEach((f, i) => h.update(join(basename(dirname(f)), basename(f))).update("\0").update(stamps[i]!).update("\0"));
  h.update(loaderHash());
  return h.digest("hex");
}

/** Stamps of a catalogue directory, taken before its files are read (so a change while building is seen later). */
export interface CatalogueStamps {
  folders: [string, string][];
  files: string[];
}

/**
 * Take the stamps of `dir`, its `folders` (absolute, as the loader reads them: load.ts
 * `signatureFolders`) and `files`, now. Call it before reading the files, and give it to
 * {@link writeCatalogueCache}.
 */
export function takeStamps(dir: string, folders: readonly string[], files: readonly string[]): CatalogueStamps {
  const now = Date.now();
  return {
    folders: [dir, ...folders.filter((f) => f !== dir)].map((f) => [toRelative(dir, f), stamp(f, now)]),
    files: files.map((f) => stamp(f, now)),
  };
}

/** `file` relative to `dir`, `/`-separated (a plain prefix cut when `file` is under `dir` as written: `path.relative` costs ~6 µs a call). */
function toRelative(dir: string, file: string): string {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const r = file.startsWith(prefix) && !file.includes(`${sep}.`) ? file.slice(prefix.length) : relative(dir, file);
  return sep === "/" ? r : r.split(sep).join("/");
}

/** JSON with every character outside ASCII escaped (`\uXXXX`): the same value, read as a one-byte string. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** An ASCII file's text. @throws Error naming the file when it holds a byte outside ASCII. */
function readAscii(path: string): string {
  const buf = readFileSync(path);
  if (!isAscii(buf)) throw new Error(`${path}: not an ASCII cache file`);
  return buf.toString("latin1");
}

/** Lines of a `\n`-separated list (an empty string is one empty line). */
function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Write `text` to `path` through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** JSON Lines text: a {@link LinesHeader}, then one value per line. */
function jsonLines(fp: string, values: readonly unknown[]): string {
  return [{ fingerprint: fp, count: values.length } satisfies LinesHeader, ...values].map(asciiJson).join("\n") + "\n";
}

/**
 * The values of a JSON Lines file of {@link jsonLines}, each parsed on first use.
 * `text` gives the file's text (read on first use); `where` names it in errors.
 */
class LazyLines<T> {
  #lines?: string[];
  readonly #parsed: (T | undefined)[] = [];
  constructor(
    private readonly text: () => string,
    private readonly where: string,
    private readonly fp: string,
    private readonly count: number,
  ) {}
  /**
   * Value `i` (0-based; line i + 2 of the file).
   * @throws Error naming the file (and line) when it is missing, from another build, or not JSON.
   */
  at(i: number): T {
    const hit = this.#parsed[i];
    if (hit !== undefined) return hit;
    const lines = (this.#lines ??= this.open());
    let v: T;
    try {
      v = JSON.parse(lines[i + 1]!) as T;
    } catch (e) {
      throw new Error(`${this.where}: line ${i + 2}: ${(e as Error).message}; run npm run build`);
    }
    this.#parsed[i] = v;
    return v;
  }
  private open(): string[] {
    let lines: string[];
    let head: LinesHeader;
    try {
      lines = this.text().split("\n");
      head = JSON.parse(lines[0]!) as LinesHeader;
    } catch (e) {
      throw new Error(`${this.where}: cannot read the catalogue cache (${(e as Error).message}); run npm run build`);
    }
    // count + header + the empty string after the last newline
    if (head.fingerprint !== this.fp || head.count !== this.count || lines.length !== this.count + 2) throw new Error(`${this.where}: does not belong to the catalogue cache beside it; run npm run build`);
    return lines;
  }
}

/**
 * A JSON Lines file of the cache, opened and its first line checked against the header's
 * fingerprint and count; its text is read through the same descriptor on first use (a build that
 * replaces the file meanwhile does not change what this reader sees), then the descriptor closed.
 */
class OpenLines {
  #fd: number | undefined;
  #text?: string;
  /** @throws Error naming the file when it is missing or of another build. */
  constructor(
    private readonly path: string,
    fp: string,
    count: number,
  ) {
    const fd = openSync(path, "r");
    try {
      const head = Buffer.alloc(512);
      const got = readSync(fd, head, 0, head.length, 0);
      const nl = head.subarray(0, got).indexOf(0x0a);
      const h = JSON.parse(head.subarray(0, nl < 0 ? got : nl).toString("latin1")) as LinesHeader;
      if (h.fingerprint !== fp || h.count !== count) throw new Error(`${path}: of another build`);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.#fd = fd;
  }
  /** The whole file as text. @throws Error naming the file when it is not ASCII. */
  text(): string {
    if (this.#text === undefined) {
      const fd = this.#fd!;
      try {
        const buf = Buffer.allocUnsafe(fstatSync(fd).size);
        let off = 0;
        while (off < buf.length) {
          const n = readSync(fd, buf, off, buf.length - off, off);
          if (n === 0) break;
          off += n;
        }
        if (!isAscii(buf.subarray(0, off))) throw new Error(`${this.path}: not an ASCII cache file`);
        this.#text = buf.subarray(0, off).toString("latin1");
      } finally {
        this.close();
      }
    }
    return this.#text;
  }
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Where a cached signature's fields come from. */
interface Source {
  services: LazyLines<SlimService>;
  raw: LazyLines<SignatureFile>;
  /** False once a service's `match` was replaced: the prebuilt index no longer describes the services. */
  indexValid: boolean;
}

/**
 * A service's default classification from the cache: `rationale` read from the raw file on first
 * use (an accessor of the class: per-instance accessors cost more to create than the prose to parse).
 */
class CachedClassification implements DefaultClassification {
  tier: DefaultClassification["tier"];
  articles: string[];
  readonly #rawAt: () => SignatureFile;
  #rationale?: string;
  constructor(c: Omit<DefaultClassification, "rationale">, rawAt: () => SignatureFile) {
    this.tier = c.tier;
    this.articles = c.articles;
    this.#rawAt = rawAt;
  }
  get rationale(): string {
    return (this.#rationale ??= this.#rawAt().euAiAct.rationale);
  }
  set rationale(v: string) {
    this.#rationale = v;
  }
  /** The same JSON as a classification parsed from YAML. */
  toJSON(): DefaultClassification {
    return { tier: this.tier, articles: this.articles, rationale: this.rationale };
  }
}

/**
 * A service from the cache. `id`, `name` and `file` are own properties; every other field is an
 * accessor of the class that reads the service's line of `catalogue-services.jsonl` (or, for the
 * prose, of `catalogue-raw.jsonl`) the first time it is asked for. Reading any field, and
 * `JSON.stringify`, give what parsing the YAML gives (load.ts); `Object.keys`, object spread and
 * `structuredClone` see only the three own fields (nothing in this code base copies a service so).
 * Assigning a field works as on a plain object.
 */
class CachedService implements AIService {
  id: string;
  name: string;
  file: string;
  readonly #i: number;
  readonly #src: Source;
  #slim?: SlimService;
  #euAiAct?: DefaultClassification;
  #prose?: { description: string | undefined; references: string[] };
  constructor(id: string, name: string, file: string, i: number, src: Source) {
    this.id = id;
    this.name = name;
    this.file = file;
    this.#i = i;
    this.#src = src;
  }
  #s(): SlimService {
    return (this.#slim ??= this.#src.services.at(this.#i));
  }
  #p(): { description: string | undefined; references: string[] } {
    if (!this.#prose) {
      const raw = this.#src.raw.at(this.#i);
      // as load.ts builds a service: an empty description is none
      this.#prose = { description: raw.description ? raw.description : undefined, references: raw.references };
    }
    return this.#prose;
  }
  get vendor(): string {
    return this.#s().vendor;
  }
  set vendor(v: string) {
    this.#s().vendor = v;
  }
  get category(): AIService["category"] {
    return this.#s().category;
  }
  set category(v: AIService["category"]) {
    this.#s().category = v;
  }
  get description(): string | undefined {
    return this.#p().description;
  }
  set description(v: string | undefined) {
    this.#p().description = v;
  }
  get match(): AIService["match"] {
    return this.#s().match;
  }
  set match(v: AIService["match"]) {
    this.#src.indexValid = false;
    this.#s().match = v;
  }
  get vendorFacts(): AIService["vendorFacts"] {
    return this.#s().vendorFacts;
  }
  set vendorFacts(v: AIService["vendorFacts"]) {
    this.#s().vendorFacts = v;
  }
  get euAiAct(): DefaultClassification {
    return (this.#euAiAct ??= new CachedClassification(this.#s().euAiAct, () => this.#src.raw.at(this.#i)));
  }
  set euAiAct(v: DefaultClassification) {
    this.#euAiAct = v;
  }
  get references(): string[] {
    return this.#p().references;
  }
  set references(v: string[]) {
    this.#p().references = v;
  }
  get lastValidated(): string {
    return this.#s().lastValidated;
  }
  set lastValidated(v: string) {
    this.#s().lastValidated = v;
  }
  get tags(): string[] {
    return this.#s().tags;
  }
  set tags(v: string[]) {
    this.#s().tags = v;
  }
  /** The same JSON, key for key and in the same order, as a service parsed from YAML (load.ts). */
  toJSON(): AIService {
    const description = this.description;
    return {
      id: this.id,
      name: this.name,
      vendor: this.vendor,
      category: this.category,
      ...(description ? { description } : {}),
      match: this.match,
      vendorFacts: this.vendorFacts,
      euAiAct: this.euAiAct instanceof CachedClassification ? this.euAiAct.toJSON() : this.euAiAct,
      references: this.references,
      lastValidated: this.lastValidated,
      tags: this.tags,
      file: this.file,
    };
  }
}

/** A signature from the cache: its `raw` signature file is read on first use. */
class CachedSignature implements LoadedSignature {
  readonly service: CachedService;
  readonly #i: number;
  readonly #src: Source;
  #raw?: SignatureFile;
  constructor(service: CachedService, i: number, src: Source) {
    this.service = service;
    this.#i = i;
    this.#src = src;
  }
  get raw(): SignatureFile {
    return (this.#raw ??= this.#src.raw.at(this.#i));
  }
  set raw(v: SignatureFile) {
    this.#raw = v;
  }
  toJSON(): LoadedSignature {
    return { service: this.service.toJSON(), raw: this.raw };
  }
}

/**
 * The signatures a cache describes, each with its path in `dir`; registered with their identifier
 * index (identifier-index.ts), which is read from the header the first time a Matcher asks.
 */
function fromCache(dir: string, head: Header, where: string, servicesText: () => string, rawText: () => string): LoadedSignature[] {
  const n = head.ids.length;
  const src: Source = {
    services: new LazyLines<SlimService>(servicesText, servicesPath(where), head.fingerprint, n),
    raw: new LazyLines<SignatureFile>(rawText, rawPath(where), head.fingerprint, n),
    indexValid: true,
  };
  const files = head.files.split("\n");
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const out = new Array<LoadedSignature>(n);
  const services = new Array<AIService>(n);
  for (let i = 0; i < n; i++) {
    const rel = files[i]!;
    const service = new CachedService(head.ids[i]!, head.names[i]!, prefix + (sep === "/" ? rel : rel.split("/").join(sep)), i, src);
    services[i] = service;
    out[i] = new CachedSignature(service, i, src);
  }
  registerIndex(services, () => (src.indexValid ? deserialiseIndex(head.index, head.ids, where) : undefined));
  return out;
}

/**
 * Write the cache of `signatures`, loaded from `files` (all in `dir`, in path order; the caller
 * validated them), with the stamps taken before they were read.
 * @throws Error when what a reader would rebuild from the cache differs from `signatures` (a value
 *   JSON cannot hold), or the lengths disagree.
 */
export function writeCatalogueCache(
  dir: string,
  files: readonly string[],
  signatures: readonly LoadedSignature[],
  stamps: CatalogueStamps,
  path = catalogueCachePath(),
): void {
  if (signatures.length !== files.length || stamps.files.length !== files.length) throw new Error(`${path}: ${files.length} files, ${signatures.length} signatures, ${stamps.files.length} stamps`);
  const fp = fingerprint(files, stamps.files);
  const ids = signatures.map((s) => s.service.id);
  const index = emptyIndex();
  for (const s of signatures) addService(index, s.service);
  const head: Header = {
    version: VERSION,
    fingerprint: fp,
    loader: loaderHash(),
    folders: stamps.folders,
    files: files.map((f) => toRelative(dir, f)).join("\n"),
    stamps: stamps.files.join("\n"),
    ids,
    names: signatures.map((s) => s.service.name),
    index: serialiseIndex(index, ids),
  };
  const slims: SlimService[] = signatures.map(({ service }) => {
    const { file: _file, description: _description, references: _references, euAiAct, ...rest } = service;
    const { rationale: _rationale, ...classification } = euAiAct;
    return { ...rest, euAiAct: classification };
  });
  const text = asciiJson(head);
  const servicesText = jsonLines(fp, slims);
  const rawText = jsonLines(fp, signatures.map((s) => s.raw));
  // what a reader rebuilds must be what was loaded, field for field, and the same index
  const back = fromCache(dir, JSON.parse(text) as Header, path, () => servicesText, () => rawText);
  for (let i = 0; i < back.length; i++) {
    if (JSON.stringify(back[i]) !== JSON.stringify(signatures[i])) throw new Error(`${files[i]}: does not survive a JSON round trip`);
  }
  if (asciiJson(serialiseIndex(deserialiseIndex(head.index, ids, path), ids)) !== asciiJson(head.index)) throw new Error(`${path}: the identifier index does not survive a JSON round trip`);
  writeAtomic(servicesPath(path), servicesText);
  writeAtomic(rawPath(path), rawText);
  writeAtomic(path, text);
}

/** A cache found valid for its loader: see {@link openCatalogueCache}. */
export interface CatalogueCache {
  /**
   * Every signature of the directory, in path order, when it and each of its folders have the
   * stamp recorded at build (nothing added, removed, renamed or replaced); otherwise undefined.
   * One `stat` per folder, none per file.
   */
  unchanged(): LoadedSignature[] | undefined;
  /** The cached signature of `file` (in the directory) when the file's stamp is the one recorded at build; otherwise undefined. */
  lookup(file: string): LoadedSignature | undefined;
}

/**
 * The cache at `path` for the signature directory `dir`, or undefined when there is none, it is
 * unreadable, of another version, or built by other loader code. Never throws; a JSON Lines file
 * found broken later throws when its line is first needed (naming the file and line).
 */
export function openCatalogueCache(dir: string, path = catalogueCachePath()): CatalogueCache | undefined {
  let head: Header;
  try {
    if (!existsSync(path)) return undefined;
    head = JSON.parse(readAscii(path)) as Header;
  } catch {
    return undefined;
  }
  if (head.version !== VERSION || head.loader !== loaderHash()) return undefined;
  if (!Array.isArray(head.ids) || !Array.isArray(head.names) || !Array.isArray(head.folders) || typeof head.files !== "string" || typeof head.stamps !== "string") return undefined;
  const n = head.ids.length;
  if (head.names.length !== n || lineCount(head.stamps) !== n || lineCount(head.files) !== n) return undefined;
  let stamps: string[] | undefined;
  let all: LoadedSignature[] | undefined;
  // open the JSON Lines files now, and check they are of this build: read later through these
  // descriptors, they stay this build's even if a new build replaces them meanwhile
  let services: OpenLines | undefined;
  let raw: OpenLines | undefined;
  try {
    services = new OpenLines(servicesPath(path), head.fingerprint, n);
    raw = new OpenLines(rawPath(path), head.fingerprint, n);
  } catch {
    services?.close();
    return undefined;
  }
  const signatures = (): LoadedSignature[] => (all ??= fromCache(dir, head, path, () => services.text(), () => raw.text()));
  let byPath: Map<string, number> | undefined;
  return {
    unchanged() {
      const now = Date.now();
      for (const [folder, recorded] of head.folders) {
        let current: string;
        try {
          current = stamp(folder ? join(dir, folder) : dir, now);
        } catch {
          return undefined;
        }
        if (current === RACY || current !== recorded) return undefined;
      }
      return signatures();
    },
    lookup(file) {
      byPath ??= new Map(head.files.split("\n").map((f, i) => [f, i]));
      const i = byPath.get(toRelative(dir, file));
      stamps ??= head.stamps.split("\n");
      if (i === undefined || stamps[i] === RACY) return undefined;
      let current: string;
      try {
        current = stamp(file);
      } catch {
        return undefined;
      }
      return current === stamps[i] ? signatures()[i] : undefined;
    },
  };
}
