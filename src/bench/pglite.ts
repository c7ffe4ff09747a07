import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoPath } from '../paths';
import { summarise, type ServerFigures } from './comparison';
import { measureLoad } from './load';
import { ChildServer, freePort } from './peers';
import { trackChild } from './peers/child-server';
import { passerelleSpec } from './peers/passerelle';
import { dataOf, recordCount } from './same-data';
import { buildShapes, evenlySpaced, type ShapeName } from './shapes';

/**
 * Passerelle alone on its embedded store (PGlite, no DATABASE_URL), the same shapes, no peer. The store is
 * a fresh folder: the server migrates it, imports the territories and, when it is empty, seeds its own demo
 * offer (2,000 structures, about 10 s). A larger set is seeded first with the CLI (`passerelle seed
 * --structures N`: about 75 s for 60,000 here, then the server imports territories on start).
 * Every shape runs there, the search shape included: Passerelle's distance is plain SQL (haversine, no
 * extension), the same on PGlite, and the demo offer it seeds has services around Paris and remote ones.
 */

/** The set the server seeds on an empty embedded store (src/ingest/seed.ts defaults). */
export const PGLITE_DEFAULT_STRUCTURES = 2000;

export interface PgliteOptions {
  structures: number;
  shapes: readonly ShapeName[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  workDir: string;
  log: (line: string) => void;
}

export interface PgliteShapeFigures {
  shape: ShapeName;
  recordsAnswered: number;
  passerelle: ServerFigures;
}

export interface PgliteRun {
  structures: number;
  /** Seconds for the CLI seed (absent when the server seeded its default set itself). */
  cliSeedSeconds?: number;
  /** Seconds from spawning the server to /healthz 200 (migrations, territories, and its seed if any). */
  readySeconds: number;
  shapes: PgliteShapeFigures[];
}

export async function runPglite(options: PgliteOptions): Promise<PgliteRun> {
  const dataDir = path.join(options.workDir, 'pglite');
  fs.rmSync(dataDir, { recursive: true, force: true });
  let cliSeedSeconds: number | undefined;
  if (options.structures !== PGLITE_DEFAULT_STRUCTURES) {
    options.log(`pglite: seeding ${options.structures} structures with the CLI…`);
    const started = performance.now();
    await runCli(['seed', '--structures', String(options.structures)], { PASSERELLE_DATA_DIR: dataDir }, options.workDir);
    cliSeedSeconds = (performance.now() - started) / 1000;
  }
  const started = performance.now();
  const server = await ChildServer.start(passerelleSpec({ dataDir }, await freePort(), options.workDir));
  const readySeconds = (performance.now() - started) / 1000;
  options.log(`pglite: server ready in ${readySeconds.toFixed(1)} s`);
  try {
    const shapes = buildShapes({ byidIds: evenlySpaced(await allServiceIds(server)) });
    const results: PgliteShapeFigures[] = [];
    for (const name of options.shapes) {
      const shape = shapes[name];
      const body = shape.bodies.passerelle;
      await server.post(body);
      const answer = await server.post(body);
      const recordsAnswered = recordCount(dataOf(shape, 'passerelle', answer));
      const load = async (seconds: number, when: string) => {
        const figures = await measureLoad({ url: `${server.url}/graphql`, body, expectBody: answer.text, connections: options.connections, seconds });
        server.assertAlive(`during pglite ${name} ${when}`);
        return figures;
      };
      if (options.warmupSeconds > 0) await load(options.warmupSeconds, 'warm-up');
      const rounds = [];
      for (let round = 0; round < options.rounds; round++) {
        const figures = await load(options.seconds, `round ${round + 1}`);
        rounds.push(figures);
        options.log(`  pglite ${name} round ${round + 1}/${options.rounds}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms`);
      }
      // Statements are not counted on the embedded store: PGlite runs inside the server's process, no wire to tap.
      results.push({ shape: name, recordsAnswered, passerelle: summarise(rounds, Number.NaN) });
    }
    return { structures: options.structures, cliSeedSeconds, readySeconds, shapes: results };
  } finally {
    await server.stop();
  }
}

/** Every service id, in byte order, page by page through the server's own API (its store is its own). */
async function allServiceIds(server: ChildServer): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const query = `{ services(first: 1000${after ? `, after: ${JSON.stringify(after)}` : ''}) { pageInfo { hasNextPage endCursor } nodes { id } } }`;
    const answer = await server.post(JSON.stringify({ query }));
    const body = JSON.parse(answer.text) as { data?: { services: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] } } };
    if (answer.status !== 200 || !body.data) throw new Error(`pglite: listing service ids failed: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    ids.push(...body.data.services.nodes.map((n) => n.id));
    if (!body.data.services.pageInfo.hasNextPage) return ids;
    after = body.data.services.pageInfo.endCursor;
  }
  throw new Error('pglite: listing service ids took more than 120 s');
}

function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [repoPath('src', 'cli', 'bin.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`passerelle ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}
