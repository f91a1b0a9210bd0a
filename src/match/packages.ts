/**
 * Matching MCP servers against the catalogue: a remote server by its URL's host (the signature's
 * `match.domains`, label-boundary suffix, longest wins), a packaged one by its package
 * (`match.packages`: `npm:<name>`, `pypi:<name>`, `docker:<image>`, lower-case, as Package URL
 * types name the ecosystems: https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst).
 * The index is built once per catalogue (cached by its services map or array).
 */
import type { AIService } from "../core/service.js";

/** A package as signatures list it: `npm:@playwright/mcp`, `pypi:mcp-server-git`, `docker:ghcr.io/github/github-mcp-server`. */
export const PACKAGE_SPEC = /^(npm|pypi|docker):[a-z0-9@][a-z0-9@/._~-]*$/;

/** The catalogue key of a package: ecosystem and name, lower-case; PyPI names normalised as PEP 503 says (runs of `-_.` → `-`). */
export function packageKey(ecosystem: string, name: string): string {
  const n = name.toLowerCase();
  return `${ecosystem.toLowerCase()}:${ecosystem.toLowerCase() === "pypi" ? n.replace(/[-_.]+/g, "-") : n}`;
}

interface Index {
  packages: Map<string, string>;
  domains: Map<string, string>;
}

const cache = new WeakMap<object, Index>();

function indexOf(services: ReadonlyMap<string, AIService> | readonly AIService[]): Index {
  let idx = cache.get(services);
  if (idx) return idx;
  idx = { packages: new Map(), domains: new Map() };
  for (const s of Array.isArray(services) ? (services as readonly AIService[]) : [...(services as ReadonlyMap<string, AIService>).values()]) {
    for (const p of s.match.packages ?? []) {
      const [eco, ...rest] = p.split(":");
      if (!idx.packages.has(packageKey(eco!, rest.join(":")))) idx.packages.set(packageKey(eco!, rest.join(":")), s.id);
    }
    for (const d of s.match.domains) if (!idx.domains.has(d.toLowerCase())) idx.domains.set(d.toLowerCase(), s.id);
  }
  cache.set(services, idx);
  return idx;
}

/** The signature of a package (`npm`, `@playwright/mcp`), or undefined. */
export function matchPackage(services: ReadonlyMap<string, AIService> | readonly AIService[], ecosystem: string, name: string): { id: string; matched: string } | undefined {
  const key = packageKey(ecosystem, name);
  const id = indexOf(services).packages.get(key);
  return id ? { id, matched: `package:${key}` } : undefined;
}

/** The signature whose domain is `host` or its longest parent on label boundaries, or undefined. */
export function matchServerHost(services: ReadonlyMap<string, AIService> | readonly AIService[], host: string): { id: string; matched: string } | undefined {
  const domains = indexOf(services).domains;
  let h = host.toLowerCase().replace(/\.$/, "");
  for (;;) {
    const id = domains.get(h);
    if (id) return { id, matched: `domain:${h}` };
    const dot = h.indexOf(".");
    if (dot < 0) return undefined;
    h = h.slice(dot + 1);
  }
}
