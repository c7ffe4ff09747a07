import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { PLAYGROUND_HEADERS, playground } from '../../src/http/playground';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';

/** One request over raw HTTP (no automatic decompression), body as bytes. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Every reference by which a page would load something from another host: `src`/`href` attributes
 * (`<script src=`, `<link href=`, `<img src=`, … anywhere in the text, inline script included), dynamic
 * `import()` of a URL, and CSS `@import`/`url()` of a URL. Absolute (`http://`, `https://`) and
 * protocol-relative (`//host`) URLs count; relative ones, `data:` and `blob:` do not.
 */
function remoteReferences(html: string): string[] {
  const url = String.raw`(?:https?:)?//([^/"'\s>)\x60]+)`;
  const patterns = [
    new RegExp(String.raw`\b(?:src|href|srcset|poster|action|data)\s*=\s*["']?\s*${url}`, 'gi'),
    new RegExp(String.raw`\bimport\s*\(\s*["'\x60]\s*${url}`, 'gi'),
    new RegExp(String.raw`@import\s+(?:url\()?\s*["']?\s*${url}`, 'gi'),
    new RegExp(String.raw`\burl\(\s*["']?\s*${url}`, 'gi'),
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of html.matchAll(pattern)) {
      const host = match[1].replace(/:\d+$/, '').toLowerCase();
      if (!LOCAL_HOSTS.has(host)) found.push(match[0]);
    }
  }
  return found;
}

let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let url: string;

beforeAll(async () => {
  store = await createTestStore('pglite');
  api = await createTestApp(store);
  url = await api.url();
});
afterAll(async () => {
  await api?.stop();
  await store?.dispose();
});

test('a browser opening /graphql gets GraphiQL as HTML, gzipped, with an ETag and Cache-Control', async () => {
  const response = await get(url, BROWSER);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.headers['content-encoding']).toBe('gzip');
  expect(response.headers['cache-control']).toMatch(/\bmax-age=\d+/);
  expect(response.headers.vary).toMatch(/Accept-Encoding/);
  expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
  expect(Number(response.headers['content-length'])).toBe(response.body.length);
  const html = gunzipSync(response.body).toString('utf8');
  expect(response.body.length).toBeLessThan(html.length / 3);
  expect(html).toMatch(/^\s*<!doctype html>/i);
  expect(html).toContain('<title>Passerelle · GraphiQL</title>');
  expect(html).toContain('renderYogaGraphiQL');
  // The example tabs, and the token hint in the headers editor.
  for (const example of ['communes(search: \\"paris\\"', 'commune(code: \\"75056\\")', 'structure(id: \\"emplois-de-linclusion--10066\\")', 'nomenclatures {']) {
    expect(html).toContain(example);
  }
  expect(html).toContain('Bearer <paste your token>');
  expect(html).toContain('"endpoint":"/graphql"');
});

test('the token hint is a comment: GraphiQL sends no Authorization header until the user fills it in', () => {
  expect(PLAYGROUND_HEADERS).toMatch(/^\s*\/\/ "Authorization": "Bearer <paste your token>"$/m);
  const uncommented = PLAYGROUND_HEADERS.split('\n').filter((line) => !line.trim().startsWith('//')).join('\n');
  expect(JSON.parse(uncommented)).toEqual({});
});

test('without gzip in Accept-Encoding the page comes uncompressed, under its own ETag', async () => {
  const plain = await get(url, { accept: 'text/html' });
  expect(plain.status).toBe(200);
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.body.toString('utf8')).toContain('<title>Passerelle · GraphiQL</title>');
  const gzipped = await get(url, BROWSER);
  expect(plain.headers.etag).not.toBe(gzipped.headers.etag);
  const refused = await get(url, { accept: 'text/html', 'accept-encoding': 'gzip;q=0, identity' });
  expect(refused.headers['content-encoding']).toBeUndefined();
});

test('revalidation: If-None-Match with the current ETag gives 304 and no body; a stale one the page', async () => {
  const first = await get(url, BROWSER);
  const etag = first.headers.etag!;
  const again = await get(url, { ...BROWSER, 'if-none-match': etag });
  expect(again.status).toBe(304);
  expect(again.body.length).toBe(0);
  expect(again.headers.etag).toBe(etag);
  expect(again.headers['cache-control']).toBe(first.headers['cache-control']);
  expect((await get(url, { ...BROWSER, 'if-none-match': `"stale", W/${etag}` })).status).toBe(304);
  const stale = await get(url, { ...BROWSER, 'if-none-match': '"stale"' });
  expect(stale.status).toBe(200);
  expect(stale.body.length).toBe(first.body.length);
});

test('the page loads nothing from another host: no remote <script src>, <link href>, import() or CSS url()', async () => {
  const html = (await get(url, { accept: 'text/html' })).body.toString('utf8');
  // The checker itself catches what it is meant to catch.
  expect(remoteReferences('<script src="https://cdn.jsdelivr.net/npm/graphiql.js"></script>')).toHaveLength(1);
  expect(remoteReferences("<link rel='stylesheet' href=//unpkg.com/graphiql.css>")).toHaveLength(1);
  expect(remoteReferences('await import("https://esm.sh/graphiql")')).toHaveLength(1);
  expect(remoteReferences('@import url(https://fonts.googleapis.com/css)')).not.toEqual([]);
  expect(remoteReferences('<script src="/graphiql.js"></script><link href="data:image/x-icon;base64,AA">')).toEqual([]);
  expect(remoteReferences('<script src="http://127.0.0.1:4000/x.js"></script>')).toEqual([]);

  expect(remoteReferences(html)).toEqual([]);
  // The document's own tags: the scripts are inline, the favicon is a data: URL.
  const documentLevel = html.slice(0, html.indexOf('<script>'));
  expect(documentLevel).not.toMatch(/<script\b[^>]*\bsrc=/i);
  for (const link of documentLevel.match(/<link\b[^>]*>/gi) ?? []) expect(link).toMatch(/href="data:/);
  // And the browser is told to load nothing from elsewhere.
  const csp = (await get(url, { accept: 'text/html' })).headers['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
});

test('HEAD gives the headers without the body', async () => {
  const head = await get(url, BROWSER, 'HEAD');
  expect(head.status).toBe(200);
  expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(head.body.length).toBe(0);
});

test('the page is built once per process', () => {
  expect(playground()).toBe(playground());
});

test('a GET that asks for JSON, or has a query, still goes to GraphQL (with the CSRF preflight header)', async () => {
  const query = encodeURIComponent('{ nomenclatures { frais { value label } } }');
  const json = await get(`${url}?query=${query}`, { accept: 'application/json', 'apollo-require-preflight': 'true' });
  expect(json.status).toBe(200);
  expect(json.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(json.body.toString())).toEqual({
    data: { nomenclatures: { frais: [{ value: 'gratuit', label: 'Gratuit' }, { value: 'payant', label: 'Payant' }] } },
  });
  // Without the preflight header: refused by Apollo's CSRF prevention, not served the playground.
  const blocked = await get(`${url}?query=${query}`, { accept: 'application/json' });
  expect(blocked.status).toBe(400);
  expect(blocked.body.toString()).toContain('Cross-Site Request Forgery');
  // A browser-like Accept with a query parameter: GraphQL too (Apollo negotiates JSON).
  const browserWithQuery = await get(`${url}?query=${query}`, { ...BROWSER, 'apollo-require-preflight': 'true' });
  expect(browserWithQuery.headers['content-type']).toMatch(/json/);
  // A GraphQL client's GET without a query: GraphQL's own error, not HTML.
  const noQuery = await get(url, { accept: 'application/graphql-response+json, application/json', 'apollo-require-preflight': 'true' });
  expect(noQuery.status).toBe(400);
  expect(noQuery.headers['content-type']).toMatch(/json/);
});

test('GraphiQL\'s own requests, POST with JSON, pass the CSRF prevention', async () => {
  const response = await api.post('{ __schema { queryType { name } } }', { accept: 'application/graphql-response+json, application/json' });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
});

test('the playground is served before the store is ready (GraphQL answers 503 meanwhile)', async () => {
  const app = new App({ logger: createLogger('silent'), development: false });
  await app.start();
  const port = await app.listen(0, '127.0.0.1');
  try {
    expect((await get(`http://127.0.0.1:${port}/graphql`, BROWSER)).status).toBe(200);
    const graphql = await get(`http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`, { accept: 'application/json', 'apollo-require-preflight': 'true' });
    expect(graphql.status).toBe(503);
  } finally {
    await app.stop();
  }
});
