/**
 * `scan`: read evidence, match it against the catalogue, store what matched.
 *   scan                 every source the configuration declares (inputs under `sources:`, live
 *                        sources that are configured or have their token set)
 *   scan <source> ...    one source of the registry (collectors/registry.ts): `scan pcap FILE...`,
 *                        `scan logs --format squid FILE...`, `scan google`, ...
 * The pipeline itself is src/pipeline/scan.ts; this file parses options, prints and sets the exit
 * code. A failed input is reported (file, offset, what was expected) and the others are still
 * scanned; the exit code is then 3.
 */
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { Command } from "commander";
import type { InputError, InputWarning } from "../core/collector.js";
import type { AISystemRecord } from "../core/finding.js";
import { SourceAuthError, type Source } from "../core/source.js";
import { sources } from "../../collectors/registry.js";
import { runScan, ScanInterruptedError, type ScanJob, type ScanResult } from "../pipeline/scan.js";
import type { InventoryDiff } from "../store/history.js";
import { defaultDbPath, NativeModuleError, StoreError } from "../store/db.js";
import { LockedError } from "../store/lock.js";
import { createProgress } from "./progress.js";
import { decidedFactsOf } from "../classify/records.js";
import { decisionCovers } from "../store/governance.js";
import { catalogue, config, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { safeText } from "./terminal.js";

export type { ScanSummary } from "../pipeline/scan.js";

interface ScanOptions {
  json?: boolean;
  failOn?: string[];
  [option: string]: unknown;
}

/** Conditions of `--fail-on`, most severe first, with their exit codes. */
export const FAIL_ON = {
  prohibited: EXIT.FAIL_PROHIBITED,
  high: EXIT.FAIL_HIGH,
  "agent-high-privilege": EXIT.FAIL_AGENT_HIGH_PRIVILEGE,
  "orphaned-agent": EXIT.FAIL_ORPHANED_AGENT,
  "agent-without-owner": EXIT.FAIL_AGENT_WITHOUT_OWNER,
  "mcp-plaintext-secret": EXIT.FAIL_MCP_PLAINTEXT_SECRET,
  "mcp-broad-access": EXIT.FAIL_MCP_BROAD_ACCESS,
  "mcp-plain-http": EXIT.FAIL_MCP_PLAIN_HTTP,
  "mcp-unpinned": EXIT.FAIL_MCP_UNPINNED,
  "new-unsanctioned": EXIT.FAIL_NEW_UNSANCTIONED,
} as const;
type FailOn = keyof typeof FAIL_ON;

function parseFailOn(value: string, previous: string[] = []): string[] {
  const list = value.split(",").map((v) => v.trim()).filter(Boolean);
  for (const v of list) {
    if (!(v in FAIL_ON)) throw new CliError(`--fail-on: "${v}" is not one of ${Object.keys(FAIL_ON).join(", ")}`, EXIT.USAGE);
  }
  return [...previous, ...list];
}

const FAIL_ON_HELP =
  "exit with a documented code when: new-unsanctioned (10), high (11), prohibited (12), agent-without-owner (13), orphaned-agent (14), agent-high-privilege (15), " +
  "mcp-plaintext-secret (16), mcp-plain-http (17), mcp-unpinned (18), mcp-broad-access (19); comma-separated";

/** Add `scan` (configured sources) and `scan <source>` for each registered source to the program. */
export function registerScan(program: Command): void {
  const scan = program
    .command("scan")
    .description("scan every source declared in shadow-ai.yaml (see --config)")
    .option("--json", "print the scan summary as JSON")
    .option("--fail-on <conditions>", FAIL_ON_HELP, parseFailOn)
    .action(async (opts: ScanOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const c = config(g);
      const jobs: ScanJob[] = [];
      for (const source of sources()) {
        if (source.kind === "file") {
          const inputs = source.configKey ? (c.sources[source.configKey] ?? []) : [];
          if (inputs.length > 0) jobs.push({ source, inputs });
        } else if (source.enabled?.(source.settings ? c.settings[source.settings.key] : undefined, process.env)) {
          jobs.push({ source, inputs: [] });
        }
      }
      if (jobs.length === 0) {
        throw new CliError("no sources to scan: declare them under `sources:` in shadow-ai.yaml or use `scan pcap FILE...`", EXIT.USAGE);
      }
      await scanAndReport(g, "scan", jobs, opts);
    });

  for (const source of sources()) {
    const sub = scan.command(source.id).description(source.description);
    if (source.kind === "file") sub.argument("<files...>", "files or directories");
    sub.option("--json", "print the scan summary as JSON").option("--fail-on <conditions>", FAIL_ON_HELP, parseFailOn);
    for (const o of source.options ?? []) {
      if (o.parse) sub.option(o.flags, o.description, usage(o.parse));
      else sub.option(o.flags, o.description);
    }
    sub.action(async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const files = source.kind === "file" ? (args[0] as string[]) : [];
      // optsWithGlobals: `scan pcap f --json` hands --json to the parent `scan`, which declares it too
      const all = cmd.optsWithGlobals<GlobalOptions & ScanOptions>();
      // a file named on the command line that does not exist is a usage error: no scan is recorded
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0) throw new CliError(`${missing.map((m) => safeText(m)).join(", ")}: no such file or directory`, EXIT.USAGE);
      await scanAndReport(all, `scan ${source.id}`, [{ source, inputs: files }], all);
    });
  }
}

/** Wrap an option parser so that its error is a usage error (exit 2) with its own message. */
function usage(parse: (v: string) => string): (v: string) => string {
  return (v) => {
    try {
      return parse(v);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.USAGE);
    }
  };
}

/** The values of the sources' own options (`--format`, `--time-zone`) by their attribute names. */
function sourceOptions(jobs: readonly ScanJob[], opts: ScanOptions): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const j of jobs) {
    for (const o of j.source.options ?? []) {
      const name = attributeName(o.flags);
      if (typeof opts[name] === "string") out[name] = opts[name] as string;
    }
  }
  return out;
}

/** commander's attribute name of a flag: `--time-zone <zone>` → `timeZone`. */
function attributeName(flags: string): string {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? flags;
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

async function scanAndReport(g: GlobalOptions, command: string, jobs: ScanJob[], opts: ScanOptions): Promise<void> {
  const cat = catalogue(g);
  const cfg = config(g);
  const progress = createProgress(!opts.json);
  // which configuration a scan runs with is never a guess: named here and in the scan's record
  process.stderr.write(`shadow-ai: configuration: ${cfg.file ? safeText(cfg.file) : "none (no --config, no ./shadow-ai.yaml)"}\n`);
  let result: ScanResult;
  // Ctrl-C or SIGTERM: clear the progress line, stop reading, keep what was read and close the scan
  // row as `interrupted` (src/pipeline/scan.ts); a second signal ends the process at once.
  const stopping = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    progress.close();
    if (stopping.signal.aborted) process.exit(128 + (osConstants.signals[sig] ?? 2));
    process.stderr.write(`shadow-ai: ${sig}: stopping the scan; what was read so far is kept (again to quit at once)\n`);
    stopping.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    result = await runScan({
      signal: stopping.signal,
      dbPath: g.db ?? defaultDbPath(),
      command,
      jobs,
      config: cfg,
      catalogue: cat,
      options: sourceOptions(jobs, opts),
      events: {
        onError: (e) => {
          if (opts.json) return;
          progress.stop();
          process.stderr.write(`shadow-ai: ${formatError(e)}\n`);
        },
        onWarning: (w) => {
          if (opts.json) return;
          progress.stop();
          process.stderr.write(`shadow-ai: warning: ${formatWarning(w)}\n`);
        },
        onLockWarning: (m) => process.stderr.write(`shadow-ai: warning: scan lock: ${safeText(m)}\n`),
        onInterrupted: (n) => {
          if (!opts.json) process.stderr.write(`shadow-ai: closed ${n} interrupted scan(s) as failed\n`);
        },
        onPhase: (source, total, unit) => progress.phase(source, total, unit),
        onProgress: (done, total) => progress.update(done, total),
        onObservation: (n) => progress.observed(n),
      },
    });
  } catch (e) {
    progress.close();
    if (e instanceof ScanInterruptedError) throw new CliError(e.message, 128 + (osConstants.signals[stopping.signal.reason as NodeJS.Signals] ?? 2));
    throw asCliError(e, jobs);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  progress.close();
  printSummary(result, opts);
}

/** The exit code of an error that ended the scan. */
function asCliError(e: unknown, jobs: readonly ScanJob[]): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof LockedError) return new CliError(e.message, EXIT.LOCKED);
  if (e instanceof StoreError) return new CliError(e.message, EXIT.DATABASE);
  if (e instanceof NativeModuleError) return new CliError(e.message, EXIT.RUNTIME);
  if (e instanceof SourceAuthError) return new CliError(e.message, EXIT.AUTH);
  const src = jobs.map((j) => j.source).find((s: Source) => s.isAuthError?.(e));
  if (src) return new CliError(`${src.id}: ${(e as Error).message}`, EXIT.AUTH);
  return e;
}

function printSummary({ summary, records, diff }: ScanResult, opts: ScanOptions): void {
  const alerts = alertsFor(opts.failOn ?? [], records, diff);
  // one JSON object on one line: `scan --json >> scans.jsonl` gives JSON Lines
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary, alerts })}\n`);
  else {
    for (const s of summary.sources) {
      process.stderr.write(`${s.source}: ${s.inputs} input(s), ${s.read} observation(s), ${s.matched} matched an AI service\n`);
    }
    process.stderr.write(
      `scan ${summary.scanId} ${summary.status}: ${summary.inserted} new evidence row(s) stored (facts and daily rollups)` +
        (summary.errors.length ? `, ${summary.errors.length} input error(s)` : "") +
        (summary.warnings.length ? `, ${summary.warnings.length} warning(s)` : "") + "\n",
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
  if (summary.errors.length > 0) process.exitCode = EXIT.INPUT_ERRORS;
  // every condition that holds is named on stderr, with --json too (stdout stays one JSON line)
  for (const a of alerts) process.stderr.write(`shadow-ai: --fail-on ${a.condition} (exit ${a.code}): ${safeText(a.why)}\n`);
  if (alerts[0]) process.exitCode = alerts[0].code;
}

/** One `--fail-on` condition that holds, with the records that trip it. */
export interface Alert {
  condition: FailOn;
  code: number;
  /** Record ids, most severe first. */
  records: string[];
  why: string;
}

/**
 * The `--fail-on` conditions that hold, most severe first: `prohibited` (a record classed
 * prohibited), `high` (high-risk or prohibited), `new-unsanctioned` (a record new since the previous
 * scan whose status is not sanctioned or tolerated), and for AI agents (records of kind `agent`, see
 * src/classify/agents.ts): `agent-high-privilege` (an application permission that reads or writes
 * all mail, files or the directory), `orphaned-agent` (enabled, its blueprint deleted),
 * `agent-without-owner` (no owner or sponsor at the source and no owner set with `review`: setting
 * one ends it). A record a person has decided on (blocked,
 * dismissed, sanctioned, tolerated; see Governance.decidedFacts) does not trip a condition again
 * until its facts change: new users, wider scopes or another class.
 */
export function alertsFor(conditions: readonly string[], records: readonly AISystemRecord[], diff: InventoryDiff): Alert[] {
  const want = new Set(conditions);
  const open = records.filter((r) => !(r.status === "dismissed" || decisionCovers(r.governance, decidedFactsOf(r))));
  const names = (ids: string[]) => ids.slice(0, 5).join(", ") + (ids.length > 5 ? `, +${ids.length - 5}` : "");
  const out: Alert[] = [];
  const add = (condition: FailOn, ids: string[], what: string) => {
    if (want.has(condition) && ids.length) out.push({ condition, code: FAIL_ON[condition], records: ids, why: `${what}: ${names(ids)}` });
  };
  add("prohibited", open.filter((r) => r.classification.tier === "prohibited").map((r) => r.id), "prohibited");
  add("high", open.filter((r) => r.classification.tier === "prohibited" || r.classification.tier === "high_risk").map((r) => r.id), "high-risk or prohibited");
  const flagged = (flag: "no-owner-or-sponsor" | "orphaned" | "high-privilege") => open.filter((r) => r.agent?.flags.includes(flag)).map((r) => r.id);
  add("agent-high-privilege", flagged("high-privilege"), "AI agents with application permissions to all mail, files or the directory");
  add("orphaned-agent", flagged("orphaned"), "enabled AI agents whose blueprint was deleted");
  add("agent-without-owner", flagged("no-owner-or-sponsor"), "AI agents without an owner or sponsor (set one: shadow-ai review ID --owner NAME)");
  // MCP servers on endpoints (records of kind mcp_server, src/classify/mcp.ts)
  const mcp = (flag: "plaintext-secret" | "plain-http" | "unpinned" | "broad-access") => open.filter((r) => r.mcpServer?.flags.includes(flag)).map((r) => r.id);
  add("mcp-plaintext-secret", mcp("plaintext-secret"), "MCP servers with a literal credential in an endpoint configuration");
  add("mcp-broad-access", mcp("broad-access"), "MCP servers with a shell or whole-filesystem access");
  add("mcp-plain-http", mcp("plain-http"), "remote MCP servers over plain HTTP");
  add("mcp-unpinned", mcp("unpinned"), "MCP servers running unpinned packages");
  const openIds = new Set(open.map((r) => r.id));
  const fresh = diff.newSystems.filter((r) => r.status !== "sanctioned" && r.status !== "tolerated" && openIds.has(r.id));
  add("new-unsanctioned", fresh.map((r) => r.id), "new and not sanctioned");
  return out;
}

/** The exit code `--fail-on` asks for: the most severe alert's (see {@link alertsFor}). */
export function failOnCode(conditions: readonly string[], records: readonly AISystemRecord[], diff: InventoryDiff): Alert | undefined {
  return alertsFor(conditions, records, diff)[0];
}

/** `file: offset 123: message (N)` for a warning, control characters escaped. */
export function formatWarning(w: InputWarning): string {
  const where = w.offset !== undefined ? `: offset ${w.offset}` : w.line !== undefined ? `: line ${w.line}` : "";
  return safeText(`${w.input}${where}: ${w.message}${w.count > 1 ? ` (${w.count})` : ""}`);
}

/** `file: offset 123: message` / `file: line 4: message`, control characters escaped. */
export function formatError(e: InputError): string {
  const where = e.offset !== undefined ? `: offset ${e.offset}` : e.line !== undefined ? `: line ${e.line}` : "";
  return safeText(`${e.input}${where}: ${e.message}${e.partial ? " (records before this point were kept)" : ""}`);
}
