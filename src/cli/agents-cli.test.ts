/**
 * End to end through the built CLI: `scan microsoft --fail-on agent-without-owner` against the local
 * HTTPS Graph test server (trusted through NODE_EXTRA_CA_CERTS) exits 13 until a person names an
 * owner for every agent with `review`, then 0; `inventory --json` shows the agents once, with their
 * kind, owners and sponsors; `review --history` shows the journal.
 */
import { bin, cliSpawn, root } from "./__fixtures__/run-cli.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startGraphServer } from "../../collectors/microsoft-entra/__fixtures__/server.js";
import { agentTenant } from "../../collectors/microsoft-entra/__fixtures__/agents-tenant.js";
import { makeTestCert } from "../../collectors/google-workspace/__fixtures__/tls.js";
import { EXIT } from "./exit-codes.js";

const cert = makeTestCert();
afterAll(() => cert.dispose());
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJncmFwaCJ9.cli-agents-token";

const cliAsync = cliSpawn;

describe("shadow-ai scan microsoft --fail-on agent-without-owner (built CLI)", () => {
  it("exits 13 until every agent has an owner set with review, then 0", async () => {
    const server = await startGraphServer({ data: agentTenant(), accessToken: TOKEN, pageSize: 5 }, cert);
    try {
      const dir = mkdtempSync(join(tmpdir(), "shadow-ai-agents-cli-"));
      const cfg = join(dir, "shadow-ai.yaml");
      writeFileSync(cfg, `microsoft:\n  graphBaseUrl: ${server.graphBaseUrl}\n  signIns: false\n  directoryAudits: false\n  agent365: false\n`);
      const db = join(dir, "inv.db");
      const env = { NODE_EXTRA_CA_CERTS: cert.certFile, SHADOW_AI_GRAPH_ACCESS_TOKEN: TOKEN };
      const scan = () => cliAsync(["--db", db, "--config", cfg, "scan", "microsoft", "--json", "--fail-on", "agent-without-owner"], env);

      const first = await scan();
      expect(first.code).toBe(EXIT.FAIL_AGENT_WITHOUT_OWNER);
      const alert = JSON.parse(first.stdout).alerts[0] as { condition: string; code: number; records: string[] };
      expect(alert).toMatchObject({ condition: "agent-without-owner", code: 13 });
      expect(first.stderr).toMatch(/--fail-on agent-without-owner \(exit 13\): AI agents without an owner or sponsor/);
      expect(alert.records).toHaveLength(2);

      const inv = spawnSync(process.execPath, [bin, "--db", db, "inventory", "--json"], { encoding: "utf8" });
      const agents = (JSON.parse(inv.stdout) as { kind?: string; id: string; name: string; agent?: { owners?: unknown[]; sponsors?: unknown[] } }[]).filter((r) => r.kind === "agent");
      expect(agents.map((a) => a.name).sort()).toEqual(["Legacy Triage Agent", "Onboarding Agent", "Quote Agent", "Retired Agent", "Sales Copilot Agent"]);
      expect(agents.find((a) => a.name === "Quote Agent")!.agent!.sponsors).toHaveLength(1);

      // one owner set: still 13 for the other; both set: 0
      const [a, b] = alert.records as [string, string];
      const r1 = spawnSync(process.execPath, [bin, "--db", db, "review", a, "--owner", "Erin Example", "--escalation-owner", "it-oncall@example.com", "--why", "agent review", "--as", "erin"], { encoding: "utf8" });
      expect(r1.status).toBe(0);
      expect((await scan()).code).toBe(EXIT.FAIL_AGENT_WITHOUT_OWNER);
      expect(spawnSync(process.execPath, [bin, "--db", db, "review", b, "--owner", "Erin Example", "--as", "erin"], { encoding: "utf8" }).status).toBe(0);
      const last = await scan();
      expect(last.stderr).not.toMatch(/--fail-on/);
      expect(last.code).toBe(0);

      const hist = spawnSync(process.execPath, [bin, "--db", db, "review", "--history", a, "--json"], { encoding: "utf8" });
      expect((JSON.parse(hist.stdout) as { history: { field: string; new: string; by: string }[] }).history.map((e) => [e.field, e.new, e.by])).toEqual([
        ["owner", "Erin Example", "erin"],
        ["escalation_owner", "it-oncall@example.com", "erin"],
      ]);
      // the token never reaches the output
      expect(first.stdout + first.stderr + inv.stdout).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  }, 120_000);
});
