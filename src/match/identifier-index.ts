/**
 * The identifier index of a catalogue: the hash maps and lists a {@link Matcher} looks identifiers
 * up in, built from the services in catalogue order (the first service to claim an identifier
 * keeps it). The build cache (catalogue-cache.ts) writes the bundled catalogue's index to
 * `dist/catalogue.json` and registers it with the services it loads, so that a Matcher over those
 * services takes the index as it is instead of walking 2,000-odd services at every start.
 */
import type { AIService } from "../core/service.js";

/** What a {@link Matcher} indexes; every key lower-case, every value a service id. */
export interface IdentifierIndex {
  domains: Map<string, string>;
  clientIds: Map<string, string>;
  appIds: Map<string, string>;
  publishers: Map<string, string>;
  /** App-name patterns as written, in catalogue order. */
  nameSources: { source: string; id: string }[];
  /** User-agent hints, lower-cased, in catalogue order. */
  userAgents: { needle: string; id: string }[];
}

/** An index with nothing in it. */
export function emptyIndex(): IdentifierIndex {
  return { domains: new Map(), clientIds: new Map(), appIds: new Map(), publishers: new Map(), nameSources: [], userAgents: [] };
}

/** A copy of `idx` that can be added to without changing `idx`. */
export function copyIndex(idx: IdentifierIndex): IdentifierIndex {
  return {
    domains: new Map(idx.domains),
    clientIds: new Map(idx.clientIds),
    appIds: new Map(idx.appIds),
    publishers: new Map(idx.publishers),
    nameSources: [...idx.nameSources],
    userAgents: [...idx.userAgents],
  };
}

/** Add one service, after those already in `idx`: an identifier another service claimed stays with it. */
export function addService(idx: IdentifierIndex, s: AIService): void {
  const m = s.match;
  for (const d of m.domains) setOnce(idx.domains, d.toLowerCase(), s.id);
  for (const c of m.oauthClientIds) setOnce(idx.clientIds, c.toLowerCase(), s.id);
  for (const a of m.entraAppIds) setOnce(idx.appIds, a.toLowerCase(), s.id);
  for (const p of m.publishers) setOnce(idx.publishers, p.toLowerCase(), s.id);
  for (const p of m.appNamePatterns) idx.nameSources.push({ source: p, id: s.id });
  for (const u of m.userAgents) idx.userAgents.push({ needle: u.toLowerCase(), id: s.id });
}

function setOnce(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}

/**
 * An index as JSON holds it: each map and list flat, `[key, service, key, service, ...]`, the
 * service as its position in the catalogue's id list (so ids are not repeated).
 */
export interface SerialIndex {
  domains: (string | number)[];
  clientIds: (string | number)[];
  appIds: (string | number)[];
  publishers: (string | number)[];
  nameSources: (string | number)[];
  userAgents: (string | number)[];
}

/** `idx` as JSON holds it, services named by their position in `ids`. @throws Error when a value is not in `ids`. */
export function serialiseIndex(idx: IdentifierIndex, ids: readonly string[]): SerialIndex {
  const pos = new Map(ids.map((id, i) => [id, i]));
  const at = (id: string): number => {
    const i = pos.get(id);
    if (i === undefined) throw new Error(`identifier index: service "${id}" is not in the catalogue`);
    return i;
  };
  const flatMap = (m: Map<string, string>) => [...m].flatMap(([k, id]) => [k, at(id)]);
  return {
    domains: flatMap(idx.domains),
    clientIds: flatMap(idx.clientIds),
    appIds: flatMap(idx.appIds),
    publishers: flatMap(idx.publishers),
    nameSources: idx.nameSources.flatMap((p) => [p.source, at(p.id)]),
    userAgents: idx.userAgents.flatMap((u) => [u.needle, at(u.id)]),
  };
}

/**
 * The index a {@link serialiseIndex} wrote, services named again by `ids`.
 * @throws Error naming `where` when the data is not what serialiseIndex writes.
 */
export function deserialiseIndex(s: SerialIndex, ids: readonly string[], where: string): IdentifierIndex {
  const pairs = (xs: unknown, field: string, each: (k: string, id: string) => void): void => {
    if (!Array.isArray(xs) || xs.length % 2 !== 0) throw new Error(`${where}: index.${field} is not a list of pairs`);
    for (let i = 0; i < xs.length; i += 2) {
      const k: unknown = xs[i];
      const id = typeof xs[i + 1] === "number" ? ids[xs[i + 1] as number] : undefined;
      if (typeof k !== "string" || id === undefined) throw new Error(`${where}: index.${field}[${i}] is not a key and a service position`);
      each(k, id);
    }
  };
  const idx = emptyIndex();
  pairs(s.domains, "domains", (k, id) => idx.domains.set(k, id));
  pairs(s.clientIds, "clientIds", (k, id) => idx.clientIds.set(k, id));
  pairs(s.appIds, "appIds", (k, id) => idx.appIds.set(k, id));
  pairs(s.publishers, "publishers", (k, id) => idx.publishers.set(k, id));
  pairs(s.nameSources, "nameSources", (k, id) => idx.nameSources.push({ source: k, id }));
  pairs(s.userAgents, "userAgents", (k, id) => idx.userAgents.push({ needle: k, id }));
  return idx;
}

/** Prebuilt indexes by the first service of the list they index; the index is read on first use. */
const prebuilt = new WeakMap<AIService, { services: readonly AIService[]; index: () => IdentifierIndex | undefined }>();

/**
 * Record that `index()` gives the index of exactly `services` (in that order), as {@link addService}
 * would build it, or undefined once it no longer does (a service's `match` was replaced). The
 * caller guarantees it (the build cache checks it when it writes the index).
 */
export function registerIndex(services: readonly AIService[], index: () => IdentifierIndex | undefined): void {
  if (services.length > 0) prebuilt.set(services[0]!, { services, index });
}

/**
 * The registered index of the registered list that `services` starts with (the same objects, in
 * the same order), and that list's length; undefined when there is none.
 */
export function registeredIndex(services: readonly AIService[]): { count: number; index: IdentifierIndex } | undefined {
  const first = services[0];
  const hit = first ? prebuilt.get(first) : undefined;
  if (!hit || hit.services.length > services.length) return undefined;
  const list = hit.services;
  for (let i = 0; i < list.length; i++) if (list[i] !== services[i]) return undefined;
  const index = hit.index();
  return index ? { count: list.length, index } : undefined;
}
