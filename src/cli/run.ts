/**
 * Runs the command-line program (program.ts) on this process's arguments and sets the exit code.
 * Loaded by main.ts only on a supported Node.js.
 */
import { main } from "./program.js";

// A reader that goes away ends output, not the work: `scan ... 2>&1 | head` must still finish the
// scan and commit it. A data command's output that nobody reads any more (`extract x | head`) ends
// the command quietly; a scan carries on without printing.
const scanning = process.argv.slice(2).includes("scan");
const closed = (stream: NodeJS.WriteStream, exitOnClose: boolean) => (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  if (exitOnClose) process.exit(process.exitCode ?? 0);
  stream.write = (() => true) as typeof stream.write;
};
process.stdout.on("error", closed(process.stdout, !scanning));
process.stderr.on("error", closed(process.stderr, false));

process.exitCode = await main(process.argv);
