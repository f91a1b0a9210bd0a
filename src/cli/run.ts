/**
 * The command-line program proper (loaded by main.ts once the runtime is known to be supported):
 * shadow-ai finds the AI services an organisation really uses and keeps an auditable,
 * EU AI Act-classified inventory of them. Entry point: parses arguments (commander) and maps
 * errors to the documented exit codes (src/cli/exit-codes.ts).
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../core/paths.js";
import { CliError, EXIT } from "./exit-codes.js";
import { registerExtract } from "./extract.js";
import { registerHistory } from "./history.js";
import { registerInventory } from "./inventory.js";
import { registerQuery } from "./query.js";
import { registerReview } from "./review.js";
import { registerScan } from "./scan.js";
import { registerSignatures } from "./signatures.js";
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
    .exitOverride();
  registerScan(program);
  registerExtract(program);
  registerInventory(program);
  registerQuery(program);
  registerReview(program);
  registerHistory(program);
  registerSignatures(program);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return program;
}

async function main(argv: string[]): Promise<number> {
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

// Broken pipes (`shadow-ai extract x | head`) end quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv);
