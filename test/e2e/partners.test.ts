import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reply, startFakePartner, type FakePartner, type FakeRequest } from '../partners/fake-server';
import * as di from '../partners/fixtures/data-inclusion';
import { ServerProcess, freePort, runCli } from '../support/server-process';

/**
 * A live partner, for real: the built server (as `npm start` runs it) on a fresh, empty embedded data
 * folder (no demo offer), with a passerelle.config.json declaring a live data·inclusion partner answering
 * for `dora` at a fake partner on 127.0.0.1 — queried over HTTP, then harvested with the CLI through the
 * server's socket, then served from the store while the partner is down. `npm test` builds first.
 */

const PARTNER = 'di-e2e';
const TOKEN_ENV = 'PASSERELLE_E2E_DI_TOKEN';
const TOKEN = 'e2e-secret-token';

let dataDir: string;
let configFile: string;
let server: ServerProcess;
let port: number;
let fake: FakePartner;

const services = [di.serviceAtelier, di.serviceEmploi, di.serviceCuisine, di.serviceMalformed];
const structures = [di.structureBelleville, di.structureLille];

/** The data·inclusion API v1 (§3.2): pages `{items,total,page,size,pages}` honouring `sources`, and by-id routes. */
function routes(req: FakeRequest): unknown {
  if (req.method !== 'GET') return undefined;
  const page = Number(req.query.page ?? 1);
  const size = Number(req.query.size ?? 50);
  const wanted = req.query.sources === undefined ? undefined : ([] as string[]).concat(req.query.sources);
  const ofSources = <T extends { source: string }>(items: T[]) => (wanted ? items.filter((item) => wanted.includes(item.source)) : items);
  if (req.path === '/api/v1/structures') return di.pageOf(ofSources(structures), page, size);
  if (req.path === '/api/v1/services') return di.pageOf(ofSources(services), page, size);
  const service = /^\/api\/v1\/services\/([^/]+)$/.exec(req.path);
  if (service) return di.detailedService(decodeURIComponent(service[1])) ?? reply(404, { detail: 'Not found.' });
  const structure = /^\/api\/v1\/structures\/([^/]+)$/.exec(req.path);
  if (structure) return structures.find((s) => s.id === decodeURIComponent(structure[1])) ?? reply(404, { detail: 'Not found.' });
  return undefined;
}

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PASSERELLE_DATA_DIR: dataDir,
    PASSERELLE_SEED_ON_EMPTY: 'false',
    PASSERELLE_CONFIG: configFile,
    [TOKEN_ENV]: TOKEN,
    LOG_LEVEL: 'info',
  };
  delete e.DATABASE_URL;
  delete e.NODE_ENV;
  return e;
}

const cli = (...args: string[]) => runCli(env(), ...args);
const graphql = (query: string) => server.graphql(query);

const partnerRequests = () => fake.requests.length;
const ids = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id);

beforeAll(async () => {
  fake = await startFakePartner(routes);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-partners-'));
  configFile = path.join(dataDir, 'passerelle.config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      partners: [
        // cacheTtlSeconds 0: every query reaches the partner (or its absence) — no answer from the cache.
        { id: PARTNER, type: 'data-inclusion', baseUrl: fake.url, tokenEnv: TOKEN_ENV, live: true, sources: ['dora'], cacheTtlSeconds: 0, timeoutMs: 1000 },
      ],
    }),
  );
  port = await freePort();
  server = new ServerProcess(port, env);
  await server.start();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the store starts empty (no demo offer)', async () => {
  const { status, body } = await graphql(`{ services { totalCount } structures { totalCount } }`);
  expect(status).toBe(200);
  expect(body.data).toEqual({ services: { totalCount: 0 }, structures: { totalCount: 0 } });
});

test('service(id: "dora--…") comes from the live partner, with its provenance and the partner’s token', async () => {
  const before = partnerRequests();
  const { status, body } = await graphql(`{
    service(id: "${di.serviceAtelier.id}") {
      id nom provenance { partner live source { slug } }
      structure { nom provenance { partner live } }
    }
    missing: service(id: "dora--inconnu") { id }
  }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data.service).toEqual({
    id: di.serviceAtelier.id,
    nom: 'Atelier numérique',
    provenance: { partner: PARTNER, live: true, source: { slug: 'dora' } },
    structure: { nom: 'Centre social Belleville', provenance: { partner: PARTNER, live: true } },
  });
  expect(body.data.missing).toBeNull();
  const asked = fake.requests.slice(before);
  expect(asked.map((r) => r.path).sort()).toEqual([
    '/api/v1/services/dora--atelier-numerique-belleville',
    '/api/v1/services/dora--inconnu',
    '/api/v1/structures/dora--cs-belleville',
  ]);
  expect(asked.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  expect(server.output).not.toContain(TOKEN);
});

test('services(live: true) lists the partner’s records of its sources (the malformed one dropped)', async () => {
  const { status, body } = await graphql(`{ services(live: true) { totalCount nodes { id provenance { partner live } } } }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(ids(body.data.services)).toEqual([di.serviceCuisine.id, di.serviceAtelier.id].sort());
  expect(body.data.services.totalCount).toBe(2);
  expect(body.data.services.nodes.every((n: any) => n.provenance.partner === PARTNER && n.provenance.live)).toBe(true);
  expect(fake.requests.at(-1)).toMatchObject({ path: '/api/v1/services', query: { sources: 'dora' } });
});

test('a partner answering 500: HTTP 200 with PARTNER_UNAVAILABLE naming it, never a 500', async () => {
  fake.setFault({ kind: 'status', status: 500 });
  try {
    const byId = await graphql(`{ service(id: "${di.serviceAtelier.id}") { nom } }`);
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual({ service: null });
    expect(byId.body.errors).toHaveLength(1);
    expect(byId.body.errors[0]).toMatchObject({ path: ['service'], extensions: { code: 'PARTNER_UNAVAILABLE', partner: PARTNER } });
    expect(byId.body.errors[0].message).toContain(PARTNER);

    const list = await graphql(`{ services(live: true) { totalCount nodes { id } } }`);
    expect(list.status).toBe(200);
    expect(list.body.data.services).toEqual({ totalCount: 0, nodes: [] });
    expect(list.body.errors[0]).toMatchObject({ path: ['services'], extensions: { code: 'PARTNER_UNAVAILABLE', partner: PARTNER } });
    expect(JSON.stringify(list.body)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  } finally {
    fake.setFault(null);
  }
});

test('`passerelle harvest <partner>` runs through the server’s socket and writes the partner’s records', async () => {
  const before = partnerRequests();
  const run = await cli('harvest', PARTNER);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  // structures page, then services page: 1 dora structure and 2 valid dora services (france-travail left out)
  expect(run.stdout).toMatch(new RegExp(`^harvest ${PARTNER}: 2 pages, 1 structure, 2 services \\(1 structures and 2 services written, 0 unchanged\\)`));
  expect(server.output).toContain('"operation":"harvest","msg":"operation requested through the admin socket"');
  expect(fake.requests.slice(before).map((r) => [r.path, r.query.page])).toEqual([
    ['/api/v1/structures', '1'],
    ['/api/v1/services', '1'],
  ]);
});

test('with the partner down, the harvested copies keep being served (provenance.live: false)', async () => {
  await fake.close();
  const byId = await graphql(`{ service(id: "${di.serviceAtelier.id}") { nom provenance { live } structure { nom provenance { live } } } }`);
  expect(byId.status).toBe(200);
  expect(byId.body.errors).toBeUndefined();
  expect(byId.body.data.service).toEqual({
    nom: 'Atelier numérique',
    provenance: { live: false },
    structure: { nom: 'Centre social Belleville', provenance: { live: false } },
  });

  const list = await graphql(`{ services(live: true) { totalCount nodes { id provenance { live } } } }`);
  expect(list.status).toBe(200);
  expect(ids(list.body.data.services)).toEqual([di.serviceCuisine.id, di.serviceAtelier.id].sort());
  expect(list.body.data.services.nodes.every((n: any) => n.provenance.live === false)).toBe(true);
  expect(list.body.errors[0]).toMatchObject({ path: ['services'], extensions: { code: 'PARTNER_UNAVAILABLE', partner: PARTNER } });

  const stored = await graphql(`{ services { totalCount } structures { totalCount } }`);
  expect(stored.body.data).toEqual({ services: { totalCount: 2 }, structures: { totalCount: 1 } });
  expect(server.output).not.toMatch(/"level":(50|60)/);
});
