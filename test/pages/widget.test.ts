import http from 'node:http';
import { createLogger } from '../../src/logger';
import { prepareStore } from '../../src/operations/prepare';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { buildPageBundles } from '../../src/pages/bundle';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { axeViolations, launchBrowser, screenshot, until, type Browser } from '../support/browser';

/**
 * The search widget as a partner site embeds it: a page on another origin (the test's own server on
 * `localhost`, Passerelle being on `127.0.0.1`) holds the iframe; a person picks a commune and searches. The
 * results come in the order `searchServices` gives; a page of an origin the client did not register gets
 * the refusal; contacts only with `contact:read`; axe finds no WCAG 2.1 A/AA violation; nothing is asked of
 * any other host.
 */
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let base: string;
let browser: Browser;
const partners: http.Server[] = [];
const tokens: Record<string, string> = {};
let allowedOrigin: string;
let otherOrigin: string;
const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });

/** A partner's page embedding `html`, on http://localhost:<port>. */
async function partnerSite(html: () => string): Promise<string> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html()));
  partners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
}

const embed = (token: string) => `<!doctype html><html lang="fr"><head><title>Partenaire</title></head><body><h1>Site partenaire</h1>
<iframe id="widget" title="Trouver un service" width="900" height="1200" src="${base}/widget?token=${token}&resultats=10"></iframe></body></html>`;

beforeAll(async () => {
  await buildPageBundles();
  store = await createTestStore('pglite', { territories: true });
  await prepareStore(store, { logger: createLogger('silent'), seedWhenEmpty: true });
  api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)) });
  base = new URL(await api.url()).origin;
  allowedOrigin = await partnerSite(() => embed(tokens.widget));
  otherOrigin = await partnerSite(() => embed(tokens.widget));
  const context = { store, config };
  await runOperation('clients.add', { id: 'site-partenaire', name: 'Site partenaire', origins: [allowedOrigin] }, context);
  await runOperation('clients.add', { id: 'site-pro', name: 'Site pro', scopes: ['contact:read'], origins: [allowedOrigin] }, context);
  tokens.widget = (await issueToken(store, config, { clientId: 'site-partenaire' })).token;
  tokens.pro = (await issueToken(store, config, { clientId: 'site-pro', scopes: ['contact:read'] })).token;
  browser = await launchBrowser("the widget's browser test", { width: 1000, height: 1300 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const server of partners) await new Promise((resolve) => server.close(resolve));
  await api?.stop();
  await store?.dispose();
});

const SEARCH = `query($near: SearchNear!) { searchServices(near: $near, distanceKm: 20, first: 10) { edges { node { id courriel telephone } } } }`;

async function searchIn(frame: import('playwright-core').Frame, text: string, choice: RegExp): Promise<string[]> {
  const input = frame.locator('#commune');
  await input.fill(text);
  const option = await until('commune suggestions', () => frame.locator('#communes option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)), (values) => values.some((v) => choice.test(v)));
  await input.fill(option.find((v) => choice.test(v))!);
  await frame.locator('#recherche button[type=submit]').click();
  await until('the results', () => frame.locator('#etat').innerText(), (text) => /service/.test(text) && !/en cours/.test(text));
  return frame.locator('#resultats article').evaluateAll((articles) => articles.map((a) => (a as HTMLElement).dataset.id ?? ''));
}

test('embedded on a registered origin, a search for a commune lists the services in the order searchServices gives them', async () => {
  await browser.page.goto(`${allowedOrigin}/`, { waitUntil: 'load' });
  const frame = await until('the widget frame', async () => browser.page.frame({ url: /\/widget\?/ }), (f) => !!f);
  await frame!.locator('#categorie option').nth(1).waitFor({ state: 'attached' });
  const shown = await searchIn(frame!, 'Paris', /^Paris \(/);
  const api = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.widget}` },
    body: JSON.stringify({ query: SEARCH, variables: { near: { codeCommune: '75056' } } }),
  }).then((r) => r.json() as Promise<{ data: { searchServices: { edges: { node: { id: string; courriel: string | null } }[] } } }>);
  const expected = api.data.searchServices.edges.map((e) => e.node.id);
  expect(expected.length).toBe(10);
  expect(shown).toEqual(expected);
  // No contact without contact:read: the API withholds them (the @auth directive), the widget shows none.
  expect(api.data.searchServices.edges.every((e) => e.node.courriel === null)).toBe(true);
  expect(await frame!.locator('#resultats').innerText()).not.toMatch(/Contact :/);
  const status = await frame!.locator('#etat').innerText();
  expect(status).toMatch(/services? pour une personne habitant Paris/);
  await screenshot(browser.page, 'widget');

  const violations = await axeViolations(frame!);
  expect(violations).toEqual([]);
});

test('a page of an origin the client did not register gets a refusal in French (403), and no widget', async () => {
  await browser.page.goto(`${otherOrigin}/`, { waitUntil: 'load' });
  const frame = await until('the widget frame', async () => browser.page.frame({ url: /\/widget\?/ }), (f) => !!f);
  const title = await until('the refusal', () => frame!.locator('h1').innerText().catch(() => ''), (t) => t.length > 0);
  expect(title).toBe('Site non autorisé');
  expect(await frame!.locator('.fr-alert').innerText()).toContain(`Ce widget n'est pas autorisé sur ${otherOrigin}`);
  expect(await frame!.locator('#recherche').count()).toBe(0);
  // The server's answer itself: 403, and the API refuses the token from that origin too.
  const page = await fetch(`${base}/widget?token=${tokens.widget}`, { headers: { referer: `${otherOrigin}/` } });
  expect(page.status).toBe(403);
  const refused = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.widget}`, origin: otherOrigin }, body: JSON.stringify({ query: '{ sources { slug } }' }) });
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('ORIGIN_REFUSED');
  // Allowed: served with frame-ancestors naming the registered origin.
  const allowed = await fetch(`${base}/widget?token=${tokens.widget}`, { headers: { referer: `${allowedOrigin}/` } });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${allowedOrigin}`);
});

test('a widget without a valid token, or whose client registered no origin, is refused', async () => {
  expect((await fetch(`${base}/widget`)).status).toBe(400);
  const bad = await fetch(`${base}/widget?token=abc`);
  expect(bad.status).toBe(403);
  expect(await bad.text()).toContain('Jeton refusé');
  await runOperation('clients.add', { id: 'sans-origine', name: 'Sans origine' }, { store, config });
  const token = (await issueToken(store, config, { clientId: 'sans-origine' })).token;
  const none = await fetch(`${base}/widget?token=${token}`);
  expect(none.status).toBe(403);
  expect(await none.text()).toContain('aucun site autorisé');
});

test('with contact:read, the widget shows contacts', async () => {
  await browser.page.goto(`${base}/widget?token=${tokens.pro}`, { waitUntil: 'load' });
  const frame = browser.page.mainFrame();
  await searchIn(frame, 'Paris', /^Paris \(/);
  expect(await frame.locator('#resultats').innerText()).toMatch(/Contact : /);
});

test('at 320 px wide the widget still works, and nothing was asked of another host', async () => {
  await browser.page.setViewportSize({ width: 320, height: 800 });
  await browser.page.goto(`${base}/widget?token=${tokens.widget}`, { waitUntil: 'load' });
  const ids = await searchIn(browser.page.mainFrame(), '75001', /^Paris \(/);
  expect(ids.length).toBe(10);
  const overflow = await browser.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(await axeViolations(browser.page)).toEqual([]);

  const network = browser.requests.filter((r) => /^https?:|^wss?:/.test(r.url));
  const passerelle = new URL(base).host;
  const elsewhere = network.filter((r) => { const u = new URL(r.url); return u.host !== passerelle && u.origin !== allowedOrigin && u.origin !== otherOrigin; });
  expect(elsewhere.map((r) => r.url)).toEqual([]);
  expect(browser.consoleErrors.filter((e) => !/status of 403/.test(e))).toEqual([]);
});
