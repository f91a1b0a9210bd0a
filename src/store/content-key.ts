import { hash } from "node:crypto";
import type { Observation } from "../core/observation.js";

/**
 * The canonical text of an observation: its fields in a fixed order, each followed by a NUL; an
 * absent field is an empty slot, so that fields cannot shift.
 *
 * The file name is not part of it: the same record read from two files (a copied capture, an
 * export saved under a dated name) is one observation, stored once, with both references kept
 * (`observation_refs`). Its place in the file (frame, byte offset, line) is part of it, so two
 * identical log lines are still two events. Every field here is a column of `observations`, so
 * that a migration can recompute the key of stored evidence exactly (migration 9).
 */
export function contentText(o: Observation): string {
  const parts = [
    o.source, o.kind, o.time, o.host, o.client, o.server, o.port, o.user, o.clientId, o.appId, o.appName,
    o.publisher, o.scopes?.join(" "), o.consentType, o.userAgent, o.method, o.path, o.alpn?.join(","), o.qtype,
    o.action, o.ref.frame, o.ref.offset, o.ref.line, o.ref.api, o.ref.id,
  ];
  let text = "";
  for (const p of parts) text += (p === undefined ? "" : String(p)) + "\u0000";
  return text;
}

/**
 * The content key of an observation, so that the same evidence read twice (a rescan of the same
 * file, the same API page fetched again) is stored once: 32 bytes, the observation's time as a
 * signed 64-bit big-endian count of milliseconds since 1970 (0 when `time` does not parse), then
 * the first 24 bytes of the SHA-256 of {@link contentText} (192 bits: no collision in any
 * inventory's lifetime).
 *
 * Why the time first: the unique index on this key then grows at its end, as evidence arrives in
 * time order, instead of at a random page per row; with a random key each stored row dirtied a
 * random leaf page, and storing got slower as the table grew (16 µs a row at 18,000 rows, 36 µs
 * at 180,000; 29 µs with the time first). Migration 6 (schema.ts) rewrote older keys, which were
 * the whole SHA-256, the same way in SQL.
 */
export function contentKey(o: Observation): Buffer {
  return keyOf(o.time, contentText(o));
}

/** The key of canonical text `text` of evidence at `time` (see {@link contentKey}). */
export function keyOf(time: string, text: string): Buffer {
  // One-shot crypto.hash (Node >= 20.12): one hash per observation is the store's hot path.
  const digest = hash("sha256", text, "buffer");
  const key = Buffer.allocUnsafe(32);
  const ms = Date.parse(time);
  key.writeBigInt64BE(BigInt(Number.isFinite(ms) ? ms : 0), 0);
  digest.copy(key, 8, 0, 24);
  return key;
}

/** One stored observation's columns, as migration 9 reads them. */
export interface StoredObservationRow {
  source: string; kind: string; time: string; host: string | null; client: string | null; server: string | null; port: number | null;
  user: string | null; client_id: string | null; app_id: string | null; app_name: string | null; publisher: string | null;
  scopes: string | null; consent_type: string | null; user_agent: string | null; method: string | null; path: string | null;
  alpn: string | null; qtype: string | null; action: string | null; ref: string;
}

/** The content key of a stored observation, from its columns: the same as {@link contentKey} of the observation it was. */
export function storedContentKey(r: StoredObservationRow): Buffer {
  const ref = JSON.parse(r.ref) as Observation["ref"];
  const list = (v: string | null, sep: string) => (v === null ? undefined : (JSON.parse(v) as string[]).join(sep));
  const o = {
    source: r.source, kind: r.kind as Observation["kind"], time: r.time, ref,
    ...(r.host !== null ? { host: r.host } : {}), ...(r.client !== null ? { client: r.client } : {}), ...(r.server !== null ? { server: r.server } : {}),
    ...(r.port !== null ? { port: r.port } : {}), ...(r.user !== null ? { user: r.user } : {}), ...(r.client_id !== null ? { clientId: r.client_id } : {}),
    ...(r.app_id !== null ? { appId: r.app_id } : {}), ...(r.app_name !== null ? { appName: r.app_name } : {}), ...(r.publisher !== null ? { publisher: r.publisher } : {}),
    ...(r.consent_type !== null ? { consentType: r.consent_type } : {}), ...(r.user_agent !== null ? { userAgent: r.user_agent } : {}),
    ...(r.method !== null ? { method: r.method } : {}), ...(r.path !== null ? { path: r.path } : {}), ...(r.qtype !== null ? { qtype: r.qtype } : {}),
    ...(r.action !== null ? { action: r.action } : {}),
  } as Observation;
  const scopes = list(r.scopes, " ");
  const alpn = list(r.alpn, ",");
  // the canonical text joins lists itself: hand it the joined strings as one-element lists
  if (scopes !== undefined) o.scopes = [scopes];
  if (alpn !== undefined) o.alpn = [alpn];
  return contentKey(o);
}
