/**
 * The scan pipeline, in one place: scan lock → scan record → collect (each source of the registry)
 * → match or suspect → store in batches → records → classification → snapshot → diff. The
 * configuration, the catalogue and governance are read once per scan. The CLI, the benchmarks and
 * the tests call {@link runScan}; nobody rebuilds it.
 *
 * It prints nothing: what a person should see comes through {@link ScanEvents}, and the outcome is
 * the returned {@link ScanResult}. Errors that end the whole scan are thrown as they are
 * (`LockedError`, `StoreError`, `NativeModuleError`, `SourceAuthError` or a source's own
 * auth error); the CLI maps them to exit codes.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CollectContext, InputError, InputWarning } from "../core/collector.js";
import type { AISystemRecord } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import { SourceAuthError, type KeepInput, type Source, type SourceItem } from "../core/source.js";
import { buildRecords } from "../classify/records.js";
import type { Matcher } from "../match/matcher.js";
import { environmentSecrets, redact } from "../io/redact.js";
import { EndpointError } from "../io/retry.js";
import { openStore } from "../store/db.js";
import { dismissedKeys, readGovernance } from "../store/governance.js";
import { diffSnapshots, readSnapshot, recordsSeenBy, snapshotScanId, writeSnapshot, type InventoryDiff } from "../store/history.js";
import { ScanWriter } from "../store/ingest.js";
import { RosterWriter } from "../store/rosters.js";
import { readSystemFacts, recordId } from "../store/inventory.js";
import { acquireScanLock, closeInterruptedScans } from "../store/lock.js";
import type { Config } from "./config.js";
import { expandInputs } from "./inputs.js";
import { ingest } from "./ingest.js";
import { Keeper } from "./keep.js";

/** One job of a scan: a source and its inputs (files or directories; none for a live source). */
export interface ScanJob {
  source: Source;
  inputs: readonly string[];
}

/** What a scan reports while it runs; every member is optional. */
export interface ScanEvents {
  /** An input problem that did not stop the scan (already redacted). */
  onError?(e: InputError): void;
  /** Something harmless worth showing (already redacted); never makes the scan partial. */
  onWarning?(w: InputWarning): void;
  /** A warning about the scan lock (it was compromised, or a stale one was taken over). */
  onLockWarning?(message: string): void;
  /** Scans left `running` by a killed process were closed as failed. */
  onInterrupted?(count: number): void;
  /** A source starts a phase of `total` units (files, bytes, users). */
  onPhase?(source: string, total: number | undefined, unit: string): void;
  /** Progress within the phase. */
  onProgress?(done: number, total?: number): void;
  /** Observations were read (for rates): one, or `count`. */
  onObservation?(count?: number): void;
}

/** What a scan did, per source and in all. `scan --json` prints it. */
export interface ScanSummary {
  scanId: number;
  status: "complete" | "partial" | "failed";
  sources: { source: string; inputs: number; read: number; matched: number }[];
  /** Observations the collectors produced. */
  read: number;
  /** Of which matched a catalogue signature. */
  matched: number;
  /** Evidence rows the scan added: new facts and new daily rollups (events added to a stored rollup are not new rows). */
  inserted: number;
  errors: InputError[];
  /** Harmless things worth showing (incomplete fragments, lines skipped within tolerance). */
  warnings: InputWarning[];
  /** What changed since the previous scan's snapshot (see `diff` for the details). */
  changes: { newSystems: string[]; goneSystems: string[]; newUsers: number };
}

/** The outcome of {@link runScan}. */
export interface ScanResult {
  summary: ScanSummary;
  /** The inventory as this scan leaves it (also kept as the scan's snapshot). */
  records: AISystemRecord[];
  diff: InventoryDiff;
}

/** Everything one scan needs. */
export interface ScanRequest {
  /** The database file (created and migrated if needed). */
  dbPath: string;
  /** The command line as recorded in `scans.command`, e.g. `scan logs`. */
  command: string;
  jobs: readonly ScanJob[];
  config: Config;
  catalogue: { matcher: Matcher; services: ReadonlyMap<string, AIService> };
  /** Values of the sources' own command-line options (`format`, `timeZone`). */
  options?: Readonly<Record<string, string | undefined>>;
  events?: ScanEvents;
  env?: NodeJS.ProcessEnv;
  /**
   * Aborting it (Ctrl-C, SIGTERM) stops the scan between two observations or files: what was read
   * is kept, the scan row is closed as `interrupted`, and runScan throws {@link ScanInterruptedError}.
   */
  signal?: AbortSignal;
}

/** runScan was stopped by {@link ScanRequest.signal}; the scan row was closed as `interrupted`. */
export class ScanInterruptedError extends Error {
  constructor(readonly scanId: number, reason: string) {
    super(`scan ${scanId} interrupted (${reason}): what was read before is kept; the scan is recorded as interrupted`);
    this.name = "ScanInterruptedError";
  }
}

/** Throw {@link ScanInterruptedError} when `signal` was aborted. */
function stopIfAborted(signal: AbortSignal | undefined, scanId: number): void {
  if (signal?.aborted) throw new ScanInterruptedError(scanId, String(signal.reason ?? "aborted"));
}

/** `items`, stopping with {@link ScanInterruptedError} as soon as `signal` is aborted (the source's iterator is closed). */
async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal, scanId: number): AsyncIterable<T> {
  for await (const x of items) {
    stopIfAborted(signal, scanId);
    yield x;
  }
}

/**
 * Run one scan end to end and return its summary, the records and the diff against the previous
 * snapshot. Holds the database's scan lock throughout.
 * @throws LockedError when another scan holds the lock; StoreError / NativeModuleError when the
 *   database cannot be opened; SourceAuthError or a source's auth error (its `isAuthError`) when a
 *   live source's credentials are missing or refused: the scan row is then closed as failed.
 */
export async function runScan(req: ScanRequest): Promise<ScanResult> {
  // `--db state/inv.db` with no state/ yet: create it (owner-only) before the lock lives beside the file
  mkdirSync(dirname(resolve(req.dbPath)), { recursive: true, mode: 0o700 });
  const release = await acquireScanLock(req.dbPath, (e) => req.events?.onLockWarning?.(e.message));
  try {
    return await runLocked(req);
  } finally {
    await release().catch(() => undefined);
  }
}

async function runLocked(req: ScanRequest): Promise<ScanResult> {
  const { events = {}, catalogue } = req;
  const env = req.env ?? process.env;
  const db = openStore(req.dbPath);
  try {
    const interrupted = closeInterruptedScans(db);
    if (interrupted > 0) events.onInterrupted?.(interrupted);
    const writer = new ScanWriter(db, req.command, req.jobs.flatMap((j) => [...j.inputs]), req.config.file);
    const governance = readGovernance(db);
    const dismissed = dismissedKeys(governance);
    const secrets = environmentSecrets(env);
    const report = (raw: InputError): void => {
      // messages reach the scans table and stderr: no token or secret may ride along
      const e = { ...raw, message: redact(raw.message, secrets), input: redact(raw.input, secrets) };
      writer.error(e);
      events.onError?.(e);
    };
    const warn = (raw: InputWarning): void => {
      const w = { ...raw, message: redact(raw.message, secrets), input: redact(raw.input, secrets) };
      writer.warning(w);
      events.onWarning?.(w);
    };
    const perSource: ScanSummary["sources"] = [];
    let fatal: Error | undefined;
    try {
      for (const job of req.jobs) perSource.push(await collectJob(job, writer, report, warn, req, dismissed, db));
    } catch (e) {
      fatal = e as Error;
    }
    if (fatal instanceof ScanInterruptedError) {
      writer.interrupt(`interrupted (${String(req.signal?.reason ?? "aborted")}): stopped before the scan finished; what was read before was kept`);
      throw fatal;
    }
    const status = writer.finish(fatal);
    if (fatal) throw fatal;

    // The inventory as this scan leaves it, kept so that the next scan (and `diff`) can say what changed.
    const records = buildRecords(readSystemFacts(db), catalogue.services as Map<string, AIService>, governance);
    // only sources read whole can retire a record by its absence; the rest retire by age
    const complete = [...new Set(req.jobs.filter((j) => j.source.complete).flatMap((j) => [...j.source.observationSources]))];
    writeSnapshot(db, writer.scanId, complete, records, recordsSeenBy(db, writer.scanId, recordId), { staleAfterDays: req.config.inventory.staleAfterDays });
    const prev = snapshotScanId(db, { before: writer.scanId, completeOnly: true });
    const diff = diffSnapshots(prev === undefined ? undefined : readSnapshot(db, prev), readSnapshot(db, writer.scanId)!);
    const summary: ScanSummary = {
      scanId: writer.scanId,
      status,
      sources: perSource,
      ...writer.counts,
      errors: writer.errors,
      warnings: writer.warnings,
      changes: { newSystems: diff.newSystems.map((r) => r.id), goneSystems: diff.goneSystems.map((r) => r.id), newUsers: diff.newUsers.length },
    };
    return { summary, records, diff };
  } finally {
    db.close();
  }
}

/** Collect one job into the writer; input problems are reported, auth failures thrown. */
async function collectJob(
  job: ScanJob,
  writer: ScanWriter,
  report: (e: InputError) => void,
  warn: (w: InputWarning) => void,
  req: ScanRequest,
  dismissed: ReadonlySet<string>,
  db: ReturnType<typeof openStore>,
): Promise<ScanSummary["sources"][number]> {
  const { source } = job;
  const events = req.events ?? {};
  const keeper = new Keeper(req.catalogue.matcher);
  const ctxBase: CollectContext = {
    onError: report,
    onWarning: warn,
    cursors: writer.cursors(source.id),
    rosters: new RosterWriter(db, writer.scanId),
    onProgress: (done, total, unit) => {
      events.onPhase?.(source.id, total, unit);
      events.onProgress?.(done, total);
    },
  };
  const ctx = {
    ...ctxBase,
    settings: source.settings ? req.config.settings[source.settings.key] : undefined,
    options: req.options ?? {},
    keep: (o: KeepInput) => keeper.keeps(o),
  };
  let read = 0;
  let matched = 0;
  const run = async (label: string, items: AsyncIterable<SourceItem>) => {
    try {
      stopIfAborted(req.signal, writer.scanId);
      const r = await ingest(req.signal ? untilAborted(items, req.signal, writer.scanId) : items, req.catalogue.matcher, writer, events.onObservation, dismissed);
      read += r.read;
      matched += r.matched;
    } catch (e) {
      // interrupted: interrupt() keeps only what a cursor or a finished input covers
      if (e instanceof ScanInterruptedError) throw e;
      writer.endSource();
      // Missing or refused credentials end the command: nothing could be read from that source.
      if (e instanceof SourceAuthError) throw e;
      if (source.isAuthError?.(e)) throw new SourceAuthError(`${source.id}: ${(e as Error).message}`);
      // An API endpoint that cannot be reached or is not trusted ends this source with one message.
      if (e instanceof EndpointError) {
        report({ input: label, message: `${source.id}: ${e.message}`, partial: true });
        return;
      }
      // A collector bug or an I/O error on one input must not lose the others: record and go on.
      report({ input: label, message: `unexpected error: ${(e as Error).message}`, partial: true });
    }
  };
  if (source.kind === "live") {
    events.onPhase?.(source.id, undefined, "users");
    await run(`${source.id} API`, source.collect([], ctx));
    return { source: source.id, inputs: 0, read, matched };
  }
  const { files, problems } = source.directories ? passDirectories(job.inputs, source.accept) : expandInputs(job.inputs, source.accept ?? (() => true));
  for (const p of problems) report({ input: p.path, message: p.reason, partial: false });
  if (source.perFile) {
    events.onPhase?.(source.id, files.length, "files");
    for (const [i, f] of files.entries()) {
      await run(f, source.collect([f], ctx));
      events.onProgress?.(i + 1);
    }
  } else if (files.length > 0) {
    events.onPhase?.(source.id, files.length, "files");
    await run(files.join(", "), source.collect(files, ctx));
  }
  return { source: source.id, inputs: files.length, read, matched };
}

/** Inputs of a source that walks directories itself: directories as they are, files through expandInputs. */
function passDirectories(inputs: readonly string[], accept: Source["accept"]): ReturnType<typeof expandInputs> {
  const dirs: string[] = [];
  const rest: string[] = [];
  for (const p of inputs) {
    try {
      (statSync(p).isDirectory() ? dirs : rest).push(p);
    } catch {
      rest.push(p); // expandInputs says why it cannot be read
    }
  }
  const r = expandInputs(rest, accept ?? (() => true));
  return { files: [...dirs, ...r.files], problems: r.problems };
}
