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
import { ingest } from "../scan/ingest.js";
import { ScanWriter } from "../store/ingest.js";
import { catalogue, config, expandInputs, openDb, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { SOURCES, type SourceName } from "./sources.js";
import { safeText } from "./terminal.js";

interface ScanOptions {
  json?: boolean;
}

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
}

export function registerScan(program: Command): void {
  const scan = program
    .command("scan")
    .description("scan every source declared in shadow-ai.yaml (see --config)")
    .option("--json", "print the scan summary as JSON")
    .action(async (opts: ScanOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const c = config(g);
      const jobs: Job[] = [
        { source: "pcap" as const, inputs: c.sources.pcap },
        { source: "google-export" as const, inputs: c.sources.googleExport },
        { source: "microsoft-export" as const, inputs: c.sources.microsoftExport },
      ].filter((j) => j.inputs.length > 0);
      if (jobs.length === 0) {
        throw new CliError("no sources to scan: declare them under `sources:` in shadow-ai.yaml or use `scan pcap FILE...`", EXIT.USAGE);
      }
      await runScan(g, "scan", jobs, opts);
    });

  for (const name of Object.keys(SOURCES) as SourceName[]) {
    scan
      .command(name)
      .description(SOURCES[name].description)
      .argument("<files...>", "files or directories")
      .option("--json", "print the scan summary as JSON")
      .action(async (files: string[], _opts: ScanOptions, cmd: Command) => {
        // optsWithGlobals: `scan pcap f --json` hands --json to the parent `scan`, which declares it too
        const all = cmd.optsWithGlobals<GlobalOptions & ScanOptions>();
        await runScan(all, `scan ${name}`, [{ source: name, inputs: files }], all);
      });
  }
}

async function runScan(g: GlobalOptions, command: string, jobs: Job[], opts: ScanOptions): Promise<void> {
  const { matcher } = catalogue(g);
  const db = openDb(g);
  const writer = new ScanWriter(db, command, jobs.flatMap((j) => j.inputs));
  const summary: ScanSummary["sources"] = [];
  const report = (e: InputError): void => {
    writer.error(e);
    if (!opts.json) process.stderr.write(`shadow-ai: ${formatError(e)}\n`);
  };
  let fatal: Error | undefined;
  try {
    for (const job of jobs) {
      const src = SOURCES[job.source];
      const ctx: CollectContext = { onError: report, cursors: writer.cursors(job.source) };
      const { files, missing } = expandInputs(job.inputs, src.accept);
      for (const m of missing) report({ input: m, message: "no such file or directory", partial: false });
      let read = 0;
      let matched = 0;
      const run = async (label: string, obs: AsyncIterable<Observation>) => {
        try {
          const r = await ingest(obs, matcher, writer);
          read += r.read;
          matched += r.matched;
        } catch (e) {
          // A collector bug or an I/O error on one input must not lose the others: record and go on.
          writer.flush();
          report({ input: label, message: `unexpected error: ${(e as Error).message}`, partial: true });
        }
      };
      if (src.perFile) for (const f of files) await run(f, src.collect([f], ctx));
      else if (files.length > 0) await run(files.join(", "), src.collect(files, ctx));
      summary.push({ source: job.source, inputs: files.length, read, matched });
    }
  } catch (e) {
    fatal = e as Error;
  }
  const status = writer.finish(fatal);
  db.close();
  if (fatal) throw fatal;
  const result: ScanSummary = { scanId: writer.scanId, status, sources: summary, ...writer.counts, errors: writer.errors };
  if (opts.json) printJson(result);
  else {
    for (const s of summary) {
      process.stderr.write(`${s.source}: ${s.inputs} input(s), ${s.read} observation(s), ${s.matched} matched an AI service\n`);
    }
    process.stderr.write(
      `scan ${writer.scanId} ${status}: ${writer.counts.inserted} new observation(s) stored` +
        (writer.errors.length ? `, ${writer.errors.length} input error(s)` : "") + "\n",
    );
  }
  if (writer.errors.length > 0) process.exitCode = EXIT.INPUT_ERRORS;
}

/** `file: offset 123: message` / `file: line 4: message`, control characters escaped. */
export function formatError(e: InputError): string {
  const where = e.offset !== undefined ? `: offset ${e.offset}` : e.line !== undefined ? `: line ${e.line}` : "";
  return safeText(`${e.input}${where}: ${e.message}${e.partial ? " (records before this point were kept)" : ""}`);
}
