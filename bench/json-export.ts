/**
 * `npm run bench:json` (after `npx tsc -p tsconfig.build.json`; or
 * `node dist/bench/json-export.js [--tokens N] [--depth N] [--keep]`): peak memory and time of
 * reading saved API exports with the streaming reader (`src/io/json-file.ts`), through the real
 * Google export collector (`collectExport`).
 *
 * In a temporary directory it writes:
 * 1. one Directory API tokens.list response `{"kind": "admin#directory#tokenList", "items": [...]}`
 *    with `--tokens` tokens (default 1,000,000, about 250 MB), each shaped as the API documents a
 *    token (https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens);
 * 2. the same tokens as a whole-domain array `[{"user": ..., "items": [...]}]`, 100 tokens a user;
 * 3. a file nested `--depth` arrays deep (default 1,000,000).
 *
 * Each file is read in a child process of its own (so that its peak RSS, `maxRSS` of
 * `process.resourceUsage()`, is the reader's alone), once with Node's default V8 flags and once
 * with `--max-semi-space-size=16`, and one line per run is printed: file size, observations,
 * errors, wall time and peak RSS. Why both: what is live stays under 60 MB (`heapUsed`), but V8
 * grows the young generation of a process that allocates steadily up to its default maximum
 * (Node 24: semi-spaces of 32 MB or more, about 100 MB committed), which alone takes the RSS past
 * 200 MB; capping the semi-space at 16 MB keeps the same read near 130 MB at no cost in time.
 * Exits 1 when a tokens file does not give one observation per token, when its peak RSS with
 * the capped semi-space is 200 MB or more, or when the deep file does not give a clear
 * "nested deeper" error. Not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { collectExport } from "../collectors/google-workspace/index.js";
import type { InputError } from "../src/core/collector.js";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "1000000" },
    depth: { type: "string", default: "1000000" },
    keep: { type: "boolean", default: false },
    read: { type: "string" },
  },
});

/** Peak RSS limit of the acceptance check (issue 22), in MB. */
const MAX_RSS_MB = 200;

/** One token as tokens.list returns it. */
function token(i: number): string {
  const app = i % 5000;
  return JSON.stringify({
    kind: "admin#directory#token",
    etag: `"bench${i}"`,
    clientId: `${String(100000000000 + app)}-app${app}.apps.googleusercontent.com`,
    displayText: `Bench App ${app}`,
    anonymous: false,
    nativeApp: app % 7 === 0,
    userKey: String(100000000000000000000n + BigInt(Math.floor(i / 100))),
    scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email"],
  });
}

async function writeLines(file: string, head: string, items: (i: number) => string, n: number, tail: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(head);
  for (let i = 0; i < n; i++) {
    if (!out.write((i ? ",\n" : "") + items(i))) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once("error", reject);
    out.end(tail, () => resolve());
  });
}

/** Child: read one file, print a JSON line with what was read and the peak RSS. */
async function readOne(file: string): Promise<void> {
  const t0 = performance.now();
  let observations = 0;
  const errors: InputError[] = [];
  for await (const _ of collectExport([file], { onError: (e) => errors.push(e) })) observations++;
  const ms = performance.now() - t0;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ observations, errors: errors.map((e) => e.message.slice(0, 160)), ms: Math.round(ms), rssMB: Math.round(rssMB) }));
}

async function main(): Promise<void> {
  if (values.read) return readOne(values.read);
  const n = Number(values.tokens);
  const depth = Number(values.depth);
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-bench-json-"));
  let failed = false;
  try {
    const list = join(dir, "tokens.json");
    await writeLines(list, '{"kind": "admin#directory#tokenList", "etag": "\\"bench\\"", "items": [\n', token, n, '\n], "user": "bench@example.com"}\n');
    const domain = join(dir, "domain.json");
    const perUser = 100;
    await writeLines(domain, "[\n", (u) => JSON.stringify({ user: `user${u}@example.com`, items: Array.from({ length: Math.min(perUser, n - u * perUser) }, (_, k) => JSON.parse(token(u * perUser + k)) as unknown) }), Math.ceil(n / perUser), "\n]\n");
    const deep = join(dir, "deep.json");
    writeFileSync(deep, "[".repeat(depth) + "]".repeat(depth));

    const self = fileURLToPath(import.meta.url);
    for (const [name, file, expectTokens] of [["tokens.list", list, true], ["whole-domain array", domain, true], [`nested ${depth} deep`, deep, false]] as const) {
      for (const flags of [[], ["--max-semi-space-size=16"]]) {
        const r = spawnSync(process.execPath, [...flags, self, "--read", file], { encoding: "utf8", maxBuffer: 1 << 20 });
        const label = `${name} (${flags.length ? flags.join(" ") : "default V8 flags"})`;
        if (r.status !== 0) {
          console.log(`${label}: the reader crashed (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
          failed = true;
          continue;
        }
        const res = JSON.parse(r.stdout.trim().split("\n").pop()!) as { observations: number; errors: string[]; ms: number; rssMB: number };
        const mb = (statSync(file).size / 1e6).toFixed(1);
        console.log(`${label}: ${mb} MB, ${res.observations} observations, ${res.errors.length} error(s)${res.errors[0] ? ` (${res.errors[0]})` : ""}, ${(res.ms / 1000).toFixed(1)} s, peak RSS ${res.rssMB} MB`);
        if (expectTokens && (res.observations !== n || res.errors.length > 0 || (flags.length > 0 && res.rssMB >= MAX_RSS_MB))) failed = true;
        if (!expectTokens && !(res.errors.length === 1 && /nested deeper than/.test(res.errors[0]!))) failed = true;
      }
    }
  } finally {
    if (values.keep) console.log(`files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (failed) {
    console.log(`FAILED: expected ${n} observations per tokens file under ${MAX_RSS_MB} MB peak RSS, and a "nested deeper" error for the deep file`);
    process.exitCode = 1;
  }
}

await main();
