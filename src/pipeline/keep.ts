/**
 * Which observations the scan pipeline does more with than count them ({@link ingest} in
 * ingest.ts): those a signature matches, those `suspect()` finds AI-like, and those carrying a
 * department or job title for their user (the store keeps those for the organisational unit). The
 * rest are counted as read and dropped. A source given it (`SourceContext.keep`) may hand on only
 * what this keeps and a count of the rest (the log collector drops a proxy line before it builds
 * its observation): the scan stores exactly what it would have stored from every observation.
 */
import type { KeepInput } from "../core/source.js";
import type { Matcher } from "../match/matcher.js";
import { hostVerdict, pathSuspected, suspect } from "../match/suspect.js";

/**
 * True when ingest would store something of `o`, or might: a catalogue match (the matcher's own
 * suspected findings included), a `suspect()` guess (before any dismissal: the scan thread applies
 * those), or a user with a department or job title.
 */
export function keeps(matcher: Matcher, o: KeepInput): boolean {
  if (o.user !== undefined && (o.department !== undefined || o.jobTitle !== undefined)) return true;
  if (matcher.match(o)) return true;
  return suspect(suspectInput(o)) !== undefined;
}

/** What `suspect()` looks at of an observation (ingest passes the same). */
export function suspectInput(o: KeepInput): { host: string | undefined; path: string | undefined; appName: string | undefined; userAgent: string | undefined } {
  return { host: o.host, path: o.path, appName: o.appName, userAgent: o.userAgent };
}

/** A host's part of the answer: kept whatever the path, dropped whatever the path, or the path decides. */
const KEEP = 1;
const DROP = 2;
const PATH = 3;

/** Hosts remembered before the cache starts over, and the longest one remembered. */
const HOSTS = 16_384;
const HOST_CHARS = 256;

/**
 * {@link keeps} for one matcher, with the answer for a host remembered: a proxy or DNS log asks
 * it for millions of records that name nothing but a host (and a path), among a few thousand
 * hosts. The answers are the same as {@link keeps}' (keep.test.ts compares them).
 */
export class Keeper {
  private readonly hosts = new Map<string, number>();

  constructor(private readonly matcher: Matcher) {}

  /**
   * {@link keeps} of `o`: a record naming only a host (no `/`, `?` or `#` in it, at most 256
   * characters) and perhaps a path is answered from the host's remembered verdict (at most 16,384
   * hosts, then the memory starts over); any other record is asked in full.
   */
  keeps(o: KeepInput): boolean {
    const host = o.host;
    if (
      host === undefined ||
      o.clientId !== undefined || o.appId !== undefined || o.appName !== undefined || o.publisher !== undefined || o.userAgent !== undefined ||
      (o.user !== undefined && (o.department !== undefined || o.jobTitle !== undefined))
    ) {
      return keeps(this.matcher, o);
    }
    let v = this.hosts.get(host);
    if (v === undefined) {
      // a host that carries a path (a URL) or is too long to remember: asked in full every time
      if (host.length > HOST_CHARS || host.includes("/") || host.includes("?") || host.includes("#")) return keeps(this.matcher, o);
      // matched, or suspected by itself: kept; under the allow list: never suspected; else the path decides
      const h = hostVerdict(host);
      v = this.matcher.match({ host }) || h === "suspected" ? KEEP : h === "allowed" ? DROP : PATH;
      if (this.hosts.size >= HOSTS) this.hosts.clear();
      this.hosts.set(` ${host}`.slice(1), v); // own copy: not a slice of a log chunk
    }
    return v === KEEP || (v === PATH && o.path !== undefined && o.path.length > 0 && pathSuspected(o.path));
  }
}
