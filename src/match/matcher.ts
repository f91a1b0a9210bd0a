/**
 * The matching index: built once per run from the catalogue, then asked once per observation.
 *
 * - Domains: a hash map from each signature domain to its service; a host is looked up by walking
 *   its suffixes on label boundaries, longest first (`api.openai.com` → `api.openai.com`,
 *   `openai.com`, `com`), so `notopenai.com` and `openai.com.evil.net` never match `openai.com`.
 *   Cost is one hash lookup per label, independent of catalogue size.
 * - OAuth client IDs, Entra app IDs, verified publishers: exact, case-insensitive hash lookups.
 * - App display names: the patterns are compiled once; user agents: lower-cased substrings.
 */
import type { AIService } from "../core/service.js";
import type { Observation } from "../core/observation.js";
import { MATCH_CONFIDENCE, type Finding, type MatchField } from "../core/finding.js";

/** The identifier values of one observation that matching looks at. */
export type MatchInput = Pick<Observation, "host" | "clientId" | "appId" | "appName" | "publisher" | "userAgent">;

/**
 * Normalise a host as evidence gives it to a DNS name: lower-case, no trailing dot, no `:port`,
 * no IPv6 brackets, no `user@` prefix. Returns `undefined` for an empty result.
 */
export function normaliseHost(raw: string): string | undefined {
  let h = raw.trim().toLowerCase();
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

export class Matcher {
  private readonly domains = new Map<string, string>();
  private readonly clientIds = new Map<string, string>();
  private readonly appIds = new Map<string, string>();
  private readonly publishers = new Map<string, string>();
  private readonly namePatterns: { re: RegExp; id: string; source: string }[] = [];
  private readonly userAgents: { needle: string; id: string }[] = [];
  readonly services = new Map<string, AIService>();

  /** Build the index. Later services do not override an identifier an earlier one claimed. */
  constructor(services: readonly AIService[]) {
    for (const s of services) {
      this.services.set(s.id, s);
      for (const d of s.match.domains) setOnce(this.domains, d.toLowerCase(), s.id);
      for (const c of s.match.oauthClientIds) setOnce(this.clientIds, c.toLowerCase(), s.id);
      for (const a of s.match.entraAppIds) setOnce(this.appIds, a.toLowerCase(), s.id);
      for (const p of s.match.publishers) setOnce(this.publishers, p.toLowerCase(), s.id);
      for (const p of s.match.appNamePatterns) this.namePatterns.push({ re: new RegExp(p, "i"), id: s.id, source: p });
      for (const u of s.match.userAgents) this.userAgents.push({ needle: u.toLowerCase(), id: s.id });
    }
  }

  /**
   * The service a host belongs to, by label-boundary suffix, longest suffix first.
   * @returns the service id and the signature domain that matched, or undefined.
   */
  matchHost(host: string): { id: string; domain: string } | undefined {
    const h = normaliseHost(host);
    if (!h) return undefined;
    let i = 0;
    for (;;) {
      const suffix = i === 0 ? h : h.slice(i);
      const id = this.domains.get(suffix);
      if (id) return { id, domain: suffix };
      const dot = h.indexOf(".", i);
      if (dot < 0) return undefined;
      i = dot + 1;
    }
  }

  /**
   * Match one observation: the strongest identifier wins (client/app ID, then host, publisher,
   * app name, user agent).
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
      for (const p of this.namePatterns) if (p.re.test(o.appName)) return finding(p.id, "appName", p.source);
    }
    if (o.userAgent) {
      const ua = o.userAgent.toLowerCase();
      for (const u of this.userAgents) if (ua.includes(u.needle)) return finding(u.id, "userAgent", u.needle);
    }
    return undefined;
  }
}

function finding(serviceId: string, field: MatchField, matched: string): Finding {
  return { serviceId, field, matched, confidence: MATCH_CONFIDENCE[field] };
}

function setOnce(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}
