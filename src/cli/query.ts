/**
 * `query user EMAIL|IP` and `query app NAME_OR_ID`: answers for analysts.
 */
import type { Command } from "commander";
import type { AIService } from "../core/service.js";
import { servicesUsedBy } from "../store/queries.js";
import { catalogue, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { evidenceText, loadInventory } from "./inventory.js";
import { table } from "./terminal.js";

/** Services whose id or name equals `q` (case-insensitive), else whose id or name contains it. */
export function findServices(services: Iterable<AIService>, q: string): AIService[] {
  const needle = q.trim().toLowerCase();
  const all = [...services];
  const exact = all.filter((s) => s.id === needle || s.name.toLowerCase() === needle);
  if (exact.length > 0) return exact;
  return all.filter((s) => s.id.includes(needle) || s.name.toLowerCase().includes(needle));
}

export function registerQuery(program: Command): void {
  const query = program.command("query").description("answer questions from the inventory");

  query
    .command("user")
    .description("which AI services a person (e-mail/UPN) or client address used")
    .argument("<who>", "e-mail, UPN or IP address")
    .option("--since <date>", "only evidence at or after this ISO 8601 date")
    .option("--json", "print JSON")
    .action((who: string, opts: { json?: boolean; since?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const since = opts.since ? parseSince(opts.since) : undefined;
      const { services } = catalogue(g);
      const db = openDb(g);
      let uses;
      try {
        uses = servicesUsedBy(db, who, since);
      } finally {
        db.close();
      }
      const rows = uses.map((u) => {
        const s = services.get(u.serviceId);
        return { ...u, name: s?.name ?? u.serviceId, vendor: s?.vendor ?? "unknown", tier: s?.euAiAct.tier ?? "unclassified" };
      });
      if (opts.json) printJson({ user: who.trim().toLowerCase(), services: rows });
      else if (rows.length === 0) process.stdout.write(`No AI use found for ${who}.\n`);
      else {
        process.stdout.write(
          table(
            ["AI service", "Vendor", "EU AI Act", "Evidence", "First seen", "Last seen", "Scopes"],
            rows.map((r) => [r.name, r.vendor, r.tier, evidenceText(r.kinds), r.firstSeen, r.lastSeen, r.scopes.join(" ")]),
            [28, 18, 12, 30, 24, 24, 60],
          ) + "\n",
        );
      }
      if (rows.length === 0) process.exitCode = EXIT.NOT_FOUND;
    });

  query
    .command("app")
    .description("who uses an AI service, by catalogue id or name (substring)")
    .argument("<app>", "service id or name, e.g. otter-ai or Otter")
    .option("--json", "print JSON")
    .action((app: string, opts: { json?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const matches = findServices(catalogue(g).services.values(), app);
      if (matches.length === 0) throw new CliError(`no service in the catalogue matches "${app}" (see: shadow-ai signatures list)`, EXIT.NOT_FOUND);
      const records = loadInventory(g, matches.map((s) => s.id));
      if (opts.json) printJson({ query: app, services: matches.map((s) => s.id), records });
      else if (records.length === 0) {
        process.stdout.write(`No evidence of ${matches.map((s) => s.name).join(", ")} in the inventory.\n`);
      } else {
        for (const r of records) {
          process.stdout.write(`${r.name} (${r.vendor}): ${r.classification.tier}, ${r.users.length} user(s) or client(s)\n`);
          process.stdout.write(
            table(
              ["User / client", "Kind", "Department", "#", "First seen", "Last seen"],
              r.users.map((u) => [u.id, u.kind, u.department ?? "", u.observations, u.firstSeen, u.lastSeen]),
              [40, 10, 20, 6, 24, 24],
            ) + "\n",
          );
        }
      }
      if (records.length === 0) process.exitCode = EXIT.NOT_FOUND;
    });
}

function parseSince(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`--since: "${s}" is not an ISO 8601 date`, EXIT.USAGE);
  return new Date(t).toISOString();
}
