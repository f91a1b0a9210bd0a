/**
 * Process exit codes. Stable: cron jobs, systemd units and CI pipelines depend on them, and
 * README.md documents them.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** An unexpected internal error (a bug): the message and stack go to stderr. */
  INTERNAL: 1,
  /** Bad usage: unknown command or option, missing argument, invalid configuration file. */
  USAGE: 2,
  /** Some inputs failed (corrupt or truncated capture, unreadable export); the others were scanned and stored. */
  INPUT_ERRORS: 3,
  /** The database cannot be opened, is not a shadow-ai database, or is locked by another writer. */
  DATABASE: 4,
  /** A query found nothing (e.g. `query user` for a user with no AI use). */
  NOT_FOUND: 5,
} as const;

/** An error that ends the command with a given exit code and a one-line message (no stack). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}
