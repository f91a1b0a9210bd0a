/**
 * Evidence rollups: traffic evidence (DNS, TLS, QUIC, HTTP and log lines) is stored as one row per
 * source × kind × person (or client address when the evidence names no person) × service × host ×
 * UTC day, with the number of events, the bytes where the source counts them, the first and last
 * time, and a bounded sample of references to the raw records (the first {@link SAMPLE_REFS} and
 * the last). An inventory needs per-day usage facts and a proof for each, not every line: the
 * store then grows with people, services and days, not with traffic (issue 20).
 *
 * Identity, grant, agent and endpoint evidence is not rolled up: each fact keeps its own row.
 *
 * How a rollup's count stays exact when evidence is read again:
 * - `add` (logs): the collector's cursors guarantee each line is read once; a rollup's new events
 *   are committed only together with the cursor position that covers them (src/store/ingest.ts).
 * - `file` (captures, whose evidence has frame numbers): the rollup is also per input, identified
 *   by the least content key (content-key.ts: the earliest record) of its evidence, and is replaced,
 *   not added to, when that input is read again (a rescan, or a copy under another name); it is
 *   committed when the input ends.
 * - `replace` (aggregates a SIEM computed, `count` set): the day's rollup is replaced by the
 *   latest aggregate of that day.
 */
import type { EvidenceRef, Observation, ObservationKind } from "../core/observation.js";
import type { Finding } from "../core/finding.js";
import { ownCopy } from "../core/own-copy.js";
import { keyOf } from "./content-key.js";

/** Kinds of evidence stored as rollups. */
export const ROLLUP_KINDS: ReadonlySet<ObservationKind> = new Set<ObservationKind>(["dns", "tls", "quic", "http", "log"]);

/** References kept per rollup besides the last: the first few (the row's own `ref` and `observation_refs`). */
export const SAMPLE_REFS = 3;

/** How a rollup's counts combine with what is stored (see the module comment). */
export type RollupMode = "add" | "file" | "replace";

/** Whether `o` is stored as part of a rollup. */
export function isRolledUp(o: Observation): boolean {
  return ROLLUP_KINDS.has(o.kind) || o.count !== undefined;
}

/** The mode of an observation that {@link isRolledUp}. */
export function rollupMode(o: Observation): RollupMode {
  if (o.count !== undefined) return "replace";
  return o.ref.frame !== undefined ? "file" : "add";
}

/** The UTC day (`YYYY-MM-DD`) of an ISO 8601 time; the first 10 characters when it does not parse. */
export function utcDay(time: string): string {
  // the form observations carry (`2026-11-22T04:52:52.123Z`, src/core/observation.ts): its own first 10 characters
  if (time.length === 24 && time.charCodeAt(23) === 90 /* Z */ && time.charCodeAt(10) === 84 /* T */) return time.slice(0, 10);
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : time.slice(0, 10);
}

/** The dimensions of a rollup, as stored (also what migration 13 computes from stored rows). */
export interface RollupDimensions {
  source: string;
  kind: string;
  user: string | null;
  client: string | null;
  serviceId: string;
  host: string | null;
  appName: string | null;
  day: string;
  /** `file` mode: the input's identity; empty otherwise. */
  part: string;
}

/** The canonical text of a rollup's dimensions: a NUL after each, the person or else the client. */
export function rollupText(d: RollupDimensions): string {
  return `rollup\u0000${d.source}\u0000${d.kind}\u0000${d.user ?? ""}\u0000${d.user ? "" : (d.client ?? "")}\u0000${d.serviceId}\u0000${d.host ?? d.appName ?? ""}\u0000${d.day}\u0000${d.part}\u0000`;
}

/** The stored key of a rollup: the day's start, then the digest of {@link rollupText} (the layout of content-key.ts). */
export function rollupKey(d: RollupDimensions): Buffer {
  return keyOf(`${d.day}T00:00:00.000Z`, rollupText(d));
}

/** A rollup being accumulated in memory before it is written. */
export interface PendingRollup {
  mode: RollupMode;
  /** {@link rollupText}: the map key. */
  text: string;
  dims: RollupDimensions;
  /** The first observation (its detail fields are the row's) and its finding. */
  first: Observation;
  finding: Finding;
  count: number;
  bytes: number | null;
  firstTime: string;
  lastTime: string;
  /** The first references, at most {@link SAMPLE_REFS}. */
  refs: EvidenceRef[];
  lastRef: EvidenceRef;
}

/** The dimensions of observation `o` with finding `f`; `part` is the input's identity in `file` mode. */
export function dimensionsOf(o: Observation, f: Finding, part: string): RollupDimensions {
  return {
    source: o.source, kind: o.kind, user: o.user ?? null, client: o.client ?? null, serviceId: f.serviceId,
    host: o.host ?? null, appName: o.appName ?? null, day: utcDay(o.time), part,
  };
}

/**
 * Start a rollup from its first observation. What it keeps (dimensions, the observation, its
 * finding, its reference) is copied ({@link detached}): a field cut from a log chunk would
 * otherwise keep the whole chunk alive for as long as the rollup waits to be written (measured:
 * 653 MB peak RSS on a 1 GB ssl.log with 14,000 rollups, against 260 MB for parsing and matching
 * alone). A rollup is kept until the next write (seconds), so the copy is made once per rollup.
 */
export function startRollup(mode: RollupMode, text: string, dims: RollupDimensions, o: Observation, f: Finding): PendingRollup {
  const first = detached(o);
  return {
    mode, text: ownCopy(text), dims: detached(dims), first, finding: detached(f), count: o.count ?? 1, bytes: o.bytes ?? null,
    firstTime: first.time, lastTime: o.lastTime === undefined ? first.time : ownCopy(o.lastTime), refs: [first.ref], lastRef: first.ref,
  };
}

/**
 * A shallow copy of `v` whose string fields, string lists (scopes, ALPN, DNS answers) and `ref`
 * strings are {@link ownCopy} copies.
 */
function detached<T extends object>(v: T): T {
  // a spread keeps the source's shape (V8 clones the object with its hidden class); only existing
  // properties are then set, so the copy stays a fast object. Built key by key, an observation of
  // 25 fields became a dictionary-mode object several times larger, which the scavenger copied
  // for as long as the rollup waited to be written.
  const out = { ...v } as Record<string, unknown>;
  for (const k in out) {
    const x = out[k];
    if (typeof x === "string") out[k] = ownCopy(x);
    else if (Array.isArray(x)) out[k] = x.map((e: unknown) => (typeof e === "string" ? ownCopy(e) : e));
    else if (k === "ref" && typeof x === "object" && x !== null) out[k] = keptRef(x as EvidenceRef);
  }
  return out as T;
}

/** The file name {@link keptRef} last copied (its own copy): every line of a log names the same file. */
let lastFileCopy: string | undefined;

/** A reference kept past its chunk (see {@link startRollup}). */
function keptRef(ref: EvidenceRef): EvidenceRef {
  const out: EvidenceRef = { ...ref };
  if (out.file !== undefined) {
    // compared by value: the copy holds no reference to whatever string the name was cut from
    if (out.file !== lastFileCopy) lastFileCopy = ownCopy(out.file);
    out.file = lastFileCopy;
  }
  if (out.api !== undefined) out.api = ownCopy(out.api);
  if (out.id !== undefined) out.id = ownCopy(out.id);
  return out;
}

/** Add observation `o` to rollup `r` (same dimensions), copying what it keeps (see {@link startRollup}). An aggregate (`replace`) replaces it. */
export function addToRollup(r: PendingRollup, o: Observation, f: Finding): void {
  if (r.mode === "replace") {
    Object.assign(r, startRollup("replace", r.text, r.dims, o, f));
    return;
  }
  r.count += o.count ?? 1;
  if (o.bytes !== undefined) r.bytes = (r.bytes ?? 0) + o.bytes;
  const last = o.lastTime ?? o.time;
  if (o.time < r.firstTime) {
    r.first = detached(o);
    r.firstTime = r.first.time;
    r.finding = detached(f);
  }
  if (last >= r.lastTime) {
    r.lastTime = ownCopy(last);
    r.lastRef = keptRef(o.ref);
  }
  if (r.refs.length < SAMPLE_REFS) r.refs.push(keptRef(o.ref));
}

/** Merge rollup `b` (read later) into `a` (same dimensions and mode); what `a` takes from `b` is copied. */
export function mergeRollups(a: PendingRollup, b: PendingRollup): void {
  // a later read of the same aggregate, or of the same input, replaces the earlier one (its own copies: startRollup)
  if (a.mode !== "add") return void Object.assign(a, b);
  a.count += b.count;
  if (b.bytes !== null) a.bytes = (a.bytes ?? 0) + b.bytes;
  if (b.firstTime < a.firstTime) {
    a.first = detached(b.first);
    a.firstTime = a.first.time;
    a.finding = detached(b.finding);
  }
  if (b.lastTime >= a.lastTime) {
    a.lastTime = ownCopy(b.lastTime);
    a.lastRef = keptRef(b.lastRef);
  }
  for (const ref of b.refs) if (a.refs.length < SAMPLE_REFS) a.refs.push(keptRef(ref));
}
