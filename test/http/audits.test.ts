import { serverAudits, type AuditResult } from 'graphql-http';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';

/**
 * GraphQL over HTTP conformance: graphql-http's audit suite against the real HTTP server (node:http +
 * Apollo Server's integration API), as a client on the network sees it.
 *
 * The SHOULDs that do not pass, each explained in the README ("GraphQL over HTTP"). A change in either
 * direction (a regression, or a fix that makes one pass) fails this test until the README says so.
 */
const SHOULD_WARNINGS = [
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
];

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

/**
 * The audits' requests, with Apollo's CSRF preflight header added: Apollo Server refuses a GET (and a POST
 * of a "simple" content type) without it, as any browser-facing GraphQL server should.
 */
const fetchWithPreflight: typeof fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('apollo-require-preflight', 'true');
  return fetch(input, { ...init, headers });
};

test('graphql-http server audits: every MUST passes, and only the documented SHOULDs warn', async () => {
  const audits = serverAudits({ url, fetchFn: fetchWithPreflight });
  const results: (AuditResult & { level: string })[] = [];
  for (const audit of audits) results.push({ ...(await audit.fn()), level: audit.name.split(' ')[0] });

  const levels = ['MUST', 'SHOULD', 'MAY'] as const;
  const summary = levels.map((level) => {
    const of = results.filter((r) => r.level === level);
    return `${level}: ${of.filter((r) => r.status === 'ok').length}/${of.length} ok`;
  });
  const failing = results.filter((r) => r.status !== 'ok');
  const passed = results.length - failing.length;
  console.log(
    [
      `graphql-http ${passed}/${results.length} audits passed (${summary.join(', ')})`,
      ...failing.map((r) => `  ${r.status}: ${r.name} [${r.id}]${'reason' in r ? ` (${r.reason}, HTTP ${r.response.status})` : ''}`),
    ].join('\n'),
  );

  // Every MUST passes.
  expect(results.filter((r) => r.level === 'MUST' && r.status !== 'ok').map((r) => r.name)).toEqual([]);
  // The SHOULDs that fail are exactly the documented ones.
  const shouldFailures = results.filter((r) => r.level === 'SHOULD' && r.status !== 'ok');
  expect(shouldFailures.map((r) => r.name).sort()).toEqual([...SHOULD_WARNINGS].sort());
  expect(shouldFailures).toHaveLength(3);
  // The MAYs all pass too.
  expect(results.filter((r) => r.level === 'MAY' && r.status !== 'ok').map((r) => r.name)).toEqual([]);
  expect(results).toHaveLength(61);
  expect(passed).toBe(58);
});

test('a mutation is never run over GET (refused before execution, even with the preflight header)', async () => {
  for (const document of ['mutation { anything }', 'mutation M { anything }']) {
    const query = encodeURIComponent(document);
    const response = await fetch(`${url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } });
    expect([405, 400]).toContain(response.status);
    const body = (await response.json()) as { data?: unknown; errors: { message: string }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/GET requests only support query operations|mutation/i);
  }
  // With an operation name choosing the mutation of a document that also has a query.
  const mixed = encodeURIComponent('query Q { __typename } mutation M { anything }');
  const response = await fetch(`${url}?query=${mixed}&operationName=M`, { headers: { 'apollo-require-preflight': 'true' } });
  expect([405, 400]).toContain(response.status);
});

test('without the preflight header a GET is refused as a possible CSRF, while POST with JSON needs none', async () => {
  const query = encodeURIComponent('{ __typename }');
  const blocked = await fetch(`${url}?query=${query}`);
  expect(blocked.status).toBe(400);
  expect(await blocked.text()).toContain('Cross-Site Request Forgery');
  const post = await api.post('{ __typename }');
  expect(post.status).toBe(200);
  expect(post.body).toEqual({ data: { __typename: 'Query' } });
});
