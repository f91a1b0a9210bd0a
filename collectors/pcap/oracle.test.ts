/**
 * Oracle test: our extractor against tshark 4.0.17 on the shared corpus of real captures
 * (`../shared/corpus/pcap`, see its README.md for how the oracle files were made and how tshark
 * renders names).
 *
 * 1. Every capture of the corpus, whatever its link type, is read to the end without a throw or a
 *    hang, and every error it reports names the file and a byte offset; a capture in which tshark
 *    found names gives observations or an error.
 * 2. Over every capture, the distinct values tshark finds per field are compared with ours:
 *    - `dns`: `dns.qry.name` (queries and the question of responses);
 *    - `sni`: `tls.handshake.extensions_server_name`, TLS over TCP and TLS in QUIC Initials;
 *    - `quic`: the same, on rows with a `quic.version` (a subset of `sni`, shown on its own);
 *    - `gquic`: `gquic.tag.sni` (Google QUIC CHLO);
 *    - `alpn`: `tls.handshake.extensions_alpn_str` on ClientHello rows (`tls.handshake.type` 1);
 *    - `host`: `http.host`;
 *    - `authority`: `http2.headers.authority` (cleartext HTTP/2; compared with the `host` of every
 *      `http` observation, and not held to the agreement of 3.).
 *    Every value tshark has and we miss in a capture must be listed in KNOWN-DIFFERENCES.tsv (beside
 *    this file) with its reason, and every entry there must still be a miss: the list can neither
 *    hide a regression nor go stale.
 * 3. Over the captures whose link type we decode (Ethernet with its VLAN tags, Linux SLL/SLL2, raw
 *    IPv4/IPv6, BSD NULL/LOOP, and PPP, PKTAP, NFLOG, PPI, ARCnet, 802.11 with or without radiotap,
 *    Prism or AVS headers), we find at least
 *    {@link MIN_AGREEMENT} of tshark's distinct values of each field.
 *
 * Skipped when the shared corpus is not beside the project (`../shared/corpus/pcap`).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import type { InputError } from "../../src/core/collector.js";
import type { Observation } from "../../src/core/observation.js";
import { packageRoot } from "../../src/core/paths.js";
import { collect } from "./index.js";

const CORPUS = join(packageRoot(), "..", "shared", "corpus", "pcap");
const HAVE_CORPUS = existsSync(join(CORPUS, "ORACLE-INDEX.tsv"));
const KNOWN_FILE = join(fileURLToPath(new URL(".", import.meta.url)), "KNOWN-DIFFERENCES.tsv");

type Field = "dns" | "sni" | "quic" | "gquic" | "alpn" | "host" | "authority";
const FIELDS: readonly Field[] = ["dns", "sni", "quic", "gquic", "alpn", "host", "authority"];
/**
 * Fields held to {@link MIN_AGREEMENT}: not `authority`, whose only values in the corpus are of
 * HTTP/2 inside TLS that tshark decrypted with the keys stored in the capture (KNOWN-DIFFERENCES).
 */
const AGREEMENT_FIELDS: readonly Field[] = ["dns", "sni", "quic", "gquic", "alpn", "host"];

/** Share of tshark's distinct values per field we must find over the captures of decoded link types. */
const MIN_AGREEMENT = 0.995;

/** tshark's names (`capinfos` "File encapsulation") of the link types we decode. */
const DECODED_ENCAPSULATIONS: ReadonlySet<string> = new Set([
  "ether",
  "linux-sll",
  "linux-sll2",
  "rawip",
  "rawip4",
  "rawip6",
  "null",
  "loop",
  "ppp",
  "pktap",
  "user2",
  "nflog",
  "ppi",
  "arcnet_linux",
  "ieee-802-11",
  "ieee-802-11-radiotap",
  "ieee-802-11-prism",
  "ieee-802-11-avs",
]);

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

type Values = Record<Field, Set<string>>;
const emptyValues = (): Values => ({ dns: new Set(), sni: new Set(), quic: new Set(), gquic: new Set(), alpn: new Set(), host: new Set(), authority: new Set() });

/** tshark's distinct values per field for one capture. Columns: see the corpus README. */
function readOracle(file: string): Values {
  const out = emptyValues();
  const text = readFileSync(join(CORPUS, `${file}.oracle.tsv`), "utf8");
  const add = (set: Set<string>, cell: string | undefined): void => {
    if (!cell) return;
    for (const v of cell.split(",")) if (v !== "") set.add(v);
  };
  for (const line of text.split("\n").slice(1)) {
    if (line === "") continue;
    const c = line.split("\t");
    add(out.dns, c[2]);
    add(out.sni, c[8]);
    if ((c[10] ?? "") !== "") add(out.quic, c[8]);
    if ((c[7] ?? "").split(",").includes("1")) add(out.alpn, c[9]);
    add(out.gquic, c[11]);
    add(out.host, c[12]);
    add(out.authority, c[13]);
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

/** Our values of one observation, per field; for TLS/QUIC the name the ClientHello itself carried. */
function ourValues(o: Observation, into: Values): void {
  const add = (f: Field, v: string | undefined): void => {
    if (v !== undefined) for (const x of asOracle(f, v)) into[f].add(x);
  };
  const carried = o.resolvedFrom === undefined ? o.host : o.sni;
  if (o.kind === "dns") add("dns", o.host);
  else if (o.kind === "http") {
    // An HTTP/1 Host and an HTTP/2 :authority are both the `host` of an `http` observation.
    add("host", o.host);
    add("authority", o.host);
  }
  else if (o.kind === "tls" || o.kind === "quic") {
    add("sni", carried);
    if (o.kind === "quic") {
      add("quic", carried);
      add("gquic", carried);
    }
    for (const a of o.alpn ?? []) add("alpn", a);
  }
}

interface FileResult {
  observations: number;
  errors: InputError[];
  values: Values;
  ms: number;
}

const PER_FILE_TIMEOUT_MS = 10_000;

async function run(file: string): Promise<FileResult> {
  const t0 = performance.now();
  const errors: InputError[] = [];
  const values = emptyValues();
  let observations = 0;
  const work = (async () => {
    for await (const o of collect(join(CORPUS, file), { onError: (e) => errors.push(e) })) {
      observations++;
      ourValues(o, values);
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

interface Known {
  field: Field;
  file: string;
  value: string;
  reason: string;
}

/** KNOWN-DIFFERENCES.tsv: `field TAB file TAB value TAB reason`; `#` lines and blank lines are comments. */
function readKnown(): Known[] {
  const out: Known[] = [];
  for (const line of readFileSync(KNOWN_FILE, "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [field, file, value, reason] = line.split("\t");
    if (!FIELDS.includes(field as Field) || !file || value === undefined || !reason) throw new Error(`KNOWN-DIFFERENCES.tsv: bad line: ${line}`);
    out.push({ field: field as Field, file, value, reason });
  }
  return out;
}

describe.skipIf(!HAVE_CORPUS)("pcap collector against the tshark oracle (shared corpus)", () => {
  it("reads every capture to the end and agrees with tshark", async () => {
    const t0 = performance.now();
    const index = readIndex();
    expect(index.length).toBeGreaterThan(1000);

    const results = new Map<string, FileResult>();
    for (const row of index) results.set(row.file, await run(row.file));
    const oracles = new Map(index.map((row) => [row.file, readOracle(row.file)]));

    const knownList = readKnown();
    const known = new Map(knownList.map((k) => [`${k.field}\t${k.file}\t${k.value}`, k]));
    expect(known.size, "duplicate lines in KNOWN-DIFFERENCES.tsv").toBe(knownList.length);

    // 1. No crash, no hang: every file ended (run() would have thrown); every error names the file
    // and an offset; a file where tshark found names (other than known differences) gave
    // observations or reported why not.
    const errorKinds = new Map<string, number>();
    let filesWithErrors = 0;
    const noOffset: string[] = [];
    for (const [file, r] of results) {
      if (r.errors.length > 0) filesWithErrors++;
      for (const e of r.errors) {
        expect(e.input).toBe(join(CORPUS, file));
        expect(e.message).not.toBe("");
        if (!(Number.isInteger(e.offset) && e.offset! >= 0)) noOffset.push(`${file}: ${e.message}`);
        const kind = e.message
          .replace(/\d+/g, "N")
          .replace(/^(N of N packets skipped).*?(link type N).*$/, "$1: $2 not decoded")
          .slice(0, 90);
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
      }
    }
    const hasNames = (file: string): boolean =>
      FIELDS.some((f) => [...oracles.get(file)![f]].some((v) => !known.has(`${f}\t${file}\t${v}`)));
    const silent = index.filter((row) => {
      const r = results.get(row.file)!;
      return r.observations === 0 && r.errors.length === 0 && hasNames(row.file);
    });

    // 2. Every miss is a known difference, every known difference still a miss.
    const unexplained: string[] = [];
    const extras: string[] = [];
    const stillKnown = new Set<string>();
    const tsharkDecoded = emptyValues();
    const oursDecoded = emptyValues();
    const tsharkAll = emptyValues();
    const oursAll = emptyValues();
    for (const row of index) {
      const oracle = oracles.get(row.file)!;
      const ours = results.get(row.file)!.values;
      const decoded = DECODED_ENCAPSULATIONS.has(row.encapsulation);
      for (const f of FIELDS) {
        for (const v of oracle[f]) {
          tsharkAll[f].add(v);
          if (decoded) tsharkDecoded[f].add(v);
        }
        for (const v of ours[f]) {
          oursAll[f].add(v);
          if (decoded) oursDecoded[f].add(v);
        }
        if (f === "sni" || f === "alpn" || f === "dns" || f === "host") {
          for (const v of ours[f]) if (!oracle[f].has(v) && !(f === "sni" && oracle.gquic.has(v))) extras.push(`${f}\t${row.file}\t${v}`);
        }
        for (const v of oracle[f]) {
          if (ours[f].has(v)) continue;
          const key = `${f}\t${row.file}\t${v}`;
          if (known.has(key)) stillKnown.add(key);
          else unexplained.push(key);
        }
      }
    }

    // 3. Agreement: a value missed in one file but found in another counts as found.
    const share = (t: Set<string>, o: Set<string>): [number, number] => [[...t].filter((v) => o.has(v)).length, t.size];
    const summary: string[] = [];
    for (const f of FIELDS) {
      const [found, total] = share(tsharkDecoded[f], oursDecoded[f]);
      const [foundAll, totalAll] = share(tsharkAll[f], oursAll[f]);
      summary.push(
        `${f.padEnd(5)}: decoded link types: tshark ${total} distinct, ours found ${found} (${((100 * found) / Math.max(total, 1)).toFixed(2)}%); ` +
          `all captures: ${foundAll}/${totalAll} (${((100 * foundAll) / Math.max(totalAll, 1)).toFixed(2)}%)`,
      );
    }
    const reasons = new Map<string, number>();
    for (const k of knownList) reasons.set(k.reason, (reasons.get(k.reason) ?? 0) + 1);
    const slowest = [...results.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
    console.log(
      [
        `oracle: ${index.length} captures in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${filesWithErrors} of them reported errors`,
        ...summary,
        `known differences by reason (${knownList.length}):`,
        ...[...reasons].map(([r, n]) => `  ${n}  ${r}`),
        "reported errors by kind:",
        ...[...errorKinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n}  ${k}`),
        `slowest: ${slowest.map(([f, r]) => `${f} ${r.ms.toFixed(0)} ms`).join(", ")}`,
        `values we find that tshark does not (${extras.length}):`,
        ...extras.map((e) => `  ${e}`),
        ...(unexplained.length ? ["UNEXPLAINED MISSES:", ...unexplained.map((u) => `  ${u}`)] : []),
      ].join("\n"),
    );

    expect(noOffset, "errors without a byte offset").toEqual([]);
    expect(silent.map((row) => row.file), "captures with names in the oracle but no observation and no error").toEqual([]);
    expect(unexplained, "misses not listed in KNOWN-DIFFERENCES.tsv").toEqual([]);
    const stale = [...known.keys()].filter((k) => !stillKnown.has(k));
    expect(stale, "KNOWN-DIFFERENCES.tsv entries that are no longer misses: remove them").toEqual([]);
    for (const f of AGREEMENT_FIELDS) {
      const [found, total] = share(tsharkDecoded[f], oursDecoded[f]);
      expect(total, `${f}: tshark values in the corpus`).toBeGreaterThan(0);
      expect(found / total, `${f} agreement`).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    }
  });
});
