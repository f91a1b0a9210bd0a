/**
 * `scan endpoints BUNDLE|DIR...`: MCP servers and local AI clients from endpoint bundles
 * (`collect-endpoint` output, bundle.ts) or from directory trees with one folder per host, each
 * holding home directories (`<host>/Users/<user>`, `<host>/home/<user>`, `<host>/root`, or the
 * homes directly under the host folder), read as `collect-endpoint --home` would.
 *
 * Every MCP server becomes one item (src/core/mcp.ts) grouped across hosts and users by its identity
 * (`mcp:npm:@playwright/mcp`, `mcp:url:api.githubcopilot.com/mcp`), with one observation per place
 * it is configured (host, user, client, file); every AI client present becomes an agent
 * (src/core/agent.ts, platform `endpoint`, `agent:endpoint:<client>`), with one observation per host
 * and user. Observations name the person as `<user>@<host>` (lower-case).
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { agentRecordId, type AgentFacts, type AgentItem } from "../../src/core/agent.js";
import type { McpInstall, McpServerFacts, McpServerItem } from "../../src/core/mcp.js";
import { MCP_PREFIX, mergeMcpFacts } from "../../src/core/mcp.js";
import type { Observation } from "../../src/core/observation.js";
import type { Source, SourceContext, SourceItem } from "../../src/core/source.js";
import { identityOf } from "./analyse.js";
import { BUNDLE_FORMAT, bundleSchema, type Bundle } from "./bundle.js";
import { CLIENTS, type ClientId } from "./clients.js";
import { collectHome, osOfHome } from "./discover.js";
import { bundleKey } from "./secrets.js";

export const SOURCE_ID = "endpoints";
/** Largest bundle read (bytes): a bundle holds one user's configuration, normally a few KiB. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** Read and validate one bundle file. @throws Error naming what is wrong (the caller adds the file). */
export function readBundle(file: string): Bundle {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error("not a regular file");
    if (st.size > MAX_BUNDLE_BYTES) throw new Error(`${st.size} bytes, more than the ${MAX_BUNDLE_BYTES}-byte bound for a bundle`);
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    text = buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const r = bundleSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`not a version-1 endpoint bundle: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}

/** The home directories of one host folder. */
function homesOf(hostDir: string): string[] {
  const dirs = (p: string): string[] => {
    try {
      return readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => join(p, e.name)).sort();
    } catch {
      return [];
    }
  };
  const homes: string[] = [];
  for (const base of ["Users", "home"]) homes.push(...dirs(join(hostDir, base)).filter((d) => !/[\\/](Public|Shared|Default|All Users|Default User)$/.test(d)));
  try {
    if (statSync(join(hostDir, "root")).isDirectory()) homes.push(join(hostDir, "root"));
  } catch {
    // no root home
  }
  return homes.length > 0 ? homes : dirs(hostDir);
}

/** The bundles of the inputs: bundle files as they are, host trees read home by home. */
function* bundlesOf(inputs: readonly string[], ctx: SourceContext): Generator<{ bundle: Bundle; input: string; tree: boolean }> {
  const key = bundleKey();
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch (e) {
      ctx.onError({ input, message: (e as NodeJS.ErrnoException).code === "ELOOP" ? "symbolic link loop" : `cannot read: ${(e as NodeJS.ErrnoException).code}`, partial: false });
      continue;
    }
    if (!isDir) {
      try {
        yield { bundle: readBundle(input), input, tree: false };
      } catch (e) {
        ctx.onError({ input, message: (e as Error).message, partial: false });
      }
      continue;
    }
    let hosts: string[];
    try {
      hosts = readdirSync(input, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
    } catch (e) {
      ctx.onError({ input, message: `cannot read: ${(e as NodeJS.ErrnoException).code}`, partial: false });
      continue;
    }
    for (const host of hosts) {
      for (const home of homesOf(join(input, host))) {
        const user = home.split(/[\\/]/).pop()!;
        const bundle = collectHome({ home, host, user, os: osOfHome(home), key, collectedAt: new Date().toISOString() });
        yield { bundle, input: home, tree: true };
      }
    }
  }
}

/** Build the items of all inputs: MCP servers grouped across hosts, then agents per client. */
async function* collect(inputs: readonly string[], ctx: SourceContext): AsyncIterable<SourceItem> {
  const servers = new Map<string, { facts: McpServerFacts; evidence: Observation[] }>();
  const agents = new Map<string, { facts: AgentFacts; evidence: Observation[]; hosts: Set<string> }>();
  for (const { bundle, tree } of bundlesOf(inputs, ctx)) {
    // A file this scan could not read in a host tree is an input error. In a bundle, the bundle was
    // read whole: what the endpoint could not read is a warning (a user's broken file is a finding).
    for (const p of bundle.problems) {
      const input = `${bundle.host.name}:${p.path}`;
      if (tree || !ctx.onWarning) ctx.onError({ input, message: p.reason, partial: false });
      else ctx.onWarning({ input, code: "endpoint-file-unread", count: 1, message: p.reason });
    }
    const host = bundle.host.name.toLowerCase();
    const person = `${bundle.user}@${bundle.host.name}`.toLowerCase();
    for (const s of bundle.servers) {
      const id = `${MCP_PREFIX}${identityOf(s.transport, s.url, s.command, s.args ?? [], s.package)}`.toLowerCase();
      const install: McpInstall = {
        host, user: bundle.user, client: s.client, file: s.file, scope: s.scope, ...(s.project ? { project: s.project } : {}), name: s.name,
        collectedAt: bundle.collectedAt, flags: s.flags, keyId: bundle.secretHash.keyId, env: s.env, headers: s.headers,
        ...(s.args ? { args: s.args } : {}), ...(s.disabled ? { disabled: true } : {}),
      };
      const facts: McpServerFacts = {
        id, source: SOURCE_ID, name: s.package?.name ?? (s.url ? id.slice(`${MCP_PREFIX}url:`.length) : id.slice(`${MCP_PREFIX}cmd:`.length)),
        transport: s.transport, ...(s.url ? { url: s.url } : {}), ...(s.command ? { command: s.command } : {}), ...(s.package ? { package: s.package } : {}),
        flags: s.flags, installs: [install],
      };
      const obs: Observation = {
        source: SOURCE_ID, kind: "endpoint_config", time: bundle.collectedAt, user: person, appName: s.name,
        ref: { file: s.file, id: `${host}|${bundle.user}|${s.client}|${s.scope}|${s.project ?? ""}|${s.name}`.slice(0, 1000) },
      };
      const g = servers.get(id);
      if (g) {
        g.facts = mergeMcpFacts(g.facts, facts);
        g.evidence.push(obs);
      } else servers.set(id, { facts: mergeMcpFacts(undefined, facts), evidence: [obs] });
    }
    for (const a of bundle.agents) {
      const client = a.client as ClientId;
      const meta = CLIENTS[client];
      if (!meta) continue;
      const id = agentRecordId("endpoint", client);
      const obs: Observation = { source: SOURCE_ID, kind: "endpoint_config", time: bundle.collectedAt, user: person, appName: meta.name, ref: { file: a.file, id: `${host}|${bundle.user}|${client}` } };
      let g = agents.get(id);
      if (!g) {
        g = {
          facts: {
            id, platform: "endpoint", source: SOURCE_ID, externalId: client, name: meta.name, publisher: meta.vendor, enabled: null, permissions: [], users: [],
            interactsWithPeople: meta.kind !== "model-runner", details: { kind: meta.kind, docs: meta.docs }, notes: [],
          },
          evidence: [],
          hosts: new Set(),
        };
        agents.set(id, g);
      }
      g.hosts.add(host);
      if (!g.facts.users.includes(person)) g.facts.users.push(person);
      g.evidence.push(obs);
    }
  }
  for (const { facts, evidence } of [...servers.values()].sort((a, b) => (a.facts.id < b.facts.id ? -1 : 1))) {
    yield { mcpServer: facts, evidence } satisfies McpServerItem;
  }
  for (const g of agents.values()) {
    g.facts.users.sort();
    g.facts.details["hosts"] = [...g.hosts].sort();
    yield { agent: g.facts, evidence: g.evidence } satisfies AgentItem;
  }
}

export const endpointsSource: Source = {
  id: SOURCE_ID,
  displayName: "Endpoint MCP and AI client configurations",
  description: "scan endpoint bundles (collect-endpoint) or host trees (<host>/Users|home/<user>) for MCP servers and local AI clients",
  docsUrl: "https://modelcontextprotocol.io/specification/2025-06-18/basic/transports",
  kind: "file",
  observationSources: [SOURCE_ID],
  configKey: "endpoints",
  credentials: [
    { env: "SHADOW_AI_ENDPOINT_KEY", secret: true, description: "key of the HMAC of secret values in bundles (collect-endpoint); a random key per bundle when unset" },
  ],
  perFile: false,
  directories: true,
  accept: (n) => /\.json$/i.test(n),
  sniff: (head) => head.text.includes(`"${BUNDLE_FORMAT}"`),
  collect,
};
