import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { prepareStore } from '../../src/operations/prepare';
import { buildPageBundles } from '../../src/pages/bundle';
import { validationsRunning } from '../../src/pages/valideur';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { axeViolations, launchBrowser, screenshot, until, type Browser } from '../support/browser';
import { templateWorkbook } from '../fixtures/producer-template';

/**
 * The producers' valideur: the reference's producer template dropped on the page shows the defects the import
 * reports (same engine, dry run: nothing written); the size limit, unknown formats and unreadable files get
 * clear answers; contact values never come back; axe finds no WCAG 2.1 A/AA violation.
 */
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let base: string;
let browser: Browser;
let dir: string;
let template: string;

beforeAll(async () => {
  await buildPageBundles();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-valideur-test-'));
  template = path.join(dir, 'modele-producteur.xlsx');
  await templateWorkbook(template);
  store = await createTestStore('pglite', { territories: true });
  await prepareStore(store, { logger: createLogger('silent'), seedWhenEmpty: true });
  api = await createTestApp(store);
  base = new URL(await api.url()).origin;
  browser = await launchBrowser("the valideur's browser test", { width: 1000, height: 1400 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await store?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const post = (name: string, body: Buffer | string, query = '') => fetch(`${base}/valideur/rapport?nom=${encodeURIComponent(name)}${query}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });

test("the reference's producer template shows its defects, grouped by field, warnings apart, with the reports to download", async () => {
  const before = await store.prisma.structure.count();
  await browser.page.goto(`${base}/valideur`, { waitUntil: 'load' });
  await browser.page.setInputFiles('#fichier', template);
  await browser.page.locator('#valideur button[type=submit]').click();
  const status = await until('the report', () => browser.page.locator('#etat').innerText(), (t) => /Validation terminée/.test(t));
  expect(status).toBe('Validation terminée : 5 erreurs, 7 avertissements.');
  const errors = browser.page.locator('section[data-section="Erreurs"]');
  const warnings = browser.page.locator('section[data-section="Avertissements"]');
  expect(await errors.locator('h2').innerText()).toBe('Erreurs (5)');
  expect(await warnings.locator('h2').innerText()).toBe('Avertissements (7)');
  // Grouped by field: one table per field, its rows with sheet, line, column, value and message.
  expect(await errors.locator('table').evaluateAll((tables) => tables.map((t) => (t as HTMLElement).dataset.field).sort())).toEqual(['frais', 'lien_source', 'nom', 'nombre_semaines']);
  const nombre = await errors.locator('table[data-field="nombre_semaines"] tbody tr').innerText();
  expect(nombre).toBe('Services\t5\t\tcours\tbeaucoup\tnombre_semaines must be a number');
  expect(await warnings.innerText()).toContain('colonne en trop');
  expect(await browser.page.locator('.fr-alert').first().innerText()).toContain('2 lignes sur 5 seraient refusées');
  // Contact values never come back, not even to the producer's page (the engine masks them).
  expect(await browser.page.locator('#rapport').innerText()).not.toContain('0123456789');
  // The reports to download: CSV and JSON.
  const links = await browser.page.locator('a[download]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).download));
  expect(links).toEqual(['modele-producteur.xlsx.rapport.csv', 'modele-producteur.xlsx.rapport.json']);
  const [download] = await Promise.all([browser.page.waitForEvent('download'), browser.page.locator('a[download$=".csv"]').click()]);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('\ufeffgravite,type,feuille,ligne,colonne,id,champ,valeur,message');
  expect(csv).toContain('error,service,Services,5,,');
  // Nothing was written.
  expect(await store.prisma.structure.count()).toBe(before);
  expect(await store.prisma.source.findUnique({ where: { slug: 'valideur' } })).toBeNull();
  await screenshot(browser.page, 'valideur');
  expect(await axeViolations(browser.page)).toEqual([]);
  const elsewhere = browser.requests.filter((r) => /^https?:/.test(r.url) && new URL(r.url).origin !== base);
  expect(elsewhere.map((r) => r.url)).toEqual([]);
  expect(browser.consoleErrors).toEqual([]);
});

test('the same report through the endpoint, and clear answers for what it cannot read', async () => {
  const report = await post('modele.xlsx', fs.readFileSync(template)).then(async (r) => ({ status: r.status, body: (await r.json()) as { file: string; summary: { read: number; rejected: number }; errors: unknown[] } }));
  expect(report.status).toBe(200);
  expect(report.body).toMatchObject({ file: 'modele.xlsx', summary: { read: 5, rejected: 2 } });
  expect(JSON.stringify(report.body)).not.toContain(dir);

  // Past the limit (PASSERELLE_VALIDATOR_MAX_BYTES; 64 KB here): 413, whether the upload says its length or not.
  const small = await createTestApp(store, { validatorMaxBytes: 64 * 1024 });
  const big = await fetch(`${new URL(await small.url()).origin}/valideur/rapport?nom=gros.csv`, { method: 'POST', body: Buffer.alloc(70 * 1024, 'a') });
  // Chunked, with no Content-Length: the limit is counted while the body streams in.
  const chunks = new ReadableStream({ start(controller) { for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(8 * 1024).fill(97)); controller.close(); } });
  const streamed = await fetch(`${new URL(await small.url()).origin}/valideur/rapport?nom=gros.csv`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
  await small.stop();
  expect(streamed.status).toBe(413);
  expect(big.status).toBe(413);
  expect(((await big.json()) as { erreur: string }).erreur).toContain('taille maximale de 0,1 Mo');

  const format = await post('offre.pdf', 'x');
  expect(format.status).toBe(415);
  expect(((await format.json()) as { erreur: string }).erreur).toContain('.csv, .xlsx, .json et .ndjson');

  const broken = await post('offre.xlsx', 'ceci n’est pas un classeur');
  expect(broken.status).toBe(422);
  expect(((await broken.json()) as { erreur: string }).erreur).toMatch(/^Le fichier offre\.xlsx n'a pas pu être lu/);

  // A truncated JSON file is a defect the engine reports on its line, as `passerelle import` does.
  const json = await post('offre.json', '{ "structures": [ ');
  expect(json.status).toBe(200);
  expect(JSON.stringify(await json.json())).toContain('the JSON ends before its arrays are closed');

  const badSource = await post('offre.csv', 'id,nom\n', '&source=Pas%20un%20slug');
  expect(badSource.status).toBe(400);
});

test('at most two validations at once: a third is told to retry (503, Retry-After)', async () => {
  // The earlier tests' validations finish removing their temporary files after answering.
  await until('no validation running', async () => validationsRunning(), (n) => n === 0);
  // Two uploads left open, each on a connection of its own (node:http, no pool), hold the two places.
  const open = [0, 1].map(() => {
    const request = http.request(`${base}/valideur/rapport?nom=lent.csv`, { method: 'POST', agent: false, headers: { 'content-type': 'text/csv' } });
    const status = new Promise<number>((resolve, reject) => {
      request.on('response', (response) => { response.resume(); resolve(response.statusCode ?? 0); });
      request.on('error', reject);
    });
    request.write('id,nom\n');
    return { request, status };
  });
  await until('two validations running', async () => validationsRunning(), (n) => n === 2);
  const third = await post('offre.csv', 'id,nom\n');
  expect(third.status).toBe(503);
  expect(third.headers.get('retry-after')).toBe('5');
  for (const { request } of open) request.end();
  expect(await Promise.all(open.map((o) => o.status))).toEqual([200, 200]);
  await until('the validations done', async () => validationsRunning(), (n) => n === 0);
  expect((await post('offre.csv', 'id,nom\n')).status).toBe(200);
});
