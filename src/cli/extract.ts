/**
 * `extract FILE...`: print the observations a capture, saved API export or log yields, one JSON
 * object per line, and store nothing. Each file goes to the source whose detector recognises its
 * content (src/pipeline/route.ts, the same detector `scan` uses). For captures each line carries
 * `frame` (1-based, as tshark's `frame.number`), `time`, `kind`, `host`, `client`, `server` and,
 * where known, `alpn`, `qtype`, `answers`, `userAgent`. Errors go to stderr (with `--json`, as JSON
 * lines there too); the exit code is 3 when an input failed.
 */
import type { Command } from "commander";
import type { InputError } from "../core/collector.js";
import type { Observation } from "../core/observation.js";
import { sources } from "../../collectors/registry.js";
import { readJsonFile } from "../io/json-file.js";
import { expandInputs } from "../pipeline/inputs.js";
import { routeFile } from "../pipeline/route.js";
import { config, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { formatError } from "./scan.js";

/** The JSON line for one observation: `frame` and `offset` hoisted next to the fields tshark shows. */
export function extractLine(o: Observation): string {
  const { ref, ...rest } = o;
  return JSON.stringify({ frame: ref.frame, ...rest, ref });
}

/** Add `extract FILE...` to the program. */
export function registerExtract(program: Command): void {
  program
    .command("extract")
    .description("print the observations in captures, saved API exports or logs as JSON lines; store nothing")
    .argument("<files...>", "captures (pcap, pcapng), saved Google/Microsoft API responses (JSON) or logs")
    .option("--json", "JSON lines on stdout (the default; accepted so that every data command takes --json), errors as JSON lines on stderr")
    .action(async (inputs: string[], opts: { json?: boolean }, cmd: Command) => {
      const cfg = config(cmd.optsWithGlobals<GlobalOptions>());
      const errors: InputError[] = [];
      const ctx = {
        onError(e: InputError) {
          errors.push(e);
          process.stderr.write(opts.json ? `${JSON.stringify({ error: e })}\n` : `shadow-ai: ${formatError(e)}\n`);
        },
      };
      const { files, problems } = expandInputs(inputs);
      for (const p of problems) ctx.onError({ input: p.path, message: p.reason, partial: false });
      const out = process.stdout;
      const write = async (line: string) => {
        if (!out.write(line)) await new Promise((r) => out.once("drain", r));
      };
      for (const f of files) {
        const route = await routeFile(f, sources());
        if (!route.source) {
          // JSON that no source claims: say what is wrong with it, as `scan` would (invalid JSON at line N)
          if (route.reason.startsWith("JSON")) {
            const ok = await readJsonFile(f, ctx);
            if (!ok) continue;
          }
          ctx.onError({ input: f, offset: 0, message: route.reason, partial: false });
          continue;
        }
        const source = route.source;
        try {
          const items = source.collect([f], { ...ctx, settings: source.settings ? cfg.settings[source.settings.key] : undefined, options: {} });
          for await (const item of items) {
            for (const o of Array.isArray(item) ? item : [item as Observation]) await write(extractLine(o) + "\n");
          }
        } catch (e) {
          ctx.onError({ input: f, message: `unexpected error: ${(e as Error).message}`, partial: true });
        }
      }
      if (errors.length > 0) process.exitCode = EXIT.INPUT_ERRORS;
    });
}
