/**
 * The scan pipeline for one source: observations from a collector → matching → the store.
 * Collectors know nothing of signatures and matching knows nothing of SQLite; this is where they meet.
 */
import { isAgentItem, type AgentItem } from "../core/agent.js";
import { isMcpServerItem, type McpServerItem } from "../core/mcp.js";
import type { Observation } from "../core/observation.js";
import { MATCH_CONFIDENCE, SUSPECTED_PREFIX } from "../core/finding.js";
import type { Matcher } from "../match/matcher.js";
import { suspect } from "../match/suspect.js";
import type { ScanWriter } from "../store/ingest.js";
import { isSkippedItem, type SkippedItem } from "../core/source.js";
import { suspectInput } from "./keep.js";

/**
 * Match every observation of `source` and queue the matched ones in `writer`; one the catalogue does
 * not know but that looks like AI (`suspect()`, minus the keys in `dismissed`) is queued as a
 * suspected finding (`suspected:<key>`).
 * A {@link SkippedItem} counts observations the source dropped as this would have (src/pipeline/keep.ts).
 * Pulls from the async iterable one observation (or one parsed chunk of observations) at a time, so a slow store slows the collector
 * (backpressure) and memory stays bounded.
 * @returns how many observations were read and matched (catalogue matches only) from this source.
 */
export async function ingest(
  source: AsyncIterable<Observation | readonly Observation[] | AgentItem | McpServerItem | SkippedItem>,
  matcher: Matcher,
  writer: ScanWriter,
  onObservation?: (count?: number) => void,
  dismissed?: ReadonlySet<string>,
): Promise<{ read: number; matched: number }> {
  let read = 0;
  let matched = 0;
  const suspectOptions = dismissed ? { dismissed } : {};
  const one = (o: Observation): void => {
    read++;
    onObservation?.();
    const f = matcher.match(o);
    if (f) {
      if (f.field !== "suspected") matched++;
      // a third-party app using a brand (the matcher's "unverified publisher" finding) is a suspected
      // record like suspect()'s: a person's dismissal of its key holds
      else if (dismissed?.has(f.serviceId.slice(SUSPECTED_PREFIX.length))) {
        writer.skip(o);
        return;
      }
      writer.add(o, f);
      return;
    }
    // Not in the catalogue: does it look like AI? Kept as "suspected" for a person to confirm or dismiss.
    const s = suspect(suspectInput(o), suspectOptions);
    if (s) writer.add(o, { serviceId: SUSPECTED_PREFIX + s.key, field: "suspected", matched: s.reason, confidence: MATCH_CONFIDENCE.suspected });
    else writer.skip(o);
  };
  for await (const item of source) {
    // read and dropped by the source (src/pipeline/keep.ts): only counted, as `one` would have
    if (isSkippedItem(item)) {
      read += item.skipped;
      writer.skipped(item.skipped);
      onObservation?.(item.skipped);
      continue;
    }
    // an agent (src/core/agent.ts): its facts go to the agents table, its evidence to its own record
    if (isAgentItem(item)) {
      writer.addAgent(item.agent);
      for (const o of item.evidence) {
        read++;
        matched++;
        onObservation?.();
        writer.add(o, { serviceId: item.agent.id, field: "agent", matched: item.agent.platform, confidence: MATCH_CONFIDENCE.agent });
      }
      continue;
    }
    // an MCP server configured on endpoints (src/core/mcp.ts): facts to mcp_servers, evidence to its record
    if (isMcpServerItem(item)) {
      writer.addMcpServer(item.mcpServer);
      for (const o of item.evidence) {
        read++;
        matched++;
        onObservation?.();
        writer.add(o, { serviceId: item.mcpServer.id, field: "mcp", matched: item.mcpServer.transport, confidence: MATCH_CONFIDENCE.mcp });
      }
      continue;
    }
    // collectors that parse a chunk at a time hand over arrays: one await per chunk, not per record
    if (Array.isArray(item)) for (const o of item as readonly Observation[]) one(o);
    else one(item as Observation);
  }
  writer.endSource();
  return { read, matched };
}
