/**
 * `inventory [--json]`: the AI systems the stored evidence shows, with users, evidence and class.
 */
import type { Command } from "commander";
import { basename, dirname, join, resolve } from "node:path";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { inventoryJson } from "../../reports/json.js";
import { PseudonymKeyError, pseudonym, pseudonymize, pseudonymizationInfo, pseudonymKeyFromEnv } from "../../reports/pseudonymize.js";
import { packageRoot } from "../core/paths.js";
import { diffSnapshots, listScans, readSnapshot, snapshotScanId } from "../store/history.js";
import { CliError, EXIT } from "./exit-codes.js";
import { buildRecords } from "../classify/records.js";
import type { AISystemRecord } from "../core/finding.js";
import { governanceHistory, readGovernance } from "../store/governance.js";
import type { AuditTrail } from "../../reports/audit.js";
import { readSystemFacts, type FactsFilter } from "../store/inventory.js";
import { withRosters } from "../store/rosters.js";
import { rosterSummaryLines } from "./roster-text.js";
import { catalogue, openDb, type GlobalOptions } from "./context.js";
import { table, wrapText, type Column } from "./terminal.js";
import { bySeverityThenName, tierLabel } from "../core/tier-label.js";

/**
 * Load every record from the database of `g`. Records of OpenAI's and Anthropic's services carry
 * their vendor's roster section (`roster`: what `seats` finds, src/store/rosters.ts withRosters),
 * as of the end of the latest scan, or `$SHADOW_AI_NOW` when set (as `seats` takes it).
 * @throws CliError when `$SHADOW_AI_NOW` is set and is not an ISO 8601 time.
 */
export function loadInventory(g: GlobalOptions, filter: string[] | FactsFilter = {}): AISystemRecord[] {
  const { services } = catalogue(g);
  const envNow = process.env.SHADOW_AI_NOW;
  const now = envNow ? new Date(envNow) : undefined;
  if (now && Number.isNaN(now.getTime())) throw new CliError(`SHADOW_AI_NOW: "${envNow}" is not an ISO 8601 time`, EXIT.USAGE);
  const db = openDb(g);
  try {
    return withRosters(db, buildRecords(readSystemFacts(db, filter), services, readGovernance(db)), services.values(), now ? { now } : {});
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

const DISPOSITION_LABEL: Record<string, string> = { determined: "-", requires_review: "REVIEW", blocked: "BLOCKED" };

/**
 * The inventory table: record id (what `review` and `evidence` take), class, disposition, status,
 * owner, user count and risk are always shown; the name, the first users and the evidence counts
 * give way to the terminal's width. Records most severe first, then by name.
 */
export function recordsTable(records: readonly AISystemRecord[]): string {
  const columns: Column[] = [
    { header: "Record", keep: true, wrap: true, min: 28, priority: -1 },
    { header: "Class", keep: true },
    { header: "Review", keep: true, optional: true, priority: 2 },
    { header: "Status", keep: true },
    { header: "Owner", min: 12, squeeze: 6, max: 24, priority: 2 },
    { header: "Users", keep: true, right: true },
    { header: "Risk", keep: true, right: true, optional: true, priority: 3 },
    { header: "AI system", min: 12, max: 26, priority: 4, optional: true },
    { header: "Users / clients", min: 16, max: 30, priority: 5, optional: true },
    { header: "Evidence", min: 12, max: 30, priority: 6, optional: true },
  ];
  return table(
    columns,
    [...records].sort(bySeverityThenName).map((r) => [
      r.id, tierLabel(r.classification.tier), DISPOSITION_LABEL[r.classification.disposition] ?? r.classification.disposition, r.status,
      r.owner ?? "-", r.users.length, r.risk.score, r.name, usersText(r), evidenceText(r.evidence),
    ]),
  );
}

const FORMATS = ["json", "csv", "csv-users", "cyclonedx", "html"] as const;
type ExportFormat = (typeof FORMATS)[number];

interface InventoryOptions {
  json?: boolean;
  format?: string;
  out?: string;
  pseudonymize?: boolean;
  all?: boolean;
}

/** The ids of records new in the latest scan's snapshot, and when the scan before it started. */
function newSinceLastScan(g: GlobalOptions): { newIds: string[] | null; previousScanAt: string | null } {
  const db = openDb(g);
  try {
    const latest = snapshotScanId(db);
    if (latest === undefined) return { newIds: null, previousScanAt: null };
    const prev = snapshotScanId(db, { before: latest });
    if (prev === undefined) return { newIds: null, previousScanAt: null };
    const d = diffSnapshots(readSnapshot(db, prev), readSnapshot(db, latest)!);
    const started = listScans(db, 1_000_000).find((x) => x.id === prev)?.startedAt ?? null;
    return { newIds: d.newSystems.map((r) => r.id), previousScanAt: started };
  } finally {
    db.close();
  }
}

/**
 * The governance journal and an evidence sample of each record, for the JSON and HTML exports;
 * with `key`, the evidence's users and clients become the same pseudonyms as the records'.
 */
async function readAudit(g: GlobalOptions, records: readonly AISystemRecord[], key: string | undefined): Promise<AuditTrail> {
  const { readAuditTrail, pseudonymizeAudit } = await import("../../reports/audit.js");
  const { evidenceFor } = await import("../store/evidence.js");
  const db = openDb(g, true);
  let audit;
  try {
    audit = readAuditTrail(db, records.map((r) => r.id), { governanceHistory, evidenceFor });
  } finally {
    db.close();
  }
  return key ? pseudonymizeAudit(audit, (id) => pseudonym(id, key)) : audit;
}

/**
 * Render records in an export format (README: "Exports"). Each exporter is imported when used:
 * the CycloneDX library and its schema validator alone are 200-odd modules that every other
 * command would otherwise load at start-up.
 */
async function render(format: ExportFormat, records: AISystemRecord[], g: GlobalOptions, key: string | undefined): Promise<string> {
  const tool = { name: "shadow-ai", version: toolVersion() };
  const pseudonymization = key ? pseudonymizationInfo(key) : null;
  switch (format) {
    case "json": {
      const { inventoryExportJson } = await import("../../reports/json.js");
      return inventoryExportJson(records, { tool, ...(pseudonymization ? { pseudonymization: pseudonymization as never } : {}), audit: await readAudit(g, records, key) });
    }
    case "csv":
      return (await import("../../reports/csv.js")).inventoryCsv(records);
    case "csv-users":
      return (await import("../../reports/csv.js")).inventoryUsersCsv(records);
    case "cyclonedx": {
      const { inventoryCycloneDx, validateCycloneDx } = await import("../../reports/cyclonedx.js");
      const bom = inventoryCycloneDx(records, { tool, ...(pseudonymization ? { pseudonymization: pseudonymization as never } : {}) });
      const invalid = await validateCycloneDx(bom);
      if (invalid) throw new Error(`internal error: the CycloneDX document does not validate: ${JSON.stringify(invalid).slice(0, 500)}`);
      return bom;
    }
    case "html":
      return (await import("../../reports/html.js")).inventoryHtml(records, { tool, ...newSinceLastScan(g), pseudonymization, audit: await readAudit(g, records, key) });
  }
}

/**
 * Write `data` to `file` atomically (temp file + rename), readable by its owner only: even a
 * pseudonymised export names services, departments and times. Errors name `file`, never the temp file.
 */
export function writeAtomically(file: string, data: string, mode: number): void {
  const full = resolve(file);
  const tmp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data, { mode });
    renameSync(tmp, full);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "its directory does not exist" : err.code === "EACCES" || err.code === "EPERM" ? "permission denied" : err.code === "EISDIR" ? "it is a directory" : (err.code ?? "write failed");
    throw new CliError(`${full}: cannot write: ${why}`, EXIT.USAGE);
  }
}

/** Add `inventory` (table, `--json`, and the `--format` exports) to the program. */
export function registerInventory(program: Command): void {
  program
    .command("inventory")
    .description("print the AI systems found, with users, evidence and EU AI Act class; or export them")
    .option("--json", "print an array of AI system records (fields in README.md)")
    .option("--format <format>", `export format: ${FORMATS.join(", ")}`)
    .option("--out <file>", "write the export to this file (default: standard output)")
    .option("--pseudonymize", "replace user identities with keyed HMACs (key: $SHADOW_AI_PSEUDONYM_KEY)")
    .option("--all", "the table shows dismissed records too (exports and --json always include them)")
    .action(async (opts: InventoryOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.format !== undefined && !(FORMATS as readonly string[]).includes(opts.format)) {
        throw new CliError(`--format: "${opts.format}" is not one of ${FORMATS.join(", ")}`, EXIT.USAGE);
      }
      let key: string | undefined;
      if (opts.pseudonymize) {
        try {
          key = pseudonymKeyFromEnv();
        } catch (e) {
          if (e instanceof PseudonymKeyError) throw new CliError(e.message, EXIT.USAGE);
          throw e;
        }
      }
      let records = loadInventory(g);
      if (key) records = pseudonymize(records, key);
      if (opts.format || opts.out) {
        const out = await render((opts.format ?? "json") as ExportFormat, records, g, key);
        if (opts.out) writeAtomically(opts.out, out, 0o600);
        else process.stdout.write(out);
        return;
      }
      if (opts.json) {
        process.stdout.write(inventoryJson(records));
        return;
      }
      const dismissed = opts.all ? 0 : records.filter((r) => r.status === "dismissed").length;
      if (!opts.all) records = records.filter((r) => r.status !== "dismissed");
      if (records.length === 0) {
        process.stdout.write(`No AI services found yet${dismissed ? ` (${dismissed} dismissed record(s) hidden; --all shows them)` : ""}. Scan some evidence first: shadow-ai scan pcap FILE...\n`);
        return;
      }
      process.stdout.write(recordsTable(records) + "\n");
      const users = new Set(records.flatMap((r) => r.users.map((u) => u.id)));
      const services = new Set(records.map((r) => r.serviceId));
      const review = records.filter((r) => r.classification.disposition !== "determined").length;
      process.stdout.write(
        wrapText(`${services.size} AI service(s) in ${records.length} record(s) (service x org unit), ${users.size} distinct user(s) or client(s); ` +
          `${review} need(s) review.${dismissed ? ` ${dismissed} dismissed record(s) hidden (--all).` : ""} Details: shadow-ai inventory --json`) + "\n",
      );
      for (const line of rosterSummaryLines(records)) process.stdout.write(wrapText(line) + "\n");
    });
}

let version: string | undefined;
/** This program's version, from package.json. */
export function toolVersion(): string {
  return (version ??= (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version);
}
