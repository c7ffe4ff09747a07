import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_JS, ServerProcess, freePort } from '../support/server-process';

/**
 * `npx passerelle import` while `npm start` holds the embedded store: the CLI sends the operation through the
 * server's admin socket, with the file and report paths made absolute (the server process reads and writes
 * them). Runs the built server and CLI (dist/): `npm test` builds first.
 */
const FIXTURES = path.join(__dirname, '../fixtures/import');
let dataDir: string;
let workDir: string;
let server: ServerProcess;
let port: number;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', PASSERELLE_DATA_DIR: dataDir, PASSERELLE_SEED_ON_EMPTY: 'false', LOG_LEVEL: 'info' };
  delete e.DATABASE_URL;
  delete e.NODE_ENV;
  return e;
}

/** The CLI run from `workDir`, with paths relative to it. */
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_JS, ...args], { env: env(), cwd: workDir, encoding: 'utf8' });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-import-cli-'));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-import-cwd-'));
  fs.copyFileSync(path.join(FIXTURES, 'structures.csv'), path.join(workDir, 'structures.csv'));
  fs.copyFileSync(path.join(FIXTURES, 'defects.ndjson'), path.join(workDir, 'defects.ndjson'));
  port = await freePort();
  server = new ServerProcess(port, env);
  await server.start();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('imports through the running server, registers the source, and is idempotent', async () => {
  const dry = cli('import', 'structures.csv', '--source', 'mon-cd', '--source-name', 'Mon conseil départemental', '--dry-run');
  expect(dry.stderr).toBe('');
  expect(dry.status).toBe(0);
  expect(dry.stdout).toContain('4 valid, dry run, nothing written, 0 rejected');

  const run = cli('import', 'structures.csv', '--source', 'mon-cd', '--source-name', 'Mon conseil départemental', '--report', 'report.json');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^import structures\.csv \(csv, source mon-cd, new source registered\): 4 rows read \(4 structures, 0 services\), 4 valid, 4 written, 0 unchanged, 0 rejected; 0 errors, 0 warnings; 1 control row \(__ignore__\) skipped\n/);
  expect(JSON.parse(fs.readFileSync(path.join(workDir, 'report.json'), 'utf8')).summary).toMatchObject({ read: 4, written: 4 });
  for (let i = 0; i < 40 && !server.output.includes('"operation":"import"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(server.output).toContain('"operation":"import","msg":"operation requested through the admin socket"');

  // The store was empty (no demo offer): every structure is the file's.
  const { body } = await server.graphql(`{ structures { totalCount nodes { id } } sources { slug nom } }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.structures.totalCount).toBe(4);
  expect(body.data.structures.nodes[0].id).toMatch(/^mon-cd--/);
  expect(body.data.sources).toContainEqual({ slug: 'mon-cd', nom: 'Mon conseil départemental' });

  const again = cli('import', 'structures.csv', '--source', 'mon-cd');
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('0 written, 4 unchanged');
});

test('exits 1 when a row is rejected, and lists the problems', () => {
  const run = cli('import', 'defects.ndjson', '--source', 'mon-cd');
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('16 rejected; 20 errors, 1 warning');
  expect(run.stdout).toContain('  error   line 2: nom = "CS": nom must be 3 to 150 characters long, not 2');
  expect(run.stdout).not.toContain('pas-un-courriel');
});

test('an unknown source without a name is refused, nothing written', () => {
  const run = cli('import', 'structures.csv', '--source', 'inconnu');
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('unknown source "inconnu": give --source-name');
});
