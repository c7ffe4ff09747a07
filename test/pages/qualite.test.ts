import { createLogger } from '../../src/logger';
import { prepareStore } from '../../src/operations/prepare';
import { buildPageBundles } from '../../src/pages/bundle';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { axeViolations, launchBrowser, screenshot, until, type Browser } from '../support/browser';

/**
 * The data-quality dashboard over the demo store (prepared as `npm start` prepares it): its charts (SVG) and
 * their data tables are drawn from `tableauQualite`, asked of /graphql by the page; axe finds no WCAG 2.1 A/AA
 * violation; nothing is asked of any other host.
 */
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let base: string;
let browser: Browser;

beforeAll(async () => {
  await buildPageBundles();
  store = await createTestStore('pglite', { territories: true });
  await prepareStore(store, { logger: createLogger('silent'), seedWhenEmpty: true });
  api = await createTestApp(store, { restrictedSources: ['soliguide'] });
  base = new URL(await api.url()).origin;
  browser = await launchBrowser("the dashboard's browser test", { width: 1000, height: 1400 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await store?.dispose();
});

test('the dashboard draws its charts and tables from the API over the demo store', async () => {
  const response = await browser.page.goto(`${base}/qualite`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await until('the figures', () => browser.page.locator('#etat').innerText(), (t) => /Chiffres chargés/.test(t));
  const figures = (await api.query('{ tableauQualite { services structures parSource { nom services } scores { services } } }')).data.tableauQualite;
  expect(await browser.page.locator('#etat').innerText()).toContain(`${figures.services.toLocaleString('fr-FR')} services`);
  // Five charts, each an SVG image with a title, each followed by its data table.
  const charts = browser.page.locator('section.pa-chart');
  expect(await charts.count()).toBe(5);
  for (let i = 0; i < 5; i++) {
    const chart = charts.nth(i);
    expect(await chart.locator('svg[role="img"] title').count()).toBe(1);
    expect(await chart.locator('svg rect').count()).toBeGreaterThan(0);
    expect(await chart.locator('table tbody tr').count()).toBeGreaterThan(0);
  }
  // The sources chart: one bar per source, in the API's order, and its table says the same figures.
  const sources = charts.nth(0);
  expect(await sources.locator('svg rect').count()).toBe(figures.parSource.length);
  const rows = await sources.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[2].textContent]));
  expect(rows).toEqual(figures.parSource.map((s: { nom: string; services: number }) => [s.nom, s.services.toLocaleString('fr-FR')]));
  expect(rows.some(([nom]) => /soliguide/i.test(nom ?? ''))).toBe(false);
  // Score bands, and the score's ten criteria: ten bars each.
  expect(await charts.nth(1).locator('svg rect').count()).toBe(10);
  expect(await charts.nth(2).locator('svg rect').count()).toBe(10);
  // Coverage gaps: the ten départements and thématiques with the least offer.
  expect(await browser.page.locator('caption', { hasText: 'Départements ayant le moins de services' }).count()).toBe(1);
  expect(await browser.page.locator('caption', { hasText: 'Thématiques ayant le moins de services' }).count()).toBe(1);

  await screenshot(browser.page, 'qualite');
  expect(await axeViolations(browser.page)).toEqual([]);
  const elsewhere = browser.requests.filter((r) => /^https?:/.test(r.url) && new URL(r.url).origin !== base);
  expect(elsewhere.map((r) => r.url)).toEqual([]);
  expect(browser.consoleErrors).toEqual([]);
});
