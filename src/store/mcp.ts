/**
 * Reading the mcp_servers table (migration 12): what endpoint configurations last said about each
 * MCP server, grouped across hosts. Written only by a scan (ScanWriter.addMcpServer); never deleted.
 */
import type { McpServerFacts } from "../core/mcp.js";
import type { DB } from "./db.js";

/** A server's stored facts and the scans that read it first and last. */
export interface StoredMcpServer {
  facts: McpServerFacts;
  firstScanId: number;
  lastScanId: number;
}

/**
 * Every stored MCP server by record id, or only those of `ids`.
 * @throws Error naming the server when a stored `facts` value is not JSON (a damaged database).
 */
export function readMcpServers(db: DB, ids?: readonly string[]): Map<string, StoredMcpServer> {
  const rows = (
    ids
      ? db.prepare("SELECT id, facts, first_scan_id, last_scan_id FROM mcp_servers WHERE id IN (SELECT value FROM json_each(?))").all(JSON.stringify(ids))
      : db.prepare("SELECT id, facts, first_scan_id, last_scan_id FROM mcp_servers").all()
  ) as { id: string; facts: string; first_scan_id: number; last_scan_id: number }[];
  const out = new Map<string, StoredMcpServer>();
  for (const r of rows) {
    let facts: McpServerFacts;
    try {
      facts = JSON.parse(r.facts) as McpServerFacts;
    } catch (e) {
      throw new Error(`mcp_servers row ${r.id}: facts are not JSON (${(e as Error).message})`);
    }
    out.set(r.id, { facts, firstScanId: r.first_scan_id, lastScanId: r.last_scan_id });
  }
  return out;
}
