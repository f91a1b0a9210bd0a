/**
 * Bounded parallel work that streams its results: at most `concurrency` calls in flight
 * (p-limit), at most `2 × concurrency` results waiting for the consumer, so a slow consumer
 * (the database) slows the calls instead of filling memory.
 */
import pLimit from "p-limit";

/**
 * Call `fn` on each item of `items` with at most `concurrency` calls at once, and yield the
 * results in completion order. `fn` must not reject: return a result that says what failed.
 * When the consumer stops early, the few calls in flight finish and their results are dropped.
 */
export async function* boundedMap<T, R>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const limit = pLimit(Math.max(1, concurrency));
  const it = items[Symbol.iterator]();
  const pending = new Map<number, Promise<[number, R]>>();
  let next = 0;
  let done = false;
  const fill = () => {
    while (!done && pending.size < Math.max(1, concurrency) * 2) {
      const r = it.next();
      if (r.done) {
        done = true;
        break;
      }
      const k = next++;
      pending.set(k, limit(() => fn(r.value)).then((v): [number, R] => [k, v]));
    }
  };
  fill();
  while (pending.size > 0) {
    const [k, v] = await Promise.race(pending.values());
    pending.delete(k);
    yield v;
    fill();
  }
}
