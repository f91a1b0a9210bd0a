/**
 * End to end: `shadow-ai scan google` through the built CLI against the local HTTPS Admin SDK test
 * server (collectors/google-workspace/__fixtures__), trusted through NODE_EXTRA_CA_CERTS as a real
 * deployment behind a TLS-inspecting proxy would be.
 */
import { bin, cliSpawn, root } from "./__fixtures__/run-cli.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeTokens, fakeUsers, startGoogleServer } from "../../collectors/google-workspace/__fixtures__/server.js";
import { makeTestCert } from "../../collectors/google-workspace/__fixtures__/tls.js";

const cert = makeTestCert();
afterAll(() => cert.dispose());

const cliAsync = cliSpawn;

describe("scan google (live, read-only, against a local Admin SDK server)", () => {
  it("stores every AI grant once, ends 0, and a rerun stores nothing new", async () => {
    const users = fakeUsers(60);
    const server = await startGoogleServer({ users, tokens: fakeTokens, accessToken: "test-token", usersPageSize: 25 }, cert); // faults and retries: collectors/google-workspace/live.test.ts
    try {
      const dir = mkdtempSync(join(tmpdir(), "shadow-ai-live-"));
      const cfg = join(dir, "shadow-ai.yaml");
      writeFileSync(cfg, `google:\n  rootUrl: ${server.rootUrl}\n  maxCallsPerMinute: 0\n`);
      const env = { NODE_EXTRA_CA_CERTS: cert.certFile, SHADOW_AI_GOOGLE_ACCESS_TOKEN: "test-token" };
      const db = join(dir, "inv.db");
      const first = await cliAsync(["--db", db, "--config", cfg, "scan", "google", "--json"], env);
      expect(first.stderr).toBe(`shadow-ai: configuration: ${cfg}\n`);
      expect(first.code).toBe(0);
      const s1 = JSON.parse(first.stdout);
      expect(s1.status).toBe("complete");
      expect(s1.inserted).toBeGreaterThan(0);
      const again = await cliAsync(["--db", db, "--config", cfg, "scan", "google", "--json"], env);
      expect(JSON.parse(again.stdout).inserted).toBe(0);
      const inv = spawnSync(process.execPath, [bin, "--db", db, "inventory", "--json"], { encoding: "utf8" });
      const records = JSON.parse(inv.stdout) as { users: { kind: string }[]; sources: string[] }[];
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.sources.includes("google-workspace"))).toBe(true);
      // the token never reaches the database or the output
      expect(first.stdout + again.stdout + inv.stdout).not.toContain("test-token");
    } finally {
      await server.close();
    }
  });

  it("exits 8 with a clear message when no credentials are set", () => {
    const env = { ...process.env };
    delete env.SHADOW_AI_GOOGLE_ACCESS_TOKEN;
    delete env.GOOGLE_APPLICATION_CREDENTIALS;
    const dir = mkdtempSync(join(tmpdir(), "shadow-ai-live-"));
    const r = spawnSync(process.execPath, [bin, "--db", join(dir, "x.db"), "scan", "google"], { encoding: "utf8", env, cwd: dir });
    expect(r.status).toBe(8);
    expect(r.stderr).toContain("SHADOW_AI_GOOGLE_ACCESS_TOKEN");
  });
});
