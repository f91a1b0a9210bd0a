/**
 * Loading the signature catalogue: every `*.yaml` file of one or more directories, parsed with
 * `yaml` and validated with the zod schema in `schema.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { packageRoot } from "../core/paths.js";
import type { AIService } from "../core/service.js";
import { catalogueCachePath, openCatalogueCache } from "./catalogue-cache.js";
import type { LoadedSignature } from "./loaded.js";
import { signatureSchema } from "./schema.js";

/** A signature file that failed to load: the file, the field path (`match.domains.2`) and why. */
export class SignatureError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ""}${reason}`);
    this.name = "SignatureError";
  }
}

export type { LoadedSignature } from "./loaded.js";

/** The bundled catalogue directory (`signatures/` at the package root), wherever the code runs from. */
export function bundledSignatureDir(): string {
  return join(packageRoot(), "signatures");
}

/** One problem found in a signature file: the field path (`match.domains.2`, or `line 3 col 5`) and why. */
export interface FileIssue {
  field: string;
  message: string;
  /** `yaml` (unparseable), `schema` (a field is invalid), `id-without-source`, `id-mismatch` (id ≠ file name). */
  code: "yaml" | "schema" | "id-without-source" | "id-mismatch";
}

/**
 * Parse and validate one signature file, collecting every problem rather than stopping at the first.
 * @returns the loaded signature when the file is valid, and the list of problems (empty when valid).
 *   Never throws for a bad file; an unreadable file is one `yaml` issue.
 */
export function checkSignatureFile(file: string): { signature?: LoadedSignature; issues: FileIssue[] } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"), { prettyErrors: true, maxAliasCount: 50 });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      return { issues: [{ code: "yaml", field: pos ? `line ${pos.line} col ${pos.col}` : "", message: `YAML: ${e.code}: ${e.message.split("\n")[0]}` }] };
    }
    return { issues: [{ code: "yaml", field: "", message: (e as Error).message }] };
  }
  const parsed = signatureSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => ({
        code: i.path[0] === "idSources" && i.code === "custom" ? "id-without-source" : "schema",
        field: i.path.join("."),
        message: i.message,
      })),
    };
  }
  const s = parsed.data;
  const expectedId = basename(file).replace(/\.ya?ml$/, "");
  if (s.id !== expectedId) return { issues: [{ code: "id-mismatch", field: "id", message: `id "${s.id}" must equal the file name "${expectedId}"` }] };
  const service: AIService = {
    id: s.id,
    name: s.name,
    vendor: s.vendor,
    category: s.category,
    ...(s.description ? { description: s.description } : {}),
    match: {
      domains: s.match.domains,
      oauthClientIds: s.match.oauthClientIds,
      entraAppIds: s.match.entraAppIds.map((x) => x.toLowerCase()),
      publishers: s.match.publishers,
      appNamePatterns: s.match.appNamePatterns,
      userAgents: s.match.userAgents,
      ...(s.match.packages.length > 0 ? { packages: s.match.packages } : {}),
    },
    vendorFacts: s.vendorFacts,
    euAiAct: s.euAiAct,
    references: s.references,
    lastValidated: s.lastValidated,
    tags: s.tags,
    file,
  };
  return { signature: { service, raw: s }, issues: [] };
}

/**
 * Parse and validate one signature file.
 * @throws SignatureError naming the file and the first invalid field.
 */
export function loadSignatureFile(file: string): LoadedSignature {
  const { signature, issues } = checkSignatureFile(file);
  const first = issues[0];
  if (first || !signature) throw new SignatureError(file, first?.field ?? "", first?.message ?? "invalid");
  return signature;
}

/** Whether the loader reads a folder of a signature directory: not hidden, not `__fixtures__` or `node_modules`. */
function isSignatureFolder(name: string): boolean {
  return !name.startsWith(".") && name !== "__fixtures__" && name !== "node_modules";
}

/** Whether the loader reads a file: `*.yaml`/`*.yml`, not hidden. */
function isSignatureFileName(name: string): boolean {
  return !name.startsWith(".") && /\.ya?ml$/.test(name);
}

/**
 * The folders of a signature directory that {@link signatureFiles} reads, the directory itself
 * first, then its category folders (empty ones included) by name. Symbolic links are not followed.
 */
export function signatureFolders(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && isSignatureFolder(e.name)) out.push(join(dir, e.name));
  return [dir, ...out.slice(1).sort()];
}

/**
 * The signature files under a directory: `*.yaml`/`*.yml` at its top and in its category folders
 * (`signatures/<category>/<id>.yaml`, one level down), hidden files and folders skipped, sorted by
 * path so the load order does not depend on the file system. Symbolic links are not followed.
 */
export function signatureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && isSignatureFileName(e.name)) out.push(join(dir, e.name));
    else if (e.isDirectory() && isSignatureFolder(e.name)) {
      for (const f of readdirSync(join(dir, e.name), { withFileTypes: true })) {
        if (f.isFile() && isSignatureFileName(f.name)) out.push(join(dir, e.name, f.name));
      }
    }
  }
  return out.sort();
}

/**
 * Load the signature files of one directory (see {@link signatureFiles}), in path order, each
 * parsed and validated; with `cachePath`, from that build cache where it still holds
 * (catalogue-cache.ts: no file touched when the directory's folders are as at build, otherwise
 * file by file, parsing only the files whose stamp changed).
 * @throws SignatureError on the first invalid file.
 */
export function loadSignatureDir(dir: string, cachePath?: string): LoadedSignature[] {
  const cache = cachePath ? openCatalogueCache(dir, cachePath) : undefined;
  const all = cache?.unchanged();
  if (all) return all;
  return signatureFiles(dir).map((f) => cache?.lookup(f) ?? loadSignatureFile(f));
}

/**
 * Load every signature file of the given directories (see signatureFiles), in path order.
 * The bundled directory comes from the build's cache (catalogue-cache.ts) while it holds; every
 * other directory is parsed and validated.
 * @throws SignatureError on the first invalid file, or on an id defined twice.
 */
export function loadSignatures(dirs: string[] = [bundledSignatureDir()]): LoadedSignature[] {
  const out: LoadedSignature[] = [];
  const seen = new Map<string, string>();
  const bundled = bundledSignatureDir();
  for (const dir of dirs) {
    for (const sig of loadSignatureDir(dir, dir === bundled ? catalogueCachePath() : undefined)) {
      const prev = seen.get(sig.service.id);
      if (prev) throw new SignatureError(sig.service.file!, "id", `id "${sig.service.id}" is also defined in ${prev}`);
      seen.set(sig.service.id, sig.service.file!);
      out.push(sig);
    }
  }
  return out;
}
