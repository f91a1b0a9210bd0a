/**
 * `remediate plan` and `remediate apply`: acting on what the inventory found, with a person in the
 * loop. `plan` reads only the inventory and writes a plan file; `apply PLAN --yes` does exactly
 * what the plan lists, after checking that the plan was not altered and that the facts it acts on
 * did not change since it was made. See src/remediate/ and README ("Remediation").
 */
import { readFileSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { addSecretEnvVars } from "../io/redact.js";
import { applyPlan, ApplyCredentialError, WRITE_TOKEN_ENV, type ItemResult } from "../remediate/apply.js";
import { ACTIONS, buildPlan, planProblem, type Plan, type RemediationAction } from "../remediate/plan.js";
import { defaultDbPath } from "../store/db.js";
import { config, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { writeAtomically } from "./inventory.js";
import { safeText, table } from "./terminal.js";

addSecretEnvVars(Object.values(WRITE_TOKEN_ENV));

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((x) => x.trim()).filter(Boolean)];

/** The largest plan file read. */
const MAX_PLAN_BYTES = 16 * 1024 * 1024;

function endpoints(g: GlobalOptions): { googleRootUrl: string; graphBaseUrl: string } {
  const c = config(g);
  const google = (c.settings["google"] ?? {}) as { rootUrl?: string };
  const ms = (c.settings["microsoft"] ?? {}) as { graphBaseUrl?: string };
  return { googleRootUrl: google.rootUrl ?? "https://admin.googleapis.com/", graphBaseUrl: ms.graphBaseUrl ?? "https://graph.microsoft.com/v1.0" };
}

function printPlan(p: Plan): void {
  process.stdout.write(
    table(
      ["#", "Record", "Action", "Request", "Who / scopes", "Undo"],
      p.items.map((i) => [
        i.n, i.system, i.action, `${i.method} ${i.path}`,
        [i.target.user ?? (i.target.consentType === "AllPrincipals" ? "all users" : undefined), (i.target.scopes ?? []).join(" ")].filter(Boolean).join(": "),
        i.reversible ? "reversible" : "NOT reversible",
      ]),
      [3, 28, 15, 50, 36, 14],
    ) + "\n",
  );
  const caveats = [...new Set(p.items.flatMap((i) => i.caveats))];
  if (caveats.length) process.stdout.write(`Caveats:\n${caveats.map((c) => `  - ${c}`).join("\n")}\n`);
  if (p.nothingFor.length) process.stdout.write(safeText(`Nothing to do for: ${p.nothingFor.join(", ")}`) + "\n");
}

/** Add `remediate plan` and `remediate apply` to the program. */
export function registerRemediate(program: Command): void {
  const cmd = program.command("remediate").description("plan and apply changes to the tenant (revoke grants, disable apps), with a person in the loop");

  cmd
    .command("plan")
    .description("write a plan of the changes remediation would make; reads only the inventory, sends nothing")
    .requiredOption("--system <id>", "record id (repeat, or comma-separated)", collect)
    .option("--action <action>", `${ACTIONS.join(", ")} (repeat; default: all, reversible first)`, collect)
    .option("--users <emails>", "only these users' grants (comma-separated)", collect)
    .requiredOption("--out <file>", "plan file to write (JSON)")
    .option("--json", "print the plan as JSON too")
    .action((opts: { system: string[]; action?: string[]; users?: string[]; out: string; json?: boolean }, c: Command) => {
      const g = c.optsWithGlobals<GlobalOptions>();
      const actions = (opts.action ?? [...ACTIONS]) as RemediationAction[];
      for (const a of actions) if (!(ACTIONS as readonly string[]).includes(a)) throw new CliError(`--action: "${a}" is not one of ${ACTIONS.join(", ")}`, EXIT.USAGE);
      const db = openDb(g);
      let plan: Plan;
      try {
        plan = buildPlan(db, { systems: opts.system, actions, users: (opts.users ?? []).map((u) => u.toLowerCase()) }, { createdBy: userInfo().username, database: resolve(g.db ?? defaultDbPath()) });
      } finally {
        db.close();
      }
      writeAtomically(opts.out, `${JSON.stringify(plan, null, 2)}\n`, 0o600);
      if (opts.json) printJson(plan);
      else {
        printPlan(plan);
        process.stdout.write(`${plan.items.length} change(s) planned in ${safeText(resolve(opts.out))} (plan ${plan.hash.slice(0, 16)}); apply with: shadow-ai remediate apply ${safeText(opts.out)} --yes\n`);
      }
      if (plan.items.length === 0) process.exitCode = EXIT.NOT_FOUND;
    });

  cmd
    .command("apply")
    .description("do exactly what a plan lists (needs --yes); refuses a plan that was altered or whose facts changed")
    .argument("<plan>", "plan file written by `remediate plan`")
    .option("--yes", "really change the tenant")
    .option("--as <person>", "who runs it (journaled; default: the OS user)")
    .option("--json", "print the results as JSON")
    .action(async (file: string, opts: { yes?: boolean; as?: string; json?: boolean }, c: Command) => {
      const g = c.optsWithGlobals<GlobalOptions>();
      let st;
      try {
        st = statSync(file);
      } catch {
        throw new CliError(`${file}: no such plan file`, EXIT.USAGE);
      }
      if (!st.isFile() || st.size > MAX_PLAN_BYTES) throw new CliError(`${file}: not a plan file (a regular file up to ${MAX_PLAN_BYTES} bytes)`, EXIT.USAGE);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, "utf8"));
      } catch (e) {
        throw new CliError(`${file}: not JSON: ${(e as Error).message.slice(0, 120)}`, EXIT.USAGE);
      }
      const problem = planProblem(doc);
      if (problem) throw new CliError(`${file}: refused: ${problem}`, EXIT.PLAN_REFUSED);
      const plan = doc as Plan;
      const db = openDb(g);
      try {
        const now = buildPlan(db, plan.request, { createdBy: plan.createdBy, database: plan.database, now: plan.createdAt });
        if (now.state !== plan.state || now.hash !== plan.hash) {
          throw new CliError(`${file}: refused: the inventory facts this plan acts on changed since it was made (${plan.createdAt}); make a new plan`, EXIT.PLAN_REFUSED);
        }
        if (!opts.yes) {
          if (!opts.json) printPlan(plan);
          throw new CliError(`not applied: ${plan.items.length} change(s) listed above; nothing was sent. Run again with --yes to apply them`, EXIT.USAGE);
        }
        const by = opts.as?.trim() || userInfo().username;
        let results: ItemResult[];
        try {
          results = await applyPlan(db, plan, endpoints(g), {
            by,
            onItem: (r) => {
              if (!opts.json) process.stderr.write(safeText(`${r.ok ? "ok  " : "FAIL"} ${r.n}. ${r.system} ${r.action} ${r.method} ${r.path}: ${r.result}`) + "\n");
            },
          });
        } catch (e) {
          if (e instanceof ApplyCredentialError) throw new CliError(e.message, EXIT.AUTH);
          throw e;
        }
        const failed = results.filter((r) => !r.ok).length;
        if (opts.json) printJson({ plan: plan.hash, results });
        else process.stdout.write(`${results.length - failed} of ${results.length} change(s) applied (plan ${plan.hash.slice(0, 16)}); journaled under each record (review SYSTEM --history)\n`);
        if (failed > 0) process.exitCode = EXIT.INPUT_ERRORS;
      } finally {
        db.close();
      }
    });
}
