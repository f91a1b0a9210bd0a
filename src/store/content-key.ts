import { hash } from "node:crypto";
import type { Observation } from "../core/observation.js";

/**
 * The content key of an observation: SHA-256 over its fields in a fixed order, so the same evidence
 * read twice (a rescan of the same file, the same API page fetched again) is stored once.
 * @returns a 32-byte Buffer.
 */
export function contentKey(o: Observation): Buffer {
  // Fixed field order; undefined fields contribute an empty slot so that fields cannot shift.
  // Joined once and hashed by the one-shot crypto.hash (Node >= 20.12): one hash call per
  // observation is the store's hot path, and the one-shot form skips the Hash object.
  const parts = [
    o.source, o.kind, o.time, o.host, o.client, o.server, o.port, o.user, o.clientId, o.appId, o.appName,
    o.publisher, o.scopes?.join(" "), o.consentType, o.userAgent, o.method, o.path, o.alpn?.join(","), o.qtype,
    o.response ? "r" : "", o.action, o.ref.file, o.ref.frame, o.ref.offset, o.ref.line, o.ref.api, o.ref.id,
  ];
  let text = "";
  for (const p of parts) text += (p === undefined ? "" : String(p)) + "\u0000";
  return hash("sha256", text, "buffer");
}
