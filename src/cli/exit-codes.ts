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
  /**
   * A check found problems: `signatures lint` found errors (or, with `--strict`, warnings), or
   * `signatures test` had an example that failed or a file that did not load.
   */
  CHECK_FAILED: 6,
  /** Another scan holds the database's scan lock (a crashed scan's lock goes stale after 30 s and is then taken over). */
  LOCKED: 7,
  /** A live API source has no credentials, or the API refused them (nothing was read from it). */
  AUTH: 8,
  /**
   * The runtime cannot run shadow-ai: Node.js is older than 22.14, or the native SQLite module
   * (better-sqlite3) was installed for another Node.js or platform (`npm rebuild better-sqlite3` mends it).
   */
  RUNTIME: 9,
  /** `--fail-on new-unsanctioned`: this scan found an AI system record that the previous scan did not have and that nobody sanctioned or tolerated. */
  FAIL_NEW_UNSANCTIONED: 10,
  /** `--fail-on high`: the inventory holds a high-risk (or prohibited) AI system record. */
  FAIL_HIGH: 11,
  /** `--fail-on prohibited`: the inventory holds a record classed as a prohibited practice. */
  FAIL_PROHIBITED: 12,
  /** `--fail-on agent-without-owner`: an AI agent has no owner or sponsor at its platform and nobody set an owner with `review`. */
  FAIL_AGENT_WITHOUT_OWNER: 13,
  /** `--fail-on orphaned-agent`: an enabled agent identity whose blueprint was deleted. */
  FAIL_ORPHANED_AGENT: 14,
  /** `--fail-on agent-high-privilege`: an agent holds an application permission that reads or writes all mail, files or the directory. */
  FAIL_AGENT_HIGH_PRIVILEGE: 15,
  /** `--fail-on mcp-plaintext-secret`: an MCP server configuration on an endpoint holds a literal credential (`scan endpoints`). */
  FAIL_MCP_PLAINTEXT_SECRET: 16,
  /** `--fail-on mcp-plain-http`: a remote MCP server is reached over plain HTTP (not loopback). */
  FAIL_MCP_PLAIN_HTTP: 17,
  /** `--fail-on mcp-unpinned`: an MCP server runs a package without an exact version (`npx -y pkg`, `@latest`). */
  FAIL_MCP_UNPINNED: 18,
  /** `--fail-on mcp-broad-access`: an MCP server has a shell or the whole file system (`/`, a drive, a home directory). */
  FAIL_MCP_BROAD_ACCESS: 19,
  /**
   * `remediate apply`: the plan was altered after it was made, or the inventory facts it acts on
   * changed since (make a new plan); nothing was sent.
   */
  PLAN_REFUSED: 24,
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

/** One line per exit code, for `--help` (README.md's table says more). */
export const EXIT_CODE_HELP: readonly [number, string][] = [
  [0, "done"],
  [1, "internal error (a bug)"],
  [2, "bad usage, configuration or signature file"],
  [3, "some inputs (or remediation items) failed; the rest was done"],
  [4, "database cannot be opened, does not exist, or is not ours"],
  [5, "a query found nothing"],
  [6, "signatures lint/test found problems"],
  [7, "another scan holds the scan lock"],
  [8, "missing or refused credentials"],
  [9, "unsupported Node.js, or the SQLite module built for another one"],
  [10, "--fail-on new-unsanctioned"],
  [11, "--fail-on high"],
  [12, "--fail-on prohibited"],
  [13, "--fail-on agent-without-owner"],
  [14, "--fail-on orphaned-agent"],
  [15, "--fail-on agent-high-privilege"],
  [16, "--fail-on mcp-plaintext-secret"],
  [17, "--fail-on mcp-plain-http"],
  [18, "--fail-on mcp-unpinned"],
  [19, "--fail-on mcp-broad-access"],
  [24, "remediate apply: plan altered or its facts changed"],
  [130, "scan stopped by Ctrl-C (143: SIGTERM); what was read is kept"],
];
