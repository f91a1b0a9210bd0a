/**
 * Cloudflare Zero Trust Gateway logs as Logpush writes them: one JSON object per line.
 *
 * - DNS (`gateway_dns`): `QueryName` → a `dns` observation with `QueryTypeName` (or `TYPE<n>`
 *   from `QueryType`), `ResolvedIPs` as answers, `Email` as user, `SrcIP` as client, `DstIP` /
 *   `DstPort` as server and port, `ResolverDecision` as action.
 * - HTTP (`gateway_http`): `HTTPHost` (else the host of `URL`) → an `http` observation with the
 *   path of `URL`, `HTTPMethod`, `UserAgent`, `Email`, the client (`SourceInternalIP` when given,
 *   else `SourceIP`), `DestinationIP` / `DestinationPort`, `Action`.
 * - `Datetime` is RFC 3339, Unix seconds or Unix nanoseconds (Logpush `timestamp_format`
 *   `rfc3339`, `unix`, `unixnano`), as a string or a number.
 *
 * https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_dns/,
 * https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_http/
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { isoFromAny, isRecord, isWrapped, splitTarget, text, textList, toPort, unwrapRecord, userOf, type LineParser, type LogFormatDefinition, type ParseResult, type ParserContext, jsonLine } from "../common/index.js";

const SOURCE = "logs:cloudflare";

export class CloudflareParser implements LineParser {
  out: Observation[] = [];
  readonly json = true;

  constructor(private readonly ctx: ParserContext) {}

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    return jsonLine(this, t, start, end, line, offset);
  }

  record(value: unknown, line: number, offset: number): ParseResult {
    const v = isRecord(value) && isWrapped(value) ? unwrapRecord(value) : value;
    if (!isRecord(v)) return "expected a Cloudflare Gateway log record (a JSON object)";
    const time = isoFromAny(v["Datetime"]);
    if (!time) return `'Datetime': expected RFC 3339, Unix seconds or Unix nanoseconds, found ${JSON.stringify(String(v["Datetime"]).slice(0, 40))}`;
    const ref = { file: this.ctx.file, line, offset };
    const user = userOf(v["Email"]);
    if (typeof v["QueryName"] === "string") {
      const host = text(v["QueryName"]);
      if (!host) return undefined;
      const o: Observation = { source: SOURCE, kind: "dns", time, host, ref };
      const qtype = text(v["QueryTypeName"], 32) ?? (typeof v["QueryType"] === "number" ? `TYPE${v["QueryType"]}` : undefined);
      if (qtype) o.qtype = qtype;
      const answers = textList(v["ResolvedIPs"]);
      if (answers) o.answers = answers;
      if (user) o.user = user;
      const client = text(v["SrcIP"], 64);
      if (client) o.client = client;
      const server = text(v["DstIP"], 64);
      if (server) o.server = server;
      const port = toPort(v["DstPort"] as number | string | undefined);
      if (port !== undefined) o.port = port;
      const action = text(v["ResolverDecision"], 64);
      if (action) o.action = action;
      this.out.push(o);
      return undefined;
    }
    if (typeof v["HTTPHost"] === "string" || typeof v["URL"] === "string") {
      const target = typeof v["URL"] === "string" ? splitTarget(v["URL"]) : {};
      const host = text(v["HTTPHost"]) ?? target.host;
      if (!host) return undefined;
      const o: Observation = { source: SOURCE, kind: "http", time, host, ref };
      if (target.path) o.path = target.path;
      const method = text(v["HTTPMethod"], 32);
      if (method) o.method = method;
      const ua = text(v["UserAgent"]);
      if (ua) o.userAgent = ua;
      if (user) o.user = user;
      const client = text(v["SourceInternalIP"], 64) ?? text(v["SourceIP"], 64);
      if (client) o.client = client;
      const server = text(v["DestinationIP"], 64);
      if (server) o.server = server;
      const port = toPort(v["DestinationPort"] as number | string | undefined) ?? target.port;
      if (port !== undefined) o.port = port;
      const action = text(v["Action"], 64);
      if (action) o.action = bound(action, 64);
      this.out.push(o);
      return undefined;
    }
    return undefined;
  }
}

export const cloudflareFormat: LogFormatDefinition = {
  name: "cloudflare",
  description: "Cloudflare Gateway HTTP and DNS Logpush: JSON lines (auto-detected)",
  docsUrl: "https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_http/",
  detect: { record: (o) => "Datetime" in o && ("QueryName" in o || "HTTPHost" in o || "RequestID" in o || "ResolverDecision" in o || "ColoCode" in o) },
  createParser: (ctx) => new CloudflareParser(ctx),
};
