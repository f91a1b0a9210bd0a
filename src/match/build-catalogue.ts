/**
 * Build step (`npm run build`): validate the bundled signatures and write their cache,
 * `dist/catalogue.json` (catalogue-cache.ts). Exits 1, naming the file and field, when a
 * signature is invalid: the catalogue that ships is checked before it can ship.
 */
import { catalogueCachePath, takeStamps, writeCatalogueCache } from "./catalogue-cache.js";
import { bundledSignatureDir, loadSignatureFile, signatureFiles, signatureFolders } from "./load.js";

try {
  const dir = bundledSignatureDir();
  const files = signatureFiles(dir);
  // stamps first: a file changed while the build reads it is seen as changed at the next load
  const stamps = takeStamps(dir, signatureFolders(dir), files);
  const signatures = files.map((f) => loadSignatureFile(f));
  const ids = new Map<string, string>();
  for (const s of signatures) {
    const prev = ids.get(s.service.id);
    if (prev) throw new Error(`${s.service.file}: id "${s.service.id}" is also defined in ${prev}`);
    ids.set(s.service.id, s.service.file!);
  }
  writeCatalogueCache(dir, files, signatures, stamps);
  console.log(`catalogue: ${signatures.length} signatures validated, cached in ${catalogueCachePath()}`);
} catch (e) {
  console.error(`catalogue: ${(e as Error).message}`);
  process.exit(1);
}
