/**
 * Suspected AI: guesses for what the catalogue lacks. An OAuth app, a host or a log entry whose
 * name, domain, API path or user agent looks like AI becomes an inventory entry with status
 * `suspected` and the reason, for a person to confirm (write a signature) or dismiss.
 *
 * Call it only for observations the catalogue did not match ({@link Matcher.match} first).
 * Every guess has a `key` that is stable across scans, so a dismissal can be remembered by key:
 * - hosts: the registrable domain (`api.some-llm-startup.ai` → `some-llm-startup.ai`), from the
 *   Public Suffix List (https://publicsuffix.org/list/, via the `tldts` package, private section
 *   included, so `my-gpt.vercel.app` is its own key); when the AI word is in a subdomain label, the
 *   host from that label down (`llm-gw.corp.example.com`), so dismissing it does not hide the rest
 *   of the organisation's domain; an IP address or single-label host is its own key;
 * - app names: the name NFKC-normalised, lower-cased, whitespace collapsed (`gpt email writer`);
 * - a user agent with no host: `ua:<marker>` (`ua:openai/python`).
 *
 * Known false positives (payment, monitoring, CDN, analytics, identity and big SaaS hosts) are in
 * `allowlist.yaml` beside this file; a host under one of them is never suspected.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDomain } from "tldts";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { packageRoot } from "../core/paths.js";
import { ownCopy } from "../core/own-copy.js";
import { appNameKey, normaliseHost, splitTarget } from "./matcher.js";

/** What the suspected-AI checks look at: the unmatched identifiers of one observation. */
export interface SuspectInput {
  /** A host as evidence gives it, or a URL (its path is then used too when `path` is absent). */
  host?: string;
  /** HTTP request path, query string allowed. */
  path?: string;
  /** OAuth app / service principal display name. */
  appName?: string;
  userAgent?: string;
}

/** A guess: the stable key a dismissal is remembered by, a reason for people, and which input gave it. */
export interface Suspicion {
  key: string;
  reason: string;
  via: "host" | "path" | "appName" | "userAgent";
}

/** Options of {@link suspect}. */
export interface SuspectOptions {
  /** Keys a person dismissed (governance): a guess with one of these keys is not reported. */
  dismissed?: { has(key: string): boolean };
  /** The allow list to use instead of the bundled `allowlist.yaml`. */
  allowList?: AllowList;
}

// ---------------------------------------------------------------------------------------------
// Allow list

/** Groups of the allow list, for people reading it; all groups behave the same. */
export const ALLOW_GROUPS = ["payment", "monitoring", "cdn", "cloud", "analytics", "identity", "saas", "messaging"] as const;

const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

const allowListSchema = z
  .object({
    version: z.literal(1),
    domains: z.partialRecord(z.enum(ALLOW_GROUPS), z.array(z.string().regex(DOMAIN, "lower-case DNS name without scheme, path or wildcard"))),
    appNames: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** A loaded allow list: domain → group, and normalised app names. */
export interface AllowList {
  domains: ReadonlyMap<string, string>;
  appNames: ReadonlySet<string>;
}

/** The bundled allow list file: `src/match/allowlist.yaml` at the package root. */
export function defaultAllowListFile(): string {
  return join(packageRoot(), "src", "match", "allowlist.yaml");
}

/**
 * Load and validate an allow list file (see `allowlist.yaml` for the format).
 * @throws Error naming the file and the invalid field, or a domain listed twice.
 */
export function loadAllowList(file: string = defaultAllowListFile()): AllowList {
  const parsed = allowListSchema.safeParse(parseYaml(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  const domains = new Map<string, string>();
  for (const [group, list] of Object.entries(parsed.data.domains)) {
    for (const d of list ?? []) {
      const prev = domains.get(d);
      if (prev) throw new Error(`${file}: domains.${group}: ${d} is also listed under ${prev}`);
      domains.set(d, group);
    }
  }
  return { domains, appNames: new Set(parsed.data.appNames.map(appNameKey)) };
}

let bundled: AllowList | undefined;
function bundledAllowList(): AllowList {
  return (bundled ??= loadAllowList());
}

/** The allow-list domain a host falls under (label boundaries), if any. */
export function allowedBy(host: string, allow: AllowList = bundledAllowList()): string | undefined {
  let i = 0;
  for (;;) {
    const suffix = i === 0 ? host : host.slice(i);
    if (allow.domains.has(suffix)) return suffix;
    const dot = host.indexOf(".", i);
    if (dot < 0) return undefined;
    i = dot + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Words

/** Strings that mean AI wherever they occur in a DNS label or app-name word. */
const STRONG_SUBSTRINGS = ["gpt", "openai", "chatbot", "copilot", "genai", "ollama", "langchain", "llama", "huggingface", "notetaker"];
/** `llm` not glued between two letters (`allmusic`, `smallmouth` are not LLMs). */
const LLM = /(^|[^a-z])llms?($|[^a-z])/;
/**
 * Words that, under the `.ai` top-level domain, or glued to "ai" (`aiwriter`, `chatai`), say AI.
 * Substrings, as domains glue words together.
 */
const AI_ISH = [
  "chat", "bot", "gpt", "llm", "agent", "assist", "copilot", "prompt", "writ", "note", "transcri", "summar", "voice",
  "speech", "tutor", "generat", "model", "brain", "mind", "neural", "cogni", "avatar", "companion", "persona", "copy",
  "lingo", "intelli", "predict", "vision", "answer", "genie",
];

/** The AI word of one DNS label or app-name word, or undefined. `tldIsAi`: the registrable domain is under `.ai`. */
function aiWord(label: string, tldIsAi = false): string | undefined {
  for (const w of STRONG_SUBSTRINGS) if (label.includes(w)) return w;
  const llm = LLM.exec(label);
  if (llm) return llm[0].replace(/[^a-z]/g, "");
  for (const token of label.split(/[-_]+/)) {
    if (token === "ai") return "ai";
    if (token.length > 4 && token.startsWith("ai")) {
      const rest = token.slice(2);
      const w = AI_ISH.find((x) => rest.startsWith(x));
      if (w) return `ai${w}`;
    }
    if (token.length > 4 && token.endsWith("ai")) {
      const rest = token.slice(0, -2);
      const w = AI_ISH.find((x) => rest.endsWith(x) || rest.endsWith(`${x}s`) || rest.endsWith(`${x}er`));
      if (w) return `${w}ai`;
    }
  }
  if (tldIsAi) for (const w of AI_ISH) if (label.includes(w)) return w;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Paths and user agents

/** Known AI API paths (query string removed, lower-cased), with what they are. */
const AI_PATHS: { re: RegExp; what: string }[] = [
  { re: /(^|\/)chat\/completions$/, what: "OpenAI-compatible chat completions API" },
  { re: /^(\/[^/]+)*\/v1\/completions$/, what: "OpenAI-compatible completions API" },
  { re: /^(\/[^/]+)*\/v1\/embeddings$/, what: "OpenAI-compatible embeddings API" },
  { re: /^(\/[^/]+)*\/v1\/responses$/, what: "OpenAI Responses API" },
  { re: /^(\/[^/]+)*\/v1\/images\/(generations|edits|variations)$/, what: "OpenAI-compatible image generation API" },
  { re: /^(\/[^/]+)*\/v1\/audio\/(transcriptions|translations|speech)$/, what: "OpenAI-compatible audio API" },
  { re: /^\/openai\/deployments\/[^/]+\/(chat\/completions|completions|embeddings)$/, what: "Azure OpenAI deployment API" },
  { re: /^\/v1\/engines\/[^/]+\/completions$/, what: "OpenAI legacy engines API" },
  { re: /^\/v1\/messages(\/count_tokens|\/batches)?$/, what: "Anthropic Messages API" },
  { re: /^\/api\/(generate|embeddings|embed)$/, what: "Ollama API" },
  { re: /\/models\/[^/]+:(generatecontent|streamgeneratecontent|embedcontent|batchembedcontents|counttokens)$/, what: "Gemini API" },
  { re: /\/publishers\/[^/]+\/models\/[^/]+:(predict|rawpredict|streamrawpredict|generatecontent|streamgeneratecontent)$/, what: "Vertex AI model API" },
  { re: /^\/model\/[^/]+\/(invoke|invoke-with-response-stream|converse|converse-stream)$/, what: "Amazon Bedrock runtime API" },
  { re: /^\/v1\/rerank$/, what: "rerank API (Cohere-compatible)" },
  { re: /^\/v1\/text-to-speech\/[^/]+(\/stream)?$/, what: "ElevenLabs-style text-to-speech API" },
];

/** Cheap pre-filter: a path that contains none of these cannot match {@link AI_PATHS}. */
const AI_PATH_HINT = /completions|embed|responses|images|audio|messages|generate|\/model\/|:|rerank|text-to-speech/i;

/** Markers of AI SDKs in user agents (lower-cased), with what they are. */
const AI_USER_AGENTS: { re: RegExp; what: string }[] = [
  { re: /\bopenai\/(python|js|java|go|dotnet|ruby)\b/, what: "OpenAI SDK" },
  { re: /\banthropic\/(python|js|java|go)\b/, what: "Anthropic SDK" },
  { re: /\bgoogle-genai-sdk\//, what: "Google Gen AI SDK" },
  { re: /\bollama-(python|js)\//, what: "Ollama client" },
  { re: /\blitellm\b/, what: "LiteLLM" },
  { re: /\blangchain\b/, what: "LangChain" },
  { re: /\bllama[-_]?index\b/, what: "LlamaIndex" },
];

/** Cheap pre-filter: a user agent that contains none of these cannot match {@link AI_USER_AGENTS}. */
const AI_UA_HINT = /openai|anthropic|genai|ollama|litellm|langchain|llama/i;

// ---------------------------------------------------------------------------------------------
// Keys

/**
 * The key of a host: its registrable domain by the Public Suffix List (private section included),
 * or the host itself for an IP address, a single label or a bare public suffix.
 */
export function hostKey(host: string): string {
  const h = normaliseHost(host) ?? host;
  const p = parseDomain(h, { allowPrivateDomains: true });
  return p.isIp || !p.domain ? h : p.domain;
}

/** The key of an app name: NFKC, lower-case, runs of whitespace as one space, trimmed (defined in `matcher.ts`). */
export { appNameKey };

// ---------------------------------------------------------------------------------------------
// The checks

function hostSuspicions(h: string): Suspicion[] {
  const p = parseDomain(h, { allowPrivateDomains: true });
  if (p.isIp) return [];
  const out: Suspicion[] = [];
  const registrable = p.domain;
  const tldIsAi = p.publicSuffix === "ai" || (p.publicSuffix?.endsWith(".ai") ?? false);
  if (registrable && p.domainWithoutSuffix) {
    const w = aiWord(p.domainWithoutSuffix, tldIsAi);
    if (w) {
      out.push({
        key: registrable,
        via: "host",
        reason: tldIsAi ? `domain ${registrable} is under .ai and has the AI word "${w}"` : `domain ${registrable} has the AI word "${w}"`,
      });
    }
  }
  // Subdomain labels, nearest the registrable domain first: `llm-gw.corp.example.com`.
  const labels = h.split(".");
  const sub = registrable ? labels.length - registrable.split(".").length : labels.length;
  for (let i = sub - 1; i >= 0; i--) {
    const w = aiWord(labels[i]!, tldIsAi);
    if (w) {
      const key = labels.slice(i).join(".");
      out.push({ key, via: "host", reason: `host label "${labels[i]}" of ${h} has the AI word "${w}"` });
      break;
    }
  }
  return out;
}

/** Per allow list, the host checks already done: host → its guesses, or null when the host is allowed. */
const hostCache = new WeakMap<AllowList, Map<string, Suspicion[] | null>>();
/** Hosts remembered per allow list before the cache starts over (a capture repeats its hosts a lot). */
const HOST_CACHE_SIZE = 20_000;

function hostChecks(host: string, allow: AllowList): Suspicion[] | null {
  let cache = hostCache.get(allow);
  if (!cache) hostCache.set(allow, (cache = new Map()));
  let r = cache.get(host);
  if (r === undefined) {
    r = allowedBy(host, allow) ? null : hostSuspicions(host);
    if (cache.size >= HOST_CACHE_SIZE) cache.clear();
    cache.set(ownCopy(host), r); // not the slice of a log chunk: that would keep the chunk alive
  }
  return r;
}

/** Hosts as evidence gives them, split and normalised ({@link splitTarget}): a log repeats them millions of times. */
const targets = new Map<string, { host?: string; path?: string }>();
/** Entries of {@link targets} before it starts over, and the longest key it keeps. */
const TARGET_CACHE_SIZE = 20_000;
const TARGET_KEY_CHARS = 256;

function target(raw: string): { host?: string; path?: string } {
  let t = targets.get(raw);
  if (t === undefined) {
    t = splitTarget(raw);
    if (raw.length <= TARGET_KEY_CHARS) {
      if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
      // own copies: not slices of a log chunk, which would keep the chunk alive
      targets.set(ownCopy(raw), { ...(t.host !== undefined ? { host: ownCopy(t.host) } : {}), ...(t.path !== undefined ? { path: ownCopy(t.path) } : {}) });
    }
  }
  return t;
}

function pathSuspicion(path: string, key: () => string): Suspicion | undefined {
  if (!AI_PATH_HINT.test(path)) return undefined;
  const q = path.search(/[?#]/);
  const bare = (q >= 0 ? path.slice(0, q) : path).replace(/\/+$/, "");
  const p = bare.toLowerCase();
  for (const { re, what } of AI_PATHS) {
    if (re.test(p)) return { key: key(), via: "path", reason: `request path ${bare} is the ${what}` };
  }
  return undefined;
}

/**
 * Whether an unmatched observation looks like AI, and why.
 *
 * Checks, in order: the host's registrable domain and subdomain labels (gpt, llm, openai, copilot,
 * chatbot, a word "ai"; under `.ai`, any AI-ish word such as chat, bot, agent, assist, note, voice);
 * the request path (OpenAI-compatible `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
 * Anthropic `/v1/messages`, Ollama `/api/generate`, Gemini `/v1beta/models/…:generateContent`,
 * Bedrock `/model/…/invoke`, Azure OpenAI `/openai/deployments/…`); the app name (gpt, llm,
 * copilot, chatbot, notetaker, the word "AI", "artificial intelligence"); the user agent (AI SDKs
 * such as `OpenAI/Python`). A host under the allow list is never suspected, whatever its path or
 * user agent; an app name on the allow list neither.
 *
 * @returns the first guess whose key was not dismissed, or undefined.
 */
export function suspect(input: SuspectInput, opts: SuspectOptions = {}): Suspicion | undefined {
  const allow = opts.allowList ?? bundledAllowList();
  const dismissed = opts.dismissed;
  const ok = (s: Suspicion | undefined): s is Suspicion => s !== undefined && !(dismissed?.has(s.key) ?? false);

  let host: string | undefined;
  let path = input.path;
  if (input.host) {
    const t = target(input.host);
    host = t.host;
    path ??= t.path;
  }
  if (host) {
    const guesses = hostChecks(host, allow);
    if (guesses === null) return undefined;
    for (const s of guesses) if (ok(s)) return s;
  }
  if (path) {
    const s = pathSuspicion(path, () => (host ? hostKey(host) : `path:${path.split(/[?#]/)[0]!.toLowerCase()}`));
    if (ok(s)) return s;
  }
  if (input.appName) {
    const key = appNameKey(input.appName);
    if (!allow.appNames.has(key)) {
      const s = appNameSuspicion(key);
      if (ok(s)) return s;
    }
  }
  if (input.userAgent && AI_UA_HINT.test(input.userAgent)) {
    const ua = input.userAgent.toLowerCase();
    for (const { re, what } of AI_USER_AGENTS) {
      const m = re.exec(ua);
      if (m) {
        const s: Suspicion = { key: host ? hostKey(host) : `ua:${m[0]}`, via: "userAgent", reason: `user agent names the ${what} (${m[0]})` };
        if (ok(s)) return s;
        break;
      }
    }
  }
  return undefined;
}

/**
 * What {@link suspect} would make of a host alone (with the bundled allow list, before any
 * dismissal): `allowed` (under the allow list: nothing about the observation is suspected,
 * whatever its path, app name or user agent), `suspected` (the host itself looks like AI), or
 * `neither` (then its path, app name or user agent may still decide). For a caller that caches the
 * answer per host (src/pipeline/keep.ts); the host is split and normalised as suspect() does.
 */
export function hostVerdict(host: string): "allowed" | "suspected" | "neither" {
  const h = target(host).host;
  if (!h) return "neither";
  const guesses = hostChecks(h, bundledAllowList());
  return guesses === null ? "allowed" : guesses.length > 0 ? "suspected" : "neither";
}

/** True when {@link suspect} suspects a request path (on a host neither allowed nor suspected): an AI API path. */
export function pathSuspected(path: string): boolean {
  return pathSuspicion(path, () => "") !== undefined;
}

function appNameSuspicion(key: string): Suspicion | undefined {
  const reason = (why: string): Suspicion => ({ key, via: "appName", reason: `app name ${why}` });
  if (/\bartificial intelligence\b/.test(key)) return reason(`says "artificial intelligence"`);
  if (/\bnote[ -]taker\b/.test(key)) return reason(`has the AI word "notetaker"`);
  const words = key.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "chat" && words[i + 1] === "bot") return reason(`has the AI word "chatbot"`);
    if (w === "a" && words[i + 1] === "i" && /\ba\.i\./.test(key)) return reason(`has the word "A.I."`);
    const found = aiWord(w);
    if (found) return reason(found === "ai" ? `has the word "AI"` : `has the AI word "${found}"`);
  }
  return undefined;
}
