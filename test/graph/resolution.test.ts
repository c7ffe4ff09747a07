import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';

const NOW = new Date('2026-11-01T12:00:00Z');

describe.each(ENGINES)('resolution through DataLoaders on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let statements: string[] = [];

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true, onQuery: (sql) => statements.push(sql) });
    await syncSources(store);
    const offer = generateOffer({ structures: 120, servicesPerStructure: 3, seed: 'resolution', now: NOW });
    await writeOffer(store, offer, { now: NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  async function countStatements(query: string): Promise<{ count: number; data: any }> {
    statements = [];
    const { data, errors } = await api.query(query);
    expect(errors).toBeUndefined();
    return { count: statements.length, data };
  }

  const deepQuery = (n: number) => `{ services(first: ${n}) { nodes { id
    structure { nom services(first: 5) { nodes { nom } } }
    territoire { departement { region { nom } } } } } }`;

  test('a deep page costs the same few statements for 10 and for 100 services', async () => {
    const ten = await countStatements(deepQuery(10));
    const hundred = await countStatements(deepQuery(100));
    expect(ten.data.services.nodes).toHaveLength(10);
    expect(hundred.data.services.nodes).toHaveLength(100);
    expect(hundred.data.services.nodes[0].structure.services.nodes.length).toBeGreaterThan(0);
    expect(hundred.data.services.nodes[0].territoire.departement.region.nom).toEqual(expect.any(String));
    console.log(`statements on ${engine}: 10 services → ${ten.count}, 100 services → ${hundred.count}`);
    expect(ten.count).toBeLessThanOrEqual(6);
    expect(hundred.count).toBe(ten.count);
  });

  test('territory connections batch too: 50 communes with their services cost the same as 5', async () => {
    const q = (n: number) => `{ structures(first: ${n}) { nodes { territoire { services(first: 2) { totalCount nodes { id } } structures(first: 1) { nodes { id } } } } } }`;
    const five = await countStatements(q(5));
    const fifty = await countStatements(q(50));
    expect(fifty.count).toBe(five.count);
    expect(fifty.count).toBeLessThanOrEqual(5);
  });

  test('nested pages agree with the root query', async () => {
    const { data } = await api.query(`{ structures(first: 20) { nodes { id services(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } } } }`);
    for (const s of data.structures.nodes) {
      const alone = await api.query(`{ services(filter: {}, first: 1000) { nodes { id structure { id } } } }`);
      const expected = alone.data.services.nodes.filter((n: any) => n.structure.id === s.id).map((n: any) => n.id);
      expect(s.services.totalCount).toBe(expected.length);
      expect(s.services.nodes.map((n: any) => n.id)).toEqual(expected.slice(0, 2));
      expect(s.services.pageInfo.hasNextPage).toBe(expected.length > 2);
      break;
    }
  });

  test('walking all pages while records change: no repeat, no gap', async () => {
    const all = await api.query(`{ services(first: 1000) { totalCount nodes { id } } }`);
    const before: string[] = all.data.services.nodes.map((n: any) => n.id);
    expect(before.length).toBe(all.data.services.totalCount);
    const seen: string[] = [];
    const deleted = new Set<string>();
    let after: string | null = null;
    let page = 0;
    for (;;) {
      const res: any = await api.query(`query($after: String) { services(first: 25, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.services.nodes.map((n: any) => n.id));
      if (!res.data.services.pageInfo.hasNextPage) break;
      after = res.data.services.pageInfo.endCursor;
      page += 1;
      // Between pages: records change (renamed, so updated_at moves), one ahead is deleted, new ones arrive.
      const ahead = before.filter((id) => !seen.includes(id) && !deleted.has(id));
      await store.prisma.service.updateMany({ where: { id: { in: [seen[0], ahead[3], ahead[10]].filter(Boolean) } }, data: { nom: `Renommé ${page}` } });
      if (ahead[5]) {
        await store.prisma.service.delete({ where: { id: ahead[5] } });
        deleted.add(ahead[5]);
      }
      const structureId = (await store.prisma.service.findFirstOrThrow({ where: { id: seen[0] } })).structureId;
      await store.prisma.service.create({
        data: { id: `dora--nouveau-${page}`, source: 'dora', structureId, nom: 'Nouveau service', description: 'Un service arrivé en cours de route.', dateMaj: NOW },
      });
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) if (!deleted.has(id)) expect(seen).toContain(id);
    expect(page).toBeGreaterThan(5);
  });
});
