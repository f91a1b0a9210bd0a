import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedSignature } from "./loaded.js";
import { openCatalogueCache, RACY_MS, takeStamps, writeCatalogueCache } from "./catalogue-cache.js";
import { registeredIndex } from "./identifier-index.js";
import { bundledSignatureDir, loadSignatureDir, loadSignatureFile, signatureFiles, signatureFolders } from "./load.js";
import { staleCache } from "./lint.js";
import { Matcher } from "./matcher.js";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Every `step`-th bundled signature file, copied with its category folder into a new directory. */
function copyCatalogue(step: number): string {
  const root = mkdtempSync(join(tmpdir(), "shadow-ai-catalogue-"));
  roots.push(root);
  const dir = join(root, "signatures");
  const from = bundledSignatureDir();
  signatureFiles(from)
    .filter((_, i) => i % step === 0)
    .forEach((f) => {
      const to = join(dir, relative(from, f));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f, to);
    });
  return dir;
}

/** Build the cache of `dir` as build-catalogue.ts does; returns its path and the signatures parsed from YAML. */
function build(dir: string): { cache: string; parsed: LoadedSignature[] } {
  const files = signatureFiles(dir);
  const stamps = takeStamps(dir, signatureFolders(dir), files);
  const parsed = files.map((f) => loadSignatureFile(f));
  const cache = join(dirname(dir), "catalogue.json");
  writeCatalogueCache(dir, files, parsed, stamps, cache);
  return { cache, parsed };
}

/** A plain copy of each signature, as JSON sees it. */
const plain = (sigs: readonly LoadedSignature[]) => JSON.parse(JSON.stringify(sigs)) as unknown;

/** Wait until stamps taken now are no longer racy. */
const settle = () => new Promise((r) => setTimeout(r, RACY_MS + 100));

describe("catalogue cache", () => {
  // one directory of 1/20 of the catalogue (~115 files in their category folders), old enough that its stamps are trusted
  let dir: string;
  beforeAll(async () => {
    dir = copyCatalogue(20);
    await settle();
  }, 20_000);

  it("gives back, field for field, what parsing the YAML gives, and a Matcher over it answers the same", () => {
    const { cache, parsed } = build(dir);
    const cached = openCatalogueCache(dir, cache)!.unchanged()!;
    expect(cached).toHaveLength(parsed.length);
    expect(plain(cached)).toEqual(plain(parsed));
    // every field read by name, as the code base reads them (not through toJSON)
    cached.forEach((c, i) => {
      const p = parsed[i]!;
      for (const k of ["id", "name", "vendor", "category", "description", "match", "vendorFacts", "references", "lastValidated", "tags", "file"] as const) {
        expect(c.service[k], `${p.service.id}.${k}`).toEqual(p.service[k]);
      }
      expect(c.service.euAiAct.tier).toBe(p.service.euAiAct.tier);
      expect(c.service.euAiAct.articles).toEqual(p.service.euAiAct.articles);
      expect(c.service.euAiAct.rationale).toBe(p.service.euAiAct.rationale);
      expect(c.raw).toEqual(p.raw);
    });
    // the Matcher takes the cache's prebuilt index, and answers every identifier as over the parsed services
    const fromCache = new Matcher(cached.map((s) => s.service));
    const fromYaml = new Matcher(parsed.map((s) => s.service));
    expect(registeredIndex(cached.map((s) => s.service))?.count).toBe(cached.length);
    expect(fromCache.stats).toEqual(fromYaml.stats);
    for (const { raw } of parsed) {
      for (const ex of [...raw.examples.match, ...raw.examples.noMatch]) {
        const input = { ...(ex.host ? { host: ex.host } : {}), ...(ex.clientId ? { clientId: ex.clientId } : {}), ...(ex.appId ? { appId: ex.appId } : {}), ...(ex.appName ? { appName: ex.appName } : {}), ...(ex.publisher ? { publisher: ex.publisher } : {}), ...(ex.userAgent ? { userAgent: ex.userAgent } : {}) };
        expect(fromCache.match(input), JSON.stringify(ex)).toEqual(fromYaml.match(input));
      }
    }
  });

  it("extra services after the cached ones are indexed after them: they claim only what the catalogue left", () => {
    const { cache, parsed } = build(dir);
    const cached = openCatalogueCache(dir, cache)!.unchanged()!.map((s) => s.service);
    const first = parsed[0]!.service;
    const extra = { ...parsed[1]!.service, id: "org-extra", match: { ...parsed[1]!.service.match, domains: [first.match.domains[0]!, "org-extra.example"] } };
    const withExtra = new Matcher([...cached, extra]);
    expect(withExtra.matchHost(`api.${first.match.domains[0]}`)?.id).toBe(first.id);
    expect(withExtra.matchHost("org-extra.example")?.id).toBe("org-extra");
    // the prebuilt index itself is not changed by the extra service
    expect(new Matcher(cached).matchHost("org-extra.example")).toBeUndefined();
  });

  it("takes no file from the cache whose folder changed without checking that file: an added, removed or replaced file is read", async () => {
    const d = copyCatalogue(40);
    await settle();
    const { cache } = build(d);
    const files = signatureFiles(d);
    expect(openCatalogueCache(d, cache)!.unchanged()).toBeDefined();
    // replaced by rename (as git checkout and sed -i do): the folder changes, the file is read again
    const edited = files[0]!;
    writeFileSync(`${edited}.tmp`, readFileSync(edited, "utf8").replace(/^name: .*$/m, "name: Edited By Rename"));
    renameSync(`${edited}.tmp`, edited);
    expect(openCatalogueCache(d, cache)!.unchanged()).toBeUndefined();
    const loaded = loadSignatureDir(d, cache);
    expect(loaded.find((s) => s.service.file === edited)!.service.name).toBe("Edited By Rename");
    expect(loaded).toHaveLength(files.length);
    // the files not touched still come from the cache
    const c = openCatalogueCache(d, cache)!;
    expect(files.slice(1).every((f) => c.lookup(f) !== undefined)).toBe(true);
    expect(c.lookup(edited)).toBeUndefined();
    // an added file is read; a removed one is gone
    const added = join(dirname(edited), "zz-added.yaml");
    writeFileSync(added, readFileSync(files[1]!, "utf8").replace(/^id: .*$/m, "id: zz-added"));
    const withAdded = loadSignatureDir(d, cache);
    expect(withAdded.map((s) => s.service.id)).toContain("zz-added");
    expect(withAdded).toHaveLength(files.length + 1);
  }, 20_000);

  it("does not see a file rewritten in place until the next build, on the fast path (documented); file by file it does", async () => {
    const d = copyCatalogue(40);
    await settle();
    const { cache } = build(d);
    const f = signatureFiles(d)[0]!;
    appendFileSync(f, "# a comment appended in place\n");
    const c = openCatalogueCache(d, cache)!;
    expect(c.unchanged()).toBeDefined();
    expect(c.lookup(f)).toBeUndefined();
    // a comment changes nothing a command reads: lint has nothing to say
    expect(staleCache(d, cache, signatureFiles(d).map((x) => loadSignatureFile(x)))).toEqual([]);
    // a changed value is what lint warns about, naming the file
    writeFileSync(f, readFileSync(f, "utf8").replace(/^name: .*$/m, "name: Edited In Place"));
    expect(openCatalogueCache(d, cache)!.unchanged()!.find((s) => s.service.file === f)!.service.name).not.toBe("Edited In Place");
    const stale = staleCache(d, cache, signatureFiles(d).map((x) => loadSignatureFile(x)));
    expect(stale.map((p) => [p.code, p.severity, p.file])).toEqual([["stale-cache", "warning", f]]);
    // after the next build the cache holds again
    await settle();
    const rebuilt = build(d);
    expect(openCatalogueCache(d, rebuilt.cache)!.lookup(f)).toBeDefined();
  }, 20_000);

  it("never trusts a stamp taken right after a write (racy), and still loads what the files say", () => {
    const d = copyCatalogue(60);
    const { cache, parsed } = build(d);
    const c = openCatalogueCache(d, cache)!;
    expect(c.unchanged()).toBeUndefined();
    expect(signatureFiles(d).some((f) => c.lookup(f) !== undefined)).toBe(false);
    expect(plain(loadSignatureDir(d, cache))).toEqual(plain(parsed));
  });

  it("is not used when missing, unreadable, not ASCII, of another version, or beside JSON Lines files of another build", () => {
    const { cache } = build(dir);
    expect(openCatalogueCache(dir, join(dir, "missing.json"))).toBeUndefined();
    const head = readFileSync(cache, "utf8");
    writeFileSync(cache, "{not json");
    expect(openCatalogueCache(dir, cache)).toBeUndefined();
    writeFileSync(cache, head.replace('"version":3', '"version":2'));
    expect(openCatalogueCache(dir, cache)).toBeUndefined();
    writeFileSync(cache, head.replace(/"names":\["/, '"names":["é'));
    expect(openCatalogueCache(dir, cache)).toBeUndefined();
    writeFileSync(cache, head);
    const services = cache.replace(/\.json$/, "-services.jsonl");
    const text = readFileSync(services, "utf8");
    writeFileSync(services, text.replace(/"fingerprint":"[0-9a-f]{8}/, '"fingerprint":"00000000'));
    expect(openCatalogueCache(dir, cache)).toBeUndefined();
    // the loader then reads the YAML
    expect(plain(loadSignatureDir(dir, cache))).toEqual(plain(signatureFiles(dir).map((f) => loadSignatureFile(f))));
  });

  it("names the file and line of a damaged JSON Lines line when that service is first read", () => {
    const { cache } = build(dir);
    const services = cache.replace(/\.json$/, "-services.jsonl");
    const lines = readFileSync(services, "utf8").split("\n");
    lines[3] = lines[3]!.slice(0, 20);
    writeFileSync(services, lines.join("\n"));
    const sigs = openCatalogueCache(dir, cache)!.unchanged()!;
    expect(sigs[0]!.service.vendor).toBeTruthy();
    expect(() => sigs[2]!.service.vendor).toThrow(/catalogue-services\.jsonl: line 4: .*run npm run build/);
  });

  it("reads what it opened: a build that replaces the files after the start does not mix two builds", async () => {
    const d = copyCatalogue(60);
    await settle();
    const { cache, parsed } = build(d);
    const sigs = openCatalogueCache(d, cache)!.unchanged()!;
    // a new build of changed files replaces the cache files before any service field was read
    const f = signatureFiles(d)[0]!;
    writeFileSync(`${f}.tmp`, readFileSync(f, "utf8").replace(/^vendor: .*$/m, "vendor: Rebuilt Vendor"));
    renameSync(`${f}.tmp`, f);
    await settle();
    build(d);
    expect(plain(sigs)).toEqual(plain(parsed));
  }, 20_000);

  it("no longer hands its prebuilt index to a Matcher once a service's match is replaced", () => {
    const { cache } = build(dir);
    const services = openCatalogueCache(dir, cache)!.unchanged()!.map((s) => s.service);
    const first = services[0]!;
    first.match = { ...first.match, domains: ["replaced.example"] };
    expect(registeredIndex(services)).toBeUndefined();
    const m = new Matcher(services);
    expect(m.matchHost("replaced.example")?.id).toBe(first.id);
  });
});
