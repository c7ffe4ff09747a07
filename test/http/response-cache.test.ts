import { Redis } from 'ioredis';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { TEST_REDIS_URL, redisKeys, redisPrefix } from '../support/redis';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { runOperation } from '../../src/operations/run';
import { createSharedState } from '../../src/cache';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import * as fixture from '../fixtures/offer';
import { soliguideStructure as soliguide, soliguideService } from '../fixtures/offer';

/**
 * The response cache: a GET query asked twice is answered once, until the offer changes; what a token
 * unlocks (contact fields, a restricted source) is never served to a caller without it.
 */
const ENTITLED_ONLY = ['accueil@cs-belleville.example.org', '+33140000001', 'soliguide--4242', 'lieu@soliguide-accueil.example.org'];
const QUERY = '{ structures(first: 50) { totalCount nodes { id nom courriel telephone } } }';
const TTL = 60;

describe.each(ENGINES)('response cache on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let partner: string;
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: [...fixture.structures, soliguide], services: [...fixture.services, soliguideService] }, { now: fixture.NOW });
    await runOperation('clients.add', { id: 'partner', name: 'Partner', scopes: ['contact:read'], sources: ['soliguide'] }, { store, config });
    partner = (await issueToken(store, config, { clientId: 'partner', scopes: ['contact:read'] })).token;
    api = await createTestApp(store, {
      authenticate: createAuthenticator(new TokenVerifier(store, config)),
      restrictedSources: config.restrictedSources,
      responseCacheSeconds: TTL,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  async function get(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${await api.url()}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text), headers: response.headers, cache: response.headers.get('x-cache') };
  }

  test('an entitled response is never served to an anonymous caller, and each is served again from cache', async () => {
    // The entitled caller asks first: contact values and the restricted source, kept for callers with its rights only.
    const entitled = await get(QUERY, { authorization: `Bearer ${partner}` });
    expect(entitled.status).toBe(200);
    expect(entitled.cache).toBe('MISS');
    for (const value of ENTITLED_ONLY) expect(entitled.text).toContain(value);
    expect(entitled.headers.get('cache-control')).toBe('private, no-store');

    // The same request without a token: computed for the anonymous caller, not taken from the entitled entry.
    const anonymous = await get(QUERY);
    expect(anonymous.status).toBe(200);
    expect(anonymous.cache).toBe('MISS');
    for (const value of ENTITLED_ONLY) expect(anonymous.text).not.toContain(value);
    expect(anonymous.body.extensions.withheld.fields).toEqual([
      { field: 'Structure.courriel', requires: ['contact:read'] },
      { field: 'Structure.telephone', requires: ['contact:read'] },
    ]);
    expect(anonymous.headers.get('cache-control')).toBe(`public, max-age=${TTL}`);
    expect(anonymous.headers.get('vary')).toBe('Accept, Authorization');

    // Asked again, each gets its own response back from cache, byte for byte.
    const anonymousAgain = await get(QUERY);
    expect(anonymousAgain.cache).toBe('HIT');
    expect(anonymousAgain.text).toBe(anonymous.text);
    expect(anonymousAgain.headers.get('content-type')).toBe(anonymous.headers.get('content-type'));
    expect(anonymousAgain.headers.get('cache-control')).toMatch(/^public, max-age=(59|60)$/);
    expect(anonymousAgain.headers.get('age')).toMatch(/^[01]$/);
    const entitledAgain = await get(QUERY, { authorization: `Bearer ${partner}` });
    expect(entitledAgain.cache).toBe('HIT');
    expect(entitledAgain.text).toBe(entitled.text);
    expect(entitledAgain.headers.get('cache-control')).toBe('private, no-store');
  });

  test('a write to the offer (its version moves) invalidates: the next request sees the new data', async () => {
    const query = '{ structure(id: "dora--paris-11") { nom } }';
    expect((await get(query)).body.data.structure.nom).toBe('Centre social Belleville');
    expect((await get(query)).cache).toBe('HIT');
    const renamed = { ...fixture.structures[0], nom: 'Centre social Belleville (nouveau nom)' } as StructureRecord;
    await writeOffer(store, { structures: [renamed], services: [] }, { now: fixture.NOW });
    const after = await get(query);
    expect(after.cache).toBe('MISS');
    expect(after.body.data.structure.nom).toBe('Centre social Belleville (nouveau nom)');
    expect((await get(query)).cache).toBe('HIT');
  });

  test('responses with errors, POSTs and requests without a CSRF preflight are not served from cache', async () => {
    const bad = '{ services(filter: { frais: ["cher"] }) { totalCount } }';
    expect((await get(bad)).body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const again = await get(bad);
    expect(again.cache).toBe('MISS');
    expect(again.headers.get('cache-control')).toBe('no-store');

    const query = '{ nomenclatures { frais { value } } }';
    await get(query);
    expect((await get(query)).cache).toBe('HIT');
    const noPreflight = await fetch(`${await api.url()}?query=${encodeURIComponent(query)}`);
    expect(noPreflight.status).toBe(400);
    expect(noPreflight.headers.get('x-cache')).toBeNull();

    const post = await api.post(query);
    expect(post.status).toBe(200);
    expect(post.headers.get('cache-control')).toBe('no-store');
    expect(post.headers.get('x-cache')).toBeNull();
  });

  test('hits and misses are counted in /metrics', async () => {
    const text = await (await fetch((await api.url()).replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/passerelle_response_cache_requests_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/passerelle_response_cache_requests_total\{result="miss"\} [1-9]/);
  });
});

describe('response cache in Redis', () => {
  const { prefix, cleanup } = redisPrefix();
  let store: TestStore;
  const shared = [0, 1].map(() => createSharedState({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, logger: createLogger('silent') }));
  const apis: Awaited<ReturnType<typeof createTestApp>>[] = [];

  beforeAll(async () => {
    store = await createTestStore('postgres');
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    for (const state of shared) apis.push(await createTestApp(store, { shared: state, responseCacheSeconds: TTL }));
  });
  afterAll(async () => {
    for (const api of apis) await api.stop();
    for (const state of shared) await state.close();
    await store?.dispose();
    await cleanup();
  });

  test('a response cached by one instance is served by the other, with a TTL on its key', async () => {
    const query = encodeURIComponent('{ structures(first: 5) { nodes { id nom } } }');
    const get = async (i: number) => {
      const response = await fetch(`${await apis[i].url()}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
      return { cache: response.headers.get('x-cache'), text: await response.text() };
    };
    const first = await get(0);
    expect(first.cache).toBe('MISS');
    await new Promise((r) => setTimeout(r, 100)); // the entry is written after the response
    const second = await get(1);
    expect(second).toEqual({ cache: 'HIT', text: first.text });
    const keys = await redisKeys(prefix);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^response:\d+:/);
    const redis = new Redis(TEST_REDIS_URL);
    const ttl = await redis.ttl(prefix + keys[0]);
    redis.disconnect();
    expect(ttl).toBeGreaterThan(TTL - 5);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });
});
