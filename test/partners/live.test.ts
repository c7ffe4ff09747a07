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
  score_qualite: 0.8, // data·inclusion's own score: kept, served instead of Passerelle's
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
  const listQueries: unknown[] = [];
  let store: TestStore;
  let fake: Awaited<ReturnType<typeof startFakePartner>>;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    fake = await startFakePartner((req) => {
      if (req.path === '/api/v1/structures/dora--st1') return structureRecord;
      if (req.path === '/api/v1/services/dora--s1') return serviceRecord('dora--s1', 'Permis en direct');
      if (req.path === '/api/v1/services/dora--s2') return serviceRecord('dora--s2', 'Code de la route');
      if (req.path === '/api/v1/services') {
        listQueries.push(req.query);
        // The partner's search: a record the store also holds (same id) and two of its own.
        const items = [
          { ...serviceRecord('dora--paris-11-numerique', 'Atelier numérique (partenaire)'), code_insee: '75111' },
          { ...serviceRecord('dora--s1', 'Permis en direct'), code_insee: '75111' },
          { ...serviceRecord('dora--s2', 'Code de la route'), code_insee: '59350', frais: 'payant', frais_precisions: '30 euros' },
        ];
        return { items, total: items.length, page: 1, size: items.length, pages: 1 };
      }
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

  const ids = (conn: { nodes: { id: string }[] }) => conn.nodes.map((n) => n.id);

  test('a list naming a live source asks the partner, which answers for it: no duplicate with the store', async () => {
    const { data, errors } = await api.query(`{ services(filter: { sources: ["dora"] }) { totalCount nodes { id nom provenance { live partner } } } }`);
    expect(errors).toBeUndefined();
    expect(ids(data.services)).toEqual(['dora--paris-11-numerique', 'dora--s1', 'dora--s2']);
    expect(data.services.totalCount).toBe(3);
    expect(data.services.nodes[0]).toMatchObject({ nom: 'Atelier numérique (partenaire)', provenance: { live: true, partner: 'di-national' } });
    expect(listQueries.at(-1)).toMatchObject({ sources: 'dora' });
  });

  test('live: true merges the store and the partner by id, page by page, and filters apply to both', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await api.query(`query($after: String) { services(live: true, first: 2, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(res.errors).toBeUndefined();
      expect(res.data.services.totalCount).toBe(4); // france-travail from the store + 3 from the partner (dora answered live)
      seen.push(...ids(res.data.services));
      if (!res.data.services.pageInfo.hasNextPage) break;
      after = res.data.services.pageInfo.endCursor;
    }
    expect(seen).toEqual(['dora--paris-11-numerique', 'dora--s1', 'dora--s2', 'france-travail--lyon-3-emploi']);
    const payant = await api.query(`{ services(live: true, filter: { frais: ["payant"] }) { nodes { id } } }`);
    expect(ids(payant.data.services)).toEqual(['dora--s2']);
    const paris = await api.query(`{ services(live: true, filter: { codeCommune: "75056" }) { nodes { id } } }`);
    expect(ids(paris.data.services)).toEqual(['dora--paris-11-numerique', 'dora--s1']);
  });

  test('territory connections ask the partner too when live is asked', async () => {
    const { data, errors } = await api.query(`{ commune(code: "75056") {
      live: services(live: true) { totalCount nodes { id provenance { live } } }
      stored: services { totalCount } } }`);
    expect(errors).toBeUndefined();
    expect(ids(data.commune.live)).toEqual(['dora--paris-11-numerique', 'dora--s1']);
    expect(data.commune.live.totalCount).toBe(2);
    expect(data.commune.stored.totalCount).toBe(2); // the store's own dora--paris-11-* records
  });

  test('a partner failing during a list: the store part is served, PARTNER_UNAVAILABLE on the list path', async () => {
    fake.setFault({ kind: 'status', status: 503 });
    const { data, errors } = await api.query(`{ services(live: true, filter: { thematiques: ["trouver-un-emploi"] }) { totalCount nodes { id } } }`);
    fake.setFault(null);
    expect(ids(data.services)).toEqual(['france-travail--lyon-3-emploi']);
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['services'], extensions: { code: 'PARTNER_UNAVAILABLE', partner: 'di-national' } });
  });

  test('while the partner is down, the store’s copies of its source (harvested) are served instead', async () => {
    fake.setFault({ kind: 'status', status: 500 });
    // (a query the partner has not answered yet: nothing in the cache)
    const list = await api.query(`{ services(filter: { sources: ["dora"], thematiques: ["mobilite"] }) { nodes { id provenance { live } } } }`);
    const byId = await api.query(`{ service(id: "dora--paris-11-mobilite") { nom provenance { live } } }`);
    fake.setFault(null);
    expect(ids(list.data.services)).toEqual(['dora--paris-11-mobilite']);
    expect(list.data.services.nodes[0].provenance.live).toBe(false);
    expect(list.errors![0].extensions).toMatchObject({ code: 'PARTNER_UNAVAILABLE' });
    expect(byId.errors).toBeUndefined();
    expect(byId.data.service).toEqual({ nom: 'Aide au permis', provenance: { live: false } });
  });
});
