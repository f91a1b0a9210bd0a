/**
 * Governance: the human decisions about each AI system record (owner, purpose, sanction status,
 * attested use, oversight, impact assessment, class override). Kept in their own table, written only
 * by `review`, never by a scan; every change is journaled with who, when, old value, new value and
 * why, and a change that changes nothing writes nothing.
 */
import { DECIDING_STATUSES, SUSPECTED_PREFIX, type DecidedFacts, type Governance, type SanctionStatus } from "../core/finding.js";
import type { AiActTier } from "../core/service.js";
import type { DB } from "./db.js";

/** The fields `review` can set. */
export interface GovernanceChange {
  owner?: string | null;
  status?: SanctionStatus;
  purpose?: string | null;
  purposeTags?: string[];
  exposure?: string | null;
  oversight?: string | null;
  fria?: string | null;
  /** A reviewer's class; `null` removes an override. Needs `why`. */
  classOverride?: { tier: AiActTier; why: string } | null;
  /** Agents: escalation owner, decisions it may take unsupervised, decisions that need a human, rollback procedure. */
  escalationOwner?: string | null;
  unsupervisedDecisions?: string | null;
  humanDecisions?: string | null;
  rollback?: string | null;
}

/** One journal entry: one field changed by one person at one time. */
export interface JournalEntry {
  systemId: string;
  at: string;
  by: string;
  field: string;
  old: string | null;
  new: string | null;
  why: string | null;
}

interface Row {
  system_id: string;
  owner: string | null;
  status: SanctionStatus;
  purpose: string | null;
  purpose_tags: string;
  exposure: string | null;
  oversight: string | null;
  fria: string | null;
  class_override: AiActTier | null;
  override_why: string | null;
  decided_facts: string | null;
  escalation_owner: string | null;
  unsupervised_decisions: string | null;
  human_decisions: string | null;
  rollback: string | null;
  updated_at: string;
}

/** The governance of a record that nobody reviewed yet. */
export function emptyGovernance(): Governance {
  return { owner: null, status: "unreviewed", purpose: null, purposeTags: [], exposure: null, oversight: null, fria: null, classOverride: null, updatedAt: null };
}

function fromRow(r: Row): Governance {
  return {
    owner: r.owner,
    status: r.status,
    purpose: r.purpose,
    purposeTags: JSON.parse(r.purpose_tags) as string[],
    exposure: r.exposure,
    oversight: r.oversight,
    fria: r.fria,
    classOverride: r.class_override ? { tier: r.class_override, why: r.override_why ?? "" } : null,
    decidedFacts: r.decided_facts ? (JSON.parse(r.decided_facts) as DecidedFacts) : null,
    // the agent fields only where set: a service's governance looks as it always did
    ...(r.escalation_owner !== null ? { escalationOwner: r.escalation_owner } : {}),
    ...(r.unsupervised_decisions !== null ? { unsupervisedDecisions: r.unsupervised_decisions } : {}),
    ...(r.human_decisions !== null ? { humanDecisions: r.human_decisions } : {}),
    ...(r.rollback !== null ? { rollback: r.rollback } : {}),
    updatedAt: r.updated_at,
  };
}

/** Every record's governance, by record id. */
export function readGovernance(db: DB): Map<string, Governance> {
  const rows = db.prepare("SELECT * FROM governance").all() as Row[];
  return new Map(rows.map((r) => [r.system_id, fromRow(r)]));
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v));

/**
 * Apply `change` to record `systemId` as person `by`, with the reason `why`, in one transaction.
 * Only fields whose value differs are written and journaled.
 * @returns the journal entries written (empty when nothing changed).
 */
export function updateGovernance(db: DB, systemId: string, change: GovernanceChange, by: string, why: string | null, now = new Date().toISOString()): JournalEntry[] {
  return db
    .transaction((): JournalEntry[] => {
      const row = db.prepare("SELECT * FROM governance WHERE system_id = ?").get(systemId) as Row | undefined;
      const cur = row ? fromRow(row) : emptyGovernance();
      const next: Governance = { ...cur };
      const entries: JournalEntry[] = [];
      const set = <K extends keyof GovernanceChange>(field: K, journalName: string, oldV: unknown, newV: unknown, apply: () => void) => {
        if (change[field] === undefined || text(oldV) === text(newV)) return;
        apply();
        entries.push({ systemId, at: now, by, field: journalName, old: text(oldV), new: text(newV), why });
      };
      set("owner", "owner", cur.owner, change.owner, () => (next.owner = change.owner ?? null));
      set("status", "status", cur.status, change.status, () => (next.status = change.status!));
      set("purpose", "purpose", cur.purpose, change.purpose, () => (next.purpose = change.purpose ?? null));
      const tags = change.purposeTags ? [...new Set(change.purposeTags)].sort() : undefined;
      set("purposeTags", "use", cur.purposeTags, tags, () => (next.purposeTags = tags!));
      set("exposure", "exposure", cur.exposure, change.exposure, () => (next.exposure = change.exposure ?? null));
      set("oversight", "oversight", cur.oversight, change.oversight, () => (next.oversight = change.oversight ?? null));
      set("fria", "fria", cur.fria, change.fria, () => (next.fria = change.fria ?? null));
      set("escalationOwner", "escalation_owner", cur.escalationOwner ?? null, change.escalationOwner, () => (next.escalationOwner = change.escalationOwner ?? null));
      set("unsupervisedDecisions", "unsupervised_decisions", cur.unsupervisedDecisions ?? null, change.unsupervisedDecisions, () => (next.unsupervisedDecisions = change.unsupervisedDecisions ?? null));
      set("humanDecisions", "human_decisions", cur.humanDecisions ?? null, change.humanDecisions, () => (next.humanDecisions = change.humanDecisions ?? null));
      set("rollback", "rollback", cur.rollback ?? null, change.rollback, () => (next.rollback = change.rollback ?? null));
      const oldClass = cur.classOverride?.tier ?? null;
      const newClass = change.classOverride === undefined ? undefined : (change.classOverride?.tier ?? null);
      set("classOverride", "class", oldClass, newClass, () => (next.classOverride = change.classOverride ?? null));
      // a status that is no decision forgets what the last decision was about
      if (!DECIDING_STATUSES.includes(next.status)) next.decidedFacts = null;
      if (entries.length === 0) return entries;
      db.prepare(
        `INSERT INTO governance (system_id, owner, status, purpose, purpose_tags, exposure, oversight, fria, class_override, override_why, decided_facts,
           escalation_owner, unsupervised_decisions, human_decisions, rollback, updated_at)
         VALUES (@id, @owner, @status, @purpose, @tags, @exposure, @oversight, @fria, @cls, @clsWhy, @facts, @escalation, @unsupervised, @human, @rollback, @now)
         ON CONFLICT (system_id) DO UPDATE SET owner = @owner, status = @status, purpose = @purpose, purpose_tags = @tags,
           exposure = @exposure, oversight = @oversight, fria = @fria, class_override = @cls, override_why = @clsWhy, decided_facts = @facts,
           escalation_owner = @escalation, unsupervised_decisions = @unsupervised, human_decisions = @human, rollback = @rollback, updated_at = @now`,
      ).run({
        id: systemId, owner: next.owner, status: next.status, purpose: next.purpose, tags: JSON.stringify(next.purposeTags),
        exposure: next.exposure, oversight: next.oversight, fria: next.fria, cls: next.classOverride?.tier ?? null,
        clsWhy: next.classOverride?.why ?? null, facts: next.decidedFacts ? JSON.stringify(next.decidedFacts) : null,
        escalation: next.escalationOwner ?? null, unsupervised: next.unsupervisedDecisions ?? null, human: next.humanDecisions ?? null, rollback: next.rollback ?? null, now,
      });
      const journal = db.prepare(
        "INSERT INTO governance_journal (system_id, at, by, field, old_value, new_value, why) VALUES (?, ?, ?, ?, ?, ?, ?)",
      );
      for (const e of entries) journal.run(e.systemId, e.at, e.by, e.field, e.old, e.new, e.why);
      return entries;
    })
    .immediate();
}

/** The journal of one record, oldest first. */
export function governanceHistory(db: DB, systemId: string): JournalEntry[] {
  return (
    db
      .prepare("SELECT system_id, at, by, field, old_value, new_value, why FROM governance_journal WHERE system_id = ? ORDER BY at, id")
      .all(systemId) as { system_id: string; at: string; by: string; field: string; old_value: string | null; new_value: string | null; why: string | null }[]
  ).map((r) => ({ systemId: r.system_id, at: r.at, by: r.by, field: r.field, old: r.old_value, new: r.new_value, why: r.why }));
}

/**
 * Suspicion keys a person dismissed: the `suspected:<key>` records (any org unit) whose status is
 * `dismissed`. A scan stops reporting them and the inventory hides what was stored before.
 */
export function dismissedKeys(governance: ReadonlyMap<string, Governance>): Set<string> {
  const out = new Set<string>();
  for (const [id, g] of governance) {
    if (g.status === "dismissed" && id.startsWith(SUSPECTED_PREFIX)) out.add(id.slice(SUSPECTED_PREFIX.length).replace(/@[^@]*$/, ""));
  }
  return out;
}

/**
 * Whether a person's decision covers the record as it is now: its status is a deciding one and
 * its users, scopes and class are within what was decided on. New users, wider scopes or another
 * class make the record news again.
 */
export function decisionCovers(g: Governance | undefined, now: DecidedFacts): boolean {
  if (!g || !DECIDING_STATUSES.includes(g.status)) return false;
  const d = g.decidedFacts;
  if (!d) return false;
  const within = (xs: readonly string[], ys: readonly string[]) => xs.every((x) => ys.includes(x));
  return d.tier === now.tier && within(now.users, d.users) && within(now.scopes, d.scopes);
}

/**
 * Journal an action taken on a record (a remediation step), with who, when and why: it changes no
 * governance field, and is shown with the record's history like every change.
 */
export function journalAction(db: DB, systemId: string, e: { by: string; field: string; value: string; why: string | null; at?: string }): JournalEntry {
  const entry: JournalEntry = { systemId, at: e.at ?? new Date().toISOString(), by: e.by, field: e.field, old: null, new: e.value, why: e.why };
  db.prepare("INSERT INTO governance_journal (system_id, at, by, field, old_value, new_value, why) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
    entry.systemId, entry.at, entry.by, entry.field, entry.old, entry.new, entry.why,
  );
  return entry;
}

/**
 * Remember what a decision is about: when record `systemId` has a deciding status (sanctioned,
 * tolerated, blocked, dismissed), store `facts` (its users, scopes and class as they are after the
 * review) so that alerts stay quiet until they change. Call it after {@link updateGovernance}, with
 * the record rebuilt from the new governance. `reaffirmed`: the person set the status it already had
 * and nothing else changed, i.e. acknowledged facts that changed since; that is journaled as
 * `acknowledged`.
 * @returns the journal entry written, if any.
 */
export function recordDecision(db: DB, systemId: string, facts: DecidedFacts, by: string, why: string | null, reaffirmed: boolean, now = new Date().toISOString()): JournalEntry | undefined {
  return db
    .transaction((): JournalEntry | undefined => {
      const row = db.prepare("SELECT status, decided_facts FROM governance WHERE system_id = ?").get(systemId) as { status: SanctionStatus; decided_facts: string | null } | undefined;
      if (!row || !DECIDING_STATUSES.includes(row.status)) return undefined;
      const next = JSON.stringify(facts);
      if (row.decided_facts === next) return undefined;
      db.prepare("UPDATE governance SET decided_facts = ? WHERE system_id = ?").run(next, systemId);
      if (!reaffirmed || row.decided_facts === null) return undefined;
      const entry: JournalEntry = { systemId, at: now, by, field: "acknowledged", old: row.decided_facts, new: next, why };
      db.prepare("INSERT INTO governance_journal (system_id, at, by, field, old_value, new_value, why) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
        entry.systemId, entry.at, entry.by, entry.field, entry.old, entry.new, entry.why,
      );
      return entry;
    })
    .immediate();
}
