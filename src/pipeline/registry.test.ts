/**
 * The source registry end to end: a small extra source, registered at run time without editing
 * any other file, shows up in `sources --json`, in `scan --help`, in the configuration schema and in
 * `extract`'s routing, and is scanned end to end (CLI → pipeline → store → inventory), from the
 * command line and from `sources:` in shadow-ai.yaml.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerSource, sources, unregisterSource } from "../../collectors/registry.js";
import type { Observation } from "../core/observation.js";
import type { Source } from "../core/source.js";
import { cliInProcess } from "../cli/__fixtures__/run-cli.js";
import { configJsonSchema } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "shadow-ai-registry-"));

/** A proxy export of a made-up appliance: `#demo-proxy v1` then `time,user,host` lines. */
const demo: Source = {
  id: "demo-proxy",
  displayName: "Demo proxy export",
  description: "scan a demo appliance's CSV export (#demo-proxy v1)",
  docsUrl: "https://example.com/demo-proxy/export-format",
  kind: "file",
  observationSources: ["demo-proxy"],
  configKey: "demoProxy",
  settings: { key: "demoProxy", schema: z.object({ site: z.string().max(64).optional() }).strict(), description: "the demo appliance's site name" },
  credentials: [{ env: "DEMO_PROXY_TOKEN", secret: true, description: "never read; shows that credentials are listed" }],
  perFile: false,
  accept: (n) => n.endsWith(".demo"),
  sniff: (head) => head.text.startsWith("#demo-proxy v1"),
  async *collect(files, ctx) {
    const site = (ctx.settings as { site?: string } | undefined)?.site;
    for (const file of files) {
      const lines = readFileSync(file, "utf8").split("\n");
      for (const [i, line] of lines.entries()) {
        if (i === 0 || line.trim() === "") continue;
        const [time, user, host] = line.split(",");
        if (!time || !user || !host || Number.isNaN(Date.parse(time))) {
          ctx.onError({ input: file, line: i + 1, message: "expected time,user,host", partial: true });
          continue;
        }
        const o: Observation = { source: "demo-proxy", kind: "http", time: new Date(time).toISOString(), user, host, ref: { file, line: i + 1 }, ...(site ? { appName: undefined } : {}) };
        yield o;
      }
    }
  },
};

/** Run the CLI in this process; returns exit code, stdout and stderr. */
const cli = cliInProcess;

describe("source registry", () => {
  const export1 = join(dir, "day1.demo");
  beforeAll(() => {
    registerSource(demo);
    writeFileSync(export1, "#demo-proxy v1\n2026-12-01T09:00:00Z,alice@example.com,chatgpt.com\n2026-12-01T09:05:00Z,bob@example.com,www.example.org\nnot a line\n");
  });
  afterAll(() => unregisterSource(demo.id));

  it("refuses a second source with the same id, config key or a non-kebab id", () => {
    expect(() => registerSource(demo)).toThrow(/already registered/);
    expect(() => registerSource({ ...demo, id: "demo-two" })).toThrow(/sources\.demoProxy/);
    expect(() => registerSource({ ...demo, id: "Demo_Two", configKey: "x" })).toThrow(/kebab-case/);
  });

  it("lists it in `sources --json` with its config key, settings and credential names (never values)", async () => {
    process.env["DEMO_PROXY_TOKEN"] = "demo-secret-value-123";
    try {
      const r = await cli(["sources", "--json"]);
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout) as { id: string; configKey: string | null; settingsKey: string | null; credentials: { env: string; set: boolean }[] }[];
      expect(rows.map((x) => x.id)).toEqual(sources().map((s) => s.id));
      const row = rows.find((x) => x.id === "demo-proxy")!;
      expect(row).toMatchObject({ configKey: "demoProxy", settingsKey: "demoProxy", credentials: [{ env: "DEMO_PROXY_TOKEN", set: true }] });
      expect(r.stdout).not.toContain("demo-secret-value-123");
    } finally {
      delete process.env["DEMO_PROXY_TOKEN"];
    }
  });

  it("adds `scan demo-proxy` to `scan --help`", async () => {
    const r = await cli(["scan", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo-proxy \[options\] <files\.\.\.>\s+scan a demo appliance's CSV export/);
  });

  it("adds its input key and settings section to the configuration schema", () => {
    const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties["sources"]!.properties!)).toContain("demoProxy");
    expect(schema.properties["demoProxy"]).toBeDefined();
  });

  it("scans its input end to end from the command line: stored, matched, in the inventory", async () => {
    const db = join(dir, "cli.db");
    const r = await cli(["--db", db, "scan", "demo-proxy", export1, "--json"]);
    expect(r.code, r.stderr).toBe(3); // the malformed line is an input error, the others are stored
    const summary = JSON.parse(r.stdout) as { status: string; read: number; matched: number; inserted: number; errors: { line?: number }[] };
    expect(summary).toMatchObject({ read: 2, matched: 1, inserted: 1, status: "partial" });
    expect(summary.errors.map((e) => e.line)).toEqual([4]);
    const inv = await cli(["--db", db, "inventory", "--json"]);
    const records = JSON.parse(inv.stdout) as { serviceId: string; users: { id: string }[]; sources: string[] }[];
    const chatgpt = records.find((x) => x.serviceId === "openai-chatgpt");
    expect(chatgpt?.users.map((u) => u.id)).toEqual(["alice@example.com"]);
    expect(chatgpt?.sources).toEqual(["demo-proxy"]);
  });

  it("is read by a plain `scan` from sources.demoProxy in shadow-ai.yaml, with its settings section", async () => {
    const db = join(dir, "config.db");
    const cfg = join(dir, "shadow-ai.yaml");
    writeFileSync(cfg, `sources:\n  demoProxy: [.]\ndemoProxy:\n  site: hq\n`);
    const r = await cli(["--db", db, "--config", cfg, "scan", "--json"]);
    const summary = JSON.parse(r.stdout) as { sources: { source: string; inputs: number; matched: number }[] };
    expect(summary.sources).toEqual([{ source: "demo-proxy", inputs: 1, read: 2, matched: 1 }]);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, `demoProxy:\n  site: [1]\n`);
    const b = await cli(["--db", db, "--config", bad, "scan"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("demoProxy.site");
  });

  it("is chosen by `extract` for a file its sniff recognises, whatever the file's name", async () => {
    const renamed = join(dir, "export.txt");
    writeFileSync(renamed, readFileSync(export1));
    const r = await cli(["extract", renamed]);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { host: string; source: string });
    expect(lines.map((l) => [l.source, l.host])).toEqual([["demo-proxy", "chatgpt.com"], ["demo-proxy", "www.example.org"]]);
  });
});
