import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { TEST_REDIS_URL, redisKeys, redisPrefix } from '../support/redis';
import { createLogger } from '../../src/logger';
import { createSharedState } from '../../src/cache';
import { CompiledReads } from '../../src/graph/compiled-reads';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

/**
 * Automatic persisted queries (Apollo's protocol): a client sends a query's SHA-256 alone; on
 * PERSISTED_QUERY_NOT_FOUND it sends the text with the hash once, and the hash alone from then on —
 * over POST, or over GET where the short URL is cacheable. With Redis, every instance knows every hash.
 */
const QUERY = '{ services(first: 3) { nodes { id nom structure { nom } } } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const persisted = { persistedQuery: { version: 1, sha256Hash: HASH } };

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore('postgres');
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
});
afterAll(async () => {
  await store?.dispose();
});

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

/** Apollo registers a query's text after answering: wait for it to be readable. */
async function registered(url: string): Promise<any> {
  for (let i = 0; i < 40; i++) {
    const answer = await post(url, { extensions: persisted });
    if (!answer.body.errors) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
  return post(url, { extensions: persisted });
}

test('in memory: unknown hash, registration, then the hash alone over POST and GET — answered by the compiled read', async () => {
  const api = await createTestApp(store);
  const url = await api.url();
  try {
    const unknown = await post(url, { extensions: persisted });
    expect(unknown.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);

    const plain = await post(url, { query: QUERY });
    const registration = await post(url, { query: QUERY, extensions: persisted });
    expect(registration.body).toEqual(plain.body);

    const answer = jest.spyOn(CompiledReads.prototype, 'answer');
    try {
      const byHash = await registered(url);
      expect(byHash.status).toBe(200);
      expect(byHash.body).toEqual(plain.body);
      // The hash was resolved from the same cache Apollo registered it in, and one statement answered it.
      const results = await Promise.all(answer.mock.results.map((r) => r.value));
      expect(JSON.parse(results.at(-1).body)).toEqual(plain.body);
    } finally {
      answer.mockRestore();
    }

    const get = await fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify(persisted))}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(plain.body);

    const wrong = await post(url, { query: '{ __typename }', extensions: persisted });
    expect(wrong.status).toBe(400);
    // Apollo's own error carries no code: it is the client's (400), shown as BAD_REQUEST rather than masked.
    expect(wrong.body).toEqual({ errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }] });
  } finally {
    await api.stop();
  }
});

test('in Redis: registered on one instance, run by its hash on another; kept for the TTL', async () => {
  const { prefix, cleanup } = redisPrefix();
  const shared = [0, 1].map(() => createSharedState({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, logger: createLogger('silent') }));
  const [a, b] = await Promise.all(shared.map((state) => createTestApp(store, { shared: state, persistedQueryTtl: 3600 })));
  try {
    const [urlA, urlB] = [await a.url(), await b.url()];
    expect((await post(urlB, { extensions: persisted })).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registration = await post(urlA, { query: QUERY, extensions: persisted });
    expect(registration.body.errors).toBeUndefined();
    const byHash = await registered(urlB);
    expect(byHash.body).toEqual(registration.body);
    expect(await redisKeys(prefix)).toEqual([`apq:${HASH}`]);
    const redis = new Redis(TEST_REDIS_URL);
    const ttl = await redis.ttl(`${prefix}apq:${HASH}`);
    redis.disconnect();
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  } finally {
    await a.stop();
    await b.stop();
    for (const state of shared) await state.close();
    await cleanup();
  }
});
