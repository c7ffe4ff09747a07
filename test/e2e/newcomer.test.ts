import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A newcomer's path, for real: the built server (`npm start` runs `node dist/src/server.js` after the
 * build) on a fresh, empty embedded data folder, queried over HTTP. `npm test` builds first (pretest).
 */
const root = path.resolve(__dirname, '../..');
const serverJs = path.join(root, 'dist/src/server.js');
const cliJs = path.join(root, 'src/cli/bin.js');

let dataDir: string;
let server: ChildProcess | undefined;
let port: number;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as net.AddressInfo;
      s.close(() => resolve(address.port));
    });
    s.on('error', reject);
  });
}

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

async function startServer(): Promise<void> {
  server = spawn(process.execPath, [serverJs], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 240_000;
  let status = 0;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${output}`);
    try {
      status = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
      if (status === 200) return;
      expect(status).toBe(503); // listening, store not ready yet
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/healthz never answered 200 (last ${status}):\n${output}`);
}

async function stopServer(): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [cliJs, ...args], { env: env(), encoding: 'utf8' });
}

async function graphql(query: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing: run \`npm run build\` (npm test does it in pretest)`);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-newcomer-'));
  port = await freePort();
  await startServer();
}, 300_000);

afterAll(async () => {
  await stopServer();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the fresh embedded store is migrated, has territories and the demo offer', async () => {
  const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
  expect(health).toEqual({ status: 'ok', engine: 'pglite' });
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
  const status = spawnSync(process.execPath, [cliJs, 'migrate', 'status'], { env: env(), encoding: 'utf8' });
  expect(status.stderr).toBe('');
  expect(status.stdout).toMatch(/^applied \d{14}_init\n(applied \d{14}_\w+\n)*up to date\n$/);
  expect(status.status).toBe(0);

  const csv = path.join(dataDir, 'centres.csv');
  fs.writeFileSync(csv, 'code_insee,latitude,longitude\n75056,48.8566,2.3522\n69123,north,4.8357\n');
  const bad = spawnSync(process.execPath, [cliJs, 'territories', 'import-centres', csv], { env: env(), encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('row 3, column latitude');
  for (let i = 0; i < 40 && !output.includes('"operation":"territories.import-centres"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(output).toContain('"operation":"migrate.status","msg":"operation requested through the admin socket"');
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
    const run = spawnSync(process.execPath, [cliJs, 'seed', '--structures', '5'], { env: { ...env(), PASSERELLE_DATA_DIR: lockedDir }, encoding: 'utf8' });
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
  await stopServer();
  expect(fs.existsSync(path.join(dataDir, 'passerelle.lock'))).toBe(false);
  expect(fs.existsSync(path.join(dataDir, 'passerelle.sock'))).toBe(false);
  await startServer();
  const after = (await graphql(`{ structures { totalCount } }`)).body.data.structures.totalCount;
  expect(after).toBe(before);
  // Usage counts were written on shutdown (batched, not per request) and survive the restart.
  const usage = cli('clients', 'usage');
  expect(usage.status).toBe(0);
  expect(usage.stdout).toMatch(/partner\s+1\s/);
  expect(output).not.toMatch(/"level":(50|60)/);
}, 300_000);
