/**
 * Deterministic pseudo-random numbers for the benchmarks (mulberry32,
 * https://gist.github.com/tommyettinger/46a874533244883189143505d203312c), so that every run
 * measures the same data.
 * @returns a function giving a float in [0, n) on each call.
 */
export function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
}

/** As {@link rng}, giving an integer in [0, n). */
export function intRng(seed: number): (n: number) => number {
  const r = rng(seed);
  return (n: number) => Math.floor(r(n));
}
