import { describe, expect, it } from "vitest";
import type { AIService } from "../core/service.js";
import { loadSignatures } from "./load.js";
import { CACHE_ENTRIES, CACHE_KEY_CHARS, Matcher, normaliseHost, splitTarget } from "./matcher.js";

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
      const f = idx.match({ appName });
      expect(f ? `${f.serviceId} ${f.matched}` : undefined, appName).toBe(linear(services, { appName }));
    }
    const uas = ["ChatGPT/1.2025.105 (iOS 18.4)", "Mozilla/5.0 chatgpt/1", "curl/8.0", ...services.flatMap((s) => s.match.userAgents.map((u) => `Foo ${u}1.0`))];
    for (const userAgent of uas) {
      const f = idx.match({ userAgent });
      expect(f ? `${f.serviceId} ${f.matched}` : undefined, userAgent).toBe(linear(services, { userAgent }));
    }
  });
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
