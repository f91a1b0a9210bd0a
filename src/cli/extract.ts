/**
 * `extract FILE...`: print the observations a capture (or saved API export) yields, one JSON object
 * per line, and store nothing. For captures each line carries `frame` (1-based, as tshark's
 * `frame.number`), `time`, `kind`, `host`, `client`, `server` and, where known, `alpn`, `qtype`,
 * `answers`, `userAgent`. Errors go to stderr; the exit code is 3 when an input failed.
 */
import type { Command } from "commander";
import type { InputError } from "../core/collector.js";
import type { Observation } from "../core/observation.js";
import { config, expandInputs, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { formatError } from "./scan.js";
import { SOURCES } from "./sources.js";
import { sniffFormat } from "./sniff.js";

/** The JSON line for one observation: `frame` and `offset` hoisted next to the fields tshark shows. */
export function extractLine(o: Observation): string {
  const { ref, ...rest } = o;
  return JSON.stringify({ frame: ref.frame, ...rest, ref });
}

/** Add `extract FILE...` to the program. */
export function registerExtract(program: Command): void {
  program
    .command("extract")
    .description("print the observations in captures or saved exports as JSON lines; store nothing")
    .argument("<files...>", "captures (pcap, pcapng) or saved Google/Microsoft API responses (JSON)")
    .action(async (inputs: string[], _opts: unknown, cmd: Command) => {
      const cfg = config(cmd.optsWithGlobals<GlobalOptions>());
      const errors: InputError[] = [];
      const ctx = {
        onError(e: InputError) {
          errors.push(e);
          process.stderr.write(`shadow-ai: ${formatError(e)}\n`);
        },
      };
      const { files, missing } = expandInputs(inputs);
      for (const m of missing) ctx.onError({ input: m, message: "no such file or directory", partial: false });
      const out = process.stdout;
      const write = async (line: string) => {
        if (!out.write(line)) await new Promise((r) => out.once("drain", r));
      };
      for (const f of files) {
        const format = await sniffFormat(f);
        const source =
          format === "capture" ? SOURCES.pcap : format === "google" ? SOURCES["google-export"] : format === "microsoft" ? SOURCES["microsoft-export"] : undefined;
        if (!source) {
          ctx.onError({ input: f, offset: 0, message: "not a capture (pcap/pcapng magic) nor a Google/Microsoft API response (JSON)", partial: false });
          continue;
        }
        try {
          for await (const item of source.collect([f], ctx, { config: cfg })) {
            for (const o of Array.isArray(item) ? item : [item as Observation]) await write(extractLine(o) + "\n");
          }
        } catch (e) {
          ctx.onError({ input: f, message: `unexpected error: ${(e as Error).message}`, partial: true });
        }
      }
      if (errors.length > 0) process.exitCode = EXIT.INPUT_ERRORS;
    });
}
