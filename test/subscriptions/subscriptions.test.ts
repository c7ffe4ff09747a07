import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws/client';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import { deleteServices, pushRecords } from '../../src/ingest/push';
import { ChangeStream } from '../../src/live/change-stream';
import type { Viewer } from '../../src/auth/viewer';
import * as fixture from '../fixtures/offer';

const LIMITS = { maxRecords: 1000, maxBytes: 10 * 1024 * 1024 };
const PRODUCER: Viewer = { kind: 'client', clientId: 'producer', tokenId: 't', scopes: new Set(['import']), allowedSources: new Set(['dora']) };
const CONTACT = 'live-contact@example.org';
const service = (id: string, codeInsee = '59350') => ({
  id,
  structure_id: 'dora--paris-11',
  nom: `Live ${id}`,
  description: 'Un accompagnement vers la mobilité, pour se rendre au travail ou en formation, chaque semaine.',
  date_maj: '2026-10-01',
  thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  code_insee: codeInsee,
  courriel: CONTACT,
  telephone: '+33199999999',
});

const SUBSCRIPTION = `subscription { offerChanged(filter: { codeDepartement: "59", entities: [SERVICE] }) { operation action id entity source cursor service { id nom courriel telephone } } }`;

/** Subscribes and collects results; resolves once the server has the subscription (a short settle). */
function subscribe(client: Client, query = SUBSCRIPTION) {
  const results: any[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe({ query }, { next: (r) => void results.push(r), error: (e) => void errors.push(e), complete: () => undefined });
  return { results, errors, stop };
}

async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(ENGINES)('offerChanged over graphql-ws, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let stream: ChangeStream;
  let wsUrl: string;
  const clients: Client[] = [];
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  let readerToken: string;
  const connect = (authorization?: string, onClose?: (code: number) => void) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: authorization ? { authorization } : {},
      on: { closed: (event: any) => onClose?.(event?.code) },
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    await runOperation('clients.add', { id: 'reader', name: 'Reads contacts', scopes: ['contact:read'] }, { store, config });
    readerToken = (await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: config.restrictedSources });
    stream = new ChangeStream(store, { restrictedSources: config.restrictedSources, pollMs: 5000, logger: createLogger('silent') });
    await stream.start();
    api.app.attachChangeStream(stream);
    wsUrl = (await api.url()).replace(/^http/, 'ws');
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stream?.stop();
    await api?.stop();
    await store?.dispose();
  });

  test('a subscriber gets a pushed change within seconds; an anonymous one gets no contact value, a contact:read token does', async () => {
    const anonymous = subscribe(connect());
    const reader = subscribe(connect(`Bearer ${readerToken}`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Woken by the store's notification (LISTEN/NOTIFY), not only by the 5 s poll. The wait is longer than that: the
    // change feed shows a change once every older transaction of the database server has ended, and a shared test
    // server's other databases can hold that back.
    await pushRecords(store, PRODUCER, 'service', [service('live-1'), service('live-paris', '75111')], { limits: LIMITS });
    const [event] = await waitFor(() => anonymous.results.length > 0 && anonymous.results);
    expect(event.errors).toBeUndefined();
    expect(event.data.offerChanged).toMatchObject({ operation: 'UPSERT', action: 'CREATED', id: 'dora--live-1', entity: 'SERVICE', source: 'dora', service: { id: 'dora--live-1', nom: 'Live live-1', courriel: null, telephone: null } });
    expect(event.extensions.withheld.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'Service.courriel', requires: ['contact:read'] })]));
    expect(JSON.stringify(anonymous.results)).not.toContain(CONTACT);

    const [seen] = await waitFor(() => reader.results.length > 0 && reader.results);
    expect(seen.data.offerChanged.service).toMatchObject({ courriel: CONTACT, telephone: '+33199999999' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The Paris service did not match the filter.
    expect(anonymous.results.map((r) => r.data.offerChanged.id)).toEqual(['dora--live-1']);

    await deleteServices(store, PRODUCER, ['dora--live-1'], LIMITS);
    const deleted = await waitFor(() => anonymous.results.find((r) => r.data.offerChanged.operation === 'DELETE'));
    expect(deleted.data.offerChanged).toMatchObject({ id: 'dora--live-1', action: 'DELETED', service: null });
    anonymous.stop();
    reader.stop();
  });

  test('a token revoked while subscribed closes the connection at the next event, before any data', async () => {
    await runOperation('clients.add', { id: 'leaving', name: 'Leaves', scopes: ['contact:read'] }, { store, config });
    const issued = await issueToken(store, config, { clientId: 'leaving', scopes: ['contact:read'] });
    let code: number | undefined;
    const leaving = subscribe(connect(`Bearer ${issued.token}`, (c) => (code = c)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await runOperation('tokens.revoke', { jti: issued.jti }, { store, config });
    await pushRecords(store, PRODUCER, 'service', [service('after-revoke')], { limits: LIMITS });
    await waitFor(() => code !== undefined);
    expect(code).toBe(4403);
    expect(JSON.stringify(leaving.results)).not.toContain(CONTACT);
    expect(leaving.results.every((r) => !r.data)).toBe(true);
  });

  test('a token that fails its checks closes the connection (4403)', async () => {
    let code: number | undefined;
    connect('Bearer not-a-token', (c) => (code = c));
    await waitFor(() => code !== undefined);
    expect(code).toBe(4403);
  });

  test('the query limits apply to subscriptions (depth)', async () => {
    let selection = 'id';
    for (let i = 0; i < 8; i++) selection = `structure { services(first: 1) { edges { node { ${selection} } } } }`;
    const deep = subscribe(connect(), `subscription { offerChanged { service { ${selection} } } }`);
    await waitFor(() => deep.errors.length > 0 || deep.results.length > 0);
    expect(JSON.stringify(deep.errors)).toMatch(/depth/i);
  });

  test('a bad filter is an error of the subscription', async () => {
    const bad = subscribe(connect(), `subscription { offerChanged(filter: { thematiques: ["nope"] }) { id } }`);
    await waitFor(() => bad.errors.length > 0 || bad.results.length > 0);
    expect(JSON.stringify([...bad.errors, ...bad.results])).toContain('BAD_USER_INPUT');
  });
});
