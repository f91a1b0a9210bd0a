/**
 * Progress of long work, drawn with `cli-progress` on stderr, and only when stderr is a terminal
 * and the output is not JSON: scheduled runs and pipes stay quiet.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** Set the current phase (`pcap: capture.pcap`) and its size in `unit`s when known. */
  phase(label: string, total: number | undefined, unit: string): void;
  /** Report `done` units of the current phase (and its total once known). */
  update(done: number, total?: number): void;
  /** Count one more observation read. */
  observed(n?: number): void;
  stop(): void;
}

const NONE: Progress = { phase() {}, update() {}, observed() {}, stop() {} };

/** A progress bar on stderr when `enabled` and stderr is a TTY; otherwise one that draws nothing. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "{label} [{bar}] {value}/{total} {unit} | {observations} observations",
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let observations = 0;
  let started = false;
  return {
    phase(label, total, unit) {
      const payload = { label: label.length > 40 ? `…${label.slice(-39)}` : label, unit, observations };
      if (!started) {
        bar.start(total ?? 0, 0, payload);
        started = true;
      } else {
        bar.setTotal(total ?? 0);
        bar.update(0, payload);
      }
    },
    update(done, total) {
      if (!started) return;
      if (total !== undefined) bar.setTotal(total);
      bar.update(done, { observations });
    },
    observed(n = 1) {
      observations += n;
      if (started && observations % 1000 === 0) bar.update({ observations });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
