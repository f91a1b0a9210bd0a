/**
 * Which Node.js shadow-ai runs on, and the one-line messages for a runtime it cannot use.
 * Kept free of imports so that `main.ts` can load it on any Node.js, supported or not.
 */

/** The oldest supported Node.js as [major, minor]: 22.14 (better-sqlite3 13 and Node-API 10 need it). */
export const MIN_NODE: readonly [number, number] = [22, 14];

/** The Node.js major we build, test and recommend: 24, the active LTS. */
export const RECOMMENDED_NODE_MAJOR = 24;

/** Exit code for an unsupported runtime or an unloadable native module (EXIT.RUNTIME in exit-codes.ts). */
export const RUNTIME_EXIT = 9;

/**
 * The message for an unsupported Node.js version, or undefined when `version` ("24.21.0", as in
 * `process.versions.node`) is at least MIN_NODE.
 */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const [minMajor, minMinor] = MIN_NODE;
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  return `Node.js ${minMajor}.${minMinor} or later is required (${RECOMMENDED_NODE_MAJOR} recommended); this is Node.js ${version}`;
}

/**
 * Recognise the error better-sqlite3 throws when its native addon cannot be loaded in this process
 * (built for another Node.js ABI, another platform, or missing), and turn it into a one-line
 * message that says how to repair the install. Returns undefined for any other error.
 */
export function nativeModuleProblem(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const msg = String(err?.message ?? "");
  const isLoad =
    err?.code === "ERR_DLOPEN_FAILED" ||
    /NODE_MODULE_VERSION|was compiled against a different Node\.js|Could not locate the bindings file|invalid ELF header|wrong ELF class|\.node: cannot open shared object|Module did not self-register|No native build was found/i.test(msg);
  if (!isLoad) return undefined;
  return (
    `the SQLite module (better-sqlite3) cannot be loaded by Node.js ${process.versions.node}: it was installed for another Node.js or platform; ` +
    `run \`npm rebuild better-sqlite3\` (or \`npm ci\`) with this Node.js`
  );
}
