/**
 * Writing a scan: a row in `scans`, then matched observations in batches, one transaction per
 * batch, inserted with `INSERT OR IGNORE` on the content key so a rescan changes nothing.
 * A killed process loses at most the batch in flight; every committed batch stays.
 */
import type { Statement, Transaction } from "better-sqlite3";
import type { AgentFacts } from "../core/agent.js";
import { mergeMcpFacts, type McpServerFacts } from "../core/mcp.js";
import type { CursorStore, InputError, InputWarning } from "../core/collector.js";
import type { Finding } from "../core/finding.js";
import type { Observation } from "../core/observation.js";
import { contentKey } from "./content-key.js";
import type { DB } from "./db.js";
import { addToRollup, dimensionsOf, isRolledUp, mergeRollups, rollupKey, rollupMode, rollupText, SAMPLE_REFS, startRollup, type PendingRollup } from "./rollup.js";

/** Observations per transaction: large enough to amortise the commit, small enough to lose little. */
export const BATCH_SIZE = 2000;

/**
 * Longest time rollups covered by a cursor wait before they are written, in ms: a killed scan loses
 * (and reads again) at most this much. Each write updates every rollup touched since the last one,
 * so its cost grows with the rollups active at once (an office's people × services), not with
 * lines: every 5 s, a 1 GB Squid log with 54,000 daily rollups wrote each about 5 times; every
 * second, or at 2,000 pending, each about 25 to 100 times, and storing cost twice parsing and matching.
 */
export const ROLLUP_FLUSH_MS = 5000;

/** Rollups waiting to be written before a write is forced (about 1 KB each: at most ~50 MB). */
export const MAX_PENDING_ROLLUPS = 50_000;

/** Rollup rows a {@link ScanWriter} remembers having written (about 200 bytes each), before it starts over. */
const WRITTEN_ROLLUPS = 100_000;
/** Entries of the per-scan person cache before it is cleared (it only saves rewriting unchanged directory facts). */
const MAX_SEEN_PEOPLE = 50_000;

/** Warnings kept per scan (each already stands for a count of records). */
export const MAX_WARNINGS = 1000;

export interface ScanCounts {
  /** Observations the collectors produced. */
  read: number;
  /** Of which matched a signature. */
  matched: number;
  /** Of which were not stored before. */
  inserted: number;
}

/** One scan's writer. Call {@link add} per observation, then {@link finish}. */
export class ScanWriter {
  readonly scanId: number;
  readonly counts: ScanCounts = { read: 0, matched: 0, inserted: 0 };
  /**
   * Rollups (src/store/rollup.ts) in memory. `open`: `add`-mode events read since the source last
   * set a cursor, which may be read again if the scan stops now; `openFile`: the current input's
   * `file`-mode rollups, complete only when the input ends; `pending`: ready to be written.
   */
  private open = new Map<string, PendingRollup>();
  private openFile = new Map<string, PendingRollup>();
  private pending = new Map<string, PendingRollup>();
  /** The input (`ref.file`) whose `file`-mode rollups are in `openFile`, and its identity. */
  private currentFile: string | undefined;
  private currentPart: Buffer | undefined;
  /** Whether the current source set a cursor: its `add`-mode events are then written only with a cursor that covers them. */
  private cursorsUsed = false;
  /**
   * Whether every event in `open` is covered by the source's latest cursor (none was added since it
   * was set). `open` is moved into `pending` only when it is, at the next write: a rollup then sums a
   * few seconds of reading in memory instead of being merged once per chunk.
   */
  private openCovered = true;
  /** Set while a write must leave the cursors for later: `open` holds events they cover (see {@link flush}). */
  private holdCursors = false;
  private lastFlush = Date.now();
  private readonly rollups: { write(rows: Iterable<PendingRollup>): number; forget(): void };
  readonly errors: InputError[] = [];
  /** Warnings: shown and kept with the scan, never a failure (at most {@link MAX_WARNINGS} kept). */
  readonly warnings: InputWarning[] = [];
  private batch: [Observation, Finding][] = [];
  /** Directory facts (department, job title) per user seen in this scan, written with the next batch. */
  private pendingPeople = new Map<string, { department: string | null; jobTitle: string | null }>();
  private readonly seenPeople = new Map<string, string>();
  /** Cursor values set since the last flush, by `source\u0000key`: committed with the next batch. */
  private pendingCursors = new Map<string, { source: string; key: string; value: string }>();
  /** Agents read since the last flush, by record id: upserted with the next batch (see {@link addAgent}). */
  private pendingAgents = new Map<string, AgentFacts>();
  /** MCP servers read since the last flush, by record id (see {@link addMcpServer}). */
  private pendingMcp = new Map<string, McpServerFacts>();
  private readonly insert: Statement;
  private readonly flushTx: Transaction<(rows: [Observation, Finding][]) => number>;

  constructor(
    private readonly db: DB,
    command: string,
    inputs: string[],
    /** The configuration file the scan runs with (absolute path), recorded with the scan. */
    config?: string,
  ) {
    const info = db
      .prepare("INSERT INTO scans (started_at, command, inputs, status, config) VALUES (?, ?, ?, 'running', ?)")
      .run(new Date().toISOString(), command, JSON.stringify(inputs), config ?? null);
    this.scanId = Number(info.lastInsertRowid);
    this.insert = db.prepare(`INSERT OR IGNORE INTO observations (
      content_key, scan_id, source, kind, time, host, client, server, port, user, department, job_title,
      client_id, app_id, app_name, publisher, scopes, consent_type, user_agent, method, path, alpn, qtype,
      action, ref, service_id, match_field, matched, confidence
      , last_scan_id, last_time
    ) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    const putCursor = db.prepare(
      "INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    );
    const putPerson = db.prepare(
      `INSERT INTO people (user, department, job_title, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user) DO UPDATE SET department = COALESCE(excluded.department, department),
         job_title = COALESCE(excluded.job_title, job_title), updated_at = excluded.updated_at`,
    );
    // Evidence already stored is not inserted again; it is marked as seen again by this scan.
    const seenAgain = db.prepare("UPDATE observations SET last_scan_id = ? WHERE content_key = ?");
    // ... and when it was read from another place (a copy under another name), that place is kept too
    const otherRef = db.prepare(
      "INSERT OR IGNORE INTO observation_refs (observation_id, ref) SELECT id, ? FROM observations WHERE content_key = ? AND ref <> ?",
    );
    // agents: the facts as last read, never deleted; a change of facts is kept in agent_history
    const agentFacts = db.prepare("SELECT facts FROM agents WHERE id = ?").pluck();
    const putAgent = db.prepare(
      `INSERT INTO agents (id, platform, source, external_id, name, facts, first_scan_id, last_scan_id, updated_at)
       VALUES (@id, @platform, @source, @externalId, @name, @facts, @scan, @scan, @now)
       ON CONFLICT (id) DO UPDATE SET platform = @platform, source = @source, external_id = @externalId, name = @name,
         facts = @facts, last_scan_id = @scan, updated_at = @now`,
    );
    const agentHistory = db.prepare("INSERT INTO agent_history (agent_id, scan_id, facts) VALUES (?, ?, ?)");
    // MCP servers: installs merged with the stored ones (a scan of other hosts adds, never replaces)
    const mcpFacts = db.prepare("SELECT facts FROM mcp_servers WHERE id = ?").pluck();
    const putMcp = db.prepare(
      `INSERT INTO mcp_servers (id, source, name, facts, first_scan_id, last_scan_id, updated_at) VALUES (@id, @source, @name, @facts, @scan, @scan, @now)
       ON CONFLICT (id) DO UPDATE SET source = @source, name = @name, facts = @facts, last_scan_id = @scan, updated_at = @now`,
    );
    const mcpHistory = db.prepare("INSERT INTO mcp_server_history (server_id, scan_id, facts) VALUES (?, ?, ?)");
    this.rollups = rollupWriter(db, this.scanId);
    this.flushTx = db.transaction((rows: [Observation, Finding][]) => {
      let n = 0;
      for (const [o, f] of rows) {
        const row = toRow(this.scanId, o, f);
        const inserted = this.insert.run(...row, o.time).changes;
        if (inserted === 0) {
          seenAgain.run(this.scanId, row[0]);
          if (o.ref.file !== undefined) otherRef.run(row[24], row[0], row[24]);
        }
        n += inserted;
      }
      n += this.rollups.write(this.pending.values());
      this.pending.clear();
      const stamp = new Date().toISOString();
      for (const [user, p] of this.pendingPeople) putPerson.run(user, p.department, p.jobTitle, stamp);
      this.pendingPeople.clear();
      const now = new Date().toISOString();
      if (!this.holdCursors) {
        for (const c of this.pendingCursors.values()) putCursor.run(c.source, c.key, c.value, now);
        this.pendingCursors.clear();
      }
      for (const a of this.pendingAgents.values()) {
        const facts = JSON.stringify(a);
        const before = agentFacts.get(a.id) as string | undefined;
        putAgent.run({ id: a.id, platform: a.platform, source: a.source, externalId: a.externalId, name: a.name, facts, scan: this.scanId, now });
        if (before !== facts) agentHistory.run(a.id, this.scanId, facts);
      }
      this.pendingAgents.clear();
      for (const m of this.pendingMcp.values()) {
        const before = mcpFacts.get(m.id) as string | undefined;
        const facts = JSON.stringify(mergeMcpFacts(before === undefined ? undefined : (JSON.parse(before) as McpServerFacts), m));
        putMcp.run({ id: m.id, source: m.source, name: m.name, facts, scan: this.scanId, now });
        if (before !== facts) mcpHistory.run(m.id, this.scanId, facts);
      }
      this.pendingMcp.clear();
      return n;
    });
  }

  /**
   * Count an observation that matched nothing. It is not stored, but the department and job title
   * it carries for its user are: they attribute that user's AI use to an organisational unit.
   */
  skip(o?: Observation): void {
    this.counts.read++;
    if (o) this.person(o);
  }

  /** Count `n` observations a source read and dropped because they matched nothing (src/pipeline/keep.ts). */
  skipped(n: number): void {
    this.counts.read += n;
  }

  private person(o: Observation): void {
    if (!o.user || (!o.department && !o.jobTitle)) return;
    const sig = `${o.department ?? ""}\u0000${o.jobTitle ?? ""}`;
    if (this.seenPeople.get(o.user) === sig) return;
    if (this.seenPeople.size >= MAX_SEEN_PEOPLE) this.seenPeople.clear();
    this.seenPeople.set(o.user, sig);
    this.pendingPeople.set(o.user, { department: o.department ?? null, jobTitle: o.jobTitle ?? null });
  }

  /** Queue a matched observation; writes a batch when {@link BATCH_SIZE} are queued. */
  add(o: Observation, f: Finding): void {
    this.counts.read++;
    this.counts.matched++;
    this.person(o);
    if (isRolledUp(o)) this.roll(o, f);
    else this.batch.push([o, f]);
    if (this.batch.length >= BATCH_SIZE || this.pending.size >= MAX_PENDING_ROLLUPS) this.flush();
  }

  /**
   * Write what is queued and may be written now, in one transaction: the facts, the rollups a cursor
   * or a finished input covers, and the cursors. Between two cursors, when `open` holds events the
   * pending cursors cover mixed with later ones (it moves to `pending` only once all are covered),
   * the cursors wait with them for the next write; the facts are written now (a fact read again is
   * stored once, by its content key).
   */
  flush(): void {
    if (!this.cursorsUsed || this.open.size === 0) return this.write();
    if (this.openCovered) {
      this.promote(this.open);
      return this.write();
    }
    this.holdCursors = true;
    try {
      this.write();
    } finally {
      this.holdCursors = false;
    }
  }

  /** Add traffic evidence to its rollup in memory (see src/store/rollup.ts for when it is written). */
  private roll(o: Observation, f: Finding): void {
    const mode = rollupMode(o);
    let into = this.open;
    if (mode === "replace") into = this.pending;
    else if (mode === "file") {
      if (o.ref.file !== this.currentFile) {
        this.endInput();
        this.currentFile = o.ref.file;
      }
      // an input is known by its least content key (its earliest record), whatever the reading order and
      // the file name: a copy is the same input; the rollups get it when the input ends (endInput)
      const k = contentKey(o);
      if (this.currentPart === undefined || Buffer.compare(k, this.currentPart) < 0) this.currentPart = k;
      into = this.openFile;
    }
    const dims = dimensionsOf(o, f, "");
    const text = rollupText(dims);
    if (into === this.open) this.openCovered = false;
    const r = into.get(text);
    if (r) addToRollup(r, o, f);
    else {
      // keyed by the rollup's own copy of the text: `text` is built of slices of the chunk it was read from
      const started = startRollup(mode, text, dims, o, f);
      into.set(started.text, started);
    }
  }

  /** Move rollups from `from` into `pending`, merging with those of the same dimensions. */
  private promote(from: Map<string, PendingRollup>): void {
    for (const [text, r] of from) {
      const p = this.pending.get(text);
      if (p) mergeRollups(p, r);
      else this.pending.set(text, r);
    }
    from.clear();
  }

  /** The current input of `file`-mode evidence ended: its rollups are complete. */
  private endInput(): void {
    const part = this.currentPart?.toString("hex") ?? "";
    for (const r of this.openFile.values()) {
      r.dims.part = part;
      r.text = rollupText(r.dims);
      const p = this.pending.get(r.text);
      if (p) mergeRollups(p, r);
      else this.pending.set(r.text, r);
    }
    this.openFile.clear();
    this.currentFile = undefined;
    this.currentPart = undefined;
  }

  /**
   * The current source ended (src/pipeline/ingest.ts calls this): its last input's rollups are
   * complete, and so are its `add`-mode ones when it keeps no cursors.
   */
  endSource(): void {
    this.endInput();
    if (!this.cursorsUsed || this.openCovered) this.promote(this.open);
    else this.dropUncovered();
    this.openCovered = true;
    this.cursorsUsed = false;
    this.write();
  }

  /**
   * Queue an agent's facts (src/core/agent.ts): upserted into `agents` with the next batch, in the
   * same transaction as the evidence queued before it; `agent_history` gets the facts when they
   * differ from the stored ones. Nothing is ever deleted.
   */
  addAgent(a: AgentFacts): void {
    this.pendingAgents.set(a.id, a);
  }

  /** Record a warning; it goes into the scan row's `warnings` and never makes the scan partial. */
  warning(w: InputWarning): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(w);
  }

  /**
   * Queue an MCP server's facts (src/core/mcp.ts): merged into `mcp_servers` with the next batch,
   * in the same transaction as its evidence; `mcp_server_history` gets the facts when they change.
   */
  addMcpServer(m: McpServerFacts): void {
    const queued = this.pendingMcp.get(m.id);
    this.pendingMcp.set(m.id, queued ? mergeMcpFacts(queued, m) : m);
  }

  /** Record an input problem; it goes into the scan row's `errors`. */
  error(e: InputError): void {
    this.errors.push(e);
  }

  /**
   * The cursor store of one source for this scan: `get` sees committed values (and this scan's own
   * pending ones); `set` is committed with the next batch, in the same transaction.
   */
  cursors(source: string): CursorStore {
    const read = this.db.prepare("SELECT value FROM cursors WHERE source = ? AND key = ?").pluck();
    return {
      get: (key) => this.pendingCursors.get(`${source}\u0000${key}`)?.value ?? (read.get(source, key) as string | undefined),
      set: (key, value) => {
        // the events read up to this position are covered by it: they are written with it
        this.cursorsUsed = true;
        this.openCovered = true;
        this.pendingCursors.set(`${source}\u0000${key}`, { source, key, value });
        if (Date.now() - this.lastFlush >= ROLLUP_FLUSH_MS || this.open.size >= MAX_PENDING_ROLLUPS) {
          this.promote(this.open);
          this.write();
        }
      },
    };
  }

  /**
   * `open` holds events read after the source's latest cursor, mixed with events that cursor covers:
   * both are dropped with the pending cursors, and the next scan reads them again from the last
   * cursor written (the facts queued with them are kept: stored once whatever is read again).
   */
  private dropUncovered(): void {
    this.open.clear();
    this.pendingCursors.clear();
    this.openCovered = true;
  }

  /** Write the queued batch, rollups and pending cursors in one transaction. */
  private write(): void {
    this.lastFlush = Date.now();
    if (this.batch.length === 0 && this.pending.size === 0 && this.pendingCursors.size === 0 && this.pendingPeople.size === 0 && this.pendingAgents.size === 0 && this.pendingMcp.size === 0) return;
    const rows = this.batch;
    this.batch = [];
    try {
      this.counts.inserted += this.flushTx.immediate(rows);
    } catch (e) {
      this.rollups.forget();
      throw e;
    }
  }

  /**
   * Write what is queued and close the scan row as `interrupted` (a person pressed Ctrl-C, or the
   * service manager sent SIGTERM): what was read before is kept, like a partial scan's, and `why`
   * is added to the scan's errors. A snapshot is not written for it, so `diff` and the next scan's
   * "no longer seen" ignore it.
   */
  interrupt(why: string): void {
    // rollups not yet covered by a cursor or a finished input are read again by the next scan
    if (this.cursorsUsed && this.openCovered) this.promote(this.open);
    else if (this.cursorsUsed) this.dropUncovered();
    this.open.clear();
    this.openFile.clear();
    this.currentFile = undefined;
    this.currentPart = undefined;
    this.write();
    this.db
      .prepare("UPDATE scans SET ended_at = ?, status = 'interrupted', records_read = ?, matched = ?, inserted = ?, errors = ?, warnings = ? WHERE id = ?")
      .run(
        new Date().toISOString(),
        this.counts.read,
        this.counts.matched,
        this.counts.inserted,
        JSON.stringify([...this.errors, { input: "scan", message: why, partial: true }]),
        JSON.stringify(this.warnings),
        this.scanId,
      );
  }

  /**
   * Write what is queued and close the scan row: `complete` when no input failed, `partial` when
   * some did (everything read before the failure is kept), `failed` when `fatal` is given.
   */
  finish(fatal?: Error): "complete" | "partial" | "failed" {
    if (!fatal) this.endSource();
    const status = fatal ? "failed" : this.errors.length > 0 ? "partial" : "complete";
    this.db
      .prepare("UPDATE scans SET ended_at = ?, status = ?, records_read = ?, matched = ?, inserted = ?, errors = ?, warnings = ? WHERE id = ?")
      .run(
        new Date().toISOString(),
        status,
        this.counts.read,
        this.counts.matched,
        this.counts.inserted,
        JSON.stringify(fatal ? [...this.errors, { input: "scan", message: fatal.message, partial: true }] : this.errors),
        JSON.stringify(this.warnings),
        this.scanId,
      );
    return status;
  }
}

function json(a: readonly string[] | undefined): string | null {
  return a && a.length > 0 ? JSON.stringify(a) : null;
}

/** The `observations` columns of `o` (content key first; `key` when the caller has it, or null for a caller that drops it). */
function toRow(scanId: number, o: Observation, f: Finding, key: Buffer | null = contentKey(o)): unknown[] {
  return [
    key, scanId, o.source, o.kind, o.time, o.host ?? null, o.client ?? null, o.server ?? null, o.port ?? null,
    o.user ?? null, o.department ?? null, o.jobTitle ?? null, o.clientId ?? null, o.appId ?? null, o.appName ?? null,
    o.publisher ?? null, json(o.scopes), o.consentType ?? null, o.userAgent ?? null, o.method ?? null, o.path ?? null,
    json(o.alpn), o.qtype ?? null, o.action ?? null, JSON.stringify(o.ref), f.serviceId, f.field, f.matched, f.confidence, scanId,
  ];
}

/**
 * The writer of rollups for scan `scanId`, to be called inside a transaction: a new rollup is
 * inserted; a stored one gets `add`-mode events added (count, bytes, first/last time, last
 * reference, sample references up to {@link SAMPLE_REFS}) or is replaced (`file`/`replace` mode).
 * @returns how many rollups were new.
 */
function rollupWriter(db: DB, scanId: number): { write(rows: Iterable<PendingRollup>): number; forget(): void } {
  const find = db.prepare("SELECT id FROM observations WHERE content_key = ?").pluck();
  const insert = db.prepare(`INSERT INTO observations (
      content_key, scan_id, source, kind, time, host, client, server, port, user, department, job_title,
      client_id, app_id, app_name, publisher, scopes, consent_type, user_agent, method, path, alpn, qtype,
      action, ref, service_id, match_field, matched, confidence, last_scan_id, count, bytes, last_time, last_ref
    ) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const add = db.prepare(`UPDATE observations SET count = count + @count,
      bytes = CASE WHEN @bytes IS NULL THEN bytes ELSE COALESCE(bytes, 0) + @bytes END,
      time = MIN(time, @first), last_ref = CASE WHEN @last >= last_time THEN @lastRef ELSE last_ref END,
      last_time = MAX(last_time, @last), last_scan_id = @scan WHERE id = @id`);
  const replace = db.prepare(`UPDATE observations SET time = ?, host = ?, client = ?, server = ?, port = ?, user = ?, department = ?,
      job_title = ?, client_id = ?, app_id = ?, app_name = ?, publisher = ?, scopes = ?, consent_type = ?, user_agent = ?, method = ?,
      path = ?, alpn = ?, qtype = ?, action = ?, ref = ?, match_field = ?, matched = ?, confidence = ?, last_scan_id = ?,
      count = ?, bytes = ?, last_time = ?, last_ref = ? WHERE id = ?`);
  const refCount = db.prepare("SELECT count(*) FROM observation_refs WHERE observation_id = ?").pluck();
  const addRef = db.prepare("INSERT OR IGNORE INTO observation_refs (observation_id, ref) VALUES (?, ?)");
  const dropRefs = db.prepare("DELETE FROM observation_refs WHERE observation_id = ?");
  const storedRef = db.prepare("SELECT ref FROM observations WHERE id = ?").pluck();
  const firstTime = db.prepare("SELECT time FROM observations WHERE id = ?").pluck();
  // The `add`-mode rows this scan wrote, by rollup text: their id and how many sample references they
  // hold, so that writing the same rollup again (every flush while its traffic goes on) needs neither
  // the key's digest, nor the lookup, nor the count of its references. Bounded: emptied when full.
  // Such a row already has this scan's id and its first time: the update touches no indexed column
  // (SQLite rewrites the entries of every index on a column an UPDATE sets), unless a line read later
  // is older than the row's first.
  const written = new Map<string, { id: number | bigint; refs: number; time: string }>();
  const remember = (r: PendingRollup, id: number | bigint, refs: number, time: string): void => {
    if (r.mode !== "add") return;
    if (written.size >= WRITTEN_ROLLUPS) written.clear();
    written.set(r.text, { id, refs, time });
  };
  const addKnown = db.prepare(`UPDATE observations SET count = count + @count,
      bytes = CASE WHEN @bytes IS NULL THEN bytes ELSE COALESCE(bytes, 0) + @bytes END,
      last_ref = CASE WHEN @last >= last_time THEN @lastRef ELSE last_ref END, last_time = MAX(last_time, @last) WHERE id = @id`);
  const earlier = db.prepare("UPDATE observations SET time = ? WHERE id = ?");
  const write = (rows: Iterable<PendingRollup>): number => {
    let inserted = 0;
    for (const r of rows) {
      const known = r.mode === "add" ? written.get(r.text) : undefined;
      if (known) {
        addKnown.run({ count: r.count, bytes: r.bytes, last: r.lastTime, lastRef: JSON.stringify(r.lastRef), id: known.id });
        if (r.firstTime < known.time) {
          earlier.run(r.firstTime, known.id);
          known.time = r.firstTime;
        }
        for (const ref of r.refs) if (known.refs < SAMPLE_REFS && addRef.run(known.id, JSON.stringify(ref)).changes > 0) known.refs++;
        continue;
      }
      const key = rollupKey(r.dims);
      const id = find.get(key) as number | undefined;
      const detail = toRow(scanId, r.first, r.finding, null).slice(4, 29); // the rollup's key is not the observation's
      detail[0] = r.firstTime; // time: the first event's
      detail[20] = JSON.stringify(r.refs[0]); // ref: the first reference
      const lastRef = JSON.stringify(r.lastRef);
      if (id === undefined) {
        const info = insert.run(key, scanId, r.first.source, r.first.kind, ...detail, scanId, r.count, r.bytes, r.lastTime, lastRef);
        for (const ref of r.refs.slice(1)) addRef.run(info.lastInsertRowid, JSON.stringify(ref));
        remember(r, info.lastInsertRowid, r.refs.length, r.firstTime);
        inserted++;
        continue;
      }
      if (r.mode === "add") {
        add.run({ count: r.count, bytes: r.bytes, first: r.firstTime, last: r.lastTime, lastRef, scan: scanId, id });
        let have = (refCount.get(id) as number) + 1;
        for (const ref of r.refs) if (have < SAMPLE_REFS && addRef.run(id, JSON.stringify(ref)).changes > 0) have++;
        remember(r, id, have, firstTime.get(id) as string);
      } else {
        const before = storedRef.get(id) as string;
        // detail without service_id (the key holds it): columns time .. ref, then match_field, matched, confidence
        replace.run(...detail.slice(0, 21), ...detail.slice(22, 25), scanId, r.count, r.bytes, r.lastTime, lastRef, id);
        // an aggregate's references are those of its latest export; an input read again (a copy under
        // another name) keeps where it was read before as well
        if (r.mode === "replace") dropRefs.run(id);
        else if (before !== detail[20]) addRef.run(id, before);
        for (const ref of r.refs.slice(1)) addRef.run(id, JSON.stringify(ref));
      }
    }
    return inserted;
  };
  // a transaction that failed wrote nothing: what it remembered is forgotten with it
  return { write, forget: () => written.clear() };
}
