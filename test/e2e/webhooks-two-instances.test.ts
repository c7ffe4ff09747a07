import WebSocket from 'ws';
import { createClient } from 'graphql-ws/client';
import { ServerProcess, freePort } from '../support/server-process';
import { createTestStore, type TestStore } from '../support/engines';
import { loadConfig } from '../../src/config';
import { issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import { addWebhook } from '../../src/webhooks/endpoints';
import { startReceiver, waitFor } from '../webhooks/receiver';
import * as fixture from '../fixtures/offer';

/**
 * Two Passerelle processes on one PostgreSQL database: each runs a webhook dispatcher, yet every change reaches
 * the receiver once (the lease), in commit order; and a change written through one instance reaches a subscriber
 * of the other (LISTEN/NOTIFY).
 */
let store: TestStore;
let a: ServerProcess;
let b: ServerProcess;
let secret: string | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let token: string;
const config = loadConfig({});

function env(port: number): () => NodeJS.ProcessEnv {
  return () => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: store.url,
      PASSERELLE_WEBHOOK_ALLOW_PRIVATE: 'true',
      PASSERELLE_WEBHOOK_POLL_MS: '100',
      PASSERELLE_WEBHOOK_RETRY_BASE_MS: '100',
      PASSERELLE_RATE_CLIENT: '0',
      LOG_LEVEL: 'warn',
    };
    delete e.NODE_ENV;
    delete e.PASSERELLE_DATA_DIR;
    delete e.REDIS_URL;
    return e;
  };
}

const service = (id: string) => ({
  id,
  structure_id: 'dora--paris-11',
  nom: `Two ${id}`,
  description: 'Un accompagnement vers la mobilité, pour se rendre au travail ou en formation, chaque semaine.',
  date_maj: '2026-10-01',
  thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  code_insee: '59350',
});

beforeAll(async () => {
  store = await createTestStore('postgres');
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  await runOperation('clients.add', { id: 'producer', name: 'Dora pushes', scopes: ['import'], sources: ['dora'] }, { store, config });
  await runOperation('clients.add', { id: 'reuser', name: 'Listens' }, { store, config });
  token = (await issueToken(store, config, { clientId: 'producer', scopes: ['import'] })).token;
  receiver = await startReceiver(() => secret, { failures: 2 });
  const portA = await freePort();
  a = new ServerProcess(portA, env(portA));
  const portB = await freePort();
  b = new ServerProcess(portB, env(portB));
  await a.start();
  await b.start();
  // Registered once both run (starting may rewrite records: those changes are not this test's).
  const added = await addWebhook(store, { clientId: 'reuser', url: receiver.url, filter: { sources: ['dora'], entities: ['service'] }, allowPrivate: true });
  secret = added.secret;
}, 300_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await receiver?.close();
  await store?.dispose();
});

test('each change is delivered once, in commit order, whichever instance wrote it and however many dispatch', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const id = `two-${i}`;
    ids.push(`dora--${id}`);
    const server = i % 2 ? b : a;
    if (i % 2) {
      const result = await server.graphql(`mutation { upsertServices(input: [${JSON.stringify(service(id)).replace(/"(\w+)":/g, '$1:')}]) { created } }`, { headers: { authorization: `Bearer ${token}` } });
      expect(result.body.data.upsertServices.created).toBe(1);
    } else {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/sources/dora/services`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify([service(id)]) });
      expect(response.status).toBe(200);
    }
  }
  await waitFor(() => receiver.accepted.length >= 8, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(receiver.accepted.map((e) => e.body.recordId)).toEqual(ids);
  expect(receiver.accepted.every((e) => e.verified)).toBe(true);
  // Two failures at the first change, then one request per change: no change was sent twice.
  expect(receiver.all.length).toBe(10);
  const counts = new Map<string, number>();
  for (const e of receiver.all.slice(2)) counts.set(e.deliveryId, (counts.get(e.deliveryId) ?? 0) + 1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}, 120_000);

test('a change written through one instance reaches a subscriber of the other', async () => {
  const client = createClient({ url: `ws://127.0.0.1:${b.port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  const results: any[] = [];
  const stop = client.subscribe({ query: 'subscription { offerChanged(filter: { entities: [SERVICE] }) { id service { nom } } }' }, { next: (r) => void results.push(r), error: () => undefined, complete: () => undefined });
  await new Promise((resolve) => setTimeout(resolve, 800));
  const response = await fetch(`http://127.0.0.1:${a.port}/api/v1/sources/dora/services`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify([service('across')]) });
  expect(response.status).toBe(200);
  const [event] = await waitFor(() => results.length > 0 && results, 30_000);
  expect(event.data.offerChanged).toEqual({ id: 'dora--across', service: { nom: 'Two across' } });
  stop();
  await client.dispose();
}, 120_000);
