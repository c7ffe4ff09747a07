import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { startFakePartner, reply } from './fake-server';
import { PartnerRegistry } from '../../src/partners/registry';
import { createLogger } from '../../src/logger';
import { syncSources, writeOffer } from '../../src/store/write';
import type { PartnerConfig } from '../../src/partners/types';
import * as fixture from '../fixtures/offer';

/**
 * A live partner answering for its sources, through the same loaders as the store: `service(id)` of a
 * live source goes to the partner (one call per id here: the data·inclusion API has no batch form),
 * store ids to the store, answers are cached across requests, and a partner failure costs only its
 * own records, with PARTNER_UNAVAILABLE on their paths.
 */
const structureRecord = {
  id: 'dora--st1',
  source: 'dora',
  nom: 'Structure en direct',
  date_maj: '2026-09-01',
  code_insee: '59350',
  courriel: 'direct@structure.example.org',
  score_qualite: 0.8, // API-added: dropped by the connector
};
const serviceRecord = (id: string, nom: string) => ({
  id,
  source: 'dora',
  structure_id: 'dora--st1',
  nom,
  description: 'Un service servi en direct par le partenaire.',
  date_maj: '2026-09-01',
  thematiques: ['mobilite--preparer-un-permis'],
  frais: 'gratuit',
  courriel: 'service@structure.example.org',
});

describe.each(ENGINES)('a live partner through the loaders, on %s', (engine) => {
  let store: TestStore;
  let fake: Awaited<ReturnType<typeof startFakePartner>>;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    fake = await startFakePartner((req) => {
      if (req.path === '/api/v1/structures/dora--st1') return structureRecord;
      if (req.path === '/api/v1/services/dora--s1') return serviceRecord('dora--s1', 'Permis en direct');
      if (req.path === '/api/v1/services/dora--s2') return serviceRecord('dora--s2', 'Code de la route');
      if (req.path.startsWith('/api/v1/')) return reply(404, { detail: 'Not found' });
      return undefined;
    });
    const partner: PartnerConfig = {
      id: 'di-national',
      type: 'data-inclusion',
      baseUrl: fake.url,
      token: 'secret-token',
      live: true,
      sources: ['dora'],
      cacheTtlSeconds: 60,
      timeoutMs: 500,
    };
    const logger = createLogger('silent');
    const partners = new PartnerRegistry([partner], logger, { transport: { retries: 1, backoffMs: 1, breaker: { failures: 100, openMs: 1000 } } });
    api = await createTestApp(store, { partners });
  });
  afterAll(async () => {
    await api?.stop();
    await fake?.close();
    await store?.dispose();
  });

  const query = `{
    a: service(id: "dora--s1") { nom scoreQualite provenance { partner live source { slug } } structure { nom provenance { partner } } courriel }
    b: service(id: "dora--s2") { nom }
    missing: service(id: "dora--nope") { nom }
    stored: service(id: "france-travail--lyon-3-emploi") { nom provenance { partner live } }
  }`;

  test('live ids go to the partner, store ids to the store, in one response with provenance', async () => {
    const { data, errors, extensions } = await api.query(query);
    expect(errors).toBeUndefined();
    expect(data).toMatchObject({
      a: { nom: 'Permis en direct', provenance: { partner: 'di-national', live: true, source: { slug: 'dora' } }, structure: { nom: 'Structure en direct', provenance: { partner: 'di-national' } }, courriel: null },
      b: { nom: 'Code de la route' },
      missing: null,
      stored: { nom: 'Accompagnement intensif', provenance: { partner: null, live: false } },
    });
    expect(data.a.scoreQualite).toBeGreaterThan(0);
    // Contact fields from partners obey the directive like the store's.
    expect(extensions?.withheld.fields).toEqual([{ field: 'Service.courriel', requires: ['contact:read'] }]);
    expect(fake.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/services/dora--nope',
      '/api/v1/services/dora--s1',
      '/api/v1/services/dora--s2',
      '/api/v1/structures/dora--st1',
    ]);
    expect(fake.requests[0].headers.authorization).toBe('Bearer secret-token');
  });

  test('a second request is answered from the cache: no partner call', async () => {
    const before = fake.requests.length;
    const { data } = await api.query(query);
    expect(data.b.nom).toBe('Code de la route');
    expect(fake.requests.length).toBe(before);
  });

  test('a failing partner costs only its records: PARTNER_UNAVAILABLE on their paths, the rest is served', async () => {
    fake.setFault({ kind: 'status', status: 500 });
    const { data, errors } = await api.query(`{ x: service(id: "dora--s3") { nom } stored: service(id: "france-travail--lyon-3-emploi") { nom } }`);
    fake.setFault(null);
    expect(data).toEqual({ x: null, stored: { nom: 'Accompagnement intensif' } });
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['x'], extensions: { code: 'PARTNER_UNAVAILABLE', partner: 'di-national' } });
    expect(errors![0].message).toContain('HTTP 500');
  });
});
