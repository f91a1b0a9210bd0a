/**
 * `inventory [--json]`: the AI systems the stored evidence shows, with users, evidence and class.
 */
import type { Command } from "commander";
import { inventoryJson } from "../../reports/json.js";
import { buildRecords } from "../classify/records.js";
import type { AISystemRecord } from "../core/finding.js";
import { readGovernance } from "../store/governance.js";
import { readSystemFacts } from "../store/inventory.js";
import { catalogue, openDb, type GlobalOptions } from "./context.js";
import { table } from "./terminal.js";

/** Load every record from the database of `g`. */
export function loadInventory(g: GlobalOptions, serviceIds?: string[]): AISystemRecord[] {
  const { services } = catalogue(g);
  const db = openDb(g);
  try {
    return buildRecords(readSystemFacts(db, serviceIds), services, readGovernance(db));
  } finally {
    db.close();
  }
}

/** `dns:3 tls:2` */
export function evidenceText(e: Record<string, number>): string {
  return Object.entries(e)
    .map(([k, n]) => `${k}:${n}`)
    .join(" ");
}

/** `alice@x, bob@x +3` */
export function usersText(r: AISystemRecord, show = 2): string {
  const ids = r.users.map((u) => u.id);
  return ids.slice(0, show).join(", ") + (ids.length > show ? ` +${ids.length - show}` : "");
}

const TIER_LABEL: Record<string, string> = {
  prohibited: "PROHIBITED",
  high_risk: "high-risk",
  transparency: "transparency",
  gpai: "GPAI",
  minimal: "minimal",
  unclassified: "unclassified",
};

const DISPOSITION_LABEL: Record<string, string> = { determined: "-", requires_review: "REVIEW", blocked: "BLOCKED" };

export function registerInventory(program: Command): void {
  program
    .command("inventory")
    .description("print the AI systems found, with users, evidence and EU AI Act class")
    .option("--json", "print an array of AI system records (fields in README.md)")
    .action((opts: { json?: boolean }, cmd: Command) => {
      const records = loadInventory(cmd.optsWithGlobals<GlobalOptions>());
      if (opts.json) {
        process.stdout.write(inventoryJson(records));
        return;
      }
      if (records.length === 0) {
        process.stdout.write("No AI services found yet. Scan some evidence first: shadow-ai scan pcap FILE...\n");
        return;
      }
      process.stdout.write(
        table(
          ["AI system", "Org unit", "EU AI Act", "Review", "Role", "Users / clients", "#", "Evidence", "Risk", "Status"],
          records.map((r) => [
            r.name, r.orgUnit ?? "-", TIER_LABEL[r.classification.tier] ?? r.classification.tier,
            DISPOSITION_LABEL[r.classification.disposition], r.classification.role.value, usersText(r), r.users.length,
            evidenceText(r.evidence), r.risk.score, r.status,
          ]),
          [26, 16, 12, 8, 8, 30, 3, 30, 4, 10],
        ) + "\n",
      );
      const users = new Set(records.flatMap((r) => r.users.map((u) => u.id)));
      const services = new Set(records.map((r) => r.serviceId));
      const review = records.filter((r) => r.classification.disposition !== "determined").length;
      process.stdout.write(
        `${services.size} AI service(s) in ${records.length} record(s) (service x org unit), ${users.size} distinct user(s) or client(s); ` +
          `${review} need(s) review. Details: shadow-ai inventory --json\n`,
      );
    });
}
