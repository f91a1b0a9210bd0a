/**
 * Neutralising attacker-controlled strings for people's eyes. Evidence holds strings anyone can
 * choose (an app named `\x1b]8;;https://evil\x07click`, a host with a carriage return, a name with a
 * right-to-left override that shows `exe.txt` as `txt.exe`): every C0/C1 control character, DEL,
 * the line/paragraph separators and the bidirectional embedding, override and isolate characters
 * (Unicode TR9 §2.1-2.4: U+202A-202E, U+2066-2069) become visible `\xNN` / `\u{NNNN}` escapes.
 * Used by the terminal output and the CSV exports.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** Replace control and bidi characters with `\xNN`/`\u{NNNN}` escapes. */
export function safeText(s: string): string {
  return s.replace(CONTROL, (c) => {
    const cp = c.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u{${cp.toString(16)}}`;
  });
}
