import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { normalizeOrigin, requestOrigin } from '../../src/auth/origins';
import { runOperation } from '../../src/operations/run';

// A widget token is restricted to the origins its client registered: from any other page it is refused
// (403, ORIGIN_REFUSED); clients without origins and anonymous callers are not affected.
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
const tokens: Record<string, string> = {};
const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });

beforeAll(async () => {
  store = await createTestStore('pglite');
  const context = { store, config };
  await runOperation('clients.add', { id: 'partenaire', name: 'Partenaire', scopes: ['contact:read'], origins: ['https://www.partenaire.example', 'http://localhost:8080/'] }, context);
  await runOperation('clients.add', { id: 'backend', name: 'Back-end' }, context);
  tokens.partenaire = (await issueToken(store, config, { clientId: 'partenaire' })).token;
  tokens.backend = (await issueToken(store, config, { clientId: 'backend' })).token;
  api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)) });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await store?.dispose();
});

const QUERY = '{ sources { slug } }';

test('clients add keeps origins normalized and refuses what is not an origin', async () => {
  const client = await store.prisma.apiClient.findUnique({ where: { id: 'partenaire' } });
  expect(client?.origins).toEqual(['https://www.partenaire.example', 'http://localhost:8080']);
  await expect(runOperation('clients.add', { id: 'mauvais', name: 'x', origins: ['www.example.org/page'] }, { store, config })).rejects.toThrow(/is not an origin/);
  expect(normalizeOrigin('https://Example.ORG:443/')).toBe('https://example.org');
  expect(normalizeOrigin('https://example.org/page')).toBeUndefined();
  expect(requestOrigin({ headers: { referer: 'https://a.example/page?x=1' } })).toBe('https://a.example');
});

test('a restricted token from a registered origin, or with no Origin at all, is served', async () => {
  for (const headers of [{ origin: 'https://www.partenaire.example' }, {}]) {
    const response = await api.post(QUERY, { authorization: `Bearer ${tokens.partenaire}`, ...headers });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  }
});

test('a restricted token from another origin is refused: 403, ORIGIN_REFUSED, no data', async () => {
  const response = await api.post(QUERY, { authorization: `Bearer ${tokens.partenaire}`, origin: 'https://ailleurs.example' });
  expect(response.status).toBe(403);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors?.[0].extensions?.code).toBe('ORIGIN_REFUSED');
  expect(response.body.errors?.[0].message).toMatch(/https:\/\/ailleurs\.example is not one of the origins registered for client partenaire/);
  // The same from a Referer when no Origin is sent.
  const byReferer = await api.post(QUERY, { authorization: `Bearer ${tokens.partenaire}`, referer: 'https://ailleurs.example/page' });
  expect(byReferer.status).toBe(403);
});

test("a client without origins and anonymous callers are unaffected by the Origin", async () => {
  for (const authorization of [`Bearer ${tokens.backend}`, undefined]) {
    const response = await api.post(QUERY, { origin: 'https://ailleurs.example', ...(authorization ? { authorization } : {}) });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  }
});
