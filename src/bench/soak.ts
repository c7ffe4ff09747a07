/**
 * `npm run soak` (not part of `npm test`): Passerelle as `npm start` runs it, on PostgreSQL, under a mixed
 * workload at 50 connections on loopback, in three phases of 60 s each (settings: --seconds, --connections):
 * 1. steady: errors (target 0) and RSS at start and end (target: flat);
 * 2. a live partner failing: a local data·inclusion-shaped partner that answers 500, 429, malformed JSON or
 *    nothing in time, in turn; Passerelle's answers carry PARTNER_UNAVAILABLE for it and still hold the store's
 *    records (HTTP 200), and its circuit opens;
 * 3. PostgreSQL restarted mid-run (`pg_ctlcluster … restart`, root only; skipped with a note otherwise):
 *    requests in flight may fail, cleanly (a JSON error, no crash); the server recovers by itself — the
 *    last seconds of the phase are error-free.
 * Figures go to stdout (and to docs/benchmarks.md by hand).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { prepareBenchDatabase, postgresReachable } from './bench-database';
import { DEFAULT_POSTGRES_URL } from './options';
import { ChildServer, freePort } from './peers/child-server';
import { passerelleSpec } from './peers/passerelle';

interface PhaseFigures {
  name: string;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Responses whose body held no `data` (a GraphQL error without data, or not JSON). */
  failedBodies: number;
  rssStartMb: number;
  rssEndMb: number;
  /** Phase 3: requests that failed during the last quarter of the phase (target 0: recovered). */
  lateFailures?: number;
  note?: string;
}

/** The mixed workload: what a front end, a reuser and an explorer ask, in turn on every connection. */
const WORKLOAD: { query: string; variables?: Record<string, unknown> }[] = [
  { query: '{ services(first: 20) { totalCount nodes { id nom thematiques { label } structure { nom commune } } } }' },
  { query: '{ services(first: 50, filter: { codeDepartement: "59", thematiques: ["mobilite"] }) { totalCount nodes { id nom } } }' },
  { query: '{ structures(first: 10) { nodes { id nom services(first: 5) { nodes { nom } } } } }' },
  {
    query: 'query ($near: SearchNear!) { searchServices(near: $near, distanceKm: 10, first: 20) { totalCount edges { distance node { id nom } } } }',
    variables: { near: { latitude: 48.8566, longitude: 2.3522 } },
  },
  { query: '{ communes(search: "lyon", first: 5) { nodes { code nom departement { nom } } } }' },
  { query: '{ services(first: 20, filter: { q: "accompagnement emploi" }) { totalCount nodes { id nom } } }' },
];

/** A live query: the store's services of Paris merged with the failing partner's. */
const LIVE_WORKLOAD = [{ query: '{ services(live: true, first: 20, filter: { codeDepartement: "75" }) { totalCount nodes { id nom } } }' }];

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** A data·inclusion-shaped partner that fails in turn: 500, 429 with Retry-After, malformed JSON, a 5 s stall. */
async function failingPartner(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls += 1;
    switch (calls % 4) {
      case 0:
        res.writeHead(500, { 'content-type': 'application/json' });
        return void res.end('{"detail":"Internal Server Error"}');
      case 1:
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return void res.end('{"detail":"Too Many Requests"}');
      case 2:
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"items": [ {"id": "dora--x", ');
      default:
        setTimeout(() => {
          if (!res.writableEnded) res.end();
        }, 5000);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function runPhase(
  name: string,
  server: ChildServer,
  pid: number,
  options: { seconds: number; connections: number; workload: typeof WORKLOAD; during?: (elapsedMs: () => number) => Promise<string | undefined> },
): Promise<PhaseFigures> {
  const rssStartMb = rssMb(pid);
  let failedBodies = 0;
  const started = Date.now();
  const failuresAt: number[] = [];
  const requests = options.workload.map((body) => ({
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    onResponse: (status: number, text: string) => {
      let ok = status === 200;
      if (ok) {
        try {
          ok = (JSON.parse(text) as { data?: unknown }).data != null;
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        failedBodies += 1;
        failuresAt.push(Date.now() - started);
      }
    },
  }));
  const load = autocannon({ url: server.url, connections: options.connections, duration: options.seconds, timeout: 30, requests });
  const during = options.during?.(() => Date.now() - started);
  const [result, note] = await Promise.all([load, during ?? Promise.resolve(undefined)]);
  const rssEndMb = rssMb(pid);
  const lateFrom = options.seconds * 1000 * 0.75;
  return {
    name,
    seconds: options.seconds,
    requests: result.requests.total,
    rps: Math.round(result.requests.total / Math.max(result.duration, 1)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    failedBodies,
    rssStartMb,
    rssEndMb,
    lateFailures: options.during ? failuresAt.filter((t) => t >= lateFrom).length : undefined,
    note,
  };
}

/** Restarts the PostgreSQL cluster a third of the way into the phase, as root; the reason when it cannot. */
async function restartPostgres(elapsedMs: () => number, seconds: number): Promise<string | undefined> {
  while (elapsedMs() < (seconds * 1000) / 3) await new Promise((r) => setTimeout(r, 200));
  if (process.getuid?.() !== 0) return 'not root: PostgreSQL was not restarted';
  const version = fs.readdirSync('/etc/postgresql')[0];
  const before = Date.now();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
  return `PostgreSQL ${version} restarted at ${Math.round(elapsedMs() / 1000)} s (took ${Date.now() - before} ms)`;
}

function print(figures: PhaseFigures[]): void {
  console.log('\n| phase | s | requests | req/s | p50 ms | p99 ms | non-2xx | errors | failed bodies | RSS start → end MB | failures in last quarter |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const f of figures) {
    console.log(
      `| ${f.name} | ${f.seconds} | ${f.requests} | ${f.rps} | ${f.p50} | ${f.p99} | ${f.non2xx} | ${f.errors} | ${f.failedBodies} | ${f.rssStartMb} → ${f.rssEndMb} | ${f.lateFailures ?? '—'} |`,
    );
  }
  for (const f of figures) if (f.note) console.log(`${f.name}: ${f.note}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      connections: { type: 'string', default: '50' },
      structures: { type: 'string', default: '5000' },
      postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL },
      phases: { type: 'string', default: 'steady,partner,restart' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const phases = values.phases!.split(',');
  const reachable = await postgresReachable(values.postgres!);
  if (!reachable.ok) throw new Error(`PostgreSQL is not reachable at ${values.postgres}: ${reachable.reason}`);
  const database = await prepareBenchDatabase({
    adminUrl: values.postgres!,
    name: 'passerelle_soak',
    structures: Number(values.structures),
    reuse: true,
    log: (line) => console.log(line),
  });
  console.log(`soak: ${connections} connections, ${seconds} s per phase, PostgreSQL ${reachable.version}, ${database.services} services, ${os.cpus().length} CPUs`);
  const partner = await failingPartner();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-soak-'));
  const figures: PhaseFigures[] = [];
  try {
    const start = async (withPartner: boolean) => {
      const spec = passerelleSpec({ databaseUrl: database.url }, await freePort(), cwd);
      if (withPartner) {
        const config = path.join(cwd, 'partners.json');
        const declared = { id: 'di-failing', type: 'data-inclusion', baseUrl: partner.url, live: true, sources: ['dora'], timeoutMs: 1000 };
        fs.writeFileSync(config, JSON.stringify({ partners: [declared] }));
        spec.env.PASSERELLE_CONFIG = config;
      }
      // The soak measures the server, not the reusers' limits: the limiter is set far above the load.
      spec.env.PASSERELLE_RATE_ANONYMOUS = '0';
      return ChildServer.start(spec);
    };
    for (const phase of phases) {
      const server = await start(phase === 'partner');
      try {
        const pid = server.pid;
        if (phase === 'steady') figures.push(await runPhase('steady', server, pid, { seconds, connections, workload: WORKLOAD }));
        if (phase === 'partner') {
          const result = await runPhase('a live partner failing', server, pid, { seconds, connections, workload: [...WORKLOAD, ...LIVE_WORKLOAD] });
          result.note = `the partner was called ${partner.calls()} times (its circuit opens after repeated failures)`;
          figures.push(result);
        }
        if (phase === 'restart') {
          figures.push(
            await runPhase('PostgreSQL restarted mid-run', server, pid, { seconds, connections, workload: WORKLOAD, during: (elapsed) => restartPostgres(elapsed, seconds) }),
          );
        }
        server.assertAlive(`during phase ${phase}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await partner.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  print(figures);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
