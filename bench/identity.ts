/**
 * `npm run bench:identity` (compiles this file and what it imports into dist/, then runs it; or
 * `node dist/bench/identity.js [--users N] [--latency MS] [--quota N] [--concurrency N]`):
 * wall time of a live Google Workspace scan (`collectGoogle`, the real googleapis /
 * google-auth-library code over HTTPS) against the local Admin SDK test server
 * (collectors/google-workspace/__fixtures__/server.ts) that answers every call after `--latency`
 * ms (default 50) and allows `--quota` calls per minute (default 2,400, the Directory API's
 * default quota; over it: 403 userRateLimitExceeded), for `--users` users (default 10,000).
 *
 * Prints the wall time, the calls the scan needed (users.list pages + one tokens.list per user +
 * activities.list pages), the quota-imposed minimum (calls / quota per minute), and the ratio of
 * the two. The scan uses its defaults: 10 calls in parallel under a client-side ceiling of
 * 2,400 calls per minute (`google.maxCallsPerMinute`), retries with backoff for anything the
 * server refuses. It takes a little over calls / 40 s: about 4 min 10 s for 10,000 users.
 * Exits 1 when the scan did not read every grant. Not part of `npm test`.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { fakeTokenCount, fakeTokens, fakeUsers, startGoogleServer, type FakeActivity } from "../collectors/google-workspace/__fixtures__/server.js";
import { makeTestCert, trustTestCert } from "../collectors/google-workspace/__fixtures__/tls.js";
import { googleOptions } from "../collectors/google-workspace/config.js";
import { collectGoogle, type GoogleScanStats } from "../collectors/google-workspace/live.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "10000" },
    latency: { type: "string", default: "50" },
    quota: { type: "string", default: "2400" },
    concurrency: { type: "string" },
  },
});
const users = Number(values.users);
const latencyMs = Number(values.latency);
const quota = Number(values.quota);

const cert = makeTestCert();
// In-process equivalent of NODE_EXTRA_CA_CERTS=<cert> (see the fixture's docs).
const untrust = trustTestCert(cert.cert);
const now = new Date();
const activities: FakeActivity[] = Array.from({ length: 1500 }, (_, i) => ({
  time: new Date(now.getTime() - (i + 1) * 50_000).toISOString(),
  uniqueQualifier: String(i),
  actorEmail: `user${String(i % users).padStart(5, "0")}@example.com`,
  events: [{ name: "activity", parameters: [{ name: "client_id", value: "000000000011-chatgpt.apps.googleusercontent.com" }, { name: "app_name", value: "ChatGPT" }, { name: "num_response_bytes", intValue: "1024" }] }],
}));
const token = "ya29.bench-token-0123456789";
const server = await startGoogleServer({ users: fakeUsers(users), tokens: fakeTokens, activities, accessToken: token, latencyMs, quotaPerMinute: quota, usersPageSize: 500 }, cert);
const options = {
  ...googleOptions({ rootUrl: server.rootUrl, ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}) }, { SHADOW_AI_GOOGLE_ACCESS_TOKEN: token }),
  initialDays: 1,
  now: () => now,
};

process.stderr.write(`google-workspace live scan: ${users} users, ${latencyMs} ms per call, quota ${quota} calls/min, concurrency ${options.concurrency}, client ceiling ${options.maxCallsPerMinute} calls/min\n`);
const stats = {} as GoogleScanStats;
const errors: string[] = [];
let observations = 0;
const t0 = performance.now();
let lastPrint = 0;
for await (const _ of collectGoogle(options, {
  onError: (e) => errors.push(`${e.input}: ${e.message}`),
  onProgress: (done, total) => {
    const t = performance.now();
    if (total && t - lastPrint > 10_000) {
      lastPrint = t;
      process.stderr.write(`  ${done}/${total} users, ${((t - t0) / 1000).toFixed(0)} s\n`);
    }
  },
}, stats)) {
  observations++;
}
const wall = (performance.now() - t0) / 1000;
await server.close();
untrust();
cert.dispose();

const calls = server.stats.ok;
const minimum = (calls / quota) * 60;
const grantsOk = stats.grants === fakeTokenCount(users) && stats.users === users;
const rows: [string, string][] = [
  ["users", String(stats.users)],
  ["grants read", `${stats.grants} (expected ${fakeTokenCount(users)})`],
  ["token events read", String(stats.events)],
  ["calls needed (answered 200)", String(calls)],
  ["calls refused by the quota (403)", String(server.stats.quotaRejections)],
  ["retries", `${stats.retry.retries} ${JSON.stringify(stats.retry.byCause)}`],
  ["errors", String(errors.length)],
  ["wall time", `${wall.toFixed(1)} s`],
  ["quota-imposed minimum", `${minimum.toFixed(1)} s (${calls} calls / ${quota} per minute)`],
  ["ratio wall / minimum", `${(wall / minimum).toFixed(3)}`],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
for (const e of errors.slice(0, 5)) process.stdout.write(`error: ${e}\n`);
if (!grantsOk || errors.length > 0 || observations === 0) process.exitCode = 1;
