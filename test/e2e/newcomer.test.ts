import { spawn, spawnSync } from 'node:child_process';
import { CLI_JS, ServerProcess, freePort } from '../support/server-process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A newcomer's path, for real: the built server (`npm start` runs `node dist/src/server.js` after the
 * build) on a fresh, empty embedded data folder, queried over HTTP. `npm test` builds first (pretest).
 */


let dataDir: string;
let server: ServerProcess;
let port: number;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PASSERELLE_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PASSERELLE_REVOCATION_CACHE_SECONDS: '1',
  };
  delete e.DATABASE_URL;
  delete e.NODE_ENV;
  return e;
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI_JS, ...args], { env: env(), encoding: 'utf8' });
}

const graphql = (query: string, init?: { method?: string; headers?: Record<string, string> }) => server.graphql(query, init);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-newcomer-'));
  port = await freePort();
  server = new ServerProcess(port, env);
  await server.start();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the fresh embedded store is migrated, has territories and the demo offer', async () => {
  const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
  expect(ready).toEqual({ status: 'ready', engine: 'pglite', migrations: expect.any(Number) });
  const { status, body } = await graphql(`{
    structures(first: 2) { totalCount nodes { id nom territoire { nom departement { nom } } } }
    services(first: 1, filter: { thematiques: ["numerique"] }) { totalCount }
    commune(code: "75056") { nom }
    nomenclatures { frais { value label } }
  }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  // Anonymous callers do not see the restricted source (soliguide, by default): 2,000 less its share.
  expect(body.data.structures.totalCount).toBeGreaterThan(1500);
  expect(body.data.structures.totalCount).toBeLessThan(2000);
  expect(body.data.structures.nodes[0].territoire.departement.nom).toEqual(expect.any(String));
  expect(body.data.services.totalCount).toBeGreaterThan(0);
  expect(body.data.commune).toEqual({ nom: 'Paris' });
  expect(body.data.nomenclatures.frais).toEqual([{ value: 'gratuit', label: 'Gratuit' }, { value: 'payant', label: 'Payant' }]);
});

test('errors over HTTP: a bad argument names itself, unknown fields fail validation, nothing leaks', async () => {
  const bad = await graphql(`{ services(filter: { frais: ["cher"] }) { totalCount } }`);
  expect(bad.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  expect(bad.body.errors[0].message).toContain('filter.frais');
  expect(JSON.stringify(bad.body)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  const invalid = await graphql(`{ services { nope } }`);
  expect(invalid.status).toBe(400);
  expect(invalid.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
});

test('GET queries need a CSRF preflight header; mutations never run over GET', async () => {
  const q = encodeURIComponent('{ commune(code: "69123") { nom } }');
  const blocked = await fetch(`http://127.0.0.1:${port}/graphql?query=${q}`);
  expect(blocked.status).toBe(400);
  const allowed = await fetch(`http://127.0.0.1:${port}/graphql?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
  expect(await allowed.json()).toEqual({ data: { commune: { nom: 'Lyon' } } });
});

test('CLI commands run through the server that holds the embedded store', async () => {
  const status = spawnSync(process.execPath, [CLI_JS, 'migrate', 'status'], { env: env(), encoding: 'utf8' });
  expect(status.stderr).toBe('');
  expect(status.stdout).toMatch(/^applied \d{14}_init\n(applied \d{14}_\w+\n)*up to date\n$/);
  expect(status.status).toBe(0);

  const csv = path.join(dataDir, 'centres.csv');
  fs.writeFileSync(csv, 'code_insee,latitude,longitude\n75056,48.8566,2.3522\n69123,north,4.8357\n');
  const bad = spawnSync(process.execPath, [CLI_JS, 'territories', 'import-centres', csv], { env: env(), encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('row 3, column latitude');
  for (let i = 0; i < 40 && !server.output.includes('"operation":"territories.import-centres"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(server.output).toContain('"operation":"migrate.status","msg":"operation requested through the admin socket"');
});

test('a reuser registered and given a token from the CLI, while the server runs, sees contacts and the restricted source; revocation takes effect', async () => {
  expect(cli('clients', 'add', 'partner', '--name', 'Partner platform', '--scopes', 'contact:read', '--sources', 'soliguide').status).toBe(0);
  const issued = cli('tokens', 'issue', '--client', 'partner', '--scope', 'contact:read', '--ttl', '30d');
  expect(issued.status).toBe(0);
  expect(issued.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const token = issued.stdout.trim();
  const auth = { headers: { authorization: `Bearer ${token}` } };

  const anonymous = await graphql(`{ structures { totalCount } services(first: 50) { nodes { courriel } } }`);
  const partner = await graphql(`{ structures { totalCount } services(first: 50) { nodes { courriel } } }`, auth);
  expect(partner.body.errors).toBeUndefined();
  expect(partner.body.data.structures.totalCount).toBe(2000);
  expect(anonymous.body.data.structures.totalCount).toBeLessThan(2000);
  expect(partner.body.data.services.nodes.some((n: { courriel: string | null }) => n.courriel)).toBe(true);
  expect(anonymous.body.data.services.nodes.every((n: { courriel: string | null }) => n.courriel === null)).toBe(true);
  expect(anonymous.body.extensions.withheld.fields).toEqual([{ field: 'Service.courriel', requires: ['contact:read'] }]);

  expect(cli('clients', 'revoke', 'partner').status).toBe(0);
  await new Promise((r) => setTimeout(r, 1500)); // PASSERELLE_REVOCATION_CACHE_SECONDS=1
  const revoked = await graphql(`{ structures { totalCount } }`, auth);
  expect(revoked.status).toBe(401);
  expect(revoked.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(revoked.body.errors[0].message).toContain('revoked');
});

test('without a server to route through, a CLI command refuses the held store and says what to do', () => {
  const holder = spawn('sleep', ['60']);
  const lockedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-locked-'));
  try {
    fs.writeFileSync(path.join(lockedDir, 'passerelle.lock'), JSON.stringify({ pid: holder.pid, startedAt: new Date().toISOString() }));
    const run = spawnSync(process.execPath, [CLI_JS, 'seed', '--structures', '5'], { env: { ...env(), PASSERELLE_DATA_DIR: lockedDir }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`open in another process (pid ${holder.pid}`);
    expect(run.stderr).toContain('DATABASE_URL');
    expect(fs.readdirSync(lockedDir)).toEqual(['passerelle.lock']); // nothing opened, nothing written
  } finally {
    holder.kill();
    fs.rmSync(lockedDir, { recursive: true, force: true });
  }
});

test('a restart keeps the data and does not seed again', async () => {
  const before = (await graphql(`{ structures { totalCount } }`)).body.data.structures.totalCount;
  await server?.stop();
  expect(fs.existsSync(path.join(dataDir, 'passerelle.lock'))).toBe(false);
  expect(fs.existsSync(path.join(dataDir, 'passerelle.sock'))).toBe(false);
  await server.start();
  const after = (await graphql(`{ structures { totalCount } }`)).body.data.structures.totalCount;
  expect(after).toBe(before);
  // Usage counts were written on shutdown (batched, not per request) and survive the restart.
  const usage = cli('clients', 'usage');
  expect(usage.status).toBe(0);
  expect(usage.stdout).toMatch(/partner\s+1\s/);
  expect(server.output).not.toMatch(/"level":(50|60)/);
}, 300_000);
