import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { syncSources, writeOffer } from '../../src/store/write';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import * as fixture from '../fixtures/offer';

/**
 * `/api/docs` (issue 14): Swagger UI, self-hosted, renders the OpenAPI document of /api/v1 in headless Chromium,
 * every request to the server's own host, no script or console error.
 */
const CHROMIUM = '/usr/bin/chromium';

let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  store = await createTestStore('pglite');
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  api = await createTestApp(store);
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-apidocs-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'] });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await api?.stop();
  await store?.dispose();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

test('Swagger UI lists every documented route, from this host only, under a strict CSP', async () => {
  const base = (await api.url()).replace('/graphql', '');
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const response = await page.goto(`${base}/api/docs`);
  expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const shown = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.getAttribute('data-path') ?? n.textContent ?? ''));
  const document = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
  for (const documented of Object.keys(document.paths)) expect(shown.map((s) => s.replace(/\u200b/g, ''))).toContain(documented);
  expect(requests.length).toBeGreaterThan(0);
  expect(requests.filter((url) => !url.startsWith(base) && !url.startsWith('data:'))).toEqual([]);
  expect(errors).toEqual([]);
  const asset = await fetch(`${base}/api/docs/nothing.js`);
  expect(asset.status).toBe(404);
}, 90_000);
