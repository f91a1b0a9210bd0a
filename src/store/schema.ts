import type { DB } from "./db-type.js";
import { storedContentKey, type StoredObservationRow } from "./content-key.js";
import { ROLLUP_KINDS, rollupKey, rollupText, utcDay, type RollupDimensions } from "./rollup.js";

/**
 * Schema migrations, applied in order by `PRAGMA user_version` (https://sqlite.org/pragma.html#pragma_user_version).
 * Each migration runs in one transaction with the version bump, so a crash mid-migration leaves the
 * previous version intact. Never edit a released migration: add a new one.
 */
/** A migration: SQL, or a function for what SQL cannot compute (it runs inside the migration's transaction). */
export type Migration = string | ((db: DB) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: observations with their finding, scans, governance apart from discovered facts, and its journal.
  `
  CREATE TABLE scans (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    command       TEXT NOT NULL,
    inputs        TEXT NOT NULL,            -- JSON array of input names
    status        TEXT NOT NULL CHECK (status IN ('running','complete','partial','failed')),
    records_read  INTEGER NOT NULL DEFAULT 0, -- observations the collectors produced
    matched       INTEGER NOT NULL DEFAULT 0, -- of which matched a signature
    inserted      INTEGER NOT NULL DEFAULT 0, -- of which were new (not already stored)
    errors        TEXT NOT NULL DEFAULT '[]'  -- JSON array of InputError
  );

  -- Evidence of AI use. Only observations that matched a signature are kept: the rest of a capture
  -- or log is the staff's browsing history, which the inventory has no need to hold.
  CREATE TABLE observations (
    id            INTEGER PRIMARY KEY,
    content_key   BLOB NOT NULL UNIQUE,     -- sha256 of the canonical observation: a rescan inserts nothing
    scan_id       INTEGER NOT NULL REFERENCES scans(id),
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    time          TEXT NOT NULL,
    host          TEXT,
    client        TEXT,
    server        TEXT,
    port          INTEGER,
    user          TEXT,
    department    TEXT,
    job_title     TEXT,
    client_id     TEXT,
    app_id        TEXT,
    app_name      TEXT,
    publisher     TEXT,
    scopes        TEXT,                     -- JSON array
    consent_type  TEXT,
    user_agent    TEXT,
    method        TEXT,
    path          TEXT,
    alpn          TEXT,                     -- JSON array
    qtype         TEXT,
    action        TEXT,
    ref           TEXT NOT NULL,            -- JSON EvidenceRef
    service_id    TEXT NOT NULL,
    match_field   TEXT NOT NULL,
    matched       TEXT NOT NULL,
    confidence    REAL NOT NULL
  );
  CREATE INDEX observations_service ON observations(service_id, time);
  CREATE INDEX observations_user ON observations(user, service_id) WHERE user IS NOT NULL;
  CREATE INDEX observations_client ON observations(client, service_id) WHERE client IS NOT NULL;

  -- Human decisions, never written by a scan.
  CREATE TABLE governance (
    system_id     TEXT PRIMARY KEY,
    owner         TEXT,
    status        TEXT NOT NULL DEFAULT 'unreviewed',
    purpose       TEXT,
    updated_at    TEXT NOT NULL
  );
  CREATE TABLE governance_journal (
    id            INTEGER PRIMARY KEY,
    system_id     TEXT NOT NULL,
    at            TEXT NOT NULL,
    by            TEXT NOT NULL,
    field         TEXT NOT NULL,
    old_value     TEXT,
    new_value     TEXT,
    why           TEXT
  );
  CREATE INDEX governance_journal_system ON governance_journal(system_id, at);
  `,
  // 2: positions of incremental sources (log file inode + offset, API cursors), committed with the
  // observations read up to them.
  `
  CREATE TABLE cursors (
    source        TEXT NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (source, key)
  );
  `,
  // 3: inventory records are service x organisational unit; the people table gives each user's
  // department and job title from the identity sources; governance gains the fields a reviewer sets.
  `
  CREATE TABLE people (
    user          TEXT PRIMARY KEY,          -- e-mail / UPN, lower-case
    department    TEXT,
    job_title     TEXT,
    updated_at    TEXT NOT NULL
  );
  ALTER TABLE governance ADD COLUMN purpose_tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE governance ADD COLUMN exposure TEXT;
  ALTER TABLE governance ADD COLUMN oversight TEXT;
  ALTER TABLE governance ADD COLUMN fria TEXT;
  ALTER TABLE governance ADD COLUMN class_override TEXT;
  ALTER TABLE governance ADD COLUMN override_why TEXT;
  `,
  // 4: what each scan saw. last_scan_id marks the latest scan that read an observation again (a
  // grant that still exists, a log line re-read after a rotation); scan_snapshots keeps the
  // inventory as each scan left it, so `diff` can say what changed between two scans.
  `
  ALTER TABLE observations ADD COLUMN last_scan_id INTEGER;
  CREATE INDEX observations_last_scan ON observations(last_scan_id);
  CREATE TABLE scan_snapshots (
    scan_id       INTEGER PRIMARY KEY REFERENCES scans(id),
    records       TEXT NOT NULL           -- JSON array of SnapshotRecord
  );
  `,
  // 5: \`query department\` answers from indexes.
  `
  CREATE INDEX people_department ON people(department COLLATE NOCASE);
  CREATE INDEX observations_department ON observations(department COLLATE NOCASE) WHERE department IS NOT NULL;
  `,
  // 6: content keys lead with the observation's time (content-key.ts), so that the unique index
  // grows at its end; older keys (the whole SHA-256) become time + their first 24 bytes, which is
  // what contentKey() now computes for the same evidence. The bytes are joined as hex text and
  // turned back into a BLOB (|| on BLOBs would give TEXT). unixepoch(..., 'subsec') and unhex()
  // need SQLite >= 3.42 (better-sqlite3 12 bundles 3.5x).
  `
  UPDATE observations SET content_key =
    unhex(printf('%016X', coalesce(CAST(round(unixepoch(time, 'subsec') * 1000) AS INTEGER), 0)) || hex(substr(content_key, 1, 24)));
  `,
  // 7: the configuration file a scan ran with (absolute path; NULL when there was none).
  `
  ALTER TABLE scans ADD COLUMN config TEXT;
  `,
  // 8: the facts a person decided on (users, scopes, class at the time of a decision such as
  // blocked or sanctioned), so that an alert does not fire again until the facts change.
  `
  ALTER TABLE governance ADD COLUMN decided_facts TEXT;
  `,
  // 9: evidence identity without the file name (content-key.ts): keys are recomputed from the
  // stored columns; rows that now share a key (the same record read from two files) become one
  // observation, the others' references kept in observation_refs. Scans may also end
  // `interrupted` (a person pressed Ctrl-C), so the scans table is rebuilt with that status allowed,
  // and keeps the scan's warnings apart from its errors.
  (db: DB) => {
    db.exec(`
      CREATE TABLE observation_refs (
        observation_id INTEGER NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
        ref            TEXT NOT NULL,          -- JSON EvidenceRef: another place the same evidence was read
        PRIMARY KEY (observation_id, ref)
      ) WITHOUT ROWID;
    `);
    const page = db.prepare("SELECT * FROM observations WHERE id > ? ORDER BY id LIMIT 5000");
    const setKey = db.prepare("UPDATE OR IGNORE observations SET content_key = ? WHERE id = ?");
    const owner = db.prepare("SELECT id FROM observations WHERE content_key = ?").pluck();
    const addRef = db.prepare("INSERT OR IGNORE INTO observation_refs (observation_id, ref) VALUES (?, ?)");
    const moveRefs = db.prepare("UPDATE OR IGNORE observation_refs SET observation_id = ? WHERE observation_id = ?");
    const drop = db.prepare("DELETE FROM observations WHERE id = ?");
    for (let last = 0; ; ) {
      const rows = page.all(last) as (StoredObservationRow & { id: number; last_scan_id: number | null })[];
      if (rows.length === 0) break;
      for (const r of rows) {
        last = r.id;
        const key = storedContentKey(r);
        if (setKey.run(key, r.id).changes > 0) continue;
        const keep = owner.get(key) as number;
        if (keep === r.id) continue;
        addRef.run(keep, r.ref);
        moveRefs.run(keep, r.id);
        drop.run(r.id);
      }
    }
    // the rebuild of a parent table (https://sqlite.org/lang_altertable.html#otheralter); migrate()
    // runs with foreign keys off and checks them before the commit
    db.exec(`
      CREATE TABLE scans_v9 (
        id            INTEGER PRIMARY KEY,
        started_at    TEXT NOT NULL,
        ended_at      TEXT,
        command       TEXT NOT NULL,
        inputs        TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running','complete','partial','failed','interrupted')),
        records_read  INTEGER NOT NULL DEFAULT 0,
        matched       INTEGER NOT NULL DEFAULT 0,
        inserted      INTEGER NOT NULL DEFAULT 0,
        errors        TEXT NOT NULL DEFAULT '[]',
        config        TEXT,
        warnings      TEXT NOT NULL DEFAULT '[]'  -- JSON array of InputWarning: shown, never a failure
      );
      INSERT INTO scans_v9 (id, started_at, ended_at, command, inputs, status, records_read, matched, inserted, errors, config)
        SELECT id, started_at, ended_at, command, inputs, status, records_read, matched, inserted, errors, config FROM scans;
      DROP TABLE scans;
      ALTER TABLE scans_v9 RENAME TO scans;
    `);
  },
  // 10: AI agents as inventory items: what a platform says about each agent, upserted per scan
  // and never deleted (last_scan_id says when it was last read); every change of those facts is
  // kept in agent_history. Governance gains what an agent needs: an escalation owner, the decisions
  // it may take unsupervised, those that need a human, and its rollback procedure.
  `
  CREATE TABLE agents (
    id             TEXT PRIMARY KEY,          -- agent:<platform>:<id at the source>
    platform       TEXT NOT NULL,
    source         TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    name           TEXT NOT NULL,
    facts          TEXT NOT NULL,             -- JSON AgentFacts (src/core/agent.ts) as last read
    first_scan_id  INTEGER NOT NULL REFERENCES scans(id),
    last_scan_id   INTEGER NOT NULL REFERENCES scans(id),
    updated_at     TEXT NOT NULL
  );
  CREATE TABLE agent_history (
    id             INTEGER PRIMARY KEY,
    agent_id       TEXT NOT NULL REFERENCES agents(id),
    scan_id        INTEGER NOT NULL REFERENCES scans(id),
    facts          TEXT NOT NULL              -- JSON AgentFacts as this scan read them (only when they changed)
  );
  CREATE INDEX agent_history_agent ON agent_history(agent_id, scan_id);
  ALTER TABLE governance ADD COLUMN escalation_owner TEXT;
  ALTER TABLE governance ADD COLUMN unsupervised_decisions TEXT;
  ALTER TABLE governance ADD COLUMN human_decisions TEXT;
  ALTER TABLE governance ADD COLUMN rollback TEXT;
  `,
  // 11: vendor rosters (src/store/rosters.ts): what OpenAI's and Anthropic's admin APIs and member
  // exports say about an organisation (members, invites, projects/workspaces, service accounts, keys
  // as the API redacts them, audit events, usage per day, managed agents), upserted on the vendor's
  // ids and never deleted; directory accounts with their status (Google suspended, Entra
  // accountEnabled), so that `seats` can tell a departed owner.
  `
  CREATE TABLE roster_principals (
    vendor TEXT NOT NULL, org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
    email TEXT, name TEXT, role TEXT, status TEXT, group_id TEXT, created_at TEXT, last_active_at TEXT, attrs TEXT,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, kind, id)
  );
  CREATE INDEX roster_principals_email ON roster_principals(email) WHERE email IS NOT NULL;
  CREATE TABLE roster_groups (
    vendor TEXT NOT NULL, org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
    name TEXT, status TEXT, created_at TEXT, archived_at TEXT,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, id)
  );
  CREATE TABLE roster_memberships (
    vendor TEXT NOT NULL, org TEXT NOT NULL, group_id TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, group_id, principal_id)
  );
  CREATE TABLE roster_keys (
    vendor TEXT NOT NULL, org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
    name TEXT, redacted TEXT, owner_kind TEXT, owner_id TEXT, owner_email TEXT, created_by_id TEXT, group_id TEXT,
    scope TEXT, status TEXT, created_at TEXT, last_used_at TEXT, expires_at TEXT,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, id)
  );
  CREATE TABLE roster_events (
    vendor TEXT NOT NULL, org TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL,
    actor_kind TEXT, actor_id TEXT, actor_email TEXT, target_id TEXT, scan_id INTEGER NOT NULL,
    PRIMARY KEY (vendor, org, id)
  );
  CREATE TABLE roster_usage (
    vendor TEXT NOT NULL, org TEXT NOT NULL, day TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
    metric TEXT NOT NULL, value REAL NOT NULL, source TEXT NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, day, subject_kind, subject_id, metric)
  );
  CREATE TABLE roster_agents (
    vendor TEXT NOT NULL, org TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL, name TEXT, model TEXT, version TEXT,
    created_at TEXT, modified_at TEXT, archived_at TEXT, mcp_servers TEXT NOT NULL, tools TEXT NOT NULL, unsupervised TEXT NOT NULL,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, id)
  );
  CREATE TABLE roster_cursors (
    vendor TEXT NOT NULL, org TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, org, key)
  );
  CREATE TABLE directory_accounts (
    source TEXT NOT NULL, user TEXT NOT NULL, status TEXT NOT NULL, aliases TEXT,
    first_scan_id INTEGER NOT NULL, last_scan_id INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (source, user)
  );
  `,
  // 12: MCP servers configured on endpoints (src/core/mcp.ts, collectors/endpoints): what the
  // client configurations say about each server, grouped across hosts and users (installs merged,
  // never deleted; no secret value: names and keyed hashes only), and every change of those facts.
  `
  CREATE TABLE mcp_servers (
    id            TEXT PRIMARY KEY,          -- mcp:<identity>, the record id
    source        TEXT NOT NULL,
    name          TEXT NOT NULL,
    facts         TEXT NOT NULL,             -- JSON McpServerFacts
    first_scan_id INTEGER NOT NULL,
    last_scan_id  INTEGER NOT NULL,
    updated_at    TEXT NOT NULL
  );
  CREATE TABLE mcp_server_history (
    id            INTEGER PRIMARY KEY,
    server_id     TEXT NOT NULL,
    scan_id       INTEGER NOT NULL,
    facts         TEXT NOT NULL
  );
  CREATE INDEX mcp_server_history_server ON mcp_server_history (server_id, scan_id);
  `,
  // 13: evidence rollups (src/store/rollup.ts): traffic evidence becomes one row per source x kind x
  // person (or client) x service x host x day (and, for captures, x input) with the number of events,
  // bytes, first and last time and the last reference. Stored rows of a rollup merge into its
  // earliest: counts are summed and every reference of the merged rows is kept in observation_refs
  // (the bound on sample references applies to new evidence only), so nothing is lost.
  migrateToRollups,
];

/** Migration 13: see its comment in {@link MIGRATIONS}. */
function migrateToRollups(db: DB): void {
  db.exec(`
    ALTER TABLE observations ADD COLUMN count INTEGER NOT NULL DEFAULT 1;  -- events this row stands for
    ALTER TABLE observations ADD COLUMN bytes INTEGER;                     -- bytes the source counted, when it does
    ALTER TABLE observations ADD COLUMN last_time TEXT;                    -- the last event's time (time: the first's)
    ALTER TABLE observations ADD COLUMN last_ref TEXT;                     -- JSON EvidenceRef of the last event
    UPDATE observations SET last_time = time, last_ref = ref;
  `);
  const kinds = JSON.stringify([...ROLLUP_KINDS]);
  const traffic = `kind IN (SELECT value FROM json_each('${kinds}'))`;
  // a capture's identity: the least content key of its evidence (ScanWriter computes it the same way)
  const parts = new Map<string, string>();
  for (const r of db.prepare(`SELECT json_extract(ref, '$.file') file, hex(MIN(content_key)) part FROM observations
      WHERE ${traffic} AND json_extract(ref, '$.frame') IS NOT NULL GROUP BY file`).all() as { file: string | null; part: string }[]) {
    parts.set(r.file ?? "", r.part.toLowerCase());
  }
  interface Kept { id: number; time: string; lastTime: string }
  const kept = new Map<string, Kept>();
  const page = db.prepare(`SELECT id, source, kind, time, user, client, service_id, host, app_name, ref FROM observations
      WHERE ${traffic} AND id > ? ORDER BY id LIMIT 5000`);
  const setKey = db.prepare("UPDATE observations SET content_key = ? WHERE id = ?");
  const merge = db.prepare(`UPDATE observations SET count = count + 1,
      last_ref = CASE WHEN @time >= last_time THEN @ref ELSE last_ref END, last_time = MAX(last_time, @time) WHERE id = @id`);
  const earlier = db.prepare("UPDATE observations SET time = @time, ref = @ref WHERE id = @id");
  const keepRef = db.prepare("INSERT OR IGNORE INTO observation_refs (observation_id, ref) VALUES (?, ?)");
  const oldRef = db.prepare("SELECT ref FROM observations WHERE id = ?").pluck();
  const moveRefs = db.prepare("UPDATE OR IGNORE observation_refs SET observation_id = ? WHERE observation_id = ?");
  const drop = db.prepare("DELETE FROM observations WHERE id = ?");
  for (let last = 0; ; ) {
    const rows = page.all(last) as { id: number; source: string; kind: string; time: string; user: string | null; client: string | null; service_id: string; host: string | null; app_name: string | null; ref: string }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      last = r.id;
      const ref = JSON.parse(r.ref) as { file?: string; frame?: number };
      const dims: RollupDimensions = {
        source: r.source, kind: r.kind, user: r.user, client: r.client, serviceId: r.service_id, host: r.host, appName: r.app_name,
        day: utcDay(r.time), part: ref.frame !== undefined ? (parts.get(ref.file ?? "") ?? "") : "",
      };
      const text = rollupText(dims);
      const k = kept.get(text);
      if (!k) {
        kept.set(text, { id: r.id, time: r.time, lastTime: r.time });
        setKey.run(rollupKey(dims), r.id);
        continue;
      }
      merge.run({ time: r.time, ref: r.ref, id: k.id });
      if (r.time < k.time) {
        // the merged row is the earlier: its reference becomes the rollup's first, the kept one's a sample
        keepRef.run(k.id, oldRef.get(k.id) as string);
        earlier.run({ time: r.time, ref: r.ref, id: k.id });
        k.time = r.time;
      } else keepRef.run(k.id, r.ref);
      moveRefs.run(k.id, r.id);
      drop.run(r.id);
    }
  }
}
