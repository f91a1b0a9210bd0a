/**
 * Runs the command-line program (program.ts) on this process's arguments and sets the exit code.
 * Loaded by main.ts only on a supported Node.js.
 */
import { main } from "./program.js";

// Broken pipes (`shadow-ai extract x | head`) end quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv);
