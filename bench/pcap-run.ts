/**
 * Child process of bench/pcap.ts: `node dist/bench/pcap-run.js FILE`. Runs the pcap
 * collector over FILE, writes every observation as the JSON line `extract` prints (to stdout, which
 * the bench points at /dev/null), and prints one JSON summary line on stderr: observations, errors,
 * seconds inside the process, peak RSS in bytes (`process.resourceUsage().maxRSS`).
 */
import { collect } from "../collectors/pcap/index.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: pcap-run FILE\n");
  process.exit(2);
}

const t0 = performance.now();
let observations = 0;
let errors = 0;
const out = process.stdout;
// The JSON line `extract` prints, written 256 lines at a time (one write per line would time the
// write system call more than the collector).
let lines: string[] = [];
for await (const o of collect(file, { onError: () => void errors++ })) {
  observations++;
  const { ref, ...rest } = o;
  lines.push(JSON.stringify({ frame: ref.frame, ...rest, ref }));
  if (lines.length === 256) {
    const ok = out.write(lines.join("\n") + "\n");
    lines = [];
    if (!ok) await new Promise((r) => out.once("drain", r));
  }
}
if (lines.length > 0) out.write(lines.join("\n") + "\n");
const seconds = (performance.now() - t0) / 1000;
process.stderr.write(`${JSON.stringify({ observations, errors, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
