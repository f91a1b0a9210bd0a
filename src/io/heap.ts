/**
 * Keep the V8 heap near what a scan really holds.
 *
 * On a machine with gigabytes of memory, V8 lets the young generation grow (Node.js 24: to 64 MB
 * semi-spaces, 128 MB committed; Node.js 22 stopped at 32 MB in the same test) as soon as a long
 * scan keeps anything across a few scavenges, and lets the old generation grow to several times its
 * live size before it collects.
 * Measured on a Google export of 1,000,000 tokens: 26 MB live, 245 MB of heap, 373 MB peak RSS.
 * A scan's live set is small and steady (batches, rollups, bounded caches), so this caps the young
 * generation at {@link YOUNG_GENERATION_MB} and lets the old generation grow by
 * {@link OLD_GENERATION_GROWTH_PERCENT} per collection: 1,000,000 tokens in under 200 MB.
 *
 * Both are V8 flags read at each collection, set here with `v8.setFlagsFromString`
 * (https://nodejs.org/api/v8.html#v8setflagsfromstringflags): `--heap-growing-percent` at once, and
 * `--semi-space-growth-factor=1` once the young generation has reached its cap, after a
 * collection (https://nodejs.org/api/perf_hooks.html, entry type `gc`; observed when the event
 * loop next turns, as a scan's reading does between chunks: on a loaded machine the space may have
 * grown once more by then, to at most twice the cap). Flags given to Node.js
 * (`--max-semi-space-size`, `--heap-growing-percent`, in `NODE_OPTIONS` or on the command line)
 * win: nothing is set then, nor with `SHADOW_AI_HEAP=default`.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/** Young generation (both semi-spaces) at which it stops growing, in MB. */
export const YOUNG_GENERATION_MB = 32;
/** Growth of the old generation's limit over its live size after a full collection, in percent. */
export const OLD_GENERATION_GROWTH_PERCENT = 30;

/** Flags that mean the person sized the heap themselves (V8 takes `-` or `_` between words). */
const OWN_FLAGS = /--(max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor|heap[-_]growing[-_]percent|max[-_]heap[-_]size)\b/;

/**
 * Apply the bounds above to this process (once; a no-op when Node.js was given heap flags or
 * `SHADOW_AI_HEAP=default` is set).
 * @returns whether the bounds were applied.
 */
export function boundHeap(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (env["SHADOW_AI_HEAP"] === "default") return false;
  if (execArgv.some((a) => OWN_FLAGS.test(a)) || OWN_FLAGS.test(env["NODE_OPTIONS"] ?? "")) return false;
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  const cap = YOUNG_GENERATION_MB * 1024 * 1024;
  const youngAtCap = (): boolean => (getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0) >= cap;
  if (youngAtCap()) {
    setFlagsFromString("--semi-space-growth-factor=1");
    return true;
  }
  const gc = new PerformanceObserver(() => {
    if (!youngAtCap()) return;
    setFlagsFromString("--semi-space-growth-factor=1");
    gc.disconnect();
  });
  gc.observe({ entryTypes: ["gc"] });
  return true;
}
