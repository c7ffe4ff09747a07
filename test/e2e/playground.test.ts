import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { createLogger } from '../../src/logger';
import { prepareStore } from '../../src/operations/prepare';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { launchBrowser, until, type Browser } from '../support/browser';

/**
 * The playground as a person uses it: Debian's Chromium, headless, opens /graphql on an in-process
 * Passerelle over the demo offer (the store prepared as `npm start` prepares it), runs the example queries
 * and reads the result pane. Nothing may be
 * asked of any host but the server's own.
 */
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  store = await createTestStore('pglite', { territories: true });
  await prepareStore(store, { logger: createLogger('silent'), seedWhenEmpty: true });
  api = await createTestApp(store);
  url = await api.url();
  browser = await launchBrowser("the playground's browser test");
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await store?.dispose();
});

/** The result pane's text (Monaco renders the visible lines as DOM). */
async function resultText(): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
}

/** Whether a response is GraphiQL's answer to a query of ours (not its schema introspection). */
function isQueryAnswer(response: Response): boolean {
  const request = response.request();
  return response.url() === url && request.method() === 'POST' && !(request.postData() ?? '').includes('IntrospectionQuery');
}

/**
 * Runs the current tab's query, as a person does: the ▶ button (then Ctrl+Enter in the editor if a busy
 * machine swallowed the click), and waits for the answer to be shown.
 */
async function run(expected: string): Promise<string> {
  let response: Response | undefined;
  for (let attempt = 0; attempt < 3 && !response; attempt++) {
    const answered = page.waitForResponse(isQueryAnswer, { timeout: 15_000 }).catch(() => undefined);
    if (attempt === 0) {
      await page.locator('.graphiql-execute-button').click();
    } else {
      console.log(`no query sent after try ${attempt}: pressing Ctrl+Enter in the editor`);
      await page.locator('.graphiql-query-editor .monaco-editor').first().click();
      await page.keyboard.press('Control+Enter');
    }
    response = await answered;
  }
  if (!response) throw new Error('GraphiQL sent no query after 3 tries (the ▶ button, then Ctrl+Enter twice)');
  expect(response.status()).toBe(200);
  return until(`a result with ${expected}`, resultText, (text) => text.includes(expected));
}

test('GraphiQL loads from Passerelle alone, runs the example queries on the store, and shows the results', async () => {
  const loaded = await page.goto(url, { waitUntil: 'load' });
  expect(loaded?.status()).toBe(200);
  expect(await page.title()).toBe('Passerelle · GraphiQL');
  await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ state: 'visible', timeout: 60_000 });
  // The example tabs are there.
  const tabs = await until('the example tabs', () => page.locator('.graphiql-tab-button').allInnerTexts(), (names) => names.length >= 3);
  expect(tabs).toEqual(['ServicesNearACommune', 'StructureWithItsServices', 'Nomenclatures']);

  // First tab (the default query): services near a commune.
  const first = await run('"nom": "Paris"');
  expect(first).toContain('"code": "75056"');

  // Second tab: a structure of the demo offer, with its services.
  // A dispatched click: the tabs are draggable (reorderable), and a pointer click on a tab still sliding
  // into place can start a drag instead of selecting it.
  await page.locator('.graphiql-tab-button', { hasText: 'StructureWithItsServices' }).dispatchEvent('click');
  await until('the second tab', () => page.locator('.graphiql-tab-active').innerText(), (text) => text.includes('StructureWithItsServices'));
  await until('the second example', () => page.locator('.graphiql-query-editor').innerText(), (text) => text.includes('emplois-de-linclusion--10066'));
  const second = await run('Les Compagnons');
  expect(second).toContain('"nom": "Emplois de l’inclusion"');

  // The docs explorer opens on the schema.
  await page.locator('button[aria-label="Show Documentation Explorer"]').click();
  await until('the docs explorer', () => page.locator('.graphiql-doc-explorer').innerText(), (text) => /Query/.test(text));

  const screenshot = path.join(os.tmpdir(), 'passerelle-playground.png');
  fs.rmSync(screenshot, { force: true });
  await page.screenshot({ path: screenshot, fullPage: false });
  const png = fs.readFileSync(screenshot);
  expect(png.length).toBeGreaterThan(10_000);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  console.log(`playground screenshot: ${screenshot} (${png.length} bytes)`);

  // Only the server itself was asked anything (blob: workers and data: URLs are the page's own).
  const network = browser.requests.filter((r) => /^https?:|^wss?:/.test(r.url));
  const elsewhere = network.filter((r) => new URL(r.url).hostname !== '127.0.0.1');
  expect(elsewhere.map((r) => r.url)).toEqual([]);
  expect(network.length).toBeGreaterThan(2);
  // GraphiQL POSTs JSON, and sends no Authorization while the token hint stays a comment.
  const posts = network.filter((r) => r.method === 'POST');
  expect(posts.length).toBeGreaterThanOrEqual(3); // introspection + the two queries
  for (const post of posts) {
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.headers.authorization).toBeUndefined();
  }
  // Nothing broke on the way, the Content-Security-Policy included.
  expect(browser.consoleErrors).toEqual([]);
});
