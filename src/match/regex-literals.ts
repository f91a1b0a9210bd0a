/**
 * Required literals of a regular expression: a set of strings such that every string the
 * expression matches contains at least one of them. The matcher indexes app-name patterns by these
 * (the cheap keyword pre-filter before the exact regex test, as TruffleHog detectors do), so a name
 * is tested only against the patterns whose literal occurs in it.
 *
 * The analysis is conservative: it understands the ECMAScript pattern syntax of a regex compiled
 * with the `i` flag and without `u` (ECMA-262 §22.2 and Annex B.1.2, the legacy grammar that
 * `new RegExp(p, "i")` uses), and whenever a construct could be read two ways it gives up a literal
 * rather than claim one that is not required. A pattern it cannot analyse gets `undefined` and is
 * tested against every name.
 *
 * Literals are ASCII only and lower-cased: with `i` and without `u`, an ASCII letter matches only
 * itself and its ASCII other case (Canonicalize, ECMA-262 §22.2.2.7.3, never maps a non-ASCII
 * character to an ASCII one), so searching the name with A-Z folded to a-z finds every occurrence.
 */

/** Shortest literal worth indexing; shorter ones would select most names anyway. */
const MIN_LITERAL = 2;
/** Most alternatives a requirement may have (a wide alternation is better tested always). */
const MAX_ALTERNATIVES = 16;

/** "At least one of these strings occurs", or `null`: nothing is known to occur. */
type Requirement = string[] | null;

class Unsupported extends Error {}

/**
 * The required literals of `source`, lower-cased ASCII, or `undefined` when none can be proved
 * (for example `^\w+$`, `.*`, or a top-level alternation with a branch of no literal).
 */
export function requiredLiterals(source: string): string[] | undefined {
  try {
    const p = new Parser(source);
    const req = p.alternation();
    if (p.pos !== source.length) return undefined;
    return score(req) >= 0 ? [...new Set(req!)] : undefined;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/** Fold ASCII A-Z to a-z and leave everything else as is: the text side of {@link requiredLiterals}. */
export function foldAscii(s: string): string {
  // Fast path: nothing to fold.
  if (!/[A-Z]/.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

function score(r: Requirement): number {
  if (!r || r.length === 0 || r.length > MAX_ALTERNATIVES) return -1;
  let min = Infinity;
  for (const s of r) min = Math.min(min, s.length);
  return min < MIN_LITERAL ? -1 : min * 64 - r.length;
}

/** What one atom is, for the sequence that holds it. */
type Atom =
  | { kind: "char"; ch: string } // one ASCII character, lower-cased
  | { kind: "other" } // consumes input, but no known literal (class, dot, backreference, non-ASCII)
  | { kind: "zero" } // zero-width assertion that leaves its neighbours adjacent (^ $ \b \B)
  | { kind: "group"; req: Requirement }
  | { kind: "lookaround" };

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  /** alternation := sequence ('|' sequence)* */
  alternation(): Requirement {
    const branches: Requirement[] = [this.sequence()];
    while (this.peek() === "|") {
      this.pos++;
      branches.push(this.sequence());
    }
    if (branches.length === 1) return branches[0]!;
    const all: string[] = [];
    for (const b of branches) {
      if (score(b) < 0) return null;
      all.push(...b!);
    }
    return all.length <= MAX_ALTERNATIVES ? all : null;
  }

  /** sequence := (atom quantifier?)* — returns its best requirement. */
  private sequence(): Requirement {
    const candidates: Requirement[] = [];
    let run = "";
    const flush = () => {
      if (run.length > 0) candidates.push([run]);
      run = "";
    };
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === "|" || c === ")") break;
      const atom = this.atom();
      const q = this.quantifier();
      const min = q?.min ?? 1;
      const exact = q === undefined;
      switch (atom.kind) {
        case "char":
          if (min === 0) flush();
          else if (exact) run += atom.ch;
          else {
            // a+ or a{2,}: the first copy ends what precedes, the last begins what follows
            run += atom.ch;
            flush();
            run = atom.ch;
          }
          break;
        case "zero":
          // ^, $, \b, \B consume nothing: the characters around them stay adjacent
          if (q) flush();
          break;
        case "group":
          flush();
          if (min > 0) candidates.push(atom.req);
          break;
        case "other":
        case "lookaround":
          flush();
          break;
      }
    }
    flush();
    let best: Requirement = null;
    let bestScore = -1;
    for (const r of candidates) {
      const s = score(r);
      if (s > bestScore) {
        best = r;
        bestScore = s;
      }
    }
    return best;
  }

  /** A quantifier after an atom, if any: its minimum count. Lazy `?` suffixes are consumed. */
  private quantifier(): { min: number } | undefined {
    const c = this.peek();
    let min: number;
    if (c === "*" || c === "?") {
      this.pos++;
      min = 0;
    } else if (c === "+") {
      this.pos++;
      min = 1;
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      // Annex B: a brace that is not a valid quantifier is a literal character; the next atom() reads it.
      if (!m) return undefined;
      this.pos += m[0].length;
      min = Number(m[1]);
    } else {
      return undefined;
    }
    if (this.peek() === "?") this.pos++;
    return { min };
  }

  private atom(): Atom {
    const c = this.peek()!;
    switch (c) {
      case "^":
      case "$":
        this.pos++;
        return { kind: "zero" };
      case ".":
        this.pos++;
        return { kind: "other" };
      case "[":
        this.skipClass();
        return { kind: "other" };
      case "(":
        return this.group();
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case "{":
      case "}":
      case "]":
        // Only legal as Annex B literals here; not worth the risk of a wrong reading.
        this.pos++;
        return { kind: "other" };
      default: {
        this.pos++;
        const code = c.charCodeAt(0);
        if (code >= 0x80) return { kind: "other" };
        return { kind: "char", ch: code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c };
      }
    }
  }

  private group(): Atom {
    this.pos++; // (
    let lookaround = false;
    if (this.peek() === "?") {
      const rest = this.src.slice(this.pos, this.pos + 3);
      if (rest.startsWith("?:")) this.pos += 2;
      else if (rest.startsWith("?=") || rest.startsWith("?!")) {
        this.pos += 2;
        lookaround = true;
      } else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
        this.pos += 3;
        lookaround = true;
      } else if (rest.startsWith("?<")) {
        const end = this.src.indexOf(">", this.pos);
        if (end < 0) throw new Unsupported();
        this.pos = end + 1;
      } else {
        // modifiers such as (?i:...) or anything newer than this parser
        throw new Unsupported();
      }
    }
    const req = this.alternation();
    if (this.peek() !== ")") throw new Unsupported();
    this.pos++;
    return lookaround ? { kind: "lookaround" } : { kind: "group", req };
  }

  /** Skip a character class `[...]`, escapes included. */
  private skipClass(): void {
    this.pos++; // [
    if (this.peek() === "^") this.pos++;
    // Annex B / ES: `[]` is an empty class and `[^]` any character; `]` right after `[` closes it.
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new Unsupported();
      this.pos++;
      if (c === "\\") {
        if (this.peek() === undefined) throw new Unsupported();
        this.pos++;
      } else if (c === "]") return;
    }
  }

  private escape(): Atom {
    this.pos++; // backslash
    const c = this.peek();
    if (c === undefined) throw new Unsupported();
    if (c === "b" || c === "B") {
      this.pos++;
      return { kind: "zero" };
    }
    if (/[dDwWsS]/.test(c)) {
      this.pos++;
      return { kind: "other" };
    }
    if (/[0-9]/.test(c)) {
      // \0, backreferences, Annex B octal escapes: no literal claimed
      while (/[0-9]/.test(this.peek() ?? "")) this.pos++;
      return { kind: "other" };
    }
    if (c === "x") {
      const m = /^x([0-9a-fA-F]{2})/.exec(this.src.slice(this.pos));
      if (m) {
        this.pos += 3;
        return charAtom(parseInt(m[1]!, 16));
      }
      this.pos++;
      return { kind: "other" };
    }
    if (c === "u") {
      const m = /^u([0-9a-fA-F]{4})/.exec(this.src.slice(this.pos));
      if (m) {
        this.pos += 5;
        return charAtom(parseInt(m[1]!, 16));
      }
      this.pos++;
      return { kind: "other" };
    }
    if (c === "k") {
      const m = /^k<[^>]*>/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 1;
      return { kind: "other" };
    }
    if (c === "c") {
      // \cX is a control character; a lone \c is a literal backslash followed by "c"
      if (/[A-Za-z]/.test(this.peek(1) ?? "")) this.pos += 2;
      return { kind: "other" };
    }
    if (c === "t" || c === "n" || c === "v" || c === "f" || c === "r") {
      this.pos++;
      return { kind: "other" };
    }
    this.pos++;
    // identity escapes of punctuation (\. \- \/ \( ...) are that character; letters are left alone
    if (/[A-Za-z]/.test(c) || c.charCodeAt(0) >= 0x80) return { kind: "other" };
    return { kind: "char", ch: c };
  }
}

function charAtom(code: number): Atom {
  if (code < 0x20 || code >= 0x7f) return { kind: "other" };
  const ch = String.fromCharCode(code >= 65 && code <= 90 ? code + 32 : code);
  return { kind: "char", ch };
}
