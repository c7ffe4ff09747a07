import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runBench } from '../../src/bench/harness';
import { defaultOptions } from '../../src/bench/options';
import { formatMarkdown, formatText } from '../../src/bench/report';
import { SERVER_NAMES, SHAPE_NAMES } from '../../src/bench/shapes';
import { repoPath } from '../../src/paths';
import { POSTGRES_ADMIN_URL } from '../support/engines';

/**
 * `npm run bench` in miniature: 300 structures, one round of 1 s, the three servers (each its own process,
 * as built by `npm run build`, which `npm test` runs first), the same-data check and the statement counts.
 * Speed is not asserted — only that every server and shape got figures from answers that agreed.
 */
describe('bench harness', () => {
  const database = `passerelle_bench_test_${process.pid}_${randomBytes(3).toString('hex')}`;

  afterAll(async () => {
    const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.end();
  });

  it('measures Passerelle, PostGraphile and the floor on every shape, once they answered the same data', async () => {
    for (const built of ['dist/src/server.js', 'dist/src/bench/peers/floor-server.js', 'dist/src/bench/peers/postgraphile-server.js']) {
      if (!fs.existsSync(repoPath(built))) throw new Error(`${built} is missing: run \`npm run build\` (npm test does it in pretest)`);
    }
    const lines: string[] = [];
    const report = await runBench(
      {
        ...defaultOptions(),
        postgresUrl: POSTGRES_ADMIN_URL,
        database,
        structures: 300,
        seconds: 1,
        rounds: 1,
        warmupSeconds: 0,
        statementRequests: 3,
        parts: ['comparison'],
      },
      (line) => lines.push(line),
    );

    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.database).toMatchObject({ structures: 300, services: 900, reused: false });
    const comparison = report.comparison!;
    expect(comparison.byidIds).toHaveLength(50);
    expect(comparison.shapes.map((s) => s.shape)).toEqual([...SHAPE_NAMES]);
    for (const shape of comparison.shapes) {
      // The check ran before measuring and passed (it throws otherwise), on answers with something in them.
      expect(lines).toContainEqual(expect.stringContaining(`${shape.shape}: same data on all servers`));
      expect(shape.recordsCompared).toBeGreaterThan(0);
      for (const server of SERVER_NAMES) {
        const figures = shape.servers[server];
        expect(figures.rounds).toHaveLength(1);
        expect(figures.rps).toBeGreaterThan(0);
        expect(figures.p50).toBeGreaterThanOrEqual(0);
        expect(figures.p99).toBeGreaterThanOrEqual(figures.p50);
        expect(figures.non2xx + figures.errors + figures.mismatches).toBe(0);
        expect(figures.statementsPerRequest).toBeGreaterThanOrEqual(1);
      }
      expect(shape.servers.floor.statementsPerRequest).toBe(1);
      expect(Number.isFinite(shape.ratios.postgraphile.mean)).toBe(true);
      expect(Number.isFinite(shape.ratios.floor.mean)).toBe(true);
    }
    // The search shape compared services, not only an empty connection (the seed has services around Paris and remote ones).
    expect(comparison.shapes.find((s) => s.shape === 'search')!.recordsCompared).toBeGreaterThan(3);
    expect(formatText(report)).toContain('Passerelle/PostGraphile');
    expect(formatMarkdown(report)).toContain('| byid | floor |');
    expect(formatMarkdown(report)).toContain('| search | postgraphile |');
  });
});
