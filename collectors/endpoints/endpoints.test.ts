/**
 * End to end over fixture home directories in each client's real layout (collectors/endpoints/
 * __fixtures__/hosts: a macOS, a Linux and a Windows host): `collect-endpoint` per home, `scan
 * endpoints` over the bundles and over the host tree, the records, the flags, `--fail-on`, and a
 * grep of every output for the fake secrets planted in the fixtures (all contain "FAKESECRET").
 * Runs the built CLI (dist/), as src/cli/cli.test.ts does.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AISystemRecord } from "../../src/core/finding.js";

const root = resolve(import.meta.dirname, "../..");
// SHADOW_AI_TEST_BIN: a CLI built elsewhere (a private --outDir), when dist/ is being rebuilt by others
const bin = process.env["SHADOW_AI_TEST_BIN"] ?? join(root, "dist/src/cli/main.js");
const PLANTED = "FAKESECRET";

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root, maxBuffer: 64 << 20, env: { ...process.env, SHADOW_AI_ENDPOINT_KEY: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "shadow-ai-endpoints-"));
const hosts = join(dir, "hosts");
const homes = [
  ["mac-01", join(hosts, "mac-01/Users/alice")],
  ["linux-02", join(hosts, "linux-02/home/bob")],
  ["win-03", join(hosts, "win-03/Users/carol")],
] as const;
const outputs: string[] = [];
let records: AISystemRecord[] = [];
const byId = (id: string) => records.find((r) => r.id === id);

beforeAll(() => {
  cpSync(join(import.meta.dirname, "__fixtures__/hosts"), hosts, { recursive: true });
  // what endpoints hold besides good files: Carol's Gemini settings link to themselves (a loop), her Cursor file dangles
  mkdirSync(join(hosts, "win-03/Users/carol/.gemini"), { recursive: true });
  symlinkSync("settings.json", join(hosts, "win-03/Users/carol/.gemini/settings.json"));
  mkdirSync(join(hosts, "win-03/Users/carol/.cursor"), { recursive: true });
  symlinkSync("/nonexistent/mcp.json", join(hosts, "win-03/Users/carol/.cursor/mcp.json"));

  for (const [host, home] of homes) {
    const out = join(dir, `${host}.json`);
    const r = cli(["collect-endpoint", "--home", home, "--host", host, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    outputs.push(out, r.stdout, r.stderr);
  }
  const db = join(dir, "inv.db");
  const scan = cli(["--db", db, "scan", "endpoints", ...homes.map(([h]) => join(dir, `${h}.json`)), "--json"]);
  outputs.push(scan.stdout, scan.stderr);
  // what the endpoints could not read (Bob's malformed file, Carol's links) are warnings of a complete scan
  expect(scan.code, scan.stderr).toBe(0);
  const warnings = (JSON.parse(scan.stdout) as { warnings: { input: string; code: string }[] }).warnings;
  expect(warnings.filter((w) => w.code === "endpoint-file-unread").map((w) => w.input.split(":")[0]).sort()).toEqual(["linux-02", "linux-02", "win-03", "win-03"]);
  const inv = cli(["--db", db, "inventory", "--json"]);
  expect(inv.code, inv.stderr).toBe(0);
  records = JSON.parse(inv.stdout) as AISystemRecord[];
  outputs.push(inv.stdout, inv.stderr);
}, 300_000);

describe("collect-endpoint", () => {
  it("finds every server of every client with its host, user and client", () => {
    const b = homes.map(([h]) => JSON.parse(readFileSync(join(dir, `${h}.json`), "utf8")) as { user: string; host: { name: string; os: string }; servers: { client: string; name: string; scope: string; transport: string; flags: string[] }[]; problems: { path: string; reason: string }[] });
    const names = (i: number) => b[i]!.servers.map((s) => `${s.client}/${s.scope}/${s.name}`).sort();
    expect(b.map((x) => [x.user, x.host.name, x.host.os])).toEqual([["alice", "mac-01", "darwin"], ["bob", "linux-02", "linux"], ["carol", "win-03", "win32"]]);
    expect(names(0)).toEqual([
      "claude-code/local/postgres", "claude-code/local/sentry", "claude-code/project/notion", "claude-code/user/playwright",
      "claude-desktop/user/filesystem", "claude-desktop/user/github", "codex/user/context7", "codex/user/docs", "cursor/user/github", "cursor/user/internal",
    ]);
    expect(names(1)).toEqual([
      "claude-desktop/user/github", "cursor/project/broken", "gemini-cli/user/git", "gemini-cli/user/github", "vscode/project/playwright", "windsurf/user/commander", "windsurf/user/zapier",
    ]);
    expect(names(2)).toEqual(["claude-desktop/user/filesystem", "claude-desktop/user/github", "vscode/user/github"]);
    // Bob has Ollama; his malformed Cursor file is reported with its line, and what parsed before the error is kept
    expect(JSON.parse(readFileSync(join(dir, "linux-02.json"), "utf8")).agents.map((a: { client: string }) => a.client)).toContain("ollama");
    expect(b[1]!.problems.some((p) => p.path.endsWith("proj/.cursor/mcp.json") && /malformed JSON at line 1 column \d+/.test(p.reason))).toBe(true);
    // Carol's link loop and dangling link are reported with their paths, and the rest was read
    expect(b[2]!.problems.find((p) => p.path.endsWith(".gemini/settings.json"))?.reason).toBe("symbolic link loop");
    expect(b[2]!.problems.find((p) => p.path.endsWith(".cursor/mcp.json"))?.reason).toBe("dangling symbolic link");
  });

  it("sets remote vs stdio, unpinned, plain-HTTP, broad-access and plaintext-secret flags per server", () => {
    const alice = JSON.parse(readFileSync(join(dir, "mac-01.json"), "utf8")) as { servers: { client: string; name: string; transport: string; flags: string[]; env: { literal: boolean; secret: boolean }[]; headers: { literal: boolean; reference?: string }[] }[] };
    const s = (client: string, name: string) => alice.servers.find((x) => x.client === client && x.name === name)!;
    expect(s("claude-desktop", "filesystem").flags).toEqual(["broad-access", "unpinned"]);
    expect(s("claude-desktop", "github").flags).toEqual(["plaintext-secret", "unpinned"]);
    expect(s("claude-code", "playwright")).toMatchObject({ transport: "stdio", flags: [] });
    expect(s("claude-code", "sentry")).toMatchObject({ transport: "http", flags: [] });
    expect(s("claude-code", "postgres").flags).toEqual(["plaintext-secret"]);
    expect(s("claude-code", "notion")).toMatchObject({ transport: "http", flags: [], headers: [{ literal: false, reference: "NOTION_TOKEN" }] });
    expect(s("cursor", "github")).toMatchObject({ transport: "http", flags: ["plaintext-secret"] });
    expect(s("cursor", "internal").flags).toEqual(["plain-http"]);
    expect(s("codex", "context7").flags).toEqual(["plaintext-secret", "unpinned"]);
    expect(s("codex", "docs")).toMatchObject({ transport: "http", flags: [], headers: [{ literal: false, reference: "DOCS_TOKEN" }] });
    const bob = JSON.parse(readFileSync(join(dir, "linux-02.json"), "utf8")) as typeof alice;
    const b = (client: string, name: string) => bob.servers.find((x) => x.client === client && x.name === name)!;
    expect(b("gemini-cli", "git").flags).toEqual([]);
    expect(b("gemini-cli", "github")).toMatchObject({ transport: "http", flags: [] });
    expect(b("windsurf", "commander").flags).toEqual(["broad-access", "unpinned"]);
    expect(b("windsurf", "zapier")).toMatchObject({ transport: "http", flags: ["plaintext-secret"] });
    expect(b("vscode", "playwright").flags).toEqual(["unpinned"]);
  });
});

describe("scan endpoints", () => {
  it("groups one server across hosts into one record with the hosts, users and clients", () => {
    const gh = byId("mcp:npm:@modelcontextprotocol/server-github")!;
    expect(gh.kind).toBe("mcp_server");
    expect(gh.mcpServer!.hosts).toEqual(["linux-02", "mac-01", "win-03"]);
    expect(gh.users.map((u) => u.id)).toEqual(["alice@mac-01", "bob@linux-02", "carol@win-03"]);
    expect(gh.mcpServer!.flags).toEqual(["plaintext-secret", "unpinned"]);
    // Carol's entry references a variable: that install has no plaintext-secret flag
    expect(gh.mcpServer!.installs.find((i) => i.host === "win-03")!.flags).toEqual(["unpinned"]);
    const remote = byId("mcp:url:api.githubcopilot.com/mcp")!;
    expect(remote.mcpServer!.transport).toBe("http");
    expect(remote.mcpServer!.installs.map((i) => `${i.host}/${i.client}`).sort()).toEqual(["linux-02/gemini-cli", "mac-01/cursor", "win-03/vscode"]);
    expect(byId("mcp:url:mcp.tools.example.com/mcp")!.mcpServer!.flags).toEqual(["plain-http"]);
    expect(byId("mcp:npm:@modelcontextprotocol/server-filesystem")!.mcpServer!.hosts).toEqual(["mac-01", "win-03"]);
    expect(byId("mcp:pypi:mcp-server-git")!.mcpServer!.package).toEqual({ ecosystem: "pypi", name: "mcp-server-git", version: "2025.1.14", pinned: true });
  });

  it("matches servers against the catalogue by remote host and by package, and scores each flag", () => {
    expect(byId("mcp:url:api.githubcopilot.com/mcp")!.mcpServer!.signature?.matched).toMatch(/^domain:/);
    const fs = byId("mcp:npm:@modelcontextprotocol/server-filesystem")!;
    expect(fs.mcpServer!.signature).toEqual({ id: "mcp-reference-filesystem", matched: "package:npm:@modelcontextprotocol/server-filesystem" });
    const f = (r: AISystemRecord, name: string) => r.risk.factors.find((x) => x.factor === name)!.points;
    expect(f(fs, "shell or whole-filesystem access")).toBe(10);
    expect(f(fs, "unpinned package")).toBe(10);
    expect(f(fs, "plaintext secret")).toBe(0);
  });

  it("stores local AI clients as agent records per client, with their hosts", () => {
    const codex = byId("agent:endpoint:codex")!;
    expect(codex.kind).toBe("agent");
    expect(codex.users.map((u) => u.id)).toEqual(["alice@mac-01"]);
    expect(byId("agent:endpoint:ollama")!.users.map((u) => u.id)).toEqual(["bob@linux-02"]);
    expect(byId("agent:endpoint:claude-desktop")!.agent!.details["hosts"]).toEqual(["linux-02", "mac-01", "win-03"]);
  });

  it("reads a host tree directly and trips each --fail-on code", { timeout: 300_000 }, () => {
    const db = join(dir, "tree.db");
    const r = cli(["--db", db, "scan", "endpoints", hosts, "--json", "--fail-on", "mcp-unpinned,mcp-plain-http,mcp-broad-access,mcp-plaintext-secret"]);
    outputs.push(r.stdout, r.stderr);
    expect(r.code, r.stderr).toBe(16);
    const summary = JSON.parse(r.stdout) as { alerts: { condition: string; code: number }[]; errors: { input: string; message: string }[] };
    expect(summary.alerts.map((a) => [a.condition, a.code])).toEqual([["mcp-plaintext-secret", 16], ["mcp-broad-access", 19], ["mcp-plain-http", 17], ["mcp-unpinned", 18]]);
    expect(summary.errors.some((e) => e.input.endsWith(".gemini/settings.json") && e.message === "symbolic link loop")).toBe(true);
    const inv = JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as AISystemRecord[];
    expect(inv.find((x) => x.id === "mcp:npm:@modelcontextprotocol/server-github")!.mcpServer!.hosts).toEqual(["linux-02", "mac-01", "win-03"]);
    expect(cli(["--db", db, "scan", "endpoints", hosts, "--fail-on", "mcp-plain-http"]).code).toBe(17);
  });

  it("writes no planted secret to the bundles, the database, its WAL, stdout, stderr or any export", { timeout: 300_000 }, () => {
    const db = join(dir, "inv.db");
    for (const format of ["json", "csv", "csv-users", "cyclonedx", "html"]) {
      const out = join(dir, `export.${format}`);
      const r = cli(["--db", db, "inventory", "--format", format, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(out, r.stdout, r.stderr);
    }
    const files = [...outputs.filter((o) => o.startsWith(dir) && existsSync(o)), db, `${db}-wal`, join(dir, "tree.db"), `${join(dir, "tree.db")}-wal`].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(readFileSync(f).includes(PLANTED), f).toBe(false);
    for (const o of outputs.filter((o) => !o.startsWith(dir))) expect(o.includes(PLANTED)).toBe(false);
    // the fixtures do hold them: the check above would have found them
    expect(readFileSync(join(hosts, "mac-01/Users/alice/.cursor/mcp.json"), "utf8")).toContain(PLANTED);
  });
});
