/**
 * `signatures lint | test | match | list | show` end to end: the built CLI (dist/, made by
 * `npm run build`, which `npm test` runs first), with an organisation signature directory from
 * `--config`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A configuration whose `signatures.extraDirs` holds the given signature documents. */
function orgConfig(docs: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-org-"));
  mkdirSync(join(dir, "our-signatures"));
  for (const d of docs) writeFileSync(join(dir, "our-signatures", `${String(d.id)}.yaml`), stringify(d));
  writeFileSync(join(dir, "shadow-ai.yaml"), "signatures:\n  extraDirs: [our-signatures]\n");
  return join(dir, "shadow-ai.yaml");
}

const contoso = (over: Record<string, unknown> = {}) => ({
  id: "contoso-azure-openai",
  name: "Contoso Azure OpenAI",
  vendor: "Contoso (internal)",
  category: "llm_api",
  references: ["https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"],
  lastValidated: "2026-11-22",
  match: { domains: ["contoso.openai.azure.com", "llm-gateway.contoso.example"] },
  overrides: ["azure-openai"],
  euAiAct: { tier: "gpai", articles: ["Art. 4"], rationale: "Contoso's own Azure OpenAI resource, used for internal drafting." },
  examples: { match: [{ host: "contoso.openai.azure.com" }, { host: "llm-gateway.contoso.example" }], noMatch: [{ host: "fabrikam.openai.azure.com" }] },
  ...over,
});

describe("shadow-ai signatures", () => {
  it("lint passes on the bundled catalogue (warnings only) and --json lists problems with file and field", () => {
    const r = cli(["signatures", "lint", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: number; errors: number; warnings: number; problems: { severity: string; code: string; file: string; field: string }[] };
    expect(out.errors).toBe(0);
    expect(out.files).toBeGreaterThan(0);
    for (const p of out.problems) expect(p.file).toMatch(/^signatures\/.+\.ya?ml$/);
    // --strict turns warnings into failure
    if (out.warnings > 0) expect(cli(["signatures", "lint", "--strict"]).code).toBe(6);
  });

  it("test runs every example and exits 0", () => {
    const r = cli(["signatures", "test", "--json"]);
    expect(r.code, r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { examples: number; failed: number };
    expect(out.failed).toBe(0);
    expect(out.examples).toBeGreaterThan(100);
  });

  it("reads organisation signatures from --config: the more specific domain wins, and lint accepts a declared override", () => {
    const cfg = orgConfig([contoso()]);
    const m = cli(["--config", cfg, "signatures", "match", "contoso.openai.azure.com", "https://fabrikam.openai.azure.com/openai/deployments/x/chat/completions", "llm-gateway.contoso.example", "--json"]);
    expect(m.code, m.stderr).toBe(0);
    const rows = JSON.parse(m.stdout) as { value: string; match: { id: string; field: string; matched: string } | null }[];
    expect(rows.map((r) => r.match?.id)).toEqual(["contoso-azure-openai", "azure-openai", "contoso-azure-openai"]);
    expect(rows[0]!.match).toMatchObject({ field: "domain", matched: "contoso.openai.azure.com" });
    const lint = JSON.parse(cli(["--config", cfg, "signatures", "lint", "--json"]).stdout) as { problems: { file: string; code: string }[] };
    expect(lint.problems.filter((p) => p.file.includes("contoso"))).toEqual([]);
    expect(cli(["--config", cfg, "signatures", "test"]).code).toBe(0);
    expect(cli(["--config", cfg, "signatures", "show", "contoso-azure-openai"]).stdout).toContain("overrides:   azure-openai");
  });

  it("lint and test fail with exit 6 on a broken organisation file, naming file and field", () => {
    const cfg = orgConfig([contoso({ overrides: [], match: { domains: ["contoso.openai.azure.com", "openai.com"] } }), { id: "broken", name: 1 }]);
    const r = cli(["--config", cfg, "signatures", "lint", "--json"]);
    expect(r.code).toBe(6);
    const out = JSON.parse(r.stdout) as { problems: { severity: string; code: string; file: string; field: string }[] };
    const org = out.problems.filter((p) => p.file.includes("our-signatures")).map((p) => `${p.severity} ${p.code} ${p.file.split("/").pop()} ${p.field}`);
    expect(org).toEqual(expect.arrayContaining([
      "error schema broken.yaml name",
      "error duplicate-domain contoso-azure-openai.yaml match.domains.1",
      "warning overlapping-domain contoso-azure-openai.yaml match.domains.0",
    ]));
    const t = cli(["--config", cfg, "signatures", "test"]);
    expect(t.code).toBe(6);
    expect(t.stdout).toContain("broken.yaml");
  });

  it("match takes many values and says, for each, the kind it was read as, what matched by which field, suspected with why, or nothing", () => {
    const r = cli(["signatures", "match", "--json", "api.openai.com", "Zoom", "Zoom AI Companion", "GPT Email Writer", "http://10.0.0.5:11434/api/generate", "OpenAI/Python 1.52.0", "www.example.com"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { value: string; as: string; match: { id: string; field: string } | null; suspected: { key: string; reason: string } | null }[];
    expect(rows.map((x) => x.value)).toEqual(["api.openai.com", "Zoom", "Zoom AI Companion", "GPT Email Writer", "http://10.0.0.5:11434/api/generate", "OpenAI/Python 1.52.0", "www.example.com"]);
    expect(rows.map((x) => x.as)).toEqual(["host", "app-name", "app-name", "app-name", "host", "user-agent", "host"]);
    expect(rows[0]!.match).toMatchObject({ id: "openai-api", field: "domain" });
    expect(rows[1]).toMatchObject({ match: null, suspected: null });
    expect(rows[2]!.match).toMatchObject({ id: "zoom-ai-companion", field: "appName" });
    expect(rows[3]!.suspected).toMatchObject({ key: "gpt email writer" });
    expect(rows[4]!.suspected).toMatchObject({ key: "10.0.0.5" });
    expect(rows[5]!.suspected?.reason).toContain("OpenAI SDK");
    expect(rows[6]).toMatchObject({ match: null, suspected: null });
    expect(cli(["signatures", "match", "www.example.com", "Zoom"]).code).toBe(5);
    expect(cli(["signatures", "match", "--as", "nonsense", "x"]).code).toBe(2);
  });

  it("match types each value by its shape: a host or URL by host rules only, a GUID as an Entra app ID, a Google client ID as a client ID", () => {
    const values = [
      "chatgpt.com.attacker.example", "chatgpt-com.example.org", "midjourney.com.evil.example", "https://chatgpt.com.attacker.example/c/1",
      "chatgpt.com", "fb8d773d-7ef8-4ec0-a117-179f88add510", "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
      "123456789012", "ChatGPT for Gmail",
    ];
    const r = cli(["signatures", "match", "--json", ...values]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { value: string; as: string; match: { id: string; field: string } | null; suspected: { key: string } | null }[];
    expect(rows.map((x) => [x.as, x.match?.id ?? null, x.match?.field ?? null])).toEqual([
      ["host", null, null], ["host", null, null], ["host", null, null], ["host", null, null],
      ["host", "openai-chatgpt", "domain"], ["app-id", "microsoft-365-copilot", "entraAppId"], ["client-id", "gemini-code-assist", "oauthClientId"],
      ["client-id", null, null], ["app-name", "openai-chatgpt", "appName"],
    ]);
    // a lookalike may be suspected, never attributed
    expect(rows[0]!.suspected).toMatchObject({ key: "chatgpt.com.attacker.example" });
    expect(rows[1]!.suspected).toMatchObject({ key: "chatgpt-com.example.org" });
    // --as overrides the shape; even read as an app name, a host-shaped lookalike is not the brand
    const as = (kind: string, ...v: string[]) => JSON.parse(cli(["signatures", "match", "--json", "--as", kind, ...v]).stdout) as typeof rows;
    expect(as("app-name", "chatgpt.com.attacker.example", "midjourney.com.evil.example", "ChatGPT")).toMatchObject([
      { as: "app-name", match: null }, { as: "app-name", match: null }, { as: "app-name", match: { id: "openai-chatgpt", field: "appName" } },
    ]);
    expect(as("host", "ChatGPT")).toMatchObject([{ as: "host", match: null }]);
    expect(as("user-agent", "Mozilla/5.0 ChatGPT/1.2025.105")).toMatchObject([{ as: "user-agent", match: { id: "openai-chatgpt", field: "userAgent" } }]);
    expect(as("client-id", "fb8d773d-7ef8-4ec0-a117-179f88add510")).toMatchObject([{ as: "client-id", match: null }]);
  }, 240_000);

  it("stats prints the catalogue's counts as JSON, and a human summary within 100 columns", () => {
    // the counting itself is tested on fixed signatures in src/match/stats.test.ts; the catalogue may
    // change between two runs here, so only one run's own consistency is checked
    const j = cli(["signatures", "stats", "--json"]);
    expect(j.code, j.stderr).toBe(0);
    const st = JSON.parse(j.stdout) as {
      totals: { services: number; domains: number; ids: number; clientIds: number; appIds: number };
      categories: { category: string; services: number; domains: number; ids: number }[];
      references: { min: number; median: number; max: number };
      vendorReferenced: number;
      oldestValidated: { date: string; ids: string[]; count: number };
    };
    expect(st.totals.services).toBeGreaterThan(300);
    expect(st.categories.reduce((a, c) => a + c.services, 0)).toBe(st.totals.services);
    expect(st.categories.reduce((a, c) => a + c.domains, 0)).toBe(st.totals.domains);
    expect(st.categories.reduce((a, c) => a + c.ids, 0)).toBe(st.totals.ids);
    expect(st.totals.ids).toBe(st.totals.clientIds + st.totals.appIds);
    expect(st.references.min).toBeGreaterThanOrEqual(1);
    expect(st.references.median).toBeLessThanOrEqual(st.references.max);
    expect(st.vendorReferenced).toBeLessThanOrEqual(st.totals.services);
    expect(st.oldestValidated.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const h = cli(["signatures", "stats"]);
    expect(h.code).toBe(0);
    for (const line of h.stdout.trimEnd().split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(h.stdout).toMatch(/oldest lastValidated: \d{4}-\d{2}-\d{2}, \d+ signature\(s\): /);
    expect(h.stdout).toMatch(/references per signature: min \d+, median \d+, max \d+/);
  }, 120_000);

  it("escapes control characters of values in the table", () => {
    const r = cli(["signatures", "match", "evil\u001b]8;;https://x\u0007gpt"]);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("\\x1b");
  });

  it("show prints one signature and exits 5 for an unknown id", () => {
    expect(cli(["signatures", "show", "openai-chatgpt"]).stdout).toContain("ChatGPT (openai-chatgpt)");
    expect(JSON.parse(cli(["signatures", "show", "openai-chatgpt", "--json"]).stdout).id).toBe("openai-chatgpt");
    expect(cli(["signatures", "show", "no-such-thing"]).code).toBe(5);
  });
});
