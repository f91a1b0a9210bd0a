/**
 * Request targets and addresses as logs write them: URLs, `host:port`, scheme-less `host/path`,
 * and the check that a client field holds an address or a host name.
 */
import { bound } from "../../../src/core/observation.js";

/** Longest URL path (with query) kept from a log record, in UTF-16 units. */
export const MAX_PATH_LENGTH = 1024;

/** The parts of a request target that observations keep. */
export interface Target {
  host?: string;
  port?: number;
  path?: string;
}

/**
 * Split what a log gives as a request target into host, port and path, without a URL parser:
 * absolute URLs (`https://api.openai.com/v1/chat?x=1`, `http://[2001:db8::1]:8080/`), CONNECT's
 * authority form (`api.openai.com:443`), and scheme-less `host[:port]/path` (Zscaler `eurl`,
 * PAN-OS URL logs). An origin-form target (`/index.html`) gives only a path. User info
 * (`user:pw@`) is dropped. The host is kept as written (the matcher normalises case);
 * the path is bounded to {@link MAX_PATH_LENGTH}.
 */
export function splitTarget(raw: string): Target {
  let s = raw;
  if (s.length === 0 || s === "-") return {};
  if (s.charCodeAt(0) === 47 /* / */) return { path: bound(s, MAX_PATH_LENGTH) };
  let defaultPort: number | undefined;
  const scheme = s.indexOf("://");
  if (scheme > 0 && scheme < 16) {
    const name = s.slice(0, scheme).toLowerCase();
    defaultPort = name === "https" || name === "wss" ? 443 : name === "http" || name === "ws" ? 80 : name === "ftp" ? 21 : undefined;
    s = s.slice(scheme + 3);
  }
  let authEnd = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      authEnd = i;
      break;
    }
  }
  let authority = s.slice(0, authEnd);
  const at = authority.lastIndexOf("@");
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  let port: number | undefined;
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const close = authority.indexOf("]");
    if (close > 0) {
      host = authority.slice(1, close);
      if (authority.charCodeAt(close + 1) === 58) port = toPort(authority.slice(close + 2));
    }
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0 && authority.indexOf(":") === colon) {
      host = authority.slice(0, colon);
      port = toPort(authority.slice(colon + 1));
    }
  }
  const out: Target = {};
  if (host.length > 0) out.host = bound(host);
  const p = port ?? defaultPort;
  if (p !== undefined) out.port = p;
  if (authEnd < s.length) {
    const path = s.charCodeAt(authEnd) === 47 ? s.slice(authEnd) : `/${s.slice(authEnd)}`;
    out.path = bound(path, MAX_PATH_LENGTH);
  }
  return out;
}

/** A TCP/UDP port from decimal text (0–65535), or undefined. */
export function toPort(v: string | number | undefined | null): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** A host and optional port as a log field writes them: `10.0.0.1`, `10.0.0.1:52344`, `[2001:db8::1]:443`, `2001:db8::1`, `www.example.com:443`. */
export function splitHostPort(s: string): { host: string; port?: number } {
  if (s.charCodeAt(0) === 91 /* [ */) {
    const close = s.indexOf("]");
    if (close > 0) {
      const port = s.charCodeAt(close + 1) === 58 ? toPort(s.slice(close + 2)) : undefined;
      return port === undefined ? { host: s.slice(1, close) } : { host: s.slice(1, close), port };
    }
    return { host: s };
  }
  const colon = s.indexOf(":");
  if (colon < 0 || s.indexOf(":", colon + 1) >= 0) return { host: s }; // no port, or a bare IPv6 address
  const port = toPort(s.slice(colon + 1));
  return port === undefined ? { host: s } : { host: s.slice(0, colon), port };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** True for an IPv4 address in dotted-quad form. */
export function isIPv4(s: string): boolean {
  return s.length <= 15 && IPV4.test(s);
}

/** True for IPv6 text (hex groups and colons, an optional embedded IPv4 and `%zone`). */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 64 || s.indexOf(":") < 0) return false;
  const zone = s.indexOf("%");
  const a = zone >= 0 ? s.slice(0, zone) : s;
  if (!/^[0-9A-Fa-f:.]+$/.test(a)) return false;
  const groups = a.split(":");
  if (groups.length > 8 + 1 || (a.match(/::/g)?.length ?? 0) > 1) return false;
  return groups.every((g, i) => g.length <= 4 || (i === groups.length - 1 && isIPv4(g)));
}

/** True for an IP address (v4 or v6). */
export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

/**
 * True when `s` can be the client of a request as a log writes it: an IP address, or a host name
 * (Apache's `%h` with `HostnameLookups On`), by RFC 1123 label syntax (underscores tolerated).
 * Anything else (a time, a quoted string, `-`) is not a client.
 */
export function isAddressOrHost(s: string): boolean {
  if (isIP(s)) return true;
  // A host name has at least one letter: `123` or `904` are numbers, not hosts.
  return HOST_NAME.test(s) && /[A-Za-z]/.test(s);
}
