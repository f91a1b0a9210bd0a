/**
 * `query user EMAIL|IP`, `query app NAME_OR_ID`, `query department NAME`: answers for analysts,
 * each filterable by `--since`, `--class` and `--status`.
 */
import type { Command } from "commander";
import { classify } from "../classify/engine.js";
import { SANCTION_STATUSES, type AISystemRecord } from "../core/finding.js";
import { AI_ACT_TIERS, type AIService } from "../core/service.js";
import { emptyGovernance, readGovernance } from "../store/governance.js";
import { recordId } from "../store/inventory.js";
import { servicesUsedBy } from "../store/queries.js";
import { catalogue, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { evidenceText, loadInventory, usersText } from "./inventory.js";
import { safeText, table, wrapText, type Column } from "./terminal.js";
import { bySeverityThenName, tierLabel, tierRank } from "../core/tier-label.js";
import { rosterLine } from "./roster-text.js";

interface Filters {
  since?: string;
  class?: string;
  status?: string;
  json?: boolean;
}

/** Services whose id or name equals `q` (case-insensitive), else whose id or name contains it. */
export function findServices(services: Iterable<AIService>, q: string): AIService[] {
  const needle = q.trim().toLowerCase();
  const all = [...services];
  const exact = all.filter((s) => s.id === needle || s.name.toLowerCase() === needle);
  if (exact.length > 0) return exact;
  return all.filter((s) => s.id.includes(needle) || s.name.toLowerCase().includes(needle));
}

function parseSince(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`--since: "${s}" is not an ISO 8601 date`, EXIT.USAGE);
  return new Date(t).toISOString();
}

function checkFilters(f: Filters): void {
  if (f.class !== undefined && !(AI_ACT_TIERS as readonly string[]).includes(f.class)) {
    throw new CliError(`--class: "${f.class}" is not one of ${AI_ACT_TIERS.join(", ")}`, EXIT.USAGE);
  }
  if (f.status !== undefined && !(SANCTION_STATUSES as readonly string[]).includes(f.status)) {
    throw new CliError(`--status: "${f.status}" is not one of ${SANCTION_STATUSES.join(", ")}`, EXIT.USAGE);
  }
}

/** Keep the records that pass `--since` (last seen at or after), `--class` and `--status`. */
export function filterRecords(records: AISystemRecord[], f: Filters): AISystemRecord[] {
  const since = parseSince(f.since);
  return records.filter(
    (r) => (!since || r.lastSeen >= since) && (!f.class || r.classification.tier === f.class) && (!f.status || r.status === f.status),
  );
}

function filtersOn(cmd: Command): Command {
  return cmd
    .option("--since <date>", "only evidence at or after this ISO 8601 date")
    .option("--class <tier>", `only this EU AI Act class: ${AI_ACT_TIERS.join(", ")}`)
    .option("--status <status>", `only this sanction status: ${SANCTION_STATUSES.join(", ")}`)
    .option("--json", "print JSON");
}

/** `2026-11-22 05:04` from an ISO time (minutes are enough in a table; JSON keeps the full time). */
function minute(iso: string): string {
  return iso.length >= 16 ? iso.slice(0, 16).replace("T", " ") : iso;
}

function printRecords(records: AISystemRecord[]): void {
  const columns: Column[] = [
    { header: "Record", keep: true, wrap: true, min: 28, priority: -1 },
    { header: "Class", keep: true },
    { header: "Status", keep: true },
    { header: "Users", keep: true, right: true },
    { header: "Last seen", keep: true, optional: true, priority: 3 },
    { header: "AI system", min: 12, max: 26, priority: 4, optional: true },
    { header: "Users / clients", min: 16, max: 34, priority: 5, optional: true },
    { header: "Evidence", min: 12, max: 30, priority: 6, optional: true },
  ];
  process.stdout.write(
    table(
      columns,
      [...records].sort(bySeverityThenName).map((r) => [r.id, tierLabel(r.classification.tier), r.status, r.users.length, r.lastSeen.slice(0, 10), r.name, usersText(r), evidenceText(r.evidence)]),
    ) + "\n",
  );
}

/** Add `query user|app|department` to the program. */
export function registerQuery(program: Command): void {
  const query = program.command("query").description("answer questions from the inventory");

  filtersOn(
    query
      .command("user")
      .description("which AI services a person (e-mail/UPN) or client address used")
      .argument("<who>", "e-mail, UPN or IP address"),
  ).action((who: string, opts: Filters, cmd: Command) => {
    checkFilters(opts);
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const since = parseSince(opts.since);
    const { services } = catalogue(g);
    const db = openDb(g);
    let rows;
    try {
      // Answered from the (user, service) index; each service is classified for the user's unit only.
      const governance = readGovernance(db);
      rows = servicesUsedBy(db, who, since).map((u) => {
        const s = services.get(u.serviceId);
        const rid = recordId(u.serviceId, u.department);
        const gov = governance.get(rid) ?? emptyGovernance();
        const c = s
          ? classify(
              { service: s, orgUnit: u.department, jobTitles: [], userCount: 1, attested: { purposeTags: gov.purposeTags, ...(gov.exposure ? { exposure: gov.exposure } : {}) } },
              gov.classOverride ? { override: gov.classOverride } : {},
            )
          : undefined;
        return { ...u, record: rid, name: s?.name ?? u.serviceId, vendor: s?.vendor ?? "unknown", tier: c?.tier ?? "unclassified", status: gov.status };
      });
    } finally {
      db.close();
    }
    rows = rows.filter((r) => (!opts.class || r.tier === opts.class) && (!opts.status || r.status === opts.status));
    if (opts.json) printJson({ user: who.trim().toLowerCase(), services: rows });
    else if (rows.length === 0) process.stdout.write(`No AI use found for ${who}.\n`);
    else {
      const columns: Column[] = [
        { header: "Record", keep: true, wrap: true, min: 28, priority: -1 },
        { header: "Class", keep: true },
        { header: "Status", keep: true },
        { header: "Last seen", keep: true },
        { header: "First seen", keep: true, optional: true, priority: 3 },
        { header: "Evidence", min: 12, max: 26, priority: 4, optional: true },
        { header: "Scopes", min: 10, max: 50, priority: 5, optional: true, wrap: true },
      ];
      rows.sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || (a.record < b.record ? -1 : 1));
      process.stdout.write(
        table(
          columns,
          rows.map((r) => [r.record, tierLabel(r.tier), r.status, minute(r.lastSeen), minute(r.firstSeen), evidenceText(r.kinds), r.scopes.join(" ")]),
        ) + "\n",
      );
    }
    if (rows.length === 0) process.exitCode = EXIT.NOT_FOUND;
  });

  filtersOn(
    query
      .command("app")
      .description("who uses an AI service, by catalogue id or name (substring)")
      .argument("<app>", "service id or name, e.g. otter-ai or Otter"),
  ).action((app: string, opts: Filters, cmd: Command) => {
    checkFilters(opts);
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const matches = findServices(catalogue(g).services.values(), app);
    if (matches.length === 0) throw new CliError(`no service in the catalogue matches "${app}" (see: shadow-ai signatures list)`, EXIT.NOT_FOUND);
    const records = filterRecords(loadInventory(g, matches.map((s) => s.id)), opts);
    if (opts.json) printJson({ query: app, services: matches.map((s) => s.id), records });
    else if (records.length === 0) process.stdout.write(`No evidence of ${matches.map((s) => s.name).join(", ")} in the inventory.\n`);
    else {
      for (const r of [...records].sort(bySeverityThenName)) {
        process.stdout.write(wrapText(`${safeText(r.id)}: ${safeText(r.name)} (${safeText(r.vendor)}), ${safeText(r.orgUnit ?? "no org unit")}: ${tierLabel(r.classification.tier)}, ${r.status}, ${r.users.length} user(s) or client(s)`, 2) + "\n");
        const columns: Column[] = [
          { header: "User / client", min: 20, max: 48 },
          { header: "Observations", keep: true, right: true },
          { header: "Last seen", keep: true },
          { header: "First seen", keep: true, optional: true, priority: 3 },
          { header: "Kind", min: 4, max: 12, priority: 4, optional: true },
          { header: "Department", min: 6, max: 24, priority: 5, optional: true },
        ];
        process.stdout.write(
          table(columns, r.users.map((u) => [u.id, u.observations, minute(u.lastSeen), minute(u.firstSeen), u.kind, u.department ?? ""])) + "\n",
        );
        if (r.roster) process.stdout.write(wrapText(rosterLine(r.roster), 2) + "\n");
      }
    }
    if (records.length === 0) process.exitCode = EXIT.NOT_FOUND;
  });

  filtersOn(
    query
      .command("department")
      .description("the AI systems an organisational unit uses (department name, case-insensitive)")
      .argument("<name>", "department, as the identity source names it"),
  ).action((name: string, opts: Filters, cmd: Command) => {
    checkFilters(opts);
    const want = name.trim().toLowerCase();
    const records = filterRecords(loadInventory(cmd.optsWithGlobals<GlobalOptions>(), { orgUnit: name.trim() }), opts).filter(
      (r) => r.orgUnit?.toLowerCase() === want,
    );
    if (opts.json) printJson({ department: name, records });
    else if (records.length === 0) process.stdout.write(`No AI use found for department ${name}.\n`);
    else printRecords(records);
    if (records.length === 0) process.exitCode = EXIT.NOT_FOUND;
  });
}
