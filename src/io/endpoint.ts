/**
 * Where credentials may be sent. A scan sends access tokens, client assertions and secrets to the
 * endpoints its configuration names; a configuration someone else planted could name their own
 * server. Credentials therefore travel over HTTPS only; plain HTTP is accepted for loopback hosts
 * alone (local test servers, and local forwarding proxies that terminate TLS themselves).
 */
import { z } from "zod";

/** Host names that are this machine: `localhost`, 127.0.0.0/8 and `[::1]` (RFC 6761 §6.3, RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why `url` is not an endpoint credentials may be sent to, or undefined when it is (https, or
 * http to a loopback host).
 */
export function credentialEndpointProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "not a URL";
  }
  if (u.protocol === "https:") return undefined;
  if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return undefined;
  if (u.protocol === "http:") return "credentials are sent over HTTPS only (plain http is accepted for loopback hosts alone)";
  return `unsupported scheme ${u.protocol} (expected https://)`;
}

/** A zod string that must be an endpoint credentials may be sent to (see {@link credentialEndpointProblem}). */
export const credentialEndpoint = z
  .string()
  .max(2048)
  .superRefine((u, ctx) => {
    const p = credentialEndpointProblem(u);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });
