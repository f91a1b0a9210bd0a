/**
 * The scan pipeline for one source: observations from a collector → matching → the store.
 * Collectors know nothing of signatures and matching knows nothing of SQLite; this is where they meet.
 */
import type { Observation } from "../core/observation.js";
import { MATCH_CONFIDENCE, SUSPECTED_PREFIX } from "../core/finding.js";
import type { Matcher } from "../match/matcher.js";
import { suspect } from "../match/suspect.js";
import type { ScanWriter } from "../store/ingest.js";

/**
 * Match every observation of `source` and queue the matched ones in `writer`; one the catalogue does
 * not know but that looks like AI (`suspect()`, minus the keys in `dismissed`) is queued as a
 * suspected finding (`suspected:<key>`).
 * Pulls from the async iterable one observation at a time, so a slow store slows the collector
 * (backpressure) and memory stays bounded.
 * @returns how many observations were read and matched (catalogue matches only) from this source.
 */
export async function ingest(
  source: AsyncIterable<Observation>,
  matcher: Matcher,
  writer: ScanWriter,
  onObservation?: () => void,
  dismissed?: ReadonlySet<string>,
): Promise<{ read: number; matched: number }> {
  let read = 0;
  let matched = 0;
  for await (const o of source) {
    read++;
    onObservation?.();
    const f = matcher.match(o);
    if (f) {
      matched++;
      writer.add(o, f);
      continue;
    }
    // Not in the catalogue: does it look like AI? Kept as "suspected" for a person to confirm or dismiss.
    const s = suspect({ host: o.host, path: o.path, appName: o.appName, userAgent: o.userAgent }, dismissed ? { dismissed } : {});
    if (s) {
      writer.add(o, { serviceId: SUSPECTED_PREFIX + s.key, field: "suspected", matched: s.reason, confidence: MATCH_CONFIDENCE.suspected });
    } else {
      writer.skip(o);
    }
  }
  writer.flush();
  return { read, matched };
}
