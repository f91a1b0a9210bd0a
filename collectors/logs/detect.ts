/**
 * Telling a log's format from its first lines, only where that is unambiguous, with the
 * detectors of the registered formats (`formats/index.ts`): every line that looks like a record
 * must point to the same format. Formats whose layout an administrator defines (Zscaler NSS
 * CSV/TSV feeds, generic CSV and JSON lines) are never guessed; a Squid custom `logformat` is
 * recognised when `logs.squid.logformat` declares it.
 */
import { isRecord, isWrapped, unwrapRecord, type LogFormatDefinition } from "./common/index.js";
import { LOG_FORMATS } from "./formats/index.js";
import { JsonArraySplitter } from "./json-array.js";
import type { LogOptions } from "./options.js";

/** Lines of the head looked at: text lines vote, JSON lines are parsed. */
const TEXT_SAMPLE = 32;
const JSON_SAMPLE = 16;
/** Longest line a detector is shown (UTF-16 units); longer lines are left out of the vote. */
export const MAX_DETECT_LINE = 64 * 1024;

/** The format a JSON record belongs to, by its keys (as it is, then unwrapped from a SIEM export), or undefined. */
export function detectJsonRecord(v: unknown, formats: readonly LogFormatDefinition[] = LOG_FORMATS): string | undefined {
  if (!isRecord(v)) return undefined;
  for (const f of formats) if (f.detect?.record?.(v)) return f.name;
  if (!isWrapped(v)) return undefined;
  const inner = unwrapRecord(v);
  if (inner === v || !isRecord(inner)) return undefined;
  for (const f of formats) if (f.detect?.record?.(inner)) return f.name;
  return undefined;
}

/** The first JSON element of a head that starts with `[`, parsed, or undefined. */
function firstArrayElement(lines: string[]): unknown {
  let found: string | undefined;
  const splitter = new JsonArraySplitter({
    element: (json) => {
      found ??= json;
    },
    error: () => undefined,
  });
  for (let i = 0; i < lines.length && found === undefined; i++) splitter.feed(lines[i]!, 0, lines[i]!.length, i + 1, 0);
  if (found === undefined) return undefined;
  try {
    return JSON.parse(found) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The one format with votes, when it has at least `share(format)` of `total` (a share under a half
 * also needs two votes where `total` allows); undefined when none or several.
 */
function winner(votes: Map<string, number>, total: number, share: (format: string) => number = () => 0.5): string | undefined {
  if (votes.size !== 1) return undefined;
  const [[format, n]] = [...votes] as [[string, number]];
  const s = share(format);
  return n >= s * total && (s >= 0.5 || n >= Math.min(2, total)) ? format : undefined;
}

/**
 * The format of a log from its first lines, or undefined when it cannot be told for sure.
 *
 * - A header line that decides alone (Zeek TSV's `#separator` / `#fields`).
 * - JSON: records classified by the formats' key tests (Okta `eventType` + `published`;
 *   Cloudflare `Datetime` + `QueryName`/`HTTPHost`/...; Zscaler `sourcetype: zscalernss-*` or
 *   `eurl`; Zeek `ts` + `uid` or `id.orig_h`/`id_orig_h`), each as it is and unwrapped from
 *   SIEM exports (`_raw`, `result`, `_source`, an HEC `event`); for JSON lines and for a JSON
 *   array (an API response saved whole). Of the parsed lines, at least half must be of one format
 *   and none of another; unknown records (a stray export line) do not veto.
 * - Text lines by shape (Squid native or the configured `logformat`, common/combined, PAN-OS
 *   CSV, BIND): of the first 32 non-empty lines, at least half (a quarter for BIND, whose
 *   queries arrive among other syslog lines) and two must fit one format, and none another.
 *
 * Lines longer than {@link MAX_DETECT_LINE} are left out (a 70 KB first line does not hide the
 * lines after it).
 *
 * @param firstLines the first lines of the file (decompressed), without terminators; a cut-off
 *   last line is tolerated.
 * @param options configured layouts the detectors use (`logs.squid.logformat`).
 */
export function detectFormat(firstLines: string[], options: LogOptions = {}): string | undefined {
  const lines: string[] = [];
  for (let i = 0; i < firstLines.length && lines.length < 4096; i++) {
    let l = firstLines[i]!;
    if (i === 0 && l.charCodeAt(0) === 0xfeff) l = l.slice(1);
    if (l.length > MAX_DETECT_LINE || l.trim().length === 0) continue;
    lines.push(l);
  }
  const first = lines[0]?.trimStart();
  if (first === undefined) return undefined;
  for (const f of LOG_FORMATS) if (f.detect?.header?.(first)) return f.name;
  if (first.startsWith("[")) return detectJsonRecord(firstArrayElement(lines));
  if (first.startsWith("{")) {
    const votes = new Map<string, number>();
    let parsed = 0;
    for (const l of lines.slice(0, JSON_SAMPLE)) {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        continue; // a line cut by the head's end, or a broken one: the others decide
      }
      parsed++;
      const f = detectJsonRecord(v);
      if (f) votes.set(f, (votes.get(f) ?? 0) + 1);
    }
    return winner(votes, parsed);
  }
  const votes = new Map<string, number>();
  const sample = lines.slice(0, TEXT_SAMPLE);
  const textFormats = LOG_FORMATS.filter((f) => f.detect?.line);
  for (const l of sample) {
    const f = textFormats.find((x) => x.detect!.line!(l, options));
    if (f) votes.set(f.name, (votes.get(f.name) ?? 0) + 1);
  }
  return winner(votes, sample.length, (name) => textFormats.find((x) => x.name === name)?.detect?.minShare ?? 0.5);
}

/** The names of the formats that are detected (for messages). */
export function detectedFormats(): string[] {
  return LOG_FORMATS.filter((f) => f.detect).map((f) => f.name);
}
