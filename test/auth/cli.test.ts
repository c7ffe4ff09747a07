import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { AuthError, TokenVerifier } from '../../src/auth/tokens';
import { UsageRecorder } from '../../src/auth/usage';
import { InputError } from '../../src/errors';
import { runOperation } from '../../src/operations/run';
import type { OperationContext } from '../../src/operations/types';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';

const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' }); // the generated secret

describe.each(ENGINES)('clients and tokens operations on %s', (engine) => {
  let store: TestStore;
  let context: OperationContext;
  const run = (name: string, args: Record<string, unknown> = {}) => runOperation(name, JSON.parse(JSON.stringify(args)), context);
  beforeAll(async () => {
    store = await createTestStore(engine);
    context = { store, config };
  });
  afterAll(async () => {
    await store?.dispose();
  });

  test('clients add checks its arguments', async () => {
    await expect(run('clients.add', { id: 'x', name: 'X', scopes: ['contact:write'] })).rejects.toThrow(
      new InputError('unknown scope "contact:write" (known scopes: contact:read, import)'),
    );
    await expect(run('clients.add', { id: 'x', name: 'X', sources: ['soliguide', 'nowhere'] })).rejects.toThrow(
      /unknown source "nowhere": not a source slug/,
    );
    await expect(run('clients.add', { id: 'Not A Slug', name: 'X' })).rejects.toThrow(/clients add: id: a slug/);
    await expect(run('clients.add', { id: 'x' })).rejects.toThrow(/clients add: name:/);
    await expect(run('clients.add', { id: 'x', name: 'X', email: 'nope' })).rejects.toThrow(/email: not an email address/);
    expect((await run('clients.list')).lines).toEqual(['no client']);
  });

  test('add, list, issue, verify, list tokens, revoke, usage', async () => {
    expect(
      (await run('clients.add', { id: 'dora-front', name: 'DORA front', email: 'dev@dora.fr', scopes: ['contact:read'], sources: ['soliguide'] })).lines,
    ).toEqual(['added client dora-front (scopes: contact:read; sources: soliguide)']);
    expect((await run('clients.add', { id: 'carto', name: 'Carto', sources: ['dora'] })).lines).toEqual([
      'added client carto (scopes: none; sources: dora)',
      'note: dora is not restricted (PASSERELLE_RESTRICTED_SOURCES): every caller sees it',
    ]);
    await expect(run('clients.add', { id: 'carto', name: 'Again' })).rejects.toThrow(new InputError('client carto already exists'));

    const list = (await run('clients.list')).lines;
    expect(list).toHaveLength(3);
    expect(list[0].split(/\s{2,}/)).toEqual(['ID', 'NAME', 'SCOPES', 'SOURCES', 'ORIGINS', 'CREATED', 'REVOKED']);
    expect(list[1]).toMatch(/^carto\s+Carto\s+-\s+dora\s+-\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+-$/);
    expect(list[2]).toMatch(/^dora-front\s+DORA front\s+contact:read\s+soliguide\s+-\s+\S+Z\s+-$/);

    // The token, and nothing else.
    const issued = await run('tokens.issue', { client: 'dora-front', scopes: ['contact:read'], ttl: '30d' });
    expect(issued.lines).toHaveLength(1);
    expect(issued.exitCode ?? 0).toBe(0);
    const token = issued.lines[0];
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const verifier = new TokenVerifier(store, config);
    const viewer = await verifier.verify(token);
    expect(viewer).toMatchObject({ kind: 'client', clientId: 'dora-front', scopes: new Set(['contact:read']), allowedSources: new Set(['soliguide']) });
    const jti = viewer.kind === 'client' ? viewer.tokenId : '';

    await expect(run('tokens.issue', { client: 'carto', scopes: ['contact:read'] })).rejects.toThrow(
      new InputError('client carto is not allowed the scope contact:read (allowed: none)'),
    );
    await expect(run('tokens.issue', { client: 'carto', ttl: '2y' })).rejects.toThrow(/ttl "2y" is not a duration/);
    await expect(run('tokens.issue', { client: 'carto', ttl: '400d' })).rejects.toThrow(/longer than the maximum 365d/);
    const cartoToken = (await run('tokens.issue', { client: 'carto' })).lines[0];

    const tokens = (await run('tokens.list')).lines;
    expect(tokens).toHaveLength(3);
    expect(tokens.find((line) => line.startsWith(jti))).toMatch(new RegExp(`^${jti}\\s+dora-front\\s+contact:read\\s+\\S+Z\\s+\\S+Z\\s+-$`));
    expect((await run('tokens.list', { client: 'carto' })).lines).toHaveLength(2);
    await expect(run('tokens.list', { client: 'nobody' })).rejects.toThrow(/no client nobody/);

    expect((await run('tokens.revoke', { jti })).lines[0]).toMatch(new RegExp(`^revoked token ${jti} of client dora-front on \\S+Z$`));
    expect((await run('tokens.revoke', { jti })).lines[0]).toMatch(/was already revoked/);
    await expect(run('tokens.revoke', { jti: 'nope' })).rejects.toThrow(/no token nope/);
    await expect(verifier.verify(token)).rejects.toMatchObject({ check: 'revoked-token' });
    expect((await run('tokens.list', { client: 'dora-front' })).lines[1]).toMatch(/Z\s+\S+Z$/);

    // Usage: a server's pending counts are flushed before they are read.
    const usage = new UsageRecorder(store, { flushIntervalSeconds: 0 });
    for (let i = 0; i < 7; i += 1) usage.record('carto');
    const report = (await runOperation('clients.usage', {}, { ...context, usage })).lines;
    expect(report[0].split(/\s{2,}/)).toEqual(['ID', 'REQUESTS', 'LAST SEEN']);
    expect(report[1]).toMatch(/^carto\s+7\s+\S+Z$/);
    expect(report[2]).toMatch(/^dora-front\s+0\s+-$/);
    await usage.close();

    expect((await run('clients.revoke', { id: 'carto' })).lines[0]).toMatch(/^revoked client carto on \S+Z: its tokens no longer authenticate$/);
    expect((await run('clients.revoke', { id: 'carto' })).lines[0]).toMatch(/already revoked/);
    await expect(run('clients.revoke', { id: 'nobody' })).rejects.toThrow(/no client nobody/);
    const error = await verifier.verify(cartoToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).check).toBe('revoked-client');
    expect((await run('clients.list')).lines[1]).toMatch(/^carto\s.*Z\s+\S+Z$/);
    await expect(run('tokens.issue', { client: 'carto' })).rejects.toThrow(/client carto was revoked/);
  });
});

describe('the built CLI', () => {
  const cli = path.join(__dirname, '../../src/cli/bin.js');
  const built = fs.existsSync(path.join(__dirname, '../../dist/src/cli/commands/tokens.js'));
  (built ? test : test.skip)('`passerelle tokens issue` prints the token and nothing else', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-cli-'));
    try {
      const env = { ...process.env, PASSERELLE_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' };
      const passerelle = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
      const added = passerelle('clients', 'add', 'dora-front', '--name', 'DORA front', '--scopes', 'contact:read', '--sources', 'soliguide');
      expect(added.stderr).toBe('');
      expect(added.status).toBe(0);
      const issued = passerelle('tokens', 'issue', '--client', 'dora-front', '--scope', 'contact:read', '--ttl', '12h');
      expect(issued.stderr).toBe('');
      expect(issued.status).toBe(0);
      expect(issued.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const refused = passerelle('tokens', 'issue', '--client', 'dora-front', '--ttl', '400d');
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe('passerelle: ttl 400d is longer than the maximum 365d (PASSERELLE_TOKEN_MAX_TTL)\n');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
