/**
 * The scan pipeline for one source: observations from a collector → matching → the store.
 * Collectors know nothing of signatures and matching knows nothing of SQLite; this is where they meet.
 */
import type { Observation } from "../core/observation.js";
import type { Matcher } from "../match/matcher.js";
import type { ScanWriter } from "../store/ingest.js";

/**
 * Match every observation of `source` and queue the matched ones in `writer`.
 * Pulls from the async iterable one observation at a time, so a slow store slows the collector
 * (backpressure) and memory stays bounded.
 * @returns how many observations were read and matched from this source.
 */
export async function ingest(source: AsyncIterable<Observation>, matcher: Matcher, writer: ScanWriter): Promise<{ read: number; matched: number }> {
  let read = 0;
  let matched = 0;
  for await (const o of source) {
    read++;
    const f = matcher.match(o);
    if (f) {
      matched++;
      writer.add(o, f);
    } else {
      writer.skip(o);
    }
  }
  writer.flush();
  return { read, matched };
}
