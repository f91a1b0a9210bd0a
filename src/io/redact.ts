/**
 * Keeping secrets out of messages. Every error message that can reach stderr, the `scans` table or
 * an export goes through {@link redact}: the secrets we know (access tokens, client secrets, key
 * material from the environment) and anything shaped like a bearer token or a JWT
 * (RFC 6750 §2.1 https://www.rfc-editor.org/rfc/rfc6750#section-2.1; RFC 7519 §3) become `[redacted]`.
 */

const secretVars = new Set<string>(["SHADOW_AI_PSEUDONYM_KEY"]);

/**
 * Environment variables whose values are secrets: the pseudonymisation key, and every secret
 * credential a registered source declares (collectors/registry.ts adds them with {@link addSecretEnvVars}).
 */
export const SECRET_ENV_VARS: ReadonlySet<string> = secretVars;

/** Add variables whose values are secrets (the source registry does, for each source's credentials). */
export function addSecretEnvVars(names: readonly string[]): void {
  for (const n of names) secretVars.add(n);
}

/** The values of {@link SECRET_ENV_VARS} that are set (8 characters or more). */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...secretVars].map((v) => env[v]?.trim() ?? "").filter((s) => s.length >= 8);
}

/**
 * Replace every secret in `text` (exact values of 8 characters or more), every `Bearer <token>` and
 * every JWT-shaped string with `[redacted]`.
 */
export function redact(text: string, secrets: readonly string[] = environmentSecrets()): string {
  let t = text;
  for (const s of secrets) if (s.length >= 8) t = t.split(s).join("[redacted]");
  return t
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[redacted]")
    .replace(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, "[redacted]");
}
