import { createLogger } from '../../src/logger';
import { createConnector } from '../../src/partners';
import { createTransport } from '../../src/partners/http';
import { PartnerError, type Connector, type PartnerConfig, type PartnerPage, type PartnerType } from '../../src/partners/types';
import { reply, startFakePartner, type FakePartner, type FakeRequest, type FakeRoutes } from './fake-server';
import * as di from './fixtures/data-inclusion';
import * as dora from './fixtures/dora';
import * as emplois from './fixtures/emplois';
import * as soliguide from './fixtures/soliguide';

/**
 * The real stack over real HTTP: createTransport(partner) + createConnector(partner, transport, logger)
 * against a fake partner on 127.0.0.1 serving the fixtures in each partner's documented shape and routes
 * (auth header, by-id lookups with bounded concurrency measured in the fake, pagination, failures).
 */

const TOKEN = 'over-http-t0ken';
const notFound = () => reply(404, { detail: 'Not found.' });
const num = (value: string | string[] | undefined, fallback: number) => {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

interface Spec {
  type: PartnerType;
  scheme: string;
  sources: string[];
  /** The partner's documented routes; `url` is the fake's own base URL (for absolute DRF `next` links). */
  routes: (req: FakeRequest, url: () => string) => unknown;
  /** Options of createConnector (data·inclusion: small harvest pages so that the walk spans pages). */
  connectorOptions?: { harvestPageSize?: number };
  /** The method and path of the first request of `page()`. */
  firstPage: { path: string; method: string };
}

// data·inclusion API v1: `/api/v1/{structures,services}?page&size` → `{items,total,page,size,pages}`;
// `/api/v1/services/{id}` → DetailedService, `/api/v1/structures/{id}` → Structure.
const diServices = [di.serviceAtelier, di.serviceEmploi, di.serviceCuisine, di.serviceMalformed];
const diStructures = [di.structureBelleville, di.structureLille];
const diSpec: Spec = {
  type: 'data-inclusion',
  scheme: 'Bearer',
  sources: ['dora', 'france-travail'],
  connectorOptions: { harvestPageSize: 2 },
  firstPage: { path: '/api/v1/structures', method: 'GET' },
  routes(req) {
    if (req.method !== 'GET') return undefined;
    const page = num(req.query.page, 1);
    const size = num(req.query.size, 50);
    if (req.path === '/api/v1/structures') return di.pageOf(diStructures, page, size);
    if (req.path === '/api/v1/services') return di.pageOf(diServices, page, size);
    const service = /^\/api\/v1\/services\/([^/]+)$/.exec(req.path);
    if (service) {
      const id = decodeURIComponent(service[1]);
      if (id.startsWith('dora--genere-')) return { ...di.detailedService(di.serviceAtelier.id), id };
      return di.detailedService(id) ?? notFound();
    }
    const structure = /^\/api\/v1\/structures\/([^/]+)$/.exec(req.path);
    if (structure) return diStructures.find((s) => s.id === decodeURIComponent(structure[1])) ?? notFound();
    return undefined;
  },
};

// Dora API v2: DRF pages `{count,next,previous,results}` (the fake caps page_size at 2 and links `next`
// absolutely to itself), `/api/v2/services/{id}/`, `/api/v2/structures/{id}/`.
const DORA_MAX_PAGE_SIZE = 2;
function drfPage(items: readonly unknown[], req: FakeRequest, url: string, extra: Record<string, string> = {}) {
  const page = num(req.query.page, 1);
  const size = Math.min(num(req.query.page_size, 20), DORA_MAX_PAGE_SIZE);
  const start = (page - 1) * size;
  if (start > 0 && start >= items.length) return reply(404, { detail: 'Invalid page.' });
  const params = new URLSearchParams({ ...extra, page: String(page + 1), page_size: String(size) });
  return {
    count: items.length,
    next: start + size < items.length ? `${url}${req.path}?${params}` : null,
    previous: page > 1 ? `${url}${req.path}?page=${page - 1}` : null,
    results: items.slice(start, start + size),
  };
}
const doraStructures: unknown[] = dora.structuresPages.flatMap((p): unknown[] => p.results);
const doraServices: unknown[] = dora.servicesPages.flatMap((p): unknown[] => p.results);
const doraSpec: Spec = {
  type: 'dora',
  scheme: 'Token',
  sources: ['dora'],
  firstPage: { path: '/api/v2/structures/', method: 'GET' },
  routes(req, url) {
    if (req.method !== 'GET') return undefined;
    if (req.path === '/api/v2/structures/') return drfPage(doraStructures, req, url(), { o: 'creation_date' });
    if (req.path === '/api/v2/services/') return drfPage(doraServices, req, url(), { o: 'creation_date' });
    const service = /^\/api\/v2\/services\/([^/]+)\/$/.exec(req.path);
    if (service) {
      const id = decodeURIComponent(service[1]);
      if (id.startsWith('genere-')) return { ...dora.serviceEpicerie, id };
      return dora.servicesById[id] ?? notFound();
    }
    const structure = /^\/api\/v2\/structures\/([^/]+)\/$/.exec(req.path);
    if (structure) return dora.structuresById[decodeURIComponent(structure[1])] ?? notFound();
    return undefined;
  },
};

// Soliguide: `POST /new-search` → `{places, nbResults}` (the fixture pages stand for 1,000 places each),
// `GET /place/{lieu_id}` → one place.
const soliguideSpec: Spec = {
  type: 'soliguide',
  scheme: 'JWT',
  sources: ['soliguide'],
  firstPage: { path: '/new-search', method: 'POST' },
  routes(req) {
    if (req.path === '/new-search') {
      if (req.method !== 'POST') return reply(405, { detail: 'Method not allowed' });
      const body = req.body as { location?: unknown; options?: { page?: number; limit?: number } } | undefined;
      if (!body?.location) return reply(400, { message: 'location is required' });
      const page = body.options?.page ?? 1;
      return soliguide.searchPages[page - 1] ?? { places: [], nbResults: soliguide.searchPages[0].nbResults };
    }
    const place = /^\/place\/(\d+)$/.exec(req.path);
    if (place && req.method === 'GET') {
      const id = Number(place[1]);
      if (id >= 7000 && id < 7100) return { ...soliguide.placeBagagerie, lieu_id: id, services_all: [] };
      return soliguide.placesById[place[1]] ?? notFound();
    }
    return undefined;
  },
};

// Emplois de l'inclusion: `GET /api/v1/data-inclusion/?type=siae|orga&page&page_size` DRF pages, whose
// `next` points back at the fake.
const emploisSpec: Spec = {
  type: 'emplois',
  scheme: 'Token',
  sources: ['emplois-de-linclusion'],
  firstPage: { path: '/api/v1/data-inclusion/', method: 'GET' },
  routes(req, url) {
    if (req.method !== 'GET' || req.path !== '/api/v1/data-inclusion/') return undefined;
    const type = req.query.type;
    if (type !== 'siae' && type !== 'orga') return reply(400, { type: ['Sélectionnez un choix valide.'] });
    const page = num(req.query.page, 1);
    const fixture = emplois.pages[type][page - 1];
    if (!fixture) return reply(404, { detail: 'Page non valide.' });
    const next = fixture.next === null ? null : `${url()}/api/v1/data-inclusion/?page=${page + 1}&page_size=1000&type=${type}`;
    return { ...fixture, next };
  },
};

const SPECS: Spec[] = [diSpec, doraSpec, soliguideSpec, emploisSpec];

/** A fake partner serving `spec`, with by-id answers delayed so that the requests in flight can be measured. */
async function serve(spec: Spec, delayMs = 0) {
  const stats = { inFlight: 0, maxInFlight: 0 };
  let url = '';
  const routes: FakeRoutes = async (req) => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      return spec.routes(req, () => url);
    } finally {
      stats.inFlight -= 1;
    }
  };
  const fake = await startFakePartner(routes);
  url = fake.url;
  return { fake, stats };
}

function setup(spec: Spec, fake: FakePartner, overrides: Partial<PartnerConfig> = {}) {
  const partner: PartnerConfig = {
    id: `${spec.type}-over-http`,
    type: spec.type,
    baseUrl: fake.url,
    token: TOKEN,
    live: true,
    sources: spec.sources,
    cacheTtlSeconds: 0,
    timeoutMs: 1000,
    ...overrides,
  };
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  // Small backoff so the suite stays fast; a breaker that does not open within one test.
  const transport = createTransport(partner, { logger, backoffMs: 1, breaker: { failures: 100, openMs: 1000 } });
  const connector = createConnector(partner, transport, logger, spec.connectorOptions);
  return { partner, transport, connector, logs };
}

async function walk(connector: Connector) {
  const pages: PartnerPage[] = [];
  let mark: string | undefined;
  do {
    const page = await connector.page(mark);
    pages.push(page);
    mark = page.next;
  } while (mark);
  return {
    pages,
    marks: pages.map((p) => p.next),
    structures: pages.flatMap((p) => p.structures.map((s) => s.id)),
    services: pages.flatMap((p) => p.services.map((s) => s.id)),
  };
}

async function failure(promise: Promise<unknown>): Promise<PartnerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PartnerError);
    return error as PartnerError;
  }
  throw new Error('expected a PartnerError');
}

const pathAndPage = (r: FakeRequest) => [r.path, r.query.type, r.query.page ?? (r.body as any)?.options?.page].filter((v) => v !== undefined);

describe('data·inclusion over HTTP', () => {
  let fake: FakePartner;
  let stats: { maxInFlight: number };
  beforeEach(async () => ({ fake, stats } = await serve(diSpec, 20)));
  afterEach(() => fake.close());

  it('sends Bearer, looks services up one GET per id (≤ 4 in flight) and maps them to v1', async () => {
    const { connector } = setup(diSpec, fake);
    const ids = [
      di.serviceAtelier.id,
      di.serviceEmploi.id,
      'dora--inconnu',
      ...Array.from({ length: 7 }, (_, i) => `dora--genere-${i}`),
      di.serviceAtelier.id, // asked twice, fetched once
    ];
    const services = await connector.servicesByIds(ids);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(fake.requests.map((r) => r.path).sort()).toEqual(
      [...new Set(ids)].map((id) => `/api/v1/services/${id}`).sort(),
    );
    expect(fake.requests).toHaveLength(10);
    expect(stats.maxInFlight).toBe(4);
    expect(services.map((s) => s.id)).toEqual([...new Set(ids)].filter((id) => id !== 'dora--inconnu'));
    const { adresse_certifiee, extra, ...v1 } = di.serviceAtelier;
    void adresse_certifiee, extra;
    expect(services[0]).toEqual({ ...Object.fromEntries(Object.entries(v1).filter(([, value]) => value !== null)), score_origine: 'data-inclusion' });
  });

  it('structuresByIds: GET /api/v1/structures/{id}, unknown ids omitted', async () => {
    const { connector } = setup(diSpec, fake);
    const structures = await connector.structuresByIds([di.structureBelleville.id, 'dora--nope']);
    expect(structures.map((s) => s.id)).toEqual([di.structureBelleville.id]);
    expect(structures[0]).toMatchObject({ score_qualite: di.structureBelleville.score_qualite, doublons: ['soliguide--4521'] });
    expect(structures[0]).not.toHaveProperty('adresse_certifiee');
    expect(fake.requests.map((r) => r.path).sort()).toEqual(['/api/v1/structures/dora--cs-belleville', '/api/v1/structures/dora--nope']);
  });

  it('page() walks structures then services, page by page (?page&size), until the last', async () => {
    const { connector, logs } = setup(diSpec, fake);
    const walked = await walk(connector);
    expect(walked.marks).toEqual(['services:1', 'services:2', undefined]);
    expect(walked.structures).toEqual([di.structureBelleville.id, di.structureLille.id]);
    expect(walked.services).toEqual([di.serviceAtelier.id, di.serviceEmploi.id, di.serviceCuisine.id]);
    expect(fake.requests.map((r) => [r.path, r.query.page, r.query.size])).toEqual([
      ['/api/v1/structures', '1', '2'],
      ['/api/v1/services', '1', '2'],
      ['/api/v1/services', '2', '2'],
    ]);
    expect(logs.map((l) => [l.msg, l.id])).toEqual([['partner record dropped', di.serviceMalformed.id]]);
  });

  it('listServices pushes its filters down as query parameters', async () => {
    const { connector } = setup(diSpec, fake);
    await connector.listServices({ sources: ['dora'], thematiques: ['numerique', 'mobilite'], codeDepartement: '75', limit: 10 });
    expect(fake.requests[0]).toMatchObject({
      path: '/api/v1/services',
      query: { sources: 'dora', thematiques: ['numerique', 'mobilite'], code_departement: '75', page: '1', size: '10' },
    });
  });
});

describe('Dora over HTTP', () => {
  let fake: FakePartner;
  let stats: { maxInFlight: number };
  beforeEach(async () => ({ fake, stats } = await serve(doraSpec, 20)));
  afterEach(() => fake.close());

  it('sends Token, one GET /api/v2/services/{id}/ per Dora id (≤ 4 in flight), mapped to v1', async () => {
    const { connector } = setup(doraSpec, fake);
    const ids = [
      `dora--${dora.serviceEpicerie.id}`,
      `dora--${dora.serviceJeunes.id}`,
      'soliguide--4521', // not a Dora id: not asked
      'dora--inconnu',
      ...Array.from({ length: 8 }, (_, i) => `dora--genere-${i}`),
    ];
    const services = await connector.servicesByIds(ids);
    expect(fake.requests.every((r) => r.headers.authorization === `Token ${TOKEN}`)).toBe(true);
    expect(fake.requests).toHaveLength(11);
    expect(fake.requests.map((r) => r.path).sort()).toEqual(
      ids.filter((id) => id.startsWith('dora--')).map((id) => `/api/v2/services/${id.slice(6)}/`).sort(),
    );
    expect(stats.maxInFlight).toBe(4);
    expect(services).toHaveLength(10);
    expect(services.find((s) => s.id === `dora--${dora.serviceJeunes.id}`)).toMatchObject({
      structure_id: `dora--${dora.structureMissionLocale.id}`,
      date_maj: '2025-09-14',
      type: 'accompagnement',
      frais: 'gratuit',
      zone_eligibilite: ['02', '59', '60', '62', '80'],
    });
    // contact_public: false → no contacts
    expect(services.find((s) => s.id === `dora--${dora.serviceJeunes.id}`)).not.toHaveProperty('courriel');
  });

  it('structuresByIds: GET /api/v2/structures/{id}/, the malformed one dropped', async () => {
    const { connector } = setup(doraSpec, fake);
    const structures = await connector.structuresByIds([`dora--${dora.structureCcas.id}`, `dora--${dora.structureMalformed.id}`, 'dora--absente']);
    expect(structures.map((s) => s.id)).toEqual([`dora--${dora.structureCcas.id}`]);
    expect(structures[0]).toMatchObject({ reseaux_porteurs: ['ccas-cias'], date_maj: '2025-03-11' });
    expect(fake.requests).toHaveLength(3);
  });

  it('page() follows DRF `next` (an absolute URL of the fake) through structures, then services', async () => {
    const { connector } = setup(doraSpec, fake);
    const walked = await walk(connector);
    expect(walked.marks).toEqual(['structures:2', 'services:1', 'services:2', undefined]);
    expect(walked.structures).toEqual([
      `dora--${dora.structureMissionLocale.id}`,
      `dora--${dora.structureCcas.id}`,
      `dora--${dora.structureAsso.id}`, // the malformed one dropped
    ]);
    expect(walked.services).toEqual([`dora--${dora.serviceJeunes.id}`, `dora--${dora.serviceEpicerie.id}`, `dora--${dora.serviceVelo.id}`]);
    expect(fake.requests.map(pathAndPage)).toEqual([
      ['/api/v2/structures/', '1'],
      ['/api/v2/structures/', '2'],
      ['/api/v2/services/', '1'],
      ['/api/v2/services/', '2'],
    ]);
    expect(fake.requests[0].query).toMatchObject({ o: 'creation_date' });
  });

  it('a `next` pointing past the current page is followed to that page', async () => {
    // A partner whose `next` jumps (e.g. page=3): the connector takes the page number from the URL.
    await fake.close();
    ({ fake } = await serve({
      ...doraSpec,
      routes(req, url) {
        if (req.path !== '/api/v2/structures/') return { count: 0, next: null, previous: null, results: [] };
        const page = num(req.query.page, 1);
        if (page === 1) return { count: 2, next: `${url()}/api/v2/structures/?page=3&page_size=1`, previous: null, results: [dora.structureCcas] };
        if (page === 3) return { count: 2, next: null, previous: null, results: [dora.structureAsso] };
        return reply(404, { detail: 'Invalid page.' });
      },
    }));
    const { connector } = setup(doraSpec, fake);
    const walked = await walk(connector);
    expect(walked.structures).toEqual([`dora--${dora.structureCcas.id}`, `dora--${dora.structureAsso.id}`]);
    expect(fake.requests.map(pathAndPage)).toEqual([
      ['/api/v2/structures/', '1'],
      ['/api/v2/structures/', '3'],
      ['/api/v2/services/', '1'],
    ]);
  });
});

describe('Soliguide over HTTP', () => {
  let fake: FakePartner;
  let stats: { maxInFlight: number };
  beforeEach(async () => ({ fake, stats } = await serve(soliguideSpec, 20)));
  afterEach(() => fake.close());

  it('sends JWT; servicesByIds fetches each place once (GET /place/{lieu_id})', async () => {
    const { connector } = setup(soliguideSpec, fake);
    // Soliguide has no route by service: a service id resolves through the places the connector has read
    await walk(connector);
    fake.requests.length = 0;
    const services = await connector.servicesByIds([
      'soliguide--64a1f0c2b3d4e5f60123aa02',
      'soliguide--64a1f0c2b3d4e5f60123aa01',
      'soliguide--64a1f0c2b3d4e5f60123bb02',
      'soliguide--4522--64a1f0c2b3d4e5f60123aa01', // former form, a place from Dora: nothing
      'soliguide--5555--nope', // former form, unknown place: 404
      'soliguide--ffffffffffffffffffffffff', // never seen: not found, nothing asked
      'dora--atelier',
    ]);
    expect(fake.requests.every((r) => r.headers.authorization === `JWT ${TOKEN}`)).toBe(true);
    expect(fake.requests.map((r) => r.path).sort()).toEqual(['/place/4521', '/place/4522', '/place/5555', '/place/9876']);
    expect(services.map((s) => s.id)).toEqual([
      'soliguide--64a1f0c2b3d4e5f60123aa01',
      'soliguide--64a1f0c2b3d4e5f60123aa02',
      'soliguide--64a1f0c2b3d4e5f60123bb02',
    ]);
    expect(services[0]).toMatchObject({ nom: 'Distribution de repas', thematiques: ['equipement-et-alimentation--alimentation'] });
  });

  it('structuresByIds: one GET per place, at most 4 in flight', async () => {
    const { connector } = setup(soliguideSpec, fake);
    const ids = [...Array.from({ length: 9 }, (_, i) => `soliguide--${7000 + i}`), 'soliguide--1', 'soliguide--4521'];
    const structures = await connector.structuresByIds(ids);
    expect(fake.requests).toHaveLength(11);
    expect(stats.maxInFlight).toBe(4);
    expect(structures).toHaveLength(10);
    expect(structures.find((s) => s.id === 'soliguide--4521')).toMatchObject({ nom: 'Restos du Cœur – Lille Moulins', code_insee: '59350' });
  });

  it('page() walks POST /new-search (options.page) while nbResults says there is more', async () => {
    const { connector } = setup(soliguideSpec, fake);
    const walked = await walk(connector);
    expect(walked.marks).toEqual(['places:2', undefined]);
    expect(walked.structures).toEqual(['soliguide--4521', 'soliguide--9876']);
    expect(fake.requests.map((r) => [r.method, r.path, r.body])).toEqual(
      [1, 2].map((page) => ['POST', '/new-search', { location: { geoType: 'pays', geoValue: 'fr' }, options: { limit: 1000, page, sortBy: 'lieu_id', sortValue: 1 } }]),
    );
    expect(fake.requests[0].headers['content-type']).toBe('application/json');
  });
});

describe('Emplois de l’inclusion over HTTP', () => {
  let fake: FakePartner;
  beforeEach(async () => ({ fake } = await serve(emploisSpec, 5)));
  afterEach(() => fake.close());

  it('sends Token; no by-id form: structuresByIds walks the DRF pages only until every id is found', async () => {
    const { connector } = setup(emploisSpec, fake);
    const structures = await connector.structuresByIds([
      `emplois-de-linclusion--${emplois.siaeEtti.id}`,
      `emplois-de-linclusion--${emplois.siaeOpcs.id}`,
    ]);
    expect(structures.map((s) => s.nom)).toEqual(['Intérim solidaire Lille', 'Atelier pénitentiaire de Sequedin']);
    expect(fake.requests.map(pathAndPage)).toEqual([
      ['/api/v1/data-inclusion/', 'siae', '1'],
      ['/api/v1/data-inclusion/', 'siae', '2'],
    ]);
    expect(fake.requests.every((r) => r.headers.authorization === `Token ${TOKEN}`)).toBe(true);

    const orga = await connector.structuresByIds([`emplois-de-linclusion--${emplois.orgaFt.id}`, 'emplois-de-linclusion--absente']);
    expect(orga.map((s) => s.reseaux_porteurs)).toEqual([['france-travail']]);
    expect(fake.requests).toHaveLength(2 + 3);
    expect(await connector.servicesByIds(['emplois-de-linclusion--x'])).toEqual([]);
    expect(fake.requests).toHaveLength(5);
  });

  it('page() follows siae then orga pages (`next` pointing at the fake) until the last', async () => {
    const { connector } = setup(emploisSpec, fake);
    const walked = await walk(connector);
    expect(walked.marks).toEqual(['siae:2', 'orga:1', undefined]);
    expect(walked.structures.map((id) => id.slice(-4))).toEqual(['6a51', '4c5d', '7d6e', '4f5a', '5a6b']);
    expect(walked.services).toEqual([]);
    expect(fake.requests.map(pathAndPage)).toEqual([
      ['/api/v1/data-inclusion/', 'siae', '1'],
      ['/api/v1/data-inclusion/', 'siae', '2'],
      ['/api/v1/data-inclusion/', 'orga', '1'],
    ]);
  });
});

describe.each(SPECS.map((spec) => [spec.type, spec] as const))('%s: failures over HTTP', (_type, spec) => {
  let fake: FakePartner;
  beforeEach(async () => ({ fake } = await serve(spec)));
  afterEach(() => fake.close());

  const first = () => setup(spec, fake).connector.page();

  it('429 with Retry-After: 1 on the first request: waited for, retried, then answered', async () => {
    const { connector, transport } = setup(spec, fake);
    fake.setFault({ kind: 'rate-limit', retryAfter: 1, times: 1 });
    const started = Date.now();
    const page = await connector.page();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(page.structures.length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
    expect(transport.calls).toBe(2);
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([0, 1].map(() => [spec.firstPage.method, spec.firstPage.path]));
    expect(fake.requests[1].headers.authorization).toBe(`${spec.scheme} ${TOKEN}`);
  });

  it('500 on every request: PartnerError http 500 after the retries', async () => {
    fake.setFault({ kind: 'status', status: 500 });
    const error = await failure(first());
    expect(error).toMatchObject({ reason: 'http', status: 500, partnerId: `${spec.type}-over-http` });
    expect(fake.requests).toHaveLength(3); // 1 + 2 retries
  });

  it('a 4xx is not retried', async () => {
    fake.setFault({ kind: 'status', status: 403 });
    expect(await failure(first())).toMatchObject({ reason: 'http', status: 403 });
    expect(fake.requests).toHaveLength(1);
  });

  it('malformed JSON: PartnerError malformed, not retried', async () => {
    fake.setFault({ kind: 'malformed' });
    expect(await failure(first())).toMatchObject({ reason: 'malformed' });
    expect(fake.requests).toHaveLength(1);
  });

  it('a truncated page once: retried, then the whole page', async () => {
    fake.setFault({ kind: 'truncated', times: 1 });
    const page = await first();
    expect(page.structures.length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('truncated pages every time: PartnerError network after the retries', async () => {
    fake.setFault({ kind: 'truncated' });
    expect(await failure(first())).toMatchObject({ reason: 'network' });
    expect(fake.requests).toHaveLength(3);
  });

  it('slower than timeoutMs: PartnerError timeout', async () => {
    fake.setFault({ kind: 'slow', ms: 1000 });
    const { connector } = setup(spec, fake, { timeoutMs: 100 });
    const started = Date.now();
    expect(await failure(connector.page())).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
    expect(fake.requests).toHaveLength(3);
  });

  it('a by-id lookup failing with 500 fails the lookup (not an empty answer)', async () => {
    if (spec.type === 'emplois') return; // no by-id form: page walk, covered above
    fake.setFault({ kind: 'status', status: 500 });
    const { connector } = setup(spec, fake);
    const id = spec.type === 'soliguide' ? 'soliguide--4521' : spec.type === 'dora' ? `dora--${dora.structureCcas.id}` : di.structureBelleville.id;
    expect(await failure(connector.structuresByIds([id]))).toMatchObject({ reason: 'http', status: 500 });
  });

  it('the partner gone: PartnerError network', async () => {
    const { connector } = setup(spec, fake);
    await fake.close();
    expect(await failure(connector.page())).toMatchObject({ reason: 'network' });
  });
});
