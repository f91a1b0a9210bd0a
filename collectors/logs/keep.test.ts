import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KeepInput, SourceItem } from "../../src/core/source.js";
import { ingest } from "../../src/pipeline/ingest.js";
import { Keeper } from "../../src/pipeline/keep.js";
import { openStore } from "../../src/store/db.js";
import { ScanWriter } from "../../src/store/ingest.js";
import { catalogue } from "../google-workspace/__fixtures__/store.js";
import { FIXTURES } from "./__fixtures__/run.js";
import { collectKeptLogBatches, collectLogBatches, type LogCollectionResult } from "./index.js";
import { logsSource } from "./source.js";

const dir = mkdtempSync(join(tmpdir(), "shadow-ai-keep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AI = ["api.openai.com:443", "chatgpt.com:443", "claude.ai:443", "api.anthropic.com:443", "gemini.google.com:443", "otter.ai:443"];
const SUSPECT = ["api.some-llm-startup.ai:443", "llm-gw.corp.example.com:443"];
const OTHER = ["www.google.com:443", "github.com:443", "en.wikipedia.org:443", "outlook.office365.com:443", "inference.example.net:443", "api.stripe.com:443"];
/** Paths of plain-HTTP requests: an AI API's path makes an unknown host suspected (not an allow-listed one). */
const PATHS = ["/", "/index.html?q=1", "/v1/chat/completions", "/api/generate", "/static/app.js"];
const USERS = ["-", "alice%40corp.example", "bob", "-"];

/** Squid native lines over several days: AI, suspected-AI and everyday hosts, some malformed lines. */
function squidLines(n: number, seed: number, t0 = 1_764_547_200): string {
  let x = seed >>> 0;
  // mulberry32: every host and user turns up
  const next = (m: number): number => {
    x = (x + 0x6d2b79f5) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (((z ^ (z >>> 14)) >>> 0) / 4294967296) * m | 0;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = next(100);
    const host = r < 6 ? AI[next(AI.length)]! : r < 8 ? SUSPECT[next(SUSPECT.length)]! : OTHER[next(OTHER.length)]!;
    const t = t0 + i * 37 + next(30);
    if (next(500) === 0) out.push(`${t}.000 garbage that is not squid`);
    else {
      const get = next(5) === 0; // a plain-HTTP request with a path, else an HTTPS tunnel
      const request = get ? `GET http://${host.replace(/:443$/, "")}${PATHS[next(PATHS.length)]}` : `CONNECT ${host}`;
      out.push(`${t}.${String(next(1000)).padStart(3, "0")}    ${next(900)} 10.0.${next(4)}.${next(50)} ${get ? "TCP_MISS" : "TCP_TUNNEL"}/200 ${next(90000)} ${request} ${USERS[next(USERS.length)]} HIER_DIRECT/104.18.${next(255)}.1 -`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** Everything a scan left in the inventory, without the row ids and times of the scan itself. */
function stored(db: string): unknown {
  const d = openStore(db, { readonly: true });
  try {
    const rows = d.prepare("SELECT * FROM observations ORDER BY content_key").all() as Record<string, unknown>[];
    const refs = d.prepare("SELECT o.content_key k, r.ref FROM observation_refs r JOIN observations o ON o.id = r.observation_id ORDER BY k, r.ref").all();
    // positions without the copy's own device, inode and modification time
    const cursors = (d.prepare("SELECT source, key, value FROM cursors ORDER BY source, key").all() as { value: string }[]).map((c) => {
      const { dev: _d, ino: _i, mtimeMs: _m, ...at } = JSON.parse(c.value) as Record<string, unknown>;
      return { ...c, value: at };
    });
    const people = d.prepare("SELECT user, department, job_title FROM people ORDER BY user").all();
    const scans = d.prepare("SELECT status, records_read, matched, inserted, errors, warnings FROM scans ORDER BY id").all();
    return { rows: rows.map(({ id: _id, ...r }) => r), refs, cursors, people, scans };
  } finally {
    d.close();
  }
}

/**
 * One scan of `inputs` into `db` through the pipeline's ingest: every observation handed on
 * (`all`), or only what the scan keeps, as `scan logs` does (the source given `keep`).
 */
async function scan(db: string, inputs: string[], mode: "all" | "kept"): Promise<{ read: number; matched: number }> {
  const d = openStore(db);
  try {
    const writer = new ScanWriter(d, "scan logs", inputs);
    const base = { onError: (e: import("../../src/core/collector.js").InputError) => writer.error(e), onWarning: (w: import("./index.js").InputWarning) => writer.warning(w), cursors: writer.cursors("logs") };
    const { matcher } = catalogue();
    const keeper = new Keeper(matcher);
    const items: AsyncIterable<SourceItem> =
      mode === "all" ? collectLogBatches(inputs, {}, base) : logsSource.collect(inputs, { ...base, settings: undefined, options: {}, keep: (o: KeepInput) => keeper.keeps(o) });
    const r = await ingest(items, matcher, writer);
    writer.finish();
    return r;
  } finally {
    d.close();
  }
}

describe("logs: only what the scan keeps is handed on", () => {
  it("stores exactly what handing on every record stores, over every fixture format and a proxy log, then incrementally", async () => {
    const logs = readdirSync(FIXTURES).filter((f) => logsSource.accept!(f) && f !== "README.md" && f !== "run.ts");
    expect(logs.length).toBeGreaterThan(15);
    const all = join(dir, "all");
    const kept = join(dir, "kept");
    for (const d of [all, kept]) {
      mkdirSync(d);
      for (const f of logs) copyFileSync(join(FIXTURES, f), join(d, f));
      writeFileSync(join(d, "access.log"), squidLines(20_000, 7));
    }
    const files = (d: string): string[] => readdirSync(d).map((f) => join(d, f));
    const a = await scan(join(dir, "all.db"), files(all), "all");
    const b = await scan(join(dir, "kept.db"), files(kept), "kept");
    expect(a.read).toBeGreaterThan(19_000);
    expect(a.matched).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    const norm = (v: unknown, from: string): unknown => JSON.parse(JSON.stringify(v).replaceAll(from, "<dir>"));
    const sa = norm(stored(join(dir, "all.db")), all) as { rows: { service_id: string }[] };
    expect(sa.rows.map((r) => r.service_id)).toEqual(expect.arrayContaining(["suspected:some-llm-startup.ai", "suspected:llm-gw.corp.example.com", "suspected:example.net", "otter-ai"]));
    expect(sa.rows.some((r) => r.service_id.includes("stripe"))).toBe(false); // allow-listed, whatever its path
    expect(norm(stored(join(dir, "kept.db")), kept)).toEqual(sa);

    // the next scheduled scan reads what was appended, the same way
    const more = squidLines(3000, 11, 1_765_000_000);
    for (const d of [all, kept]) appendFileSync(join(d, "access.log"), more);
    const a2 = await scan(join(dir, "all.db"), files(all), "all");
    const b2 = await scan(join(dir, "kept.db"), files(kept), "kept");
    expect(a2.read).toBe(more.split("\n").filter((l) => l.length > 0 && !l.includes("garbage")).length);
    expect(b2).toEqual(a2);
    expect(norm(stored(join(dir, "kept.db")), kept)).toEqual(norm(stored(join(dir, "all.db")), all));
  });

  it("decides on a native Squid line before building its record, still checking every line in full", async () => {
    const file = join(dir, "squid.log");
    writeFileSync(file, `${squidLines(2000, 5)}1735689601.512 not a squid line at all\n`);
    const { matcher } = catalogue();
    const keeper = new Keeper(matcher);
    let probes = 0;
    let records = 0;
    const keep = (o: KeepInput): boolean => {
      if ("ref" in o) records++; // a built observation
      else probes++; // the parser's probe: host and path only
      return keeper.keeps(o);
    };
    const errors: string[] = [];
    let skipped = 0;
    let yielded = 0;
    const it = collectKeptLogBatches([file], {}, { onError: (e) => errors.push(e.message), onWarning: (w) => errors.push(w.message) }, keep);
    let r = await it.next();
    for (; !r.done; r = await it.next()) {
      if (Array.isArray(r.value)) yielded += r.value.length;
      else skipped += (r.value as { skipped: number }).skipped;
    }
    const result = r.value as LogCollectionResult;
    const lines = 2000 - (squidLines(2000, 5).match(/garbage/g)?.length ?? 0);
    expect(probes).toBe(lines); // every well-formed line asked once, before it was built
    expect(records).toBe(yielded); // only the kept ones were built (and checked again)
    expect(yielded).toBeGreaterThan(100);
    expect(skipped).toBe(lines - yielded);
    expect(result.files[0]).toMatchObject({ records: yielded, skipped });
    // malformed lines are still found, kept or not
    expect(errors.join("\n")).toMatch(/line 2001|malformed/);
  });
});
