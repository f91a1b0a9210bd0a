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
 * The forms a secret takes on the wire and in logs: as it is; percent-encoded as a URL component
 * or a form field (RFC 3986 §2.1, with upper- and lower-case hex digits; a form encodes spaces as
 * `+`); escaped inside a JSON string (RFC 8259 §7); and base64 / base64url (RFC 4648 §4, §5) with
 * and without padding. A token endpoint that echoes a request back shows the form-encoded one.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  const strict = uri.replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  for (const f of [uri, strict, uri.replace(/%20/g, "+"), strict.replace(/%20/g, "+")]) {
    forms.add(f);
    forms.add(f.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  }
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/"));
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ""));
  forms.add(Buffer.from(secret, "utf8").toString("base64url"));
  return [...forms].filter((f) => f.length >= 8).sort((a, b) => b.length - a.length);
}

/**
 * Replace every secret in `text` (values of 8 characters or more, in each form of
 * {@link secretForms}), every `Bearer <token>` / `Basic <credentials>` and every JWT-shaped string
 * with `[redacted]`.
 */
export function redact(text: string, secrets: readonly string[] = environmentSecrets()): string {
  let t = text;
  for (const s of secrets) {
    if (s.length < 8) continue;
    for (const f of secretForms(s)) if (t.includes(f)) t = t.split(f).join("[redacted]");
  }
  return t
    .replace(/((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[redacted]")
    .replace(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/((?:client_secret|client_assertion|access_token|refresh_token|password)=)[^&\s"']{4,}/gi, "$1[redacted]");
}
