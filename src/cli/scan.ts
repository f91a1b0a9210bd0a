/**
 * `scan`: read evidence, match it against the catalogue, store what matched.
 *   scan                          every source in shadow-ai.yaml
 *   scan pcap FILE...             captures (pcap, pcapng)
 *   scan google-export FILE...    Google Admin SDK responses saved as JSON
 *   scan microsoft-export FILE... Microsoft Graph responses saved as JSON
 * A failed input is reported (file, offset, what was expected) and the others are still scanned;
 * the exit code is then 3.
 */
import type { Command } from "commander";
import type { CollectContext, InputError } from "../core/collector.js";
import type { Observation } from "../core/observation.js";
import { buildRecords } from "../classify/records.js";
import type { AISystemRecord } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import type { Matcher } from "../match/matcher.js";
import { environmentSecrets, redact } from "../io/redact.js";
import { ingest } from "../scan/ingest.js";
import { createProgress } from "./progress.js";
import { defaultDbPath } from "../store/db.js";
import { acquireScanLock, closeInterruptedScans, LockedError } from "../store/lock.js";
import type { Config } from "./config.js";
import { dismissedKeys, readGovernance } from "../store/governance.js";
import { diffSnapshots, readSnapshot, recordsSeenBy, snapshotScanId, writeSnapshot, type InventoryDiff } from "../store/history.js";
import { readSystemFacts, recordId } from "../store/inventory.js";
import { ScanWriter } from "../store/ingest.js";
import { catalogue, config, expandInputs, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { isAuthError, SOURCES, type SourceName } from "./sources.js";
import { safeText } from "./terminal.js";
import { isTimeZone } from "../../collectors/logs/zone.js";

interface ScanOptions {
  json?: boolean;
  format?: string;
  timeZone?: string;
  failOn?: string[];
}

/** `--time-zone`: an IANA zone this system knows, else a usage error (exit 2). */
function parseTimeZone(v: string): string {
  if (!isTimeZone(v)) throw new CliError(`--time-zone: "${v}" is not a time zone this system knows (expected an IANA name such as Europe/Berlin or UTC)`, EXIT.USAGE);
  return v;
}

/** Conditions of `--fail-on`, most severe first, with their exit codes. */
export const FAIL_ON = {
  prohibited: EXIT.FAIL_PROHIBITED,
  high: EXIT.FAIL_HIGH,
  "new-unsanctioned": EXIT.FAIL_NEW_UNSANCTIONED,
} as const;
type FailOn = keyof typeof FAIL_ON;

/** Observation `source` values each scan job reads (a trailing `:` is a prefix). */
const JOB_SOURCES: Record<SourceName, string[]> = {
  pcap: ["pcap"],
  google: ["google-workspace"],
  microsoft: ["microsoft-entra"],
  "google-export": ["google-workspace"],
  "microsoft-export": ["microsoft-entra"],
  logs: ["logs:"],
};

function parseFailOn(value: string, previous: string[] = []): string[] {
  const list = value.split(",").map((v) => v.trim()).filter(Boolean);
  for (const v of list) {
    if (!(v in FAIL_ON)) throw new CliError(`--fail-on: "${v}" is not one of ${Object.keys(FAIL_ON).join(", ")}`, EXIT.USAGE);
  }
  return [...previous, ...list];
}

const FAIL_ON_HELP = "exit with a documented code when: new-unsanctioned (10), high (11), prohibited (12); comma-separated";

/** One job of a scan: a source and its inputs. */
interface Job {
  source: SourceName;
  inputs: string[];
}

/** What `scan --json` prints. */
export interface ScanSummary {
  scanId: number;
  status: "complete" | "partial" | "failed";
  sources: { source: string; inputs: number; read: number; matched: number }[];
  read: number;
  matched: number;
  inserted: number;
  errors: InputError[];
  /** What changed since the previous scan's snapshot (see `diff` for the details). */
  changes: { newSystems: string[]; goneSystems: string[]; newUsers: number };
}

/** Add `scan` (configured sources) and `scan <source>` for each source to the program. */
export function registerScan(program: Command): void {
  const scan = program
    .command("scan")
    .description("scan every source declared in shadow-ai.yaml (see --config)")
    .option("--json", "print the scan summary as JSON")
    .option("--fail-on <conditions>", FAIL_ON_HELP, parseFailOn)
    .action(async (opts: ScanOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const c = config(g);
      const jobs: Job[] = [
        { source: "pcap" as const, inputs: c.sources.pcap },
        { source: "google-export" as const, inputs: c.sources.googleExport },
        { source: "microsoft-export" as const, inputs: c.sources.microsoftExport },
        { source: "logs" as const, inputs: c.sources.logs },
      ].filter((j) => j.inputs.length > 0);
      // live APIs: when configured, or when only their access-token variable is set
      if (c.google || process.env.SHADOW_AI_GOOGLE_ACCESS_TOKEN) jobs.push({ source: "google", inputs: [] });
      if (c.microsoft || process.env.SHADOW_AI_GRAPH_ACCESS_TOKEN) jobs.push({ source: "microsoft", inputs: [] });
      if (jobs.length === 0) {
        throw new CliError("no sources to scan: declare them under `sources:` in shadow-ai.yaml or use `scan pcap FILE...`", EXIT.USAGE);
      }
      await runScan(g, "scan", jobs, opts);
    });

  for (const name of Object.keys(SOURCES) as SourceName[]) {
    const sub = scan.command(name).description(SOURCES[name].description);
    if (!SOURCES[name].live) sub.argument("<files...>", "files or directories");
    sub
      .option("--json", "print the scan summary as JSON")
      .option("--fail-on <conditions>", FAIL_ON_HELP, parseFailOn);
    if (name === "logs") {
      sub
        .option("--format <format>", "log format, when it cannot be detected (zeek, squid, clf, okta, ...)")
        .option("--time-zone <zone>", "IANA zone of log times written without one (BIND, PAN-OS, syslog; default: logs.timeZone, else this machine's)", parseTimeZone);
    }
    sub
      .action(async (...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command;
        const files = SOURCES[name].live ? [] : (args[0] as string[]);
        // optsWithGlobals: `scan pcap f --json` hands --json to the parent `scan`, which declares it too
        const all = cmd.optsWithGlobals<GlobalOptions & ScanOptions>();
        await runScan(all, `scan ${name}`, [{ source: name, inputs: files }], all);
      });
  }
}

async function runScan(g: GlobalOptions, command: string, jobs: Job[], opts: ScanOptions): Promise<void> {
  const { matcher, services } = catalogue(g);
  const cfg = config(g);
  const dbPath = g.db ?? defaultDbPath();
  let release: () => Promise<void>;
  try {
    release = await acquireScanLock(dbPath, (e) => process.stderr.write(`shadow-ai: warning: scan lock: ${safeText(e.message)}\n`));
  } catch (e) {
    if (e instanceof LockedError) throw new CliError(e.message, EXIT.LOCKED);
    throw e;
  }
  try {
    await runLocked(g, command, jobs, opts, matcher, services, cfg);
  } finally {
    await release().catch(() => undefined);
  }
}

async function runLocked(
  g: GlobalOptions, command: string, jobs: Job[], opts: ScanOptions, matcher: Matcher, services: Map<string, AIService>, cfg: Config,
): Promise<void> {
  const db = openDb(g);
  const interrupted = closeInterruptedScans(db);
  if (interrupted > 0 && !opts.json) process.stderr.write(`shadow-ai: closed ${interrupted} interrupted scan(s) as failed\n`);
  const writer = new ScanWriter(db, command, jobs.flatMap((j) => j.inputs));
  const dismissed = dismissedKeys(readGovernance(db));
  const progress = createProgress(!opts.json);
  const summary: ScanSummary["sources"] = [];
  const secrets = environmentSecrets();
  const report = (raw: InputError): void => {
    // messages reach the scans table and stderr: no token or secret may ride along
    const e = { ...raw, message: redact(raw.message, secrets), input: redact(raw.input, secrets) };
    writer.error(e);
    if (!opts.json) {
      progress.stop();
      process.stderr.write(`shadow-ai: ${formatError(e)}\n`);
    }
  };
  let fatal: Error | undefined;
  try {
    for (const job of jobs) {
      const src = SOURCES[job.source];
      const ctx: CollectContext = {
        onError: report,
        cursors: writer.cursors(job.source),
        onProgress: (done, total, unit) => {
          progress.phase(job.source, total, unit);
          progress.update(done, total);
        },
      };
      const { files, missing } = expandInputs(job.inputs, src.accept);
      for (const m of missing) report({ input: m, message: "no such file or directory", partial: false });
      let read = 0;
      let matched = 0;
      const run = async (label: string, obs: AsyncIterable<Observation | readonly Observation[]>) => {
        try {
          const r = await ingest(obs, matcher, writer, () => progress.observed(), dismissed);
          read += r.read;
          matched += r.matched;
        } catch (e) {
          writer.flush();
          // Refused or missing credentials end the command: nothing could be read from that source.
          if (isAuthError(e)) throw e instanceof CliError ? e : new CliError(`${job.source}: ${(e as Error).message}`, EXIT.AUTH);
          // A collector bug or an I/O error on one input must not lose the others: record and go on.
          report({ input: label, message: `unexpected error: ${(e as Error).message}`, partial: true });
        }
      };
      const srcOptions = { config: cfg, ...(opts.format ? { format: opts.format } : {}), ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) };
      if (src.perFile) {
        progress.phase(job.source, files.length, "files");
        for (const [i, f] of files.entries()) {
          await run(f, src.collect([f], ctx, srcOptions));
          progress.update(i + 1);
        }
      } else if (src.live) {
        progress.phase(job.source, undefined, "users");
        await run(`${job.source} API`, src.collect([], ctx, srcOptions));
      } else if (files.length > 0) {
        progress.phase(job.source, files.length, "files");
        await run(files.join(", "), src.collect(files, ctx, srcOptions));
      }
      summary.push({ source: job.source, inputs: files.length, read, matched });
    }
  } catch (e) {
    fatal = e as Error;
  }
  progress.stop();
  const status = writer.finish(fatal);
  if (fatal) {
    db.close();
    throw fatal;
  }
  let diff: InventoryDiff;
  let records: AISystemRecord[];
  try {
    // The inventory as this scan leaves it, kept so that the next scan (and `diff`) can say what changed.
    records = buildRecords(readSystemFacts(db), services, readGovernance(db));
    const sources = [...new Set(jobs.flatMap((j) => JOB_SOURCES[j.source]))];
    writeSnapshot(db, writer.scanId, sources, records, recordsSeenBy(db, writer.scanId, recordId));
    const prev = snapshotScanId(db, { before: writer.scanId });
    diff = diffSnapshots(prev === undefined ? undefined : readSnapshot(db, prev), readSnapshot(db, writer.scanId)!);
  } finally {
    db.close();
  }
  const result: ScanSummary = {
    scanId: writer.scanId, status, sources: summary, ...writer.counts, errors: writer.errors,
    changes: { newSystems: diff.newSystems.map((r) => r.id), goneSystems: diff.goneSystems.map((r) => r.id), newUsers: diff.newUsers.length },
  };
  if (opts.json) printJson(result);
  else {
    for (const s of summary) {
      process.stderr.write(`${s.source}: ${s.inputs} input(s), ${s.read} observation(s), ${s.matched} matched an AI service\n`);
    }
    process.stderr.write(
      `scan ${writer.scanId} ${status}: ${writer.counts.inserted} new observation(s) stored` +
        (writer.errors.length ? `, ${writer.errors.length} input error(s)` : "") + "\n",
    );
    if (diff.from !== null && (diff.newSystems.length || diff.goneSystems.length || diff.newUsers.length)) {
      process.stderr.write(
        safeText(
          `since scan ${diff.from}: ${diff.newSystems.length} new AI system record(s)` +
            (diff.newSystems.length ? ` (${diff.newSystems.slice(0, 5).map((r) => r.id).join(", ")}${diff.newSystems.length > 5 ? ", ..." : ""})` : "") +
            `, ${diff.goneSystems.length} no longer seen, ${diff.newUsers.length} with new users; details: shadow-ai diff`,
        ) + "\n",
      );
    }
  }
  if (writer.errors.length > 0) process.exitCode = EXIT.INPUT_ERRORS;
  const failed = failOnCode(opts.failOn ?? [], records, diff);
  if (failed) {
    if (!opts.json) process.stderr.write(`shadow-ai: --fail-on ${failed.condition}: ${safeText(failed.why)}\n`);
    process.exitCode = failed.code;
  }
}

/**
 * The exit code `--fail-on` asks for, the most severe condition first: `prohibited` (a record
 * classed prohibited), `high` (high-risk or prohibited), `new-unsanctioned` (a record new since the
 * previous scan whose status is not sanctioned or tolerated).
 */
export function failOnCode(conditions: readonly string[], records: readonly AISystemRecord[], diff: InventoryDiff): { condition: FailOn; code: number; why: string } | undefined {
  const want = new Set(conditions);
  const names = (rs: { id: string }[]) => rs.slice(0, 5).map((r) => r.id).join(", ") + (rs.length > 5 ? `, +${rs.length - 5}` : "");
  const prohibited = records.filter((r) => r.classification.tier === "prohibited");
  if (want.has("prohibited") && prohibited.length) return { condition: "prohibited", code: FAIL_ON.prohibited, why: `prohibited: ${names(prohibited)}` };
  const high = records.filter((r) => r.classification.tier === "prohibited" || r.classification.tier === "high_risk");
  if (want.has("high") && high.length) return { condition: "high", code: FAIL_ON.high, why: `high-risk or prohibited: ${names(high)}` };
  const fresh = diff.newSystems.filter((r) => r.status !== "sanctioned" && r.status !== "tolerated");
  if (want.has("new-unsanctioned") && fresh.length) {
    return { condition: "new-unsanctioned", code: FAIL_ON["new-unsanctioned"], why: `new and not sanctioned: ${names(fresh)}` };
  }
  return undefined;
}

/** `file: offset 123: message` / `file: line 4: message`, control characters escaped. */
export function formatError(e: InputError): string {
  const where = e.offset !== undefined ? `: offset ${e.offset}` : e.line !== undefined ? `: line ${e.line}` : "";
  return safeText(`${e.input}${where}: ${e.message}${e.partial ? " (records before this point were kept)" : ""}`);
}
