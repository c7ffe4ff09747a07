import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws/client';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { createLogger } from '../../src/logger';
import { ChangeStream } from '../../src/live/change-stream';

/**
 * graphql-ws caps: connections per caller (here an anonymous address) and subscriptions per connection. Past them a
 * connection is closed with 4429 and a reason naming the setting, a subscription refused with RATE_LIMITED; a
 * closed connection or a completed subscription frees its place.
 */
const SUBSCRIPTION = 'subscription { offerChanged { id } }';
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let wsUrl: string;
let stream: ChangeStream;
const clients: Client[] = [];

beforeAll(async () => {
  store = await createTestStore('pglite');
  api = await createTestApp(store, { subscriptionLimits: { maxConnections: 2, maxSubscriptions: 2 } });
  // Subscriptions stay open only with a change stream to follow (as the server attaches once the store is ready).
  stream = new ChangeStream(store, { restrictedSources: [], pollMs: 5000, logger: createLogger('silent') });
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

/** Opens a connection; resolves with 'connected' or the close code the server sent. */
function open(): Promise<{ client: Client; outcome: 'connected' | number; reason?: string }> {
  return new Promise((resolve) => {
    const client: Client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: {
        connected: () => resolve({ client, outcome: 'connected' }),
        closed: (event: unknown) => resolve({ client, outcome: (event as { code: number }).code, reason: (event as { reason?: string }).reason }),
      },
    });
    clients.push(client);
  });
}

function subscribe(client: Client): Promise<unknown> {
  return new Promise((resolve) => {
    client.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: (error) => resolve(error), complete: () => resolve('complete') });
    setTimeout(() => resolve('open'), 500);
  });
}

test('a caller past PASSERELLE_WS_MAX_CONNECTIONS is closed with 4429; a closed connection frees its place', async () => {
  const first = await open();
  const second = await open();
  expect([first.outcome, second.outcome]).toEqual(['connected', 'connected']);
  const third = await open();
  expect(third.outcome).toBe(4429);
  expect(third.reason).toContain('PASSERELLE_WS_MAX_CONNECTIONS');
  await second.client.dispose();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await open()).outcome).toBe('connected');
  for (const client of clients.splice(0)) await client.dispose();
  await new Promise((resolve) => setTimeout(resolve, 200));
});

test('a connection past PASSERELLE_WS_MAX_SUBSCRIPTIONS gets RATE_LIMITED for the next one; completing one frees its place', async () => {
  const { client, outcome } = await open();
  expect(outcome).toBe('connected');
  const active: (() => void)[] = [];
  for (let i = 0; i < 2; i++) active.push(client.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: () => undefined, complete: () => undefined }));
  const refused = (await subscribe(client)) as { message: string; extensions: { code: string; maximum: number } }[];
  if (!Array.isArray(refused)) throw new Error(`not refused: ${JSON.stringify(refused)}`);
  expect(refused[0].extensions).toMatchObject({ code: 'RATE_LIMITED', maximum: 2 });
  expect(refused[0].message).toContain('PASSERELLE_WS_MAX_SUBSCRIPTIONS');
  active[0]();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await subscribe(client)).toBe('open');
});
