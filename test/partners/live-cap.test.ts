import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { startFakePartner } from './fake-server';
import { PartnerRegistry } from '../../src/partners/registry';
import { LIVE_LIST_LIMIT } from '../../src/loaders/live-services';
import { createLogger } from '../../src/logger';
import { syncSources } from '../../src/store/write';
import type { PartnerConfig } from '../../src/partners/types';

/**
 * A live list is cut at LIVE_LIST_LIMIT records per partner: the connection says so (`totalCountExact:
 * false`, its totalCount a lower bound) instead of presenting a partial count as the whole.
 */
const TOTAL = LIVE_LIST_LIMIT + 200;
const service = (n: number) => ({
  id: `dora--s${String(n).padStart(5, '0')}`,
  source: 'dora',
  structure_id: 'dora--st1',
  nom: `Service ${n}`,
  description: 'Un service servi en direct par le partenaire.',
  date_maj: '2026-09-01',
  thematiques: [n % 2 ? 'mobilite--preparer-un-permis' : 'numerique--acquerir-un-equipement'],
  frais: n < 10 ? 'payant' : 'gratuit',
  score_qualite: 0.5,
});
const ALL = Array.from({ length: TOTAL }, (_, n) => service(n));

describe.each(ENGINES)('a live list cut at its cap, on %s', (engine) => {
  let store: TestStore;
  let fake: Awaited<ReturnType<typeof startFakePartner>>;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    fake = await startFakePartner((req) => {
      if (req.path !== '/api/v1/services') return undefined;
      // The data·inclusion API filters frais server-side; pages of `size`.
      const frais = req.query.frais;
      const items = ALL.filter((s) => !frais || [frais].flat().includes(s.frais));
      const size = Number(req.query.size);
      const page = Number(req.query.page);
      return { items: items.slice((page - 1) * size, page * size), total: items.length, page, size, pages: Math.ceil(items.length / size) };
    });
    const partner: PartnerConfig = { id: 'di', type: 'data-inclusion', baseUrl: fake.url, live: true, sources: ['dora'], cacheTtlSeconds: 60, timeoutMs: 2000 };
    api = await createTestApp(store, { partners: new PartnerRegistry([partner], createLogger('silent')) });
  });
  afterAll(async () => {
    await api?.stop();
    await fake?.close();
    await store?.dispose();
  });

  test('a list reaching the cap says its count is a lower bound', async () => {
    const { data, errors } = await api.query(`{ services(live: true, first: 5) { totalCount totalCountExact nodes { id } } }`);
    expect(errors).toBeUndefined();
    expect(data.services.totalCount).toBe(LIVE_LIST_LIMIT);
    expect(data.services.totalCountExact).toBe(false);
    expect(data.services.nodes).toHaveLength(5);
  });

  test('a list the partner answers whole has an exact count', async () => {
    const { data, errors } = await api.query(`{ services(live: true, filter: { frais: ["payant"] }) { totalCount totalCountExact } }`);
    expect(errors).toBeUndefined();
    expect(data.services).toEqual({ totalCount: 10, totalCountExact: true });
    const stored = await api.query(`{ services { totalCountExact } }`);
    expect(stored.data.services.totalCountExact).toBe(true);
  });
});
