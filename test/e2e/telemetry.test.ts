import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestStore, type TestStore } from '../support/engines';
import { ServerProcess, freePort } from '../support/server-process';
import { tracingConfigured } from '../../src/telemetry';

/**
 * OpenTelemetry, configured by the standard variables: the built server (`npm test` builds first), on
 * PostgreSQL, sends its spans to a fake OTLP/HTTP collector on 127.0.0.1 — the incoming HTTP request, the
 * GraphQL phases and the SQL statements of one GraphQL request.
 */

let collector: http.Server;
let collectorUrl: string;
const posts: { path: string; contentType: string; body: string }[] = [];
let store: TestStore;
let server: ServerProcess;

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  store = await createTestStore('postgres', { migrate: false });
  await store.close(); // the server opens it; dispose() drops the database at the end
  const port = await freePort();
  server = new ServerProcess(port, () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: store.url,
      PASSERELLE_COMPILED_READS: 'false', // through graphql-js's execution, to see its spans
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    delete env.OTEL_SDK_DISABLED;
    delete env.OTEL_TRACES_EXPORTER;
    return env;
  });
  await server.start();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => collector?.close(resolve));
  await store?.dispose().catch(() => undefined);
});

test('a GraphQL request: its spans reach the collector (http, graphql, pg), without variable values', async () => {
  const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query Compte($id: ID!) { structures(first: 1) { totalCount } structure(id: $id) { nom } }',
      variables: { id: 'dora--ne-pas-tracer@example.org' },
    }),
  });
  expect(response.status).toBe(200);
  const traces = () => posts.filter((p) => p.path === '/v1/traces' && p.body.length > 0);
  const seen = () => traces().map((p) => p.body).join('\n');
  const names = () => new Set([...seen().matchAll(/"name":"([^"]+)"/g)].map((m) => m[1]));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !(names().has('query Compte') && names().has('POST'))) await new Promise((r) => setTimeout(r, 100));
  expect(traces()[0].contentType).toContain('application/json');
  expect(names()).toContain('POST'); // the incoming request (instrumentation-http)
  expect(names()).toContain('query Compte'); // graphql-js's execution (instrumentation-graphql)…
  expect(names()).toContain('graphql.validate'); // …and its phases
  expect([...names()].some((n) => n.startsWith('pg.query:SELECT'))).toBe(true); // the SQL statements
  expect(seen()).toContain('"passerelle"'); // service.name
  expect(seen()).not.toContain('ne-pas-tracer');
  // Probes are not traced.
  await fetch(`http://127.0.0.1:${server.port}/readyz`);
  await new Promise((r) => setTimeout(r, 500));
  expect(seen()).not.toContain('/readyz');
}, 60_000);

test('off by default; on with an endpoint or OTEL_TRACES_EXPORTER; OTEL_SDK_DISABLED and "none" keep it off', () => {
  expect(tracingConfigured({})).toBe(false);
  expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
  expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
  expect(tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
});
