/**
 * `signatures list | show ID | lint | test | stats | match VALUE... | export --format F`: the catalogue, for people and scripts.
 * Every sub-command reads the bundled catalogue plus the configuration's `signatures.extraDirs`.
 */
import { relative, isAbsolute } from "node:path";
import type { Command } from "commander";
import { SUSPECTED_PREFIX, type Finding } from "../core/finding.js";
import type { AIService } from "../core/service.js";
import { lintSignatures, testExamples, type LintProblem } from "../match/lint.js";
import { bundledSignatureDir } from "../match/load.js";
import { splitTarget, type Matcher, type MatchInput } from "../match/matcher.js";
import { catalogueStats } from "../match/stats.js";
import { suspect, type Suspicion } from "../match/suspect.js";
import { catalogue, config, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { cell, table } from "./terminal.js";
import { tierLabel, tierRank } from "../core/tier-label.js";
import { EXPORT_FORMATS, exportCatalogue, type ExportFormat } from "../catalogue/export.js";
import { writeFileSync } from "node:fs";

/** What `signatures match` reads a value as: `--as`, or found from its shape ({@link valueKind}). */
export const VALUE_KINDS = ["host", "app-id", "client-id", "app-name", "publisher", "user-agent"] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * A Google OAuth client ID: `<project number>-<32 letters and digits>.apps.googleusercontent.com`
 * (https://developers.google.com/identity/protocols/oauth2), the older `<number>.apps.googleusercontent.com`,
 * or the bare number that Directory API tokens give some clients
 * (https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens).
 */
const GOOGLE_CLIENT_ID = /^\d{4,30}(-[a-z0-9_]{1,64})?\.apps\.googleusercontent\.com$|^\d{6,30}$/i;
/** A DNS name (at least two labels) or an IP address, with an optional port. */
const HOSTLIKE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+\.?(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;
/** A user agent's first product token: `OpenAI/Python 1.52.0`, `ChatGPT/1.2025.105 (iOS 18.4)`, `curl/8.0`. */
const USER_AGENT = /^[A-Za-z][\w.!#$%&'*+^`|~-]*\/[\w.]/;

/**
 * The kind of a value by its shape: a URL, host name, IP address or `host/path` is a host; a GUID
 * an Entra app ID; a Google client ID shape a client ID; a product token (`Name/1.2 ...`) a user
 * agent; anything else an app name. A client ID, though shaped like a host, is a client ID.
 */
export function valueKind(value: string): ValueKind {
  const v = value.trim();
  if (GOOGLE_CLIENT_ID.test(v)) return "client-id";
  if (GUID.test(v)) return "app-id";
  if (/\s/.test(v)) return USER_AGENT.test(v) && !v.includes("://") ? "user-agent" : "app-name";
  if (v.includes("://") || HOSTLIKE.test(v) || /^[^/]+\.[^/]+\//.test(v)) return "host";
  if (USER_AGENT.test(v)) return "user-agent";
  return "app-name";
}

/** The observation fields a value of `kind` fills: a host value gives its host and path (never an app name). */
export function readValue(value: string, kind: ValueKind = valueKind(value)): MatchInput {
  const v = value.trim();
  switch (kind) {
    case "host": {
      const t = splitTarget(v);
      return { ...(t.host ? { host: t.host } : {}), ...(t.path ? { path: t.path } : {}) };
    }
    case "client-id":
      return { clientId: v };
    case "app-id":
      return { appId: v };
    case "app-name":
      return { appName: v };
    case "publisher":
      return { publisher: v };
    case "user-agent":
      return { userAgent: v };
  }
}

/** One row of `signatures match --json`: the value, the kind it was read as, and what it matched or why it looks like AI. */
export interface MatchRow {
  value: string;
  as: ValueKind;
  match: { id: string; name: string; field: Finding["field"]; matched: string; confidence: number } | null;
  suspected: (Suspicion & { claimed?: string }) | null;
}

/** Match one value read as `kind`: only the rules of that kind (a host never borrows a brand's app name). */
export function matchValue(value: string, kind: ValueKind, matcher: Matcher, services: ReadonlyMap<string, AIService>): MatchRow {
  const input = readValue(value, kind);
  const f = matcher.match(input);
  if (f && f.field !== "suspected") {
    const s = services.get(f.serviceId)!;
    return { value, as: kind, match: { id: s.id, name: s.name, field: f.field, matched: f.matched, confidence: f.confidence }, suspected: null };
  }
  if (f) {
    const key = f.serviceId.slice(SUSPECTED_PREFIX.length);
    return { value, as: kind, match: null, suspected: { key, reason: f.matched, via: "appName", ...(f.claimed ? { claimed: f.claimed } : {}) } };
  }
  const sus =
    kind === "host" ? suspect({ host: input.host, path: input.path })
    : kind === "app-name" ? suspect({ appName: input.appName })
    : kind === "publisher" ? suspect({ appName: input.publisher })
    : kind === "user-agent" ? suspect({ userAgent: input.userAgent })
    : undefined;
  return { value, as: kind, match: null, suspected: sus ?? null };
}

/** A path shown relative to the working directory when it is inside it. */
function shown(file: string): string {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : file;
}

/** {@link shown}, cut from the left to fit a table column, so the file name stays visible. */
function shownCell(file: string, width = 50): string {
  const s = shown(file);
  return s.length > width ? `…${s.slice(s.length - width + 1)}` : s;
}

function signatureDirs(g: GlobalOptions): string[] {
  return [bundledSignatureDir(), ...config(g).signatures.extraDirs];
}

/**
 * Register `signatures list | show | lint | test | stats | match | export`.
 * Exit codes: 0 done; 2 bad usage or (list, show, match) an invalid signature file; 5 `show` of an
 * unknown id, or `match` where no value matched or was suspected; 6 `lint` found errors (or
 * warnings with `--strict`), or `test` had a failing example or a file that did not load.
 */
export function registerSignatures(program: Command): void {
  const sig = program.command("signatures").description("the AI service catalogue");

  sig
    .command("list")
    .description("list every signature")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { signatures } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const list = signatures.map(({ service: s }) => ({
        id: s.id, name: s.name, vendor: s.vendor, category: s.category, tier: s.euAiAct.tier, domains: s.match.domains.length, file: s.file,
      }));
      if (opts.json) printJson(list);
      else {
        process.stdout.write(table(
            [{ header: "ID", keep: true }, { header: "EU AI Act", keep: true }, { header: "Domains", keep: true, right: true }, { header: "Name", min: 10, max: 32, priority: 1 }, { header: "Category", min: 8, max: 24, priority: 2, optional: true }, { header: "Vendor", min: 8, max: 32, priority: 3, optional: true }],
            [...list].sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.name.localeCompare(b.name, "en", { sensitivity: "base" })).map((s) => [s.id, tierLabel(s.tier), s.domains, s.name, s.category, s.vendor]),
          ) + "\n");
        process.stdout.write(`${list.length} signature(s)\n`);
      }
    });

  sig
    .command("show")
    .description("show one signature")
    .argument("<id>", "signature id")
    .option("--json", "print JSON")
    .action((id: string, opts: { json?: boolean }, cmd: Command) => {
      const { signatures } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const found = signatures.find((s) => s.service.id === id);
      if (!found) throw new CliError(`no signature with id "${id}"`, EXIT.NOT_FOUND);
      const s = found.service;
      if (opts.json) return printJson({ ...found.raw, file: s.file });
      const lines = [
        `${s.name} (${s.id})`,
        `  vendor:      ${s.vendor}${s.vendorFacts.hqCountry ? ` (${s.vendorFacts.hqCountry})` : ""}`,
        `  category:    ${s.category}`,
        `  EU AI Act:   ${s.euAiAct.tier} — ${s.euAiAct.articles.join(", ")}`,
        `  rationale:   ${s.euAiAct.rationale.trim()}`,
        `  domains:     ${s.match.domains.join(", ") || "-"}`,
        `  client IDs:  ${s.match.oauthClientIds.join(", ") || "-"}`,
        `  Entra apps:  ${s.match.entraAppIds.join(", ") || "-"}`,
        `  publishers:  ${s.match.publishers.join(", ") || "-"}`,
        `  app names:   ${s.match.appNamePatterns.join("  ") || "-"}`,
        `  user agents: ${s.match.userAgents.join("  ") || "-"}`,
        ...(found.raw.overrides.length ? [`  overrides:   ${found.raw.overrides.join(", ")}`] : []),
        `  trains on customer data: ${s.vendorFacts.trainsOnCustomerData ?? "unknown"}`,
        `  references:  ${s.references.join(" ")}`,
        `  validated:   ${s.lastValidated}   file: ${s.file}`,
      ];
      process.stdout.write(lines.map((l) => cell(l, 400)).join("\n") + "\n");
    });

  sig
    .command("lint")
    .description("check every signature file: schema, duplicates, overlapping domains, cross-talk, dead fields")
    .option("--json", "print JSON")
    .option("--strict", "fail on warnings too")
    .action((opts: { json?: boolean; strict?: boolean }, cmd: Command) => {
      const r = lintSignatures(signatureDirs(cmd.optsWithGlobals<GlobalOptions>()));
      const errors = r.problems.filter((p) => p.severity === "error").length;
      const warnings = r.problems.length - errors;
      if (opts.json) {
        printJson({ files: r.files.length, signatures: r.signatures.length, errors, warnings, problems: r.problems.map((p) => ({ ...p, file: shown(p.file) })) });
      } else {
        if (r.problems.length > 0) {
          const rows = r.problems.map((p: LintProblem) => [p.severity, p.code, shown(p.file), p.field, p.message]);
          process.stdout.write(table([{ header: "Severity", keep: true }, { header: "Code", min: 12, max: 24, priority: 1 }, { header: "File", min: 16, max: 50, cutStart: true, priority: 2 }, { header: "Field", min: 8, max: 28, priority: 3, optional: true }, { header: "Problem", min: 24, max: 160, wrap: true }], rows) + "\n");
        }
        process.stdout.write(`${r.files.length} file(s): ${errors} error(s), ${warnings} warning(s)\n`);
      }
      if (errors > 0 || (opts.strict && warnings > 0)) process.exitCode = EXIT.CHECK_FAILED;
    });

  sig
    .command("test")
    .description("run every signature's examples against the full catalogue index")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }, cmd: Command) => {
      const r = lintSignatures(signatureDirs(cmd.optsWithGlobals<GlobalOptions>()));
      // A file that does not load cannot run its examples: it fails the test too.
      const invalid = r.problems.filter((p) => p.severity === "error" && ["io", "yaml", "schema", "id-without-source", "id-mismatch", "duplicate-id"].includes(p.code));
      const t = testExamples(r.signatures);
      const failed = t.failures.length + invalid.length;
      if (opts.json) {
        printJson({
          signatures: r.signatures.length,
          examples: t.examples,
          failed,
          failures: t.failures.map((f) => ({ ...f, file: shown(f.file) })),
          invalidFiles: invalid.map((p) => ({ ...p, file: shown(p.file) })),
        });
      } else {
        const rows = [
          ...invalid.map((p) => [shownCell(p.file), p.field, "", `not loaded: ${p.message}`]),
          ...t.failures.map((f) => [shownCell(f.file), f.field, JSON.stringify(f.example), f.message]),
        ];
        if (rows.length > 0) process.stdout.write(table(["File", "Example", "Value", "Failure"], rows, [50, 20, 60, 120]) + "\n");
        const badFiles = new Set(invalid.map((p) => p.file)).size;
        process.stdout.write(`${r.signatures.length} signature(s), ${t.examples} example(s): ${t.failures.length} example(s) failed, ${badFiles} file(s) not loaded\n`);
      }
      if (failed > 0) process.exitCode = EXIT.CHECK_FAILED;
    });

  sig
    .command("stats")
    .description("the catalogue in numbers: services and domains per category, sources per signature, oldest lastValidated, totals")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { signatures } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const st = catalogueStats(signatures);
      if (opts.json) return printJson(st);
      const t = st.totals;
      const rows = st.categories.map((c) => [c.category, c.services, c.domains, c.ids]);
      rows.push(["total", t.services, t.domains, t.ids]);
      const r = st.references;
      const o = st.oldestValidated;
      const ids = o ? o.ids.join(", ") : "";
      const lines = [
        `${t.services} services, ${t.domains} domains, ${t.ids} IDs (${t.clientIds} OAuth client, ${t.appIds} Entra app),`,
        `${t.publishers} publishers, ${t.appNamePatterns} app-name patterns, ${t.userAgents} user-agent hints`,
        `references per signature: min ${r.min}, median ${r.median}, max ${r.max} (${r.total} in all);`,
        `${st.vendorReferenced} of ${t.services} signatures cite the vendor's own material`,
        o ? `oldest lastValidated: ${o.date}, ${o.count} signature(s): ${ids.length > 50 ? `${ids.slice(0, 49)}…` : ids}` : "no signatures",
      ];
      // category names come from the schema's fixed list, numbers are ours: the table fits 100 columns
      process.stdout.write(table(["Category", "Services", "Domains", "IDs"], rows, [24, 8, 8, 6]) + "\n");
      process.stdout.write(lines.map((l) => cell(l, 100)).join("\n") + "\n");
    });

  sig
    .command("match")
    .description("which service each value matches, read by its shape: host or URL (host rules only), GUID (Entra app ID), Google client ID, user agent (Name/1.0 ...), else app name; or why it looks like AI")
    .argument("<values...>", "values to match")
    .option("--as <kind>", `read every value as one kind: ${VALUE_KINDS.join(", ")}`)
    .option("--json", "print JSON")
    .action((values: string[], opts: { json?: boolean; as?: string }, cmd: Command) => {
      if (opts.as !== undefined && !(VALUE_KINDS as readonly string[]).includes(opts.as)) throw new CliError(`--as must be one of ${VALUE_KINDS.join(", ")}`, EXIT.USAGE);
      const { matcher, services } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const rows = values.map((value) => matchValue(value, (opts.as as ValueKind | undefined) ?? valueKind(value), matcher, services));
      if (opts.json) printJson(rows);
      else {
        const out = rows.map((r) =>
          r.match
            ? [r.value, r.as, r.match.id, `${r.match.field}: ${r.match.matched}`, r.match.confidence]
            : r.suspected
              ? [r.value, r.as, "suspected", `${r.suspected.reason} (key ${r.suspected.key})`, ""]
              : [r.value, r.as, "-", "no match", ""],
        );
        process.stdout.write(table(["Value", "As", "Service", "Matched by", "Confidence"], out, [60, 10, 30, 90, 10]) + "\n");
      }
      if (rows.every((r) => !r.match && !r.suspected)) process.exitCode = EXIT.NOT_FOUND;
    });

  sig
    .command("export")
    .description("the catalogue's domains, with service, vendor, category, EU AI Act tier and catalogue version and hash, as a SIEM table or Sigma rules (README: Push-down to a SIEM)")
    .requiredOption("--format <format>", EXPORT_FORMATS.join(", "))
    .option("--out <file>", "write to this file (default: standard output)")
    .option("--index <name>", "elastic-lookup: the lookup index the bulk actions name", "shadow-ai-catalogue")
    .option("--placeholder <name>", "sigma: two rules on %name% instead of the values; sigma-pipeline: the variable (default shadow_ai_domains)")
    .action((opts: { format: string; out?: string; index: string; placeholder?: string }, cmd: Command) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format: "${opts.format}" is not one of ${EXPORT_FORMATS.join(", ")}`, EXIT.USAGE);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { signatures, matcher } = catalogue(g);
      let text: string;
      try {
        text = exportCatalogue(opts.format as ExportFormat, { signatures, matcher, dirs: signatureDirs(g) }, { index: opts.index, ...(opts.placeholder !== undefined ? { placeholder: opts.placeholder } : {}) });
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.USAGE);
      }
      if (!opts.out) return void process.stdout.write(text);
      try {
        writeFileSync(opts.out, text);
      } catch (e) {
        throw new CliError(`${opts.out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.USAGE);
      }
    });
}
