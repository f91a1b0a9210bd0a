/**
 * Safe, width-aware terminal output. Evidence strings are attacker-controlled (an app named
 * `\x1b]8;;https://evil\x07click\x1b]8;;\x07`, a host with a carriage return): every C0/C1 control
 * character and DEL is shown as a visible `\xNN` escape before it reaches a terminal, and cells
 * are bounded in width.
 *
 * Tables fit the terminal: each column has a priority, a minimum and a maximum width; when the
 * natural widths do not fit, the least important columns are narrowed first (truncated with `…`,
 * or wrapped onto more lines), then hidden if they are optional. Columns marked `keep` (record
 * ids, statuses, classes, counts) are never cut (a long id wraps). Rows have no separators: a row
 * starts on the line where its first column, a key that is never empty, has a value.
 */
import Table from "cli-table3";

import { safeText } from "../io/safe-text.js";

export { safeText };

/**
 * Display width of `s` in terminal columns: combining marks and zero-width characters count 0,
 * East Asian wide and fullwidth characters and emoji count 2 (Unicode UAX #11, approximated by
 * ranges), everything else 1. `s` must already be {@link safeText} (no control characters).
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

const ZERO = /^[\p{Mn}\p{Me}\u200b-\u200f\u2060-\u2064\ufeff]$/u;
const WIDE = /^[\p{Extended_Pictographic}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]$/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  if (ch.codePointAt(0)! < 0x2000) return 1;
  return WIDE.test(ch) ? 2 : 1;
}

/** Cut `t` (already safe) to at most `max` columns, marking the cut with `…` at the end or the start. */
function truncate(t: string, max: number, from: "end" | "start" = "end"): string {
  if (displayWidth(t) <= max) return t;
  if (max <= 0) return "";
  const chars = [...t];
  if (from === "start") chars.reverse();
  let w = 0;
  const kept: string[] = [];
  for (const ch of chars) {
    const cw = charWidth(ch);
    if (w + cw > max - 1) break;
    kept.push(ch);
    w += cw;
  }
  if (from === "start") return `…${kept.reverse().join("")}`;
  return `${kept.join("")}…`;
}

/** Break `t` (already safe) into lines of at most `width` columns, after a space, comma, slash, `@`, `:` or `-` where it can. */
function wrap(t: string, width: number): string[] {
  if (width <= 0) return [t];
  const out: string[] = [];
  for (const para of t.split("\n")) {
    let line = "";
    for (const word of para.split(/(?<=[ ,/@:-])/)) {
      if (displayWidth(line + word.trimEnd()) <= width) {
        line += word;
        continue;
      }
      if (line) out.push(line.trimEnd());
      line = "";
      let rest = word;
      while (displayWidth(rest.trimEnd()) > width) {
        let head = truncate(rest, width + 1).slice(0, -1); // width columns, no ellipsis
        if (head === "") head = [...rest][0]!; // a wide character in a 1-column cell
        out.push(head);
        rest = rest.slice(head.length);
      }
      line = rest;
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** {@link safeText}, then cut to `max` characters with an ellipsis. */
export function cell(s: string | number | null | undefined, max = 60): string {
  if (s === null || s === undefined) return "";
  return truncate(safeText(String(s)), max);
}

/** A table column: its header and how it gives way when the terminal is narrow. */
export interface Column {
  header: string;
  /**
   * Never cut (ids, statuses, classes, counts): never narrower than its content, or with `wrap`,
   * never narrower than `min`, its value wrapped whole onto more lines.
   */
  keep?: boolean;
  /** Narrowest width when it has to give way (default: the header's width, at most 8). */
  min?: number;
  /** Last-resort width, used only when every optional column is left out and the rest still does not fit (default: `min`). */
  squeeze?: number;
  /** Widest it ever is (default 60); longer values are cut or wrapped even on a wide terminal. */
  max?: number;
  /**
   * Importance: the column with the highest number gives way first (default 0, then by position:
   * among equals, the widest column gives way first).
   */
  priority?: number;
  /** May be left out when even its minimum width does not fit. */
  optional?: boolean;
  /** Wrap long values onto more lines instead of cutting them. */
  wrap?: boolean;
  /** Cut long values at the start (`…/file.yaml`: paths) instead of the end. */
  cutStart?: boolean;
  /** Align right (numbers). */
  right?: boolean;
}

/** The width tables are fitted to: the terminal's columns, else `$COLUMNS`, else unlimited (a pipe). */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout): number {
  if (stream.isTTY && stream.columns > 0) return stream.columns;
  const env = Number.parseInt(process.env["COLUMNS"] ?? "", 10);
  if (Number.isInteger(env) && env >= 20) return env;
  return Number.POSITIVE_INFINITY;
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Total width to fit, borders included (default {@link outputWidth}). */
  width?: number;
}

type Value = string | number | null | undefined;

/** The narrowest a column with content `natural` columns wide may be: a kept column that does not wrap, its content. */
function minWidth(c: Column, natural: number, squeeze = false): number {
  if (c.keep && !c.wrap) return natural;
  const min = c.min ?? Math.min(8, displayWidth(c.header));
  return Math.min(natural, squeeze ? (c.squeeze ?? min) : min);
}

/**
 * Column widths (content only, without padding) for `natural` widths in `width` columns, or null
 * when the columns cannot fit even at their minimums.
 */
function layout(cols: Column[], natural: number[], visible: boolean[], width: number, squeeze = false): number[] | null {
  const shown = cols.map((_, i) => i).filter((i) => visible[i]);
  const available = width - (3 * shown.length + 1); // "│ " + " " per column, plus the last "│"
  const w = natural.slice();
  const mins = cols.map((c, i) => minWidth(c, natural[i]!, squeeze));
  let total = shown.reduce((a, i) => a + w[i]!, 0);
  if (total <= available) return w;
  // give way by priority group, least important first; within a group, the widest column first
  const groups = [...new Set(shown.map((i) => cols[i]!.priority ?? 0))].sort((a, b) => b - a);
  for (const p of groups) {
    const members = shown.filter((i) => (cols[i]!.priority ?? 0) === p && w[i]! > mins[i]!);
    while (total > available) {
      let widest = -1;
      for (const i of members) if (w[i]! > mins[i]! && (widest < 0 || w[i]! > w[widest]!)) widest = i;
      if (widest < 0) break;
      w[widest]!--;
      total--;
    }
    if (total <= available) return w;
  }
  return null;
}

/**
 * Render rows as a bordered table with a header that fits {@link TableOptions.width} (default: the
 * terminal). Every value goes through {@link safeText}. `columns` are headers or {@link Column}s;
 * plain headers with `widths` (the old form) are columns of that maximum width that give way
 * widest first.
 */
export function table(columns: (string | Column)[], rows: Value[][], widths?: number[] | TableOptions, options: TableOptions = {}): string {
  const opts = Array.isArray(widths) ? options : (widths ?? options);
  const cols: Column[] = columns.map((c, i) => (typeof c === "string" ? { header: c, max: Array.isArray(widths) ? widths[i] : undefined } : c));
  const width = opts.width ?? outputWidth();
  const text = rows.map((r) => cols.map((_, i) => (r[i] === null || r[i] === undefined ? "" : safeText(String(r[i])))));
  const natural = cols.map((c, i) =>
    Math.min(c.keep ? Number.POSITIVE_INFINITY : (c.max ?? 60), Math.max(displayWidth(c.header), ...text.map((r) => Math.max(0, ...r[i]!.split("\n").map(displayWidth))))),
  );
  const visible = cols.map(() => true);
  let w = layout(cols, natural, visible, width);
  // still too wide: leave out optional columns, least important (then rightmost) first
  const droppable = cols
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.optional)
    .sort((a, b) => (b.c.priority ?? 0) - (a.c.priority ?? 0) || b.i - a.i);
  for (const { i } of droppable) {
    if (w) break;
    visible[i] = false;
    w = layout(cols, natural, visible, width);
  }
  // still too wide: the columns that allow it go down to their last-resort width
  w ??= layout(cols, natural, visible, width, true);
  // nothing fits (a very narrow terminal): every column at its minimum, the terminal wraps
  const widthsOut = w ?? natural.map((n, i) => minWidth(cols[i]!, n, true));
  const shown = cols.map((_, i) => i).filter((i) => visible[i]);
  const fit = (s: string, i: number): string => {
    const c = cols[i]!;
    const cw = widthsOut[i]!;
    if (c.wrap) return s.split("\n").flatMap((l) => wrap(l, cw)).join("\n");
    return s
      .split("\n")
      .map((l) => truncate(l, cw, c.cutStart ? "start" : "end"))
      .join("\n");
  };
  const body = text.map((r) => shown.map((i) => fit(r[i]!, i)));
  const t = new Table({
    head: shown.map((i) => truncate(cols[i]!.header, widthsOut[i]!)),
    colWidths: shown.map((i) => widthsOut[i]! + 2),
    colAligns: shown.map((i) => (cols[i]!.right ? "right" : "left")),
    style: { head: [], border: [] },
    wordWrap: false,
    // no separator between rows: a row starts where its first column (a key, never empty) does
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of body) t.push(r);
  return t.toString();
}

/**
 * `text` as lines that fit the output width, each continuation indented by `indent` spaces; for
 * prose outside tables (`sources`). Unlimited width: `text` unchanged. `text` must be safe.
 */
export function wrapText(text: string, indent = 0, width = outputWidth()): string {
  if (!Number.isFinite(width)) return text;
  const lead = /^ */.exec(text)![0];
  const pad = " ".repeat(lead.length + indent);
  const lines = wrap(text.slice(lead.length), Math.max(20, width - lead.length - indent));
  return lines.map((l, i) => (i === 0 ? lead : pad) + l).join("\n");
}
