/**
 * `seats [--vendor V] [--days N] [--stale-days N] [--json]`: the vendor rosters (OpenAI, Anthropic,
 * ChatGPT member exports) against what the other sources observed: seats never used in N days,
 * people using the vendor with no seat, keys and service accounts whose owner has left the
 * directory, keys unused for more than 90 days, managed agents with unsupervised tools
 * (src/store/rosters.ts, reconcileSeats).
 */
import type { Command } from "commander";
import { ROSTER_VENDORS, type RosterVendor } from "../core/roster.js";
import { reconcileSeats, vendorServiceIds } from "../store/rosters.js";
import { catalogue, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { safeText, table } from "./terminal.js";

/** Add `seats` to the program. */
export function registerSeats(program: Command): void {
  program
    .command("seats")
    .description("vendor seats and keys against observed use: unused seats, use without a seat, keys of departed owners, stale keys")
    .option("--vendor <vendor>", `one vendor: ${ROSTER_VENDORS.join(", ")}`)
    .option("--days <n>", "window of observed use, in days (1-3650)", "30")
    .option("--stale-days <n>", "a key unused for longer is stale (1-3650)", "90")
    .option("--json", "print JSON")
    .action((opts: { vendor?: string; days: string; staleDays: string; json?: boolean }, cmd: Command) => {
      const days = Number.parseInt(opts.days, 10);
      if (!/^\d+$/.test(opts.days) || days < 1 || days > 3650) throw new CliError(`--days: "${opts.days}" is not a number from 1 to 3650`, EXIT.USAGE);
      const stale = Number.parseInt(opts.staleDays, 10);
      if (!/^\d+$/.test(opts.staleDays) || stale < 1 || stale > 3650) throw new CliError(`--stale-days: "${opts.staleDays}" is not a number from 1 to 3650`, EXIT.USAGE);
      if (opts.vendor !== undefined && !(ROSTER_VENDORS as readonly string[]).includes(opts.vendor)) throw new CliError(`--vendor: "${opts.vendor}" is not one of ${ROSTER_VENDORS.join(", ")}`, EXIT.USAGE);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const serviceIds = vendorServiceIds(catalogue(g).services.values());
      const now = process.env.SHADOW_AI_NOW ? new Date(process.env.SHADOW_AI_NOW) : new Date();
      if (Number.isNaN(now.getTime())) throw new CliError(`SHADOW_AI_NOW: "${process.env.SHADOW_AI_NOW}" is not an ISO 8601 time`, EXIT.USAGE);
      const db = openDb(g, true);
      let report;
      try {
        report = reconcileSeats(db, { ...(opts.vendor ? { vendor: opts.vendor as RosterVendor } : {}), days, staleKeyDays: stale, now, serviceIds });
      } finally {
        db.close();
      }
      if (opts.json) {
        printJson(report);
        return;
      }
      for (const n of report.notes) process.stderr.write(`note: ${safeText(n)}\n`);
      if (report.findings.length === 0) {
        process.stdout.write(`nothing to report for the last ${days} day(s)\n`);
        return;
      }
      process.stdout.write(
        table(
          ["Finding", "Vendor", "Org", "Id", "Person", "Key", "Last used", "Why"],
          report.findings.map((f) => [f.kind, f.vendor, f.org ?? "-", f.id, f.user ?? "-", f.redacted ?? "-", f.lastUsed ?? "never", f.reason]),
          [24, 9, 14, 26, 28, 18, 24, 60],
        ) + `\n${report.findings.length} finding(s)\n`,
      );
    });
}
