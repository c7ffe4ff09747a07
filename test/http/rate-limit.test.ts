import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { TEST_REDIS_URL, redisPrefix } from '../support/redis';
import { loadConfig, ConfigError } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { runOperation } from '../../src/operations/run';
import { createSharedState, type SharedState } from '../../src/cache';
import { MemoryRateLimiter } from '../../src/cache/rate-buckets';
import type { AppOptions } from '../../src/app';

/**
 * Token buckets per caller: what a client sees when it sends too much (429, Retry-After, RATE_LIMITED),
 * whose bucket a request is taken from, what is never limited, and the Redis bucket shared by instances.
 */
const QUERY = '{ nomenclatures { frais { value } } }';
const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
let store: TestStore;
let token: string;
const apps: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  store = await createTestStore('pglite');
  await runOperation('clients.add', { id: 'front', name: 'A front end' }, { store, config });
  token = (await issueToken(store, config, { clientId: 'front' })).token;
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await store?.dispose();
});

async function app(options: Partial<AppOptions>) {
  const api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), ...options });
  apps.push(api);
  const url = await api.url();
  const post = async (headers: Record<string, string> = {}) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  return { ...api, url, post, base: url.replace(/\/graphql$/, '') };
}

const limits = { anonymous: { rate: 1, burst: 3 }, client: { rate: 2, burst: 5 } };

test('an anonymous caller past its burst gets 429, Retry-After and RATE_LIMITED; the others are not limited', async () => {
  const logs: string[] = [];
  const api = await app({ rateLimits: limits, logger: createLogger('info', { write: (line: string) => void logs.push(line) }) });
  for (let i = 0; i < 3; i++) expect((await api.post()).status).toBe(200);
  const refused = await api.post();
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.headers.get('content-type')).toContain('application/json');
  expect(refused.body).toEqual({
    errors: [
      {
        message: 'rate limit exceeded: an anonymous caller (per IP) may send 3 requests at once, then 1 per second; retry in 1 s',
        extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
      },
    ],
  });
  // The request log has its line, as for any request.
  expect(logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'graphql request').map((l) => [l.status, l.errors])).toEqual([
    [200, undefined],
    [200, undefined],
    [200, undefined],
    [429, ['RATE_LIMITED']],
  ]);
  // Health, metrics and the playground's page are never limited.
  for (const path of ['/healthz', '/readyz']) {
    const health = await fetch(`${api.base}${path}`);
    expect(health.status).toBe(200);
    await health.text();
  }
  const metrics = await (await fetch(`${api.base}/metrics`)).text();
  expect(metrics).toMatch(/passerelle_rate_limited_total\{caller="anonymous"\} [1-9]/);
  const playground = await fetch(api.url, { headers: { accept: 'text/html' } });
  expect(playground.status).toBe(200);
  expect(await playground.text()).toContain('<html');
  // A client has a bucket of its own, whatever its IP has spent.
  for (let i = 0; i < 5; i++) expect((await api.post({ authorization: `Bearer ${token}` })).status).toBe(200);
  const client = await api.post({ authorization: `Bearer ${token}` });
  expect(client.status).toBe(429);
  expect(client.body.errors[0].message).toBe('rate limit exceeded: a client may send 5 requests at once, then 2 per second; retry in 1 s');
  // The bucket refills: one second later, one more request passes.
  await new Promise((r) => setTimeout(r, 1100));
  expect((await api.post()).status).toBe(200);
});

test('Retry-After says how long until one request is allowed again', async () => {
  const api = await app({ rateLimits: { anonymous: { rate: 0.1, burst: 1 }, client: limits.client } });
  expect((await api.post()).status).toBe(200);
  const refused = await api.post();
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('10');
  expect(refused.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 10 });
});

test('a token that fails its checks is counted against its IP, and still gets its 401 while the IP has requests left', async () => {
  const api = await app({ rateLimits: limits });
  const bad = { authorization: 'Bearer not.a.token' };
  for (let i = 0; i < 3; i++) expect((await api.post(bad)).status).toBe(401);
  expect((await api.post(bad)).status).toBe(429);
  expect((await api.post()).status).toBe(429);
});

test('X-Forwarded-For is believed only with PASSERELLE_TRUST_PROXY', async () => {
  const untrusted = await app({ rateLimits: limits });
  for (let i = 0; i < 3; i++) expect((await untrusted.post({ 'x-forwarded-for': `10.0.0.${i}` })).status).toBe(200);
  expect((await untrusted.post({ 'x-forwarded-for': '10.0.0.99' })).status).toBe(429);

  const trusted = await app({ rateLimits: limits, trustProxy: true });
  for (let i = 0; i < 3; i++) expect((await trusted.post({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).status).toBe(200);
  expect((await trusted.post({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).status).toBe(429);
  // The last address is the one our proxy saw; what the client wrote before it changes nothing.
  expect((await trusted.post({ 'x-forwarded-for': '198.51.100.1, 10.0.0.1' })).status).toBe(429);
  expect((await trusted.post({ 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
});

test('without rate limits (the App default) nothing is refused; rate 0 turns one kind off', async () => {
  const none = await app({});
  for (let i = 0; i < 10; i++) expect((await none.post()).status).toBe(200);
  const off = await app({ rateLimits: { anonymous: { rate: 0, burst: 1 }, client: limits.client } });
  for (let i = 0; i < 10; i++) expect((await off.post()).status).toBe(200);
});

test('the in-memory bucket refills continuously up to its burst', async () => {
  let now = 0;
  const limiter = new MemoryRateLimiter(() => now);
  const bucket = { rate: 2, burst: 4 };
  const take = () => limiter.take('k', bucket);
  for (let i = 0; i < 4; i++) expect((await take()).allowed).toBe(true);
  expect(await take()).toEqual({ allowed: false, retryAfter: 1 });
  now += 500;
  expect((await take()).allowed).toBe(true);
  expect((await take()).allowed).toBe(false);
  now += 60_000;
  for (let i = 0; i < 4; i++) expect((await take()).allowed).toBe(true);
  expect((await take()).allowed).toBe(false);
});

describe('in Redis', () => {
  const { prefix, cleanup } = redisPrefix();
  const states: SharedState[] = [];
  const shared = () => {
    const state = createSharedState({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, logger: createLogger('silent') });
    states.push(state);
    return state;
  };
  afterAll(async () => {
    for (const state of states) await state.close();
    await cleanup();
  });

  test('two limiters on one Redis share one bucket, atomically: 40 concurrent takes, exactly the burst pass', async () => {
    const [a, b] = [shared(), shared()];
    const bucket = { rate: 0.01, burst: 7 };
    const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).rateLimiter.take('ip:concurrent', bucket)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(7);
    expect(verdicts.find((v) => !v.allowed)).toEqual({ allowed: false, retryAfter: 100 });
  });

  test('two apps on one Redis: requests spread over both meet one limit', async () => {
    const [a, b] = [await app({ rateLimits: limits, shared: shared() }), await app({ rateLimits: limits, shared: shared() })];
    expect((await a.post()).status).toBe(200);
    expect((await b.post()).status).toBe(200);
    expect((await a.post()).status).toBe(200);
    const refused = await b.post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  test('Redis down: requests are allowed (fail open), not refused', async () => {
    const down = createSharedState({ redisUrl: 'redis://127.0.0.1:1', redisPrefix: prefix, logger: createLogger('silent') });
    states.push(down);
    const verdict = await down.rateLimiter.take('ip:down', { rate: 1, burst: 1 });
    expect(verdict.allowed).toBe(true);
  });
});

test('settings are validated', () => {
  expect(loadConfig({}).rateLimits).toEqual({ anonymous: { rate: 20, burst: 120 }, client: { rate: 100, burst: 600 } });
  expect(loadConfig({ PASSERELLE_RATE_ANONYMOUS: '0.5', PASSERELLE_BURST_CLIENT: '20' }).rateLimits).toEqual({
    anonymous: { rate: 0.5, burst: 120 },
    client: { rate: 100, burst: 20 },
  });
  expect(() => loadConfig({ PASSERELLE_RATE_ANONYMOUS: '-1' })).toThrow(/PASSERELLE_RATE_ANONYMOUS/);
  expect(() => loadConfig({ PASSERELLE_BURST_CLIENT: '0' })).toThrow(/PASSERELLE_BURST_CLIENT/);
  expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(ConfigError);
  expect(() => loadConfig({ PASSERELLE_TRUST_PROXY: 'yes' })).toThrow(/PASSERELLE_TRUST_PROXY/);
  expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', PASSERELLE_TRUST_PROXY: 'true' })).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', trustProxy: true, redisPrefix: 'passerelle:' });
});

test('the REST API (/api/v1) shares the same buckets; its 429 is in the reference\'s shape', async () => {
  const api = await app({ rateLimits: { anonymous: { rate: 0.1, burst: 2 }, client: { rate: 2, burst: 5 } } });
  expect((await fetch(`${api.base}/api/v1/sources`)).status).toBe(200);
  expect((await api.post()).status).toBe(200);
  const refused = await fetch(`${api.base}/api/v1/sources`);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('10');
  expect(await refused.json()).toEqual({ detail: 'rate limit exceeded: an anonymous caller (per IP) may send 2 requests at once, then 0.1 per second; retry in 10 s' });
  // The nomenclature documentation needs no token and is not limited.
  expect((await fetch(`${api.base}/api/v1/doc/frais`)).status).toBe(200);
});
