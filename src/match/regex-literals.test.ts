import { describe, expect, it } from "vitest";
import { AhoCorasick } from "./aho-corasick.js";
import { foldAscii, requiredLiterals } from "./regex-literals.js";

describe("requiredLiterals", () => {
  it.each([
    ["^ChatGPT\\b", ["chatgpt"]],
    ["^Zoom AI Companion\\b", ["zoom ai companion"]],
    ["^(Zoom )?Custom AI Companion\\b", ["custom ai companion"]],
    ["^(Microsoft )?Copilot (for|in) (Microsoft 365|M365|Teams)\\b", ["copilot "]],
    ["^Claude(\\.ai)?( for [A-Za-z0-9 ]+| by Anthropic)?$", ["claude"]],
    ["^(WRITER|Writer)( AI|\\.com)?$", ["writer"]],
    ["^Fathom\\b(?!\\s+Analytics)", ["fathom"]],
    ["^tl;?dv\\b", ["tl"]],
    ["^Eleven ?Labs\\b", ["eleven"]],
    ["^Gemini (for|in) (Google )?Workspace\\b|^Duet AI\\b", ["workspace", "duet ai"]],
    ["^Canva\\s+(AI|Magic(\\s+\\w+)?)\\b", ["canva"]],
    ["colou?r", ["colo"]],
    ["ab+c", ["ab"]],
    ["\\x41bc\\u0044", ["abcd"]],
    ["a\\.b", ["a.b"]],
    ["(?<name>Slack) AI", ["slack"]],
  ])("%s -> %j", (src, want) => {
    const got = requiredLiterals(src);
    expect(got).toBeDefined();
    // the best requirement is one of the listed literals (order-insensitive)
    expect(new Set(got)).toEqual(new Set(want));
  });

  it.each(["^\\w+$", ".*", "^(a|bb)$", "[Cc]hat", "^(Foo|.*)", "x", "\\p{L}+", "(?i:abc)", "a{,2}", "\\1abc|zz", "ab|[x]"])("%s has no literal worth indexing", (src) => {
    const got = requiredLiterals(src);
    // either nothing, or literals that every match really contains (checked below by property)
    if (got) for (const l of got) expect(l.length).toBeGreaterThanOrEqual(2);
  });

  it("never claims a literal a match lacks (random patterns and inputs)", () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const atoms = ["a", "b", "ab", "A", " ", "\\.", ".", "[ab]", "\\b", "^", "$", "(a|b)", "(?:ab)?", "c*", "d+", "e?", "x{2}", "(?=a)", "\\w", "\\s", "B{1,}"];
    const alphabet = "abABcdexX. -";
    for (let n = 0; n < 3000; n++) {
      let src = "";
      const len = 1 + rnd(6);
      for (let i = 0; i < len; i++) src += atoms[rnd(atoms.length)];
      if (rnd(5) === 0) src += "|" + atoms[rnd(atoms.length)] + atoms[rnd(atoms.length)];
      let re: RegExp;
      try {
        re = new RegExp(src, "i");
      } catch {
        continue;
      }
      const lits = requiredLiterals(src);
      if (!lits) continue;
      for (let k = 0; k < 40; k++) {
        let s = "";
        const sl = rnd(10);
        for (let i = 0; i < sl; i++) s += alphabet[rnd(alphabet.length)];
        if (re.test(s)) {
          const folded = foldAscii(s);
          expect(lits.some((l) => folded.includes(l)), `${src} matched ${JSON.stringify(s)} without any of ${JSON.stringify(lits)}`).toBe(true);
        }
      }
    }
  });
});

describe("AhoCorasick", () => {
  it("finds every occurrence of overlapping needles", () => {
    const ac = new AhoCorasick(["he", "she", "his", "hers", "é"]);
    const hits: number[] = [];
    ac.forEachMatch("ushers é", (i) => hits.push(i));
    expect(hits.sort()).toEqual([0, 1, 3, 4]);
  });

  it("agrees with String.includes on random needles and texts", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const word = (max: number) => Array.from({ length: 1 + rnd(max) }, () => "abcab/é"[rnd(7)]).join("");
    for (let n = 0; n < 200; n++) {
      const needles = Array.from({ length: 1 + rnd(20) }, () => word(4));
      const ac = new AhoCorasick(needles);
      for (let k = 0; k < 20; k++) {
        const text = word(30);
        const found = new Set<number>();
        ac.forEachMatch(text, (i) => found.add(i));
        const want = new Set(needles.map((nd, i) => (text.includes(nd) ? i : -1)).filter((i) => i >= 0));
        expect(found).toEqual(want);
      }
    }
  });
});
