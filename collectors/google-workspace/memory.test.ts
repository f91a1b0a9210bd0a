import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import type { InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { collectExport, collectExportBatches } from "./index.js";

const tmp = mkdtempSync(join(tmpdir(), "shadow-ai-gws-mem-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A tokens.list response whose tokens are each about 64 KiB of JSON (a long `etag`), so that each
 * read of the file (64 KiB) holds about one token.
 */
function bigTokens(n: number): string {
  const f = join(tmp, `tokens-${n}.json`);
  const items = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ kind: "admin#directory#token", etag: `"${"e".repeat(64_000)}${i}"`, clientId: `${100000000000 + i}-app${i}.apps.googleusercontent.com`, displayText: `App ${i}`, scopes: ["openid"], userKey: `u${i}` }),
  );
  writeFileSync(f, `{"kind": "admin#directory#tokenList", "user": "alice@example.com", "items": [${items.join(",\n")}]}`);
  return f;
}

describe("google-workspace export collector: memory", () => {
  it("keeps no read chunk alive through the strings of the evidence it yields", async () => {
    // gc() where vitest did not expose it (https://nodejs.org/api/v8.html#v8setflagsfromstringflags)
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const n = 300;
    const file = bigTokens(n);
    gc();
    const before = process.memoryUsage().heapUsed;
    // keep what a store's batch keeps of each token: its client ID (a 40-character string cut from a 64 KiB chunk)
    const kept: string[] = [];
    const errors: InputError[] = [];
    for await (const o of collectExport([file], { onError: (e) => errors.push(e) })) kept.push(o.clientId!);
    gc();
    const grewMB = (process.memoryUsage().heapUsed - before) / 1048576;
    expect(errors).toEqual([]);
    expect(kept).toHaveLength(n);
    expect(new Set(kept).size).toBe(n);
    // a client ID that were a view into its chunk would keep 300 chunks (over 18 MB) alive
    expect(grewMB).toBeLessThan(4);
  });

  it("hands the scan batches of the same observations as collectExport gives one by one", async () => {
    const file = bigTokens(5);
    const one: Observation[] = [];
    for await (const o of collectExport([file], { onError: () => undefined })) one.push(o);
    const batches: Observation[][] = [];
    for await (const b of collectExportBatches([file], { onError: () => undefined })) batches.push(b);
    expect(batches.length).toBeGreaterThan(1); // one per read of the file, not one per file
    expect(batches.flat()).toEqual(one);
    expect(one.map((o) => o.ref.id)).toEqual(Array.from({ length: 5 }, (_, i) => `${100000000000 + i}-app${i}.apps.googleusercontent.com/alice@example.com`));
  });
});
