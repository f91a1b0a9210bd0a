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

/**
 * `audit` with every user and client in the evidence replaced by `pseudonym(identity)` (the same
 * function the records went through, so they join). Reviewers in the journal stay in clear, like
 * the owner; capture and log file names in references stay (an auditor needs them).
 */
export function pseudonymizeAudit(audit: AuditTrail, pseudonym: (identity: string) => string): Map<string, RecordAudit> {
  const out = new Map<string, RecordAudit>();
  for (const [id, a] of audit) {
    out.set(id, {
      journal: a.journal,
      evidence: a.evidence.map((e) => ({ ...e, user: e.user === null ? null : pseudonym(e.user), client: e.client === null ? null : pseudonym(e.client) })),
    });
  }
  return out;
}
