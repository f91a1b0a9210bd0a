import { createHash } from "node:crypto";
import type { Observation } from "../core/observation.js";

/**
 * The content key of an observation: SHA-256 over its fields in a fixed order, so the same evidence
 * read twice (a rescan of the same file, the same API page fetched again) is stored once.
 * @returns a 32-byte Buffer.
 */
export function contentKey(o: Observation): Buffer {
  const h = createHash("sha256");
  // Fixed field order; undefined fields contribute an empty slot so that fields cannot shift.
  const parts = [
    o.source, o.kind, o.time, o.host, o.client, o.server, o.port, o.user, o.clientId, o.appId, o.appName,
    o.publisher, o.scopes?.join(" "), o.consentType, o.userAgent, o.method, o.path, o.alpn?.join(","), o.qtype,
    o.response ? "r" : "", o.action, o.ref.file, o.ref.frame, o.ref.offset, o.ref.line, o.ref.api, o.ref.id,
  ];
  for (const p of parts) {
    h.update(p === undefined ? "" : String(p));
    h.update("\u0000");
  }
  return h.digest();
}
