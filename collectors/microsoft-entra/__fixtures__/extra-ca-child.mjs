// Test-only child process: the same Graph client calls as live.ts, with TLS trust coming only from
// NODE_EXTRA_CA_CERTS, as in production behind a TLS-inspecting proxy.
// Usage: node extra-ca-child.mjs GRAPH_BASE_URL   (token in SHADOW_AI_GRAPH_ACCESS_TOKEN)
import { Client } from "@microsoft/microsoft-graph-client";

const base = process.argv[2];
const token = process.env.SHADOW_AI_GRAPH_ACCESS_TOKEN;
const client = Client.initWithMiddleware({
  authProvider: { getAccessToken: async () => token },
  customHosts: new Set([new URL(base).hostname]),
});
try {
  const upns = [];
  for (let next = `${base}/users?$select=id,userPrincipalName&$top=999`; next; ) {
    const page = await client.api(next).get();
    upns.push(...page.value.map((u) => u.userPrincipalName));
    next = page["@odata.nextLink"];
  }
  process.stdout.write(JSON.stringify({ users: upns.length, first: upns[0] }));
} catch (e) {
  process.stderr.write(`${e.message}${e.cause ? `: ${e.cause.message ?? e.cause}` : ""}\n`);
  process.exitCode = 1;
}
