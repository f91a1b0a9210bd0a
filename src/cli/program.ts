/**
 * The command-line program: the command tree and the mapping of errors to exit codes. run.ts
 * runs it (loaded by main.ts once the runtime is known to be supported); tests build it in process.
 * shadow-ai finds the AI services an organisation really uses and keeps an auditable,
 * EU AI Act-classified inventory of them. Entry point: parses arguments (commander) and maps
 * errors to the documented exit codes (src/cli/exit-codes.ts).
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../core/paths.js";
import { CliError, EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { registerEvidence } from "./evidence.js";
import { registerExtract } from "./extract.js";
import { registerHistory } from "./history.js";
import { registerInventory } from "./inventory.js";
import { registerQuery } from "./query.js";
import { registerRemediate } from "./remediate.js";
import { registerReview } from "./review.js";
import { registerScan } from "./scan.js";
import { registerCollectEndpoint } from "./collect-endpoint.js";
import { registerSeats } from "./seats.js";
import { registerSignatures } from "./signatures.js";
import { registerSources } from "./sources.js";
import { redact } from "../io/redact.js";
import { safeText } from "./terminal.js";

const version = (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;

/** Build the command tree. Global options (`--db`, `--config`) go before the command. */
export function buildProgram(): Command {
  const program = new Command("shadow-ai")
    .description("Find the AI services your organisation uses and keep an EU AI Act-classified inventory.")
    .version(version)
    .option("--db <path>", "inventory database (default: $SHADOW_AI_DB or ./shadow-ai.db)")
    .option("--config <file>", "configuration file (default: ./shadow-ai.yaml if present)")
    .showHelpAfterError()
    .exitOverride()
    .addHelpText("after", `\nExit codes:\n${EXIT_CODE_HELP.map(([c, d]) => `  ${String(c).padStart(2)}  ${d}`).join("\n")}\n`);
  registerScan(program);
  registerCollectEndpoint(program);
  registerExtract(program);
  registerInventory(program);
  registerEvidence(program);
  registerQuery(program);
  registerReview(program);
  registerRemediate(program);
  registerHistory(program);
  registerSignatures(program);
  registerSources(program);
  registerSeats(program);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Run the program on `argv` (as `process.argv`: node, script, arguments) and return the exit code;
 * errors become a one-line message on stderr and their documented code (exit-codes.ts).
 */
export async function main(argv: string[]): Promise<number> {
  // The database, its WAL and SHM, the scan lock and every export name people and what they use:
  // whatever this process creates is readable by its owner only, whatever the caller's umask.
  process.umask(0o077);
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every other commander error is bad usage
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`shadow-ai: ${safeText(redact(e.message))}\n`);
      return e.exitCode;
    }
    process.stderr.write(`shadow-ai: internal error: ${safeText(redact((e as Error)?.stack ?? String(e))).replace(/\\x0a/g, "\n")}\n`);
    return EXIT.INTERNAL;
  }
}

