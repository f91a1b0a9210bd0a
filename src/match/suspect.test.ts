import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSignatures } from "./load.js";
import { Matcher } from "./matcher.js";
import { allowedBy, appNameKey, hostKey, loadAllowList, suspect } from "./suspect.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "__fixtures__", name), "utf8");
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

/** The popular non-AI hosts, built from `domain: sub sub ...` lines (`@` = the domain itself). */
function popularHosts(): string[] {
  return lines(fixture("popular-hosts.txt")).flatMap((l) => {
    const [domain, subs] = l.split(":").map((x) => x.trim());
    return subs!.split(/\s+/).map((s) => (s === "@" ? domain! : `${s}.${domain}`));
  });
}

const matcher = new Matcher(loadSignatures().map((s) => s.service));

describe("suspected AI on 1,000 popular non-AI hosts", () => {
  const hosts = popularHosts();

  it("has at least 1,000 distinct hosts", () => {
    expect(hosts.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it("none is in the catalogue", () => {
    const matched = hosts.flatMap((h) => {
      const f = matcher.match({ host: h });
      return f ? [`${h} → ${f.serviceId} (${f.matched})`] : [];
    });
    expect(matched).toEqual([]);
  });

  it("fewer than 1% are suspected", () => {
    const suspected = hosts.flatMap((h) => {
      const s = suspect({ host: h });
      return s ? [`${h}: ${s.reason}`] : [];
    });
    expect(suspected.length, suspected.join("\n")).toBeLessThan(hosts.length / 100);
  });

  it("nor are popular non-AI app names", () => {
    const suspected = lines(fixture("popular-apps.txt")).flatMap((appName) => {
      const s = suspect({ appName });
      return s ? [`${appName}: ${s.reason}`] : [];
    });
    expect(suspected).toEqual([]);
  });
});

describe("suspect", () => {
  it.each([
    [{ host: "api.some-llm-startup.ai" }, "some-llm-startup.ai", "host"],
    [{ host: "www.some-llm-startup.ai:443" }, "some-llm-startup.ai", "host"],
    [{ host: "chat.acme.ai" }, "chat.acme.ai", "host"],
    [{ host: "app.writerbot.ai" }, "writerbot.ai", "host"],
    [{ host: "gptwrapper.io" }, "gptwrapper.io", "host"],
    [{ host: "my-gpt.vercel.app" }, "my-gpt.vercel.app", "host"],
    [{ host: "llm-gw.corp.example.com" }, "llm-gw.corp.example.com", "host"],
    [{ host: "ai.example.com" }, "ai.example.com", "host"],
    [{ host: "acme-ai.com" }, "acme-ai.com", "host"],
    [{ host: "unknown-gateway.example.net", path: "/v1/chat/completions" }, "example.net", "path"],
    [{ host: "https://unknown-gateway.example.net/openai/v1/chat/completions?x=1" }, "example.net", "path"],
    [{ host: "10.0.0.5:11434", path: "/api/generate" }, "10.0.0.5", "path"],
    [{ host: "proxy.example.org", path: "/v1beta/models/gemini-2.5-pro:generateContent" }, "example.org", "path"],
    [{ host: "proxy.example.org", path: "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21" }, "example.org", "path"],
    [{ host: "proxy.example.org", path: "/model/anthropic.claude-3-5-sonnet/invoke" }, "example.org", "path"],
    [{ host: "proxy.example.org", path: "/v1/messages" }, "example.org", "path"],
    [{ host: "proxy.example.org", path: "/v1/embeddings" }, "example.org", "path"],
    [{ appName: "GPT Email Writer" }, "gpt email writer", "appName"],
    [{ appName: "Acme  AI Notetaker" }, "acme ai notetaker", "appName"],
    [{ appName: "Meeting Note Taker" }, "meeting note taker", "appName"],
    [{ appName: "LLM Gateway (internal)" }, "llm gateway (internal)", "appName"],
    [{ appName: "Sales Copilot" }, "sales copilot", "appName"],
    [{ appName: "Support ChatBot" }, "support chatbot", "appName"],
    [{ appName: "Chat Bot Builder" }, "chat bot builder", "appName"],
    [{ appName: "AIWriter Pro" }, "aiwriter pro", "appName"],
    [{ userAgent: "OpenAI/Python 1.52.0" }, "ua:openai/python", "userAgent"],
    [{ host: "llm.internal", userAgent: "OpenAI/Python 1.52.0" }, "llm.internal", "host"],
    [{ host: "gw.example.com", userAgent: "Anthropic/Python 0.40.0" }, "example.com", "userAgent"],
  ])("%j is suspected with key %s", (input, key, via) => {
    const s = suspect(input);
    expect(s, JSON.stringify(input)).toMatchObject({ key, via });
    expect(s!.reason.length).toBeGreaterThan(10);
  });

  it.each([
    [{ host: "www.gov.ai" }],
    [{ host: "acme.ai" }],
    [{ host: "www.allmusic.com" }],
    [{ host: "www.thaiairways.com" }],
    [{ host: "www.visitdubai.com" }],
    [{ host: "mail.example.com" }],
    [{ host: "10.0.0.5" }],
    [{ host: "api.example.com", path: "/v1/customers" }],
    [{ host: "api.example.com", path: "/v1/messages/123" }],
    [{ host: "api.example.com", path: "/api/chat" }],
    [{ appName: "Mailchimp" }],
    [{ appName: "Aircall" }],
    [{ appName: "Gemini" }],
    [{ appName: "Thai Airways" }],
    [{ userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36" }],
    [{ userAgent: "python-requests/2.32.3" }],
  ])("%j is not suspected", (input) => {
    expect(suspect(input)).toBeUndefined();
  });

  it("keeps a key stable across hosts of one registrable domain and across spellings of one app name", () => {
    expect(hostKey("api.some-llm-startup.ai")).toBe(hostKey("WWW.Some-LLM-Startup.ai."));
    expect(hostKey("a.b.example.co.uk")).toBe("example.co.uk");
    expect(hostKey("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(appNameKey("  GPT\u00a0Email   Writer ")).toBe("gpt email writer");
  });

  it("remembers a dismissal by key, and then tries the next guess with another key", () => {
    const dismissed = new Set(["some-llm-startup.ai"]);
    expect(suspect({ host: "api.some-llm-startup.ai" }, { dismissed })).toBeUndefined();
    expect(suspect({ host: "api.some-llm-startup.ai", path: "/v1/chat/completions" }, { dismissed })).toBeUndefined();
    expect(suspect({ appName: "GPT Email Writer" }, { dismissed: new Set(["gpt email writer"]) })).toBeUndefined();
    // the AI label is in a subdomain: dismissing that host leaves the rest of the domain alone
    expect(suspect({ host: "llm.corp.example.com" }, { dismissed: new Set(["llm.corp.example.com"]) })).toBeUndefined();
    expect(suspect({ host: "gpt.corp.example.com" }, { dismissed: new Set(["llm.corp.example.com"]) })?.key).toBe("gpt.corp.example.com");
  });
});

describe("allow list", () => {
  const allow = loadAllowList();

  it("loads, and guards against known false positives", () => {
    expect(allow.domains.size).toBeGreaterThanOrEqual(50);
    for (const host of ["d3llm4xq.cloudfront.net", "a1234gpt.akamaized.net", "o4504.ingest.sentry.io", "api.stripe.com", "browser-intake-datadoghq.com"]) {
      expect(allowedBy(host, allow), host).toBeDefined();
      expect(suspect({ host, path: "/v1/chat/completions", userAgent: "OpenAI/Python 1.0" }), host).toBeUndefined();
    }
    // hosting domains whose tenants name themselves are deliberately not allowed
    for (const host of ["my-llm-bucket.s3.amazonaws.com", "my-gpt-app.azurewebsites.net", "gateway.ai.cloudflare.com"]) expect(allowedBy(host, allow), host).toBeUndefined();
  });

  it("names no AI service of the catalogue", () => {
    const clash = [...allow.domains.keys()].flatMap((d) => {
      const m = matcher.matchHost(d);
      return m ? [`${d} → ${m.id}`] : [];
    });
    expect(clash).toEqual([]);
  });

  it("rejects an invalid file, naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "allow-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "version: 1\ndomains:\n  cdn: [Fastly.NET]\n");
    expect(() => loadAllowList(bad)).toThrow(/domains\.cdn\.0/);
    writeFileSync(bad, "version: 1\ndomains:\n  cdn: [fastly.net]\n  cloud: [fastly.net]\n");
    expect(() => loadAllowList(bad)).toThrow(/also listed under cdn/);
    writeFileSync(bad, "version: 1\ndomains:\n  weather: [example.com]\n");
    expect(() => loadAllowList(bad)).toThrow(/domains/);
  });
});
