/**
 * Safe terminal output. Evidence strings are attacker-controlled (an app named
 * `\x1b]8;;https://evil\x07click\x1b]8;;\x07`, a host with a carriage return): every C0/C1 control
 * character and DEL is shown as a visible `\xNN` escape before it reaches a terminal, and cells
 * are bounded in width.
 */
import Table from "cli-table3";

import { safeText } from "../io/safe-text.js";

export { safeText };

/** {@link safeText}, then cut to `max` characters with an ellipsis. */
export function cell(s: string | number | null | undefined, max = 60): string {
  if (s === null || s === undefined) return "";
  const t = safeText(String(s));
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Render rows as a bordered table with a header; every value goes through {@link cell}. */
export function table(head: string[], rows: (string | number | null | undefined)[][], widths?: number[]): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    wordWrap: false,
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of rows) t.push(r.map((v, i) => cell(v, widths?.[i] ?? 60)));
  return t.toString();
}
