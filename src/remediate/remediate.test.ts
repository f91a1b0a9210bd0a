/**
 * Remediation end to end through the built CLI, against the local HTTPS Admin SDK and Graph test
 * servers (which record every write): scans never write whatever credentials are set; `plan` sends
 * nothing; `apply` without --yes sends nothing; with --yes it sends exactly the planned requests, a
 * failing item is retried and reported while the others are applied; every action is journaled
 * with the plan's hash; a rescan shows the result; an altered or stale plan is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeTokens, fakeUsers, startGoogleServer } from "../../collectors/google-workspace/__fixtures__/server.js";
import { makeTestCert } from "../../collectors/google-workspace/__fixtures__/tls.js";
import { startGraphServer } from "../../collectors/microsoft-entra/__fixtures__/server.js";
import { tenant } from "../../collectors/microsoft-entra/__fixtures__/tenant.js";
import type { Plan } from "./plan.js";
import { cliSpawn } from "../cli/__fixtures__/run-cli.js";

const cert = makeTestCert();
afterAll(() => cert.dispose());

const cli = cliSpawn;

describe("remediate plan / apply", () => {
  it("plans without writing, applies exactly the plan with --yes, journals it, and the next scan shows the grants gone", async () => {
    const failing = "/oauth2PermissionGrants/g-chatgpt-bob";
    const google = await startGoogleServer({ users: fakeUsers(9), tokens: fakeTokens, accessToken: "read-google", writeToken: "write-google" }, cert);
    const graph = await startGraphServer({ data: tenant(4), accessToken: "read-graph", writeToken: "write-graph", failWrite: (m, p) => (m === "DELETE" && p === failing ? 500 : undefined) }, cert);
    try {
      const dir = mkdtempSync(join(tmpdir(), "shadow-ai-remediate-"));
      const cfg = join(dir, "shadow-ai.yaml");
      writeFileSync(cfg, `google:\n  rootUrl: ${google.rootUrl}\n  maxCallsPerMinute: 0\nmicrosoft:\n  graphBaseUrl: ${graph.graphBaseUrl}\n  authorityHost: ${graph.authorityHost}\n  signIns: false\n  directoryAudits: false\n`);
      const db = join(dir, "inv.db");
      const env = {
        NODE_EXTRA_CA_CERTS: cert.certFile,
        SHADOW_AI_GOOGLE_ACCESS_TOKEN: "read-google",
        SHADOW_AI_GRAPH_ACCESS_TOKEN: "read-graph",
        // set during scans too: a scan must never use them
        SHADOW_AI_GOOGLE_WRITE_ACCESS_TOKEN: "write-google",
        SHADOW_AI_GRAPH_WRITE_ACCESS_TOKEN: "write-graph",
      };
      const run = (args: string[]) => cli(["--db", db, "--config", cfg, ...args], env);
      const s1 = await run(["scan", "--json"]);
      expect(s1.code, s1.stderr).toBe(0);
      expect(google.stats.writes).toEqual([]);
      expect(graph.stats.writes).toEqual([]);

      const records = JSON.parse((await run(["inventory", "--json"])).stdout) as { id: string; evidence: Record<string, number>; sources: string[] }[];
      const systems = records.filter((r) => (r.evidence["oauth_grant"] ?? 0) > 0).map((r) => r.id);
      expect(systems.length).toBeGreaterThan(2);
      const planFile = join(dir, "plan.json");
      const p = await run(["remediate", "plan", ...systems.flatMap((s) => ["--system", s]), "--out", planFile]);
      expect(p.code, p.stderr).toBe(0);
      expect(google.stats.writes).toEqual([]);
      expect(graph.stats.writes).toEqual([]);
      const plan = JSON.parse(readFileSync(planFile, "utf8")) as Plan;
      const actions = new Set(plan.items.map((i) => i.action));
      expect([...actions].sort()).toEqual(["disable-app", "remove-app-role", "revoke-grants"]);
      // reversible first
      const firstDestructive = plan.items.findIndex((i) => !i.reversible);
      expect(plan.items.slice(firstDestructive).every((i) => !i.reversible)).toBe(true);
      expect(plan.items.slice(0, firstDestructive).every((i) => i.action === "disable-app")).toBe(true);
      expect(plan.items.some((i) => i.caveats.some((c) => /stay valid/.test(c)))).toBe(true);
      expect(p.stdout).toContain("NOT reversible");

      const no = await run(["remediate", "apply", planFile]);
      expect(no.code).toBe(2);
      expect(no.stderr).toContain("--yes");
      expect(google.stats.writes).toEqual([]);
      expect(graph.stats.writes).toEqual([]);

      const yes = await run(["remediate", "apply", planFile, "--yes", "--as", "secops@example.com", "--json"]);
      expect(yes.code, yes.stderr).toBe(3); // one item failed after its retries; the others were applied
      const out = JSON.parse(yes.stdout) as { plan: string; results: { ok: boolean; path: string }[] };
      expect(out.plan).toBe(plan.hash);
      expect(out.results.filter((r) => !r.ok).map((r) => r.path)).toEqual([failing]);
      // exactly the planned requests, in order; the failing one retried
      const sent = [...graph.stats.writes.map((w) => `graph ${w.method} ${w.path}`), ...google.stats.writes.map((w) => `google ${w.method} ${w.path}`)];
      // the Google test server reports paths percent-decoded
      const planned = plan.items.map((i) => `${i.api} ${i.method} ${i.api === "google" ? "/" + decodeURIComponent(i.path) : i.path}`);
      const unique = [...new Set(sent)];
      expect(unique.sort()).toEqual([...new Set(planned)].sort());
      expect(sent.filter((s) => s.endsWith(failing)).length).toBeGreaterThan(1);
      expect(sent.length - sent.filter((s) => s.endsWith(failing)).length).toBe(planned.length - 1);
      const sp = tenant(4).servicePrincipals; // the fixture data the server changed is its own copy
      void sp;

      // journal: every action, with the plan's hash and who ran it
      const hist = JSON.parse((await run(["review", plan.items[0]!.system, "--history", "--json"])).stdout) as { history: { field: string; by: string; why: string; new: string }[] };
      const rem = hist.history.filter((h) => h.field === "remediation");
      expect(rem.length).toBe(plan.items.filter((i) => i.system === plan.items[0]!.system).length);
      expect(rem.every((h) => h.by === "secops@example.com" && h.why === `plan ${plan.hash}`)).toBe(true);

      // the next scan shows the result: Google tokens gone, Graph grants gone (but the failed one)
      const s2 = await run(["scan", "--json"]);
      expect(s2.code, s2.stderr).toBe(0);
      const again = join(dir, "plan2.json");
      const p2 = await run(["remediate", "plan", ...systems.flatMap((s) => ["--system", s]), "--action", "revoke-grants", "--out", again]);
      const left = (JSON.parse(readFileSync(again, "utf8")) as Plan).items.map((i) => i.path);
      expect(left, p2.stderr).toEqual([failing]);
      // the records keep their history
      const after = JSON.parse((await run(["inventory", "--json"])).stdout) as { id: string }[];
      expect(after.map((r) => r.id)).toEqual(expect.arrayContaining(systems));

      // an altered plan and a stale plan are refused, and send nothing
      const writes = google.stats.writes.length + graph.stats.writes.length;
      const altered = join(dir, "altered.json");
      const doc = JSON.parse(readFileSync(planFile, "utf8")) as Plan;
      doc.items[0]!.path = "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')";
      writeFileSync(altered, JSON.stringify(doc));
      const r1 = await run(["remediate", "apply", altered, "--yes"]);
      expect(r1.code).toBe(24);
      expect(r1.stderr).toContain("changed after it was made");
      const r2 = await run(["remediate", "apply", planFile, "--yes"]);
      expect(r2.code).toBe(24);
      expect(r2.stderr).toContain("changed since it was made");
      expect(google.stats.writes.length + graph.stats.writes.length).toBe(writes);
      // nothing of the tokens in the output or the database
      const dbText = readFileSync(db).toString("latin1");
      for (const t of ["write-google", "write-graph", "read-google", "read-graph"]) {
        expect(yes.stdout + yes.stderr + s2.stdout + s2.stderr).not.toContain(t);
        expect(dbText).not.toContain(t);
      }
    } finally {
      await google.close();
      await graph.close();
    }
  }, 300_000);
});
