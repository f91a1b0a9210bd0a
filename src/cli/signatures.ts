/**
 * `signatures list | show ID | lint | test | match VALUE...`: the catalogue, for people and scripts.
 * Every sub-command reads the bundled catalogue plus the configuration's `signatures.extraDirs`.
 */
import { relative, isAbsolute } from "node:path";
import type { Command } from "commander";
import type { Finding } from "../core/finding.js";
import { lintSignatures, testExamples, type LintProblem } from "../match/lint.js";
import { bundledSignatureDir } from "../match/load.js";
import { splitTarget, type MatchInput } from "../match/matcher.js";
import { suspect, type Suspicion } from "../match/suspect.js";
import { catalogue, config, printJson, type GlobalOptions } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { cell, table } from "./terminal.js";

/** How `signatures match` reads a value; `auto` tries every reading that fits and keeps the strongest match. */
export const VALUE_KINDS = ["auto", "host", "url", "client-id", "app-id", "app-name", "publisher", "user-agent"] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOSTLIKE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+\.?(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * The observation fields a value is read as. `auto`: a URL gives its host and path; a GUID is an
 * Entra app ID; a host-like value a host; any value without spaces an OAuth client ID; every value
 * an app name, a publisher and a user agent. The matcher's ranking (client ID > app ID > host >
 * publisher > app name > user agent) then decides.
 */
export function readValue(value: string, kind: ValueKind = "auto"): MatchInput {
  const v = value.trim();
  switch (kind) {
    case "host":
      return { host: v };
    case "url": {
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
    case "auto":
      break;
  }
  const input: MatchInput = { appName: v, publisher: v, userAgent: v };
  if (!/\s/.test(v)) input.clientId = v;
  if (GUID.test(v)) input.appId = v;
  if (v.includes("://") || HOSTLIKE.test(v) || (/^[^\s/]+\.[^\s/]+\//.test(v) && !/\s/.test(v))) {
    const t = splitTarget(v);
    if (t.host) input.host = t.host;
    if (t.path) input.path = t.path;
  } else if (v.startsWith("/")) {
    input.path = v;
  }
  return input;
}

/** One row of `signatures match --json`. */
export interface MatchRow {
  value: string;
  match: { id: string; name: string; field: Finding["field"]; matched: string; confidence: number } | null;
  suspected: Suspicion | null;
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
 * Register `signatures list | show | lint | test | match`.
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
        process.stdout.write(table(["ID", "Name", "Vendor", "Category", "EU AI Act", "Domains"], list.map((s) => [s.id, s.name, s.vendor, s.category, s.tier, s.domains])) + "\n");
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
          const rows = r.problems.map((p: LintProblem) => [p.severity, p.code, shownCell(p.file), p.field, p.message]);
          process.stdout.write(table(["Severity", "Code", "File", "Field", "Problem"], rows, [8, 24, 50, 28, 160]) + "\n");
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
    .command("match")
    .description("which service each value matches (host, URL, OAuth client ID, Entra app ID, app name, publisher or user agent), or why it looks like AI")
    .argument("<values...>", "values to match")
    .option("--as <kind>", `read every value as one kind: ${VALUE_KINDS.join(", ")}`, "auto")
    .option("--json", "print JSON")
    .action((values: string[], opts: { json?: boolean; as: string }, cmd: Command) => {
      if (!(VALUE_KINDS as readonly string[]).includes(opts.as)) throw new CliError(`--as must be one of ${VALUE_KINDS.join(", ")}`, EXIT.USAGE);
      const { matcher, services } = catalogue(cmd.optsWithGlobals<GlobalOptions>());
      const rows: MatchRow[] = values.map((value) => {
        const input = readValue(value, opts.as as ValueKind);
        const f = matcher.match(input);
        if (f) {
          const s = services.get(f.serviceId)!;
          return { value, match: { id: s.id, name: s.name, field: f.field, matched: f.matched, confidence: f.confidence }, suspected: null };
        }
        // auto: a host or URL is judged as a host (and path) only; `Product/1.2 ...` as a user agent first;
        // anything else as an app name, then a user agent
        const sus =
          opts.as === "publisher"
            ? suspect({ appName: input.publisher })
            : opts.as !== "auto"
              ? suspect(input)
              : input.host || input.path
                ? suspect({ host: input.host, path: input.path })
                : /^[A-Za-z][\w.-]*\/[\w.]/.test(value.trim())
                  ? (suspect({ userAgent: input.userAgent }) ?? suspect({ appName: input.appName }))
                  : (suspect({ appName: input.appName }) ?? suspect({ userAgent: input.userAgent }));
        return { value, match: null, suspected: sus ?? null };
      });
      if (opts.json) printJson(rows);
      else {
        const out = rows.map((r) =>
          r.match
            ? [r.value, r.match.id, `${r.match.field}: ${r.match.matched}`, r.match.confidence]
            : r.suspected
              ? [r.value, "suspected", `${r.suspected.reason} (key ${r.suspected.key})`, ""]
              : [r.value, "-", "no match", ""],
        );
        process.stdout.write(table(["Value", "Service", "Matched by", "Confidence"], out, [60, 30, 90, 10]) + "\n");
      }
      if (rows.every((r) => !r.match && !r.suspected)) process.exitCode = EXIT.NOT_FOUND;
    });
}
