/**
 * Observation: one piece of evidence, as a collector saw it, before any matching.
 *
 * Collectors (captures, logs, identity APIs and their exports) turn raw records into observations;
 * matching turns observations into findings; the store keeps both. An observation never says
 * whether something is AI: that is the matcher's job.
 */

/** What kind of record an observation came from. */
export type ObservationKind =
  /** A DNS query or response (QNAME, QTYPE; answers when it is a response). */
  | "dns"
  /** A TLS ClientHello over TCP (SNI, ALPN). */
  | "tls"
  /** A QUIC Initial packet whose ClientHello was decrypted (SNI, ALPN). */
  | "quic"
  /** An HTTP/1.x request head (Host, User-Agent, method, path). */
  | "http"
  /** An OAuth grant that exists now (Google token, Entra delegated permission grant or app role assignment). */
  | "oauth_grant"
  /** An OAuth event: authorize, revoke, consent, token use. */
  | "oauth_event"
  /** An interactive or non-interactive sign-in to an application. */
  | "signin"
  /** A line of a proxy, DNS, network or SaaS log. */
  | "log"
  /** An AI agent as its platform lists it (Entra agent identity, Agent 365 package, Copilot Studio agent). */
  | "agent"
  /** An MCP server or AI client in a configuration file on an endpoint (collectors/endpoints). */
  | "endpoint_config";

export const OBSERVATION_KINDS: readonly ObservationKind[] = [
  "dns",
  "tls",
  "quic",
  "http",
  "oauth_grant",
  "oauth_event",
  "signin",
  "log",
  "agent",
  "endpoint_config",
];

/**
 * Where an observation came from, precise enough for an auditor to find the raw record again.
 * A capture gives `file` + `frame` (1-based, as tshark's `frame.number`) + `offset` (byte offset of
 * the record in the file); a log gives `file` + `line`; an API gives `api` (endpoint) + `id`.
 */
export interface EvidenceRef {
  file?: string;
  frame?: number;
  offset?: number;
  line?: number;
  api?: string;
  id?: string;
}

/**
 * One piece of evidence.
 *
 * Strings are as the evidence gave them (attacker-controlled: escape before display); collectors
 * bound their length. `user` is lower-cased so that a Google e-mail and an Entra UPN are one identity.
 */
export interface Observation {
  /** Collector id: `pcap`, `google-workspace`, `microsoft-entra`, `logs:zeek`, ... */
  source: string;
  kind: ObservationKind;
  /** When the evidence happened, ISO 8601 UTC with milliseconds (`2026-11-22T04:52:52.123Z`). */
  time: string;
  /** DNS QNAME, TLS/QUIC SNI, HTTP Host (with `:port` when sent so) or a log's host. */
  host?: string;
  /** ALPN protocol IDs offered in a ClientHello, in order (`h2`, `http/1.1`, `h3`). */
  alpn?: string[];
  /** DNS QTYPE mnemonic (`A`, `AAAA`, `HTTPS`, ...) or `TYPE<n>` for unknown types. */
  qtype?: string;
  /** DNS answer data of a response (addresses, CNAME targets), as text. */
  answers?: string[];
  /** True for a DNS response, false or absent for a query. */
  response?: boolean;
  /** HTTP request method. */
  method?: string;
  /** HTTP request path (with query string, bounded). */
  path?: string;
  /** HTTP User-Agent or the user agent a log recorded. */
  userAgent?: string;
  /** OAuth client ID (Google: `<n>-<x>.apps.googleusercontent.com`). */
  clientId?: string;
  /** Microsoft Entra application (client) ID, a GUID: `appId`, not the service principal's object id. */
  appId?: string;
  /** Display name of the OAuth app or service principal. */
  appName?: string;
  /** Verified publisher display name (Entra `verifiedPublisher.displayName`). */
  publisher?: string;
  /**
   * The tenant that owns the application (Entra `appOwnerOrganizationId` of its service principal),
   * lower-cased GUID. Microsoft's own apps are owned by Microsoft's tenants. Used for matching only;
   * not stored.
   */
  appOwnerTenant?: string;
  /** OAuth scopes granted or requested. */
  scopes?: string[];
  /** Entra consent type: admin consent for all users, or one user's consent. */
  consentType?: "AllPrincipals" | "Principal";
  /** The person: e-mail or UPN, lower-cased. */
  user?: string;
  /** The person's department, when the identity source gave it. */
  department?: string;
  /** The person's job title, when the identity source gave it. */
  jobTitle?: string;
  /** Client address (IPv4 dotted or IPv6 text, without port). */
  client?: string;
  /** Server address (IPv4 dotted or IPv6 text, without port). */
  server?: string;
  /** Destination port, where the evidence has one. */
  port?: number;
  /**
   * TLS/QUIC only: true when the ClientHello carried an Encrypted Client Hello (outer
   * `encrypted_client_hello` extension 0xfe0d, or the older `encrypted_server_name` 0xffce), so
   * its SNI may be only the public name of the ECH configuration. Chromium sends a GREASE ECH
   * extension when it has no ECH configuration, which looks the same: true says the real name may
   * be hidden, not that it is.
   */
  ech?: boolean;
  /**
   * Set when `host` did not come from this record itself. `dns`: it is the question name of an
   * earlier DNS response in the same capture whose answers (A, AAAA, HTTPS address hints) held
   * `server`; set on a TLS/QUIC ClientHello that has no SNI, or that has ECH and an SNI that a DNS
   * answer named as an ECH public name.
   */
  resolvedFrom?: "dns";
  /** TLS/QUIC only, with `resolvedFrom`: the server name the ClientHello itself carried (the ECH public name). */
  sni?: string;
  /** Free-form state the source reported (`revoked`, `authorize`, `Consent to application`). */
  action?: string;
  /**
   * Bytes the record says were transferred, both directions summed where the log splits them
   * (request + response body, bytes sent + received); absent when the evidence does not say.
   * A log's own count, not recomputed: proxies count headers, Zeek counts bodies or payload.
   */
  bytes?: number;
  /**
   * Aggregated evidence only (a SIEM's daily aggregate, `scan siem`): how many events this
   * observation stands for (default 1), from `time` (the first) to {@link lastTime} (the last).
   * The store keeps such an observation as the day's rollup for its user, service and host, and a
   * later aggregate of the same day replaces it (the SIEM's latest answer for a day wins).
   */
  count?: number;
  /** Aggregated evidence only: when the last of the {@link count} events happened (ISO 8601 UTC). */
  lastTime?: string;
  ref: EvidenceRef;
}

/** Longest string kept from any attacker-controlled field (host, app name, user agent, path). */
export const MAX_FIELD_LENGTH = 1024;

/** Truncate a string from evidence to {@link MAX_FIELD_LENGTH} UTF-16 units. */
export function bound(value: string, max = MAX_FIELD_LENGTH): string {
  return value.length > max ? value.slice(0, max) : value;
}
