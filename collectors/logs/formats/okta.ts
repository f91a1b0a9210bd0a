/**
 * The Okta System Log: events as `GET /api/v1/logs` returns them (a JSON array per page, saved
 * whole) or as exported / streamed one JSON object per line.
 *
 * - OAuth consent: `app.oauth2.as.consent.grant` (custom authorization server),
 *   `app.oauth2.consent.grant` (org server) and `app.oauth2.admin.consent.grant` become
 *   `oauth_event` observations with `action` the event type; `scopes` are the display names of
 *   the `ConsentGrant` targets (Okta writes one target per scope), `clientId` is their
 *   `detailEntry.publicclientapp` (or the id of a `PublicClientApp`/`AppInstance` target), and
 *   `appName` the display name of such an app target when Okta gives one. Consent and token
 *   revocations (`app.oauth2.*revoke*`) are read the same way, with `action` saying so.
 * - SSO: `user.authentication.sso` becomes a `signin` with `appName` from the `AppInstance`
 *   target, and `clientId` its id when the sign-on mode is OpenID Connect (an OIDC app's client
 *   ID is its app instance id).
 * - Every observation has the actor's `alternateId` (the login, lower-cased) as `user`,
 *   `client.ipAddress`, `client.userAgent.rawUserAgent`, `published` as time and the event
 *   `uuid` as `ref.id`. A failed outcome is appended to `action` (`...: FAILURE`).
 * - Other event types are skipped silently: a full System Log export is mostly other events.
 *
 * https://developer.okta.com/docs/reference/api/system-log/, https://developer.okta.com/docs/reference/api/event-types/
 */
import { bound, type Observation } from "../../../src/core/observation.js";
import { at, isoFromRfc3339, isRecord, isWrapped, text, unwrapRecord, userOf, type LineParser, type LogFormatDefinition, type ParseResult, type ParserContext, jsonLine } from "../common/index.js";

const SOURCE = "logs:okta";

const CONSENT_GRANTS = new Set(["app.oauth2.as.consent.grant", "app.oauth2.consent.grant", "app.oauth2.admin.consent.grant"]);
const SSO = "user.authentication.sso";
const APP_TARGETS = new Set(["AppInstance", "PublicClientApp", "Application"]);

/** Most scopes kept from one event. */
const MAX_SCOPES = 256;

export class OktaParser implements LineParser {
  out: Observation[] = [];
  readonly json = true;

  constructor(private readonly ctx: ParserContext) {}

  line(t: string, start: number, end: number, line: number, offset: number): ParseResult {
    return jsonLine(this, t, start, end, line, offset);
  }

  record(value: unknown, line: number, offset: number): ParseResult {
    const v = isRecord(value) && isWrapped(value) ? unwrapRecord(value) : value;
    if (!isRecord(v)) return "expected an Okta System Log event (a JSON object)";
    const type = v["eventType"];
    if (typeof type !== "string") return "expected an Okta System Log event with a string 'eventType'";
    const consent = CONSENT_GRANTS.has(type);
    const revoke = !consent && type.startsWith("app.oauth2.") && type.includes("revoke");
    const sso = type === SSO;
    if (!consent && !revoke && !sso) return undefined;
    const time = isoFromRfc3339(v["published"]);
    if (!time) return `'published': expected an ISO 8601 time, found ${JSON.stringify(String(v["published"]).slice(0, 40))}`;
    const targets = Array.isArray(v["target"]) ? v["target"].filter(isRecord) : [];
    const result = text(at(v, "outcome.result"), 32);
    const o: Observation = {
      source: SOURCE,
      kind: sso ? "signin" : "oauth_event",
      time,
      action: bound(result && result !== "SUCCESS" ? `${type}: ${result}` : type, 128),
      ref: { file: this.ctx.file, line, offset },
    };
    const uuid = text(v["uuid"], 64);
    if (uuid) o.ref.id = uuid;
    const user = userOf(at(v, "actor.alternateId"));
    if (user) o.user = user;
    // `client.ipAddress` is empty or null on some events (API-token calls, some SSO flows); the
    // request's IP chain then still names the client: its first entry is the original client.
    const ip = text(at(v, "client.ipAddress"), 64) ?? firstChainIp(at(v, "request.ipChain"));
    if (ip) o.client = ip;
    const ua = text(at(v, "client.userAgent.rawUserAgent"));
    if (ua) o.userAgent = ua;
    const app = targets.find((x) => typeof x["type"] === "string" && APP_TARGETS.has(x["type"]));
    const appName = app ? (text(app["displayName"]) ?? text(app["alternateId"])) : undefined;
    if (appName) o.appName = appName;
    if (sso) {
      const mode = String(at(v, "debugContext.debugData.signOnMode") ?? at(app, "detailEntry.signOnModeType") ?? "");
      const appId = app ? text(app["id"], 128) : undefined;
      if (appId && /openid|oidc/i.test(mode)) o.clientId = appId;
    } else {
      const scopes = new Set<string>();
      let clientId: string | undefined;
      for (const x of targets) {
        if (x["type"] === "ConsentGrant") {
          const s = text(x["displayName"], 256);
          if (s && scopes.size < MAX_SCOPES) scopes.add(s);
          clientId ??= text(at(x, "detailEntry.publicclientapp"), 128);
        }
      }
      clientId ??= app ? text(app["id"], 128) : undefined;
      clientId ??= text(at(v, "debugContext.debugData.clientId"), 128);
      if (clientId) o.clientId = clientId;
      if (scopes.size > 0) o.scopes = [...scopes];
    }
    this.out.push(o);
    return undefined;
  }
}

/** `request.ipChain[0].ip`: the client address Okta saw first, or undefined. */
function firstChainIp(chain: unknown): string | undefined {
  if (!Array.isArray(chain)) return undefined;
  for (const hop of chain.slice(0, 8)) {
    const ip = text(at(hop, "ip"), 64);
    if (ip) return ip;
  }
  return undefined;
}

export const oktaFormat: LogFormatDefinition = {
  name: "okta",
  description: "Okta System Log: JSON lines or GET /api/v1/logs responses, also inside SIEM exports (auto-detected)",
  docsUrl: "https://developer.okta.com/docs/reference/api/system-log/",
  detect: { record: (o) => "eventType" in o && "published" in o && ("actor" in o || "uuid" in o || "outcome" in o) },
  createParser: (ctx) => new OktaParser(ctx),
};
