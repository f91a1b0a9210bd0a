/**
 * Pseudonymization of exports (`inventory --format ... --pseudonymize`): every person or client
 * address becomes `u_` + the first 16 hex digits (64 bits) of an HMAC-SHA-256 under a secret key,
 * so an export can leave the security team (works council, GDPR Art. 4(5) and 25, Art. 32(1)(a))
 * while staying joinable: the same identity and key always give the same pseudonym, across records
 * and across exports. Without the key a pseudonym cannot be reversed or recomputed from a guessed
 * e-mail address. Pseudonymized data is still personal data (GDPR Recital 26): job titles and
 * departments stay, and in a small unit they can single a person out.
 *
 * What is replaced:
 * - `users[].id` of kind `user` (e-mail/UPN) and `client` (IP address); `all users` and
 *   `application permissions` name no one and stay. Users are re-sorted by pseudonym, so the order
 *   does not leak the alphabetical order of the e-mail addresses.
 * - in every other string of the record (rationales, governance text, risk details, departments),
 *   any identity of any record's users, any e-mail address and any IPv4/IPv6 address.
 * - in a vendor roster section (`roster`), every `id` that is an e-mail address (a seat of a member
 *   export, a person with no seat); the `name` of its items (a key's or an account's name may name
 *   a person) is left out.
 * What stays: `id` and `serviceId` (record keys, needed to join exports), and `owner` /
 * `governance.owner` unless `keepOwner: false`: the owner is the person answerable for the system,
 * a role the recipient of an audit export needs, not a record of anyone's use.
 */
import { createHmac } from "node:crypto";
import { isIP } from "node:net";
import type { AISystemRecord } from "../src/core/finding.js";

/** Environment variable holding the key. */
export const PSEUDONYM_KEY_ENV = "SHADOW_AI_PSEUDONYM_KEY";
/** Minimum key length in characters (32 characters of a random base64 or hex string ≥ 128 bits). */
export const MIN_PSEUDONYM_KEY_LENGTH = 32;
/** Method name recorded in exports. */
export const PSEUDONYM_METHOD = "hmac-sha256-64";

/** The key is missing or too short. The CLI maps it to exit code 2 (bad usage). */
export class PseudonymKeyError extends Error {
  override name = "PseudonymKeyError";
}

/**
 * The key from `env[SHADOW_AI_PSEUDONYM_KEY]`.
 * @throws PseudonymKeyError when it is unset, empty or shorter than 32 characters.
 */
export function pseudonymKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const key = env[PSEUDONYM_KEY_ENV];
  if (!key) {
    throw new PseudonymKeyError(`--pseudonymize needs a secret key in $${PSEUDONYM_KEY_ENV} (at least ${MIN_PSEUDONYM_KEY_LENGTH} characters, e.g. \`openssl rand -base64 32\`)`);
  }
  checkKey(key);
  return key;
}

function checkKey(key: string): void {
  if (key.length < MIN_PSEUDONYM_KEY_LENGTH) {
    throw new PseudonymKeyError(`$${PSEUDONYM_KEY_ENV} is ${key.length} characters long; it must have at least ${MIN_PSEUDONYM_KEY_LENGTH} (e.g. \`openssl rand -base64 32\`)`);
  }
}

/**
 * The pseudonym of one identity: `u_` + 16 lower-case hex digits, the first 64 bits of
 * HMAC-SHA-256(key, "shadow-ai:pseudonym:v1:" + identity trimmed and lower-cased).
 * Case-insensitive in the identity (`Alice@X.com` and `alice@x.com` give the same pseudonym).
 * @throws PseudonymKeyError when the key is shorter than 32 characters.
 */
export function pseudonym(identity: string, key: string): string {
  checkKey(key);
  return `u_${createHmac("sha256", key).update(`shadow-ai:pseudonym:v1:${identity.trim().toLowerCase()}`).digest("hex").slice(0, 16)}`;
}

/**
 * A public fingerprint of the key (8 hex digits): two exports with the same keyId have joinable
 * pseudonyms. One-way: it reveals nothing about the key.
 */
export function pseudonymKeyId(key: string): string {
  checkKey(key);
  return createHmac("sha256", key).update("shadow-ai:pseudonym-key-id:v1").digest("hex").slice(0, 8);
}

/** What an export records about its pseudonymization (`pseudonymization` in the JSON export). */
export function pseudonymizationInfo(key: string): { method: typeof PSEUDONYM_METHOD; keyId: string } {
  return { method: PSEUDONYM_METHOD, keyId: pseudonymKeyId(key) };
}

const EMAIL = String.raw`[A-Za-z0-9_%+-][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}`;
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = String.raw`(?<![\d.])${OCTET}(?:\.${OCTET}){3}(?![\d]|\.\d)`;
// Candidates only: isIP() decides. Covers compressed forms and an IPv4 tail (`::ffff:10.0.0.1`).
const IPV6 = String.raw`(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|${OCTET}(?:\.${OCTET}){3})?(?![\w:])`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Keys whose string values are never rewritten by the free-text sweep. */
const KEEP_KEYS = new Set(["id", "serviceId"]);

/**
 * Replace every user identity in `records` with its pseudonym (rules in the module comment).
 * Pure: returns new records and leaves the input alone; same records + key → same output.
 * @param key at least 32 characters; normally `pseudonymKeyFromEnv()`.
 * @param options.keepOwner keep `owner` and `governance.owner` in clear (default true).
 * @throws PseudonymKeyError when the key is too short.
 */
export function pseudonymize(records: readonly AISystemRecord[], key: string, options: { keepOwner?: boolean } = {}): AISystemRecord[] {
  checkKey(key);
  const keepOwner = options.keepOwner ?? true;
  const memo = new Map<string, string>();
  const p = (id: string): string => {
    const k = id.trim().toLowerCase();
    let v = memo.get(k);
    if (v === undefined) memo.set(k, (v = pseudonym(k, key)));
    return v;
  };

  // Identities of every record's users, longest first so `bob@x.com` wins over a shorter prefix.
  const known = [
    ...new Set(records.flatMap((r) => r.users.filter((u) => u.kind === "user" || u.kind === "client").map((u) => u.id.trim()).filter((id) => id !== ""))),
  ].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const knownRe = known.length ? `(?<![\\w.@-])(?:${known.map(escapeRegExp).join("|")})(?![\\w@-]|\\.\\w)` : null;
  const sweep = new RegExp([knownRe, EMAIL, IPV6, IPV4].filter((x) => x !== null).map((x) => `(${x})`).join("|"), "gi");
  const text = (s: string): string =>
    s.replace(sweep, (m: string, ...groups: unknown[]) => {
      // The IPv6 alternative only proposes candidates: a time of day (`10:04:46`) is not an address.
      const ipv6Group = knownRe ? 3 : 2;
      if (groups[ipv6Group - 1] === m && isIP(m) !== 6) return m;
      return p(m);
    });

  const walk = (v: unknown, keyName: string | null): unknown => {
    if (typeof v === "string") return keyName !== null && KEEP_KEYS.has(keyName) ? v : text(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };

  const owner = (o: string | null): string | null => (o === null || keepOwner ? o : p(o));
  return records.map((r) => {
    // Sweep every string (the walk keeps `id` keys, so users[].id is replaced just below).
    const out = walk(r, null) as AISystemRecord;
    out.users = r.users
      .map((u) => ({
        id: u.kind === "user" || u.kind === "client" ? p(u.id) : u.id,
        kind: u.kind,
        ...(u.department !== undefined ? { department: text(u.department) } : {}),
        observations: u.observations,
        firstSeen: u.firstSeen,
        lastSeen: u.lastSeen,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    out.owner = owner(r.owner);
    out.governance.owner = owner(r.governance.owner);
    if (out.roster) {
      const x = out.roster;
      const emailId = new RegExp(`^(?:${EMAIL})$`);
      for (const k of ["unusedSeats", "noSeat", "orphanedKeys", "orphanedServiceAccounts", "staleKeys", "unsupervisedAgents"] as const) {
        x[k] = { count: x[k].count, first: x[k].first.map(({ name: _name, ...i }) => (emailId.test(i.id) ? { ...i, id: p(i.id) } : i)) };
      }
    }
    return out;
  });
}
