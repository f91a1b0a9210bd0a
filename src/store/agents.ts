/**
 * Reading the agents table (migration 10): what each platform last said about each AI agent, and
 * the history of those facts. Written only by a scan (ScanWriter.addAgent); never deleted.
 */
import type { AgentFacts } from "../core/agent.js";
import type { DB } from "./db.js";

/** An agent's stored facts and the scans that read it first and last. */
export interface StoredAgent {
  facts: AgentFacts;
  firstScanId: number;
  lastScanId: number;
}

/**
 * Every stored agent by record id, or only those of `ids`.
 * @throws Error naming the agent when a stored `facts` value is not JSON (a damaged database).
 */
export function readAgents(db: DB, ids?: readonly string[]): Map<string, StoredAgent> {
  const rows = (
    ids
      ? db.prepare("SELECT id, facts, first_scan_id, last_scan_id FROM agents WHERE id IN (SELECT value FROM json_each(?))").all(JSON.stringify(ids))
      : db.prepare("SELECT id, facts, first_scan_id, last_scan_id FROM agents").all()
  ) as { id: string; facts: string; first_scan_id: number; last_scan_id: number }[];
  const out = new Map<string, StoredAgent>();
  for (const r of rows) {
    let facts: AgentFacts;
    try {
      facts = JSON.parse(r.facts) as AgentFacts;
    } catch (e) {
      throw new Error(`agents row ${r.id}: facts are not JSON (${(e as Error).message})`);
    }
    out.set(r.id, { facts, firstScanId: r.first_scan_id, lastScanId: r.last_scan_id });
  }
  return out;
}

/** The facts of one agent as each scan that changed them read them, oldest first. */
export function agentHistory(db: DB, id: string): { scanId: number; facts: AgentFacts }[] {
  return (db.prepare("SELECT scan_id, facts FROM agent_history WHERE agent_id = ? ORDER BY scan_id, id").all(id) as { scan_id: number; facts: string }[]).map((r) => ({
    scanId: r.scan_id,
    facts: JSON.parse(r.facts) as AgentFacts,
  }));
}
