/**
 * The HTML audit report (`inventory --format html --out FILE`): one self-contained file (inline
 * CSS, inline SVG charts drawn here, no script, no network, a Content-Security-Policy that forbids
 * scripts), readable on screen and printable on A4. Contents:
 * - key figures, and bar charts of the records by EU AI Act class and by governance status;
 * - the records new since the last scan (ids given by the caller);
 * - an obligations calendar: each obligation, its date, and the systems it applies to;
 * - a table of contents: the report's sections, and every system by class, each an anchor link;
 *   links that show only the systems of one class (CSS `:target`, no script);
 * - an index of every system;
 * - one section per system: class, disposition, articles, rationale, role, governance (owner,
 *   status, org unit, purpose, exposure, oversight, FRIA, override, what is missing), obligations
 *   with dates, rule findings, users and clients, job titles, scopes, evidence counts, sources,
 *   matched identifiers, the vendor roster of OpenAI's and Anthropic's services (what `seats`
 *   finds: unused seats, use without a seat, keys of departed owners, stale keys), risk factors, the governance journal (who, when, field, old, new, why) and
 *   a bounded sample of the evidence with references to the raw records (file + frame/line + byte
 *   offset, or API + record id).
 * Every string from evidence or from reviewers passes through one escaping function
 * (templates/markup.ts).
 */
import type { AISystemRecord } from "../src/core/finding.js";
import { AI_ACT_TIERS } from "../src/core/service.js";
import { SANCTION_STATUSES } from "../src/core/finding.js";
import { tierLabel } from "../src/core/tier-label.js";
import { refText } from "../src/store/evidence.js";
import { EVIDENCE_SAMPLE, NO_AUDIT, type AuditTrail, type RecordAudit } from "./audit.js";
import { barChart } from "./templates/chart.js";
import { html, type SafeHtml } from "./templates/markup.js";
import { page, STATUS_COLORS, TIER_COLORS } from "./templates/report.js";

export { escapeHtml } from "./templates/markup.js";
export { REPORT_CSP } from "./templates/report.js";

/** Options of the HTML report. */
export interface HtmlReportOptions {
  /** The tool that wrote it, shown in the header. */
  tool: { name: string; version: string };
  /** ISO 8601 UTC time of the report; now by default. */
  generatedAt?: string;
  /**
   * Ids of the records that are new since the last scan (first seen by the latest scan). Omitted or
   * null: the section says there is no earlier scan to compare with.
   */
  newIds?: readonly string[] | null;
  /** ISO time of the scan the new records are compared with, shown in that section's title. */
  previousScanAt?: string | null;
  /** `pseudonymizationInfo(key)` when the records were pseudonymized; the header says so. */
  pseudonymization?: { method: string; keyId: string } | null;
  /** Page title; default "AI systems inventory: EU AI Act audit report". */
  title?: string;
  /** Most users listed per system (default 200); the rest are counted. The CSV users sheet has all. */
  maxUsersPerSystem?: number;
  /**
   * Governance journal and evidence sample per record id (reports/audit.ts), shown in each
   * system's section; a record not in it shows an empty journal and no sample.
   */
  audit?: AuditTrail;
}

const DISPOSITION_LABEL: Record<string, string> = { determined: "determined", requires_review: "requires review", blocked: "blocked" };
const TIER_ORDER = [...AI_ACT_TIERS, "unclassified"] as const;
const DISPOSITION_ORDER = ["blocked", "requires_review", "determined"];

const statusLabel = (s: string) => s.replace(/_/g, " ");
const cssToken = (s: string) => s.replace(/[^a-z0-9_-]/gi, "_");
const rank = <T>(list: readonly T[], x: T) => {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
};

/** `2026-11-22 05:04 UTC` from an ISO time; the input unchanged if it does not parse. */
function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function tierBadge(tier: string): SafeHtml {
  return html`<span class="badge tier tier-${cssToken(tier)}">${tierLabel(tier)}</span>`;
}
function statusBadge(status: string): SafeHtml {
  return html`<span class="badge status status-${cssToken(status)}">${statusLabel(status)}</span>`;
}
function dispositionBadge(d: string): SafeHtml {
  return html`<span class="badge disp-${cssToken(d)}">${DISPOSITION_LABEL[d] ?? d}</span>`;
}
function chips(items: readonly string[], code = false): SafeHtml {
  if (items.length === 0) return html`<span class="empty">none</span>`;
  return html`<ul class="chips">${items.map((x) => (code ? html`<li><code>${x}</code></li>` : html`<li>${x}</li>`))}</ul>`;
}
function orNone(v: string | null | undefined): SafeHtml {
  return v ? html`${v}` : html`<span class="empty">not recorded</span>`;
}

/** Most severe first: class, then disposition, then risk score (high first), then id. */
function severityOrder(a: AISystemRecord, b: AISystemRecord): number {
  return (
    rank<string>(TIER_ORDER, a.classification.tier) - rank<string>(TIER_ORDER, b.classification.tier) ||
    rank(DISPOSITION_ORDER, a.classification.disposition) - rank(DISPOSITION_ORDER, b.classification.disposition) ||
    b.risk.score - a.risk.score ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function summary(records: readonly AISystemRecord[]): SafeHtml {
  const services = new Set(records.map((r) => r.serviceId)).size;
  const people = new Set(records.flatMap((r) => r.users.filter((u) => u.kind === "user" || u.kind === "client").map((u) => u.id))).size;
  const review = records.filter((r) => r.classification.disposition !== "determined").length;
  const severe = records.filter((r) => r.classification.tier === "prohibited" || r.classification.tier === "high_risk").length;
  const noOwner = records.filter((r) => r.owner === null).length;
  const figures: [number, string, boolean][] = [
    [records.length, "AI systems (service × org unit)", false],
    [services, "AI services", false],
    [people, "users and client addresses", false],
    [severe, "prohibited or high-risk", severe > 0],
    [review, "need review or are blocked", review > 0],
    [noOwner, "without an owner", noOwner > 0],
  ];
  const tiers = TIER_ORDER.filter((t) => t !== "unclassified" || records.some((r) => r.classification.tier === t));
  const byTier = tiers.map((t) => ({ label: tierLabel(t), value: records.filter((r) => r.classification.tier === t).length, color: TIER_COLORS[t] ?? "#6b7280" }));
  const byStatus = SANCTION_STATUSES.map((s) => ({ label: statusLabel(s), value: records.filter((r) => r.status === s).length, color: STATUS_COLORS[s] ?? "#6b7280" }));
  const dispRows = tiers.map((t) => {
    const rs = records.filter((r) => r.classification.tier === t);
    const n = (d: string) => rs.filter((r) => r.classification.disposition === d).length;
    return html`<tr><td>${tierBadge(t)}</td><td class="num">${rs.length}</td><td class="num">${n("determined")}</td><td class="num">${n("requires_review")}</td><td class="num">${n("blocked")}</td><td class="num">${rs.filter((r) => r.owner === null).length}</td></tr>`;
  });
  return html`<section class="card" id="summary">
  <h2>Summary</h2>
  <div class="figures">${figures.map(([n, what, alert]) => html`<div class="figure${alert ? " alert" : ""}"><b>${n}</b><span>${what}</span></div>`)}</div>
  <div class="charts">
    <div>${barChart("By EU AI Act class", byTier)}</div>
    <div>${barChart("By governance status", byStatus)}</div>
  </div>
  <h4>Class and disposition</h4>
  <table>
    <thead><tr><th>Class</th><th class="num">Systems</th><th class="num">Determined</th><th class="num">Requires review</th><th class="num">Blocked</th><th class="num">No owner</th></tr></thead>
    <tbody>${dispRows}</tbody>
  </table>
</section>`;
}

function systemLink(r: AISystemRecord, anchors: ReadonlyMap<string, string>): SafeHtml {
  return html`<a href="#${anchors.get(r.id) ?? ""}">${r.name}</a>${r.orgUnit !== null ? html` <span class="muted">· ${r.orgUnit}</span>` : ""}`;
}

function newSection(records: readonly AISystemRecord[], options: HtmlReportOptions, anchors: ReadonlyMap<string, string>): SafeHtml {
  const since = options.previousScanAt ? html` since the scan of ${when(options.previousScanAt)}` : html` since the last scan`;
  if (options.newIds === undefined || options.newIds === null) {
    return html`<section class="card" id="new"><h2>New${since}</h2><p class="empty">No earlier scan to compare with: every system below was found by the first scan.</p></section>`;
  }
  const ids = new Set(options.newIds);
  const fresh = records.filter((r) => ids.has(r.id));
  if (fresh.length === 0) return html`<section class="card" id="new"><h2>New${since}</h2><p class="empty">No new AI system.</p></section>`;
  return html`<section class="card" id="new">
  <h2>New${since} (${fresh.length})</h2>
  <table>
    <thead><tr><th>System</th><th>Class</th><th>Disposition</th><th>Status</th><th class="num">Users</th><th class="num">Risk</th><th>First seen</th></tr></thead>
    <tbody>${fresh.map((r) => html`<tr><td>${systemLink(r, anchors)}</td><td>${tierBadge(r.classification.tier)}</td><td>${dispositionBadge(r.classification.disposition)}</td><td>${statusBadge(r.status)}</td><td class="num">${r.users.length}</td><td class="num">${r.risk.score}</td><td class="nowrap">${when(r.firstSeen)}</td></tr>`)}</tbody>
  </table>
</section>`;
}

function obligationsCalendar(records: readonly AISystemRecord[], anchors: ReadonlyMap<string, string>): SafeHtml {
  const byKey = new Map<string, { o: AISystemRecord["classification"]["obligations"][number]; systems: AISystemRecord[] }>();
  for (const r of records) {
    for (const o of r.classification.obligations) {
      const k = `${o.appliesFrom}\u0000${o.id}`;
      const e = byKey.get(k) ?? { o, systems: [] };
      e.systems.push(r);
      byKey.set(k, e);
    }
  }
  const rows = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  if (rows.length === 0) return html``;
  return html`<section class="card" id="obligations">
  <h2>Obligations by date</h2>
  <table>
    <thead><tr><th>Applies from</th><th>Citation</th><th>Obligation</th><th>Holder</th><th class="num">Systems</th><th>Systems it applies to</th></tr></thead>
    <tbody>${rows.map(({ o, systems }) => html`<tr>
      <td class="nowrap">${o.appliesFrom}<br>${o.status === "applies" ? html`<span class="badge disp-blocked">applies</span>` : html`<span class="badge disp-requires_review">in ${o.daysUntil} days</span>`}</td>
      <td>${o.citation}</td><td class="wide">${o.title}</td><td class="nowrap">${o.holder}</td><td class="num">${systems.length}</td>
      <td>${systems.map((r, i) => html`${i ? ", " : ""}${systemLink(r, anchors)}`)}</td></tr>`)}</tbody>
  </table>
</section>`;
}

/**
 * The table of contents: the report's sections, then every system grouped by class (most severe
 * first), each a link to its section; and per class a link that shows only that class's systems
 * (the `#only-<tier>` targets before <main>, with CSS `:target` rules: no script).
 */
function contents(records: readonly AISystemRecord[], anchors: ReadonlyMap<string, string>, hasObligations: boolean): SafeHtml {
  const tiers = TIER_ORDER.filter((t) => records.some((r) => r.classification.tier === t));
  return html`<nav class="card" id="contents" aria-label="Contents">
  <h2>Contents</h2>
  <ol class="sections">
    <li><a href="#summary">Summary</a></li><li><a href="#new">New since the last scan</a></li>${hasObligations ? html`<li><a href="#obligations">Obligations by date</a></li>` : ""}<li><a href="#systems">All AI systems (${records.length})</a></li>
  </ol>
  <p class="filters">Show only: ${tiers.map((t, i) => html`${i ? " · " : ""}<a href="#only-${cssToken(t)}">${tierLabel(t)}</a>`)} · <a href="#contents">all classes</a></p>
  <div class="toc-tiers">${tiers.map((t) => {
    const rs = records.filter((r) => r.classification.tier === t);
    return html`<div class="toc-tier tier-${cssToken(t)}"><h4>${tierBadge(t)} ${rs.length}</h4><ol>${rs.map((r) => html`<li>${systemLink(r, anchors)} <code class="muted">${r.id}</code></li>`)}</ol></div>`;
  })}</div>
</nav>`;
}

function indexTable(records: readonly AISystemRecord[], anchors: ReadonlyMap<string, string>, fresh: ReadonlySet<string>): SafeHtml {
  return html`<section class="card" id="systems">
  <h2>All AI systems (${records.length})</h2>
  <table class="toc">
    <thead><tr><th>System</th><th>Class</th><th>Disposition</th><th>Status</th><th>Owner</th><th class="num">Users</th><th class="num">Risk</th><th>Last seen</th></tr></thead>
    <tbody>${records.map((r) => html`<tr class="tier-${cssToken(r.classification.tier)}">
      <td>${systemLink(r, anchors)}${fresh.has(r.id) ? html` <span class="badge new">new</span>` : ""}</td>
      <td>${tierBadge(r.classification.tier)}</td><td>${dispositionBadge(r.classification.disposition)}</td><td>${statusBadge(r.status)}</td>
      <td>${r.owner ?? html`<span class="empty">none</span>`}</td><td class="num">${r.users.length}</td>
      <td class="num"><span class="meter"><i style="width:${r.risk.score}%"></i></span>${r.risk.score}</td><td class="nowrap">${r.lastSeen.slice(0, 10)}</td></tr>`)}</tbody>
  </table>
</section>`;
}

/** The governance journal of one record: who changed which field, when, from what to what, and why. */
function journalTable(audit: RecordAudit): SafeHtml {
  if (audit.journal.length === 0) return html`<p class="empty">No governance decision recorded (shadow-ai review SYSTEM --status ... --why ...).</p>`;
  const value = (v: string | null) => (v === null || v === "" ? html`<span class="empty">none</span>` : html`${v}`);
  return html`<table class="journal">
    <thead><tr><th>When</th><th>Who</th><th>Field</th><th>Old</th><th>New</th><th>Why</th></tr></thead>
    <tbody>${[...audit.journal].reverse().map((e) => html`<tr><td class="nowrap">${when(e.at)}</td><td>${e.by}</td><td class="nowrap">${e.field}</td><td>${value(e.old)}</td><td>${value(e.new)}</td><td class="why">${e.why ?? html`<span class="empty">no reason given</span>`}</td></tr>`)}</tbody>
  </table>`;
}

/**
 * The vendor roster of a record of OpenAI's or Anthropic's services (`r.roster`): what `seats`
 * finds for the vendor, a count and the first few of each kind.
 */
function rosterSection(x: NonNullable<AISystemRecord["roster"]>): SafeHtml {
  const kinds: [string, NonNullable<AISystemRecord["roster"]>["unusedSeats"]][] = [
    [`Seats unused in ${x.days} days`, x.unusedSeats],
    ["Used without a seat (personal accounts)", x.noSeat],
    ["Keys of departed or unknown owners", x.orphanedKeys],
    ["Service accounts of departed or unknown creators", x.orphanedServiceAccounts],
    [`Keys unused for more than ${x.staleKeyDays} days`, x.staleKeys],
    ["Agents with unsupervised tools", x.unsupervisedAgents],
  ];
  return html`<h4>Vendor roster: ${x.vendor} (${x.seats} seats, ${x.keys} keys, as of ${when(x.asOf)})</h4>
  <table class="roster">
    <thead><tr><th>Finding</th><th class="num">Count</th><th>First ones</th></tr></thead>
    <tbody>${kinds.map(([label, s]) => html`<tr><td>${label}</td><td class="num">${s.count}</td><td class="mono">${s.first.length === 0 ? html`<span class="empty">none</span>` : s.first.map((i, n) => html`${n ? html`<br>` : ""}${i.id}${i.user && i.user !== i.id ? html` · ${i.user}` : ""}${i.redacted ? html` · ${i.redacted}` : ""}${i.ownerStatus ? html` <span class="muted">(owner ${i.ownerStatus})</span>` : ""}`)}${s.count > s.first.length ? html`<br><span class="muted">and ${s.count - s.first.length} more</span>` : ""}</td></tr>`)}</tbody>
  </table>
  ${x.notes.length ? html`<p class="muted">${x.notes.join(" ")}</p>` : ""}
  <p class="muted">All of them: <code>shadow-ai seats --vendor ${x.vendor}</code></p>`;
}

/** A bounded sample of the evidence of one record, each with where its raw record is. */
function evidenceTable(r: AISystemRecord, audit: RecordAudit, total: number): SafeHtml {
  if (audit.evidence.length === 0) return html`<p class="empty">No evidence sample in this report.</p>`;
  return html`<table class="evidence">
    <thead><tr><th>Time</th><th>Kind</th><th>User or client</th><th>Host or app</th><th>Matched</th><th>Raw record</th></tr></thead>
    <tbody>${audit.evidence.map((e) => html`<tr><td class="nowrap">${when(e.time)}</td><td class="nowrap">${e.kind}<br><span class="muted">${e.source}</span></td><td class="mono">${e.user ?? e.client ?? ""}${e.user && e.client ? html`<br>${e.client}` : ""}</td><td class="mono">${e.host ?? ""}${e.host && e.app ? html`<br>` : ""}${e.app ?? ""}${e.action ? html`<br><span class="muted">${e.action}</span>` : ""}</td><td class="mono">${e.matched}</td><td class="mono">${e.refs.map((x, i) => html`${i ? html`<br>` : ""}${refText(x)}`)}</td></tr>`)}</tbody>
  </table>
  <p class="muted">${audit.evidence.length < total ? html`A sample: the earliest and the latest ${EVIDENCE_SAMPLE} of ${total} observations. ` : ""}All of them: <code>shadow-ai evidence ${r.id} --limit ${Math.max(total, 1)}</code></p>`;
}

function systemSection(r: AISystemRecord, anchor: string, isNew: boolean, maxUsers: number, audit: RecordAudit): SafeHtml {
  const c = r.classification;
  const g = r.governance;
  const evidenceTotal = Object.values(r.evidence).reduce((a, b) => a + b, 0);
  const shown = r.users.slice(0, maxUsers);
  return html`<article class="system tier-${cssToken(c.tier)}" id="${anchor}">
  <header><h3>${r.name}${r.orgUnit !== null ? html` <span class="unit">· ${r.orgUnit}</span>` : ""}</h3><a class="up" href="#contents">↑ contents</a></header>
  <div class="badges">${tierBadge(c.tier)} ${dispositionBadge(c.disposition)} ${statusBadge(r.status)} <span class="badge risk">risk ${r.risk.score}/100</span>${isNew ? html` <span class="badge new">new since last scan</span>` : ""}${r.missing.map((m) => html` <span class="badge missing">missing: ${m}</span>`)}</div>
  <p class="sub">Record <code>${r.id}</code> · vendor ${r.vendor} · category ${r.category} · first seen ${when(r.firstSeen)} · last seen ${when(r.lastSeen)}</p>
  <div class="cols">
    <dl>
      <dt>Class</dt><dd>${tierLabel(c.tier)} (${DISPOSITION_LABEL[c.disposition] ?? c.disposition}; provenance ${c.provenance})</dd>
      <dt>Articles</dt><dd>${c.articles.length ? c.articles.join(", ") : html`<span class="empty">none</span>`}</dd>
      <dt>Role</dt><dd>${c.role.value} (${DISPOSITION_LABEL[c.role.disposition] ?? c.role.disposition})${c.role.basis.length ? html`; ${c.role.basis.join(", ")}` : ""}</dd>
      <dt>Purpose tags</dt><dd>${c.purpose.tags.length ? html`${c.purpose.tags.join(", ")}${c.purpose.source ? html` <span class="muted">(${c.purpose.source})</span>` : ""}` : html`<span class="empty">none</span>`}</dd>
      <dt>Class override</dt><dd>${g.classOverride ? html`${tierLabel(g.classOverride.tier)}: ${g.classOverride.why}` : html`<span class="empty">none</span>`}</dd>
      <dt>Ruleset</dt><dd>${c.rulesetVersion}, evaluated ${c.evaluatedAt}</dd>
    </dl>
    <dl>
      <dt>Owner</dt><dd>${orNone(r.owner)}</dd>
      <dt>Status</dt><dd>${statusLabel(r.status)}${g.updatedAt ? html` <span class="muted">(reviewed ${when(g.updatedAt)})</span>` : ""}</dd>
      <dt>Org unit</dt><dd>${r.orgUnit ?? html`<span class="empty">none (capture or log clients)</span>`}</dd>
      <dt>Purpose</dt><dd>${orNone(g.purpose)}</dd>
      <dt>Exposure</dt><dd>${orNone(g.exposure)}</dd>
      <dt>Oversight</dt><dd>${orNone(g.oversight)}</dd>
      <dt>FRIA</dt><dd>${orNone(g.fria)}</dd>
    </dl>
  </div>
  <p class="rationale"><b>Rationale.</b> ${c.rationale}</p>

  <h4>Obligations (${c.obligations.length})</h4>
  ${c.obligations.length ? html`<table>
    <thead><tr><th class="nowrap">Citation</th><th>Obligation</th><th>Holder</th><th>Applies from</th><th>Status</th><th>Basis</th></tr></thead>
    <tbody>${c.obligations.map((o) => html`<tr><td class="nowrap">${o.citation}</td><td>${o.title}${o.needs ? html` <span class="muted">(shown by: ${o.needs})</span>` : ""}</td><td class="nowrap">${o.holder}</td><td class="nowrap">${o.appliesFrom}</td>
      <td class="nowrap">${o.status === "applies" ? "applies" : html`in ${o.daysUntil} days`}${o.candidate ? html` <span class="badge disp-requires_review">candidate</span>` : ""}</td><td class="mono">${o.basis.join(", ")}</td></tr>`)}</tbody>
  </table>` : html`<p class="empty">None.</p>`}

  <h4>Rule findings (${c.findings.length})</h4>
  ${c.findings.length ? html`<table>
    <thead><tr><th>Rule</th><th>Gate</th><th>Class</th><th>Citations</th><th>Decisive facts</th><th>Disposition</th><th>From</th></tr></thead>
    <tbody>${c.findings.map((f) => html`<tr><td class="mono">${f.ruleId}@${f.ruleVersion}</td><td class="nowrap">${f.gate}</td><td class="nowrap">${tierLabel(f.tier)}</td><td>${f.citations.join(", ")}</td><td class="mono">${f.decisiveFacts.join(", ")}</td><td>${DISPOSITION_LABEL[f.disposition] ?? f.disposition}</td><td class="nowrap">${f.appliesFrom}</td></tr>`)}</tbody>
  </table>` : html`<p class="empty">None.</p>`}

  <h4>Users and clients (${r.users.length})</h4>
  <table>
    <thead><tr><th>User or client</th><th>Kind</th><th>Department</th><th class="num">Observations</th><th>First seen</th><th>Last seen</th></tr></thead>
    <tbody>${shown.map((u) => html`<tr><td class="mono">${u.id}</td><td class="nowrap">${u.kind.replace(/_/g, " ")}</td><td>${u.department ?? ""}</td><td class="num">${u.observations}</td><td class="nowrap">${when(u.firstSeen)}</td><td class="nowrap">${when(u.lastSeen)}</td></tr>`)}</tbody>
  </table>
  ${r.users.length > shown.length ? html`<p class="muted">… and ${r.users.length - shown.length} more (the CSV users sheet lists all).</p>` : ""}

  <div class="cols">
    <div>
      <h4>Evidence (${evidenceTotal} observations)</h4>
      <table><tbody>${Object.entries(r.evidence).map(([k, n]) => html`<tr><td>${k}</td><td class="num">${n}</td></tr>`)}</tbody></table>
      <h4>Sources</h4>${chips(r.sources)}
      <h4>Matched identifiers</h4>${chips(r.matchedBy, true)}
    </div>
    <div>
      <h4>OAuth scopes (${r.scopes.length})</h4>${chips(r.scopes, true)}
      <h4>Job titles</h4>${chips(r.jobTitles)}
    </div>
  </div>

  ${r.roster ? rosterSection(r.roster) : ""}

  <h4>Governance journal (${audit.journal.length})</h4>
  ${journalTable(audit)}

  <h4>Evidence sample (${audit.evidence.length} of ${evidenceTotal})</h4>
  ${evidenceTable(r, audit, evidenceTotal)}

  <h4>Risk factors (score ${r.risk.score}/100)</h4>
  <table>
    <thead><tr><th>Factor</th><th>Points</th><th>Detail</th></tr></thead>
    <tbody>${r.risk.factors.map((f) => html`<tr><td class="nowrap">${f.factor}</td><td class="nowrap"><span class="meter"><i style="width:${f.max ? Math.round((100 * f.points) / f.max) : 0}%"></i></span>${f.points}/${f.max}</td><td>${f.detail}</td></tr>`)}</tbody>
  </table>
</article>`;
}

/**
 * The HTML audit report of `records` as one self-contained UTF-8 document (contents in the module
 * comment). Systems are ordered most severe first (class, disposition, risk score, id). Pure: the
 * same records and options give the same text.
 */
export function inventoryHtml(records: readonly AISystemRecord[], options: HtmlReportOptions): string {
  const sorted = [...records].sort(severityOrder);
  const anchors = new Map(sorted.map((r, i) => [r.id, `system-${i + 1}`]));
  const fresh = new Set(options.newIds ?? []);
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  const title = options.title ?? "AI systems inventory: EU AI Act audit report";
  const rulesets = [...new Set(records.map((r) => r.classification.rulesetVersion))].sort();
  const maxUsers = options.maxUsersPerSystem ?? 200;
  const body = html`<header class="top"><div class="wrap">
  <h1>${title}</h1>
  <p>Generated ${when(generatedAt)} by ${options.tool.name} ${options.tool.version} · ${records.length} AI system record(s)${rulesets.length ? html` · ruleset ${rulesets.join(", ")}` : ""}</p>
  <p>Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744. Classes and obligations are decision support for a reviewer; "requires review" marks conclusions drawn from observed context.</p>
  ${options.pseudonymization
    ? html`<span class="notice pseudo">Pseudonymized: user identities are keyed pseudonyms (${options.pseudonymization.method}, key ${options.pseudonymization.keyId})</span>`
    : html`<span class="notice clear">Contains personal data: user identities in clear</span>`}
</div></header>
${TIER_ORDER.map((t) => html`<i class="only" id="only-${cssToken(t)}"></i>`)}
<main>
${contents(sorted, anchors, sorted.some((r) => r.classification.obligations.length > 0))}
${summary(sorted)}
${newSection(sorted, options, anchors)}
${obligationsCalendar(sorted, anchors)}
${indexTable(sorted, anchors, fresh)}
<h2>AI systems</h2>
${sorted.map((r) => systemSection(r, anchors.get(r.id) ?? "", fresh.has(r.id), maxUsers, options.audit?.get(r.id) ?? NO_AUDIT))}
</main>
<footer>${options.tool.name} ${options.tool.version} · this file is self-contained: it loads nothing and runs no script.</footer>`;
  return page(title, body);
}
