import { describe, expect, it } from "vitest";
import type { AIService } from "../core/service.js";
import { Matcher, normaliseHost } from "./matcher.js";

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
