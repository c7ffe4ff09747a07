import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';
import { dedupStore } from '../../src/dedup/run';
import type { Viewer } from '../../src/auth/viewer';

const NOW = new Date('2026-11-01T12:00:00Z');

async function authenticate(authorization: string | undefined): Promise<Viewer> {
  if (!authorization) return { kind: 'anonymous' };
  return { kind: 'client', clientId: 'reader', tokenId: 't', scopes: new Set(['contact:read']), allowedSources: new Set(['soliguide']) } as Viewer;
}

/**
 * `excludeDuplicates` and `clusterId` through compiled reads (one statement, src/graph/compiled-reads.ts) answer
 * as graphql-js execution does, with a cluster one of whose members is of a restricted source.
 */
describe.each(ENGINES)('dedup through compiled reads, on %s', (engine) => {
  let store: TestStore;
  let compiled: Awaited<ReturnType<typeof createTestApp>>;
  let executed: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    // 400 structures: two planted duplicates (one in 200), and a restricted copy of the first structure.
    const offer = generateOffer({ structures: 400, servicesPerStructure: 1, seed: 'compiled-dedup', now: NOW });
    offer.structures.push({ ...offer.structures[0], id: 'soliguide--copie', source: 'soliguide', score_qualite: 1 } as (typeof offer.structures)[number]);
    await writeOffer(store, offer, { now: NOW });
    const result = await dedupStore(store);
    expect(result.clusters).toBeGreaterThanOrEqual(3);
    compiled = await createTestApp(store, { authenticate, restrictedSources: ['soliguide'] });
    executed = await createTestApp(store, { authenticate, restrictedSources: ['soliguide'], compiledReads: false });
  });
  afterAll(async () => {
    await compiled?.stop();
    await executed?.stop();
    await store?.dispose();
  });

  async function post(app: typeof compiled, query: string, authorization?: string) {
    const response = await fetch(await app.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    return response.json();
  }

  test.each([
    `{ structures(first: 1000, filter: { excludeDuplicates: true }) { totalCount nodes { id clusterId } } }`,
    `{ structures(first: 7, filter: { excludeDuplicates: true, sources: ["soliguide", "dora", "emplois-de-linclusion"] }) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
    `{ services(first: 1000, filter: { excludeDuplicates: true }) { totalCount nodes { id clusterId structure { clusterId } } } }`,
  ])('%s', async (query) => {
    for (const authorization of [undefined, 'Bearer reader']) {
      const expected = await post(executed, query, authorization);
      expect(expected.errors).toBeUndefined();
      expect(await post(compiled, query, authorization)).toEqual(expected);
    }
    const all = await post(executed, `{ structures(first: 1000) { totalCount } }`, 'Bearer reader');
    const one = await post(executed, `{ structures(first: 1000, filter: { excludeDuplicates: true }) { totalCount } }`, 'Bearer reader');
    expect(one.data.structures.totalCount).toBeLessThan(all.data.structures.totalCount);
  });
});
