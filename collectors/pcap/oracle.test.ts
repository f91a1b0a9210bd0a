/**
 * Oracle test: our extractor against tshark 4.0.17 on the shared corpus of real captures
 * (`../shared/corpus/pcap`, see its README.md for how the oracle files were made and how tshark
 * renders names).
 *
 * 1. Every capture of the corpus, whatever its link type, is read to the end without a throw or a
 *    hang: it yields observations, or reports an error, or legitimately holds nothing for us.
 * 2. Over the Ethernet captures, the distinct values of tshark's `dns.qry.name`,
 *    `tls.handshake.extensions_server_name` (TLS over TCP only: rows with an empty `quic.version`)
 *    and `http.host` are compared with ours. Every value tshark has and we miss must be listed in
 *    KNOWN_DIFFERENCES with its reason, and every entry there must still be a miss, so the list can
 *    neither hide a regression nor go stale.
 *
 * Skipped when the shared corpus is not beside the project (`../shared/corpus/pcap`).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { packageRoot } from "../../src/core/paths.js";
import { collect } from "./index.js";

const CORPUS = join(packageRoot(), "..", "shared", "corpus", "pcap");
const HAVE_CORPUS = existsSync(join(CORPUS, "ORACLE-INDEX.tsv"));

type Field = "dns" | "sni" | "host";
const FIELDS: readonly Field[] = ["dns", "sni", "host"];

/**
 * Values tshark finds and we do not, as `field file value` with the reason. `value` is as it appears
 * in the oracle file (after splitting on the aggregator `,`).
 */
const PLACEHOLDER_TOO_LONG =
  "tshark placeholder, not a name: the name is over 253 characters (RFC 1035 §2.3.4); we skip that question";
const KNOWN_DIFFERENCES: ReadonlyArray<{ field: Field; file: string; value: string; reason: string }> = [
  { field: "dns", file: "nDPI/malformed_dns.pcap", value: "<Name too long>", reason: PLACEHOLDER_TOO_LONG },
  { field: "dns", file: "tcpdump/dns-badlabel.pcap", value: "<Name too long>", reason: PLACEHOLDER_TOO_LONG },
  { field: "dns", file: "tcpdump/dns_fwdptr.pcap", value: "<Name too long>", reason: PLACEHOLDER_TOO_LONG },
  {
    field: "dns",
    file: "nDPI/fuzz-2006-06-26-2594.pcap",
    value: "<Unknown extended label>",
    reason: "tshark placeholder, not a name: an RFC 2673 extended label type; we skip that question",
  },
  {
    field: "sni",
    file: "nDPI/capwap_data.pcapng",
    value: "alt2-mtalk.google.com",
    reason: "inside a CAPWAP data tunnel (UDP 5247) carrying 802.11 frames: neither is decoded",
  },
  {
    field: "sni",
    file: "nDPI/rdp2.pcap",
    value: "WIN-8QSO0D3OKBI.HARDENING.COM",
    reason: "TLS inside RDP over UDP (RDPUDP, UDP 3389): not decoded",
  },
];

/** Share of tshark's distinct values per field we must find over the whole set, whatever the list above says. */
const MIN_AGREEMENT = 0.99;

interface IndexRow {
  file: string;
  encapsulation: string;
}

function readIndex(): IndexRow[] {
  const lines = readFileSync(join(CORPUS, "ORACLE-INDEX.tsv"), "utf8").split("\n");
  const rows: IndexRow[] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const cells = line.split("\t");
    rows.push({ file: cells[0]!, encapsulation: cells[3]! });
  }
  return rows;
}

/** tshark's distinct values per field for one capture. */
function readOracle(file: string): Record<Field, Set<string>> {
  const out: Record<Field, Set<string>> = { dns: new Set(), sni: new Set(), host: new Set() };
  const text = readFileSync(join(CORPUS, `${file}.oracle.tsv`), "utf8");
  const add = (set: Set<string>, cell: string | undefined): void => {
    if (!cell) return;
    for (const v of cell.split(",")) if (v !== "") set.add(v);
  };
  for (const line of text.split("\n").slice(1)) {
    if (line === "") continue;
    const c = line.split("\t");
    add(out.dns, c[2]);
    if ((c[10] ?? "") === "") add(out.sni, c[8]);
    add(out.host, c[12]);
  }
  return out;
}

/**
 * Our value as tshark's `-T fields` output would print it: a C string (ends at the first NUL),
 * `\b \f \n \r \t` escaped, split like its aggregator would on `,`.
 */
function asOracle(field: Field, value: string): string[] {
  if (field === "dns" && value === ".") return ["<Root>"];
  const nul = value.indexOf("\0");
  if (nul >= 0) value = value.slice(0, nul);
  const printed = value.replace(/[\b\f\n\r\t]/g, (ch) => ({ "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[ch]!);
  return printed.split(",").filter((v) => v !== "");
}

function fieldOf(o: Observation): Field | null {
  if (o.host === undefined) return null;
  return o.kind === "dns" ? "dns" : o.kind === "tls" ? "sni" : o.kind === "http" ? "host" : null;
}

interface FileResult {
  observations: number;
  errors: InputError[];
  values: Record<Field, Set<string>>;
  ms: number;
}

const PER_FILE_TIMEOUT_MS = 10_000;

async function run(file: string): Promise<FileResult> {
  const t0 = performance.now();
  const errors: InputError[] = [];
  const values: Record<Field, Set<string>> = { dns: new Set(), sni: new Set(), host: new Set() };
  let observations = 0;
  const work = (async () => {
    for await (const o of collect(join(CORPUS, file), { onError: (e) => errors.push(e) })) {
      observations++;
      const f = fieldOf(o);
      if (f !== null) for (const v of asOracle(f, o.host!)) values[f].add(v);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${file}: no end after ${PER_FILE_TIMEOUT_MS} ms`)), PER_FILE_TIMEOUT_MS);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return { observations, errors, values, ms: performance.now() - t0 };
}

describe.skipIf(!HAVE_CORPUS)("pcap collector against the tshark oracle (shared corpus)", () => {
  it("reads every capture to the end and agrees with tshark on Ethernet captures", async () => {
    const t0 = performance.now();
    const index = readIndex();
    expect(index.length).toBeGreaterThan(1000);

    const results = new Map<string, FileResult>();
    for (const row of index) results.set(row.file, await run(row.file));

    // 1. No crash, no hang: every file ended (run() would have thrown); a file where tshark found
    // names (other than the known differences) gave observations or reported why not.
    const known = new Map(KNOWN_DIFFERENCES.map((k) => [`${k.field}\t${k.file}\t${k.value}`, k]));
    const errorKinds = new Map<string, number>();
    let filesWithErrors = 0;
    const hasNames = (file: string): boolean =>
      FIELDS.some((f) => [...readOracle(file)[f]].some((v) => !known.has(`${f}\t${file}\t${v}`)));
    const silent = index.filter((row) => {
      const r = results.get(row.file)!;
      return r.observations === 0 && r.errors.length === 0 && hasNames(row.file);
    });
    expect(silent.map((row) => row.file), "captures with names in the oracle but no observation and no error").toEqual([]);
    for (const [, r] of results) {
      if (r.errors.length > 0) filesWithErrors++;
      for (const e of r.errors) {
        const kind = e.message
          .replace(/\d+/g, "N")
          .replace(/^(N of N packets skipped).*?(link type N).*$/, "$1: $2 not decoded")
          .slice(0, 90);
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
      }
    }
    for (const [file, r] of results) {
      for (const e of r.errors) {
        expect(e.input).toBe(join(CORPUS, file));
        expect(e.message).not.toBe("");
        expect(e.offset === undefined || (Number.isInteger(e.offset) && e.offset >= 0)).toBe(true);
      }
    }

    // 2. Agreement over the Ethernet captures.
    const tsharkAll: Record<Field, Set<string>> = { dns: new Set(), sni: new Set(), host: new Set() };
    const oursAll: Record<Field, Set<string>> = { dns: new Set(), sni: new Set(), host: new Set() };
    const unexplained: string[] = [];
    const extras: string[] = [];
    const stillKnown = new Set<string>();
    for (const row of index) {
      if (row.encapsulation !== "ether") continue;
      const oracle = readOracle(row.file);
      const ours = results.get(row.file)!.values;
      for (const f of FIELDS) {
        for (const v of oracle[f]) tsharkAll[f].add(v);
        for (const v of ours[f]) oursAll[f].add(v);
        for (const v of ours[f]) if (!oracle[f].has(v)) extras.push(`${f}\t${row.file}\t${v}`);
        for (const v of oracle[f]) {
          if (ours[f].has(v)) continue;
          const key = `${f}\t${row.file}\t${v}`;
          if (known.has(key)) stillKnown.add(key);
          else unexplained.push(key);
        }
      }
    }
    // A value missed in one file but found in another still counts as found over the whole set.
    const summary: string[] = [];
    for (const f of FIELDS) {
      const t = tsharkAll[f];
      const found = [...t].filter((v) => oursAll[f].has(v)).length;
      const extra = [...oursAll[f]].filter((v) => !t.has(v)).length;
      summary.push(`${f}: tshark ${t.size} distinct, ours found ${found} (${((100 * found) / t.size).toFixed(2)}%), ours extra ${extra}`);
    }
    const reasons = new Map<string, number>();
    for (const k of KNOWN_DIFFERENCES) reasons.set(k.reason, (reasons.get(k.reason) ?? 0) + 1);
    const slowest = [...results.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
    console.log(
      [
        `oracle: ${index.length} captures in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${filesWithErrors} of them reported errors`,
        ...summary,
        "known differences by reason:",
        ...[...reasons].map(([r, n]) => `  ${n}  ${r}`),
        "reported errors by kind:",
        ...[...errorKinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n}  ${k}`),
        `slowest: ${slowest.map(([f, r]) => `${f} ${r.ms.toFixed(0)} ms`).join(", ")}`,
        `values we find that tshark does not (${extras.length}):`,
        ...extras.map((e) => `  ${e}`),
        ...(unexplained.length ? ["UNEXPLAINED MISSES:", ...unexplained.map((u) => `  ${u}`)] : []),
      ].join("\n"),
    );

    expect(unexplained).toEqual([]);
    const stale = [...known.keys()].filter((k) => !stillKnown.has(k));
    expect(stale, "KNOWN_DIFFERENCES entries that are no longer misses: remove them").toEqual([]);
    for (const f of FIELDS) {
      const t = tsharkAll[f];
      const found = [...t].filter((v) => oursAll[f].has(v)).length;
      expect(found / t.size, `${f} agreement`).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    }
  });
});
