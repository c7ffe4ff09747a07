import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

const structure = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  nom: `Structure ${id}`,
  date_maj: '2026-10-01',
  code_insee: '59350',
  commune: 'Lille',
  ...extra,
});
const service = (id: string, structureId: string, extra: Record<string, unknown> = {}) => ({
  id,
  structure_id: structureId,
  nom: `Service ${id}`,
  description: 'Un accompagnement vers la mobilité, pour se rendre au travail ou en formation, chaque semaine.',
  date_maj: '2026-10-01',
  thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  code_insee: '59350',
  ...extra,
});

const UPSERT_STRUCTURES = `mutation ($input: [V1Record!]!, $source: String) {
  upsertStructures(input: $input, source: $source) { source created updated unchanged deleted rejected errors { index id field message code } }
}`;
const UPSERT_SERVICES = `mutation ($input: [V1Record!]!, $source: String) {
  upsertServices(input: $input, source: $source) { source created updated unchanged deleted rejected errors { index id field message code } }
}`;
const DELETE_SERVICES = `mutation ($ids: [ID!]!) { deleteServices(ids: $ids) { deleted unchanged warnings { index code } } }`;

describe.each(ENGINES)('the producer write API, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let base: string;
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  const tokens: Record<string, string> = {};
  const bearer = (name: string) => `Bearer ${tokens[name]}`;
  // Counted in the table, not through the feed: the feed shows a change only once every older transaction of the
  // PostgreSQL cluster has ended, which other databases' work on a shared test server can delay.
  const changeCount = async () => Number((await store.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM changes'))[0].n);

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    const op = (name: string, args: Record<string, unknown>) => runOperation(name, args, { store, config });
    await op('clients.add', { id: 'dora-producer', name: 'Dora pushes', scopes: ['import'], sources: ['dora'] });
    await op('clients.add', { id: 'reader', name: 'Reads', scopes: ['contact:read'] });
    tokens.producer = (await issueToken(store, config, { clientId: 'dora-producer', scopes: ['import'] })).token;
    tokens.producerNoScope = (await issueToken(store, config, { clientId: 'dora-producer' })).token;
    tokens.reader = (await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token;
    api = await createTestApp(store, {
      authenticate: createAuthenticator(new TokenVerifier(store, config)),
      restrictedSources: config.restrictedSources,
      pushLimits: { maxRecords: 5, maxBytes: 4096 },
    });
    base = (await api.url()).replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('upsertStructures writes the valid records, reports each rejected one with its index and field, and is idempotent', async () => {
    const input = [structure('push-1'), structure('push-2', { code_postal: 'not a postcode' })];
    const first = await api.query(UPSERT_STRUCTURES, { input }, bearer('producer'));
    expect(first.errors).toBeUndefined();
    expect(first.data.upsertStructures).toMatchObject({ source: 'dora', created: 1, updated: 0, unchanged: 0, rejected: 1 });
    expect(first.data.upsertStructures.errors).toEqual([expect.objectContaining({ index: 1, field: 'code_postal', code: 'INVALID_RECORD' })]);
    expect(await store.prisma.structure.findUnique({ where: { id: 'dora--push-1' } })).toMatchObject({ source: 'dora', nom: 'Structure push-1' });

    const changes = await changeCount();
    const again = await api.query(UPSERT_STRUCTURES, { input: [structure('push-1')] }, bearer('producer'));
    expect(again.data.upsertStructures).toMatchObject({ created: 0, updated: 0, unchanged: 1, rejected: 0 });
    expect(await changeCount()).toBe(changes);

    const changed = await api.query(UPSERT_STRUCTURES, { input: [structure('push-1', { nom: 'Renamed' })] }, bearer('producer'));
    expect(changed.data.upsertStructures).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(await changeCount()).toBeGreaterThan(changes);
  });

  test('upsertServices writes services with their quality score; deleteServices removes them', async () => {
    const result = await api.query(UPSERT_SERVICES, { input: [service('push-svc', 'push-1')] }, bearer('producer'));
    expect(result.errors).toBeUndefined();
    expect(result.data.upsertServices).toMatchObject({ created: 1, rejected: 0 });
    const stored = await store.prisma.service.findUnique({ where: { id: 'dora--push-svc' } });
    expect(stored).toMatchObject({ structureId: 'dora--push-1' });
    expect(stored?.scoreQualite).toBeGreaterThan(0);

    const removed = await api.query(DELETE_SERVICES, { ids: ['dora--push-svc', 'dora--nothing'] }, bearer('producer'));
    expect(removed.data.deleteServices).toMatchObject({ deleted: 1, unchanged: 1, warnings: [{ index: 1, code: 'NOT_FOUND' }] });
    expect(await store.prisma.service.findUnique({ where: { id: 'dora--push-svc' } })).toBeNull();
  });

  test.each([
    ['a record whose source is another', { input: [structure('x', { source: 'france-travail' })] }, 'source'],
    ['an id that names another source', { input: [structure('france-travail--lyon-3', { nom: 'Hijacked' })] }, 'id'],
    ['a source argument the client may not write', { input: [structure('x')], source: 'france-travail' }, undefined],
  ])('a producer cannot write another source: %s', async (_name, variables, field) => {
    const before = await changeCount();
    const result = await api.query(UPSERT_STRUCTURES, variables, bearer('producer'));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN_SOURCE', ...(field ? { field, index: 0 } : {}) });
    expect(result.data).toBeNull();
    expect(await changeCount()).toBe(before);
    expect(await store.prisma.structure.findUnique({ where: { id: 'france-travail--lyon-3' } })).toMatchObject({ nom: 'France Travail Lyon Part-Dieu' });
  });

  test('a service naming another source\'s structure is refused', async () => {
    const result = await api.query(UPSERT_SERVICES, { input: [service('s', 'france-travail--lyon-3')] }, bearer('producer'));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN_SOURCE', field: 'structure_id', index: 0 });
  });

  test('deleteServices with another source\'s id is refused and deletes nothing', async () => {
    const result = await api.query(DELETE_SERVICES, { ids: ['dora--paris-11-numerique', fixture.services.find((s) => s.source !== 'dora')!.id] }, bearer('producer'));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN_SOURCE', index: 1, field: 'id' });
    expect(await store.prisma.service.count({ where: { id: { in: fixture.services.map((s) => s.id) } } })).toBe(fixture.services.length);
  });

  test('anonymous callers, tokens without the import scope and too many records are refused', async () => {
    const anonymous = await api.query(UPSERT_STRUCTURES, { input: [structure('a')] });
    expect(anonymous.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const noScope = await api.query(UPSERT_STRUCTURES, { input: [structure('a')] }, bearer('producerNoScope'));
    expect(noScope.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const reader = await api.query(DELETE_SERVICES, { ids: ['dora--paris-11-numerique'] }, bearer('reader'));
    expect(reader.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const many = await api.query(UPSERT_STRUCTURES, { input: Array.from({ length: 6 }, (_, i) => structure(`m${i}`)) }, bearer('producer'));
    expect(many.errors?.[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maximum: 5 });
    expect(await store.prisma.structure.findUnique({ where: { id: 'dora--a' } })).toBeNull();
  });

  test('a GraphQL body over the limit is a 413 PAYLOAD_TOO_LARGE; a token raises the limit to PASSERELLE_PUSH_MAX_BYTES only', async () => {
    const big = JSON.stringify({ query: UPSERT_STRUCTURES, variables: { input: [structure('huge', { description: 'x'.repeat(1024 * 1024) })] } });
    for (const headers of [{}, { authorization: bearer('producer') }]) {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: big });
      expect(response.status).toBe(413);
      expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  test('a mutation sent with GET is refused', async () => {
    const query = `mutation { deleteServices(ids: ["dora--paris-11-numerique"]) { deleted } }`;
    const response = await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`, { headers: { authorization: bearer('producer'), 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    expect(await store.prisma.service.findUnique({ where: { id: 'dora--paris-11-numerique' } })).not.toBeNull();
  });

  describe('REST: PUT /api/v1/sources/{slug}/…', () => {
    const put = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/v1/sources/${path}`, { method: 'PUT', body, headers: { 'content-type': 'application/json', authorization: bearer('producer'), ...headers } });

    test('a JSON array and NDJSON write as the mutation does', async () => {
      const json = await put('dora/structures', JSON.stringify([structure('rest-1')]));
      expect(json.status).toBe(200);
      expect(await json.json()).toMatchObject({ source: 'dora', created: 1 });
      const ndjson = await put('dora/services', `${JSON.stringify(service('rest-svc', 'rest-1'))}\n${JSON.stringify(service('bad', 'rest-1', { thematiques: ['nope'] }))}\n`, { 'content-type': 'application/x-ndjson' });
      expect(ndjson.status).toBe(200);
      const report = await ndjson.json();
      expect(report).toMatchObject({ created: 1, rejected: 1 });
      expect(report.errors[0]).toMatchObject({ index: 1, field: expect.stringContaining('thematiques') });
      const again = await put('dora/structures', JSON.stringify([structure('rest-1')]));
      expect(await again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    });

    test('another source, an id of another source, no token, and the limits are refused', async () => {
      expect((await put('france-travail/structures', JSON.stringify([structure('x')]))).status).toBe(403);
      const hijack = await put('dora/services', JSON.stringify([service('france-travail--x', 'dora--rest-1')]));
      expect(hijack.status).toBe(403);
      expect(await hijack.json()).toMatchObject({ code: 'FORBIDDEN_SOURCE', index: 0, field: 'id' });
      expect((await put('dora/structures', JSON.stringify([structure('x')]), { authorization: '' })).status).toBe(401);
      const many = await put('dora/structures', JSON.stringify(Array.from({ length: 6 }, (_, i) => structure(`m${i}`))));
      expect(many.status).toBe(413);
      const big = await put('dora/structures', JSON.stringify([structure('big', { description: 'x'.repeat(5000) })]));
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await store.prisma.structure.findUnique({ where: { id: 'dora--x' } })).toBeNull();
    });

    test('the PUT routes are in /api/openapi.json and /api/docs', async () => {
      const document = await (await fetch(`${base}/api/openapi.json`)).json();
      const put = document.paths['/api/v1/sources/{slug}/services'].put;
      expect(put.requestBody.content).toHaveProperty(['application/x-ndjson']);
      expect(put.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '403', '413']));
      expect(await (await fetch(`${base}/api/docs`)).text()).toContain('PUT /api/v1/sources/{slug}/structures');
    });

    test('PUT takes from the same rate-limit bucket as /graphql', async () => {
      const limited = await createTestApp(store, {
        authenticate: createAuthenticator(new TokenVerifier(store, config)),
        rateLimits: { anonymous: { rate: 0, burst: 1 }, client: { rate: 0.001, burst: 2 } },
      });
      const url = (await limited.url()).replace(/\/graphql$/, '');
      try {
        const headers = { 'content-type': 'application/json', authorization: bearer('producer') };
        const first = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: '{ sources { slug } }' }) });
        expect(first.status).toBe(200);
        const second = await fetch(`${url}/api/v1/sources/dora/structures`, { method: 'PUT', headers, body: JSON.stringify([structure('rate-1')]) });
        expect(second.status).toBe(200);
        const third = await fetch(`${url}/api/v1/sources/dora/structures`, { method: 'PUT', headers, body: JSON.stringify([structure('rate-2')]) });
        expect(third.status).toBe(429);
        expect(third.headers.get('retry-after')).toBeTruthy();
        expect(await store.prisma.structure.findUnique({ where: { id: 'dora--rate-2' } })).toBeNull();
      } finally {
        await limited.stop();
      }
    });
  });
});
