import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { createTestStore, type TestStore } from '../support/engines';
import { commands } from '../../src/cli/commands';
import { syncSources, writeOffer } from '../../src/store/write';
import type { StructureRecord } from '../../src/domain/validation';

const run = promisify(execFile);

const twice: StructureRecord[] = ['dora--relais', 'soliguide--relais'].map(
  (id, i) =>
    ({
      id,
      source: id.split('--')[0],
      nom: i ? 'ASSOCIATION LE RELAIS' : 'Le Relais',
      date_maj: '2026-10-01',
      commune: 'Amiens',
      code_postal: '80000',
      code_insee: '80021',
      adresse: i ? '3 r. Jules Barni' : '3 rue Jules Barni',
      telephone: i ? '03 22 00 00 01' : '+33322000001',
    }) as StructureRecord,
);

describe('`passerelle dedup`', () => {
  test('is a command that runs the `dedup` operation', async () => {
    const executed: [string, unknown][] = [];
    const program = new Command().exitOverride();
    const context = { config: {} as never, out: () => {}, execute: async (name: string, args?: unknown) => void executed.push([name, args]) };
    for (const register of commands) register(program, context);
    await program.parseAsync(['node', 'passerelle', 'dedup']);
    expect(executed).toEqual([['dedup', {}]]);
  });

  const built = fs.existsSync(path.join(__dirname, '../../dist/src/cli/commands/dedup.js'));
  describe('the built CLI, on PostgreSQL', () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await createTestStore('postgres');
      await syncSources(store);
      await writeOffer(store, { structures: twice, services: [] }, { now: new Date('2026-11-01') });
    });
    afterAll(() => store?.dispose());

    (built ? test : test.skip)('clusters the store and prints one summary line', async () => {
      const env = { ...process.env, DATABASE_URL: store.url, LOG_LEVEL: 'silent' };
      const { stdout, stderr } = await run(process.execPath, [path.join(__dirname, '../../src/cli/bin.js'), 'dedup'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^dedup: 2 structures compared .* 1 clusters of 2 structures and 0 services; 2 rows changed in [\d,]+ ms\n$/);
    });
  });
});
