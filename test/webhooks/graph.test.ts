import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';

const CREATE = `mutation ($url: String!, $filter: WebhookFilter) { createWebhook(url: $url, filter: $filter) { secret webhook { id url filter state } } }`;

describe.each(ENGINES)('a client\'s own webhooks through the graph, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    store = await createTestStore(engine);
    await runOperation('clients.add', { id: 'one', name: 'One' }, { store, config });
    await runOperation('clients.add', { id: 'two', name: 'Two' }, { store, config });
    tokens.one = `Bearer ${(await issueToken(store, config, { clientId: 'one' })).token}`;
    tokens.two = `Bearer ${(await issueToken(store, config, { clientId: 'two' })).token}`;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), webhookAllowPrivate: true });
  });

  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('create, list, delete: each client sees and removes only its own', async () => {
    const created = await api.query(CREATE, { url: 'http://127.0.0.1:9/hook', filter: { codeDepartement: '59', thematiques: ['mobilite'], entities: ['SERVICE'] } }, tokens.one);
    expect(created.errors).toBeUndefined();
    const { webhook, secret } = created.data.createWebhook;
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url: 'http://127.0.0.1:9/hook', state: 'active', filter: { codeDepartement: '59', thematiques: ['mobilite'], entities: ['service'] } });

    expect((await api.query(`{ webhooks { id } }`, {}, tokens.one)).data.webhooks).toEqual([{ id: webhook.id }]);
    expect((await api.query(`{ webhooks { id } }`, {}, tokens.two)).data.webhooks).toEqual([]);
    expect((await api.query(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhook.id }, tokens.two)).data.deleteWebhook).toBe(false);
    expect((await api.query(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: webhook.id }, tokens.one)).data.deleteWebhook).toBe(true);
  });

  test('anonymous callers have no webhooks; a bad URL or filter is BAD_USER_INPUT', async () => {
    expect((await api.query(`{ webhooks { id } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await api.query(CREATE, { url: 'http://127.0.0.1:9/x' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const badUrl = await api.query(CREATE, { url: 'gopher://x' }, tokens.one);
    expect(badUrl.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'url' });
    const badFilter = await api.query(CREATE, { url: 'http://127.0.0.1:9/x', filter: { thematiques: ['nope'] } }, tokens.one);
    expect(badFilter.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter' });
  });

  test('without PASSERELLE_WEBHOOK_ALLOW_PRIVATE a loopback URL is refused', async () => {
    const strict = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)) });
    const result = await strict.query(CREATE, { url: 'http://127.0.0.1:9/x' }, tokens.one);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'url' });
    expect(result.errors?.[0].message).toMatch(/private/);
    await strict.stop();
  });
});
