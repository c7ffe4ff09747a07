import fs from 'node:fs';
import http from 'node:http';
import { ChildServer, freePort } from './peers';
import { passerelleSpec, type PasserelleStore } from './peers/passerelle';

/**
 * The `exports` part: `GET /exports/services.<format>` from a Passerelle child process (as `npm start` runs it),
 * one download at a time, read to the end without decompression: rows/s per format, the server's peak RSS
 * (VmHWM, Linux) after each, and how long `/healthz` takes to answer while a download runs (probed every 20 ms).
 */

export const EXPORT_BENCH_FORMATS = ['csv', 'ndjson', 'json', 'geojson', 'parquet', 'xlsx'] as const;
/** The targets: CSV on PostgreSQL at least this many rows/s; peak RSS under this many MB. */
export const EXPORT_GOALS = { csvRowsPerSecond: 50_000, peakRssMb: 300 };

export interface ExportFigures {
  format: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** The server's VmHWM after this export (MB): its peak since it started. */
  peakRssMb: number;
  /** /healthz while the export ran: how many probes, the median and the worst (ms). */
  probes: number;
  probeP50Ms: number;
  probeMaxMs: number;
}

export interface ExportsRun {
  engine: 'postgres' | 'pglite';
  services: number;
  /** VmHWM just before the first export (startup, migrations, territories). */
  startRssMb: number;
  figures: ExportFigures[];
}

function vmHwmMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function timedGet(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
      })
      .on('error', reject);
  });
}

/** Downloads `url` to the end, counting bytes and the rows (lines) where the format has one per line. */
function download(url: string): Promise<{ bytes: number; rowsHeader: string | undefined; status: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ bytes, rowsHeader: res.headers['x-export-generated-at'] as string | undefined, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measureExports(options: {
  store: PasserelleStore;
  services: number;
  workDir: string;
  formats?: readonly string[];
  log?: (line: string) => void;
}): Promise<ExportsRun> {
  const log = options.log ?? (() => {});
  const spec = passerelleSpec(options.store, await freePort(), options.workDir);
  const server = await ChildServer.start(spec);
  try {
    const startRssMb = vmHwmMb(server.pid);
    const figures: ExportFigures[] = [];
    for (const format of options.formats ?? EXPORT_BENCH_FORMATS) {
      const probes: number[] = [];
      let running = true;
      const prober = (async () => {
        while (running) {
          const { ms } = await timedGet(`${server.url}/healthz`);
          probes.push(ms);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const started = performance.now();
      const { bytes, status } = await download(`${server.url}/exports/services.${format}`);
      const seconds = (performance.now() - started) / 1000;
      running = false;
      await prober;
      if (status !== 200) throw new Error(`GET /exports/services.${format} answered ${status}`);
      const f: ExportFigures = {
        format,
        rows: options.services,
        bytes,
        seconds,
        rowsPerSecond: options.services / seconds,
        peakRssMb: vmHwmMb(server.pid),
        probes: probes.length,
        probeP50Ms: median(probes),
        probeMaxMs: Math.max(...probes),
      };
      figures.push(f);
      log(
        `exports (${'databaseUrl' in options.store ? 'postgres' : 'pglite'}): services.${format} ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s, ` +
          `${Math.round(f.rowsPerSecond).toLocaleString('en')} rows/s, peak RSS ${f.peakRssMb.toFixed(0)} MB, /healthz p50 ${f.probeP50Ms.toFixed(1)} ms max ${f.probeMaxMs.toFixed(1)} ms`,
      );
    }
    return { engine: 'databaseUrl' in options.store ? 'postgres' : 'pglite', services: options.services, startRssMb, figures };
  } finally {
    await server.stop();
  }
}
