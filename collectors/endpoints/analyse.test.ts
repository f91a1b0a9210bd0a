/**
 * The parts of the endpoint collector in process: launcher command lines → package and pinning,
 * broad access, secret handling (references, arguments, URLs), and a `~/.claude.json` of tens of
 * megabytes whose project-scoped server comes after the bulk of the file.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasBroadAccess, packageOf } from "./analyse.js";
import { collectHome } from "./discover.js";
import { bundleKey, redactArgs, redactUrl, referenceIn, secretRef } from "./secrets.js";

const key = bundleKey({});

describe("packageOf", () => {
  it("reads npm, PyPI and Docker launchers with their pinning", () => {
    expect(packageOf("npx", ["-y", "@modelcontextprotocol/server-github"])).toEqual({ ecosystem: "npm", name: "@modelcontextprotocol/server-github", pinned: false });
    expect(packageOf("npx", ["@playwright/mcp@latest"])).toEqual({ ecosystem: "npm", name: "@playwright/mcp", version: "latest", pinned: false });
    expect(packageOf("C:\\Program Files\\nodejs\\npx.cmd", ["--yes", "@playwright/mcp@0.0.41", "--headless"])).toEqual({ ecosystem: "npm", name: "@playwright/mcp", version: "0.0.41", pinned: true });
    expect(packageOf("npx", ["-y", "-p", "mcp-remote@0.1.2", "mcp-remote", "https://x.example/mcp"])).toMatchObject({ name: "mcp-remote", pinned: true });
    expect(packageOf("npx", ["-y", "@upstash/context7-mcp@^1.0.0"])).toMatchObject({ version: "^1.0.0", pinned: false });
    expect(packageOf("uvx", ["mcp-server-git==2025.1.14"])).toEqual({ ecosystem: "pypi", name: "mcp-server-git", version: "2025.1.14", pinned: true });
    expect(packageOf("uvx", ["--from", "mcp_server_fetch", "mcp-server-fetch"])).toEqual({ ecosystem: "pypi", name: "mcp-server-fetch", pinned: false });
    expect(packageOf("docker", ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"])).toEqual({ ecosystem: "docker", name: "ghcr.io/github/github-mcp-server", pinned: false });
    expect(packageOf("docker", ["run", "mcp/git@sha256:abc"])).toMatchObject({ ecosystem: "docker", name: "mcp/git", pinned: true });
    expect(packageOf("node", ["/Users/a/server.js"])).toBeUndefined();
  });

  it("tells shell and whole-filesystem access from narrow access", () => {
    const fs = packageOf("npx", ["-y", "@modelcontextprotocol/server-filesystem", "/"]);
    expect(hasBroadAccess("npx", ["-y", "@modelcontextprotocol/server-filesystem", "/"], fs)).toBe(true);
    expect(hasBroadAccess("npx", ["-y", "@modelcontextprotocol/server-filesystem", "/Users/alice/projects/app"], fs)).toBe(false);
    expect(hasBroadAccess("npx", ["-y", "@modelcontextprotocol/server-filesystem", "C:\\"], fs)).toBe(true);
    expect(hasBroadAccess("bash", ["-c", "my-server"], undefined)).toBe(true);
    const img = packageOf("docker", ["run", "-v", "/:/host", "mcp/filesystem:1.0"]);
    expect(hasBroadAccess("docker", ["run", "-v", "/:/host", "mcp/filesystem:1.0"], img)).toBe(true);
    expect(hasBroadAccess("docker", ["run", "-v", "/srv/data:/data", "mcp/filesystem:1.0"], img)).toBe(false);
  });
});

describe("secrets", () => {
  it("keeps references apart from literals and never returns a value", () => {
    expect(referenceIn("${env:GITHUB_TOKEN}")).toBe("GITHUB_TOKEN");
    expect(referenceIn("Bearer ${NOTION_TOKEN}")).toBe("NOTION_TOKEN");
    expect(referenceIn("$GITHUB_PAT")).toBe("GITHUB_PAT");
    expect(referenceIn("%OPENAI_API_KEY%")).toBe("OPENAI_API_KEY");
    expect(referenceIn("sk-proj-abcdefghijklmnopqrstuvwx")).toBeUndefined();
    const lit = secretRef(key, "OPENAI_API_KEY", "sk-proj-FAKEabcdefghijklmnop");
    expect(lit).toMatchObject({ name: "OPENAI_API_KEY", literal: true, secret: true });
    expect(lit.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(lit)).not.toContain("FAKE");
    expect(secretRef(key, "LOG_LEVEL", "debug")).toMatchObject({ literal: true, secret: false });
    expect(secretRef(key, "TOKEN", "${TOKEN}")).toEqual({ name: "TOKEN", literal: false, secret: false, hash: expect.stringMatching(/^[0-9a-f]{32}$/), reference: "TOKEN" });
  });

  it("hashes credentials in arguments and URLs and keeps the rest", () => {
    const r = redactArgs(key, ["--api-key", "FAKEkey123", "--token=FAKEtok456", "-e", "API_TOKEN=FAKEenv789", "--port", "8080", "postgresql://u:FAKEpw@db/x"]);
    expect(r.secret).toBe(true);
    expect(r.args.join(" ")).not.toContain("FAKE");
    expect(r.args).toContain("--port");
    expect(r.args).toContain("8080");
    const u = redactUrl(key, "https://mcp.example.com/sse?api_key=FAKEq1&region=eu");
    expect(u).toEqual({ url: expect.stringContaining("region=eu"), secret: true });
    expect(u.url).not.toContain("FAKE");
    expect(redactUrl(key, "https://mcp.notion.com/mcp")).toEqual({ url: "https://mcp.notion.com/mcp", secret: false });
  });

  it("uses SHADOW_AI_ENDPOINT_KEY when set, so hashes compare across bundles, and refuses a short one", () => {
    const a = bundleKey({ SHADOW_AI_ENDPOINT_KEY: "0123456789abcdef-org-key" });
    const b = bundleKey({ SHADOW_AI_ENDPOINT_KEY: "0123456789abcdef-org-key" });
    expect(a.source).toBe("env");
    expect(secretRef(a, "T", "same").hash).toBe(secretRef(b, "T", "same").hash);
    expect(secretRef(bundleKey({}), "T", "same").hash).not.toBe(secretRef(bundleKey({}), "T", "same").hash);
    expect(() => bundleKey({ SHADOW_AI_ENDPOINT_KEY: "short" })).toThrow(/at least 16/);
  });
});

describe("a large ~/.claude.json", () => {
  it("is read whole (30 MB here), with the project-scoped server after the bulk", () => {
    const home = mkdtempSync(join(tmpdir(), "shadow-ai-big-"));
    mkdirSync(join(home, "code", "app"), { recursive: true });
    const history = Array.from({ length: 2000 }, (_, i) => ({ display: `prompt ${i} ${"x".repeat(700)}`, pastedContents: {} }));
    const projects: Record<string, unknown> = {};
    for (let p = 0; p < 20; p++) projects[`/Users/dev/old/p${p}`] = { history, mcpServers: {} };
    projects["/Users/dev/code/app"] = { mcpServers: { late: { type: "http", url: "https://mcp.late.example.com/mcp" } } };
    const text = JSON.stringify({ numStartups: 1, projects });
    expect(text.length).toBeGreaterThan(28_000_000);
    writeFileSync(join(home, ".claude.json"), text);
    const b = collectHome({ home, host: "h", user: "dev", os: "darwin", key, collectedAt: "2026-12-07T00:00:00.000Z" });
    expect(b.problems).toEqual([]);
    expect(b.servers.map((s) => [s.scope, s.name, s.project, s.url])).toEqual([["local", "late", "/Users/dev/code/app", "https://mcp.late.example.com/mcp"]]);
  });
});

describe("identityOf", () => {
  it("groups a server by package or URL, and a plain command by its script relative to the home", async () => {
    const { identityOf } = await import("./analyse.js");
    expect(identityOf("stdio", undefined, "npx", ["-y", "@playwright/mcp@latest"], packageOf("npx", ["-y", "@playwright/mcp@latest"]))).toBe("npm:@playwright/mcp");
    expect(identityOf("http", "https://api.githubcopilot.com/mcp/", undefined, [], undefined)).toBe("url:api.githubcopilot.com/mcp");
    expect(identityOf("http", "https://actions.zapier.com/mcp/secret-0123456789abcdef0123456789abcdef/sse", undefined, [], undefined)).toBe("url:actions.zapier.com/mcp/*/sse");
    const a = identityOf("stdio", undefined, "node", ["/Users/alice/dev/tools/mcp/index.js"], undefined);
    expect(a).toBe("cmd:node ~/dev/tools/mcp/index.js");
    expect(identityOf("stdio", undefined, "node", ["/home/bob/dev/tools/mcp/index.js"], undefined)).toBe(a);
    expect(identityOf("stdio", undefined, "node", ["C:\\Users\\carol\\dev\\tools\\mcp\\index.js"], undefined)).toBe(a);
    expect(identityOf("stdio", undefined, "node", ["/home/bob/other/index.js"], undefined)).not.toBe(a);
  });
});
