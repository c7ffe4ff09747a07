import Ajv from 'ajv';
import { Prisma } from '../../src/generated/prisma/client';
import addFormats from 'ajv-formats';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import { NOMENCLATURES } from '../../src/domain/nomenclatures';
import { matchRoute } from '../../src/route';
import * as fixture from '../fixtures/offer';
import { soliguideStructure, soliguideService } from '../fixtures/offer';
import structureSchema from '../fixtures/di-schema/structure.json';
import serviceSchema from '../fixtures/di-schema/service.json';

/**
 * The `/api/v1` compatibility suite (issue 14): requests in data·inclusion API v1's shape, every record checked
 * against the reference's published v1 JSON Schemas (test/fixtures/di-schema/, vendored with their licence), pages
 * against the reference's page shape, and the same records read through GraphQL.
 */
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validStructure = ajv.compile(structureSchema);
const validService = ajv.compile(serviceSchema);

function expectValid(kind: 'structure' | 'service', record: unknown): void {
  const validate = kind === 'structure' ? validStructure : validService;
  const ok = validate(record);
  expect([kind, (record as { id: string }).id, ok ? [] : validate.errors]).toEqual([kind, (record as { id: string }).id, []]);
}

function expectPage(body: any, expected: { total: number; page: number; size: number }): void {
  expect(Object.keys(body).sort()).toEqual(['items', 'page', 'pages', 'size', 'total']);
  expect(body.total).toBe(expected.total);
  expect(body.page).toBe(expected.page);
  expect(body.size).toBe(body.items.length);
  expect(body.pages).toBe(Math.ceil(expected.total / expected.size));
}

/** A service anyone in France may use remotely: `/search/services` keeps it wherever the person lives. */
const remoteService = {
  id: 'dora--paris-11-remote',
  source: 'dora',
  structure_id: 'dora--paris-11',
  nom: 'Permanence téléphonique emploi',
  description: 'Une permanence téléphonique pour préparer sa candidature, ouverte à tous, partout en France.',
  date_maj: '2026-10-01',
  thematiques: ['preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation'],
  publics: ['tous-publics'],
  modes_accueil: ['a-distance'],
  zone_eligibilite: ['france'],
} as ServiceRecord;

/** An on-site service with coordinates in Paris 11e: `/search/services` gives it a distance. */
const onSiteService = {
  id: 'dora--paris-11-accueil',
  source: 'dora',
  structure_id: 'dora--paris-11',
  nom: 'Accueil de jour',
  description: 'Un accueil de jour sans rendez-vous, pour se poser, se doucher et être orienté.',
  date_maj: '2026-10-01',
  code_insee: '75111',
  latitude: 48.8686,
  longitude: 2.3713,
  publics: ['tous-publics'],
  modes_accueil: ['en-presentiel'],
} as ServiceRecord;

describe.each(ENGINES)('/api/v1, data·inclusion compatible (%s)', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let base: string;
  let partnerToken: string;
  let plainToken: string;
  const config = loadConfig({ PASSERELLE_JWT_SECRET: 'rest-compat-secret-rest-compat-secret-0123' });

  const get = async (path: string, token?: string) => {
    const response = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(
      store,
      { structures: [...fixture.structures, soliguideStructure], services: [...fixture.services, soliguideService, remoteService, onSiteService] },
      { now: fixture.NOW },
    );
    const op = (name: string, args: Record<string, unknown>) => runOperation(name, args, { store, config });
    await op('clients.add', { id: 'partner', name: 'Partner', scopes: ['contact:read'], sources: ['soliguide'] });
    await op('clients.add', { id: 'plain', name: 'Plain' });
    partnerToken = (await issueToken(store, config, { clientId: 'partner', scopes: ['contact:read'] })).token;
    plainToken = (await issueToken(store, config, { clientId: 'plain', scopes: [] })).token;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: config.restrictedSources });
    base = (await api.url()).replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('GET /api/v1/structures: the reference page, v1 records that validate, doublons, score_qualite', async () => {
    const { status, body } = await get('/api/v1/structures');
    expect(status).toBe(200);
    expectPage(body, { total: fixture.structures.length, page: 1, size: 5000 });
    expect(body.items.map((s: any) => s.id)).toEqual(fixture.structures.map((s) => s.id).sort());
    for (const item of body.items) {
      expectValid('structure', item);
      expect(Array.isArray(item.doublons)).toBe(true);
      expect('score_qualite' in item).toBe(true);
      expect(typeof item.source).toBe('string');
    }
  });

  test('GET /api/v1/services: filters as the reference names them, the graph\'s answer for the same filter', async () => {
    const all = await get('/api/v1/services?size=100');
    expect(all.status).toBe(200);
    for (const item of all.body.items) expectValid('service', item);
    const cases: [string, Record<string, unknown>][] = [
      ['thematiques=numerique', { thematiques: ['numerique'] }],
      ['publics=jeunes', { publics: ['jeunes'] }],
      ['publics=tous-publics&publics=jeunes', { publics: ['tous-publics', 'jeunes'] }],
      ['modes_accueil=a-distance', { modesAccueil: ['a-distance'] }],
      ['frais=gratuit&frais=payant', { frais: ['gratuit', 'payant'] }],
      ['code_departement=75', { codeDepartement: '75' }],
      ['slug_departement=paris', { codeDepartement: '75' }],
      ['code_region=84', { codeRegion: '84' }],
      ['slug_region=auvergne-rhone-alpes', { codeRegion: '84' }],
      ['code_commune=75056', { codeCommune: '75056' }],
      ['sources=dora&sources=france-travail', { sources: ['dora', 'france-travail'] }],
      ['score_qualite_minimum=0.5', { scoreQualiteMin: 0.5 }],
      ['recherche_public=emploi', { q: 'emploi' }],
    ];
    for (const [query, filter] of cases) {
      const rest = await get(`/api/v1/services?${query}`);
      const graph = await api.query('query($f: ServiceFilter) { services(filter: $f, first: 1000) { totalCount nodes { id } } }', { f: filter });
      expect([query, rest.status, rest.body.items.map((s: any) => s.id)]).toEqual([query, 200, graph.data.services.nodes.map((n: any) => n.id)]);
      expect(rest.body.total).toBe(graph.data.services.totalCount);
    }
    // `tous-publics` asked: no publics filter at all, as the reference.
    expect((await get('/api/v1/services?publics=tous-publics')).body.total).toBe(all.body.total);
  });

  test('pages: page from 1, size up to 10000, pages arithmetic, walking pages gives every record once', async () => {
    const all = (await get('/api/v1/services')).body;
    const walked: string[] = [];
    expect(all.pages).toBe(1);
    for (let page = 1; page <= Math.ceil(all.total / 2) + 1; page++) {
      const { body } = await get(`/api/v1/services?size=2&page=${page}`);
      expectPage(body, { total: all.total, page, size: 2 });
      walked.push(...body.items.map((s: any) => s.id));
    }
    expect(walked).toEqual(all.items.map((s: any) => s.id));
    expect((await get('/api/v1/services?size=10000')).status).toBe(200);
    for (const bad of ['size=10001', 'size=0', 'page=0', 'page=x']) {
      const { status, body } = await get(`/api/v1/services?${bad}`);
      expect([bad, status]).toEqual([bad, 422]);
      expect(body.detail[0].loc).toEqual(['query', bad.split('=')[0]]);
    }
  });

  test('422 in the reference\'s shape: unknown commune, lat without lon, a value outside the nomenclature', async () => {
    expect(await get('/api/v1/search/services?code_commune=75056&lat=48.8')).toMatchObject({ status: 422, body: { detail: 'The `lat` and `lon` must be simultaneously filled.' } });
    expect(await get('/api/v1/search/services?lon=2.3')).toMatchObject({ status: 422, body: { detail: 'The `lat` and `lon` must be simultaneously filled.' } });
    expect(await get('/api/v1/search/services?code_commune=99999')).toMatchObject({ status: 422, body: { detail: 'This `code_commune` does not exist.' } });
    expect(await get('/api/v1/services?code_commune=99999')).toMatchObject({ status: 422, body: { detail: 'This `code_commune` does not exist.' } });
    const bad = await get('/api/v1/services?thematiques=pas-une-thematique');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'thematiques']);
    expect((await get('/api/v1/structures?slug_region=atlantide')).status).toBe(422);
  });

  test('GET /api/v1/search/services: eligible, 50 km or remote, distance in km, nearest first', async () => {
    const { status, body } = await get('/api/v1/search/services?code_commune=75056');
    expect(status).toBe(200);
    const ids = body.items.map((hit: any) => hit.service.id);
    expect(ids).toContain(onSiteService.id);
    expect(ids).toContain('dora--paris-11-mobilite');
    expect(ids).toContain(remoteService.id);
    expect(ids).not.toContain('france-travail--lyon-3-emploi');
    expect(body.total).toBe(body.items.length);
    for (const hit of body.items) {
      expect(Object.keys(hit).sort()).toEqual(['distance', 'service']);
      expectValid('service', hit.service);
      expectValid('structure', hit.service.structure);
      expect(hit.distance === null || Number.isInteger(hit.distance)).toBe(true);
    }
    expect(body.items.find((h: any) => h.service.id === remoteService.id).distance).toBeNull();
    expect(body.items[0]).toMatchObject({ service: { id: onSiteService.id }, distance: expect.any(Number) });
    const distances = body.items.map((h: any) => h.distance).filter((d: number | null) => d !== null);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(body.items[body.items.length - 1].distance).toBeNull();
    // From a point (lat/lon): Paris's on-site service is out of range, the remote one is kept.
    const lyon = await get('/api/v1/search/services?lat=45.76&lon=4.85');
    expect(lyon.body.items.map((h: any) => h.service.id)).toContain(remoteService.id);
    expect(lyon.body.items.map((h: any) => h.service.id)).not.toContain(onSiteService.id);
    // Pages of a search walk it in its order.
    const first = await get('/api/v1/search/services?code_commune=75056&size=1&page=2');
    expect(first.body.items.map((h: any) => h.service.id)).toEqual(ids.slice(1, 2));
  });

  test('by id: DetailedStructure with doublons and services, DetailedService with its structure, 404 otherwise', async () => {
    const structure = await get('/api/v1/structures/dora--paris-11');
    expect(structure.status).toBe(200);
    expectValid('structure', structure.body);
    expect(structure.body.services.map((s: any) => s.id)).toEqual(['dora--paris-11-mobilite', 'dora--paris-11-numerique', remoteService.id, onSiteService.id].sort());
    for (const s of structure.body.services) expectValid('service', s);
    expect(structure.body.doublons).toEqual([]);
    const service = await get('/api/v1/services/dora--paris-11-numerique');
    expect(service.status).toBe(200);
    expectValid('service', service.body);
    expect(service.body.structure.id).toBe('dora--paris-11');
    expect((await get('/api/v1/structures/dora--nope')).status).toBe(404);
    expect((await get('/api/v1/services/dora--nope')).body).toEqual({ detail: 'Not Found' });
    expect((await get('/api/v1/nothing-here')).status).toBe(404);
  });

  test('the same record through REST and GraphQL carries the same values', async () => {
    const rest = (await get('/api/v1/services/dora--paris-11-numerique', partnerToken)).body;
    const graph = (
      await api.query(
        `{ service(id: "dora--paris-11-numerique") { id nom description dateMaj codeInsee commune latitude longitude courriel telephone
           contactNomPrenom zoneEligibiliteCodes thematiques { value } publics { value } modesAccueil { value } frais { value } type { value }
           qualite { score } structure { id nom siret } } }`,
        undefined,
        `Bearer ${partnerToken}`,
      )
    ).data.service;
    expect(rest).toMatchObject({
      id: graph.id,
      nom: graph.nom,
      description: graph.description,
      date_maj: graph.dateMaj,
      code_insee: graph.codeInsee,
      commune: graph.commune,
      latitude: graph.latitude,
      longitude: graph.longitude,
      courriel: graph.courriel,
      telephone: graph.telephone,
      contact_nom_prenom: graph.contactNomPrenom,
      thematiques: graph.thematiques.map((t: any) => t.value),
      publics: graph.publics.map((t: any) => t.value),
      modes_accueil: graph.modesAccueil.map((t: any) => t.value),
      frais: graph.frais?.value ?? null,
      type: graph.type?.value ?? null,
      score_qualite: graph.qualite.score,
      structure: { id: graph.structure.id, nom: graph.structure.nom, siret: graph.structure.siret },
    });
    expect(rest.zone_eligibilite).toEqual(graph.zoneEligibiliteCodes.length ? graph.zoneEligibiliteCodes : null);
  });

  test('auth: contacts only with contact:read (the one difference), restricted sources only for allowed clients, a bad token is a 401', async () => {
    const anonymous = await get('/api/v1/structures/dora--paris-11');
    expect(anonymous.body.courriel).toBeNull();
    expect(anonymous.body.telephone).toBeNull();
    expect(anonymous.headers.get('x-passerelle-withheld')).toMatch(/contact:read/);
    expect(anonymous.text).not.toContain('accueil@cs-belleville.example.org');
    const plain = await get('/api/v1/structures/dora--paris-11', plainToken);
    expect(plain.body.courriel).toBeNull();
    const partner = await get('/api/v1/structures/dora--paris-11', partnerToken);
    expect(partner.body.courriel).toBe('accueil@cs-belleville.example.org');
    expect(partner.headers.get('x-passerelle-withheld')).toBeNull();
    expectValid('structure', partner.body);

    expect((await get('/api/v1/structures/soliguide--4242')).status).toBe(404);
    expect((await get('/api/v1/structures/soliguide--4242', plainToken)).status).toBe(404);
    expect((await get('/api/v1/services?sources=soliguide', plainToken)).body.total).toBe(0);
    const allowed = await get('/api/v1/services/soliguide--4242-douche', partnerToken);
    expect(allowed.status).toBe(200);
    expect(allowed.body.contact_nom_prenom).toBe('Dominique Soliguide');
    expect((await get('/api/v1/structures', partnerToken)).body.total).toBe(fixture.structures.length + 1);

    const broken = await get('/api/v1/services', 'not.a.token');
    expect(broken.status).toBe(401);
    expect(typeof broken.body.detail).toBe('string');
  });

  test('exclure_doublons on /search/services (as the reference: not on /services): one service per duplicate cluster, as the graph', async () => {
    const all = await get('/api/v1/search/services?code_commune=75056&size=1000');
    const [a, b] = all.body.items.map((hit: { service: { id: string } }) => hit.service.id);
    const scores = await store.query<{ id: string; score: number | null }>(Prisma.sql`SELECT id, score_qualite AS score FROM services WHERE id IN (${a}, ${b})`);
    await store.query(Prisma.sql`UPDATE services SET cluster_id = 'rest-cluster', score_qualite = CASE id WHEN ${a} THEN 0.9 ELSE 0.2 END WHERE id IN (${a}, ${b})`);
    try {
      const unique = await get('/api/v1/search/services?code_commune=75056&size=1000&exclure_doublons=true');
      const ids = unique.body.items.map((hit: { service: { id: string } }) => hit.service.id);
      expect(all.body.items.map((hit: { service: { id: string } }) => hit.service.id)).toEqual(expect.arrayContaining([a, b]));
      expect(ids).toContain(a);
      expect(ids).not.toContain(b);
      expect(unique.body.total).toBe(all.body.total - 1);
      const { data } = await api.query('{ searchServices(near: { codeCommune: "75056" }, first: 1000, filter: { excludeDuplicates: true }) { nodes { id } } }');
      expect(ids).toEqual(data.searchServices.nodes.map((n: { id: string }) => n.id));
    } finally {
      await store.query(Prisma.sql`UPDATE services SET cluster_id = NULL WHERE cluster_id = 'rest-cluster'`);
      for (const { id, score } of scores) await store.query(Prisma.sql`UPDATE services SET score_qualite = ${score} WHERE id = ${id}`);
    }
  });

  test('GET /api/v1/changes: the change feed as JSON, public whatever the token; a foreign cursor is a 422', async () => {
    // The feed waits for write transactions still running on the server (other test files' databases): ask again
    // until the offer written before this file's tests is readable.
    let first = await get('/api/v1/changes?size=2', partnerToken);
    for (let i = 0; i < 200 && first.body.items?.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      first = await get('/api/v1/changes?size=2', partnerToken);
    }
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ cursor: expect.any(String), has_more: expect.any(Boolean) });
    expect(first.body.items.length).toBeGreaterThan(0);
    expect(first.body.items[0]).toMatchObject({ cursor: expect.any(String), id: expect.any(String), operation: expect.stringMatching(/^(UPSERT|DELETE)$/) });
    const all = await get('/api/v1/changes?size=1000', partnerToken);
    const text = JSON.stringify(all.body);
    expect(text).not.toContain('"courriel"');
    expect(text).not.toContain('soliguide--');
    // Resuming from the first page's cursor continues where it stopped (more may have become readable meanwhile).
    const next = await get(`/api/v1/changes?size=1000&since=${first.body.cursor}`);
    const expected = all.body.items.slice(2).map((c: { cursor: string }) => c.cursor);
    expect(next.body.items.map((c: { cursor: string }) => c.cursor).slice(0, expected.length)).toEqual(expected);
    const bad = await get('/api/v1/changes?since=nope');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'since']);
  });

  test('/api/v1/sources and /api/v1/doc/*: no token needed, sorted by value', async () => {
    const sources = await get('/api/v1/sources');
    expect(sources.status).toBe(200);
    for (const s of sources.body) expect(Object.keys(s).sort()).toEqual(['description', 'nom', 'slug']);
    for (const [path, name] of [['frais', 'frais'], ['modes-accueil', 'modes_accueil'], ['publics', 'publics'], ['thematiques', 'thematiques'], ['types-services', 'types_services'], ['reseaux-porteurs', 'reseaux_porteurs'], ['modes-mobilisation', 'modes_mobilisation'], ['personnes-mobilisatrices', 'personnes_mobilisatrices']] as const) {
      const { status, body } = await get(`/api/v1/doc/${path}`, 'not.a.token');
      expect([path, status]).toEqual([path, 200]);
      expect(body.map((i: any) => i.value)).toEqual(NOMENCLATURES[name].map((i) => i.value).sort());
      for (const item of body) expect(Object.keys(item).sort()).toEqual(['description', 'label', 'value']);
    }
  });

  test('GET /api/openapi.json comes from the route table; /api/docs is served from this host', async () => {
    const { status, body } = await get('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const documented = api.app.routes.filter((r) => r.doc).map((r) => r.path);
    expect(Object.keys(body.paths)).toEqual(documented);
    for (const path of ['/api/v1/structures', '/api/v1/structures/{id}', '/api/v1/services', '/api/v1/services/{id}', '/api/v1/search/services', '/api/v1/sources', '/api/v1/doc/thematiques']) {
      expect(body.paths).toHaveProperty([path]);
    }
    const names = body.paths['/api/v1/services'].get.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['page', 'size', 'sources', 'thematiques', 'frais', 'publics', 'modes_accueil', 'types', 'score_qualite_minimum', 'recherche_public', 'code_region', 'slug_region', 'code_departement', 'slug_departement', 'code_commune']));
    expect(body.info.description).toMatch(/contact:read/);
    const docs = await get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    for (const path of documented) expect(docs.text).toContain(path.replace(/&/g, '&#38;'));
    expect(docs.text).not.toMatch(/<script[^>]+src="https?:/);
  });
});

describe('the route table', () => {
  test('every route of the server is in it, in the order they are tried', async () => {
    const store = await createTestStore('pglite');
    const api = await createTestApp(store);
    try {
      const at = (method: string, path: string) => matchRoute(api.app.routes, method, path)?.route.path;
      expect(at('GET', '/healthz')).toBe('/healthz');
      expect(at('GET', '/readyz')).toBe('/readyz');
      expect(at('GET', '/metrics')).toBe('/metrics');
      expect(at('POST', '/metrics')).toBeUndefined();
      expect(at('GET', '/graphql')).toBe('/graphql');
      expect(at('POST', '/')).toBe('/graphql');
      expect(at('GET', '/exports/services.csv')).toBe('/exports/{entity}.{format}');
      expect(at('GET', '/exports/changes.ndjson')).toBe('/exports/changes.ndjson');
      expect(at('GET', '/exports/hsds/datapackage.json')).toBe('/exports/hsds/{table*}');
      expect(at('GET', '/api/v1/services/dora--x')).toBe('/api/v1/services/{id}');
      expect(at('GET', '/api/v1/doc/frais')).toBe('/api/v1/doc/frais');
      expect(at('GET', '/nowhere')).toBeUndefined();
      for (const route of api.app.routes) expect(route.description.length).toBeGreaterThan(5);
    } finally {
      await api.stop();
      await store.dispose();
    }
  });
});
