import { createHash } from 'node:crypto';
import { ServerProcess, freePort, runCli } from '../support/server-process';
import { createTestStore, type TestStore } from '../support/engines';
import { TEST_REDIS_URL, redisKeys, redisPrefix } from '../support/redis';
import { loadConfig } from '../../src/config';
import { issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

/**
 * Two Passerelle processes (the built server) on one PostgreSQL database and one Redis, as behind a load
 * balancer: a caller meets one rate limit whichever instance it reaches, a query registered on one runs
 * by its hash on the other, and a token revoked once is refused by both within seconds.
 */
const { prefix, cleanup } = redisPrefix();
let store: TestStore;
let a: ServerProcess;
let b: ServerProcess;
const config = loadConfig({});

function env(port: number): () => NodeJS.ProcessEnv {
  return () => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: store.url,
      REDIS_URL: TEST_REDIS_URL,
      PASSERELLE_REDIS_PREFIX: prefix,
      PASSERELLE_RATE_CLIENT: '0.01',
      PASSERELLE_BURST_CLIENT: '6',
      PASSERELLE_REVOCATION_CACHE_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
    delete e.NODE_ENV;
    delete e.PASSERELLE_DATA_DIR;
    return e;
  };
}

beforeAll(async () => {
  store = await createTestStore('postgres');
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  await runOperation('clients.add', { id: 'front', name: 'A front end' }, { store, config });
  await runOperation('clients.add', { id: 'busy', name: 'A busy front end' }, { store, config });
  const portA = await freePort();
  a = new ServerProcess(portA, env(portA));
  await a.start();
  const portB = await freePort();
  b = new ServerProcess(portB, env(portB));
  await b.start();
}, 300_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await store?.dispose();
  await cleanup();
});

async function post(server: ServerProcess, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

test('requests spread over both instances meet one rate limit', async () => {
  const { token } = await issueToken(store, config, { clientId: 'busy' });
  const auth = { authorization: `Bearer ${token}` };
  const query = { query: '{ nomenclatures { frais { value } } }' };
  for (let i = 0; i < 6; i++) expect((await post(i % 2 ? b : a, query, auth)).status).toBe(200);
  for (const server of [a, b]) {
    const refused = await post(server, query, auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('100');
    expect(refused.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 100 });
  }
  expect(await redisKeys(prefix)).toContain('rate:client:busy');
  // Another client, and anonymous callers, have buckets of their own.
  expect((await post(a, query)).status).toBe(200);
});

test('a query registered on one instance runs by its hash on the other', async () => {
  const { token } = await issueToken(store, config, { clientId: 'front' });
  const auth = { authorization: `Bearer ${token}` };
  const query = '{ structures(first: 2) { nodes { id nom } } }';
  const persisted = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
  expect((await post(b, { extensions: persisted }, auth)).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  const registration = await post(a, { query, extensions: persisted }, auth);
  expect(registration.status).toBe(200);
  expect(registration.body.data.structures.nodes).toHaveLength(2);
  let byHash = await post(b, { extensions: persisted }, auth);
  for (let i = 0; i < 40 && byHash.body.errors; i++) {
    await new Promise((r) => setTimeout(r, 50)); // Apollo writes the registration just after answering
    byHash = await post(b, { extensions: persisted }, auth);
  }
  expect(byHash.status).toBe(200);
  expect(byHash.body).toEqual(registration.body);
});

test('a token revoked once is refused by both instances within seconds', async () => {
  const { token, jti } = await issueToken(store, config, { clientId: 'front' });
  const auth = { authorization: `Bearer ${token}` };
  const query = { query: '{ structure(id: "dora--paris-11") { nom } }' };
  for (const server of [a, b]) expect((await post(server, query, auth)).status).toBe(200);

  const revoked = await runCli(env(0)(), 'tokens', 'revoke', jti);
  expect(revoked.status).toBe(0);
  const started = Date.now();
  const refusedAfter: number[] = [];
  for (const server of [a, b]) {
    let answer = await post(server, query, auth);
    while (answer.status === 200 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await post(server, query, auth);
    }
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0].message).toContain('revoked-token');
    refusedAfter.push(Date.now() - started);
  }
  // PASSERELLE_REVOCATION_CACHE_SECONDS=1: each instance re-reads the token's state within a second.
  expect(Math.max(...refusedAfter)).toBeLessThan(3000);
});
