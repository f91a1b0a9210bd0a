import { describe, expect, it } from "vitest";
import type { AIService } from "../core/service.js";
import { loadSignatures } from "./load.js";
import { isUnverifiedPublisher, MATCH_CONFIDENCE } from "../core/finding.js";
import { CACHE_ENTRIES, CACHE_KEY_CHARS, Matcher, normaliseHost, organisationsAgree, splitTarget } from "./matcher.js";

const svc = (id: string, match: Partial<AIService["match"]>): AIService => ({
  id, name: id, vendor: "v", category: "assistant", references: ["https://example.com"], lastValidated: "2026-11-22", tags: [],
  vendorFacts: {}, euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: "x" },
  match: { domains: [], oauthClientIds: [], entraAppIds: [], publishers: [], appNamePatterns: [], userAgents: [], ...match },
});

const m = new Matcher([
  svc("openai-api", { domains: ["openai.com"] }),
  svc("chatgpt", { domains: ["chatgpt.com", "chat.openai.com"], appNamePatterns: ["^ChatGPT\\b"], userAgents: ["ChatGPT/"] }),
  svc("otter", { oauthClientIds: ["123-abc.apps.googleusercontent.com"], entraAppIds: ["00000000-0000-4000-8000-0000000000a1"], publishers: ["Otter.ai, Inc."] }),
]);

describe("normaliseHost", () => {
  it.each([
    ["API.OpenAI.COM", "api.openai.com"],
    ["api.openai.com.", "api.openai.com"],
    ["api.openai.com:443", "api.openai.com"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["user@api.openai.com", "api.openai.com"],
    ["", undefined],
    ["https://API.openai.com:8443/v1/chat/completions?x=1", "api.openai.com"],
    ["https://user:pw@[2001:db8::1]:443/x", "2001:db8::1"],
    ["api.openai.com/v1/models", "api.openai.com"],
    ["https://bücher.example/", "xn--bcher-kva.example"],
  ])("%s -> %s", (raw, want) => expect(normaliseHost(raw)).toBe(want));
});

describe("Matcher", () => {
  it("matches a domain and its subdomains on label boundaries only", () => {
    expect(m.match({ host: "openai.com" })?.serviceId).toBe("openai-api");
    expect(m.match({ host: "api.openai.com" })?.serviceId).toBe("openai-api");
    expect(m.match({ host: "API.OPENAI.COM:443" })?.serviceId).toBe("openai-api");
    expect(m.match({ host: "notopenai.com" })).toBeUndefined();
    expect(m.match({ host: "openai.com.evil.net" })).toBeUndefined();
    expect(m.match({ host: "openai.co" })).toBeUndefined();
    expect(m.match({ host: "com" })).toBeUndefined();
  });

  it("prefers the longest matching suffix", () => {
    expect(m.match({ host: "chat.openai.com" })).toEqual({ serviceId: "chatgpt", field: "domain", matched: "chat.openai.com", confidence: 0.9 });
    expect(m.match({ host: "cdn.chat.openai.com" })?.serviceId).toBe("chatgpt");
  });

  it("matches client IDs, app IDs and publishers exactly and case-insensitively", () => {
    expect(m.match({ clientId: "123-ABC.apps.googleusercontent.com" })?.field).toBe("oauthClientId");
    expect(m.match({ appId: "00000000-0000-4000-8000-0000000000A1" })?.serviceId).toBe("otter");
    expect(m.match({ appId: "00000000-0000-4000-8000-0000000000a2" })).toBeUndefined();
    expect(m.match({ publisher: "otter.ai, inc." })?.serviceId).toBe("otter");
  });

  it("ranks an ID above a host, and a host above a name pattern or user agent", () => {
    expect(m.match({ clientId: "123-abc.apps.googleusercontent.com", host: "chatgpt.com" })?.serviceId).toBe("otter");
    expect(m.match({ host: "api.openai.com", appName: "ChatGPT" })?.serviceId).toBe("openai-api");
    expect(m.match({ appName: "ChatGPT for Gmail" })?.field).toBe("appName");
    expect(m.match({ appName: "MyChatGPTClone" })).toBeUndefined();
    expect(m.match({ userAgent: "Mozilla/5.0 ChatGPT/1.2025" })?.confidence).toBe(0.5);
  });
});

describe("splitTarget", () => {
  it.each([
    ["https://api.openai.com/v1/chat/completions", { host: "api.openai.com", path: "/v1/chat/completions" }],
    ["http://10.0.0.5:11434/api/generate?x=1", { host: "10.0.0.5", path: "/api/generate?x=1" }],
    ["llm.corp.example/v1/embeddings", { host: "llm.corp.example", path: "/v1/embeddings" }],
    ["api.openai.com", { host: "api.openai.com" }],
    ["https://api.openai.com/", { host: "api.openai.com" }],
  ])("%s", (raw, want) => expect(splitTarget(raw)).toEqual(want));
});

describe("Matcher with URLs and paths", () => {
  it("takes the host of a URL and ignores the path for catalogue matching", () => {
    expect(m.match({ host: "https://api.openai.com/v1/x" })).toEqual({ serviceId: "openai-api", field: "domain", matched: "openai.com", confidence: 0.9 });
    expect(m.matchHost("https://chat.openai.com:443/c/1")?.id).toBe("chatgpt");
    expect(m.match({ host: "https://notopenai.com/v1/chat/completions", path: "/v1/chat/completions" })).toBeUndefined();
  });
});

describe("Matcher index", () => {
  /** The pre-index matcher: a linear scan in catalogue order. */
  function linear(services: AIService[], o: { appName?: string; userAgent?: string }): string | undefined {
    if (o.appName) for (const s of services) for (const p of s.match.appNamePatterns) if (new RegExp(p, "i").test(o.appName)) return `${s.id} ${p}`;
    if (o.userAgent) for (const s of services) for (const u of s.match.userAgents) if (o.userAgent.toLowerCase().includes(u.toLowerCase())) return `${s.id} ${u.toLowerCase()}`;
    return undefined;
  }

  it("keeps file-order precedence among matching name patterns and user-agent hints", () => {
    const mm = new Matcher([
      svc("first", { appNamePatterns: ["\\bAI Notes\\b"], userAgents: ["Notes/"] }),
      svc("second", { appNamePatterns: ["^Acme AI Notes$", "^.*$"], userAgents: ["AcmeNotes/"] }),
      svc("third", { appNamePatterns: ["^Acme"] }),
    ]);
    expect(mm.match({ appName: "Acme AI Notes" })).toMatchObject({ serviceId: "first", matched: "\\bAI Notes\\b" });
    expect(mm.match({ appName: "Acme" })).toMatchObject({ serviceId: "second", matched: "^.*$" });
    expect(mm.matchNameAll("Acme AI Notes").map((x) => x.id)).toEqual(["first", "second", "second", "third"]);
    expect(mm.match({ userAgent: "x AcmeNotes/1.0" })).toMatchObject({ serviceId: "first", matched: "notes/" });
    expect(mm.matchUserAgentAll("x AcmeNotes/1.0").map((x) => x.id)).toEqual(["first", "second"]);
    expect(mm.stats.alwaysTested).toBe(1);
  });

  it("decides exactly as a linear scan over the bundled catalogue", () => {
    const services = loadSignatures().map((x) => x.service);
    const idx = new Matcher(services);
    const names = services.flatMap((s) => [s.name, `${s.name} for Gmail`, `My ${s.name}`, s.vendor, `${s.id}`, s.name.toUpperCase(), `${s.name.split(" ")[0]} AI`]);
    names.push("Zoom", "Slack", "Notion", "Microsoft Teams", "Copilot in Teams", "GitHub Copilot", "Claude for Sheets", "tl;dv", "TLDV Recorder");
    for (const appName of names) {
      // the index over name patterns; match() then judges a host-shaped name (`Character.AI`) as a host
      const first = idx.matchNameAll(appName)[0];
      expect(first ? `${first.id} ${first.pattern}` : undefined, appName).toBe(linear(services, { appName }));
      if (/\s/.test(appName) || !appName.includes(".")) {
        const f = idx.match({ appName });
        expect(f ? `${f.serviceId} ${f.matched}` : undefined, appName).toBe(linear(services, { appName }));
      }
    }
    const uas = ["ChatGPT/1.2025.105 (iOS 18.4)", "Mozilla/5.0 chatgpt/1", "curl/8.0", ...services.flatMap((s) => s.match.userAgents.map((u) => `Foo ${u}1.0`))];
    for (const userAgent of uas) {
      const f = idx.match({ userAgent });
      expect(f ? `${f.serviceId} ${f.matched}` : undefined, userAgent).toBe(linear(services, { userAgent }));
    }
  }, 180_000); // loading ~2,000 signature files without the build cache takes a while on a busy machine
});

describe("Matcher lookup caches", () => {
  it("answers a repeated host or user agent as the first time, also past the cache's size", () => {
    const c = new Matcher([
      svc("openai-api", { domains: ["openai.com"] }),
      svc("chatgpt", { domains: ["chatgpt.com"], userAgents: ["ChatGPT/"] }),
    ]);
    const hosts = ["api.openai.com", "chatgpt.com:443", "example.org", "API.OPENAI.COM."];
    const first = hosts.map((h) => c.match({ host: h })?.serviceId);
    expect(first).toEqual(["openai-api", "chatgpt", undefined, "openai-api"]);
    // fill the caches past CACHE_ENTRIES with distinct inputs: they are emptied, never wrong
    for (let i = 0; i <= CACHE_ENTRIES + 10; i++) {
      expect(c.match({ host: `h${i}.example.net` })).toBeUndefined();
      c.match({ userAgent: `agent/${i}` });
    }
    expect(hosts.map((h) => c.match({ host: h })?.serviceId)).toEqual(first);
    expect(c.match({ userAgent: "ChatGPT/1.2025 (iOS)" })?.serviceId).toBe("chatgpt");
    expect(c.match({ userAgent: "ChatGPT/1.2025 (iOS)" })?.serviceId).toBe("chatgpt");
    expect(c.matchUserAgentAll("chatgpt/2 (android)")).toEqual([{ id: "chatgpt", hint: "chatgpt/" }]);
  });

  it("looks up, without caching, an input longer than CACHE_KEY_CHARS", () => {
    const long = `${"a".repeat(CACHE_KEY_CHARS)}.openai.com`;
    expect(m.match({ host: long })?.serviceId).toBe("openai-api");
    expect(m.match({ host: long })?.serviceId).toBe("openai-api");
  });
});

describe("Matcher: lookalike hosts and brand names", () => {
  it("never gives a lookalike host, as a host or as a host-shaped app name, to the vendor", () => {
    for (const host of ["chatgpt.com.attacker.example", "chatgpt-com.example.org", "notchatgpt.com", "chatgpt.com-login.example"]) {
      expect(m.match({ host }), host).toBeUndefined();
      expect(m.match({ appName: host }), host).toBeUndefined();
      expect(m.match({ appName: host.toUpperCase(), clientId: "999-x.apps.googleusercontent.com" }), host).toBeUndefined();
    }
    // a host-shaped name that is the vendor's own domain is the vendor
    expect(m.match({ appName: "ChatGPT.com" })).toMatchObject({ serviceId: "chatgpt", field: "domain" });
    expect(m.match({ appName: "ChatGPT Enterprise" })).toMatchObject({ serviceId: "chatgpt", field: "appName" });
  });
});

describe("Matcher: an app named after a brand is the brand only when its identity agrees", () => {
  const brands = new Matcher([
    { ...svc("openai-chatgpt", { appNamePatterns: ["^ChatGPT\\b"], oauthClientIds: ["111-openai.apps.googleusercontent.com"], entraAppIds: ["00000000-0000-4000-8000-00000000c0a1"] }), vendor: "OpenAI", name: "ChatGPT" },
    { ...svc("claude", { appNamePatterns: ["^Claude\\b"] }), vendor: "Anthropic", name: "Claude" },
    { ...svc("otter", { appNamePatterns: ["^Otter\\b"], publishers: ["Otter.ai, Inc."] }), vendor: "Otter.ai", name: "Otter" },
    { ...svc("copilot", { appNamePatterns: ["^Copilot\\b"] }), vendor: "GitHub (Microsoft)", name: "Copilot" },
  ]);

  it("Google token: the real client ID is the brand; the same name with another client ID is a third-party app", () => {
    expect(brands.match({ clientId: "111-openai.apps.googleusercontent.com", appName: "ChatGPT" })).toMatchObject({ serviceId: "openai-chatgpt", field: "oauthClientId" });
    const f = brands.match({ clientId: "222-gmailtools.apps.googleusercontent.com", appName: "ChatGPT for Gmail" })!;
    expect(f.serviceId).toBe("suspected:chatgpt for gmail");
    expect(f).toMatchObject({ field: "suspected", claimed: "openai-chatgpt", confidence: MATCH_CONFIDENCE.suspected });
    expect(f.matched).toMatch(/^unverified publisher: app "ChatGPT for Gmail" is named like ChatGPT \(OpenAI\), but its OAuth client ID 222-gmailtools\.apps\.googleusercontent\.com is not one OpenAI publishes$/);
    expect(isUnverifiedPublisher(f.matched)).toBe(true);
  });

  it("Entra service principal: the real app ID, or the vendor's verified publisher, is the brand; anything else is not", () => {
    expect(brands.match({ appId: "00000000-0000-4000-8000-00000000C0A1", appName: "ChatGPT" })?.serviceId).toBe("openai-chatgpt");
    // another app of the vendor: its verified publisher names OpenAI
    expect(brands.match({ appId: "00000000-0000-4000-8000-00000000c0a9", appName: "ChatGPT Connectors", publisher: "OpenAI OpCo, LLC" })).toMatchObject({ serviceId: "openai-chatgpt", field: "appName" });
    const other = brands.match({ appId: "00000000-0000-4000-8000-0000000bad01", appName: "ChatGPT for Outlook", publisher: "Outlook Helpers Ltd" })!;
    expect(other).toMatchObject({ serviceId: "suspected:outlook helpers ltd", field: "suspected", claimed: "openai-chatgpt" });
    expect(other.matched).toContain('its verified publisher "Outlook Helpers Ltd" is not OpenAI');
    const unverified = brands.match({ appId: "00000000-0000-4000-8000-0000000bad02", appName: "ChatGPT" })!;
    expect(unverified).toMatchObject({ serviceId: "suspected:chatgpt", claimed: "openai-chatgpt" });
    expect(unverified.matched).toContain("its Entra app ID 00000000-0000-4000-8000-0000000bad02 is not one OpenAI publishes");
  });

  it("a signature with no IDs: a verified publisher must name the vendor; with nothing to check, the name stands", () => {
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000c1", appName: "Claude", publisher: "Anthropic, PBC" })?.serviceId).toBe("claude");
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000c2", appName: "Claude for Sheets", publisher: "Sheets Wizards GmbH" })?.serviceId).toBe("suspected:sheets wizards gmbh");
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000c3", appName: "Copilot Helper", publisher: "Microsoft Corporation" })?.serviceId).toBe("copilot");
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000c4", appName: "Copilot Helper", publisher: "Copilot Labs" })?.serviceId).toBe("suspected:copilot labs");
    // nothing to verify against: attributed by name (the catalogue cannot tell)
    expect(brands.match({ clientId: "333-x.apps.googleusercontent.com", appName: "Claude" })?.serviceId).toBe("claude");
    expect(brands.match({ appName: "ChatGPT for Gmail" })?.serviceId).toBe("openai-chatgpt");
  });

  it("a signature that lists publishers: an Entra app without a verified publisher, or another publisher, is not the brand", () => {
    expect(brands.match({ appName: "Otter Meeting Notes", publisher: "otter.ai, inc." })?.serviceId).toBe("otter");
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000d1", appName: "Otter Meeting Notes" })?.matched).toContain("no verified publisher, while Otter.ai's app is published by otter.ai, inc.");
    expect(brands.match({ appId: "00000000-0000-4000-8000-0000000000d2", appName: "Otter Notes", publisher: "Otter Clone Inc" })?.serviceId).toBe("suspected:otter clone inc");
  });

  it("the tenant that owns an Entra app settles a Microsoft brand either way", () => {
    const ms = new Matcher([
      { ...svc("m365-copilot", { appNamePatterns: ["^Microsoft 365 Copilot\\b"], entraAppIds: ["00000000-0000-4000-8000-0000000000e1"] }), vendor: "Microsoft" },
      { ...svc("gh-copilot", { appNamePatterns: ["^GitHub Copilot\\b"] }), vendor: "GitHub (Microsoft)" },
      { ...svc("claude", { appNamePatterns: ["^Claude\\b"] }), vendor: "Anthropic" },
    ]);
    const MS = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    // an unlisted app ID, but Microsoft's tenant owns the app
    expect(ms.match({ appId: "00000000-0000-4000-8000-0000000000e2", appName: "Microsoft 365 Copilot Chat", appOwnerTenant: MS })?.serviceId).toBe("m365-copilot");
    expect(ms.match({ appId: "00000000-0000-4000-8000-0000000000e3", appName: "Microsoft 365 Copilot", appOwnerTenant: "00000000-0000-4000-8000-00000000aaaa" })?.matched)
      .toContain("it is owned by tenant 00000000-0000-4000-8000-00000000aaaa, not by one of Microsoft's");
    // GitHub's apps are owned by GitHub's tenant: no verdict from the tenant alone
    expect(ms.match({ appId: "00000000-0000-4000-8000-0000000000e4", appName: "GitHub Copilot", appOwnerTenant: "00000000-0000-4000-8000-00000000bbbb" })?.serviceId).toBe("gh-copilot");
    // a Microsoft-owned app named like another vendor's product is Microsoft's, not that vendor's
    expect(ms.match({ appId: "00000000-0000-4000-8000-0000000000e5", appName: "Claude connector", appOwnerTenant: MS })?.matched).toContain("it is owned by Microsoft's tenant");
  });

  it("compares organisation names by their significant words", () => {
    const words = (v: string) => [v.toLowerCase().split(/\W+/).filter(Boolean)];
    expect(organisationsAgree("Zoom Video Communications, Inc.", [["zoom", "communications"]])).toBe(true);
    expect(organisationsAgree("OpenAI", words("OpenAI"))).toBe(true);
    expect(organisationsAgree("Open AI Tools", words("OpenAI"))).toBe(false);
    expect(organisationsAgree("AI Inc", words("Character AI"))).toBe(false);
  });
});
