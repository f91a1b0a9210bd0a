/**
 * The audit trail an export carries per record: the governance journal (who decided what, when,
 * why; src/store/governance.ts) and a bounded sample of the evidence with references to the raw
 * records (src/store/evidence.ts). The CLI reads it from the database and passes it to the JSON and
 * HTML exporters; the exporters never open the database themselves.
 */
import type { EvidenceItem } from "../src/store/evidence.js";
import type { JournalEntry } from "../src/store/governance.js";

/** The audit trail of one record. */
export interface RecordAudit {
  /** Governance journal, oldest first. */
  journal: readonly Omit<JournalEntry, "systemId">[];
  /** Evidence sample, newest first; at most 2 × {@link EVIDENCE_SAMPLE} items. */
  evidence: readonly EvidenceItem[];
}

/** Audit trails by record id; a record without an entry has an empty journal and no sample. */
export type AuditTrail = ReadonlyMap<string, RecordAudit>;

/** Observations kept per record from each end of its history (the earliest n and the latest n). */
export const EVIDENCE_SAMPLE = 5;

/** Most journal entries an export carries per record (the latest ones); a record's full history: `review --history`. */
export const MAX_JOURNAL = 500;

/** The empty audit trail of a record that has none. */
export const NO_AUDIT: RecordAudit = { journal: [], evidence: [] };

/**
 * The audit trail of each record in `ids`, read from `db`.
 * @param sources `governanceHistory` and `evidenceFor` (src/store), passed in so that this module
 *   loads no database code.
 * @param sample observations from each end of a record's history (default {@link EVIDENCE_SAMPLE}).
 */
export function readAuditTrail<D>(
  db: D,
  ids: Iterable<string>,
  sources: {
    governanceHistory: (db: D, id: string) => JournalEntry[];
    evidenceFor: (db: D, id: string, o: { sample: number }) => EvidenceItem[];
  },
  sample = EVIDENCE_SAMPLE,
): Map<string, RecordAudit> {
  const out = new Map<string, RecordAudit>();
  for (const id of ids) {
    const journal = sources.governanceHistory(db, id).slice(-MAX_JOURNAL).map(({ systemId: _, ...e }) => e);
    const evidence = sources.evidenceFor(db, id, { sample });
    out.set(id, { journal, evidence });
  }
  return out;
}

const EMAIL = /[A-Za-z0-9_%+-][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `audit` with every identity replaced by `pseudonym(identity)` (the function the records went
 * through, so they join): the evidence's users and clients, and wherever an identity or an e-mail
 * address appears in another string of the evidence (a per-user export file is named after the
 * user, a Google token id ends with the e-mail) or of the journal's old and new values and reasons.
 * Reviewers (`by`) and owner changes stay in clear, like the records' owners.
 */
export function pseudonymizeAudit(audit: AuditTrail, pseudonym: (identity: string) => string): Map<string, RecordAudit> {
  const identities = new Set<string>();
  for (const a of audit.values()) for (const e of a.evidence) for (const id of [e.user, e.client]) if (id) identities.add(id.trim());
  const ids = [...identities].filter(Boolean).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  // one pass, known identities first (longest first), then any e-mail address; an identity may be
  // followed by a file extension (a per-user export `carol@example.com.json`)
  const known = ids.length ? `(?<![\\w.@-])(?:${ids.map(escapeRegExp).join("|")})(?![\\w@-]|\\.(?!(?:json|jsonl|csv|log|txt)\\b)\\w)` : null;
  const sweep = new RegExp([known, EMAIL.source].filter((x) => x !== null).join("|"), "gi");
  const text = (s: string): string => s.replace(sweep, (m) => pseudonym(m));
  const opt = (s: string | null): string | null => (s === null ? null : text(s));
  const out = new Map<string, RecordAudit>();
  for (const [id, a] of audit) {
    out.set(id, {
      journal: a.journal.map((j) => (j.field === "owner" ? j : { ...j, old: opt(j.old), new: opt(j.new), why: opt(j.why) })),
      evidence: a.evidence.map((e) => ({
        ...e,
        user: e.user === null ? null : pseudonym(e.user),
        client: e.client === null ? null : pseudonym(e.client),
        host: opt(e.host),
        app: opt(e.app),
        action: opt(e.action),
        matched: text(e.matched),
        refs: e.refs.map((r) => ({ ...r, ...(r.file !== undefined ? { file: text(r.file) } : {}), ...(r.id !== undefined ? { id: text(r.id) } : {}) })),
      })),
    });
  }
  return out;
}
