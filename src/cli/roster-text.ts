/**
 * The roster section of inventory records (`AISystemRecord.roster`, src/core/roster.ts) in words,
 * for the terminal views: one line per vendor under `inventory`, and per record under
 * `query app`. Ids and e-mails come from vendor APIs and evidence (attacker-controlled): they pass
 * through `safeText`, and only the first few of each kind are named (the section's own bound).
 */
import type { AISystemRecord } from "../core/finding.js";
import type { RosterFindingSample, RosterSection } from "../core/roster.js";
import { safeText } from "../io/safe-text.js";

const VENDOR_LABEL: Record<string, string> = { openai: "OpenAI", anthropic: "Anthropic" };

/** `2 (bob@example.com, dee@example.com)`, naming at most `show` of the sample. */
function counted(s: RosterFindingSample, show = 3): string {
  if (s.count === 0) return "0";
  const names = s.first.slice(0, show).map((i) => safeText(i.user && i.user !== i.id ? `${i.id} ${i.user}` : i.id));
  return `${s.count} (${names.join(", ")}${s.count > names.length ? ", ..." : ""})`;
}

/**
 * One sentence: `OpenAI roster as of 2026-12-07: 4 seats, unused in 30 days 2 (user-bob ...), ...
 * (shadow-ai seats --vendor openai)`.
 */
export function rosterLine(r: RosterSection): string {
  const parts = [
    `${r.seats} seat(s), ${r.keys} key(s)`,
    `unused in ${r.days} days ${counted(r.unusedSeats)}`,
    `used without a seat ${counted(r.noSeat)}`,
    `keys of departed or unknown owners ${counted(r.orphanedKeys)}`,
    `service accounts of departed or unknown creators ${counted(r.orphanedServiceAccounts)}`,
    `keys unused > ${r.staleKeyDays} days ${counted(r.staleKeys)}`,
  ];
  if (r.unsupervisedAgents.count > 0) parts.push(`unsupervised agents ${counted(r.unsupervisedAgents)}`);
  const notes = r.notes.length ? ` Note: ${r.notes.map(safeText).join("; ")}.` : "";
  return `${VENDOR_LABEL[r.vendor] ?? r.vendor} roster as of ${r.asOf.slice(0, 16).replace("T", " ")} UTC: ${parts.join("; ")} (shadow-ai seats --vendor ${r.vendor}).${notes}`;
}

/** One {@link rosterLine} per vendor whose section some of `records` carry, in vendor order. */
export function rosterSummaryLines(records: readonly AISystemRecord[]): string[] {
  const byVendor = new Map<string, RosterSection>();
  for (const r of records) if (r.roster && !byVendor.has(r.roster.vendor)) byVendor.set(r.roster.vendor, r.roster);
  return [...byVendor.keys()].sort().map((v) => rosterLine(byVendor.get(v)!));
}
