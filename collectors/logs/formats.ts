/**
 * The log formats the `logs` collector reads, by the name `--format` and `shadow-ai.yaml` use.
 */

/** Format names, in the order `--help` lists them. */
export const FORMATS = ["zeek", "squid", "clf", "okta", "zscaler", "panos", "cloudflare", "bind", "csv", "jsonl"] as const;

/** One of {@link FORMATS}. */
export type LogFormat = (typeof FORMATS)[number];

/** One line per format: what it is and whether it is told apart from its first lines. */
export const FORMAT_DESCRIPTIONS: Record<LogFormat, string> = {
  zeek: "Zeek dns.log, ssl.log, http.log, quic.log, conn.log: TSV with a #fields header, or JSON lines (auto-detected)",
  squid: "Squid native access.log (auto-detected)",
  clf: "common / combined log format of proxies (Squid, Apache, nginx), optional leading vhost (auto-detected)",
  okta: "Okta System Log: JSON lines or GET /api/v1/logs responses (auto-detected)",
  zscaler: "Zscaler NSS web log: JSON (auto-detected), or tab/comma-separated with logs.zscalerFields (needs --format)",
  panos: "Palo Alto PAN-OS TRAFFIC and THREAT/url logs: syslog or CSV (auto-detected)",
  cloudflare: "Cloudflare Gateway HTTP and DNS Logpush: JSON lines (auto-detected)",
  bind: "BIND 9 query log (auto-detected)",
  csv: "any CSV with a header row, columns named by logs.mapping (needs --format)",
  jsonl: "any JSON lines, keys named by logs.mapping (needs --format)",
};

/** True when `s` names a format. */
export function isFormat(s: string): s is LogFormat {
  return (FORMATS as readonly string[]).includes(s);
}
