/**
 * Member lists exported from a ChatGPT Business/Team workspace (Settings → Members → Export), for
 * vendors' plans that have no admin API (https://help.openai.com/en/articles/8792828). The file is
 * CSV (RFC 4180, UTF-8, optional BOM) with a header row; columns are found by name, case and
 * spacing ignored:
 *
 * | column | required | meaning |
 * | --- | --- | --- |
 * | `Email` | yes | the member's address |
 * | `Name` | no | display name |
 * | `Role` | no | `Owner`, `Admin`, `Member` |
 * | `Status` | no | `Active`, `Pending`, `Deactivated` |
 * | `Date added` / `Added` / `Joined` | no | when the seat was given |
 * | `Last active` / `Last active at` | no | the workspace's last activity of that member |
 *
 * Every row becomes a roster principal of kind `seat` (vendor `openai`, org = the configured
 * workspace label). Bad input is reported with the file and line and never misread: a file
 * without an Email column is refused whole; a row without a valid address is skipped and named.
 */
import { createReadStream, statSync } from "node:fs";
import { parse } from "csv-parse";
import type { InputError } from "../../src/core/collector.js";
import type { RosterPrincipal } from "../../src/core/roster.js";

/** Largest member file read (bytes). */
export const MAX_MEMBER_FILE = 64 << 20;

const COLUMNS: Record<string, keyof Row> = {
  email: "email", emailaddress: "email", name: "name", fullname: "name", role: "role", status: "status",
  dateadded: "added", added: "added", joined: "added", dateJoined: "added", joinedat: "added", addedat: "added",
  lastactive: "lastActive", lastactiveat: "lastActive", lastseen: "lastActive",
};

interface Row { email?: string; name?: string; role?: string; status?: string; added?: string; lastActive?: string }

const norm = (h: string) => h.replace(/^\uFEFF/, "").toLowerCase().replace(/[\s_-]+/g, "");

/** Whether the head of a file looks like a member export: a header row naming Email and Role or Status. */
export function looksLikeMemberCsv(text: string): boolean {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  if (first.length > 4096 || first.startsWith("{") || first.startsWith("#")) return false;
  const cols = first.split(",").map((c) => norm(c.replace(/^"|"$/g, "")));
  return cols.some((c) => c === "email" || c === "emailaddress") && cols.some((c) => c === "role" || c === "status") && cols.length <= 20;
}

/** A date as the export writes it (ISO 8601, or a date the JavaScript parser reads unambiguously) → ISO 8601 UTC. */
function when(v: string | undefined): string | undefined {
  if (!v || v.length > 64) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * Read one member export.
 * @returns the seats, in file order.
 * @throws Error naming the file when it is too large, has no header or no Email column, or is not CSV.
 */
export async function readMemberCsv(file: string, onError: (e: InputError) => void): Promise<RosterPrincipal[]> {
  const size = statSync(file).size;
  if (size > MAX_MEMBER_FILE) throw new Error(`${file}: ${size} bytes is larger than the ${MAX_MEMBER_FILE} a member export may have`);
  const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 << 10, info: true }));
  let map: (keyof Row | undefined)[] | undefined;
  const out: RosterPrincipal[] = [];
  const seen = new Set<string>();
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = rec.info.lines;
      if (!map) {
        map = rec.record.map((h) => COLUMNS[norm(h)]);
        if (!map.includes("email")) throw new Error(`${file}:${line}: the header has no Email column (found: ${rec.record.slice(0, 12).map((h) => JSON.stringify(h.slice(0, 40))).join(", ")}); expected a ChatGPT member export with Email, Name, Role, Status`);
        continue;
      }
      const row: Row = {};
      rec.record.forEach((v, i) => {
        const k = map![i];
        if (k && v.trim() !== "") row[k] = v.trim().slice(0, 320);
      });
      const email = row.email?.toLowerCase();
      if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        onError({ input: file, line, message: `row without a valid e-mail address (${JSON.stringify((row.email ?? "").slice(0, 64))}); row skipped`, partial: true });
        continue;
      }
      if (seen.has(email)) continue;
      seen.add(email);
      const added = when(row.added);
      const last = when(row.lastActive);
      out.push({
        kind: "seat", id: email, email,
        ...(row.name ? { name: row.name.slice(0, 200) } : {}),
        ...(row.role ? { role: row.role.toLowerCase().slice(0, 64) } : {}),
        ...(row.status ? { status: row.status.toLowerCase().slice(0, 64) } : {}),
        ...(added ? { createdAt: added } : {}),
        ...(last ? { lastActiveAt: last } : {}),
      });
    }
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    if (err.code?.startsWith("CSV_")) throw new Error(`${file}:${err.lines ?? "?"}: not valid CSV (${err.message.split("\n")[0]!.slice(0, 160)})`);
    throw e;
  }
  if (!map) throw new Error(`${file}: empty file; expected a ChatGPT member export with a header row (Email, Name, Role, Status)`);
  return out;
}
