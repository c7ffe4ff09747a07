// Progress of a long operator's command (import, harvest, seed): on a terminal, a bar on stderr with the
// rows done, the rate and the time left (cli-progress); elsewhere (CI, logs, a server's output) nothing
// while it runs and one line when it ends, so logs are not flooded with redraws. stdout stays for the
// command's own result.
import cliProgress from 'cli-progress';

export interface Progress {
  /**
   * Where the work is: `done` out of `total` in the bar's unit (bytes of a file, pages, structures), and the
   * rows handled so far (shown, and counted for the rate).
   */
  update(done: number, rows?: number, total?: number): void;
  /** Ends the bar (or prints the one summary line). */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being done: `import`, `harvest dora`, `seed`. */
  label: string;
  /** The bar's total (bytes, pages…); 0 or absent: unknown, the bar shows rows only. */
  total?: number;
  /** What `rows` counts: `rows`, `records`, `structures`. */
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Force a mode (tests); default: a bar when the stream is a terminal. */
  tty?: boolean;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const unit = options.unit ?? 'rows';
  const started = Date.now();
  let rows = 0;
  let stopped = false;

  if (!tty) {
    return {
      update(_done, rowsSoFar) {
        if (rowsSoFar !== undefined) rows = rowsSoFar;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        const ms = Date.now() - started;
        const rate = ms > 0 ? (rows * 1000) / ms : 0;
        stream.write(`${options.label}: ${n(rows)} ${unit} in ${duration(ms)} (${n(rate)} ${unit}/s)\n`);
      },
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label} [{bar}] {percentage}% | {rows} ${unit} | {rate} ${unit}/s | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const ms = Date.now() - started;
    return { rows: n(rows), rate: n(ms > 0 ? (rows * 1000) / ms : 0) };
  };
  bar.start(options.total && options.total > 0 ? options.total : 1, 0, payload());
  return {
    update(done, rowsSoFar, total) {
      if (rowsSoFar !== undefined) rows = rowsSoFar;
      if (total !== undefined && total > 0) bar.setTotal(total);
      bar.update(done, payload());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.update(bar.getTotal(), payload());
      bar.stop();
    },
  };
}
