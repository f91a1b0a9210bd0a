import { describe, expect, it } from "vitest";
import type { KeepInput } from "../core/source.js";
import { catalogue } from "../../collectors/google-workspace/__fixtures__/store.js";
import { Keeper, keeps } from "./keep.js";

/** Hosts of every kind keeps() tells apart, as logs write them. */
function hosts(): string[] {
  const { services } = catalogue();
  const domains = [...services.values()].flatMap((s) => s.match.domains).filter((d) => /^[a-z0-9.-]+$/.test(d));
  const sample = domains.filter((_, i) => i % 37 === 0); // ~75 catalogue domains
  return [
    ...sample,
    ...sample.slice(0, 20).map((d) => `api.${d}`),
    ...sample.slice(0, 10).map((d) => d.toUpperCase()),
    ...sample.slice(0, 10).map((d) => `${d}:443`),
    ...sample.slice(0, 10).map((d) => `${d}.attacker.example`), // lookalikes: no match
    "api.some-llm-startup.ai", "llm-gw.corp.example.com", "my-gpt.vercel.app", "chat.example.ai",
    "api.stripe.com", "d1gpt7x.cloudfront.net", "o123.ingest.sentry.io", // allow-listed: never suspected
    "www.google.com", "github.com", "en.wikipedia.org", "intranet", "10.1.2.3", "[2001:db8::1]",
    "https://api.openai.com/v1/chat/completions", "http://unknown.example/v1/chat/completions", "unknown.example?x=1", "",
  ];
}

const PATHS = [undefined, "", "/", "/index.html", "/v1/chat/completions", "/v1/messages?beta=1", "/api/generate", "/openai/deployments/gpt-4o/chat/completions", "/static/app.js"];

describe("Keeper", () => {
  it("answers as keeps() does, for every kind of host, path and other field, asked once and again", () => {
    const { matcher } = catalogue();
    const keeper = new Keeper(matcher);
    const inputs: KeepInput[] = [];
    for (const host of hosts()) {
      for (const path of PATHS) inputs.push({ host, path });
      inputs.push({ host, userAgent: "OpenAI/Python 1.40.0" });
      inputs.push({ host, appName: "ChatGPT" });
      inputs.push({ host, user: "alice@corp.example", department: "Sales" });
      inputs.push({ host, user: "alice@corp.example" });
      inputs.push({ host, clientId: "not-a-known-client" });
    }
    inputs.push({ path: "/v1/chat/completions" }, { appName: "Otter.ai" }, { userAgent: "curl/8.0" }, {});
    let kept = 0;
    for (let round = 0; round < 2; round++) {
      for (const o of inputs) {
        const want = keeps(matcher, o);
        expect(keeper.keeps(o), JSON.stringify(o)).toBe(want);
        if (round === 0 && want) kept++;
      }
    }
    // the inputs exercise both answers, and each reason to keep
    expect(kept).toBeGreaterThan(inputs.length / 4);
    expect(kept).toBeLessThan(inputs.length);
    expect(keeps(matcher, { host: "www.google.com", path: "/v1/chat/completions" })).toBe(true); // an AI API path
    expect(keeps(matcher, { host: "api.stripe.com", path: "/v1/chat/completions" })).toBe(false); // allow-listed host
    expect(keeps(matcher, { host: "www.google.com", path: "/search" })).toBe(false);
    expect(keeps(matcher, { host: "www.google.com", user: "bob", jobTitle: "Analyst" })).toBe(true); // the person's unit
  });
});
