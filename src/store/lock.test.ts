import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { acquireScanLock, LockedError, OWNER_GRACE_MS, STALE_MS } from "./lock.js";

const tmp = () => mkdtempSync(join(tmpdir(), "shadow-ai-lock-"));
const lockModule = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../dist/src/store/lock.js");

/** The pid of a process that has ended (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

const owner = (pid: number) => JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() });

describe("scan lock", () => {
  it("leaves an owner-only owner file naming the last taker, and takes the lock again after release", async () => {
    const db = join(tmp(), "inv.db");
    const release = await acquireScanLock(db, () => undefined);
    await expect(acquireScanLock(db, () => undefined)).rejects.toBeInstanceOf(LockedError);
    await release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(JSON.parse(readFileSync(`${db}.lock.owner`, "utf8")).pid).toBe(process.pid);
    expect(statSync(`${db}.lock.owner`).mode & 0o777).toBe(0o600);
    const again = await acquireScanLock(db, () => undefined);
    await again();
  });

  it("writes its owner file through no link left under the owner file's names", async () => {
    const dir = tmp();
    const db = join(dir, "inv.db");
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "keep me");
    symlinkSync(victim, `${db}.lock.owner.${process.pid}`);
    symlinkSync(victim, `${db}.lock.owner`);
    const release = await acquireScanLock(db, () => undefined);
    await release();
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(lstatSync(`${db}.lock.owner`).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(`${db}.lock.owner`, "utf8")).pid).toBe(process.pid);
  });

  it("refuses a lock whose owner is alive on this host, fresh or not", async () => {
    const db = join(tmp(), "inv.db");
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      mkdirSync(`${db}.lock`);
      writeFileSync(`${db}.lock.owner`, owner(live.pid!));
      await expect(acquireScanLock(db, () => undefined)).rejects.toThrow(/another scan is running/);
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("takes over at once a lock whose owner died, even one just taken (after the grace for its owner file)", async () => {
    const db = join(tmp(), "inv.db");
    const dead = deadPid();
    writeFileSync(`${db}.lock.owner`, owner(dead));
    mkdirSync(`${db}.lock`);
    const t0 = performance.now();
    const release = await acquireScanLock(db, () => undefined);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(OWNER_GRACE_MS * 0.8); // the lock was fresh: its taker had the grace to name itself
    expect(JSON.parse(readFileSync(`${db}.lock.owner`, "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("does not judge a lock by an owner file longer than the module writes: it is read no further", async () => {
    const db = join(tmp(), "inv.db");
    // a dead owner, padded past 4 KiB with JSON whitespace: read whole it would say "take it over"
    writeFileSync(`${db}.lock.owner`, owner(deadPid()) + " ".repeat(8192));
    mkdirSync(`${db}.lock`);
    await expect(acquireScanLock(db, () => undefined)).rejects.toBeInstanceOf(LockedError);
  });

  it("does not take a fresh lock whose live taker names itself within the grace", async () => {
    const db = join(tmp(), "inv.db");
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      // the previous taker has ended; a live one has just created the directory and not yet written its owner file
      writeFileSync(`${db}.lock.owner`, owner(deadPid()));
      mkdirSync(`${db}.lock`);
      setTimeout(() => writeFileSync(`${db}.lock.owner`, owner(live.pid!)), OWNER_GRACE_MS / 5);
      await expect(acquireScanLock(db, () => undefined)).rejects.toBeInstanceOf(LockedError);
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("is taken at once after its holder is killed at any instant, including the first lock of a database", async () => {
    // a process that takes and releases the lock as fast as it can, killed at random moments
    const script = `const { acquireScanLock } = await import(${JSON.stringify(lockModule)});
      const db = process.argv[1]; process.stdout.write("ready\\n");
      for (;;) { const release = await acquireScanLock(db, () => {}); await release(); }`;
    for (let k = 0; k < 16; k++) {
      const dbPath = join(tmp(), "inv.db"); // never locked before: the kill may come before its first owner file
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, dbPath], { stdio: ["ignore", "pipe", "inherit"] });
      const closed = new Promise((res) => child.once("close", res));
      await new Promise<void>((res) => child.stdout.once("data", () => res()));
      await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 40)));
      child.kill("SIGKILL");
      await closed;
      const t0 = performance.now();
      const release = await acquireScanLock(dbPath, () => undefined);
      // not left to go stale (30 s): taken once the grace for a fresh lock's owner file is over
      expect(performance.now() - t0).toBeLessThan(STALE_MS / 2);
      await release();
    }
  }, 60_000);
});
