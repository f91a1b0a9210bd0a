/**
 * CSV exports of the inventory (`inventory --format csv --out FILE`), RFC 4180
 * (https://www.rfc-editor.org/rfc/rfc4180): a header line, CRLF line ends, fields with a comma,
 * quote or line break enclosed in double quotes and quotes doubled; written by `csv-stringify`.
 * UTF-8 with a byte-order mark by default, so spreadsheet programs read non-ASCII names right.
 *
 * Formula injection (https://owasp.org/www-community/attacks/CSV_Injection): a text cell that
 * begins with `=`, `+`, `-`, `@`, tab or carriage return (or the full-width `＝＋－＠`) gets a
 * leading `'`, so a spreadsheet shows it as text and never evaluates it (csv-stringify's
 * `escape_formulas`). Numbers this module emits itself (risk score, counts) are never prefixed.
 *
 * Control characters and bidirectional overrides in text cells (a hostile app name that reorders
 * or hides itself in a reviewer's spreadsheet) become visible escapes, as in the terminal
 * (src/io/safe-text.ts).
 *
 * Lists inside one cell are joined with `; ` and are meant for people; the JSON export is the
 * lossless one.
 */
import { stringify } from "csv-stringify/sync";
import type { AISystemRecord } from "../src/core/finding.js";
import { safeText } from "../src/io/safe-text.js";

type Cell = string | number;

/** One column: its header and how a record fills it. */
export interface CsvColumn<T> {
  header: string;
  description: string;
  value: (row: T) => Cell;
}

const list = (xs: readonly string[]): string => xs.join("; ");
const obligationText = (o: AISystemRecord["classification"]["obligations"][number]): string =>
  `${o.citation} ${o.title}${o.status === "upcoming" ? ` (from ${o.appliesFrom})` : ""}${o.candidate ? " [candidate]" : ""}`;

type Roster = NonNullable<AISystemRecord["roster"]>;
/** A roster count, or an empty cell for a record without a roster section. */
const rosterCount = (r: AISystemRecord, f: (x: Roster) => number): Cell => (r.roster ? f(r.roster) : "");
const ROSTER_KINDS: [string, keyof Roster][] = [
  ["unused_seat", "unusedSeats"], ["no_seat", "noSeat"], ["orphaned_key", "orphanedKeys"], ["orphaned_service_account", "orphanedServiceAccounts"],
  ["stale_key", "staleKeys"], ["unsupervised_agent", "unsupervisedAgents"],
];
/** `unused_seat: user-bob bob@example.com, user-dee dee@example.com; stale_key: key_dee (sk-def...qrst)`: the first few of each kind. */
function rosterFirst(r: AISystemRecord): string {
  const x = r.roster;
  if (!x) return "";
  return ROSTER_KINDS.flatMap(([label, k]) => {
    const s = x[k] as Roster["unusedSeats"];
    if (s.first.length === 0) return [];
    const items = s.first.map((i) => `${i.id}${i.user && i.user !== i.id ? ` ${i.user}` : ""}${i.redacted ? ` (${i.redacted})` : ""}${i.ownerStatus ? ` [owner ${i.ownerStatus}]` : ""}`);
    return [`${label}: ${items.join(", ")}${s.count > s.first.length ? `, +${s.count - s.first.length}` : ""}`];
  }).join("; ");
}

/** Columns of `inventoryCsv`, in order. Documented here and in the reply to `--help`. */
export const RECORD_COLUMNS: readonly CsvColumn<AISystemRecord>[] = [
  { header: "id", description: "record id: `<service>` or `<service>@<org-unit>`", value: (r) => r.id },
  { header: "service_id", description: "catalogue id of the service", value: (r) => r.serviceId },
  { header: "name", description: "service name (catalogue)", value: (r) => r.name },
  { header: "vendor", description: "vendor (catalogue)", value: (r) => r.vendor },
  { header: "category", description: "service category (catalogue)", value: (r) => r.category },
  { header: "org_unit", description: "users' department; empty when the evidence names none", value: (r) => r.orgUnit ?? "" },
  { header: "ai_act_tier", description: "prohibited, high_risk, transparency, gpai, minimal (or unclassified)", value: (r) => r.classification.tier },
  { header: "disposition", description: "determined, requires_review or blocked", value: (r) => r.classification.disposition },
  { header: "articles", description: "articles behind the class, `; `-separated", value: (r) => list(r.classification.articles) },
  { header: "role", description: "deployer or provider", value: (r) => r.classification.role.value },
  { header: "provenance", description: "catalog, observed, attested or reviewed", value: (r) => r.classification.provenance },
  { header: "rationale", description: "why the class, in words", value: (r) => r.classification.rationale },
  { header: "obligations_applying", description: "obligations that apply now: citation and title, `; `-separated", value: (r) => list(r.classification.obligations.filter((o) => o.status === "applies").map(obligationText)) },
  { header: "obligations_upcoming", description: "obligations that apply later, with `(from YYYY-MM-DD)`", value: (r) => list(r.classification.obligations.filter((o) => o.status === "upcoming").map(obligationText)) },
  { header: "status", description: "governance status (unreviewed, sanctioned, ...)", value: (r) => r.status },
  { header: "owner", description: "accountable owner", value: (r) => r.owner ?? "" },
  { header: "purpose", description: "business purpose (owner's words)", value: (r) => r.governance.purpose ?? "" },
  { header: "purpose_tags", description: "attested purpose tags", value: (r) => list(r.governance.purposeTags) },
  { header: "exposure", description: "internal, external_users or public (attested)", value: (r) => r.governance.exposure ?? "" },
  { header: "oversight", description: "human-oversight arrangements (Art. 26(2))", value: (r) => r.governance.oversight ?? "" },
  { header: "fria", description: "fundamental-rights impact assessment reference (Art. 27)", value: (r) => r.governance.fria ?? "" },
  { header: "class_override", description: "reviewer's class and why: `tier: why`", value: (r) => (r.governance.classOverride ? `${r.governance.classOverride.tier}: ${r.governance.classOverride.why}` : "") },
  { header: "missing", description: "what the compliance file lacks (owner, purpose, oversight, fria)", value: (r) => list(r.missing) },
  { header: "risk_score", description: "security risk score 0-100 (number)", value: (r) => r.risk.score },
  { header: "user_count", description: "distinct users or clients (number)", value: (r) => r.users.length },
  { header: "users", description: "user e-mails, client addresses or pseudonyms, `; `-separated", value: (r) => list(r.users.map((u) => u.id)) },
  { header: "job_titles", description: "job titles of those users", value: (r) => list(r.jobTitles) },
  { header: "scopes", description: "OAuth scopes granted", value: (r) => list(r.scopes) },
  { header: "evidence", description: "observation counts by kind: `dns:4; tls:2`", value: (r) => list(Object.entries(r.evidence).map(([k, n]) => `${k}:${n}`)) },
  { header: "evidence_total", description: "all observations (number)", value: (r) => Object.values(r.evidence).reduce((a, b) => a + b, 0) },
  { header: "sources", description: "collectors that saw it", value: (r) => list(r.sources) },
  { header: "matched_by", description: "matched signature identifiers (`domain:openai.com`)", value: (r) => list(r.matchedBy) },
  { header: "first_seen", description: "ISO 8601 UTC", value: (r) => r.firstSeen },
  { header: "last_seen", description: "ISO 8601 UTC", value: (r) => r.lastSeen },
  { header: "ruleset_version", description: "classification ruleset version", value: (r) => r.classification.rulesetVersion },
  { header: "evaluated_at", description: "date of the classification (obligation dates are relative to it)", value: (r) => r.classification.evaluatedAt },
  { header: "roster_vendor", description: "OpenAI's and Anthropic's services: the vendor whose roster `seats` reconciled; empty for other records (and the roster columns below)", value: (r) => r.roster?.vendor ?? "" },
  { header: "roster_as_of", description: "ISO 8601 UTC end of the windows (the latest scan)", value: (r) => r.roster?.asOf ?? "" },
  { header: "roster_seats", description: "members the vendor lists now (number)", value: (r) => rosterCount(r, (x) => x.seats) },
  { header: "roster_unused_seats", description: "seats with no use seen in the window (number)", value: (r) => rosterCount(r, (x) => x.unusedSeats.count) },
  { header: "roster_no_seat", description: "people using the vendor's services with no seat (number)", value: (r) => rosterCount(r, (x) => x.noSeat.count) },
  { header: "roster_orphaned_keys", description: "active keys whose owner is suspended, disabled, deleted or unknown (number)", value: (r) => rosterCount(r, (x) => x.orphanedKeys.count) },
  { header: "roster_orphaned_service_accounts", description: "service accounts whose creator is suspended, disabled, deleted or unknown (number)", value: (r) => rosterCount(r, (x) => x.orphanedServiceAccounts.count) },
  { header: "roster_stale_keys", description: "active keys unused for more than 90 days (number)", value: (r) => rosterCount(r, (x) => x.staleKeys.count) },
  { header: "roster_unsupervised_agents", description: "managed agents with tools that run without approval (number)", value: (r) => rosterCount(r, (x) => x.unsupervisedAgents.count) },
  { header: "roster_first", description: "the first five of each kind: `unused_seat: user-bob bob@example.com; stale_key: key_dee (sk-def...qrst)`", value: rosterFirst },
];

/** One row of the per-user sheet: a user or client of one record. */
export interface UserRow {
  record: AISystemRecord;
  user: AISystemRecord["users"][number];
}

/** Columns of `inventoryUsersCsv`, in order. */
export const USER_COLUMNS: readonly CsvColumn<UserRow>[] = [
  { header: "record_id", description: "record id", value: (x) => x.record.id },
  { header: "name", description: "service name", value: (x) => x.record.name },
  { header: "org_unit", description: "record's org unit; empty when none", value: (x) => x.record.orgUnit ?? "" },
  { header: "ai_act_tier", description: "record's class", value: (x) => x.record.classification.tier },
  { header: "status", description: "record's governance status", value: (x) => x.record.status },
  { header: "user", description: "e-mail/UPN, client address, `all users`, `application permissions`, or a pseudonym", value: (x) => x.user.id },
  { header: "kind", description: "user, client, all_users or application", value: (x) => x.user.kind },
  { header: "department", description: "from the identity source", value: (x) => x.user.department ?? "" },
  { header: "observations", description: "observations of this user (number)", value: (x) => x.user.observations },
  { header: "first_seen", description: "ISO 8601 UTC", value: (x) => x.user.firstSeen },
  { header: "last_seen", description: "ISO 8601 UTC", value: (x) => x.user.lastSeen },
];

/** Options of the CSV exports. */
export interface CsvOptions {
  /** Start with a UTF-8 byte-order mark (default true; Excel needs it to read UTF-8). */
  bom?: boolean;
}

function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[], options: CsvOptions): string {
  return stringify(
    rows.map((row) => columns.map((c) => {
      const v = c.value(row);
      return typeof v === "string" ? safeText(v) : v;
    })),
    {
      header: true,
      columns: columns.map((c) => c.header),
      record_delimiter: "windows",
      escape_formulas: true,
      bom: options.bom ?? true,
    },
  );
}

/**
 * The records as CSV, one row per record, columns `RECORD_COLUMNS` (RFC 4180, CRLF, header line,
 * formula injection neutralised; module comment). Returns the file's text (UTF-8, BOM by default).
 */
export function inventoryCsv(records: readonly AISystemRecord[], options: CsvOptions = {}): string {
  return toCsv(records, RECORD_COLUMNS, options);
}

/**
 * The per-user sheet: one row per (record, user or client), columns `USER_COLUMNS`; same format
 * rules as `inventoryCsv`. For `--csv-users FILE` style exports.
 */
export function inventoryUsersCsv(records: readonly AISystemRecord[], options: CsvOptions = {}): string {
  return toCsv(
    records.flatMap((record) => record.users.map((user) => ({ record, user }))),
    USER_COLUMNS,
    options,
  );
}
