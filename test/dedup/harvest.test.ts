import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { syncSources, writeOffer } from '../../src/store/write';
import { harvest } from '../../src/partners/harvest';
import type { Connector, PartnerConfig, PartnerPage } from '../../src/partners/types';
import type { StructureRecord } from '../../src/domain/validation';

const NOW = new Date('2026-11-20T10:00:00Z');

const structure = (id: string, nom: string, extra: Partial<StructureRecord> = {}): StructureRecord =>
  ({ id, source: id.split('--')[0], nom, date_maj: '2026-10-01', commune: 'Rennes', code_postal: '35000', code_insee: '35238', ...extra }) as StructureRecord;

/** A harvest re-clusters the blocks its pages changed: a partner's new listing of a stored place joins it. */
describe.each(ENGINES)('dedup after a harvest, on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: [structure('dora--ml', 'Mission locale de Rennes', { adresse: '12 rue Victor Hugo', telephone: '+33299000001' })], services: [] }, { now: NOW });
  });
  afterAll(() => store?.dispose());

  test('the harvested duplicate is clustered with the stored one; an unrelated record is not', async () => {
    const partner = { id: 'fake', type: 'data-inclusion', baseUrl: 'http://127.0.0.1:9', live: false, sources: ['emplois-de-linclusion'], cacheTtlSeconds: 0, timeoutMs: 1000 } as PartnerConfig;
    const pages: PartnerPage[] = [
      { structures: [structure('emplois-de-linclusion--ml', 'MISSION LOCALE RENNES', { adresse: '12, r. Victor-Hugo', telephone: '02 99 00 00 01' })], services: [], next: '2' },
      { structures: [structure('emplois-de-linclusion--caf', 'CAF d’Ille-et-Vilaine', { adresse: '12 rue Victor Hugo' })], services: [] },
    ];
    const connector = { partner, page: async (mark?: string) => pages[mark ? Number(mark) - 1 : 0] } as unknown as Connector;
    const result = await harvest(store, connector, { now: () => NOW });
    expect(result.complete).toBe(true);
    const rows = new Map((await store.prisma.structure.findMany({ select: { id: true, clusterId: true } })).map((r) => [r.id, r.clusterId]));
    expect(rows.get('dora--ml')).toBeTruthy();
    expect(rows.get('emplois-de-linclusion--ml')).toBe(rows.get('dora--ml'));
    expect(rows.get('emplois-de-linclusion--caf')).toBeNull();
  });
});
