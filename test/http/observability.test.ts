import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { BoundedLabel, LABEL_LIMITS } from '../../src/metrics';
import { runOperation } from '../../src/operations/run';
import { PartnerRegistry } from '../../src/partners/registry';
import { countSqlStatement } from '../../src/request-scope';
import { syncSources, writeOffer } from '../../src/store/write';
import type { Store } from '../../src/store/database';
import * as fixture from '../fixtures/offer';

/**
 * What an operator sees of each request: one JSON log line (request id, client, operation, duration, SQL
 * statements, partner calls) that never holds a contact value, the request id echoed in `X-Request-Id`,
 * Prometheus series at /metrics, and /healthz, /readyz.
 */

const CONTACTS = ['accueil@cs-belleville.example.org', '+33140000001', 'numerique@cs-belleville.example.org', '+33140000002', 'Camille Martin'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let base: string;
let token: string;
const logs: string[] = [];
const lines = () => logs.map((line) => JSON.parse(line) as Record<string, any>);

beforeAll(async () => {
  store = await createTestStore('pglite', { territories: true, onQuery: countSqlStatement });
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  await runOperation('clients.add', { id: 'reader', name: 'Reads contacts', scopes: ['contact:read'] }, { store, config });
  token = (await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token;
  // A live partner that is down: its circuit opens after one failed call.
  const partners = new PartnerRegistry(
    [{ id: 'down-partner', type: 'data-inclusion', baseUrl: 'http://127.0.0.1:9', live: true, sources: ['emplois-de-linclusion'], cacheTtlSeconds: 0, timeoutMs: 500 }],
    createLogger('silent'),
    { transport: { retries: 0, breaker: { failures: 1, openMs: 60_000 } } },
  );
  api = await createTestApp(store, {
    logger: createLogger('trace', { write: (line: string) => void logs.push(line) }),
    authenticate: createAuthenticator(new TokenVerifier(store, config)),
    partners,
  });
  base = (await api.url()).replace(/\/graphql$/, '');
});
afterAll(async () => {
  await api?.stop();
  await store?.dispose();
});

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), text: await response.text() };
}

const metricsText = async () => (await fetch(`${base}/metrics`)).text();

describe('the request log', () => {
  test('one line per request: request id, client, operation, duration, status, SQL statements; never a contact value', async () => {
    logs.length = 0;
    const { status, requestId, text } = await post(
      {
        query: `query Contacts($id: ID!, $other: ID!) {
          structure(id: $id) { nom courriel telephone services { nodes { courriel telephone contactNomPrenom } } }
          other: structure(id: $other) { nom }
        }`,
        operationName: 'Contacts',
        // The variables carry contact values too (as a careless client might send them).
        variables: { id: 'dora--paris-11', other: 'accueil@cs-belleville.example.org +33140000001 Camille Martin' },
      },
      { authorization: `Bearer ${token}`, 'x-request-id': 'lb-7f3a9c.42' },
    );
    expect(status).toBe(200);
    // The response does carry the contacts (the client may read them)…
    for (const value of ['accueil@cs-belleville.example.org', '+33140000001', 'Camille Martin']) expect(text).toContain(value);
    expect(requestId).toBe('lb-7f3a9c.42');
    // …the log does not.
    for (const value of CONTACTS) expect(logs.join('\n')).not.toContain(value);
    const line = lines().find((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ level: 30, requestId: 'lb-7f3a9c.42', operation: 'Contacts', client: 'reader', status: 200, partnerCalls: 0 });
    expect(line!.ms).toEqual(expect.any(Number));
    expect(line!.sql).toBeGreaterThan(0);
    expect(Object.keys(line!)).not.toContain('variables');
  });

  test('an X-Request-Id that is not sane is replaced by a fresh UUID; none sent: one is generated', async () => {
    for (const sent of ['has spaces in it', 'x'.repeat(200), 'forged\\nline', '']) {
      logs.length = 0;
      const { requestId } = await post({ query: '{ structures(first: 1) { totalCount } }' }, { 'x-request-id': sent });
      expect(requestId).toMatch(UUID);
      expect(lines().find((l) => l.msg === 'graphql request')!.requestId).toBe(requestId);
    }
    const { requestId } = await post({ query: '{ structures(first: 1) { totalCount } }' });
    expect(requestId).toMatch(UUID);
  });

  test('a refused token: the line says why, with the request id, and no token', async () => {
    logs.length = 0;
    const { status, requestId } = await post({ query: '{ structures { totalCount } }' }, { authorization: 'Bearer not.a.token' });
    expect(status).toBe(401);
    const line = lines().find((l) => l.msg === 'graphql request refused');
    expect(line).toMatchObject({ requestId, errors: ['UNAUTHENTICATED'] });
    expect(logs.join('\n')).not.toContain('not.a.token');
  });
});

describe('GET /metrics', () => {
  test('requests by operation and client, errors by code, latency, SQL statements and partner calls per request', async () => {
    await post({ query: 'query Deux { structures(first: 2) { nodes { id } } }' }, { authorization: `Bearer ${token}` });
    await post({ query: 'query Deux { structures(first: 2) { nodes { id } } }' });
    await post({ query: 'query Mauvais { services(filter: { thematiques: ["cuisine"] }) { totalCount } }' });
    // A live partner that does not answer: one call, then its circuit is open.
    await post({ query: 'query Live { service(id: "emplois-de-linclusion--x") { id } }' });
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('passerelle_graphql_requests_total{operation="Deux",client="reader"} 1');
    expect(text).toContain('passerelle_graphql_requests_total{operation="Deux",client="anonymous"} 1');
    expect(text).toContain('passerelle_graphql_requests_total{operation="Contacts",client="reader"} 1');
    expect(text).toMatch(/passerelle_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/passerelle_graphql_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    expect(text).toMatch(/passerelle_graphql_errors_total\{code="PARTNER_UNAVAILABLE"\} [1-9]|passerelle_graphql_errors_total\{code="INTERNAL_SERVER_ERROR"\} [1-9]/);
    expect(text).toMatch(/passerelle_graphql_request_duration_seconds_bucket\{le="0.1",operation="Deux"\} \d+/);
    expect(text).toContain('passerelle_graphql_request_duration_seconds_count{operation="Deux"} 2');
    expect(text).toMatch(/passerelle_graphql_sql_statements_count \d+/);
    expect(Number(/passerelle_graphql_sql_statements_sum (\d+)/.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/passerelle_graphql_partner_calls_bucket\{le="0"\} \d+/);
    expect(Number(/passerelle_graphql_partner_calls_sum (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(1);
    expect(text).toContain('passerelle_partner_circuit_state{partner="down-partner",state="open"} 1');
    expect(text).toContain('passerelle_partner_circuit_state{partner="down-partner",state="closed"} 0');
    // The process's own figures.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Never a request's values.
    for (const value of CONTACTS) expect(text).not.toContain(value);
  });

  test('operation names and clients are bounded labels: past the first N, "other"', async () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => label.value(v))).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
    expect(new BoundedLabel(5).value('x'.repeat(500))).toHaveLength(64);
    for (let i = 0; i < LABEL_LIMITS.operations + 5; i++) await post({ query: `query Op${i} { structures(first: 1) { totalCount } }` });
    const text = await metricsText();
    const operations = new Set([...text.matchAll(/passerelle_graphql_requests_total\{operation="([^"]+)"/g)].map((m) => m[1]));
    expect(operations.size).toBeLessThanOrEqual(LABEL_LIMITS.operations + 1);
    expect(operations).toContain('other');
  });
});

describe('/healthz and /readyz', () => {
  test('ready: 200 with the engine and the migrations applied; /healthz 200', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', engine: 'pglite', migrations: expect.any(Number) });
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
  });

  /** /readyz and /healthz of an app over that store (none attached: still preparing it). */
  async function probe(store: Store | undefined, options: { readyTimeoutMs?: number } = {}) {
    const other = new App({ logger: createLogger('silent'), development: false, ...options });
    await other.start();
    if (store) other.attachStore(store);
    const url = `http://127.0.0.1:${await other.listen(0, '127.0.0.1')}`;
    try {
      const ready = await fetch(`${url}/readyz`);
      const live = await fetch(`${url}/healthz`);
      return { status: ready.status, body: (await ready.json()) as Record<string, any>, live: live.status };
    } finally {
      await other.stop();
    }
  }

  test('starting (store not prepared yet): /readyz 503 "starting", /healthz 200', async () => {
    expect(await probe(undefined)).toEqual({ status: 503, body: { status: 'starting', reason: expect.stringContaining('being prepared') }, live: 200 });
  });

  test('migrations not applied: 503 naming them', async () => {
    const bare = await createTestStore('pglite', { migrate: false });
    try {
      const { status, body, live } = await probe(bare);
      expect(status).toBe(503);
      expect(live).toBe(200);
      expect(body.reason).toMatch(/^migrations not applied: \d{14}_\w+/);
      expect(body.pending.length).toBeGreaterThan(3);
    } finally {
      await bare.dispose();
    }
  });

  test('a store that does not answer within the timeout: 503 "store unreachable"', async () => {
    const hanging = { ...store, query: () => new Promise<never>(() => {}) } as Store;
    const started = Date.now();
    const { status, body } = await probe(hanging, { readyTimeoutMs: 300 });
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'not ready', reason: 'store unreachable: the store did not answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a store that refuses connections: 503 with the driver error', async () => {
    const failing = { ...store, query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) } as Store;
    const { status, body } = await probe(failing);
    expect(status).toBe(503);
    expect(body.reason).toBe('store unreachable: connect ECONNREFUSED 127.0.0.1:5432');
  });
});
