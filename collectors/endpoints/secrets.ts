/**
 * Keeping secret values out of an endpoint bundle. A configuration value (an `env` entry, an HTTP
 * header, a secret-looking command-line argument or URL query parameter) is never written: the
 * bundle keeps its name, whether the file held the value itself (`literal`) or a reference to
 * another variable (`${VAR}`, `${env:VAR}`, `$VAR`, `${input:id}`, `%VAR%`), whether the literal is
 * a credential, and an HMAC-SHA256 of the value (RFC 2104) under a key.
 *
 * The key: `SHADOW_AI_ENDPOINT_KEY` when set (at least 16 characters), so that every endpoint of an
 * organisation hashes alike and one token pasted into configurations on several hosts shows as the
 * same hash; otherwise 32 random bytes per bundle, thrown away when the bundle is written, so that
 * whoever reads the bundle cannot test guesses of a low-entropy value against a hash. The bundle
 * names which (`secretHash.keySource`) and an id of the key (`keyId`: the first 16 hex digits of
 * SHA-256 of "shadow-ai endpoint key id\0" + key), which says whether two bundles' hashes compare.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { McpSecretRef } from "../../src/core/mcp.js";

/** The environment variable holding an organisation-wide hashing key. */
export const KEY_ENV = "SHADOW_AI_ENDPOINT_KEY";

/** A hashing key and how it was chosen. */
export interface SecretKey {
  key: Buffer;
  source: "env" | "random";
  keyId: string;
}

/**
 * The key of one bundle: {@link KEY_ENV} when set, else 32 random bytes.
 * @throws Error when {@link KEY_ENV} is set but shorter than 16 characters (a short key helps guessing).
 */
export function bundleKey(env: NodeJS.ProcessEnv = process.env): SecretKey {
  const v = env[KEY_ENV];
  if (v !== undefined && v !== "") {
    if (v.length < 16) throw new Error(`${KEY_ENV} must be at least 16 characters`);
    const key = Buffer.from(v, "utf8");
    return { key, source: "env", keyId: keyIdOf(key) };
  }
  const key = randomBytes(32);
  return { key, source: "random", keyId: keyIdOf(key) };
}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("shadow-ai endpoint key id\u0000").update(key).digest("hex").slice(0, 16);
}

/** HMAC-SHA256 of `value` under the key, as 32 hex digits (128 bits). */
export function keyedHash(k: SecretKey, value: string): string {
  return createHmac("sha256", k.key).update(value, "utf8").digest("hex").slice(0, 32);
}

/**
 * A reference instead of a value: `${VAR}`, `${env:VAR}` (Cursor, VS Code, Windsurf), `$VAR`
 * (Gemini CLI), `${input:id}` (VS Code inputs), `%VAR%` (Windows). Returns the variable named, or
 * undefined for a literal. A value that only embeds a reference (`Bearer ${TOKEN}`) counts as a
 * reference too: the secret is not in the file.
 */
export function referenceIn(value: string): string | undefined {
  const m = /\$\{(?:env:|input:)?([A-Za-z_][A-Za-z0-9_.-]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/.exec(value);
  if (!m) return undefined;
  // the rest, without the reference and a scheme word, must hold no credential of its own
  const rest = value.replace(m[0], "").replace(/^\s*(Bearer|Basic|Token)\s*/i, "").trim();
  if (rest.length >= 8 && looksLikeToken(rest)) return undefined;
  return m[1] ?? m[2] ?? m[3];
}

/** Names of variables, headers and flags that hold credentials. */
const SECRET_NAME = /(key|token|secret|passw(or)?d|pwd|passphrase|auth|credential|cookie|session|private|bearer|pat$|^pat|dsn|connection[_-]?string|database[_-]?url|conn[_-]?str)/i;

/** Whether a variable, header or option name says its value is a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Shapes of credentials seen in MCP configurations: vendor token prefixes (OpenAI/Anthropic `sk-`,
 * GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`github_pat_`, Slack `xox?-`, GitLab `glpat-`, AWS `AKIA`, Google
 * `AIza`, Hugging Face `hf_`, Stripe `sk_live_`/`rk_live_`), a JWT, a URL with a password, or a long
 * mixed-case run of letters and digits (24 or more, as random keys are).
 */
export function looksLikeToken(value: string): boolean {
  const v = value.trim();
  if (/\b(sk-|sk_live_|rk_live_|ghp_|gho_|ghu_|ghs_|github_pat_|xox[abprs]-|glpat-|AKIA[0-9A-Z]{12}|AIza|hf_|npm_|pypi-)/.test(v)) return true;
  if (/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(v)) return true;
  return /[A-Za-z0-9_\-+/=]{24,}/.test(v) && /[a-z]/.test(v) && /[A-Z0-9]/.test(v) && !/^[a-z0-9._/-]+$/.test(v) && !v.includes("/");
}

/** The bundle entry of one `env` or `headers` value: never the value itself. */
export function secretRef(k: SecretKey, name: string, value: unknown): McpSecretRef {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  const reference = referenceIn(text);
  const literal = reference === undefined && text !== "";
  return {
    name: name.slice(0, 200),
    literal,
    secret: literal && (isSecretName(name) || looksLikeToken(text)),
    ...(text !== "" ? { hash: keyedHash(k, text) } : {}),
    ...(reference !== undefined ? { reference: reference.slice(0, 200) } : {}),
  };
}

/**
 * Command-line arguments with credentials replaced by `[secret <hash>]`: the value after a flag whose
 * name is a credential's (`--api-key VALUE`, `--token=VALUE`), `NAME=VALUE` pairs whose name is
 * one (Docker `-e`), URLs with a password or a credential in the query, and token-shaped values.
 * @returns the arguments and whether a literal credential was among them.
 */
export function redactArgs(k: SecretKey, args: readonly string[]): { args: string[]; secret: boolean } {
  let secret = false;
  const mark = (v: string): string => {
    secret = true;
    return `[secret ${keyedHash(k, v)}]`;
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = String(args[i]).slice(0, 4096);
    const prev = i > 0 ? String(args[i - 1]) : "";
    const flagEq = /^(--?[A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/s.exec(a);
    const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
    if (/^--?[A-Za-z]/.test(prev) && !prev.includes("=") && isSecretName(prev.replace(/^-+/, "")) && !/^-/.test(a) && referenceIn(a) === undefined) {
      out.push(mark(a));
    } else if (flagEq && isSecretName(flagEq[1]!.replace(/^-+/, "")) && flagEq[2] !== "" && referenceIn(flagEq[2]!) === undefined) {
      out.push(`${flagEq[1]}=${mark(flagEq[2]!)}`);
    } else if (pair && isSecretName(pair[1]!) && pair[2] !== "" && referenceIn(pair[2]!) === undefined) {
      out.push(`${pair[1]}=${mark(pair[2]!)}`);
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) {
      const r = redactUrl(k, a);
      if (r.secret) secret = true;
      out.push(r.url);
    } else if (looksLikeToken(a) && referenceIn(a) === undefined) {
      out.push(mark(a));
    } else out.push(a);
  }
  return { args: out, secret };
}

/**
 * A URL with its password (RFC 3986 §3.2.1 user information) and its credential-named or
 * token-shaped query values replaced by `[secret <hash>]`; the URL as given when it does not parse.
 */
export function redactUrl(k: SecretKey, raw: string): { url: string; secret: boolean } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return looksLikeToken(raw) ? { url: `[secret ${keyedHash(k, raw)}]`, secret: true } : { url: raw.slice(0, 2048), secret: false };
  }
  let secret = false;
  if (u.password) {
    u.password = `secret-${keyedHash(k, safeDecode(u.password))}`;
    secret = true;
  }
  // a key in the path (`https://actions.zapier.com/mcp/<key>/sse`)
  const segs = u.pathname.split("/");
  if (segs.some((p) => looksLikeToken(safeDecode(p)))) {
    u.pathname = segs.map((p) => (looksLikeToken(safeDecode(p)) ? `secret-${keyedHash(k, safeDecode(p))}` : p)).join("/");
    secret = true;
  }
  for (const [name, value] of [...u.searchParams.entries()]) {
    if (value !== "" && referenceIn(value) === undefined && (isSecretName(name) || looksLikeToken(value))) {
      u.searchParams.set(name, `[secret ${keyedHash(k, value)}]`);
      secret = true;
    }
  }
  return { url: u.toString().slice(0, 2048), secret };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
