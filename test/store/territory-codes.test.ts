import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { importTerritories } from '../../src/territories/import';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';

const NOW = new Date('2026-11-01T12:00:00Z');

/** What the communes say each record's territory codes should be (an arrondissement takes its commune's EPCI). */
async function mismatches(store: TestStore): Promise<number> {
  let wrong = 0;
  for (const table of ['structures', 'services']) {
    const [row] = await store.prisma.$queryRawUnsafe<{ n: number }[]>(`
      SELECT count(*)::int AS n FROM ${table} x
      LEFT JOIN communes c ON c.code = x.code_insee::text LEFT JOIN communes p ON p.code = c.parent_code
      WHERE (x.departement_code, x.region_code, x.epci_code) IS DISTINCT FROM (c.departement_code, c.region_code, coalesce(c.epci_code, p.epci_code))`);
    wrong += row.n;
  }
  return wrong;
}

describe.each(ENGINES)('territory codes kept on the offer on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
  });
  afterAll(() => store?.dispose());

  test('records written before the territories get their codes when the territories arrive, and keep them in step', async () => {
    await writeOffer(store, generateOffer({ structures: 40, servicesPerStructure: 2, seed: 'codes', now: NOW }), { now: NOW });
    expect(await store.prisma.service.count({ where: { departementCode: { not: null } } })).toBe(0);

    await importTerritories(store);
    expect(await store.prisma.service.count({ where: { departementCode: { not: null } } })).toBeGreaterThan(0);
    expect(await mismatches(store)).toBe(0);

    // A record written now takes its codes from its commune, an arrondissement's from its commune's EPCI.
    const structure = await store.prisma.structure.findFirstOrThrow();
    await store.prisma.service.create({
      data: { id: 'dora--arrondissement', source: 'dora', structureId: structure.id, nom: 'Service du 11e', description: 'Dans un arrondissement.', dateMaj: NOW, codeInsee: '75111' },
    });
    const paris = await store.prisma.commune.findUniqueOrThrow({ where: { code: '75056' } });
    expect(await store.prisma.service.findUniqueOrThrow({ where: { id: 'dora--arrondissement' } })).toMatchObject({
      departementCode: '75',
      regionCode: '11',
      epciCode: paris.epciCode,
    });
    await store.prisma.service.update({ where: { id: 'dora--arrondissement' }, data: { codeInsee: '59350' } });
    expect(await store.prisma.service.findUniqueOrThrow({ where: { id: 'dora--arrondissement' } })).toMatchObject({ departementCode: '59', regionCode: '32' });

    // A commune that changed (here: by hand, then the reference restores it) re-codes its records.
    const moved = await store.prisma.service.findFirstOrThrow({ where: { codeInsee: { not: null }, id: { not: 'dora--arrondissement' } } });
    await store.prisma.$executeRawUnsafe(`UPDATE communes SET departement_code = '2A' WHERE code = $1`, moved.codeInsee!.trim());
    await store.prisma.$executeRawUnsafe(`UPDATE services SET departement_code = '2A' WHERE code_insee = $1`, moved.codeInsee);
    expect(await mismatches(store)).toBeGreaterThan(0);
    await importTerritories(store);
    expect(await mismatches(store)).toBe(0);
    expect((await store.prisma.service.findUniqueOrThrow({ where: { id: moved.id } })).updatedAt).toEqual(moved.updatedAt);
  });
});
