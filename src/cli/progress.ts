/**
 * Progress of long work, drawn with `cli-progress` on stderr, and only when stderr is a terminal
 * and the output is not JSON: scheduled runs and pipes stay quiet.
 *
 * One line, fitted to the terminal's width: the phase (`pcap`), a bar, the percentage, the counts
 * in words (`12.3 of 456.7 MB`, `3 of 12 files`), the rate (`4.1 MB/s`), the time left
 * (`ETA 1m20s`) and the observations read so far. When the line is too wide the least useful
 * parts go first (rate, then observations, then the bar). {@link Progress.stop} clears the line
 * before a message; {@link Progress.close} clears it for good, at the end and on Ctrl-C.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** Set the current phase (`pcap: capture.pcap`) and its size in `unit`s when known. */
  phase(label: string, total: number | undefined, unit: string): void;
  /** Report `done` units of the current phase (and its total once known). */
  update(done: number, total?: number): void;
  /** Count one more observation read. */
  observed(n?: number): void;
  /** Clear the line and show the cursor again (before a message); the next update draws it again. */
  stop(): void;
  /** Clear the line for good (the end, Ctrl-C): later updates draw nothing. Safe to call more than once. */
  close(): void;
}

const NONE: Progress = { phase() {}, update() {}, observed() {}, stop() {}, close() {} };

const MB = 1_000_000;
/** The rate is measured over this much recent time. */
const WINDOW_MS = 10_000;

/** `1,234` */
function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A count of `unit`s in words: bytes as MB (SI, one decimal), anything else as an integer and its name. */
export function amount(done: number, total: number | undefined, unit: string): string {
  if (unit === "bytes") {
    const mb = (n: number) => (n / MB).toFixed(n < 10 * MB ? 1 : 0);
    return total !== undefined && total > 0 ? `${mb(done)} of ${mb(total)} MB` : `${mb(done)} MB`;
  }
  return total !== undefined && total > 0 ? `${int(done)} of ${int(total)} ${unit}` : `${int(done)} ${unit}`;
}

/** A rate per second in words: `4.1 MB/s`, `2.0 files/s`, `850 users/s`. */
export function rate(perSecond: number, unit: string): string {
  if (unit === "bytes") return `${(perSecond / MB).toFixed(1)} MB/s`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : int(perSecond)} ${unit}/s`;
}

/** `45s`, `3m04s`, `1h02m`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** What the line shows, before it is fitted. */
export interface ProgressState {
  label: string;
  unit: string;
  done: number;
  total: number | undefined;
  /** Units per second lately (0 while unknown). */
  perSecond: number;
  observations: number;
}

/**
 * The progress line for `state`, at most `width` columns: label, bar, percentage, counts, rate,
 * ETA and observations, dropping the rate, then the observations, then the bar when too wide.
 */
export function progressLine(state: ProgressState, width: number): string {
  const { done, total, unit, perSecond } = state;
  const known = total !== undefined && total > 0;
  const fraction = known ? Math.min(1, done / total) : 0;
  const eta = known && perSecond > 0 ? duration((total - done) / perSecond) : "";
  const label = state.label.length > 24 ? `…${state.label.slice(-23)}` : state.label;
  const parts = {
    pct: known ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : "",
    amount: amount(done, total, unit),
    rate: perSecond > 0 ? rate(perSecond, unit) : "",
    eta: eta ? `ETA ${eta}` : "",
    obs: `${int(state.observations)} observations`,
  };
  const compose = (withBar: boolean, keep: (keyof typeof parts)[]): string => {
    const tail = keep.map((k) => parts[k]).filter(Boolean).join(" | ");
    if (!withBar) return `${label} ${tail}`;
    const room = width - label.length - tail.length - 4;
    const barWidth = Math.min(30, room);
    if (barWidth < 8) return "";
    const filled = Math.round(fraction * barWidth);
    const bar = known ? "█".repeat(filled) + "░".repeat(barWidth - filled) : "░".repeat(barWidth);
    return `${label} [${bar}] ${tail}`;
  };
  const tries: [boolean, (keyof typeof parts)[]][] = [
    [true, ["pct", "amount", "rate", "eta", "obs"]],
    [true, ["pct", "amount", "eta", "obs"]],
    [true, ["pct", "amount", "eta"]],
    [false, ["pct", "amount", "eta"]],
    [false, ["pct", "amount"]],
  ];
  for (const [bar, keep] of tries) {
    const line = compose(bar, keep);
    if (line && line.length <= width) return line;
  }
  return compose(false, ["pct"]).slice(0, Math.max(0, width));
}

/** A progress bar on stderr when `enabled` and stderr is a TTY; otherwise one that draws nothing. */
export function createProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return NONE;
  const state: ProgressState = { label: "", unit: "", done: 0, total: undefined, perSecond: 0, observations: 0 };
  // (time, done) over the last seconds of the phase: the rate is the recent one, not the average
  // since a phase began with a jump (a file's first report)
  let samples: [number, number][] = [];
  const sample = () => {
    const now = Date.now();
    samples.push([now, state.done]);
    while (samples.length > 2 && now - samples[0]![0] > WINDOW_MS) samples.shift();
    const [t0, d0] = samples[0]!;
    state.perSecond = now - t0 >= 1000 ? ((state.done - d0) * 1000) / (now - t0) : state.perSecond;
  };
  // one column short of the width: a line that fills the last column makes some terminals wrap
  const width = () => Math.max(20, (stream.columns || 80) - 1);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: () => progressLine(state, width()),
      hideCursor: true,
      clearOnComplete: true,
      linewrap: false,
      fps: 5,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let closed = false;
  const draw = () => {
    if (closed) return;
    if (!started) {
      bar.start(state.total ?? 0, state.done);
      started = true;
    } else bar.update(state.done);
  };
  return {
    phase(label, total, unit) {
      if (label !== state.label || unit !== state.unit) {
        Object.assign(state, { label, unit, done: 0, perSecond: 0 });
        samples = [];
      }
      state.total = total;
      draw();
    },
    update(done, total) {
      state.done = done;
      if (total !== undefined) state.total = total;
      sample();
      if (state.label) draw();
    },
    observed(n = 1) {
      state.observations += n;
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
    close() {
      this.stop();
      closed = true;
    },
  };
}
