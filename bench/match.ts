/**
 * `npm run bench:match`: matching cost per observation with a catalogue of 300 and of 3,000
 * signatures, and their ratio (target: at most 1.5). The 3,000-signature catalogue contains the
 * 300 as its first entries, and both are asked the same observations, so the only difference is
 * the catalogue's size.
 *
 * Catalogues are synthetic but shaped like the real one: per signature one to three domains,
 * sometimes an OAuth client ID, an Entra app ID or a user-agent hint, and one or two app-name
 * patterns built from a made-up product name. Observations are mostly non-matching, as in a
 * capture or a proxy log: popular hosts, browser user agents, OAuth apps of ordinary SaaS, with a
 * few percent of AI services from the shared 300.
 *
 * For reference the same run times a linear scan of the name patterns and user-agent hints (the
 * matcher before the index), whose cost grows with the catalogue.
 *
 * Exits 1 when the ratio is above the target, so it can gate a CI job; it is not part of `npm test`.
 */
import { MATCH_CONFIDENCE, type Finding } from "../src/core/finding.js";
import type { AIService } from "../src/core/service.js";
import { Matcher, normaliseHost, type MatchInput } from "../src/match/matcher.js";
import { rng } from "./rng.js";

const SMALL = 300;
const LARGE = 3000;
const OBSERVATIONS = 50_000;
const ROUNDS = 21;
/** The linear reference is slow at 3,000 signatures: it runs on a slice of the observations. */
const LINEAR_OBSERVATIONS = 2_000;
const LINEAR_ROUNDS = 3;
const TARGET = 1.5;

const SYLLABLES = ["ka", "zor", "van", "ta", "lu", "mi", "nex", "ora", "qui", "bel", "dra", "fen", "gal", "hy", "ix", "jo", "kel", "mur", "nov", "pra", "rix", "sol", "tor", "ul", "vex", "wyn", "xa", "yel", "zen", "cor"];
const PRODUCT = ["AI", "Assistant", "Copilot", "Notes", "Writer", "Studio", "Voice", "Agent", "Chat", "Labs"];
const TLDS = ["ai", "com", "io", "app", "dev", "co"];

function wordOf(i: number, r: (n: number) => number): string {
  // unique per i: a base-30 spelling of i, padded with random syllables
  let w = "";
  let x = i + 31;
  while (x > 0) {
    w += SYLLABLES[x % SYLLABLES.length];
    x = Math.floor(x / SYLLABLES.length);
  }
  return w + SYLLABLES[Math.floor(r(SYLLABLES.length))]!;
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function hex(r: (n: number) => number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += Math.floor(r(16)).toString(16);
  return s;
}

function guid(r: (n: number) => number): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;
}

function catalogue(n: number): AIService[] {
  const r = rng(1);
  const out: AIService[] = [];
  for (let i = 0; i < n; i++) {
    const w = wordOf(i, r);
    const product = PRODUCT[Math.floor(r(PRODUCT.length))]!;
    const tld = TLDS[Math.floor(r(TLDS.length))]!;
    const domains = [`${w}.${tld}`];
    if (r(2) < 1) domains.push(`api.${w}-cloud.com`);
    if (r(4) < 1) domains.push(`cdn.${w}static.net`);
    const patterns = [`^${cap(w)}( ${product})?\\b`];
    if (r(3) < 1) patterns.push(`^${cap(w)} (for|in) (Gmail|Slack|Teams|Outlook)\\b`);
    if (r(20) < 1) patterns.push(`\\b${product} (by|from) ${cap(w)}\\b`);
    out.push({
      id: `sig-${i}`,
      name: `${cap(w)} ${product}`,
      vendor: `${cap(w)} Inc.`,
      category: "assistant",
      match: {
        domains,
        oauthClientIds: r(3) < 1 ? [`${Math.floor(r(1e12))}-${hex(r, 32)}.apps.googleusercontent.com`] : [],
        entraAppIds: r(4) < 1 ? [guid(r)] : [],
        publishers: r(5) < 1 ? [`${cap(w)} Inc.`] : [],
        appNamePatterns: patterns,
        userAgents: r(5) < 1 ? [`${cap(w)}App/`] : [],
      },
      vendorFacts: {},
      euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: "synthetic" },
      references: ["https://example.com"],
      lastValidated: "2026-11-22",
      tags: [],
    });
  }
  return out;
}

const POPULAR = ["google.com", "microsoft.com", "office.com", "slack.com", "zoom.us", "github.com", "amazonaws.com", "cloudfront.net", "akamaihd.net", "facebook.com", "salesforce.com", "atlassian.net", "dropbox.com", "apple.com", "icloud.com", "windowsupdate.com", "doubleclick.net", "gstatic.com", "youtube.com", "linkedin.com"];
const SUBS = ["www", "api", "cdn", "login", "static", "mail", "app", "s3.us-east-1", "edge", "assets"];
const APPS = ["Zoom", "Slack", "Calendly", "DocuSign", "Dropbox", "Microsoft Teams", "Trello", "Asana", "Salesforce", "HubSpot", "Zendesk", "Mailchimp", "Canva", "Figma", "Miro", "Notion", "Grammarly for Chrome", "Adobe Acrobat", "Box", "Loom for Gmail"];
const UAS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
  "curl/8.5.0",
  "python-requests/2.32.3",
  "Slack/4.41.105 (darwin) Electron/32.2.0",
];

function observations(shared: AIService[]): MatchInput[] {
  const r = rng(2);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r(xs.length))]!;
  const out: MatchInput[] = [];
  for (let i = 0; i < OBSERVATIONS; i++) {
    const ai = r(100) < 3; // 3% AI traffic, from the signatures both catalogues share
    const s = pick(shared);
    const kind = r(100);
    if (kind < 70) {
      out.push({ host: ai ? `${pick(["www", "api", "app"])}.${s.match.domains[0]}` : `${pick(SUBS)}.${pick(POPULAR)}` });
    } else if (kind < 78) {
      out.push({ clientId: ai && s.match.oauthClientIds[0] ? s.match.oauthClientIds[0] : `${Math.floor(r(1e12))}-${hex(r, 32)}.apps.googleusercontent.com`, appName: ai ? s.name : pick(APPS) });
    } else if (kind < 83) {
      out.push({ appId: ai && s.match.entraAppIds[0] ? s.match.entraAppIds[0] : guid(r), appName: ai ? s.name : pick(APPS) });
    } else if (kind < 93) {
      out.push({ appName: ai ? `${s.name} for Gmail` : pick(APPS) });
    } else {
      out.push({ host: `${pick(SUBS)}.${pick(POPULAR)}`, userAgent: ai && s.match.userAgents[0] ? `${s.match.userAgents[0]}2.1 (Windows)` : pick(UAS) });
    }
  }
  return out;
}

/** The matcher before the index: name patterns and user-agent hints scanned in catalogue order. */
class LinearMatcher {
  private readonly index: Matcher;
  private readonly names: { re: RegExp; id: string; source: string }[] = [];
  private readonly uas: { needle: string; id: string }[] = [];
  constructor(services: AIService[]) {
    this.index = new Matcher(services.map((s) => ({ ...s, match: { ...s.match, appNamePatterns: [], userAgents: [] } })));
    for (const s of services) {
      for (const p of s.match.appNamePatterns) this.names.push({ re: new RegExp(p, "i"), id: s.id, source: p });
      for (const u of s.match.userAgents) this.uas.push({ needle: u.toLowerCase(), id: s.id });
    }
  }
  match(o: MatchInput): Finding | undefined {
    const f = this.index.match(o);
    if (f) return f;
    if (o.appName) for (const p of this.names) if (p.re.test(o.appName)) return { serviceId: p.id, field: "appName", matched: p.source, confidence: MATCH_CONFIDENCE.appName };
    if (o.userAgent) {
      const ua = o.userAgent.toLowerCase();
      for (const u of this.uas) if (ua.includes(u.needle)) return { serviceId: u.id, field: "userAgent", matched: u.needle, confidence: MATCH_CONFIDENCE.userAgent };
    }
    return undefined;
  }
}

/**
 * ns per observation of each matcher: for every round, each matcher's pass, the matchers
 * interleaved (in alternating order) so load on the machine hits them alike; then the median over the rounds of each
 * matcher's time, and the median over the rounds of each round's time ratio to the first matcher
 * (a paired ratio, robust to drift between rounds). Three warm-up rounds let the JIT settle.
 */
function measure(matchers: { name: string; m: { match(o: MatchInput): Finding | undefined } }[], obs: MatchInput[], rounds: number): Map<string, { ns: number; matched: number; ratio: number }> {
  const times = new Map<string, number[]>(matchers.map((x) => [x.name, []]));
  const ratios = new Map<string, number[]>(matchers.map((x) => [x.name, []]));
  const matched = new Map<string, number>();
  let sink = 0;
  for (let round = -3; round < rounds; round++) {
    const thisRound = new Map<string, number>();
    // alternate the order, so that neither always runs first
    for (const { name, m } of round % 2 === 0 ? matchers : [...matchers].reverse()) {
      let hits = 0;
      const t0 = process.hrtime.bigint();
      for (const o of obs) if (m.match(o)) hits++;
      thisRound.set(name, Number(process.hrtime.bigint() - t0) / obs.length);
      sink += hits;
      matched.set(name, hits);
    }
    if (round < 0) continue;
    const first = thisRound.get(matchers[0]!.name)!;
    for (const [name, ns] of thisRound) {
      times.get(name)!.push(ns);
      ratios.get(name)!.push(ns / first);
    }
  }
  if (sink < 0) console.log(sink);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const out = new Map<string, { ns: number; matched: number; ratio: number }>();
  for (const { name } of matchers) out.set(name, { ns: median(times.get(name)!), matched: matched.get(name)!, ratio: median(ratios.get(name)!) });
  return out;
}

function main(): number {
  const large = catalogue(LARGE);
  const small = large.slice(0, SMALL);
  const obs = observations(small);
  normaliseHost("warm.up");

  let t0 = process.hrtime.bigint();
  const mSmall = new Matcher(small);
  const buildSmall = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  const mLarge = new Matcher(large);
  const buildLarge = Number(process.hrtime.bigint() - t0) / 1e6;

  const res = measure(
    [
      { name: "index-300", m: mSmall },
      { name: "index-3000", m: mLarge },
    ],
    obs,
    ROUNDS,
  );
  const slice = obs.slice(0, LINEAR_OBSERVATIONS);
  const lin = measure(
    [
      { name: "linear-300", m: new LinearMatcher(small) },
      { name: "linear-3000", m: new LinearMatcher(large) },
      { name: "index-300", m: mSmall },
      { name: "index-3000", m: mLarge },
    ],
    slice,
    LINEAR_ROUNDS,
  );
  const r = (n: string) => res.get(n)!;
  const l = (n: string) => lin.get(n)!;
  const ratio = r("index-3000").ratio;
  const linearRatio = l("linear-3000").ratio;
  const s = mLarge.stats;
  console.log(`bench/match: ${OBSERVATIONS} observations (≈3% AI), median of ${ROUNDS} rounds, Node ${process.version}`);
  console.log(`  index (3,000): ${s.domains} domains, ${s.clientIds} client IDs, ${s.appIds} app IDs, ${s.namePatterns} name patterns (${s.nameLiterals} literals, ${s.alwaysTested} always tested), ${s.userAgents} UA hints`);
  console.log(`  build:  300 signatures ${buildSmall.toFixed(1)} ms, 3,000 signatures ${buildLarge.toFixed(1)} ms`);
  console.log(`  index:    300 signatures ${r("index-300").ns.toFixed(0)} ns/obs (${r("index-300").matched} matched), 3,000 signatures ${r("index-3000").ns.toFixed(0)} ns/obs (${r("index-3000").matched} matched)`);
  console.log(`  linear reference (first ${LINEAR_OBSERVATIONS} observations): 300 ${l("linear-300").ns.toFixed(0)} ns/obs, 3,000 ${l("linear-3000").ns.toFixed(0)} ns/obs, ratio ${linearRatio.toFixed(2)}x`);
  console.log(`  ratio 3,000 / 300 (median of per-round ratios): ${ratio.toFixed(2)}x (target ≤ ${TARGET}x): ${ratio <= TARGET ? "PASS" : "FAIL"}`);
  if (l("index-300").matched !== l("linear-300").matched || l("index-3000").matched !== l("linear-3000").matched) {
    console.log("  MISMATCH: the index and the linear scan disagree on how many observations match");
    return 1;
  }
  return ratio <= TARGET ? 0 : 1;
}

process.exitCode = main();
