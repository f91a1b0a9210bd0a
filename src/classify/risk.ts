/**
 * Security risk score of one AI system record, 0-100, as a sum of documented factors. Every factor
 * is returned with its points, its maximum and why, so the number can be explained and challenged.
 *
 * | factor | max | points |
 * | --- | --- | --- |
 * | scopes | 35 | full mailbox +20 (Gmail, `https://mail.google.com/`, Graph `Mail.*`); all files +15 (Drive, `Files.*.All`, `Sites.*.All`); directory read +12 (`Directory.*`, `User.Read.All`, `admin.directory.*`); calendar or contacts +6; write access (`ReadWrite`, non-`readonly` Google scopes for mail/files) +5; capped at 35 |
 * | users | 15 | 1 user 3, 2-5 6, 6-20 9, 21-100 12, over 100, an admin consent for all users, or app-only permissions 15 |
 * | status | 15 | unsanctioned or blocked but still seen 15, suspected 12, unreviewed 10, under_review 6, tolerated 3, sanctioned 0 |
 * | training | 10 | vendor trains on customer data by default: yes 10, opt-out 5, unknown 4, no 0 |
 * | publisher | 5 | an OAuth app granted access with no verified publisher 5 (only when grants are the evidence) |
 * | jurisdiction | 10 | vendor HQ in the EU/EEA 0, a country with an EU adequacy decision 3, unknown 6, elsewhere 10 |
 * | recency | 10 | last seen within 7 days 10, 30 days 7, 90 days 4, older 1 |
 * | MCP server flags | 10 each | only on a record of kind `mcp_server` (src/classify/mcp.ts), one factor per flag, present with 0 points when the flag is absent: `plaintext secret` 10 (a literal credential in a configuration file), `plain HTTP` 10 (a remote server over `http:`), `unpinned package` 10 (`npx -y pkg`, `@latest`, no version: the next publish runs unreviewed), `shell or whole-filesystem access` 10; the score stays capped at 100 |
 * | unverified publisher | 10 | only on a third-party app using a brand: an OAuth app named like a catalogue service whose client ID, app ID or verified publisher says it is someone else's (`UNVERIFIED_PUBLISHER` findings of the matcher) 10; the factor is absent otherwise, so ordinary records keep the seven factors above and a maximum of 100 |
 *
 * Sources for jurisdiction: the European Commission's list of adequacy decisions,
 * https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en
 */
import type { SanctionStatus } from "../core/finding.js";
import type { VendorFacts } from "../core/service.js";

import type { RiskFactor, RiskScore } from "../core/risk.js";

export type { RiskFactor, RiskScore };

export interface RiskInput {
  scopes: readonly string[];
  userCount: number;
  allUsersConsent: boolean;
  status: SanctionStatus;
  vendorFacts: VendorFacts | undefined;
  /** True when the evidence includes OAuth grants; `verifiedPublisher` then says whether any grant named one. */
  hasGrants: boolean;
  verifiedPublisher: boolean;
  lastSeen: string;
  /**
   * Why the record is a third-party app using a brand (the matcher's `unverified publisher: ...`
   * reason), when it is one: its data goes to whoever published it, not to the brand's vendor.
   */
  unverifiedPublisher?: string;
  /** An MCP server record's flags (src/core/mcp.ts): each is a factor (see the table). */
  mcpFlags?: readonly string[];
  /** The reference time (ISO 8601); now by default. */
  now?: string;
}

const EEA = new Set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split(" "));
/** Countries with an EU adequacy decision (US through the EU-US Data Privacy Framework). */
const ADEQUATE = new Set("AD AR CA FO GG IL IM JP JE NZ KR CH GB UY US".split(" "));

const MAILBOX = [/^https:\/\/mail\.google\.com\/?$/i, /\/auth\/gmail\./i, /^Mail\./i, /^(EAS|EWS|IMAP|POP|SMTP)\./i];
const FILES = [/\/auth\/drive(\.|$)/i, /^Files\.[A-Za-z]+\.All$/i, /^Sites\.[A-Za-z]+\.All$/i];
const DIRECTORY = [/^Directory\./i, /^User\.Read(Basic)?\.All$/i, /^Group\.Read/i, /\/auth\/admin\.directory\./i];
const CALENDAR = [/\/auth\/(calendar|contacts)/i, /^(Calendars|Contacts)\./i];
const WRITE = [/ReadWrite/i, /\/auth\/(gmail\.(modify|compose|send)|drive$|drive\.file)/i, /^https:\/\/mail\.google\.com\/?$/i];

function any(scopes: readonly string[], res: RegExp[]): string[] {
  return scopes.filter((s) => res.some((r) => r.test(s)));
}

function scopeFactor(scopes: readonly string[]): RiskFactor {
  const parts: [string[], number, string][] = [
    [any(scopes, MAILBOX), 20, "full mailbox"],
    [any(scopes, FILES), 15, "all files"],
    [any(scopes, DIRECTORY), 12, "directory read"],
    [any(scopes, CALENDAR), 6, "calendar or contacts"],
    [any(scopes, WRITE), 5, "write access"],
  ];
  const hit = parts.filter(([m]) => m.length > 0);
  const points = Math.min(35, hit.reduce((s, [, p]) => s + p, 0));
  return {
    factor: "scopes",
    points,
    max: 35,
    detail: hit.length ? hit.map(([m, p, what]) => `${what} +${p} (${m.slice(0, 3).join(", ")})`).join("; ") : scopes.length ? "no broad scope" : "no OAuth grant",
  };
}

function userFactor(n: number, all: boolean): RiskFactor {
  const points = all || n > 100 ? 15 : n > 20 ? 12 : n > 5 ? 9 : n > 1 ? 6 : n === 1 ? 3 : 0;
  return { factor: "users", points, max: 15, detail: all ? "admin consent for all users" : `${n} user(s) or client(s)` };
}

const STATUS_POINTS: Record<SanctionStatus, number> = {
  unsanctioned: 15,
  blocked: 15,
  suspected: 12,
  unreviewed: 10,
  under_review: 6,
  tolerated: 3,
  sanctioned: 0,
  dismissed: 0,
};

/** Compute the score and its breakdown. Pure; `now` defaults to the current time. */
export function riskScore(r: RiskInput): RiskScore {
  const now = Date.parse(r.now ?? new Date().toISOString());
  const training = r.vendorFacts?.trainsOnCustomerData ?? "unknown";
  const trainingPoints = { yes: 10, opt_out: 5, unknown: 4, no: 0 }[training];
  const hq = r.vendorFacts?.hqCountry;
  const jPoints = !hq ? 6 : EEA.has(hq) ? 0 : ADEQUATE.has(hq) ? 3 : 10;
  const ageDays = (now - Date.parse(r.lastSeen)) / 86_400_000;
  const recency = ageDays <= 7 ? 10 : ageDays <= 30 ? 7 : ageDays <= 90 ? 4 : 1;
  const factors: RiskFactor[] = [
    scopeFactor(r.scopes),
    userFactor(r.userCount, r.allUsersConsent),
    { factor: "status", points: STATUS_POINTS[r.status], max: 15, detail: r.status },
    { factor: "training", points: trainingPoints, max: 10, detail: `vendor trains on customer data: ${training}` },
    {
      factor: "publisher",
      points: r.hasGrants && !r.verifiedPublisher ? 5 : 0,
      max: 5,
      detail: !r.hasGrants ? "no OAuth grant" : r.verifiedPublisher ? "verified publisher" : "OAuth app without a verified publisher",
    },
    { factor: "jurisdiction", points: jPoints, max: 10, detail: hq ? `vendor HQ ${hq}${EEA.has(hq) ? " (EEA)" : ADEQUATE.has(hq) ? " (adequacy decision)" : ""}` : "vendor HQ unknown" },
    { factor: "recency", points: recency, max: 10, detail: `last seen ${Math.max(0, Math.floor(ageDays))} day(s) ago` },
  ];
  if (r.unverifiedPublisher !== undefined) {
    const why = r.unverifiedPublisher.replace(/^(suspected:)?unverified publisher:\s*/, "");
    factors.push({ factor: "unverified publisher", points: 10, max: 10, detail: `named after an AI brand it does not belong to: ${why.length > 300 ? `${why.slice(0, 299)}…` : why}` });
  }
  if (r.mcpFlags !== undefined) {
    const has = (f: string) => r.mcpFlags!.includes(f);
    factors.push(
      { factor: "plaintext secret", points: has("plaintext-secret") ? 10 : 0, max: 10, detail: has("plaintext-secret") ? "a literal credential in an endpoint configuration file" : "no literal credential" },
      { factor: "plain HTTP", points: has("plain-http") ? 10 : 0, max: 10, detail: has("plain-http") ? "a remote MCP server reached over http:" : "no remote server over plain HTTP" },
      { factor: "unpinned package", points: has("unpinned") ? 10 : 0, max: 10, detail: has("unpinned") ? "runs a package without an exact version (npx -y, @latest)" : "package pinned or none" },
      { factor: "shell or whole-filesystem access", points: has("broad-access") ? 10 : 0, max: 10, detail: has("broad-access") ? "a shell, or a file-system server given /, a drive or a home" : "no shell or whole-filesystem access" },
    );
  }
  return { score: Math.min(100, factors.reduce((s, f) => s + f.points, 0)), factors };
}
