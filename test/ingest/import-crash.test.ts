import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFile } from '../../src/ingest/import';
import { openStore, type Store } from '../../src/store/database';
import { deployMigrations } from '../../src/store/migrate';
import { ENGINES, createTestStore } from '../support/engines';

/**
 * A crash mid-file: a child process imports a 5,000-row file in batches of 1,000 and is killed with SIGKILL as
 * soon as its first batch has committed (the second one is then under way). The store holds whole batches
 * only; importing the file again finishes the job, and ends with the rows a clean import gives.
 * Runs the built code (dist/), as the CLI does: `npx tsc -p tsconfig.json` (npm test builds first).
 */
const CHILD = path.join(__dirname, '../fixtures/import/crash-child.js');
const ROWS = 5000;

function bigCsv(file: string): void {
  const lines = ['id,nom,date_maj,code_postal,code_insee,commune,reseaux_porteurs'];
  for (let i = 0; i < ROWS; i++) lines.push(`s${i},Structure numéro ${i},2026-10-01,35000,35238,Rennes,"ccas-cias, france-service"`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

function importAndKill(file: string, target: string): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let killed = false;
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (!killed && output.includes('committed')) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', () => resolve({ killed, output }));
  });
}

describe.each(ENGINES)('an import killed mid-file on %s', (engine) => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(__dirname, '../../dist/src/ingest/import/index.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json`');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-import-crash-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves whole batches only, and a re-run completes with the same rows as a clean import', async () => {
    const file = path.join(dir, 'big.csv');
    bigCsv(file);
    let target: string;
    let dispose = async () => {};
    let open: () => Promise<Store>;
    if (engine === 'postgres') {
      const test = await createTestStore('postgres');
      target = test.url!;
      open = () => openStore({ databaseUrl: target });
      dispose = () => test.dispose();
    } else {
      target = path.join(dir, 'store');
      const store = await openStore({ dataDir: target });
      await deployMigrations(store);
      await store.close();
      open = () => openStore({ dataDir: target });
    }
    try {
      const run = await importAndKill(file, target);
      expect(run.killed).toBe(true);
      expect(run.output).not.toContain('done');

      const store = await open();
      try {
        const after = await store.prisma.structure.count();
        expect(after % 1000).toBe(0); // whole batches only
        expect(after).toBeGreaterThanOrEqual(1000);
        expect(after).toBeLessThan(ROWS);

        const rerun = await importFile(store, file, { source: 'mon-cd' });
        expect(rerun.summary).toMatchObject({ read: ROWS, valid: ROWS, rejected: 0, written: ROWS - after, unchanged: after });
        const ids = (await store.prisma.structure.findMany({ select: { id: true } })).map((row) => row.id).sort();
        expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => `mon-cd--s${i}`).sort());
        const again = await importFile(store, file, { source: 'mon-cd' });
        expect(again.summary).toMatchObject({ written: 0, unchanged: ROWS });
      } finally {
        await store.close();
      }
    } finally {
      await dispose();
    }
  });
});
