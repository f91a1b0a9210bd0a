/**
 * `signatures lint` and `signatures test`: checks of the whole catalogue (bundled plus
 * organisation directories) that report every problem of every file, each naming the file and
 * the field, instead of stopping at the first invalid file as loading does.
 *
 * Problem codes (severity in brackets):
 * - `io` [error]: a directory or file cannot be read.
 * - `yaml` [error]: not valid YAML.
 * - `schema` [error]: a field breaks the schema (`schema.ts`): unknown key, wrong type, a reference
 *   that is not https, no example, ...
 * - `id-without-source` [error]: an OAuth client ID or Entra app ID with no URL in `idSources`.
 * - `id-mismatch` [error]: `id` differs from the file name.
 * - `duplicate-id` [error]: two files define the same id.
 * - `duplicate-domain`, `duplicate-client-id`, `duplicate-app-id`, `duplicate-package` [error]: one
 *   identifier (an MCP server package included) in two files.
 * - `plain-suite` [error]: the signature matches a plain suite app or host (Zoom, Slack, Notion,
 *   Microsoft 365, Google Workspace, ...), which is not AI evidence.
 * - `duplicate-publisher`, `duplicate-pattern`, `duplicate-user-agent` [warning]: the same publisher,
 *   app-name pattern or user-agent hint in two files.
 * - `duplicate-in-file` [warning]: the same value twice in one field.
 * - `overlapping-domain` [warning]: a domain is a subdomain of another file's domain (longest
 *   suffix gives it to the more specific file); silenced by `overrides: [other-id]` in that file.
 * - `redundant-domain` [warning]: a domain is a subdomain of another domain of the same file.
 * - `unknown-override`, `unused-override` [warning]: `overrides` names an id that is not loaded, or
 *   one whose domains this file does not narrow.
 * - `cross-talk` [warning]: an app-name pattern or user-agent hint of one signature also matches a
 *   positive example of another (the catalogue order decides; `signatures test` fails if the wrong
 *   one wins).
 * - `unexercised-pattern`, `unexercised-user-agent`, `unexercised-publisher`, `unexercised-id`,
 *   `unexercised-package` [warning]: dead fields: an app-name pattern, user-agent hint, publisher or ID that none of the
 *   signature's own positive examples exercises, so nothing shows it works.
 * - `unused-id-source` [warning]: an `idSources` entry for an ID the signature does not list.
 * - `suite-without-negative` [warning]: a `suite_ai` signature without a negative app-name example
 *   (the plain suite app it must not match).
 * - `wrong-folder` [error]: a file in a category folder (`signatures/<category>/<id>.yaml`) whose
 *   `category` names another folder.
 * - `no-vendor-reference` [warning]: no reference is the vendor's own material: none of the
 *   `references` is on the registrable domain of one of the signature's domains, of its
 *   `vendorSites`, or of a platform's documentation hosts (a public list naming a domain is a lead,
 *   not a source).
 * - `stale-cache` [warning]: a bundled file was changed in place since the build, and the build's
 *   cache (`dist/catalogue.json`, catalogue-cache.ts), which commands trust while no folder changed,
 *   still holds the old version: commands read that until `npm run build`.
 *
 * Domains are not required to each have an example (a vendor's dozens of regional hosts would need
 * dozens); `signatures test` still runs every host example there is.
 */
import { readdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { getDomain } from "tldts";
import { SERVICE_CATEGORIES, type AIService } from "../core/service.js";
import type { Finding } from "../core/finding.js";
import { catalogueCachePath, openCatalogueCache } from "./catalogue-cache.js";
import { bundledSignatureDir, checkSignatureFile, signatureFiles, type LoadedSignature } from "./load.js";
import { Matcher } from "./matcher.js";
import { matchPackage } from "./packages.js";
import type { SignatureExample } from "./schema.js";

export type Severity = "error" | "warning";

export type LintCode =
  | "io"
  | "yaml"
  | "schema"
  | "id-without-source"
  | "id-mismatch"
  | "duplicate-id"
  | "duplicate-domain"
  | "duplicate-client-id"
  | "duplicate-app-id"
  | "plain-suite"
  | "duplicate-publisher"
  | "duplicate-pattern"
  | "duplicate-user-agent"
  | "duplicate-package"
  | "duplicate-in-file"
  | "overlapping-domain"
  | "redundant-domain"
  | "unknown-override"
  | "unused-override"
  | "cross-talk"
  | "unexercised-pattern"
  | "unexercised-user-agent"
  | "unexercised-publisher"
  | "unexercised-package"
  | "unexercised-id"
  | "unused-id-source"
  | "suite-without-negative"
  | "wrong-folder"
  | "no-vendor-reference"
  | "stale-cache";

const ERRORS: ReadonlySet<LintCode> = new Set<LintCode>([
  "io",
  "yaml",
  "schema",
  "id-without-source",
  "id-mismatch",
  "duplicate-id",
  "duplicate-domain",
  "duplicate-client-id",
  "duplicate-app-id",
  "duplicate-package",
  "plain-suite",
  "wrong-folder",
]);

/** The severity of a lint code (see the module comment). */
export function severityOf(code: LintCode): Severity {
  return ERRORS.has(code) ? "error" : "warning";
}

/** One problem: where (file, dotted field path such as `match.domains.2`) and what. */
export interface LintProblem {
  severity: Severity;
  code: LintCode;
  file: string;
  field: string;
  message: string;
}

/** The outcome of {@link lintSignatures}: the files read, the signatures that loaded, every problem. */
export interface LintResult {
  files: string[];
  signatures: LoadedSignature[];
  problems: LintProblem[];
}

/**
 * Plain suite apps and hosts: a suite's AI feature is its own signature and must never match
 * these (a Zoom or Slack OAuth grant alone is not AI evidence). Lint reports any match as
 * `plain-suite`.
 */
export const PLAIN_SUITE: { appNames: string[]; hosts: string[]; appIds: string[] } = {
  appNames: [
    "Zoom", "Zoom Workplace", "Zoom for Google Workspace", "Zoom Meetings", "Zoom Scheduler",
    "Slack", "Slack for Gmail", "Slack Calendar", "Slackbot",
    "Notion", "Notion Calendar", "Notion Mail",
    "Microsoft Teams", "Microsoft 365", "Office 365", "Microsoft Office", "Microsoft Graph", "Microsoft Outlook",
    "Office 365 Exchange Online", "Office 365 SharePoint Online", "OneDrive", "Power BI", "Visual Studio Code",
    "Google Workspace", "Google Drive", "Gmail", "Google Calendar", "Google Meet", "Google Chrome",
    "GitHub", "GitHub Desktop", "Atlassian", "Jira Cloud", "Confluence Cloud", "Trello",
    "Salesforce", "HubSpot", "Zendesk", "Intercom", "Dropbox", "Box", "DocuSign", "Adobe Acrobat",
    "Canva", "Figma", "Miro", "Asana", "monday.com", "Webex", "Loom", "Calendly", "Linear",
  ],
  hosts: [
    "zoom.us", "us02web.zoom.us", "zoom.com", "slack.com", "app.slack.com", "files.slack.com",
    "notion.so", "www.notion.so", "notion.com", "teams.microsoft.com", "www.office.com", "outlook.office.com",
    "outlook.office365.com", "m365.cloud.microsoft", "login.microsoftonline.com", "graph.microsoft.com",
    "docs.google.com", "mail.google.com", "drive.google.com", "accounts.google.com", "www.google.com",
    "github.com", "api.github.com", "www.canva.com", "app.intercom.com", "www.atlassian.com",
    "login.salesforce.com", "www.dropbox.com", "app.box.com", "www.figma.com", "miro.com", "app.asana.com",
  ],
  appIds: [
    "00000003-0000-0000-c000-000000000000", // Microsoft Graph
    "00000002-0000-0ff1-ce00-000000000000", // Office 365 Exchange Online
    "00000003-0000-0ff1-ce00-000000000000", // Office 365 SharePoint Online
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264", // Microsoft Teams
    "d3590ed6-52b3-4102-aeff-aad2292ab01c", // Microsoft Office
  ],
};

/**
 * Lint every signature file of `dirs` (each `*.yaml`/`*.yml`, not recursive): per-file checks
 * (YAML, schema, id = file name, ID sources, dead fields) and cross-file checks (duplicates,
 * overlapping domains, cross-talk, plain suite apps). Never throws for bad content: everything is
 * a problem in the result, sorted by file, errors first, then field.
 */
export function lintSignatures(dirs: readonly string[]): LintResult {
  const files: string[] = [];
  const problems: LintProblem[] = [];
  const signatures: LoadedSignature[] = [];
  const add = (code: LintCode, file: string, field: string, message: string) => problems.push({ severity: severityOf(code), code, file, field, message });
  for (const dir of dirs) {
    let list: string[];
    try {
      readdirSync(dir);
      list = signatureFiles(dir);
    } catch (e) {
      add("io", dir, "", `cannot read directory: ${(e as Error).message}`);
      continue;
    }
    for (const f of list) {
      files.push(f);
      const { signature, issues } = checkSignatureFile(f);
      for (const i of issues) add(i.code, f, i.field, i.message);
      if (signature) signatures.push(signature);
    }
  }
  problems.push(...lintLoaded(signatures));
  if (dirs.includes(bundledSignatureDir())) problems.push(...staleCache(bundledSignatureDir(), catalogueCachePath(), signatures));
  problems.sort((a, b) => a.file.localeCompare(b.file) || (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) || a.field.localeCompare(b.field, undefined, { numeric: true }) || a.code.localeCompare(b.code));
  return { files, signatures, problems };
}

/**
 * `stale-cache` problems: the signatures of `dir` that the cache at `cachePath` would hand out on
 * its fast path (no folder changed since the build) although their file, as `parsed` from it now,
 * says otherwise (a file changed in place). None when the cache is not used or is up to date.
 */
export function staleCache(dir: string, cachePath: string, parsed: readonly LoadedSignature[]): LintProblem[] {
  const cached = openCatalogueCache(dir, cachePath)?.unchanged();
  if (!cached) return [];
  const now = new Map(parsed.map((s) => [s.service.file, s]));
  const out: LintProblem[] = [];
  for (const c of cached) {
    const p = now.get(c.service.file);
    if (p && JSON.stringify(c) !== JSON.stringify(p)) {
      out.push({ severity: severityOf("stale-cache"), code: "stale-cache", file: p.service.file!, field: "", message: `changed in place since the build: ${cachePath} still holds the old version, which commands use until npm run build` });
    }
  }
  return out;
}

/** The checks that need loaded signatures (see {@link lintSignatures}); `sigs` in catalogue order. */
export function lintLoaded(sigs: readonly LoadedSignature[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (code: LintCode, sig: LoadedSignature, field: string, message: string) =>
    problems.push({ severity: severityOf(code), code, file: sig.service.file ?? sig.service.id, field, message });

  // ---- duplicates across and within files
  const byId = new Map<string, LoadedSignature>();
  for (const sig of sigs) {
    const prev = byId.get(sig.service.id);
    if (prev) add("duplicate-id", sig, "id", `id "${sig.service.id}" is also defined in ${prev.service.file}`);
    else byId.set(sig.service.id, sig);
  }
  const owners = new Map<string, LoadedSignature>();
  const claim = (code: LintCode, kind: string, key: string, sig: LoadedSignature, field: string) => {
    const k = `${kind}\u0000${key}`;
    const prev = owners.get(k);
    if (prev && prev !== sig) add(code, sig, field, `${kind} ${key} is also claimed by ${prev.service.id} (${prev.service.file})`);
    else if (prev === sig) add("duplicate-in-file", sig, field, `${kind} ${key} is listed twice`);
    else owners.set(k, sig);
  };
  for (const sig of sigs) {
    const m = sig.raw.match;
    m.domains.forEach((d, i) => claim("duplicate-domain", "domain", d.toLowerCase(), sig, `match.domains.${i}`));
    m.oauthClientIds.forEach((c, i) => claim("duplicate-client-id", "OAuth client ID", c.toLowerCase(), sig, `match.oauthClientIds.${i}`));
    m.entraAppIds.forEach((a, i) => claim("duplicate-app-id", "Entra app ID", a.toLowerCase(), sig, `match.entraAppIds.${i}`));
    m.publishers.forEach((p, i) => claim("duplicate-publisher", "publisher", p.toLowerCase(), sig, `match.publishers.${i}`));
    m.appNamePatterns.forEach((p, i) => claim("duplicate-pattern", "app-name pattern", p, sig, `match.appNamePatterns.${i}`));
    m.userAgents.forEach((u, i) => claim("duplicate-user-agent", "user-agent hint", u.toLowerCase(), sig, `match.userAgents.${i}`));
    m.packages.forEach((p, i) => claim("duplicate-package", "MCP server package", p.toLowerCase(), sig, `match.packages.${i}`));
  }

  // ---- overlapping domains and overrides
  const domainOwner = new Map<string, LoadedSignature>();
  for (const sig of sigs) for (const d of sig.raw.match.domains) if (!domainOwner.has(d.toLowerCase())) domainOwner.set(d.toLowerCase(), sig);
  for (const sig of sigs) {
    const narrowed = new Set<string>();
    sig.raw.match.domains.forEach((d, i) => {
      const labels = d.toLowerCase().split(".");
      for (let k = 1; k < labels.length; k++) {
        const parent = labels.slice(k).join(".");
        const owner = domainOwner.get(parent);
        if (!owner) continue;
        if (owner === sig) {
          add("redundant-domain", sig, `match.domains.${i}`, `${d} is already covered by ${parent} in the same file`);
        } else if (sig.raw.overrides.includes(owner.service.id)) {
          narrowed.add(owner.service.id);
        } else {
          add(
            "overlapping-domain",
            sig,
            `match.domains.${i}`,
            `${d} is a subdomain of ${parent} (${owner.service.id}); the longest suffix gives ${d} to ${sig.service.id}. If deliberate, add "overrides: [${owner.service.id}]"`,
          );
        }
        break;
      }
    });
    sig.raw.overrides.forEach((o, i) => {
      if (!byId.has(o)) add("unknown-override", sig, `overrides.${i}`, `no signature with id "${o}" is loaded`);
      else if (!narrowed.has(o)) add("unused-override", sig, `overrides.${i}`, `no domain of ${sig.service.id} is a subdomain of a domain of ${o}`);
    });
  }

  // ---- cross-talk, dead fields, plain suite apps: against the full index
  const matcher = new Matcher(sigs.map((s) => s.service));
  for (const sig of sigs) {
    const id = sig.service.id;
    const m = sig.raw.match;
    const pos = sig.raw.examples.match;
    for (const [k, ex] of pos.entries()) {
      if (ex.appName) {
        for (const hit of matcher.matchNameAll(ex.appName)) {
          if (hit.id === id) continue;
          const other = byId.get(hit.id)!;
          add("cross-talk", other, `match.appNamePatterns.${other.raw.match.appNamePatterns.indexOf(hit.pattern)}`, `pattern ${hit.pattern} also matches "${ex.appName}", a positive example of ${id} (examples.match.${k})`);
        }
      }
      if (ex.userAgent) {
        for (const hit of matcher.matchUserAgentAll(ex.userAgent)) {
          if (hit.id === id) continue;
          const other = byId.get(hit.id)!;
          const idx = other.raw.match.userAgents.findIndex((u) => u.toLowerCase() === hit.hint);
          add("cross-talk", other, `match.userAgents.${idx}`, `user-agent hint "${hit.hint}" also matches "${ex.userAgent}", a positive example of ${id} (examples.match.${k})`);
        }
      }
    }
    m.appNamePatterns.forEach((p, i) => {
      const re = new RegExp(p, "i");
      if (!pos.some((ex) => ex.appName !== undefined && re.test(ex.appName))) add("unexercised-pattern", sig, `match.appNamePatterns.${i}`, `no positive example's appName matches ${p}`);
    });
    m.userAgents.forEach((u, i) => {
      if (!pos.some((ex) => ex.userAgent?.toLowerCase().includes(u.toLowerCase()))) add("unexercised-user-agent", sig, `match.userAgents.${i}`, `no positive example's userAgent contains "${u}"`);
    });
    m.packages.forEach((p, i) => {
      if (!pos.some((ex) => ex.package?.toLowerCase() === p.toLowerCase())) add("unexercised-package", sig, `match.packages.${i}`, `no positive example has package ${p}`);
    });
    m.publishers.forEach((p, i) => {
      if (!pos.some((ex) => ex.publisher?.toLowerCase() === p.toLowerCase())) add("unexercised-publisher", sig, `match.publishers.${i}`, `no positive example has publisher "${p}"`);
    });
    m.oauthClientIds.forEach((c, i) => {
      if (!pos.some((ex) => ex.clientId?.toLowerCase() === c.toLowerCase())) add("unexercised-id", sig, `match.oauthClientIds.${i}`, `no positive example has clientId ${c}`);
    });
    m.entraAppIds.forEach((a, i) => {
      if (!pos.some((ex) => ex.appId?.toLowerCase() === a.toLowerCase())) add("unexercised-id", sig, `match.entraAppIds.${i}`, `no positive example has appId ${a}`);
    });
    const ids = new Set([...m.oauthClientIds, ...m.entraAppIds]);
    for (const key of Object.keys(sig.raw.idSources)) {
      if (!ids.has(key)) add("unused-id-source", sig, `idSources.${key}`, `${key} is not one of this signature's client or app IDs`);
    }
    const folder = sig.service.file ? basename(dirname(sig.service.file)) : "";
    if ((SERVICE_CATEGORIES as readonly string[]).includes(folder) && folder !== sig.service.category) {
      add("wrong-folder", sig, "category", `category ${sig.service.category} but the file is in the ${folder}/ folder; move it to ${sig.service.category}/`);
    }
    if (!hasVendorReference(sig)) {
      add("no-vendor-reference", sig, "references", "no reference is the vendor's own material (a URL on one of its domains or its documentation hosts); cite the vendor, not a list");
    }
    if (sig.service.category === "suite_ai" && !sig.raw.examples.noMatch.some((ex) => ex.appName !== undefined)) {
      add("suite-without-negative", sig, "examples.noMatch", "a suite's AI feature should carry the plain suite app's name as a negative example");
    }
  }
  const plain = (o: SignatureExample, what: string) => {
    const f = matcher.match(o);
    if (f) add("plain-suite", byId.get(f.serviceId)!, fieldOf(byId.get(f.serviceId)!, f), `matches the plain suite ${what}; a suite app alone is not AI evidence`);
  };
  for (const appName of PLAIN_SUITE.appNames) plain({ appName }, `app "${appName}"`);
  for (const host of PLAIN_SUITE.hosts) plain({ host }, `host ${host}`);
  for (const appId of PLAIN_SUITE.appIds) plain({ appId }, `app ID ${appId}`);
  return problems;
}

/**
 * Documentation sites of the platforms that publish first-party client and app IDs, and host
 * other companies' products (a Microsoft app ID is sourced on learn.microsoft.com, a Google one on
 * support.google.com, a Bedrock model on aws.amazon.com). Public lists (GitHub repositories of
 * domain lists) are deliberately not here: they are leads, not sources.
 */
const VENDOR_DOC_DOMAINS: ReadonlySet<string> = new Set(["microsoft.com", "google.com", "apple.com", "amazon.com", "ibm.com", "oracle.com", "salesforce.com", "adobe.com", "sap.com", "atlassian.com", "cloudflare.com", "nvidia.com"]);

/**
 * Whether a signature cites the vendor itself: a reference on the registrable domain of one of its
 * domains, under the vendor's own GitHub organisation, or on a platform's documentation site
 * ({@link VENDOR_DOC_DOMAINS}). The `no-vendor-reference` check, and `signatures stats`.
 */
export function hasVendorReference(sig: LoadedSignature): boolean {
  const own = new Set<string>();
  for (const d of [...sig.raw.match.domains, ...sig.raw.vendorSites]) own.add(getDomain(d) ?? d);
  for (const r of sig.raw.references) {
    let host: string;
    try {
      host = new URL(r).hostname.toLowerCase();
    } catch {
      continue;
    }
    const reg = getDomain(host) ?? host;
    if (own.has(reg)) return true;
    // a vendor's own GitHub organisation (github.com/<org>/...) whose name is its domain's label
    if (reg === "github.com" || reg === "githubusercontent.com") {
      const org = new URL(r).pathname.split("/")[1]?.toLowerCase() ?? "";
      if (org && [...own].some((o) => o.split(".")[0] === org)) return true;
    }
    if (VENDOR_DOC_DOMAINS.has(reg)) return true;
  }
  return false;
}

/** The field path of the signature value a finding matched. */
function fieldOf(sig: LoadedSignature, f: Finding): string {
  const m = sig.raw.match;
  const find = (list: string[], field: string, ci = true) => {
    const i = list.findIndex((x) => (ci ? x.toLowerCase() === f.matched.toLowerCase() : x === f.matched));
    return `match.${field}${i >= 0 ? `.${i}` : ""}`;
  };
  switch (f.field) {
    case "domain":
      return find(m.domains, "domains");
    case "oauthClientId":
      return find(m.oauthClientIds, "oauthClientIds");
    case "entraAppId":
      return find(m.entraAppIds, "entraAppIds");
    case "publisher":
      return find(m.publishers, "publishers");
    case "appName":
      return find(m.appNamePatterns, "appNamePatterns", false);
    case "suspected":
    case "agent":
      return "match";
    case "mcp":
      return find(m.packages, "packages");
    case "userAgent":
      return find(m.userAgents, "userAgents");
  }
}

/** One failed example of `signatures test`. */
export interface ExampleFailure {
  id: string;
  file: string;
  /** `examples.match.3` or `examples.noMatch.0`. */
  field: string;
  example: SignatureExample;
  expected: "match" | "noMatch";
  /** What the full index returned instead (nothing, another service, or this one for a negative). */
  got: Finding | null;
  message: string;
}

/**
 * Run every example of every signature against the full index of `sigs` (so a positive example
 * that another signature captures fails, as it would in a scan): a positive example must match its
 * own service, a negative one must not.
 */
export function testExamples(sigs: readonly LoadedSignature[], matcher: Matcher = new Matcher(sigs.map((s) => s.service))): { examples: number; failures: ExampleFailure[] } {
  let examples = 0;
  const failures: ExampleFailure[] = [];
  for (const { service, raw } of sigs) {
    const file = service.file ?? service.id;
    raw.examples.match.forEach((ex, i) => {
      examples++;
      const got = exampleMatch(matcher, sigs, ex);
      if (got?.serviceId === service.id) return;
      const message = got ? `matched ${got.serviceId} by ${got.field} ${got.matched} instead of ${service.id}` : `matched nothing; expected ${service.id}`;
      failures.push({ id: service.id, file, field: `examples.match.${i}`, example: ex, expected: "match", got, message });
    });
    raw.examples.noMatch.forEach((ex, i) => {
      examples++;
      const got = exampleMatch(matcher, sigs, ex);
      if (got?.serviceId !== service.id) return;
      failures.push({ id: service.id, file, field: `examples.noMatch.${i}`, example: ex, expected: "noMatch", got, message: `matched ${service.id} by ${got.field} ${got.matched}, but must not` });
    });
  }
  return { examples, failures };
}

/** What the catalogue makes of one example: a package example through the MCP package index (packages.ts), the rest through the matcher. */
function exampleMatch(matcher: Matcher, sigs: readonly LoadedSignature[], ex: SignatureExample): Finding | null {
  if (ex.package === undefined) return matcher.match(ex) ?? null;
  const [eco, ...rest] = ex.package.split(":");
  const hit = matchPackage(sigsServices(sigs), eco ?? "", rest.join(":"));
  return hit ? { serviceId: hit.id, field: "mcp", matched: hit.matched.slice("package:".length), confidence: 1 } : null;
}

const servicesOfSigs = new WeakMap<readonly LoadedSignature[], readonly AIService[]>();
function sigsServices(sigs: readonly LoadedSignature[]): readonly AIService[] {
  let s = servicesOfSigs.get(sigs);
  if (!s) servicesOfSigs.set(sigs, (s = sigs.map((x) => x.service)));
  return s;
}
