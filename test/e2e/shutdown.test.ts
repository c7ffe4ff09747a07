import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakePartner, type FakePartner } from '../partners/fake-server';
import * as di from '../partners/fixtures/data-inclusion';
import { ServerProcess, freePort } from '../support/server-process';

/**
 * SIGTERM, as an orchestrator sends it, to the built server (`npm test` builds first): it stops accepting
 * connections, lets the requests in flight finish, closes the store and exits 0 — and exits 1 anyway once
 * PASSERELLE_SHUTDOWN_TIMEOUT has passed, or at once on a second signal. The slow request is a live
 * partner's record, the partner (a fake on 127.0.0.1) answering as late as the test says.
 */

let root: string;
let dataDir: string;
let configFile: string;
let fake: FakePartner;
/** While set, the partner holds its answers until it resolves. */
let gate: Promise<void> | undefined;
let openGate = () => {};
function holdAnswers(): void {
  gate = new Promise((resolve) => (openGate = resolve));
}
const started: ServerProcess[] = [];

beforeAll(async () => {
  fake = await startFakePartner(async (req) => {
    await gate;
    const service = /^\/api\/v1\/services\/([^/]+)$/.exec(req.path);
    return service ? di.detailedService(decodeURIComponent(service[1])) : undefined;
  });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-shutdown-'));
  dataDir = path.join(root, 'store');
  configFile = path.join(root, 'passerelle.config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      partners: [{ id: 'slow-di', type: 'data-inclusion', baseUrl: fake.url, live: true, sources: ['dora'], cacheTtlSeconds: 0, timeoutMs: 120_000 }],
    }),
  );
}, 60_000);

afterAll(async () => {
  openGate();
  for (const server of started) {
    server.kill('SIGKILL');
    await server.exited();
  }
  await fake?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const server = new ServerProcess(port, () => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      PASSERELLE_DATA_DIR: dataDir,
      PASSERELLE_SEED_ON_EMPTY: 'false',
      PASSERELLE_CONFIG: configFile,
      LOG_LEVEL: 'info',
      ...env,
    };
    delete e.HOST; // the default, 127.0.0.1
    delete e.DATABASE_URL;
    delete e.NODE_ENV;
    return e;
  });
  started.push(server);
  await server.start();
  return server;
}

/** A request the partner will hold, once the server is waiting on the partner (wrapped: not awaited). */
async function requestInFlight(server: ServerProcess) {
  const before = fake.requests.length;
  const response = server.graphql(`{ service(id: "${di.serviceAtelier.id}") { id nom } }`).then(
    (answer) => answer,
    (error: Error) => error,
  );
  while (fake.requests.length === before) await new Promise((r) => setTimeout(r, 20));
  return { response };
}

const logLines = (server: ServerProcess) =>
  server.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

test('an in-flight request completes during the drain; new connections are refused; then exit 0', async () => {
  const server = await startServer();
  holdAnswers();
  const { response } = await requestInFlight(server);
  const signalled = Date.now();
  server.kill('SIGTERM');
  setTimeout(openGate, 1500);
  await new Promise((r) => setTimeout(r, 300));
  // Draining: no new connection…
  await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  // …but the request in flight gets its whole answer.
  const answer = await response;
  expect(answer).not.toBeInstanceOf(Error);
  expect(answer).toMatchObject({ status: 200, body: { data: { service: { id: di.serviceAtelier.id, nom: 'Atelier numérique' } } } });
  expect(await server.exited()).toBe(0);
  expect(Date.now() - signalled).toBeGreaterThanOrEqual(1000);
  const messages = logLines(server).map((l) => l.msg);
  expect(messages).toEqual(expect.arrayContaining(['stopping: draining the requests in flight', 'graphql request', 'stopped']));
  expect(messages.indexOf('graphql request')).toBeLessThan(messages.indexOf('stopped'));
  openGate();
}, 120_000);

test('a request that hangs: the process exits 1 once PASSERELLE_SHUTDOWN_TIMEOUT has passed', async () => {
  const server = await startServer({ PASSERELLE_SHUTDOWN_TIMEOUT: '1s' });
  holdAnswers();
  const { response } = await requestInFlight(server);
  const signalled = Date.now();
  server.kill('SIGTERM');
  expect(await server.exited()).toBe(1);
  const elapsed = Date.now() - signalled;
  expect(elapsed).toBeGreaterThanOrEqual(900);
  expect(elapsed).toBeLessThan(3000);
  expect(await response).not.toHaveProperty('status'); // its connection was cut: fetch failed
  expect(logLines(server).find((l) => l.msg === 'shutdown did not finish in time: exiting anyway')).toMatchObject({ level: 50, timeoutMs: 1000 });
  openGate();
}, 120_000);

test('a second SIGTERM exits at once', async () => {
  const server = await startServer({ PASSERELLE_SHUTDOWN_TIMEOUT: '60s' });
  holdAnswers();
  const { response } = await requestInFlight(server);
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  expect(server.output).toContain('stopping: draining the requests in flight');
  const again = Date.now();
  server.kill('SIGTERM');
  expect(await server.exited()).toBe(1);
  expect(Date.now() - again).toBeLessThan(1000);
  expect(server.output).toContain('second signal: exiting now');
  await response;
  openGate();
}, 120_000);

test('the data folder the server ran on is owner-only (no file or folder for group or others)', () => {
  const loose: string[] = [];
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.mode & 0o077) loose.push(`${(stat.mode & 0o777).toString(8)} ${current}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(current)) walk(path.join(current, entry));
  };
  walk(dataDir);
  expect(loose).toEqual([]);
});
