import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { buildPageBundles } from '../../src/pages/bundle';
import { syncSources } from '../../src/store/write';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { launchBrowser, until, type Browser } from '../support/browser';
import { templateWorkbook } from '../fixtures/producer-template';

/**
 * The valideur's import: the file a producer validated, written by the same engine as `passerelle import`, for a
 * token of a client with the scope `import` and the source it writes — refused, before anything is read, for any
 * other caller or source.
 */
const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
let dir: string;
let template: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-valideur-import-'));
  template = path.join(dir, 'modele-producteur.xlsx');
  await templateWorkbook(template);
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function producerApp(store: TestStore) {
  await syncSources(store);
  const op = (name: string, args: Record<string, unknown>) => runOperation(name, args, { store, config });
  await op('clients.add', { id: 'cd35-producteur', name: 'CD35', scopes: ['import'], sources: ['cd35'] });
  await op('clients.add', { id: 'lecteur', name: 'Lit', scopes: ['contact:read'] });
  const tokens = {
    producer: (await issueToken(store, config, { clientId: 'cd35-producteur', scopes: ['import'] })).token,
    noScope: (await issueToken(store, config, { clientId: 'cd35-producteur' })).token,
    reader: (await issueToken(store, config, { clientId: 'lecteur', scopes: ['contact:read'] })).token,
  };
  const api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: [] });
  return { api, tokens, base: new URL(await api.url()).origin };
}

describe.each(ENGINES)('POST /valideur/import (%s)', (engine) => {
  let store: TestStore;
  let app: Awaited<ReturnType<typeof producerApp>>;
  beforeAll(async () => {
    store = await createTestStore(engine);
    app = await producerApp(store);
  });
  afterAll(async () => {
    await app?.api.stop();
    await store?.dispose();
  });

  const send = (token: string | undefined, query = '') =>
    fetch(`${app.base}/valideur/import?nom=modele.xlsx${query}`, {
      method: 'POST',
      body: fs.readFileSync(template),
      headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const written = () => store.prisma.service.count({ where: { source: 'cd35' } });

  it('refuses, writing nothing, without a token, without the scope import, or for another source', async () => {
    const cases: [string | undefined, string, number, string][] = [
      [undefined, '', 401, 'UNAUTHENTICATED'],
      ['not-a-token', '', 401, 'UNAUTHENTICATED'],
      [app.tokens.reader, '', 403, 'FORBIDDEN'],
      [app.tokens.noScope, '', 403, 'FORBIDDEN'],
      [app.tokens.producer, '&source=dora', 403, 'FORBIDDEN_SOURCE'],
    ];
    for (const [token, query, status, code] of cases) {
      const response = await send(token, query);
      const body = (await response.json()) as { erreur?: string; code?: string };
      expect({ status: response.status, code: body.code }).toEqual({ status, code });
      expect(body.erreur).toMatch(/^Import/);
    }
    expect(await written()).toBe(0);
    expect(await store.prisma.service.count({ where: { source: 'dora' } })).toBe(0);
  });

  it("writes the template's valid rows into the client's source, and reports the others as the dry run did", async () => {
    const dry = (await (await fetch(`${app.base}/valideur/rapport?nom=modele.xlsx&source=cd35`, { method: 'POST', body: fs.readFileSync(template) })).json()) as { summary: { valid: number; rejected: number } };
    const response = await send(app.tokens.producer);
    expect(response.status).toBe(200);
    const report = (await response.json()) as { source: string; dryRun: boolean; summary: { valid: number; written: number; rejected: number; services: { written: number } } };
    expect(report).toMatchObject({ source: 'cd35', dryRun: false, summary: { valid: dry.summary.valid, rejected: dry.summary.rejected } });
    expect(report.summary.written).toBe(dry.summary.valid);
    expect(await written()).toBe(report.summary.services.written);
    expect(await written()).toBeGreaterThan(0);
    // The same file again changes nothing.
    const again = (await (await send(app.tokens.producer)).json()) as { summary: { written: number; unchanged: number } };
    expect(again.summary).toMatchObject({ written: 0, unchanged: dry.summary.valid });
  });
});

test('the page: with a producer token, a button imports the valid rows after the report', async () => {
  await buildPageBundles();
  const store = await createTestStore('pglite');
  const app = await producerApp(store);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser("the valideur's import test", { width: 1000, height: 1400 });
    await browser.page.goto(`${app.base}/valideur`, { waitUntil: 'load' });
    await browser.page.setInputFiles('#fichier', template);
    await browser.page.fill('#source', 'cd35');
    await browser.page.fill('#jeton', app.tokens.producer);
    await browser.page.locator('#valideur button[type=submit]').click();
    await until('the report', () => browser!.page.locator('#etat').innerText(), (t) => /Validation terminée/.test(t));
    expect(await store.prisma.service.count({ where: { source: 'cd35' } })).toBe(0);
    const button = browser.page.locator('#importer');
    expect(await button.innerText()).toBe('Importer les 3 lignes valides');
    await button.click();
    const done = await until('the import', () => browser!.page.locator('[data-import="ok"]').innerText().catch(() => ''), (t) => /Import terminé/.test(t));
    expect(done).toContain('Import terminé dans la source cd35 : 3 lignes écrites');
    expect(await store.prisma.service.count({ where: { source: 'cd35' } })).toBeGreaterThan(0);
    // Without a token, no button.
    await browser.page.goto(`${app.base}/valideur`, { waitUntil: 'load' });
    await browser.page.setInputFiles('#fichier', template);
    await browser.page.locator('#valideur button[type=submit]').click();
    await until('the report', () => browser!.page.locator('#etat').innerText(), (t) => /Validation terminée/.test(t));
    expect(await browser.page.locator('#importer').count()).toBe(0);
    expect(browser.consoleErrors).toEqual([]);
  } finally {
    await browser?.close();
    await app.api.stop();
    await store.dispose();
  }
});
