/**
 * `review SYSTEM ...`: set the governance of one AI system record (owner, sanction status, purpose,
 * attested use, exposure, human oversight, impact assessment, class override), journaled; and
 * `review --history SYSTEM`: show the journal.
 */
import type { Command } from "commander";
import { userInfo } from "node:os";
import { SANCTION_STATUSES, type SanctionStatus } from "../core/finding.js";
import { AI_ACT_TIERS, type AiActTier } from "../core/service.js";
import { buildRecords, decidedFactsOf } from "../classify/records.js";
import { governanceHistory, readGovernance, recordDecision, updateGovernance, type GovernanceChange } from "../store/governance.js";
import { readSystemFacts } from "../store/inventory.js";
import { catalogue, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { loadInventory } from "./inventory.js";
import { table, type Column } from "./terminal.js";

/** `review --history`: when (UTC, to the second), who, which field, old and new value, and why; long values wrap. */
const JOURNAL_COLUMNS: Column[] = [
  { header: "When (UTC)", keep: true },
  { header: "Who", min: 6, max: 20, priority: 2 },
  { header: "Field", keep: true },
  { header: "Old", min: 8, max: 30, wrap: true, priority: 3 },
  { header: "New", min: 8, max: 30, wrap: true, priority: 1 },
  { header: "Why", min: 12, max: 60, wrap: true, priority: 2 },
];

interface ReviewOptions {
  history?: boolean;
  owner?: string;
  status?: string;
  purpose?: string;
  use?: string;
  exposure?: string;
  oversight?: string;
  fria?: string;
  class?: string;
  clearClass?: boolean;
  escalationOwner?: string;
  unsupervised?: string;
  needsHuman?: string;
  rollback?: string;
  why?: string;
  as?: string;
  json?: boolean;
}

const EXPOSURES = ["internal", "external_users", "public"];
/** Longest free-text value accepted (owner, purpose, oversight, why). */
const MAX_TEXT = 2000;

function textOpt(name: string, v: string | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  if (v.length > MAX_TEXT) throw new CliError(`--${name}: longer than ${MAX_TEXT} characters`, EXIT.USAGE);
  return v.trim() === "" ? null : v.trim();
}

/** Turn the options into a change, validating every value. */
export function changeFromOptions(o: ReviewOptions): GovernanceChange {
  const c: GovernanceChange = {};
  const owner = textOpt("owner", o.owner);
  if (owner !== undefined) c.owner = owner;
  if (o.status !== undefined) {
    if (!(SANCTION_STATUSES as readonly string[]).includes(o.status)) {
      throw new CliError(`--status: "${o.status}" is not one of ${SANCTION_STATUSES.join(", ")}`, EXIT.USAGE);
    }
    c.status = o.status as SanctionStatus;
  }
  const purpose = textOpt("purpose", o.purpose);
  if (purpose !== undefined) c.purpose = purpose;
  if (o.use !== undefined) {
    const tags = o.use.split(",").map((t) => t.trim()).filter(Boolean);
    for (const t of tags) if (!/^[a-z][a-z0-9_]{1,40}$/.test(t)) throw new CliError(`--use: "${t}" is not a purpose tag (lower_snake_case)`, EXIT.USAGE);
    c.purposeTags = tags;
  }
  if (o.exposure !== undefined) {
    if (!EXPOSURES.includes(o.exposure)) throw new CliError(`--exposure: "${o.exposure}" is not one of ${EXPOSURES.join(", ")}`, EXIT.USAGE);
    c.exposure = o.exposure;
  }
  const oversight = textOpt("oversight", o.oversight);
  if (oversight !== undefined) c.oversight = oversight;
  const fria = textOpt("fria", o.fria);
  if (fria !== undefined) c.fria = fria;
  // AI agents: who it escalates to, what it may decide alone, what needs a human, how it is rolled back
  const escalationOwner = textOpt("escalation-owner", o.escalationOwner);
  if (escalationOwner !== undefined) c.escalationOwner = escalationOwner;
  const unsupervised = textOpt("unsupervised", o.unsupervised);
  if (unsupervised !== undefined) c.unsupervisedDecisions = unsupervised;
  const needsHuman = textOpt("needs-human", o.needsHuman);
  if (needsHuman !== undefined) c.humanDecisions = needsHuman;
  const rollback = textOpt("rollback", o.rollback);
  if (rollback !== undefined) c.rollback = rollback;
  const why = textOpt("why", o.why) ?? undefined;
  if (o.class !== undefined && o.clearClass) throw new CliError("--class and --clear-class exclude each other", EXIT.USAGE);
  if (o.class !== undefined) {
    if (!(AI_ACT_TIERS as readonly string[]).includes(o.class)) throw new CliError(`--class: "${o.class}" is not one of ${AI_ACT_TIERS.join(", ")}`, EXIT.USAGE);
    if (!why) throw new CliError("--class needs --why: a class override must carry its justification", EXIT.USAGE);
    c.classOverride = { tier: o.class as AiActTier, why };
  }
  if (o.clearClass) c.classOverride = null;
  return c;
}

/** Add `review SYSTEM ...` and `review --history SYSTEM` to the program. */
export function registerReview(program: Command): void {
  program
    .command("review")
    .description("set the governance of an AI system record (journaled), or show its history")
    .argument("<system>", "record id, as `inventory` shows it (e.g. openai-chatgpt@hr)")
    .option("--history", "show the journal of changes instead of changing anything")
    .option("--owner <name>", "accountable owner (empty string clears)")
    .option("--status <status>", `sanction status: ${SANCTION_STATUSES.join(", ")}`)
    .option("--purpose <text>", "business purpose")
    .option("--use <tags>", "attested purpose tags, comma-separated (recruitment, customer_chat, creditworthiness, ...)")
    .option("--exposure <who>", `who is exposed to the output: ${EXPOSURES.join(", ")}`)
    .option("--oversight <text>", "human-oversight arrangements (Art. 26(2))")
    .option("--fria <ref>", "reference of the fundamental-rights impact assessment (Art. 27)")
    .option("--class <tier>", `override the class: ${AI_ACT_TIERS.join(", ")} (needs --why)`)
    .option("--clear-class", "remove a class override")
    .option("--escalation-owner <name>", "AI agents: who the agent escalates to")
    .option("--unsupervised <text>", "AI agents: the decisions it may take unsupervised")
    .option("--needs-human <text>", "AI agents: the decisions that need a human")
    .option("--rollback <text>", "AI agents: how its actions are rolled back")
    .option("--why <text>", "why this change (journaled)")
    .option("--as <person>", "who makes the change (default: the OS user)")
    .option("--json", "print JSON")
    .action((system: string, opts: ReviewOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.history) {
        const db = openDb(g);
        let entries;
        try {
          entries = governanceHistory(db, system);
        } finally {
          db.close();
        }
        if (opts.json) printJson({ system, history: entries });
        else if (entries.length === 0) process.stdout.write(`No governance changes recorded for ${system}.\n`);
        else process.stdout.write(table(JOURNAL_COLUMNS, entries.map((e) => [e.at.slice(0, 19).replace("T", " "), e.by, e.field, e.old ?? "-", e.new ?? "-", e.why ?? ""])) + "\n");
        return;
      }
      const change = changeFromOptions(opts);
      if (Object.keys(change).length === 0) throw new CliError("nothing to change: give --owner, --status, --purpose, --use, --exposure, --oversight, --fria, --class, or for an agent --escalation-owner, --unsupervised, --needs-human, --rollback", EXIT.USAGE);
      const records = loadInventory(g);
      if (!records.some((r) => r.id === system)) {
        const near = records.filter((r) => r.id.startsWith(system.split("@")[0]!)).map((r) => r.id);
        throw new CliError(`no AI system record "${system}"${near.length ? `; records of that service: ${near.join(", ")}` : " (see: shadow-ai inventory)"}`, EXIT.NOT_FOUND);
      }
      const by = textOpt("as", opts.as) ?? userInfo().username;
      const why = textOpt("why", opts.why) ?? null;
      const db = openDb(g);
      let entries;
      try {
        entries = updateGovernance(db, system, change, by, why);
        // a deciding status (blocked, sanctioned, ...) is about the record as it is after this review:
        // remember its users, scopes and class, so that alerts stay quiet until they change
        const serviceId = records.find((r) => r.id === system)!.serviceId;
        const after = buildRecords(readSystemFacts(db, [serviceId]), catalogue(g).services, readGovernance(db)).find((r) => r.id === system);
        if (after) {
          const ack = recordDecision(db, system, decidedFactsOf(after), by, why, change.status !== undefined && entries.length === 0);
          if (ack) entries.push(ack);
        }
      } finally {
        db.close();
      }
      if (opts.json) printJson({ system, changes: entries });
      else if (entries.length === 0) process.stdout.write(`${system}: nothing changed (the values are already set).\n`);
      else process.stdout.write(table([{ header: "Field", keep: true }, { header: "Old", min: 10, max: 60, wrap: true }, { header: "New", min: 10, max: 60, wrap: true }], entries.map((e) => [e.field, e.old ?? "-", e.new ?? "-"])) + "\n");
    });
}
