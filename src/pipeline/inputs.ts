/**
 * Turning the paths a user gives into the files a source reads. A scheduled scan runs over
 * directories it does not control: an entry that cannot be read, a symbolic link that loops or
 * dangles, and anything that is not a regular file (FIFO, socket, device) is reported with its
 * path and reason and skipped; the other files are still read. A FIFO or device is never opened,
 * so it can neither hang a scan nor feed it endless data.
 */
import { readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";

/** A path that was not read, and why. */
export interface InputProblem {
  path: string;
  reason: string;
}

/** Why a stat failed, in words. */
function statReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "no such file or directory (or a dangling symbolic link)";
    case "ELOOP":
      return "symbolic link loop";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENAMETOOLONG":
      return "path too long";
    case "ENOTDIR":
      return "a path component is not a directory";
    default:
      return `cannot read: ${e.code ?? e.message}`;
  }
}

/** What a non-regular file is, for messages. */
function specialKind(st: Stats): string | undefined {
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return undefined;
}

/**
 * Expand inputs: a regular file stays itself; a directory gives its regular files whose names
 * `accept` takes (sorted, hidden entries skipped), and with `recursive` those of its
 * subdirectories too (each real directory once, so link loops end). Problems never throw.
 * @returns the files to read, in order, and every path skipped with its reason.
 */
export function expandInputs(
  inputs: readonly string[],
  accept: (name: string) => boolean = () => true,
  options: { recursive?: boolean } = {},
): { files: string[]; problems: InputProblem[] } {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      problems.push({ path: dir, reason: statReason(e as NodeJS.ErrnoException) });
      return;
    }
    if (seenDirs.has(real)) {
      if (depth > 0) problems.push({ path: dir, reason: `directory already read (a symbolic link loop back to ${real})` });
      return;
    }
    seenDirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      problems.push({ path: dir, reason: statReason(e as NodeJS.ErrnoException) });
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const full = join(dir, name);
      let st: Stats;
      try {
        st = statSync(full);
      } catch (e) {
        if (accept(name)) problems.push({ path: full, reason: statReason(e as NodeJS.ErrnoException) });
        continue;
      }
      if (st.isDirectory()) {
        if (options.recursive && depth < 32) walk(full, depth + 1);
        continue;
      }
      if (!accept(name)) continue;
      const special = specialKind(st);
      if (special) problems.push({ path: full, reason: `not a regular file: ${special}` });
      else files.push(full);
    }
  };
  for (const p of inputs) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      problems.push({ path: p, reason: statReason(e as NodeJS.ErrnoException) });
      continue;
    }
    if (st.isDirectory()) walk(p, 0);
    else {
      const special = specialKind(st);
      if (special) problems.push({ path: p, reason: `not a regular file: ${special}` });
      else files.push(p);
    }
  }
  return { files, problems };
}
