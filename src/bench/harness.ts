import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresReachable, prepareBenchDatabase, type BenchDatabase } from './bench-database';
import { runComparison, type Comparison } from './comparison';
import { measureLivePartner, type LivePartnerFigures } from './live-partner';
import type { BenchOptions, PartName } from './options';
import { runPglite, type PgliteRun } from './pglite';
import { measureSearch, type SearchScenarioFigures } from './search';
import { measureExports, type ExportsRun } from './exports';

/**
 * The whole benchmark as one importable function (`npm run bench` and test/bench call it): the comparison
 * on PostgreSQL, Passerelle alone on PGlite, and the live-partner latency; whichever parts are asked.
 * Child processes and the temporary folder are cleaned up however it ends.
 */

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface BenchReport {
  startedAt: Date;
  options: BenchOptions;
  machine: MachineInfo;
  postgres: { reachable: true; version: string } | { reachable: false; reason: string };
  database?: BenchDatabase;
  comparison?: Comparison;
  pglite?: PgliteRun;
  livePartner?: LivePartnerFigures;
  /** `searchServices` on the PostgreSQL set (the same database as the comparison). */
  search?: SearchScenarioFigures[];
  /** `GET /exports/services.<format>` on the PostgreSQL set: rows/s, peak RSS, /healthz meanwhile. */
  exports?: ExportsRun;
  /** Parts not run, and why. */
  skipped: string[];
  /** Parts that failed (a server that would not start, answers that differ…): the others still ran. */
  failures: { part: PartName; message: string }[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchReport> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-'));
  const removeWorkDir = () => fs.rmSync(workDir, { recursive: true, force: true });
  process.once('exit', removeWorkDir); // also when the process is ended mid-run (run.ts exits on SIGINT/SIGTERM)
  const postgres = await postgresReachable(options.postgresUrl);
  const report: BenchReport = {
    startedAt: new Date(),
    options,
    machine: machineInfo(),
    postgres: postgres.ok ? { reachable: true, version: postgres.version } : { reachable: false, reason: postgres.reason },
    skipped: [],
    failures: [],
  };
  const part = async (name: PartName, run: () => Promise<void>) => {
    if (!options.parts.includes(name)) return;
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failures.push({ part: name, message });
      log(`FAILED (${name}): ${message}`);
    }
  };
  try {
    await part('comparison', async () => {
      if (!postgres.ok) {
        const why = `PostgreSQL is not reachable at ${redact(options.postgresUrl)} (${postgres.reason}): the comparison with PostGraphile and the floor is skipped`;
        report.skipped.push(why);
        log(`WARNING: ${why}`);
      } else {
        report.database = await prepareBenchDatabase({
          adminUrl: options.postgresUrl,
          name: options.database,
          structures: options.structures,
          reuse: options.reuse,
          log,
        });
        report.comparison = await runComparison({
          databaseUrl: report.database.url,
          shapes: options.shapes,
          rounds: options.rounds,
          seconds: options.seconds,
          warmupSeconds: options.warmupSeconds,
          connections: options.connections,
          statementRequests: options.statementRequests,
          workDir,
          log,
        });
      }
    });
    await part('pglite', async () => {
      log(`pglite: Passerelle alone on the embedded store (${options.pgliteStructures} structures)`);
      report.pglite = await runPglite({
        structures: options.pgliteStructures,
        shapes: options.shapes,
        rounds: options.rounds,
        seconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        workDir,
        log,
      });
    });
    /** The bench database, prepared once for every part that reads it. */
    const benchDatabase = () =>
      prepareBenchDatabase({ adminUrl: options.postgresUrl, name: options.database, structures: options.structures, reuse: options.reuse, log });
    await part('search', async () => {
      if (!postgres.ok) {
        report.skipped.push(`PostgreSQL is not reachable at ${redact(options.postgresUrl)}: the search part is skipped`);
        return;
      }
      report.database ??= await benchDatabase();
      log('search: searchServices in process, one request at a time');
      report.search = await measureSearch({ databaseUrl: report.database.url, requests: 200, log });
    });
    await part('exports', async () => {
      if (!postgres.ok) {
        report.skipped.push(`PostgreSQL is not reachable at ${redact(options.postgresUrl)}: the exports part is skipped`);
        return;
      }
      report.database ??= await benchDatabase();
      log('exports: GET /exports/services.<format> from a server process, one download at a time');
      report.exports = await measureExports({ store: { databaseUrl: report.database.url }, services: report.database.services, workDir, log });
    });
    await part('partner', async () => {
      log('live partner: store + a partner answering in 50 ms, sequential requests');
      report.livePartner = await measureLivePartner();
    });
    return report;
  } finally {
    removeWorkDir();
    process.off('exit', removeWorkDir);
  }
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
