/**
 * JSON records as SIEM exports wrap them. A record exported from Splunk, Elasticsearch or an HTTP
 * event collector is often not the vendor's object itself but a wrapper holding it:
 *
 * - Splunk search exports (`splunk search ... -output json`, the REST `export` endpoint): one
 *   `{"preview": false, "result": {"_raw": "<the original line>", "_time": ..., ...}}` per line;
 *   `_raw` is the original event as a JSON *string*
 *   (https://docs.splunk.com/Documentation/Splunk/latest/RESTREF/RESTsearch#search.2Fjobs.2Fexport);
 * - Elasticsearch hits (`_search`, `elasticdump`): `{"_index": ..., "_source": {...}}`
 *   (https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html);
 * - Splunk HTTP Event Collector payloads: `{"sourcetype": ..., "event": {...}}`
 *   (https://docs.splunk.com/Documentation/Splunk/latest/Data/FormateventsforHTTPEventCollector).
 *
 * {@link unwrapRecord} returns the innermost vendor object. Formats whose own records use one of
 * these keys (Zscaler's HEC feeds use `event`) see the same object either way.
 */
import { isRecord } from "./fields.js";

/** Longest `_raw` string parsed as JSON (UTF-16 units): one record, not a file. */
export const MAX_RAW_CHARS = 1024 * 1024;

/** Wrappers unwrapped at most this deep (`result` → `_raw` → ...). */
const MAX_DEPTH = 4;

/**
 * The vendor record inside SIEM wrappers: `_raw` (a JSON string, parsed when it is an object of at
 * most {@link MAX_RAW_CHARS}), or the object under `result`, `_source` or `event` when the wrapper
 * holds nothing else of its own but metadata. A value that is not wrapped is returned as it is.
 *
 * @param v a parsed JSON value.
 * @returns the innermost object, or `v` itself; never throws (a `_raw` that is not JSON leaves the
 *   wrapper as it is, and the format's parser then reports it as not one of its records).
 */
export function unwrapRecord(v: unknown): unknown {
  let cur = v;
  for (let depth = 0; depth < MAX_DEPTH && isRecord(cur); depth++) {
    const raw = cur["_raw"];
    if (typeof raw === "string") {
      const t = raw.trimStart();
      if (t.charCodeAt(0) !== 123 /* { */ || t.length > MAX_RAW_CHARS) return cur;
      try {
        cur = JSON.parse(t) as unknown;
        continue;
      } catch {
        return cur;
      }
    }
    const next = isRecord(cur["result"]) ? cur["result"] : isRecord(cur["_source"]) ? cur["_source"] : isHecEnvelope(cur) ? (cur["event"] as Record<string, unknown>) : undefined;
    if (next) {
      cur = next;
      continue;
    }
    return cur;
  }
  return cur;
}

/** Keys of a Splunk HTTP Event Collector envelope around its `event`. */
const HEC_KEYS = new Set(["event", "time", "host", "source", "sourcetype", "index", "fields", "version"]);

/** `{"sourcetype": ..., "event": {...}}` and nothing else but HEC metadata. */
function isHecEnvelope(v: Record<string, unknown>): boolean {
  if (!isRecord(v["event"])) return false;
  for (const k in v) if (!HEC_KEYS.has(k)) return false;
  return true;
}

/** True when `v` is a wrapper {@link unwrapRecord} would open (for cheap checks before the work). */
export function isWrapped(v: Record<string, unknown>): boolean {
  return typeof v["_raw"] === "string" || isRecord(v["result"]) || isRecord(v["_source"]) || isHecEnvelope(v);
}
