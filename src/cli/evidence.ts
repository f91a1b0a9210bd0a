/**
 * `evidence SYSTEM [--since DATE] [--limit N] [--json]`: the observations behind an inventory
 * record, newest first, with the reference to each raw record (file + frame + byte offset, file +
 * line, or API + record id), so that every line of the inventory can show its proof.
 */
import type { Command } from "commander";
import { evidenceFor, MAX_EVIDENCE, refText } from "../store/evidence.js";
import { openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { table } from "./terminal.js";

/** Add `evidence` to the program. */
export function registerEvidence(program: Command): void {
  program
    .command("evidence")
    .description("the observations behind an AI system record, with references to the raw evidence")
    .argument("<system>", "record id, as `inventory` shows it (e.g. openai-chatgpt@marketing)")
    .option("--since <date>", "only evidence at or after this ISO 8601 date or time")
    .option("--limit <n>", `most observations to show (1-${MAX_EVIDENCE})`, "50")
    .option("--json", "print JSON")
    .action((system: string, opts: { since?: string; limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number.parseInt(opts.limit, 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVIDENCE) throw new CliError(`--limit: "${opts.limit}" is not a number from 1 to ${MAX_EVIDENCE}`, EXIT.USAGE);
      let since: string | undefined;
      if (opts.since !== undefined) {
        const t = Date.parse(opts.since);
        if (Number.isNaN(t)) throw new CliError(`--since: "${opts.since}" is not an ISO 8601 date or time`, EXIT.USAGE);
        since = new Date(t).toISOString();
      }
      const db = openDb(cmd.optsWithGlobals<GlobalOptions>());
      let items;
      try {
        items = evidenceFor(db, system, { limit, ...(since ? { since } : {}) });
      } finally {
        db.close();
      }
      if (opts.json) {
        printJson({ system, evidence: items });
        if (items.length === 0) process.exitCode = EXIT.NOT_FOUND;
        return;
      }
      if (items.length === 0) throw new CliError(`no evidence for "${system}"${since ? ` since ${since}` : ""} (record ids: shadow-ai inventory)`, EXIT.NOT_FOUND);
      process.stdout.write(
        table(
          ["Time (first – last)", "Events", "Kind", "User / client", "Host / app", "Raw evidence (samples)"],
          items.map((e) => [
            e.count > 1 ? `${e.time} – ${e.lastTime.slice(11)}` : e.time, String(e.count), e.kind, e.user ?? e.client ?? "-",
            e.host ?? e.app ?? "-", e.refs.map(refText).join("; "),
          ]),
          [38, 7, 11, 24, 28, 60],
        ) + "\n",
      );
    });
}
