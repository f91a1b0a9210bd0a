/**
 * The reliability and security suite of unattended scans (issue #22): the built CLI run the way a
 * hostile tenant or a bad day would run it, case by case. It prints one line per case (`ok`,
 * `FAIL` or `skip`, with what it measured) and a summary line `N passed, N failed`, and exits 1 when
 * a case failed. Not a timed unit test: `npm run reliability` (after `npm run build`), and CI runs it.
 *
 * Cases: bad directory entries beside good files (symbolic link loop, dangling link, unreadable
 * directory, FIFO), FIFOs and devices as inputs and as configuration, a missing `--db` directory,
 * starved format detection, deeply nested and huge JSON exports, a closed stderr, repeated
 * `kill -9` of a long scan (integrity check, takeover at once, same inventory as an uninterrupted
 * scan), API endpoints that echo credentials back (no secret in any form in the database, WAL,
 * output or exports), a foreign `shadow-ai.yaml` in the working directory, refused and untrusted
 * endpoints (bounded time), and file modes under umask 022.
 *
 * Knobs: SHADOW_AI_RELIABILITY_KILLS (default 20), SHADOW_AI_RELIABILITY_TOKENS (tokens in the big
 * export, default 1,000,000), SHADOW_AI_RELIABILITY_ONLY (a substring of the case names to run).
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server } from "node:https";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { packageRoot } from "../core/paths.js";
import { secretForms } from "../io/redact.js";

const root = packageRoot();
const bin = join(root, "dist/src/cli/main.js");
const examples = join(root, "examples");
const work = mkdtempSync(join(tmpdir(), "shadow-ai-reliability-"));
const only = process.env["SHADOW_AI_RELIABILITY_ONLY"] ?? "";

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI with a hard time limit (a hang is a failure, not a wait). */
function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Run {
  const t0 = performance.now();
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd: opts.cwd ?? work,
    env: { ...process.env, SHADOW_AI_DB: "", ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: performance.now() - t0 };
}

/** {@link cli} without blocking this process: the cases whose test servers run in this process need it. */
function cliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const t0 = performance.now();
  return new Promise((done) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? work, env: { ...process.env, SHADOW_AI_DB: "", ...opts.env } });
    let stdout = "";
    let stderr = "";
    let signal: NodeJS.Signals | null = null;
    const timer = setTimeout(() => {
      signal = "SIGKILL";
      p.kill("SIGKILL");
    }, opts.timeoutMs ?? 60_000);
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    p.on("close", (code) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

function dir(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const results: { name: string; outcome: "ok" | "FAIL" | "skip"; detail: string }[] = [];

async function check(name: string, body: () => Promise<string> | string): Promise<void> {
  if (only && !name.includes(only)) return;
  try {
    const detail = await body();
    if (detail.startsWith("skip:")) results.push({ name, outcome: "skip", detail: detail.slice(5).trim() });
    else results.push({ name, outcome: "ok", detail });
  } catch (e) {
    results.push({ name, outcome: "FAIL", detail: (e as Error).message.split("\n").slice(0, 6).join(" | ") });
  }
  const r = results[results.length - 1]!;
  process.stdout.write(`${r.outcome.padEnd(4)} ${name}: ${r.detail}\n`);
}

function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

/** The common failure signs: an internal error, a stack trace, a hang. */
function sane(r: Run, what: string): void {
  expect(r.signal === null, `${what}: killed by ${r.signal} after ${Math.round(r.ms)} ms (a hang)`);
  expect(!/internal error|^\s+at .+\(.+:\d+:\d+\)$/m.test(r.stderr), `${what}: internal error or stack trace: ${r.stderr.slice(0, 300)}`);
}

function inventoryIds(db: string): string[] {
  const r = cli(["--db", db, "inventory", "--json"]);
  expect(r.code === 0, `inventory --json exit ${r.code}: ${r.stderr.slice(0, 200)}`);
  return (JSON.parse(r.stdout) as { id: string; evidence: Record<string, number> }[]).map((x) => `${x.id} ${JSON.stringify(x.evidence)}`).sort();
}

function pcapCopy(to: string): void {
  copyFileSync(join(examples, "pcap/office-clients.pcap"), to);
}

// ---------------------------------------------------------------- bad inputs beside good ones

await check("symlink loop, dangling link and FIFO beside a good capture", () => {
  const d = dir("bad-entries");
  pcapCopy(join(d, "good.pcap"));
  symlinkSync("loop-b.pcap", join(d, "loop-a.pcap"));
  symlinkSync("loop-a.pcap", join(d, "loop-b.pcap"));
  symlinkSync(join(d, "missing.pcap"), join(d, "dangling.pcap"));
  execFileSync("mkfifo", [join(d, "fifo.pcap")]);
  const db = join(d, "inv.db");
  const r = cli(["--db", db, "scan", "pcap", d], { timeoutMs: 30_000 });
  sane(r, "scan");
  expect(r.code === 3, `exit ${r.code}, expected 3: ${r.stderr.slice(0, 300)}`);
  for (const want of ["loop-a.pcap: symbolic link loop", "dangling.pcap: no such file", "fifo.pcap: not a regular file: a FIFO"]) {
    expect(r.stderr.includes(want), `stderr does not name "${want}": ${r.stderr.slice(0, 400)}`);
  }
  expect(inventoryIds(db).length > 0, "the good capture was not stored");
  return `exit 3 in ${Math.round(r.ms)} ms; each bad entry named; good capture stored`;
});

await check("unreadable subdirectory and file beside a good capture", async () => {
  if (process.getuid?.() === 0) {
    // Root reads every file whatever its mode, so nothing here is unreadable to it. What still must
    // not be read as root: a socket and a device named as evidence (opening /dev/zero or a socket would
    // read forever or fail late), named and skipped while the good capture beside them is stored.
    const d = dir("unreadable-root");
    pcapCopy(join(d, "good.pcap"));
    const sock = createNetServer();
    await new Promise<void>((res) => sock.listen(join(d, "socket.pcap"), () => res()));
    try {
      symlinkSync("/dev/zero", join(d, "zero.pcap"));
      const db = join(d, "inv.db");
      const r = await cliAsync(["--db", db, "scan", "pcap", d], { timeoutMs: 30_000 });
      sane(r, "scan");
      expect(r.code === 3, `exit ${r.code}, expected 3: ${r.stderr.slice(0, 300)}`);
      for (const want of ["socket.pcap: not a regular file: a socket", "zero.pcap: not a regular file: a character device"]) {
        expect(r.stderr.includes(want), `stderr does not name "${want}": ${r.stderr.slice(0, 400)}`);
      }
      expect(inventoryIds(db).length > 0, "the good capture was not stored");
      return `running as root (file modes do not stop root), so a socket and a device instead: exit 3 in ${Math.round(r.ms)} ms; each named; good capture stored`;
    } finally {
      await new Promise<void>((res) => sock.close(() => res()));
    }
  }
  const d = dir("unreadable");
  pcapCopy(join(d, "good.pcap"));
  pcapCopy(join(d, "secret.pcap"));
  chmodSync(join(d, "secret.pcap"), 0);
  mkdirSync(join(d, "locked"));
  pcapCopy(join(d, "locked", "inner.pcap"));
  chmodSync(join(d, "locked"), 0);
  const db = join(d, "inv.db");
  try {
    const r = cli(["--db", db, "scan", "pcap", d]);
    sane(r, "scan");
    expect(r.code === 3 && r.stderr.includes("secret.pcap") && r.stderr.includes("locked"), `exit ${r.code}: ${r.stderr.slice(0, 300)}`);
    expect(inventoryIds(db).length > 0, "the good capture was not stored");
  } finally {
    chmodSync(join(d, "locked"), 0o700); // so that the work directory can be removed
  }
  return "exit 3; the unreadable file and directory named; good capture stored";
});

await check("a FIFO or device given as capture, export or configuration never hangs", () => {
  const d = dir("fifos");
  const fifo = join(d, "x.pcap");
  execFileSync("mkfifo", [fifo]);
  const cases: [string[], number][] = [
    [["scan", "pcap", fifo], 3],
    [["scan", "google-export", fifo], 3],
    [["extract", fifo], 3],
    [["--config", fifo, "scan"], 2],
    [["--config", "/dev/zero", "scan"], 2],
    [["scan", "pcap", "/dev/zero"], 3],
  ];
  const out: string[] = [];
  for (const [args, code] of cases) {
    const r = cli(["--db", join(d, "inv.db"), ...args], { timeoutMs: 20_000 });
    sane(r, args.join(" "));
    expect(r.code === code, `${args.join(" ")}: exit ${r.code}, expected ${code}: ${r.stderr.slice(0, 200)}`);
    expect(/not a regular file/.test(r.stderr), `${args.join(" ")}: no clear reason: ${r.stderr.slice(0, 200)}`);
    out.push(`${args[args.length - 1] === fifo ? "fifo" : args[args.length - 1]} ${Math.round(r.ms)} ms`);
  }
  return `each refused with a reason: ${out.join(", ")}`;
});

await check("--db in a directory that does not exist", () => {
  const d = dir("nodir");
  const db = join(d, "state/deeper/inv.db");
  const r = cli(["--db", db, "scan", "pcap", join(examples, "pcap/office-clients.pcap")]);
  sane(r, "scan");
  expect(r.code === 0, `exit ${r.code}: ${r.stderr.slice(0, 200)}`);
  expect(existsSync(db), "database not created");
  return "created with its directories; exit 0";
});

await check("format detection cannot be starved: a 70 KB first line, a binary file, an empty file, a gzip of zeros", () => {
  const d = dir("starve");
  const good = Array.from({ length: 2000 }, (_, i) => `${1765094400 + i}.000    120 10.0.0.5 TCP_TUNNEL/200 3000 CONNECT api.openai.com:443 alice HIER_DIRECT/203.0.113.9 -`).join("\n");
  writeFileSync(join(d, "long-first.log"), "x".repeat(70_000) + "\n" + good + "\n");
  writeFileSync(join(d, "binary.log"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)));
  writeFileSync(join(d, "empty.log"), "");
  writeFileSync(join(d, "zeros.log.gz"), gzipSync(Buffer.alloc(8 * 1024 * 1024)));
  const out: string[] = [];
  for (const f of ["long-first.log", "binary.log", "empty.log", "zeros.log.gz"]) {
    const db = join(d, `${f}.db`);
    const r = cli(["--db", db, "scan", "logs", join(d, f), "--json"], { timeoutMs: 60_000 });
    sane(r, f);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { read?: number; errors?: unknown[]; warnings?: unknown[] };
    const said = (summary.errors ?? []).length + (summary.warnings ?? []).length;
    const silent = r.code === 0 && (summary.read ?? 0) === 0 && said === 0;
    expect(!silent, `${f}: exit 0 with nothing read and nothing said`);
    if (f === "long-first.log") expect((summary.read ?? 0) >= 2000, `${f}: ${summary.read} of the 2,000 good lines read`);
    out.push(`${f} exit ${r.code}${(summary.errors ?? []).length ? " (error)" : (summary.warnings ?? []).length ? " (warning)" : ""}`);
  }
  return out.join(", ");
});

await check("an export nested 1,000,000 arrays deep is refused clearly", () => {
  const d = dir("nested");
  const f = join(d, "deep.json");
  writeFileSync(f, '{"kind":"admin#directory#tokenList","items":' + "[".repeat(1_000_000) + "]".repeat(1_000_000) + "}");
  const r = cli(["--db", join(d, "inv.db"), "scan", "google-export", f], { timeoutMs: 60_000 });
  sane(r, "scan");
  expect(r.code === 3, `exit ${r.code}: ${r.stderr.slice(0, 300)}`);
  expect(!/Maximum call stack/.test(r.stderr), "stack overflow reached the user");
  return `exit 3 in ${Math.round(r.ms)} ms: ${r.stderr.trim().split("\n")[1]?.slice(0, 120) ?? ""}`;
});

await check("a Google export of many tokens is read in flat memory", async () => {
  const n = Number(process.env["SHADOW_AI_RELIABILITY_TOKENS"] ?? 1_000_000);
  const d = dir("big-export");
  const f = join(d, "whole-domain.json");
  const out = createWriteStream(f);
  const w = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once("drain", () => res())));
  await w("[");
  for (let u = 0; u < n / 10; u++) {
    const items = Array.from({ length: 10 }, (_, i) => ({
      kind: "admin#directory#token", clientId: `${100000 + ((u * 10 + i) % 5000)}-app.apps.googleusercontent.com`, displayText: i === 0 ? "ChatGPT" : `App ${i}`,
      scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email"], userKey: `u${u}`, anonymous: false, nativeApp: false,
    }));
    await w((u ? "," : "") + JSON.stringify({ user: `user${u}@example.com`, items }));
  }
  await w("]");
  await new Promise<void>((res) => out.end(() => res()));
  const size = statSync(f).size;
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, "--db", join(d, "inv.db"), "scan", "google-export", f, "--json"], {
    encoding: "utf8", timeout: 600_000, killSignal: "SIGKILL", env: { ...process.env, SHADOW_AI_DB: "" }, maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  expect(r.signal === null, `killed by ${r.signal}`);
  const rssMb = Number(r.stderr.trim().split("\n").pop()) / 1024;
  expect(Number.isFinite(rssMb), `no peak RSS measured: ${r.stderr.slice(-300)}`);
  expect(rssMb < 200, `peak RSS ${rssMb.toFixed(0)} MB (target under 200 MB)`);
  return `${n.toLocaleString("en")} tokens (${(size / 1e6).toFixed(0)} MB): peak RSS ${rssMb.toFixed(0)} MB, ${(ms / 1000).toFixed(1)} s, exit ${r.status}`;
});

await check("a closed stderr ends output, not the scan", () => {
  const d = dir("closed-stderr");
  const db = join(d, "inv.db");
  const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" --db "${db}" scan pcap "${join(examples, "pcap")}" 2>&1 | head -c 1 >/dev/null`], { encoding: "utf8", timeout: 60_000 });
  expect(r.signal === null, "hang");
  const status = new Database(db, { readonly: true }).prepare("SELECT status FROM scans ORDER BY id DESC LIMIT 1").pluck().get();
  expect(status === "complete", `scan ended ${String(status)}`);
  return "scan complete though its reader went away";
});

// ---------------------------------------------------------------- kill -9

await check("repeated kill -9 of a long scan: intact database, takeover at once, same inventory", async () => {
  const kills = Number(process.env["SHADOW_AI_RELIABILITY_KILLS"] ?? 20);
  const d = dir("kills");
  // a long scan: many copies of the sample captures with distinct contents (a rewritten time stamp per copy)
  const src = readFileSync(join(examples, "pcap/office-clients.pcap"));
  for (let i = 0; i < 30; i++) {
    const b = Buffer.from(src);
    // shift every record's seconds by i days (classic pcap, little-endian: records start at byte 24)
    for (let off = 24; off + 16 <= b.length; ) {
      b.writeUInt32LE(b.readUInt32LE(off) + i * 86_400, off);
      off += 16 + b.readUInt32LE(off + 8);
    }
    writeFileSync(join(d, `c${String(i).padStart(2, "0")}.pcap`), b);
  }
  const clean = join(d, "clean.db");
  const r0 = cli(["--db", clean, "scan", "pcap", d], { timeoutMs: 300_000 });
  expect(r0.code === 0, `clean scan exit ${r0.code}: ${r0.stderr.slice(0, 200)}`);
  const want = inventoryIds(clean);
  const db = join(d, "killed.db");
  let killedMidway = 0;
  for (let k = 0; k < kills; k++) {
    const child = spawn(process.execPath, [bin, "--db", db, "scan", "pcap", d], { stdio: "ignore", env: { ...process.env, SHADOW_AI_DB: "" } });
    // listen before waiting: a scan with nothing new left may finish (and emit "close") before the kill
    const closed = new Promise<[number | null, string | null]>((res) => child.once("close", (code, signal) => res([code, signal])));
    await new Promise((res) => setTimeout(res, 150 + Math.floor(Math.random() * 1200)));
    const alive = child.exitCode === null && child.signalCode === null;
    child.kill("SIGKILL");
    const [code, signal] = await closed;
    if (alive) killedMidway++;
    // a scan that ended before its kill must have taken the lock over and finished (not exit 7, locked)
    expect(signal === "SIGKILL" || code === 0, `scan ${k + 1} of the kill loop ended by itself with exit ${code}`);
    if (existsSync(db)) {
      const ok = new Database(db).pragma("integrity_check", { simple: true });
      expect(ok === "ok", `integrity_check after kill ${k + 1}: ${String(ok)}`);
    }
  }
  const t0 = performance.now();
  const r = cli(["--db", db, "scan", "pcap", d], { timeoutMs: 300_000 });
  expect(r.code === 0, `the scan right after the last kill: exit ${r.code}: ${r.stderr.slice(0, 200)}`);
  const got = inventoryIds(db);
  expect(JSON.stringify(got) === JSON.stringify(want), `inventory differs from an uninterrupted scan: ${got.length} vs ${want.length} records`);
  return `${kills} kills (${killedMidway} mid-scan): integrity ok each time; next scan started at once (${Math.round(performance.now() - t0)} ms) and matched the clean inventory (${want.length} records)`;
});

// ---------------------------------------------------------------- credentials

/** Secrets with the characters that change under URL, JSON and base64 encoding. */
const SECRETS: Record<string, string> = {
  SHADOW_AI_GOOGLE_ACCESS_TOKEN: "ya29.FAKE~goog+le/tok=en%41-0123456789",
  SHADOW_AI_GRAPH_ACCESS_TOKEN: "eyFAKE~graph+tok/en=%42-0123456789",
  AZURE_CLIENT_SECRET: "FAKE~azure+secret/with=sign%43",
  AZURE_CLIENT_CERTIFICATE_PASSWORD: "FAKE~cert+pass/word=%44",
  SHADOW_AI_PSEUDONYM_KEY: "FAKE~pseudonym+key/value=%45-0123456789",
};

interface Echo {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** An HTTPS server that answers every request with an error quoting the whole request back. */
async function echoServer(cert: { cert: string; key: string }): Promise<Echo> {
  const state = { requests: 0 };
  const server: Server = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    state.requests++;
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const echo = `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`;
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      if (/openid-configuration$/.test(url.pathname)) {
        const t = url.pathname.split("/")[1];
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ token_endpoint: `https://127.0.0.1:${(server.address() as { port: number }).port}/${t}/oauth2/v2.0/token`, issuer: `https://127.0.0.1/${t}/v2.0`, authorization_endpoint: "https://127.0.0.1/x" }));
        return;
      }
      res.writeHead(/token$/.test(url.pathname) ? 400 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 401, message: `echo: ${echo}`, status: "UNAUTHENTICATED" }, error_description: `echo: ${echo}` }));
    });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

function selfSigned(d: string): { cert: string; key: string; certFile: string } {
  const certFile = join(d, "cert.pem");
  const keyFile = join(d, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile };
}

/** Every place a secret could land: the database, its WAL, outputs, exports. */
function leaks(texts: Record<string, string | Buffer>): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    const forms = secretForms(secret).filter((f) => f.length >= 12);
    for (const [where, text] of Object.entries(texts)) {
      const hay = Buffer.isBuffer(text) ? text.toString("latin1") : text;
      for (const f of forms) if (hay.includes(f)) found.push(`${name} as "${f.slice(0, 12)}…" in ${where}`);
    }
  }
  return found;
}

await check("endpoints that echo credentials back: no secret in any form in database, WAL, output or exports", async () => {
  const d = dir("echo");
  const cert = selfSigned(d);
  const echo = await echoServer(cert);
  try {
    const cfg = join(d, "shadow-ai.yaml");
    writeFileSync(
      cfg,
      `sources:\n  pcap: [${join(examples, "pcap")}]\ngoogle:\n  rootUrl: ${echo.url}/\n  tokenUrl: ${echo.url}/token\nmicrosoft:\n  graphBaseUrl: ${echo.url}/v1.0\n  authorityHost: ${echo.url}\n  tenantId: 00000000-0000-0000-0000-0000000000aa\n  clientId: 00000000-0000-0000-0000-0000000000bb\n`,
    );
    chmodSync(cfg, 0o600);
    const db = join(d, "inv.db");
    const env = { ...SECRETS, NODE_EXTRA_CA_CERTS: cert.certFile };
    const texts: Record<string, string | Buffer> = {};
    const runs: [string, string[], NodeJS.ProcessEnv][] = [
      ["scan (tokens)", ["--config", cfg, "scan"], env],
      ["scan google", ["--config", cfg, "scan", "google"], env],
      ["scan microsoft (token)", ["--config", cfg, "scan", "microsoft"], env],
      ["scan microsoft (client secret)", ["--config", cfg, "scan", "microsoft"], { ...env, SHADOW_AI_GRAPH_ACCESS_TOKEN: "" }],
    ];
    for (const [name, args, e] of runs) {
      const r = await cliAsync(["--db", db, ...args], { env: e, timeoutMs: 240_000 });
      sane(r, name);
      texts[`${name} stdout`] = r.stdout;
      texts[`${name} stderr`] = r.stderr;
    }
    expect(echo.requests > 0, "no request reached the echo server");
    for (const fmt of ["json", "csv", "csv-users", "cyclonedx", "html"]) {
      const out = join(d, `export.${fmt}`);
      const r = await cliAsync(["--db", db, "--config", cfg, "inventory", "--format", fmt, "--out", out, "--pseudonymize"], { env });
      expect(r.code === 0, `export ${fmt}: exit ${r.code} ${r.stderr.slice(0, 200)}`);
      texts[`export ${fmt}`] = readFileSync(out);
    }
    const scans = cli(["--db", db, "scans", "--json"]);
    texts["scans --json"] = scans.stdout;
    for (const f of readdirSync(d)) if (f.startsWith("inv.db")) texts[f] = readFileSync(join(d, f));
    const found = leaks(texts);
    expect(found.length === 0, found.slice(0, 5).join("; "));
    return `${echo.requests} requests echoed; ${Object.keys(texts).length} outputs and files searched for ${Object.keys(SECRETS).length} secrets in ${secretForms(SECRETS["AZURE_CLIENT_SECRET"]!).length}+ forms each: none found`;
  } finally {
    await echo.close();
  }
});

await check("a foreign shadow-ai.yaml in the working directory is refused and no request is sent", async () => {
  const d = dir("foreign");
  const cert = selfSigned(d);
  const echo = await echoServer(cert);
  try {
    const cfg = join(d, "shadow-ai.yaml");
    writeFileSync(cfg, `google:\n  rootUrl: ${echo.url}/\n`);
    if (process.getuid?.() === 0) chmodSync(cfg, 0o666);
    else chmodSync(cfg, 0o666);
    const r = await cliAsync(["--db", join(d, "inv.db"), "scan"], { cwd: d, env: { SHADOW_AI_GOOGLE_ACCESS_TOKEN: SECRETS["SHADOW_AI_GOOGLE_ACCESS_TOKEN"]!, NODE_EXTRA_CA_CERTS: cert.certFile } });
    sane(r, "scan");
    expect(r.code === 2, `exit ${r.code}: ${r.stderr.slice(0, 200)}`);
    expect(/refused/.test(r.stderr), `no refusal: ${r.stderr.slice(0, 200)}`);
    expect(echo.requests === 0, `${echo.requests} request(s) sent`);
    // and one owned by another user (root can make one)
    if (process.getuid?.() === 0) {
      chmodSync(cfg, 0o644);
      execFileSync("chown", ["65534:65534", cfg]);
      const r2 = await cliAsync(["--db", join(d, "inv.db"), "scan"], { cwd: d, env: { SHADOW_AI_GOOGLE_ACCESS_TOKEN: SECRETS["SHADOW_AI_GOOGLE_ACCESS_TOKEN"]!, NODE_EXTRA_CA_CERTS: cert.certFile } });
      expect(r2.code === 2 && /belongs to user 65534/.test(r2.stderr), `foreign owner: exit ${r2.code}: ${r2.stderr.slice(0, 200)}`);
      expect(echo.requests === 0, `${echo.requests} request(s) sent`);
    }
    return "refused (world-writable; and owned by another user when the suite runs as root); 0 requests";
  } finally {
    await echo.close();
  }
});

await check("a live scan against a refused port or an untrusted certificate fails in bounded time with the reason", async () => {
  const d = dir("refused");
  const cert = selfSigned(d);
  const echo = await echoServer(cert);
  const port = Number(new URL(echo.url).port);
  await echo.close();
  const cfg = join(d, "refused.yaml");
  writeFileSync(cfg, `google:\n  rootUrl: https://127.0.0.1:${port}/\n`);
  const r = await cliAsync(["--db", join(d, "inv.db"), "--config", cfg, "scan", "google"], { env: { SHADOW_AI_GOOGLE_ACCESS_TOKEN: "x".repeat(20) }, timeoutMs: 120_000 });
  sane(r, "refused");
  expect(r.code !== 0, "exit 0 against a refused port");
  expect(/ECONNREFUSED|unreachable/.test(r.stderr), `reason not named: ${r.stderr.slice(0, 300)}`);
  const echo2 = await echoServer(cert);
  try {
    const cfg2 = join(d, "untrusted.yaml");
    writeFileSync(cfg2, `google:\n  rootUrl: ${echo2.url}/\n`);
    const r2 = await cliAsync(["--db", join(d, "inv2.db"), "--config", cfg2, "scan", "google"], { env: { SHADOW_AI_GOOGLE_ACCESS_TOKEN: "x".repeat(20), NODE_EXTRA_CA_CERTS: "" }, timeoutMs: 120_000 });
    sane(r2, "untrusted");
    expect(r2.code !== 0, "exit 0 against an untrusted certificate");
    expect(/certificate|CERT/i.test(r2.stderr), `reason not named: ${r2.stderr.slice(0, 300)}`);
    return `refused port: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s; untrusted certificate: exit ${r2.code} in ${(r2.ms / 1000).toFixed(1)} s`;
  } finally {
    await echo2.close();
  }
});

// ---------------------------------------------------------------- data at rest

await check("database, WAL, SHM, lock and every export are owner-only under umask 022", () => {
  const d = dir("modes");
  const db = join(d, "inv.db");
  const script = `umask 022; "${process.execPath}" "${bin}" --db "${db}" scan pcap "${join(examples, "pcap")}" >/dev/null 2>&1; ` +
    `for f in json csv csv-users cyclonedx html; do "${process.execPath}" "${bin}" --db "${db}" inventory --format $f --out "${d}/out.$f" >/dev/null 2>&1; done; ` +
    `SHADOW_AI_PSEUDONYM_KEY=0123456789abcdef0123456789abcdef0123456789 "${process.execPath}" "${bin}" --db "${db}" inventory --format csv --pseudonymize --out "${d}/out.pseudo.csv" >/dev/null 2>&1; exit 0`;
  execFileSync("sh", ["-c", script]);
  for (const f of ["inv.db", "out.json", "out.csv", "out.csv-users", "out.cyclonedx", "out.html", "out.pseudo.csv"]) expect(existsSync(join(d, f)), `${f} was not written`);
  // the WAL and SHM exist while a connection is open: hold one, then look
  const hold = new Database(db);
  hold.pragma("journal_mode = WAL");
  hold.prepare("SELECT count(*) FROM observations").get();
  const bad: string[] = [];
  for (const f of readdirSync(d)) {
    const mode = statSync(join(d, f)).mode & 0o777;
    if (f.endsWith(".lock")) continue;
    if ((mode & 0o077) !== 0) bad.push(`${f} ${mode.toString(8)}`);
  }
  hold.close();
  // the lock directory exists only during a scan: take it as a scan would
  const lockProbe = spawnSync(process.execPath, ["--input-type=module", "-e", `
    const { acquireScanLock } = await import(${JSON.stringify(join(root, "dist/src/store/lock.js"))});
    process.umask(0o077);
    const release = await acquireScanLock(${JSON.stringify(db)}, () => {});
    const { statSync } = await import("node:fs");
    console.log((statSync(${JSON.stringify(db + ".lock")}).mode & 0o777).toString(8));
    await release();`], { encoding: "utf8", input: "" });
  const lockMode = lockProbe.stdout.trim();
  if (lockMode && lockMode !== "700") bad.push(`inv.db.lock ${lockMode}`);
  expect(bad.length === 0, `not owner-only: ${bad.join(", ")}`);
  return `${readdirSync(d).length} files owner-only (0600), lock directory ${lockMode || "?"}`;
});

rmSync(work, { recursive: true, force: true });
const passed = results.filter((r) => r.outcome === "ok").length;
const failed = results.filter((r) => r.outcome === "FAIL").length;
const skipped = results.filter((r) => r.outcome === "skip").length;
process.stdout.write(`reliability: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 ? 1 : 0;
