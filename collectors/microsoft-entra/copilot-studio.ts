/**
 * Copilot Studio agents from the Power Platform inventory API (opt-in: `microsoft.copilotStudio`).
 *
 * `POST {baseUrl}/resourcequery/resources/query?api-version=2024-10-01` with
 * `{TableName: "PowerPlatformResources", Clauses: [{$type: "where", FieldName: "type", Operator: "==",
 * Values: ["microsoft.copilotstudio/agents"]}], Options: {Top, SkipToken}}`; the answer is an Azure
 * Resource Graph result `{totalRecords, count, data: [...], skipToken}`, each row `{name, type,
 * location, properties: {displayName, ownerId, environmentId, createdAt, lastPublishedAt,
 * createdIn, botId, entraAppId, entraAgentId, isQuarantined, ...}}`.
 * https://learn.microsoft.com/power-platform/admin/inventory-api
 * https://learn.microsoft.com/power-platform/admin/inventory-schema-copilot-studio-agents
 *
 * The API accepts delegated user sign-in only: app-only tokens get HTTP 403. So this read signs a
 * person in with a device code (`@azure/identity` DeviceCodeCredential, a public client app named by
 * `microsoft.copilotStudio.clientId`), or uses `SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN` as is.
 * With only the scan's app credentials it says so and reads nothing.
 */
import { DeviceCodeCredential } from "@azure/identity";
import { agentRecordId, type AgentFacts } from "../../src/core/agent.js";
import type { CallRunner } from "../../src/io/retry.js";
import { isObject } from "../../src/io/json-file.js";
import { agentObservation, type AgentReadContext, type EntraAgent } from "./agents.js";
import { sfield } from "./directory.js";
import { describeGraphFailure } from "./retry.js";

/** Environment variable holding a delegated Power Platform API token used as is. */
export const POWER_PLATFORM_TOKEN_ENV = "SHADOW_AI_POWER_PLATFORM_ACCESS_TOKEN";
export const INVENTORY_API = "/resourcequery/resources/query";
export const INVENTORY_API_VERSION = "2024-10-01";
export const COPILOT_STUDIO_TYPE = "microsoft.copilotstudio/agents";
/** Authority hosts msal knows (auth.ts keeps the same list). */
const KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.microsoftonline.de"]);
/** Rows per page asked of the inventory API. */
const PAGE = 500;
/** Most pages read (a loop guard: 500 x 200 = 100,000 agents). */
const MAX_PAGES = 200;

/** How the Copilot Studio read authenticates. */
export type CopilotStudioAuth =
  | { kind: "token"; accessToken: string }
  | { kind: "deviceCode"; tenantId: string; clientId: string; authorityHost: string }
  | { kind: "appOnly" };

export interface CopilotStudioOptions {
  /** Power Platform API root (`https://api.powerplatform.com`), no trailing slash. */
  baseUrl: string;
  auth: CopilotStudioAuth;
  /** Where the device-code prompt goes (stderr by default). */
  prompt?: (message: string) => void;
}

/** A token for `scope` by device-code sign-in (the person opens the URL and types the code). */
async function deviceCodeToken(a: Extract<CopilotStudioAuth, { kind: "deviceCode" }>, scope: string, prompt: (m: string) => void): Promise<string> {
  const host = new URL(a.authorityHost).hostname.toLowerCase();
  const cred = new DeviceCodeCredential({
    tenantId: a.tenantId,
    clientId: a.clientId,
    authorityHost: a.authorityHost,
    // an authority msal does not know (a proxy, a test server) is used without instance discovery
    ...(KNOWN_AUTHORITY_HOSTS.has(host) ? {} : { disableInstanceDiscovery: true }),
    userPromptCallback: (info) => prompt(info.message),
  });
  const t = await cred.getToken(scope);
  return t.token;
}

/** A thrown HTTP failure in the shape describeGraphFailure reads (`statusCode`, `code`, `headers`). */
class HttpFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string | undefined,
    message: string,
    readonly headers: Headers,
  ) {
    super(message);
  }
}

/**
 * Read every Copilot Studio agent into `agents`; one that names an Entra agent identity
 * (`properties.entraAgentId`) joins that agent's record. Problems are notes; nothing throws.
 * @param secrets values to keep out of messages (the token is added).
 */
export async function readCopilotStudio(c: AgentReadContext, o: CopilotStudioOptions, runner: CallRunner, agents: Map<string, EntraAgent>, secrets: string[]): Promise<void> {
  if (o.auth.kind === "appOnly") {
    c.note(
      INVENTORY_API,
      "Copilot Studio agents not read: the Power Platform inventory API accepts delegated sign-in only (app-only tokens get HTTP 403), " +
        `and only app credentials are configured. Set microsoft.copilotStudio.clientId to a public client app (with "Allow public client flows") ` +
        `to sign in with a device code, or ${POWER_PLATFORM_TOKEN_ENV} to a delegated token for https://api.powerplatform.com`,
      false,
    );
    return;
  }
  const base = o.baseUrl.replace(/\/+$/, "");
  let token: string;
  try {
    token = o.auth.kind === "token" ? o.auth.accessToken : await deviceCodeToken(o.auth, "https://api.powerplatform.com/.default", o.prompt ?? ((m) => process.stderr.write(`shadow-ai: ${m}\n`)));
  } catch (e) {
    c.note(INVENTORY_API, `Copilot Studio agents not read: the device-code sign-in failed (${(e as Error).message.slice(0, 300)})`, false);
    return;
  }
  secrets.push(token);
  const byEntra = new Map([...agents.values()].filter((a) => a.facts.platform === "entra").map((a) => [a.facts.externalId, a]));
  let skipToken: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = {
      TableName: "PowerPlatformResources",
      Clauses: [{ $type: "where", FieldName: "type", Operator: "==", Values: [COPILOT_STUDIO_TYPE] }],
      Options: { Top: PAGE, ...(skipToken ? { SkipToken: skipToken } : {}) },
    };
    let result: Record<string, unknown>;
    try {
      result = (await runner.run(async () => {
        const res = await fetch(`${base}${INVENTORY_API}?api-version=${INVENTORY_API_VERSION}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) {
          let code: string | undefined;
          let message = text.slice(0, 300);
          try {
            const j = JSON.parse(text) as { error?: { code?: string; message?: string } };
            code = j.error?.code;
            message = j.error?.message ?? message;
          } catch {
            /* not JSON: keep the text */
          }
          throw new HttpFailure(res.status, code, message, res.headers);
        }
        const j = JSON.parse(text) as unknown;
        if (!isObject(j)) throw new Error("the answer is not a JSON object");
        return j;
      })) as Record<string, unknown>;
    } catch (e) {
      const f = describeGraphFailure(e);
      c.note(
        INVENTORY_API,
        f.status === 403
          ? `Copilot Studio agents not read (${c.say(f)}): the signed-in person needs a Power Platform admin role (or Copilot Studio inventory access); app-only tokens are refused`
          : `Copilot Studio agents: page ${page} failed after retries (${c.say(f)})`,
        page > 1,
      );
      return;
    }
    const rows = Array.isArray(result["data"]) ? result["data"] : [];
    for (const row of rows) {
      if (!isObject(row)) continue;
      const name = sfield(row, "name", 256)?.toLowerCase();
      const p = isObject(row["properties"]) ? row["properties"] : {};
      if (!name) continue;
      const displayName = sfield(p, "displayName") ?? name;
      const details: AgentFacts["details"] = {};
      for (const k of ["environmentId", "createdIn", "schemaName", "botId", "entraAppId"]) {
        const v = sfield(p, k, 256);
        if (v) details[k] = v;
      }
      const quarantined = p["isQuarantined"] === true;
      if (typeof p["isQuarantined"] === "boolean") details["isQuarantined"] = quarantined;
      const published = sfield(p, "lastPublishedAt", 40);
      const ownerId = sfield(p, "ownerId", 64)?.toLowerCase();
      const owner = ownerId ? { id: ownerId, type: "user" as const, ...(c.dir.user(ownerId) ? { name: c.dir.user(ownerId)!.upn } : {}) } : undefined;
      const entra = byEntra.get(sfield(p, "entraAgentId", 64)?.toLowerCase() ?? "");
      if (entra) {
        const a = entra.facts;
        Object.assign(a.details, Object.fromEntries(Object.entries(details).map(([k, v]) => [`copilotStudio.${k}`, v])));
        if (owner && !(a.owners ?? []).some((x) => x.id === owner.id)) a.owners = [...(a.owners ?? []), owner];
        if (published && (!a.lastActivity || published > a.lastActivity)) a.lastActivity = published;
        a.interactsWithPeople = true;
        entra.evidence[0] = agentObservation(a, c.time, "/servicePrincipals/microsoft.graph.agentIdentity");
        continue;
      }
      const created = sfield(p, "createdAt", 40);
      const facts: AgentFacts = {
        id: agentRecordId("copilot-studio", name),
        platform: "copilot-studio",
        source: c.source,
        externalId: name,
        name: displayName,
        ...(sfield(p, "entraAppId", 64) ? { appId: sfield(p, "entraAppId", 64)!.toLowerCase() } : {}),
        enabled: quarantined ? false : null,
        owners: owner ? [owner] : [],
        permissions: [],
        users: [],
        ...(published ? { lastActivity: published } : {}),
        ...(created ? { createdAt: created } : {}),
        // Copilot Studio agents are conversational unless built as autonomous: a candidate to confirm
        interactsWithPeople: true,
        details,
        notes: published ? [] : ["draft: never published"],
      };
      agents.set(facts.id, { facts, evidence: [agentObservation(facts, c.time, INVENTORY_API)] });
    }
    const next = sfield(result, "skipToken", 4096);
    if (!next || next === skipToken) return;
    skipToken = next;
  }
  c.note(INVENTORY_API, `Copilot Studio agents: more than ${MAX_PAGES} pages; the rest were not read`, true);
}
