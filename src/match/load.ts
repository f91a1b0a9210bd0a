/**
 * Loading the signature catalogue: every `*.yaml` file of one or more directories, parsed with
 * `yaml` and validated with the zod schema in `schema.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { packageRoot } from "../core/paths.js";
import type { AIService } from "../core/service.js";
import { readCatalogueCache } from "./catalogue-cache.js";
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

/**
 * The signature files under a directory: `*.yaml`/`*.yml` at its top and in its category folders
 * (`signatures/<category>/<id>.yaml`, one level down), hidden files and folders skipped, sorted by
 * path so the load order does not depend on the file system. Symbolic links are not followed.
 */
export function signatureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(join(dir, e.name));
    else if (e.isDirectory() && e.name !== "__fixtures__" && e.name !== "node_modules") {
      for (const f of readdirSync(join(dir, e.name), { withFileTypes: true })) {
        if (f.isFile() && !f.name.startsWith(".") && /\.ya?ml$/.test(f.name)) out.push(join(dir, e.name, f.name));
      }
    }
  }
  return out.sort();
}

/**
 * Load every signature file of the given directories (see signatureFiles), in path order.
 * The bundled directory comes from the build's cache (catalogue-cache.ts) while its files are
 * unchanged; every other directory, and the bundled one when changed, is parsed and validated.
 * @throws SignatureError on the first invalid file, or on an id defined twice.
 */
export function loadSignatures(dirs: string[] = [bundledSignatureDir()]): LoadedSignature[] {
  const out: LoadedSignature[] = [];
  const seen = new Map<string, string>();
  const bundled = bundledSignatureDir();
  for (const dir of dirs) {
    const files = signatureFiles(dir);
    const cached = dir === bundled ? readCatalogueCache(dir, files) : undefined;
    for (const [i, f] of files.entries()) {
      const sig = cached?.[i] ?? loadSignatureFile(f);
      const prev = seen.get(sig.service.id);
      if (prev) throw new SignatureError(sig.service.file!, "id", `id "${sig.service.id}" is also defined in ${prev}`);
      seen.set(sig.service.id, sig.service.file!);
      out.push(sig);
    }
  }
  return out;
}
