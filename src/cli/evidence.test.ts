/**
 * `evidence` on a record found in a capture: every frame and byte offset it gives holds the name,
 * as tshark (the reference dissector) and the capture's own bytes confirm; on a record from an
 * export, the API record ids.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/src/cli/main.js");
const capture = join(root, "examples/pcap/office-clients.pcap");
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root });
const tshark = spawnSync("tshark", ["--version"], { encoding: "utf8" }).status === 0;

interface Evidence {
  evidence: { kind: string; host: string | null; app: string | null; refs: { file?: string; frame?: number; offset?: number; api?: string; id?: string }[] }[];
}

describe("evidence", () => {
  const dir = mkdtempSync(join(tmpdir(), "shadow-ai-evidence-"));
  const db = join(dir, "inv.db");
  expect(cli(["--db", db, "--config", join(root, "examples/shadow-ai.yaml"), "scan"]).status).toBe(0);
  const records = JSON.parse(cli(["--db", db, "inventory", "--json"]).stdout) as { id: string; sources: string[]; evidence: Record<string, number> }[];

  it("gives frames and byte offsets of a capture that hold the name (checked in the capture's bytes)", () => {
    const rec = records.find((r) => r.sources.includes("pcap") && (r.evidence["tls"] ?? 0) > 0 && (r.evidence["dns"] ?? 0) > 0)!;
    expect(rec).toBeDefined();
    const ev = JSON.parse(cli(["--db", db, "evidence", rec.id, "--json", "--limit", "20"]).stdout) as Evidence;
    const bytes = readFileSync(capture);
    const items = ev.evidence.filter((e) => (e.kind === "tls" || e.kind === "dns") && e.refs.some((r) => r.file === capture));
    expect(items.length).toBeGreaterThan(1);
    for (const e of items) {
      const ref = e.refs.find((r) => r.file === capture)!;
      expect(Number.isInteger(ref.frame) && Number.isInteger(ref.offset)).toBe(true);
      // classic pcap: a 16-byte record header at `offset`, then incl_len bytes of packet
      const len = bytes.readUInt32LE(ref.offset! + 8);
      const packet = bytes.subarray(ref.offset! + 16, ref.offset! + 16 + len).toString("latin1");
      const host = e.host!.replace(/:\d+$/, "");
      // an SNI is sent as it is; a DNS name as length-prefixed labels
      for (const label of host.split(".")) expect(packet, `${e.kind} ${host} frame ${ref.frame}`).toContain(label);
    }
  });

  it.runIf(tshark)("gives frames that tshark decodes to the same names", () => {
    const rec = records.find((r) => r.sources.includes("pcap") && (r.evidence["tls"] ?? 0) > 0)!;
    const ev = JSON.parse(cli(["--db", db, "evidence", rec.id, "--json", "--limit", "20"]).stdout) as Evidence;
    for (const e of ev.evidence.filter((x) => x.kind === "tls" || x.kind === "dns")) {
      const ref = e.refs.find((r) => r.file === capture)!;
      const out = execFileSync("tshark", ["-r", capture, "-Y", `frame.number == ${ref.frame}`, "-T", "fields", "-e", "tls.handshake.extensions_server_name", "-e", "dns.qry.name"], { encoding: "utf8" });
      expect(out.split(/[\t\n,]/).map((s) => s.trim().toLowerCase()), `frame ${ref.frame}`).toContain(e.host!.replace(/:\d+$/, "").toLowerCase());
    }
  });

  it("gives the API record ids of a record from an export", () => {
    const rec = records.find((r) => r.sources.includes("microsoft-entra") && (r.evidence["oauth_grant"] ?? 0) > 0)!;
    const all = JSON.parse(cli(["--db", db, "evidence", rec.id, "--json", "--limit", "1000"]).stdout) as Evidence;
    const ev = { evidence: all.evidence.filter((e) => e.kind === "oauth_grant") };
    expect(ev.evidence.length).toBeGreaterThan(0);
    for (const e of ev.evidence) for (const r of e.refs) {
      expect(r.file).toMatch(/examples\/microsoft\//);
      expect(typeof r.id === "string" || typeof r.api === "string").toBe(true);
    }
    expect(ev.evidence.some((e) => e.refs.some((r) => typeof r.id === "string" && r.id.length > 0))).toBe(true);
  });

  it("exits 5 for a record with no evidence, and 2 for a bad --limit", () => {
    expect(cli(["--db", db, "evidence", "no-such-record"]).status).toBe(5);
    expect(cli(["--db", db, "evidence", records[0]!.id, "--limit", "0"]).status).toBe(2);
  });
});
