import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { importTerritories } from '../../src/territories/import';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';
import { ANALYZE_THRESHOLD } from '../../src/store/analyze';

const NOW = new Date('2026-11-01T12:00:00Z');

/** What the planner believes a table holds (-1: never analysed). */
async function plannerRows(store: TestStore, table: string): Promise<number> {
  const [row] = await store.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, table);
  return row.n;
}

describe.each(ENGINES)('statistics after bulk writes on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
  });
  afterAll(() => store?.dispose());

  test('a bulk write leaves its tables analysed, so the next read is planned on what they hold', async () => {
    await importTerritories(store);
    expect(await plannerRows(store, 'communes')).toBeGreaterThan(30_000);

    const small = generateOffer({ structures: 10, servicesPerStructure: 3, seed: 'small', now: NOW });
    await writeOffer(store, small, { now: NOW });
    expect(small.structures.length + small.services.length).toBeLessThan(ANALYZE_THRESHOLD);
    expect(await plannerRows(store, 'services')).toBeLessThan(small.services.length); // left to autovacuum

    const bulk = generateOffer({ structures: 400, servicesPerStructure: 3, seed: 'bulk', now: NOW });
    await writeOffer(store, bulk, { now: NOW });
    const services = await store.prisma.service.count();
    expect(await plannerRows(store, 'services')).toBe(services);
    expect(await plannerRows(store, 'structures')).toBe(await store.prisma.structure.count());
  });
});
