/**
 * A small Aho-Corasick automaton over UTF-16 code units: finds every occurrence of a fixed set of
 * needles in one pass over the text, in time linear in the text's length plus the number of hits,
 * whatever the number of needles (A. V. Aho, M. J. Corasick, "Efficient string matching: an aid to
 * bibliographic search", CACM 18(6), 1975, https://doi.org/10.1145/360825.360855).
 *
 * The matcher uses it for user-agent hints and for the literal tokens of app-name patterns, so that
 * neither is a linear scan over the catalogue.
 */

/** Sentinel: no transition. */
const NONE = -1;

/** A multi-needle substring matcher (Aho-Corasick automaton over UTF-16 code units); see the file header. */
export class AhoCorasick {
  /** Transitions of the root for code units below 128, as a flat table (the hot path). */
  private readonly rootAscii = new Int32Array(128).fill(0);
  /** Transitions of every state (the root's non-ASCII ones included). */
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Needle indices ending at each state itself. */
  private readonly out: number[][] = [[]];
  /** The nearest state on the failure chain with a non-empty `out`, or NONE. */
  private readonly dict: number[] = [NONE];
  readonly size: number;

  /**
   * Build the automaton.
   * @param needles the strings to find, compared code unit by code unit (lower-case them and the
   *   text alike for a case-insensitive search). Empty needles are ignored. A needle's index in this
   *   array is what {@link forEachMatch} reports.
   */
  constructor(needles: readonly string[]) {
    this.size = needles.length;
    needles.forEach((needle, index) => {
      if (needle.length === 0) return;
      let s = 0;
      for (let i = 0; i < needle.length; i++) {
        const c = needle.charCodeAt(i);
        let t = this.next[s]!.get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.dict.push(NONE);
          this.next[s]!.set(c, t);
        }
        s = t;
      }
      this.out[s]!.push(index);
    });
    // Breadth-first: failure links and dictionary links.
    const queue: number[] = [];
    for (const [c, t] of this.next[0]!) {
      if (c < 128) this.rootAscii[c] = t;
      queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [c, t] of this.next[s]!) {
        queue.push(t);
        let f = this.fail[s]!;
        let g: number | undefined;
        while ((g = this.step(f, c)) === NONE && f !== 0) f = this.fail[f]!;
        const ft = g === NONE || g === t ? 0 : g!;
        this.fail[t] = ft;
        this.dict[t] = this.out[ft]!.length > 0 ? ft : this.dict[ft]!;
      }
    }
  }

  /** The transition from `s` on `c`, falling back to the root only for the root itself. */
  private step(s: number, c: number): number {
    if (s === 0) return c < 128 ? this.rootAscii[c]! : (this.next[0]!.get(c) ?? 0);
    return this.next[s]!.get(c) ?? NONE;
  }

  /**
   * Call `visit(needleIndex)` for every occurrence of every needle in `text` (a needle found twice
   * is reported twice), in order of the occurrence's end.
   */
  forEachMatch(text: string, visit: (needle: number) => void): void {
    if (this.size === 0) return;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let t: number;
      while ((t = this.step(s, c)) === NONE) s = this.fail[s]!;
      s = t;
      for (let o = this.out[s]!.length > 0 ? s : this.dict[s]!; o !== NONE; o = this.dict[o]!) {
        for (const n of this.out[o]!) visit(n);
      }
    }
  }
}
