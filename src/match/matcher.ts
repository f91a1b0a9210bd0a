/**
 * The matching index: built once per run from the catalogue, then asked once per observation.
 * Every lookup costs the same whatever the catalogue's size (`npm run bench:match` measures 300
 * against 3,000 signatures).
 *
 * - Domains: a hash map from each signature domain to its service; a host is looked up by walking
 *   its suffixes on label boundaries, longest first (`api.openai.com` → `api.openai.com`,
 *   `openai.com`, `com`), so `notopenai.com` and `openai.com.evil.net` never match `openai.com`.
 *   Cost is one hash lookup per label.
 * - OAuth client IDs, Entra app IDs, verified publishers: exact, case-insensitive hash lookups.
 * - App display names: each pattern is compiled once (on the first app-name lookup) and indexed by the literals it requires
 *   (`^Zoom AI Companion\b` requires `zoom ai companion`; see `regex-literals.ts`). One
 *   Aho-Corasick pass over the name finds which literals occur; only those patterns, plus the few
 *   with no provable literal, are tested, in catalogue order, so the first pattern in file order
 *   that matches wins, exactly as a linear scan would decide.
 * - User agents: lower-cased substrings, found in one Aho-Corasick pass; the earliest hint in
 *   catalogue order wins.
 */
import { URL } from "node:url";
import type { AIService } from "../core/service.js";
import type { Observation } from "../core/observation.js";
import { MATCH_CONFIDENCE, SUSPECTED_PREFIX, UNVERIFIED_PUBLISHER, type Finding, type MatchField } from "../core/finding.js";
import { AhoCorasick } from "./aho-corasick.js";
import { ownCopy } from "../core/own-copy.js";
import { foldAscii, requiredLiterals } from "./regex-literals.js";
import { addService, copyIndex, emptyIndex, registeredIndex } from "./identifier-index.js";

/**
 * The identifier values of one observation that matching looks at. `host` may also be a full URL
 * (`https://api.openai.com/v1/chat/completions`): its host is used. `path` is not matched against
 * the catalogue (no signature field names paths); it is there for the suspected-AI checks of
 * `suspect.ts`.
 */
export type MatchInput = Pick<Observation, "host" | "clientId" | "appId" | "appName" | "publisher" | "appOwnerTenant" | "userAgent" | "path">;

/**
 * Split a host as evidence gives it, or a URL, into its host and path.
 * `https://API.openai.com:443/v1/x?y` → `{ host: "api.openai.com", path: "/v1/x?y" }` (the URL is
 * parsed with the WHATWG URL parser of `node:url`, which also converts an IDN to punycode);
 * `api.openai.com/v1/x` → the same without a scheme; a plain host gives no path.
 */
export function splitTarget(raw: string): { host?: string; path?: string } {
  const t = raw.trim();
  if (t.includes("://")) {
    try {
      const u = new URL(t);
      const host = normaliseHost(u.hostname);
      const path = u.pathname + u.search;
      return { ...(host ? { host } : {}), ...(path && path !== "/" ? { path } : {}) };
    } catch {
      return splitTarget(t.slice(t.indexOf("://") + 3));
    }
  }
  const cut = t.search(/[/?#]/);
  const host = normaliseHost(cut >= 0 ? t.slice(0, cut) : t);
  const path = cut >= 0 ? t.slice(cut) : undefined;
  return { ...(host ? { host } : {}), ...(path && path !== "/" ? { path: path.startsWith("/") ? path : `/${path}` } : {}) };
}

/** A lower-case DNS name with no trailing dot, port, scheme or path: already normal. */
const PLAIN_HOST = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * Normalise a host as evidence gives it to a DNS name: lower-case, no trailing dot, no `:port`,
 * no IPv6 brackets, no `user@` prefix. A URL (`https://host/path`) gives its host, and a
 * scheme-less `host/path` its part before the first `/`, `?` or `#`.
 * Returns `undefined` for an empty result.
 */
export function normaliseHost(raw: string): string | undefined {
  // Fast path: most evidence already gives a lower-case DNS name.
  if (PLAIN_HOST.test(raw)) return raw;
  let h = raw.trim();
  if (h.includes("://")) return splitTarget(h).host;
  const cut = h.search(/[/?#]/);
  if (cut >= 0) h = h.slice(0, cut);
  h = h.toLowerCase();
  const at = h.lastIndexOf("@");
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    h = end > 0 ? h.slice(1, end) : h.slice(1);
  } else {
    const colon = h.indexOf(":");
    // one colon = host:port; several = a bare IPv6 address, keep it whole
    if (colon >= 0 && h.indexOf(":", colon + 1) < 0) h = h.slice(0, colon);
  }
  while (h.endsWith(".")) h = h.slice(0, -1);
  return h.length > 0 ? h : undefined;
}

/** One compiled app-name pattern, with its position in catalogue order. */
interface NamePattern {
  order: number;
  re: RegExp;
  id: string;
  source: string;
}

/** The app-name index of a {@link Matcher}. */
interface NameIndex {
  /** Every pattern, compiled (`i`), in catalogue order. */
  patterns: NamePattern[];
  /** Distinct required literals of the patterns, and for each the patterns (by order) that need it. */
  literalPatterns: number[][];
  /** Finds the literals of {@link literalPatterns} (by index) in an ASCII-folded name. */
  literals: AhoCorasick;
  /** Patterns with no provable literal: tested against every name. */
  alwaysTested: number[];
  /** Scratch space for candidate de-duplication: `mark[i] === epoch` means pattern i is already a candidate. */
  mark: Uint32Array;
}

/** Compile the app-name patterns (catalogue order) and index them by their required literals (`regex-literals.ts`). */
function buildNameIndex(sources: readonly { source: string; id: string }[]): NameIndex {
  const patterns: NamePattern[] = [];
  const literalPatterns: number[][] = [];
  const alwaysTested: number[] = [];
  const literalIds = new Map<string, number>();
  for (const { source, id } of sources) {
    const order = patterns.length;
    patterns.push({ order, re: new RegExp(source, "i"), id, source });
    const literals = requiredLiterals(source);
    if (!literals) {
      alwaysTested.push(order);
      continue;
    }
    for (const lit of literals) {
      let li = literalIds.get(lit);
      if (li === undefined) {
        li = literalPatterns.length;
        literalIds.set(lit, li);
        literalPatterns.push([]);
      }
      const list = literalPatterns[li]!;
      if (list[list.length - 1] !== order) list.push(order);
    }
  }
  return { patterns, literalPatterns, literals: new AhoCorasick([...literalIds.keys()]), alwaysTested, mark: new Uint32Array(patterns.length) };
}

/**
 * The index over a catalogue. Build it once per run (`new Matcher(services)`, services in
 * catalogue order: bundled files by name, then each organisation directory), then call
 * {@link Matcher.match} per observation. Matching is synchronous and allocation-light (a scratch
 * array de-duplicates candidate patterns), so one instance serves a whole run.
 */
export class Matcher {
  private readonly domains: ReadonlyMap<string, string>;
  private readonly clientIds: ReadonlyMap<string, string>;
  private readonly appIds: ReadonlyMap<string, string>;
  private readonly publishers: ReadonlyMap<string, string>;
  /** The app-name patterns as written, in catalogue order, with their service. */
  private readonly nameSources: readonly { source: string; id: string }[];
  /** The app-name index, built from {@link nameSources} on the first name lookup (see {@link names}). */
  private nameIndex?: NameIndex;
  private readonly userAgents: readonly { needle: string; id: string }[];
  private readonly userAgentIndex: AhoCorasick;
  private epoch = 0;
  /**
   * Answers of {@link matchHost} and of the user-agent index by input string. Logs and captures
   * repeat the same few thousand hosts and user agents millions of times; each cache is emptied
   * when it reaches {@link CACHE_ENTRIES} and keeps no key longer than {@link CACHE_KEY_CHARS}, which
   * bounds its memory whatever the input.
   */
  private readonly hostCache = new Map<string, { id: string; domain: string } | null>();
  private readonly userAgentCache = new Map<string, number[]>();
  readonly services = new Map<string, AIService>();
  private readonly identities = new Map<string, ServiceIdentity>();

  /**
   * Build the index. Later services do not override an identifier an earlier one claimed.
   * The hash maps are filled here (identifier-index.ts), or taken as they are when the services
   * are, in order, those the build cache loaded with its prebuilt index (plus any after them); the
   * app-name index (required literals, their Aho-Corasick automaton, the compiled patterns: about
   * 35 ms for the 688 patterns of the bundled catalogue) is built on the first app-name lookup, so
   * a run that matches only hosts, IDs and user agents (a capture, a proxy or DNS log,
   * `signatures match example.com`) never pays for it. The answers are the same either way.
   */
  constructor(services: readonly AIService[]) {
    const pre = registeredIndex(services);
    const idx = !pre ? emptyIndex() : pre.count === services.length ? pre.index : copyIndex(pre.index);
    for (let i = pre ? pre.count : 0; i < services.length; i++) addService(idx, services[i]!);
    for (let i = 0; i < services.length; i++) this.services.set(services[i]!.id, services[i]!);
    this.domains = idx.domains;
    this.clientIds = idx.clientIds;
    this.appIds = idx.appIds;
    this.publishers = idx.publishers;
    this.nameSources = idx.nameSources;
    this.userAgents = idx.userAgents;
    this.userAgentIndex = new AhoCorasick(this.userAgents.map((u) => u.needle));
  }

  /** The app-name index, built on first use (see the constructor). */
  private get names(): NameIndex {
    return (this.nameIndex ??= buildNameIndex(this.nameSources));
  }

  /** Index statistics, for benchmarks and `signatures lint` (builds the app-name index). */
  get stats(): { domains: number; clientIds: number; appIds: number; publishers: number; namePatterns: number; nameLiterals: number; alwaysTested: number; userAgents: number } {
    const n = this.names;
    return {
      domains: this.domains.size,
      clientIds: this.clientIds.size,
      appIds: this.appIds.size,
      publishers: this.publishers.size,
      namePatterns: n.patterns.length,
      nameLiterals: n.literalPatterns.length,
      alwaysTested: n.alwaysTested.length,
      userAgents: this.userAgents.length,
    };
  }

  /**
   * The service a host belongs to, by label-boundary suffix, longest suffix first.
   * @param host a host as evidence gives it (see {@link normaliseHost}) or a URL.
   * @returns the service id and the signature domain that matched, or undefined.
   */
  matchHost(host: string): { id: string; domain: string } | undefined {
    const cached = this.hostCache.get(host);
    if (cached !== undefined) return cached ?? undefined;
    const m = this.lookupHost(host);
    if (host.length <= CACHE_KEY_CHARS) {
      if (this.hostCache.size >= CACHE_ENTRIES) this.hostCache.clear();
      this.hostCache.set(ownCopy(host), m ?? null);
    }
    return m;
  }

  private lookupHost(host: string): { id: string; domain: string } | undefined {
    const h = normaliseHost(host);
    if (!h) return undefined;
    let i = 0;
    for (;;) {
      const suffix = i === 0 ? h : h.slice(i);
      const id = this.domains.get(suffix);
      // a copy: `suffix` is a slice of the evidence, and the answer is cached past the chunk it was read from
      if (id) return { id, domain: ownCopy(suffix) };
      const dot = h.indexOf(".", i);
      if (dot < 0) return undefined;
      i = dot + 1;
    }
  }

  /**
   * Every app-name pattern that matches `name`, in catalogue order (the first is what
   * {@link match} reports). Only the patterns whose required literal occurs in the name are tested.
   */
  matchNameAll(name: string): { id: string; pattern: string }[] {
    const out: { id: string; pattern: string }[] = [];
    const patterns = this.names.patterns;
    for (const order of this.nameCandidates(name)) {
      const p = patterns[order]!;
      if (p.re.test(name)) out.push({ id: p.id, pattern: p.source });
    }
    return out;
  }

  /** Every user-agent hint contained in `userAgent` (case-insensitive), in catalogue order. */
  matchUserAgentAll(userAgent: string): { id: string; hint: string }[] {
    return this.userAgentHits(userAgent.toLowerCase()).map((i) => ({ id: this.userAgents[i]!.id, hint: this.userAgents[i]!.needle }));
  }

  /**
   * Match one observation: the strongest identifier wins (client ID, then app ID, host, publisher,
   * app name, user agent).
   *
   * An app name is a claim, not an identity: a name pattern attributes an OAuth app or service
   * principal to the signature's vendor only when nothing about the app contradicts it (see
   * {@link Matcher.brandContradiction}). When something does (`ChatGPT for Gmail` with an OAuth
   * client ID OpenAI does not publish, or published by "Gmail Tools Ltd"), the finding is a
   * third-party app using the brand: `serviceId` `suspected:<publisher or app-name key>`, field
   * `suspected`, `matched` starting with {@link UNVERIFIED_PUBLISHER}, and `claimed` naming the
   * brand's signature. An app name shaped like a DNS name (`chatgpt.com.attacker.example`) is looked
   * up as a host, never against name patterns, so a lookalike host cannot borrow a brand.
   * @returns the finding, or undefined when nothing in the catalogue matches.
   */
  match(o: MatchInput): Finding | undefined {
    if (o.clientId) {
      const id = this.clientIds.get(o.clientId.toLowerCase());
      if (id) return finding(id, "oauthClientId", o.clientId);
    }
    if (o.appId) {
      const id = this.appIds.get(o.appId.toLowerCase());
      if (id) return finding(id, "entraAppId", o.appId);
    }
    if (o.host) {
      const m = this.matchHost(o.host);
      if (m) return finding(m.id, "domain", m.domain);
    }
    if (o.publisher) {
      const id = this.publishers.get(o.publisher.toLowerCase());
      if (id) return finding(id, "publisher", o.publisher);
    }
    if (o.appName) {
      const named = this.matchName(o.appName);
      if (named) {
        const why = this.brandContradiction(named.serviceId, o);
        return why ? this.thirdParty(named.serviceId, o, why) : named;
      }
    }
    if (o.userAgent) {
      const hits = this.userAgentHits(o.userAgent.toLowerCase());
      const first = hits[0];
      if (first !== undefined) {
        const u = this.userAgents[first]!;
        return finding(u.id, "userAgent", u.needle);
      }
    }
    return undefined;
  }

  /**
   * The finding an app name alone gives: a name shaped like a DNS name (`Otter.ai`,
   * `chatgpt.com.attacker.example`) by its host (label-boundary suffix, so a lookalike matches
   * nothing); any other name by the first name pattern in catalogue order.
   */
  private matchName(name: string): Finding | undefined {
    if (HOST_SHAPED_NAME.test(name)) {
      const m = this.matchHost(name.toLowerCase());
      return m ? finding(m.id, "domain", m.domain) : undefined;
    }
    const patterns = this.names.patterns;
    for (const order of this.nameCandidates(name)) {
      const p = patterns[order]!;
      if (p.re.test(name)) return finding(p.id, "appName", p.source);
    }
    return undefined;
  }

  /**
   * Why the OAuth app or service principal `o`, named like the service `serviceId`, is not that
   * service's app; undefined when nothing contradicts the name. In order:
   * 0. The tenant that owns the app (Entra `appOwnerOrganizationId`): an app owned by one of
   *    Microsoft's tenants ({@link FIRST_PARTY_TENANTS}) is Microsoft's, so it confirms a Microsoft
   *    signature and contradicts any other vendor's; an app of a signature whose vendor is
   *    Microsoft, owned by another tenant, is not Microsoft's.
   * 1. A verified publisher that is one of the signature's `publishers`, or (when it lists none)
   *    names the vendor (`OpenAI OpCo, LLC` for vendor `OpenAI`), confirms the name; any other
   *    verified publisher contradicts it. Entra verifies publishers against the Microsoft Partner
   *    Network (https://learn.microsoft.com/en-us/entra/identity-platform/publisher-verification-overview),
   *    so another company cannot carry the vendor's name there.
   * 2. Without a publisher: an OAuth client ID when the signature lists client IDs (all of which
   *    {@link match} already tried), an Entra app ID when it lists app IDs, or an Entra app with no
   *    verified publisher when the signature lists publishers, contradict the name.
   * 3. Otherwise (the signature publishes nothing to check against, and the app names no
   *    publisher) the name stands: the catalogue cannot tell, and attributes it as before.
   */
  brandContradiction(serviceId: string, o: MatchInput): string | undefined {
    if (!o.clientId && !o.appId && !o.publisher && !o.appOwnerTenant) return undefined;
    const id = this.identity(serviceId);
    const vendor = id.vendor;
    if (o.appOwnerTenant) {
      const owner = o.appOwnerTenant.toLowerCase();
      const firstParty = FIRST_PARTY_TENANTS.get(owner);
      if (firstParty) {
        return id.vendorWords.some((w) => w.length === 1 && w[0] === firstParty.word) ? undefined : `it is owned by ${firstParty.name}'s tenant ${owner}, not by ${vendor}`;
      }
      if (id.microsoftOnly) return `it is owned by tenant ${clip(owner)}, not by one of Microsoft's`;
    }
    if (o.publisher) {
      const p = o.publisher.toLowerCase();
      if (id.publishers.size > 0) {
        return id.publishers.has(p) ? undefined : `its verified publisher "${clip(o.publisher)}" is not ${vendor}'s (${[...id.publishers].join(", ")})`;
      }
      return organisationsAgree(o.publisher, id.vendorWords) ? undefined : `its verified publisher "${clip(o.publisher)}" is not ${vendor}`;
    }
    if (o.clientId && id.clientIds) return `its OAuth client ID ${clip(o.clientId)} is not one ${vendor} publishes`;
    if (o.appId && id.appIds) return `its Entra app ID ${clip(o.appId)} is not one ${vendor} publishes`;
    if (o.appId && id.publishers.size > 0) return `it has no verified publisher, while ${vendor}'s app is published by ${[...id.publishers].join(", ")}`;
    return undefined;
  }

  /** The third-party finding of an app named like `claimed` whose identity says otherwise. */
  private thirdParty(claimed: string, o: MatchInput, why: string): Finding {
    const s = this.services.get(claimed)!;
    const key = appNameKey(o.publisher ?? o.appName ?? claimed);
    return {
      serviceId: SUSPECTED_PREFIX + key,
      field: "suspected",
      matched: `${UNVERIFIED_PUBLISHER}: app "${clip(o.appName ?? "")}" is named like ${s.name} (${s.vendor}), but ${why}`,
      confidence: MATCH_CONFIDENCE.suspected,
      claimed,
    };
  }

  /** What a service publishes about its apps, for {@link brandContradiction}; built on first use. */
  private identity(serviceId: string): ServiceIdentity {
    let id = this.identities.get(serviceId);
    if (!id) {
      const s = this.services.get(serviceId)!;
      id = {
        vendor: clip(s.vendor),
        clientIds: s.match.oauthClientIds.length > 0,
        appIds: s.match.entraAppIds.length > 0,
        publishers: new Set(s.match.publishers.map((p) => p.toLowerCase())),
        vendorWords: vendorAlternatives(s.vendor),
        microsoftOnly: orgWords(s.vendor).join(" ") === "microsoft",
      };
      this.identities.set(serviceId, id);
    }
    return id;
  }

  /** Orders of the patterns worth testing against `name`, ascending. */
  private nameCandidates(name: string): number[] {
    if (this.nameSources.length === 0) return [];
    const n = this.names;
    const mark = n.mark;
    if (++this.epoch === 0xffffffff) {
      mark.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const out: number[] = [];
    for (const order of n.alwaysTested) {
      mark[order] = epoch;
      out.push(order);
    }
    n.literals.forEachMatch(foldAscii(name), (li) => {
      for (const order of n.literalPatterns[li]!) {
        if (mark[order] !== epoch) {
          mark[order] = epoch;
          out.push(order);
        }
      }
    });
    return out.length > 1 ? out.sort((a, b) => a - b) : out;
  }

  /** Indices (catalogue order) of the user-agent hints found in the lower-cased `ua`, ascending, unique. */
  private userAgentHits(ua: string): number[] {
    const cached = this.userAgentCache.get(ua);
    if (cached !== undefined) return cached;
    const hits = this.scanUserAgent(ua);
    if (ua.length <= CACHE_KEY_CHARS) {
      if (this.userAgentCache.size >= CACHE_ENTRIES) this.userAgentCache.clear();
      this.userAgentCache.set(ownCopy(ua), hits);
    }
    return hits;
  }

  private scanUserAgent(ua: string): number[] {
    const hits: number[] = [];
    this.userAgentIndex.forEachMatch(ua, (i) => {
      if (!hits.includes(i)) hits.push(i);
    });
    return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
  }
}

/** Entries per lookup cache of a {@link Matcher}. */
export const CACHE_ENTRIES = 16384;
/** Longest input a cache keeps (longer ones are looked up every time): with {@link CACHE_ENTRIES}, at most ~16 MB per cache. */
export const CACHE_KEY_CHARS = 512;

/** What {@link Matcher.brandContradiction} checks an app against. */
interface ServiceIdentity {
  vendor: string;
  /** Whether the signature lists OAuth client IDs / Entra app IDs (the values are in the matcher's maps). */
  clientIds: boolean;
  appIds: boolean;
  /** Verified publisher names, lower-case. */
  publishers: Set<string>;
  /** The vendor's name as word sets: `GitHub (Microsoft)` gives `[github]` and `[microsoft]`. */
  vendorWords: string[][];
  /** The vendor is Microsoft itself (not `GitHub (Microsoft)`, whose apps GitHub's tenant owns). */
  microsoftOnly: boolean;
}

/**
 * The tenants that own Microsoft's first-party applications (`appOwnerOrganizationId`): Microsoft
 * Services and Microsoft's corporate tenant, as Microsoft tells admins to check in "Verify first-party
 * Microsoft applications in sign-in reports"
 * (https://learn.microsoft.com/en-us/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in).
 * `word` is the vendor name a signature gives them.
 */
export const FIRST_PARTY_TENANTS: ReadonlyMap<string, { name: string; word: string }> = new Map([
  ["f8cdef31-a31e-4b4a-93e4-5f571e91255a", { name: "Microsoft", word: "microsoft" }],
  ["72f988bf-86f1-41af-91ab-2d7cd011db47", { name: "Microsoft", word: "microsoft" }],
]);

/**
 * An app name shaped like a DNS name: no space, at least one dot, labels of letters, digits and
 * hyphens, an alphabetic last label. `Otter.ai` and `chatgpt.com.attacker.example` are; `ChatGPT`,
 * `GPT-4o mini` and `Acme v2.1` are not.
 */
const HOST_SHAPED_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,63}\.?$/i;

/** Legal-form and filler words left out when comparing organisation names. */
const ORG_FILLER = new Set([
  "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation", "co", "company", "plc", "pbc", "sa", "sas", "sarl", "ag", "bv",
  "nv", "oy", "ab", "as", "srl", "spa", "pte", "pty", "kk", "opco", "holdings", "the", "and", "of",
]);

/** The significant words of an organisation name: NFKC, lower-case, letters and digits, filler removed. */
function orgWords(name: string): string[] {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0 && !ORG_FILLER.has(w));
}

/** A vendor's names: the text outside parentheses and each parenthesised part (`GitHub (Microsoft)`). */
function vendorAlternatives(vendor: string): string[][] {
  const parts = [vendor.replace(/\([^)]*\)/g, " "), ...[...vendor.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!)];
  return parts.map(orgWords).filter((w) => w.some((x) => x.length >= 3 && x !== "ai"));
}

/**
 * Whether a publisher's name names the vendor: every significant word of one of the vendor's names
 * is a word of the publisher's (`OpenAI` in `OpenAI OpCo, LLC`, `Zoom Communications` in `Zoom Video
 * Communications, Inc.`), or every word of the publisher's is one of the vendor's.
 */
export function organisationsAgree(publisher: string, vendorWords: readonly string[][]): boolean {
  const pub = orgWords(publisher);
  if (pub.length === 0) return false;
  const pubSet = new Set(pub);
  const pubSignificant = pub.some((x) => x.length >= 3 && x !== "ai");
  for (const v of vendorWords) {
    if (v.every((w) => pubSet.has(w))) return true;
    if (pubSignificant && pub.every((w) => v.includes(w))) return true;
  }
  return false;
}

/** The key of an app or publisher name: NFKC, lower-case, runs of whitespace as one space, trimmed. */
export function appNameKey(name: string): string {
  // eslint-disable-next-line no-control-regex
  const n = /^[\x00-\x7f]*$/.test(name) ? name : name.normalize("NFKC");
  return n.toLowerCase().replace(/\s+/g, " ").trim();
}

/** Evidence text shown inside a reason, cut to 120 characters. */
function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

function finding(serviceId: string, field: MatchField, matched: string): Finding {
  return { serviceId, field, matched, confidence: MATCH_CONFIDENCE[field] };
}
