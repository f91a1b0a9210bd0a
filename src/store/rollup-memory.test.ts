import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Observation } from "../core/observation.js";
import { Matcher } from "../match/matcher.js";
import { openStore } from "./db.js";
import { ScanWriter } from "./ingest.js";
import type { AIService } from "../core/service.js";

const openai: AIService = {
  id: "openai-api", name: "OpenAI API", vendor: "OpenAI", category: "assistant", references: ["https://platform.openai.com/docs"], lastValidated: "2026-11-22",
  tags: [], vendorFacts: {}, euAiAct: { tier: "minimal", articles: ["Art. 4"], rationale: "x" },
  match: { domains: ["openai.com"], oauthClientIds: [], entraAppIds: [], publishers: [], appNamePatterns: [], userAgents: [] },
};

/**
 * A log chunk of about 256 KiB whose first line names `host` and `user`, and the observation a
 * parser cuts from it: every string of the observation a slice of the chunk, as the log collectors
 * make them (V8 keeps a slice of 13+ characters as a view of its parent).
 */
function chunkObservation(i: number): Observation {
  const chunk = `1735692092.464 1857 10.30.${i % 250}.7 TCP_MISS/200 509 GET https://api-${i}.openai.com/v1/chat user${i}@corp.example.com\n${"x".repeat(256 * 1024)}${i}`;
  const at = (s: string) => chunk.slice(chunk.indexOf(s), chunk.indexOf(s) + s.length);
  return {
    source: "logs:squid", kind: "log", time: `2026-11-0${1 + (i % 9)}T08:00:00.000Z`, host: at(`api-${i}.openai.com`), client: at(`10.30.${i % 250}.7`),
    user: at(`user${i}@corp.example.com`), method: at("GET"), path: at("/v1/chat"), ref: { file: "/var/log/squid/access.log", line: i, offset: i * 80 },
  };
}

describe("rollups and matcher caches keep no log chunk alive", () => {
  it("holds a few hundred pending rollups and cached hosts without their 256 KiB chunks", () => {
    // gc() where vitest did not expose it (https://nodejs.org/api/v8.html#v8setflagsfromstringflags)
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const db = openStore(join(mkdtempSync(join(tmpdir(), "shadow-ai-rollup-mem-")), "inv.db"));
    const writer = new ScanWriter(db, "test", []);
    const matcher = new Matcher([openai]);
    gc();
    const before = process.memoryUsage().heapUsed;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const o = chunkObservation(i);
      const f = matcher.match(o);
      expect(f?.serviceId).toBe("openai-api");
      writer.add(o, f!); // a rollup of its own (one host and person each), pending until the source ends
    }
    gc();
    const grewMB = (process.memoryUsage().heapUsed - before) / 1048576;
    // 300 rollups and 300 cached hosts that were views of their chunks would keep 75 MB alive
    expect(grewMB).toBeLessThan(10);
    writer.endSource();
    writer.finish();
    expect(writer.counts.inserted).toBe(n);
    db.close();
  });
});
