import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerProcess, freePort, runCli } from '../support/server-process';
import { startReceiver, waitFor } from '../webhooks/receiver';

/**
 * The operator's path on the embedded store: the built server holds PGlite, and `passerelle webhooks add` and
 * `passerelle import` reach it through its admin socket; the receiver hears of the import within seconds.
 */
let dataDir: string;
let server: ServerProcess;
let port: number;
let secret: string | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PASSERELLE_DATA_DIR: dataDir,
    PASSERELLE_WEBHOOK_ALLOW_PRIVATE: 'true',
    LOG_LEVEL: 'warn',
  };
  delete e.DATABASE_URL;
  delete e.NODE_ENV;
  delete e.REDIS_URL;
  return e;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-hooks-'));
  port = await freePort();
  server = new ServerProcess(port, env);
  await server.start();
  receiver = await startReceiver(() => secret);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('webhooks add and import through the running server: the receiver gets a signed event within seconds', async () => {
  expect((await runCli(env(), 'clients', 'add', 'hooks', '--name', 'Listens')).status).toBe(0);
  const added = await runCli(env(), 'webhooks', 'add', '--client', 'hooks', '--url', receiver.url, '--filter', '{"sources":["dora"],"entities":["service"]}');
  expect(added.stderr).toBe('');
  expect(added.status).toBe(0);
  secret = /secret: (whsec_\S+)/.exec(added.stdout)![1];

  const file = path.join(dataDir, 'services.ndjson');
  fs.writeFileSync(file, `${JSON.stringify({
    id: 'embedded-1',
    structure_id: 'dora--embedded-structure',
    nom: 'Atelier mobilité',
    description: 'Un accompagnement vers la mobilité, pour se rendre au travail ou en formation, chaque semaine.',
    date_maj: '2026-10-01',
    thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  })}\n`);
  const structures = path.join(dataDir, 'structures.ndjson');
  fs.writeFileSync(structures, `${JSON.stringify({ id: 'embedded-structure', nom: 'Structure', date_maj: '2026-10-01' })}\n`);
  expect((await runCli(env(), 'import', structures, '--source', 'dora', '--kind', 'structure')).status).toBe(0);
  const started = Date.now();
  const imported = await runCli(env(), 'import', file, '--source', 'dora', '--kind', 'service');
  expect(imported.status).toBe(0);
  const event = await waitFor(() => receiver.accepted.find((e) => e.body.recordId === 'dora--embedded-1'), 30_000);
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(event.verified).toBe(true);
  expect(event.body).toMatchObject({ action: 'created', entity: 'service', source: 'dora' });

  const listed = await runCli(env(), 'webhooks', 'list');
  expect(listed.stdout).toMatch(/active/);
}, 120_000);
