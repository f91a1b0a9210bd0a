/**
 * Vendor rosters in the store (tables `roster_*`, `directory_accounts`; see the rosters migration
 * in schema.ts) and the seat reconciliation of `shadow-ai seats`.
 *
 * Writing: {@link RosterWriter} is the {@link RosterSink} a scan hands to every source. Each
 * `put` is one transaction holding the batch's rows and its cursor; rows are upserted on the
 * vendor's own ids, so a second read of the same roster adds no row, and a killed scan keeps every
 * batch put before it (the next scan reads the roster again, from the committed cursors).
 * Nothing is ever deleted: `last_scan_id` says when a row was last read, and a roster listing read
 * whole records its scan (`roster_cursors`, key `complete:<what>`), so that a principal or key the
 * vendor no longer lists is known as gone.
 *
 * Reading: {@link reconcileSeats} answers the four questions of `seats` (see its docstring).
 */
import type { Transaction } from "better-sqlite3";
import type { AISystemRecord } from "../core/finding.js";
import { ROSTER_SAMPLE, ROSTER_VENDORS, type DirectoryAccount, type RosterBatch, type RosterFindingSample, type RosterSection, type RosterSink, type RosterVendor } from "../core/roster.js";
import type { DB } from "./db.js";

/** Milliseconds per day. */
const DAY = 86_400_000;

/** Bound a string from an API before it is stored (attacker-controlled, bounded). */
function b(s: string | undefined | null, max = 512): string | null {
  if (s === undefined || s === null) return null;
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * The {@link RosterSink} of one scan. `scanId` stamps `first_scan_id` / `last_scan_id`.
 */
export class RosterWriter implements RosterSink {
  /** Rows that were not stored before, since this writer was made. */
  inserted = 0;
  private readonly putTx: Transaction<(batch: RosterBatch) => number>;
  private readonly dirTx: Transaction<(accounts: readonly DirectoryAccount[]) => void>;
  private readonly readCursor;
  private readonly completeStmt;

  constructor(
    private readonly db: DB,
    private readonly scanId: number,
  ) {
    const now = () => new Date().toISOString();
    const exists = {
      principal: db.prepare("SELECT 1 FROM roster_principals WHERE vendor = ? AND org = ? AND kind = ? AND id = ?").pluck(),
      group: db.prepare("SELECT 1 FROM roster_groups WHERE vendor = ? AND org = ? AND id = ?").pluck(),
      membership: db.prepare("SELECT 1 FROM roster_memberships WHERE vendor = ? AND org = ? AND group_id = ? AND principal_id = ?").pluck(),
      key: db.prepare("SELECT 1 FROM roster_keys WHERE vendor = ? AND org = ? AND id = ?").pluck(),
      usage: db.prepare("SELECT 1 FROM roster_usage WHERE vendor = ? AND org = ? AND day = ? AND subject_kind = ? AND subject_id = ? AND metric = ?").pluck(),
      agent: db.prepare("SELECT 1 FROM roster_agents WHERE vendor = ? AND org = ? AND id = ?").pluck(),
    };
    const putPrincipal = db.prepare(
      `INSERT INTO roster_principals (vendor, org, kind, id, source, email, name, role, status, group_id, created_at, last_active_at, attrs, first_scan_id, last_scan_id, updated_at)
       VALUES (@vendor, @org, @kind, @id, @source, @email, @name, @role, @status, @groupId, @createdAt, @lastActiveAt, @attrs, @scan, @scan, @now)
       ON CONFLICT (vendor, org, kind, id) DO UPDATE SET source = @source, email = @email, name = @name, role = @role, status = @status,
         group_id = @groupId, created_at = @createdAt, last_active_at = COALESCE(@lastActiveAt, last_active_at), attrs = @attrs, last_scan_id = @scan, updated_at = @now`,
    );
    const putGroup = db.prepare(
      `INSERT INTO roster_groups (vendor, org, kind, id, source, name, status, created_at, archived_at, first_scan_id, last_scan_id, updated_at)
       VALUES (@vendor, @org, @kind, @id, @source, @name, @status, @createdAt, @archivedAt, @scan, @scan, @now)
       ON CONFLICT (vendor, org, id) DO UPDATE SET name = @name, status = @status, created_at = @createdAt, archived_at = @archivedAt, last_scan_id = @scan, updated_at = @now`,
    );
    const putMembership = db.prepare(
      `INSERT INTO roster_memberships (vendor, org, group_id, principal_id, role, first_scan_id, last_scan_id, updated_at)
       VALUES (@vendor, @org, @groupId, @principalId, @role, @scan, @scan, @now)
       ON CONFLICT (vendor, org, group_id, principal_id) DO UPDATE SET role = @role, last_scan_id = @scan, updated_at = @now`,
    );
    const putKey = db.prepare(
      `INSERT INTO roster_keys (vendor, org, kind, id, source, name, redacted, owner_kind, owner_id, owner_email, created_by_id, group_id, scope, status, created_at, last_used_at, expires_at, first_scan_id, last_scan_id, updated_at)
       VALUES (@vendor, @org, @kind, @id, @source, @name, @redacted, @ownerKind, @ownerId, @ownerEmail, @createdById, @groupId, @scope, @status, @createdAt, @lastUsedAt, @expiresAt, @scan, @scan, @now)
       ON CONFLICT (vendor, org, id) DO UPDATE SET kind = @kind, name = @name, redacted = @redacted, owner_kind = @ownerKind, owner_id = @ownerId,
         owner_email = COALESCE(@ownerEmail, owner_email), created_by_id = @createdById, group_id = @groupId, scope = @scope, status = @status,
         created_at = @createdAt, last_used_at = COALESCE(@lastUsedAt, last_used_at), expires_at = @expiresAt, last_scan_id = @scan, updated_at = @now`,
    );
    const putEvent = db.prepare(
      `INSERT OR IGNORE INTO roster_events (vendor, org, id, source, type, time, actor_kind, actor_id, actor_email, target_id, scan_id)
       VALUES (@vendor, @org, @id, @source, @type, @time, @actorKind, @actorId, @actorEmail, @targetId, @scan)`,
    );
    const putUsage = db.prepare(
      `INSERT INTO roster_usage (vendor, org, day, subject_kind, subject_id, metric, value, source, last_scan_id, updated_at)
       VALUES (@vendor, @org, @day, @subjectKind, @subjectId, @metric, @value, @source, @scan, @now)
       ON CONFLICT (vendor, org, day, subject_kind, subject_id, metric) DO UPDATE SET value = @value, last_scan_id = @scan, updated_at = @now`,
    );
    const putAgent = db.prepare(
      `INSERT INTO roster_agents (vendor, org, id, source, name, model, version, created_at, modified_at, archived_at, mcp_servers, tools, unsupervised, first_scan_id, last_scan_id, updated_at)
       VALUES (@vendor, @org, @id, @source, @name, @model, @version, @createdAt, @updatedAt, @archivedAt, @mcpServers, @tools, @unsupervised, @scan, @scan, @now)
       ON CONFLICT (vendor, org, id) DO UPDATE SET name = @name, model = @model, version = @version, created_at = @createdAt, modified_at = @updatedAt,
         archived_at = @archivedAt, mcp_servers = @mcpServers, tools = @tools, unsupervised = @unsupervised, last_scan_id = @scan, updated_at = @now`,
    );
    const putCursor = db.prepare(
      `INSERT INTO roster_cursors (vendor, org, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (vendor, org, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.readCursor = db.prepare("SELECT value FROM roster_cursors WHERE vendor = ? AND org = ? AND key = ?").pluck();
    this.completeStmt = putCursor;
    const putAccount = db.prepare(
      `INSERT INTO directory_accounts (source, user, status, aliases, first_scan_id, last_scan_id, updated_at) VALUES (@source, @user, @status, @aliases, @scan, @scan, @now)
       ON CONFLICT (source, user) DO UPDATE SET status = @status, aliases = @aliases, last_scan_id = @scan, updated_at = @now`,
    );
    const existsAccount = db.prepare("SELECT 1 FROM directory_accounts WHERE source = ? AND user = ?").pluck();

    this.putTx = db.transaction((batch: RosterBatch) => {
      const base = { vendor: batch.vendor, org: b(batch.org, 200), source: batch.source, scan: this.scanId, now: now() };
      let n = 0;
      for (const p of batch.principals ?? []) {
        if (!exists.principal.get(base.vendor, base.org, p.kind, p.id)) n++;
        putPrincipal.run({
          ...base, kind: p.kind, id: b(p.id, 200), email: b(p.email?.toLowerCase(), 320), name: b(p.name, 200), role: b(p.role, 64), status: b(p.status, 64),
          groupId: b(p.groupId, 200), createdAt: p.createdAt ?? null, lastActiveAt: p.lastActiveAt ?? null, attrs: p.attrs ? b(JSON.stringify(p.attrs), 4096) : null,
        });
      }
      for (const g of batch.groups ?? []) {
        if (!exists.group.get(base.vendor, base.org, g.id)) n++;
        putGroup.run({ ...base, kind: g.kind, id: b(g.id, 200), name: b(g.name, 200), status: b(g.status, 64), createdAt: g.createdAt ?? null, archivedAt: g.archivedAt ?? null });
      }
      for (const m of batch.memberships ?? []) {
        if (!exists.membership.get(base.vendor, base.org, m.groupId, m.principalId)) n++;
        putMembership.run({ ...base, groupId: b(m.groupId, 200), principalId: b(m.principalId, 200), role: b(m.role, 64) });
      }
      for (const k of batch.keys ?? []) {
        if (!exists.key.get(base.vendor, base.org, k.id)) n++;
        putKey.run({
          ...base, kind: k.kind, id: b(k.id, 200), name: b(k.name, 200), redacted: b(k.redacted, 64), ownerKind: k.ownerKind ?? null, ownerId: b(k.ownerId, 200),
          ownerEmail: b(k.ownerEmail?.toLowerCase(), 320), createdById: b(k.createdById, 200), groupId: b(k.groupId, 200), scope: b(k.scope, 64), status: b(k.status, 64),
          createdAt: k.createdAt ?? null, lastUsedAt: k.lastUsedAt ?? null, expiresAt: k.expiresAt ?? null,
        });
      }
      for (const e of batch.events ?? []) {
        n += putEvent.run({
          ...base, id: b(e.id, 200), type: b(e.type, 100), time: e.time, actorKind: b(e.actorKind, 64), actorId: b(e.actorId, 200),
          actorEmail: b(e.actorEmail?.toLowerCase(), 320), targetId: b(e.targetId, 200),
        }).changes;
      }
      for (const u of batch.usage ?? []) {
        if (!exists.usage.get(base.vendor, base.org, u.day, u.subjectKind, u.subjectId, u.metric)) n++;
        putUsage.run({ ...base, day: u.day, subjectKind: u.subjectKind, subjectId: b(u.subjectId, 320), metric: u.metric, value: u.value });
      }
      for (const a of batch.agents ?? []) {
        if (!exists.agent.get(base.vendor, base.org, a.id)) n++;
        putAgent.run({
          ...base, id: b(a.id, 200), name: b(a.name, 200), model: b(a.model, 100), version: b(a.version, 64), createdAt: a.createdAt ?? null, updatedAt: a.updatedAt ?? null,
          archivedAt: a.archivedAt ?? null, mcpServers: b(JSON.stringify(a.mcpServers), 16_384), tools: b(JSON.stringify(a.tools), 65_536), unsupervised: b(JSON.stringify(a.unsupervised), 16_384),
        });
      }
      if (batch.cursor) putCursor.run(base.vendor, base.org, batch.cursor.key, batch.cursor.value, base.now);
      return n;
    });
    this.dirTx = db.transaction((accounts: readonly DirectoryAccount[]) => {
      const stamp = now();
      for (const a of accounts) {
        const user = b(a.user.toLowerCase(), 320)!;
        if (!existsAccount.get(a.source, user)) this.inserted++;
        const aliases = (a.aliases ?? []).map((x) => x.toLowerCase()).filter((x) => x !== user).slice(0, 50);
        putAccount.run({ source: a.source, user, status: a.status, aliases: aliases.length ? JSON.stringify(aliases) : null, scan: this.scanId, now: stamp });
      }
    });
  }

  put(batch: RosterBatch): number {
    const n = this.putTx.immediate(batch);
    this.inserted += n;
    return n;
  }

  cursor(vendor: RosterVendor, org: string, key: string): string | undefined {
    return this.readCursor.get(vendor, org, key) as string | undefined;
  }

  directory(accounts: readonly DirectoryAccount[]): void {
    if (accounts.length > 0) this.dirTx.immediate(accounts);
  }

  /**
   * Record that `what` (`users`, `keys`, `service_accounts`, `agents`, or `directory:<source>`)
   * was listed whole by this scan: rows of that kind not read by it are gone from the vendor (or
   * the directory).
   */
  complete(vendor: RosterVendor | "directory", org: string, what: string): void {
    this.completeStmt.run(vendor, org, `complete:${what}`, String(this.scanId), new Date().toISOString());
  }
}

/** A member status that holds no seat any more. */
const INACTIVE_MEMBER = /^(deactivated|removed|inactive|disabled)$/i;

/** Whether `x` is shaped like an e-mail address (the identities seats compares). */
export function isEmail(x: string | null | undefined): x is string {
  return typeof x === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(x);
}

/** One line of `seats`. */
export interface SeatFinding {
  /** `unused_seat`, `no_seat`, `orphaned_key`, `orphaned_service_account`, `stale_key`, `unsupervised_agent`. */
  kind: "unused_seat" | "no_seat" | "orphaned_key" | "orphaned_service_account" | "stale_key" | "unsupervised_agent";
  vendor: RosterVendor;
  org: string | null;
  /** The seat's, person's, key's, service account's or agent's id. */
  id: string;
  /** E-mail of the person concerned (the seat holder, the observed user, the key's owner). */
  user?: string;
  /** Redacted key value as the vendor gave it. */
  redacted?: string;
  name?: string;
  /** Owner status in the directory: `suspended`, `disabled`, `deleted`, `unknown`, `removed_from_vendor`. */
  ownerStatus?: string;
  /** Last use the evidence shows (ISO 8601), or null when none. */
  lastUsed?: string | null;
  /** Why it is listed, one sentence. */
  reason: string;
}

/** The result of {@link reconcileSeats}. */
export interface SeatReport {
  vendor: RosterVendor | null;
  days: number;
  staleKeyDays: number;
  /** ISO 8601 time the windows end at. */
  asOf: string;
  findings: SeatFinding[];
  /** Things the reader should know (no directory evidence, no roster read yet). */
  notes: string[];
  /** Per vendor whose roster was read: members (`user` and `seat` rows, not deactivated) and keys the vendor lists now. */
  listed: Partial<Record<RosterVendor, { seats: number; keys: number }>>;
}

interface PrincipalRow { vendor: RosterVendor; org: string; kind: string; id: string; email: string | null; name: string | null; status: string | null; last_active_at: string | null; last_scan_id: number; group_id: string | null }
interface KeyRow { vendor: RosterVendor; org: string; kind: string; id: string; name: string | null; redacted: string | null; owner_kind: string | null; owner_id: string | null; owner_email: string | null; created_by_id: string | null; status: string | null; created_at: string | null; last_used_at: string | null; last_scan_id: number }

/**
 * Reconcile the vendors' rosters with what the other sources observed, over the `days` days
 * before `now`:
 *
 * 1. `unused_seat`: a member (`user`, or a `seat` of a member export) the vendor still lists, with
 *    no use in the window: no last activity the vendor reports, no usage of theirs or of a key
 *    they hold, no observation of that person matched to one of the vendor's services.
 * 2. `no_seat`: a person observed using one of the vendor's services (`serviceIds`) in the window
 *    (Google, Entra, log, capture evidence), by e-mail and by the directory's aliases, who is not
 *    a member of any of the vendor's organisations read: a personal account, i.e. shadow use.
 * 3. `orphaned_key` / `orphaned_service_account`: an active key, or a service account, whose owner
 *    (the key's user, else the user who created it per the audit log) is suspended or disabled in
 *    the directory, gone from it, unknown to it, or no longer a member of the vendor organisation.
 *    Only reported when the store holds directory evidence (directory accounts or people).
 * 4. `stale_key`: an active key not used for more than `staleKeyDays` days (or never, and created
 *    that long ago).
 * 5. `unsupervised_agent`: a managed agent with tools that run without approval (`always_allow`).
 *
 * @param serviceIds catalogue ids of each vendor's services (`openai` → openai-chatgpt, openai-api, ...).
 */
export function reconcileSeats(
  db: DB,
  opts: { vendor?: RosterVendor; days: number; staleKeyDays?: number; now?: Date; serviceIds: ReadonlyMap<RosterVendor, readonly string[]> },
): SeatReport {
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - opts.days * DAY).toISOString();
  const staleKeyDays = opts.staleKeyDays ?? 90;
  const staleBefore = new Date(now.getTime() - staleKeyDays * DAY).toISOString();
  const findings: SeatFinding[] = [];
  const notes: string[] = [];
  const listed: SeatReport["listed"] = {};
  const vendors: RosterVendor[] = opts.vendor ? [opts.vendor] : ["openai", "anthropic"];

  // The directory: account status by canonical e-mail, aliases → canonical.
  const canonical = new Map<string, string>();
  const status = new Map<string, string>();
  const completeDir = new Map<string, number>();
  for (const r of db.prepare("SELECT org, value FROM roster_cursors WHERE vendor = 'directory' AND key = 'complete:accounts'").all() as { org: string; value: string }[]) completeDir.set(r.org, Number(r.value));
  for (const r of db.prepare("SELECT source, user, status, aliases, last_scan_id FROM directory_accounts").all() as { source: string; user: string; status: string; aliases: string | null; last_scan_id: number }[]) {
    const listedAt = completeDir.get(r.source);
    const st = listedAt !== undefined && r.last_scan_id < listedAt ? "deleted" : r.status;
    // an account active in one directory wins over a stale or suspended copy in another
    const prev = status.get(r.user);
    if (prev === undefined || prev !== "active") status.set(r.user, st);
    for (const a of r.aliases ? (JSON.parse(r.aliases) as string[]) : []) if (!canonical.has(a)) canonical.set(a, r.user);
  }
  const people = new Set((db.prepare("SELECT user FROM people").pluck().all() as string[]).map((u) => u.toLowerCase()));
  const identitySeen = new Set(
    (db.prepare("SELECT DISTINCT user FROM observations WHERE user IS NOT NULL AND source IN ('google-workspace', 'microsoft-entra')").pluck().all() as string[]).map((u) => u.toLowerCase()),
  );
  const hasDirectory = status.size > 0 || people.size > 0;
  const canon = (e: string | null | undefined): string | undefined => (e ? (canonical.get(e.toLowerCase()) ?? e.toLowerCase()) : undefined);
  const ownerState = (email: string | undefined): string | undefined => {
    if (!email) return "unknown";
    const s = status.get(email);
    if (s === "suspended" || s === "disabled" || s === "deleted") return s;
    if (s === "active") return undefined;
    if (people.has(email) || identitySeen.has(email)) return undefined;
    return "unknown";
  };

  const completeScan = (vendor: string, org: string, what: string): number => {
    const v = db.prepare("SELECT value FROM roster_cursors WHERE vendor = ? AND org = ? AND key = ?").pluck().get(vendor, org, `complete:${what}`) as string | undefined;
    return v === undefined ? 0 : Number(v);
  };

  for (const vendor of vendors) {
    const services = opts.serviceIds.get(vendor) ?? [];
    const principals = (db.prepare("SELECT vendor, org, kind, id, email, name, status, last_active_at, last_scan_id, group_id FROM roster_principals WHERE vendor = ?").all(vendor) as PrincipalRow[]).filter(
      (p) => p.last_scan_id >= completeScan(vendor, p.org, p.kind === "seat" ? "seats" : p.kind === "service_account" ? "service_accounts" : p.kind === "invite" ? "invites" : "users"),
    );
    const keys = (db.prepare("SELECT vendor, org, kind, id, name, redacted, owner_kind, owner_id, owner_email, created_by_id, status, created_at, last_used_at, last_scan_id FROM roster_keys WHERE vendor = ?").all(vendor) as KeyRow[]).filter(
      (k) => k.last_scan_id >= completeScan(vendor, k.org, "keys"),
    );
    if (principals.length === 0 && keys.length === 0) {
      notes.push(`${vendor}: no roster has been read (scan ${vendor === "openai" ? "openai, or chatgpt-members" : "anthropic"} first)`);
      continue;
    }
    // 1. seats
    const members = principals.filter((p) => p.kind === "user" || p.kind === "seat");
    listed[vendor] = { seats: members.filter((p) => !(p.status && INACTIVE_MEMBER.test(p.status))).length, keys: keys.length };
    const memberEmails = new Set(members.map((p) => canon(p.email)).filter((e): e is string => e !== undefined));
    const invited = new Set(principals.filter((p) => p.kind === "invite").map((p) => canon(p.email)).filter((e): e is string => e !== undefined));
    const byId = new Map(principals.map((p) => [`${p.org}\u0000${p.id}`, p]));
    // use per person in the window: vendor activity, usage, key use, observations
    const usedUsers = new Set<string>();
    const lastUse = new Map<string, string>();
    const mark = (email: string | undefined, t: string | null | undefined) => {
      if (!email || !t) return;
      if (t >= since) usedUsers.add(email);
      if ((lastUse.get(email) ?? "") < t) lastUse.set(email, t);
    };
    for (const p of members) mark(canon(p.email), p.last_active_at);
    const usage = db.prepare("SELECT org, day, subject_kind, subject_id FROM roster_usage WHERE vendor = ? AND value > 0").all(vendor) as { org: string; day: string; subject_kind: string; subject_id: string }[];
    const keyById = new Map(keys.map((k) => [`${k.org}\u0000${k.id}`, k]));
    const keyOwnerEmail = (k: KeyRow): string | undefined => canon(k.owner_email ?? (k.owner_id ? byId.get(`${k.org}\u0000${k.owner_id}`)?.email : undefined) ?? undefined);
    const keyUse = new Map<string, string>();
    for (const u of usage) {
      const t = `${u.day}T00:00:00.000Z`;
      if (u.subject_kind === "api_key" && (keyUse.get(`${u.org}\u0000${u.subject_id}`) ?? "") < t) keyUse.set(`${u.org}\u0000${u.subject_id}`, t);
      if (u.subject_kind === "user") mark(canon(isEmail(u.subject_id) ? u.subject_id : byId.get(`${u.org}\u0000${u.subject_id}`)?.email), t);
      else if (u.subject_kind === "api_key") {
        const k = keyById.get(`${u.org}\u0000${u.subject_id}`);
        if (k && k.owner_kind !== "service_account") mark(keyOwnerEmail(k), t);
      }
    }
    for (const k of keys) if (k.owner_kind !== "service_account") mark(keyOwnerEmail(k), k.last_used_at);
    const observed = new Map<string, string>();
    if (services.length > 0) {
      const marks = services.map(() => "?").join(",");
      for (const r of db.prepare(`SELECT user, MAX(last_time) AS last FROM observations WHERE service_id IN (${marks}) AND user IS NOT NULL AND last_time >= ? GROUP BY user`).all(...services, since) as { user: string; last: string }[]) {
        const e = canon(r.user);
        if (!e || !isEmail(e)) continue;
        if ((observed.get(e) ?? "") < r.last) observed.set(e, r.last);
        mark(e, r.last);
      }
    }
    for (const p of members) {
      const e = canon(p.email);
      if (p.status && INACTIVE_MEMBER.test(p.status)) continue;
      if (e && usedUsers.has(e)) continue;
      findings.push({
        kind: "unused_seat", vendor, org: p.org, id: p.id, ...(e ? { user: e } : {}), ...(p.name ? { name: p.name } : {}), lastUsed: (e && lastUse.get(e)) ?? null,
        reason: `no use of ${vendor} seen in the last ${opts.days} day(s)`,
      });
    }
    // 2. people observed using the vendor with no seat
    for (const [e, last] of observed) {
      if (memberEmails.has(e)) continue;
      findings.push({
        kind: "no_seat", vendor, org: null, id: e, user: e, lastUsed: last,
        reason: invited.has(e) ? `uses ${vendor} but has only a pending invitation: a personal account` : `uses ${vendor} but holds no seat in the organisation(s) read: a personal account`,
      });
    }
    // 3. owners of keys and service accounts
    const creatorOf = new Map<string, string>();
    for (const r of db.prepare("SELECT org, target_id, actor_email, actor_id FROM roster_events WHERE vendor = ? AND target_id IS NOT NULL AND type IN ('api_key.created', 'service_account.created') ORDER BY time").all(vendor) as { org: string; target_id: string; actor_email: string | null; actor_id: string | null }[]) {
      const email = r.actor_email ?? (r.actor_id ? byId.get(`${r.org}\u0000${r.actor_id}`)?.email : undefined);
      if (email) creatorOf.set(`${r.org}\u0000${r.target_id}`, email.toLowerCase());
    }
    const allPrincipals = db.prepare("SELECT org, id, email FROM roster_principals WHERE vendor = ? AND kind = 'user'").all(vendor) as { org: string; id: string; email: string | null }[];
    const everById = new Map(allPrincipals.map((p) => [`${p.org}\u0000${p.id}`, p.email]));
    const ownerOf = (org: string, kind: string | null, id: string | null, email: string | null, createdBy: string | null, subject: string): { email?: string; removed: boolean } => {
      if (kind !== "service_account" && (email || id)) {
        const e = canon(email ?? (id ? everById.get(`${org}\u0000${id}`) : undefined) ?? undefined);
        const removed = id ? !byId.has(`${org}\u0000${id}`) && everById.has(`${org}\u0000${id}`) : false;
        return { ...(e ? { email: e } : {}), removed };
      }
      const c = createdBy ? canon(everById.get(`${org}\u0000${createdBy}`) ?? undefined) : canon(creatorOf.get(`${org}\u0000${subject}`));
      return { ...(c ? { email: c } : {}), removed: false };
    };
    if (!hasDirectory) notes.push(`${vendor}: no directory evidence in the store (scan google or microsoft first): owners of keys and service accounts were not checked`);
    for (const k of keys) {
      const active = !k.status || k.status === "active";
      if (!active) continue;
      if (hasDirectory) {
        const o = ownerOf(k.org, k.owner_kind, k.owner_id, k.owner_email, k.created_by_id, k.owner_kind === "service_account" && k.owner_id ? k.owner_id : k.id);
        const st = o.removed ? "removed_from_vendor" : ownerState(o.email);
        if (st) {
          findings.push({
            kind: "orphaned_key", vendor, org: k.org, id: k.id, ...(o.email ? { user: o.email } : {}), ...(k.redacted ? { redacted: k.redacted } : {}), ...(k.name ? { name: k.name } : {}),
            ownerStatus: st, lastUsed: k.last_used_at ?? keyUse.get(`${k.org}\u0000${k.id}`) ?? null, reason: `active ${k.kind.replace("_", " ")} whose owner is ${st.replace(/_/g, " ")}${o.email ? "" : " (no owner known)"}`,
          });
        }
      }
      // the latest of the key's own last-use time and the last day the usage report shows it used
      const fromUsage = keyUse.get(`${k.org}\u0000${k.id}`);
      const last = k.last_used_at && (!fromUsage || k.last_used_at > fromUsage) ? k.last_used_at : (fromUsage ?? null);
      if ((last !== null && last < staleBefore) || (last === null && k.created_at !== null && k.created_at < staleBefore)) {
        findings.push({
          kind: "stale_key", vendor, org: k.org, id: k.id, ...(k.redacted ? { redacted: k.redacted } : {}), ...(k.name ? { name: k.name } : {}), lastUsed: last,
          reason: last ? `active key unused for more than ${staleKeyDays} days` : `active key never used, created more than ${staleKeyDays} days ago`,
        });
      }
    }
    if (hasDirectory) {
      for (const p of principals.filter((x) => x.kind === "service_account")) {
        const o = ownerOf(p.org, "service_account", null, null, null, p.id);
        const st = ownerState(o.email);
        if (st) {
          findings.push({
            kind: "orphaned_service_account", vendor, org: p.org, id: p.id, ...(o.email ? { user: o.email } : {}), ...(p.name ? { name: p.name } : {}), ownerStatus: st, lastUsed: p.last_active_at,
            reason: o.email ? `service account created by a person who is ${st} in the directory` : "service account with no known creator (the audit log does not name one)",
          });
        }
      }
    }
    // 5. managed agents that act unsupervised
    for (const a of db.prepare("SELECT org, id, name, unsupervised, last_scan_id FROM roster_agents WHERE vendor = ? AND archived_at IS NULL").all(vendor) as { org: string; id: string; name: string | null; unsupervised: string; last_scan_id: number }[]) {
      if (a.last_scan_id < completeScan(vendor, a.org, "agents")) continue;
      const tools = JSON.parse(a.unsupervised) as string[];
      if (tools.length === 0) continue;
      findings.push({ kind: "unsupervised_agent", vendor, org: a.org, id: a.id, ...(a.name ? { name: a.name } : {}), reason: `runs without approval: ${tools.slice(0, 20).join(", ")}${tools.length > 20 ? ", ..." : ""}` });
    }
  }
  const order = ["unused_seat", "no_seat", "orphaned_key", "orphaned_service_account", "stale_key", "unsupervised_agent"];
  findings.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.vendor.localeCompare(b.vendor) || (a.org ?? "").localeCompare(b.org ?? "") || a.id.localeCompare(b.id));
  return { vendor: opts.vendor ?? null, days: opts.days, staleKeyDays, asOf: now.toISOString(), findings, notes, listed };
}

/** Counts of roster rows per vendor (for `seats` and the inventory's roster section). */
export function rosterCounts(db: DB, vendor: RosterVendor): { users: number; invites: number; seats: number; serviceAccounts: number; keys: number; agents: number } {
  const n = (sql: string) => db.prepare(sql).pluck().get(vendor) as number;
  return {
    users: n("SELECT COUNT(*) FROM roster_principals WHERE vendor = ? AND kind = 'user'"),
    invites: n("SELECT COUNT(*) FROM roster_principals WHERE vendor = ? AND kind = 'invite'"),
    seats: n("SELECT COUNT(*) FROM roster_principals WHERE vendor = ? AND kind = 'seat'"),
    serviceAccounts: n("SELECT COUNT(*) FROM roster_principals WHERE vendor = ? AND kind = 'service_account'"),
    keys: n("SELECT COUNT(*) FROM roster_keys WHERE vendor = ?"),
    agents: n("SELECT COUNT(*) FROM roster_agents WHERE vendor = ?"),
  };
}

/** The catalogue's `vendor` (lower-cased) of each roster vendor's services. */
const VENDOR_NAMES: Record<RosterVendor, string> = { openai: "openai", anthropic: "anthropic" };

/**
 * Catalogue ids of each roster vendor's services: the signatures whose `vendor` is OpenAI
 * (openai-api, openai-chatgpt, openai-sora) or Anthropic (anthropic-api, anthropic-claude).
 * What `seats` counts as use of a vendor, and which records carry its roster section.
 */
export function vendorServiceIds(services: Iterable<{ id: string; vendor: string }>): Map<RosterVendor, string[]> {
  const all = [...services];
  return new Map(ROSTER_VENDORS.map((v) => [v, all.filter((s) => s.vendor.toLowerCase() === VENDOR_NAMES[v]).map((s) => s.id).sort()]));
}

/**
 * The time the roster sections of the inventory are computed at: the end (else the start) of the
 * latest scan, so that the same database gives the same records (`inventory --json` is
 * deterministic); now when nothing was scanned. ISO 8601 UTC.
 */
export function latestScanTime(db: DB): string {
  const t = db.prepare("SELECT MAX(COALESCE(ended_at, started_at)) FROM scans").pluck().get() as string | null;
  return t ?? new Date().toISOString();
}

/**
 * One {@link RosterSection} per vendor of a seat report: the counts of each kind of finding and
 * the first `limit` of each, in the report's order. Only vendors whose roster was read
 * (`report.listed`) get one.
 */
export function rosterSections(report: SeatReport, limit = ROSTER_SAMPLE): Map<RosterVendor, RosterSection> {
  const out = new Map<RosterVendor, RosterSection>();
  for (const vendor of ROSTER_VENDORS) {
    const counts = report.listed[vendor];
    if (!counts) continue;
    const of = (kind: SeatFinding["kind"]): RosterFindingSample => {
      const all = report.findings.filter((f) => f.vendor === vendor && f.kind === kind);
      return {
        count: all.length,
        first: all.slice(0, limit).map((f) => ({
          id: f.id, ...(f.org !== null ? { org: f.org } : {}), ...(f.user !== undefined ? { user: f.user } : {}), ...(f.name !== undefined ? { name: f.name } : {}),
          ...(f.redacted !== undefined ? { redacted: f.redacted } : {}), ...(f.ownerStatus !== undefined ? { ownerStatus: f.ownerStatus } : {}),
          ...(f.lastUsed !== undefined ? { lastUsed: f.lastUsed } : {}),
        })),
      };
    };
    out.set(vendor, {
      vendor, asOf: report.asOf, days: report.days, staleKeyDays: report.staleKeyDays, seats: counts.seats, keys: counts.keys,
      unusedSeats: of("unused_seat"), noSeat: of("no_seat"), orphanedKeys: of("orphaned_key"), orphanedServiceAccounts: of("orphaned_service_account"),
      staleKeys: of("stale_key"), unsupervisedAgents: of("unsupervised_agent"),
      notes: report.notes.filter((n) => n.startsWith(`${vendor}: `)),
    });
  }
  return out;
}

/**
 * Give every record of a roster vendor's services (kind `service`, service id in
 * {@link vendorServiceIds}) that vendor's {@link RosterSection}: one {@link reconcileSeats} over
 * the store, the same code as `seats`. Records of other services, and every record when no roster
 * was ever read, come back as they were. Returns new record objects; the input is left alone.
 * @param opts.now the end of the windows; default {@link latestScanTime}.
 * @param opts.days window of observed use (default 30, as `seats`); `staleKeyDays` default 90.
 */
export function withRosters(
  db: DB,
  records: readonly AISystemRecord[],
  services: Iterable<{ id: string; vendor: string }>,
  opts: { now?: Date; days?: number; staleKeyDays?: number } = {},
): AISystemRecord[] {
  const anyRoster = db.prepare("SELECT EXISTS (SELECT 1 FROM roster_principals) OR EXISTS (SELECT 1 FROM roster_keys)").pluck().get() as number;
  if (!anyRoster) return [...records];
  const serviceIds = vendorServiceIds(services);
  const vendorOf = new Map<string, RosterVendor>();
  for (const [v, ids] of serviceIds) for (const id of ids) vendorOf.set(id, v);
  if (!records.some((r) => (r.kind ?? "service") === "service" && vendorOf.has(r.serviceId))) return [...records];
  const report = reconcileSeats(db, { days: opts.days ?? 30, staleKeyDays: opts.staleKeyDays ?? 90, now: opts.now ?? new Date(latestScanTime(db)), serviceIds });
  const sections = rosterSections(report);
  return records.map((r) => {
    const v = (r.kind ?? "service") === "service" ? vendorOf.get(r.serviceId) : undefined;
    const section = v ? sections.get(v) : undefined;
    return section ? { ...r, roster: section } : r;
  });
}
