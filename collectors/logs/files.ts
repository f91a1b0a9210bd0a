/**
 * The order log files are read in: rotated siblings oldest first, so that evidence is read in
 * time order and a cursor never skips past a file that holds older lines.
 */
import { basename, dirname } from "node:path";

interface Rotated {
  file: string;
  family: string;
  /** Sort key inside the family: larger is older. */
  age: number;
  /** Date suffix (`-20240131`), compared as text: smaller is older. */
  date: string;
  index: number;
}

const NUMBERED = /^(.*)\.(\d{1,4})(\.gz)?$/;
const DATED = /^(.*)[-.](\d{8}(?:\d{2,6})?)(\.gz)?$/;

function describe(file: string, index: number): Rotated {
  const dir = dirname(file);
  const name = basename(file);
  let m = NUMBERED.exec(name);
  if (m) return { file, family: `${dir}/${m[1]}`, age: Number(m[2]) + 1, date: "", index };
  m = DATED.exec(name);
  if (m) return { file, family: `${dir}/${m[1]}`, age: 1, date: m[2]!, index };
  const plain = name.endsWith(".gz") ? name.slice(0, -3) : name;
  return { file, family: `${dir}/${plain}`, age: 0, date: "", index };
}

/**
 * Order files for reading: files of one rotation family (`access.log`, `access.log.1`,
 * `access.log.2.gz`; or logrotate `dateext` names `access.log-20240131[.gz]`) are read oldest
 * first — the highest number first, dated names by date, the live file last — at the place of the
 * family's first file in the input. Files of Zeek's `conn` log (`conn.log`, `UTICA-C_conn.log`,
 * archived `conn.00:00:00-01:00:00.log.gz`) go after all others, so that the
 * DNS answers of `dns.log` read in the same run can name the hosts of its connections. Duplicates
 * are dropped. Other files keep their input order.
 */
export function orderFiles(files: readonly string[]): string[] {
  const unique = [...new Set(files)];
  const rows = unique.map(describe);
  const familyOrder = new Map<string, number>();
  for (const r of rows) if (!familyOrder.has(r.family)) familyOrder.set(r.family, familyOrder.size);
  const isConn = (r: Rotated) => /(^|[-_.])conn(\.|$)/.test(basename(r.family));
  rows.sort((a, b) => {
    const ca = isConn(a) ? 1 : 0;
    const cb = isConn(b) ? 1 : 0;
    if (ca !== cb) return ca - cb;
    const fa = familyOrder.get(a.family)!;
    const fb = familyOrder.get(b.family)!;
    if (fa !== fb) return fa - fb;
    // numbered (age ≥ 2) before dated (age 1, by date) before the live file (age 0)
    if (a.age !== b.age) return b.age - a.age;
    if (a.date !== b.date) return a.date < b.date ? -1 : 1;
    return a.index - b.index;
  });
  return rows.map((r) => r.file);
}
