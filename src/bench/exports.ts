import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ChildServer, freePort } from './peers';
import { passerelleSpec, type PasserelleStore } from './peers/passerelle';

/**
 * The `exports` part: `GET /exports/services.<format>` from a Passerelle child process (as `npm start` runs it),
 * one download at a time, read to the end without decompression: rows/s per format, the server's peak RSS
 * (VmHWM, Linux) and how long `/healthz` takes to answer while a download runs (probed every 20 ms).
 * Each format gets a fresh server, so that its peak RSS is its own (VmHWM only grows over a process's life).
 * Then the same on the embedded store (PGlite, the demo offer the server seeds, CSV and Parquet): there a
 * statement holds the server's only thread, so /healthz meanwhile is the figure that matters.
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
  /**
   * The server's peak RSS (VmHWM, MB) during this export: reset just before it where Linux lets us (`export`),
   * else its peak since it started (`start`; a fresh server per format on PostgreSQL).
   */
  peakRssMb: number;
  peakRssFrom: 'export' | 'start';
  /** Its RSS just before the export. */
  startRssMb: number;
  /** Its VmHWM before the export: the startup's peak (migrations, territories). */
  startupPeakMb: number;
  /** /healthz while the export ran: how many probes, the median and the worst (ms). */
  probes: number;
  probeP50Ms: number;
  probeMaxMs: number;
}

export interface ExportsRun {
  engine: 'postgres' | 'pglite';
  services: number;
  /** The largest VmHWM of a fresh server before its export (startup, migrations, territories). */
  startRssMb: number;
  figures: ExportFigures[];
  /** The same downloads from a server on the embedded store (its seeded demo offer). */
  pglite?: ExportsRun;
}

/** The formats of the embedded-store pass: the fastest text format and the one that encodes in the thread. */
export const PGLITE_EXPORT_FORMATS = ['csv', 'parquet'] as const;

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function vmHwmMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

/** Resets the process's VmHWM to its current RSS (Linux ≥ 4.0, `clear_refs` 5); false where it cannot. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
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

/** The services a server exports: the lines of its NDJSON export (one record a line). */
function countServices(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/exports/services.ndjson`, (res) => {
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve(lines));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** One download with /healthz probed meanwhile, from a server already started. */
async function measureOne(server: ChildServer, format: string, services: number): Promise<ExportFigures> {
  const startupPeakMb = vmHwmMb(server.pid);
  // The peak of the export itself, not of the startup (migrations, territories) before it.
  const reset = resetPeak(server.pid);
  const startRssMb = statusMb(server.pid, 'VmRSS');
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
  return {
    format,
    rows: services,
    bytes,
    seconds,
    rowsPerSecond: services / seconds,
    peakRssMb: vmHwmMb(server.pid),
    peakRssFrom: reset ? 'export' : 'start',
    startRssMb,
    startupPeakMb,
    probes: probes.length,
    probeP50Ms: median(probes),
    probeMaxMs: Math.max(...probes),
  };
}

function logLine(engine: string, f: ExportFigures): string {
  return (
    `exports (${engine}): services.${f.format} ${(f.bytes / 1e6).toFixed(1)} MB in ${f.seconds.toFixed(1)} s, ` +
    `${Math.round(f.rowsPerSecond).toLocaleString('en')} rows/s, peak RSS ${f.peakRssMb.toFixed(0)} MB (since ${f.peakRssFrom}; ` +
    `${f.startRssMb.toFixed(0)} MB before it, startup peak ${f.startupPeakMb.toFixed(0)} MB), ` +
    `/healthz p50 ${f.probeP50Ms.toFixed(1)} ms max ${f.probeMaxMs.toFixed(1)} ms (${f.probes} probes)`
  );
}

export async function measureExports(options: {
  store: PasserelleStore;
  services: number;
  workDir: string;
  formats?: readonly string[];
  /** Formats of the embedded-store pass; [] skips it. Default PGLITE_EXPORT_FORMATS. */
  pgliteFormats?: readonly string[];
  log?: (line: string) => void;
}): Promise<ExportsRun> {
  const log = options.log ?? (() => {});
  const engine = 'databaseUrl' in options.store ? 'postgres' : 'pglite';
  const figures: ExportFigures[] = [];
  for (const format of options.formats ?? EXPORT_BENCH_FORMATS) {
    const server = await ChildServer.start(passerelleSpec(options.store, await freePort(), options.workDir));
    try {
      const f = await measureOne(server, format, options.services);
      figures.push(f);
      log(logLine(engine, f));
    } finally {
      await server.stop();
    }
  }
  const run: ExportsRun = { engine, services: options.services, startRssMb: Math.max(...figures.map((f) => f.startRssMb)), figures };
  const pgliteFormats = options.pgliteFormats ?? PGLITE_EXPORT_FORMATS;
  if (engine === 'postgres' && pgliteFormats.length > 0) run.pglite = await measurePgliteExports(options.workDir, pgliteFormats, log);
  return run;
}

/** One server on a fresh embedded store (it seeds its demo offer), the formats one after the other. */
async function measurePgliteExports(workDir: string, formats: readonly string[], log: (line: string) => void): Promise<ExportsRun> {
  const dataDir = path.join(workDir, 'exports-pglite');
  fs.rmSync(dataDir, { recursive: true, force: true });
  log('exports (pglite): the server seeds its demo offer on a fresh embedded store…');
  const server = await ChildServer.start(passerelleSpec({ dataDir }, await freePort(), workDir));
  try {
    const services = await countServices(server.url);
    const startRssMb = vmHwmMb(server.pid);
    const figures: ExportFigures[] = [];
    for (const format of formats) {
      const f = await measureOne(server, format, services);
      figures.push(f);
      log(logLine('pglite', f));
    }
    return { engine: 'pglite', services, startRssMb, figures };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
