import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFile } from '../../src/ingest/import';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';

/**
 * Eligibility zones that name no territory (issue 11): the import keeps the record, says which code matches no
 * one, and stores the codes as given; a search never matches them (test/graph/search.test.ts).
 */
const NOW = new Date('2026-12-01T12:00:00Z');

describe.each(ENGINES)('import of eligibility zones on %s', (engine) => {
  let store: TestStore;
  let dir: string;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-zones-'));
  });
  afterAll(async () => {
    await store?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a zone code naming no commune, EPCI or département is a warning on its line; the row is written', async () => {
    const file = path.join(dir, 'offer.ndjson');
    const structure = { id: 's1', nom: 'Centre social des Tilleuls', date_maj: '2026-11-01' };
    const service = (id: string, zone: string[]) => ({
      id, structure_id: 's1', nom: `Service ${id}`, description: 'Un accompagnement de proximité pour les habitants du quartier.',
      date_maj: '2026-11-01', zone_eligibilite: zone,
    });
    const lines = [
      structure,
      service('v1', ['243500139', '35', '35238', '2A', '971', 'france']),
      service('v2', ['99999', '35', '123456789']),
    ];
    fs.writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const report = await importFile(store, file, { source: 'mon-cd', sourceName: 'Mon conseil départemental', now: NOW });
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => [w.line, w.field, w.value, w.message])).toEqual([
      [3, 'zone_eligibilite', '99999', '"99999" names no commune, EPCI (SIREN) or département of the territories reference: no one\'s search matches it'],
      [3, 'zone_eligibilite', '123456789', '"123456789" names no commune, EPCI (SIREN) or département of the territories reference: no one\'s search matches it'],
    ]);
    const stored = await store.prisma.service.findUniqueOrThrow({ where: { id: 'mon-cd--v2' } });
    expect(stored.zoneEligibilite).toEqual(['99999', '35', '123456789']);
  });
});
