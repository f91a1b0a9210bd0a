import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCatalogueCache, writeCatalogueCache } from "./catalogue-cache.js";
import { bundledSignatureDir, loadSignatureFile, signatureFiles } from "./load.js";

/** A directory with a few of the bundled signature files, and a cache path beside it. */
function fixture(): { dir: string; files: string[]; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-catalogue-"));
  const files = signatureFiles(bundledSignatureDir())
    .slice(0, 5)
    .map((f) => {
      const to = join(dir, f.split("/").pop()!);
      copyFileSync(f, to);
      return to;
    });
  return { dir, files, cache: join(dir, "catalogue.json") };
}

describe("catalogue cache", () => {
  it("gives back exactly what parsing the YAML gives, with file paths in the directory read", () => {
    const { dir, files, cache } = fixture();
    const parsed = files.map((f) => loadSignatureFile(f));
    writeCatalogueCache(files, parsed, cache);
    expect(readCatalogueCache(dir, files, cache)).toEqual(parsed);
  });

  it("is not used once a file changes, is added or is removed, or when it is unreadable", () => {
    const { dir, files, cache } = fixture();
    writeCatalogueCache(files, files.map((f) => loadSignatureFile(f)), cache);
    expect(readCatalogueCache(dir, files.slice(1), cache)).toBeUndefined();
    writeFileSync(files[0]!, readFileSync(files[0]!, "utf8").replace(/name: .*/, "name: Edited"));
    expect(readCatalogueCache(dir, files, cache)).toBeUndefined();
    writeFileSync(cache, "{not json");
    expect(readCatalogueCache(dir, files, cache)).toBeUndefined();
    expect(readCatalogueCache(dir, files, join(dir, "missing.json"))).toBeUndefined();
  });
});
