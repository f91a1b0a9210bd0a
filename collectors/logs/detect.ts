/**
 * Telling a log's format from its first lines, only where that is unambiguous: every line that
 * looks like a record must point to the same format. Formats whose layout an administrator
 * defines (Zscaler NSS CSV/TSV feeds, generic CSV and JSON lines) are never guessed.
 */
import type { LogFormat } from "./formats.js";
import { JsonArraySplitter } from "./json-array.js";

/** Squid native: `1544160065.248    228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT host:443 - HIER_DIRECT/1.2.3.4 -`. */
export const SQUID_LINE = /^\s*\d{9,11}\.\d{3}\s+-?\d+\s+\S+\s+[A-Z_]+\/\d{3}\s+\d+\s+\S+\s+\S+\s+\S+\s+[A-Z_]+\/\S+(\s+\S+)?/;

/** Common / combined log format, with an optional leading `vhost[:port]`: `h l u [dd/Mon/yyyy:hh:mm:ss +zzzz] "request" ...`. */
export const CLF_LINE = /^(\S+\s+)?\S+ \S+ (\S+|"[^"]*") \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4}\] "/;

/** PAN-OS CSV (after an optional syslog header): `1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,`. */
export const PANOS_LINE = /(^|[\s>])[^,\s]*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,(TRAFFIC|THREAT|SYSTEM|CONFIG|HIPMATCH|USERID|AUTH|DECRYPTION|GLOBALPROTECT|IPTAG|CORRELATION|SCTP|TUNNEL|GTP),/;

/** BIND 9 query log: `client [@0x...] 10.0.0.1#53000 [(qname)]: [view v: ]query: qname IN A +E(0)K (10.0.0.53)`. */
export const BIND_LINE = /\bclient (@0x[0-9a-fA-F]+ )?[0-9a-fA-F.:]+#\d+( \([^)]*\))?: (view [^:]+: )?query(-errors)?: \S+ [A-Z0-9]+ [A-Z0-9]+ [-+]/;

/** The format a JSON record belongs to, by its keys, or undefined. */
export function detectJsonRecord(v: unknown): LogFormat | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if ("eventType" in o && "published" in o && ("actor" in o || "uuid" in o || "outcome" in o)) return "okta";
  if ("Datetime" in o && ("QueryName" in o || "HTTPHost" in o || "RequestID" in o || "ResolverDecision" in o || "ColoCode" in o)) return "cloudflare";
  if (typeof o["sourcetype"] === "string" && o["sourcetype"].startsWith("zscalernss")) return "zscaler";
  const ev = o["event"];
  if (typeof ev === "object" && ev !== null && "eurl" in ev) return "zscaler";
  if ("eurl" in o && ("login" in o || "cip" in o)) return "zscaler";
  if ("ts" in o && ("uid" in o || "id.orig_h" in o || "id_orig_h" in o || "_path" in o || "@stream" in o)) return "zeek";
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
 * The format of a log from its first lines, or undefined when it cannot be told for sure.
 *
 * - Zeek TSV by its `#separator` / `#fields` header; JSON records by their keys (Okta
 *   `eventType` + `published`; Cloudflare `Datetime` + `QueryName`/`HTTPHost`/...; Zscaler
 *   `sourcetype: zscalernss-*` or `eurl`; Zeek `ts` + `uid` or `id.orig_h`/`id_orig_h`), for
 *   JSON lines and for a JSON array (an API response saved whole).
 * - Text lines by shape: Squid native, common/combined, PAN-OS CSV (with or without a syslog
 *   header), BIND query log. At least half of the non-empty lines must fit one format and none
 *   another; a head of mixed formats gives undefined.
 *
 * @param firstLines the first lines of the file (decompressed), without terminators; a cut-off
 *   last line is tolerated.
 */
export function detectFormat(firstLines: string[]): LogFormat | undefined {
  const lines = firstLines.map((l, i) => (i === 0 && l.charCodeAt(0) === 0xfeff ? l.slice(1) : l)).filter((l) => l.trim().length > 0);
  const first = lines[0]?.trimStart();
  if (first === undefined) return undefined;
  if (/^#(separator|fields|path|set_separator)\b/.test(first)) return "zeek";
  if (first.startsWith("[")) return detectJsonRecord(firstArrayElement(lines));
  if (first.startsWith("{")) {
    let format: LogFormat | undefined;
    let parsed = 0;
    for (const l of lines.slice(0, 8)) {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        continue; // a line cut by the head's end, or a broken one: the others decide
      }
      const f = detectJsonRecord(v);
      if (!f || (format && f !== format)) return undefined;
      format = f;
      parsed++;
    }
    return parsed > 0 ? format : undefined;
  }
  const votes = new Map<LogFormat, number>();
  const sample = lines.slice(0, 16);
  for (const l of sample) {
    const f = SQUID_LINE.test(l) ? "squid" : CLF_LINE.test(l) ? "clf" : PANOS_LINE.test(l) ? "panos" : BIND_LINE.test(l) ? "bind" : undefined;
    if (f) votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  if (votes.size !== 1) return undefined;
  const [[format, n]] = [...votes] as [[LogFormat, number]];
  return n * 2 >= sample.length ? format : undefined;
}
