import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { ConfigError, loadConfig, type Config } from '../../src/config';
import { storedSecret } from '../../src/auth/signing-key';
import { AuthError, bearerToken, issueToken, TokenVerifier, type AuthCheck } from '../../src/auth/tokens';
import { InputError } from '../../src/errors';
import { openStore } from '../../src/store/database';
import { deployMigrations } from '../../src/store/migrate';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-auth-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function config(env: Record<string, string> = {}): Config {
  return loadConfig({ PASSERELLE_JWT_SECRET: SECRET, PASSERELLE_REVOCATION_CACHE_SECONDS: '0', ...env });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Every error message seen, to check none ever contains a token. */
const seen: { token: string; message: string }[] = [];

async function expectAuthError(verifier: TokenVerifier, token: string, check: AuthCheck): Promise<AuthError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).check).toBe(check);
  expect((error as AuthError).message).toContain(`(${check})`);
  seen.push({ token, message: (error as AuthError).message });
  return error as AuthError;
}

function keyFiles(type: 'rsa' | 'ec'): { publicFile: string; privateFile: string } {
  const { publicKey, privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const base = path.join(tmp, `${type}-${randomUUID()}`);
  const publicFile = `${base}.pub.pem`;
  const privateFile = `${base}.pem`;
  fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { publicFile, privateFile };
}

describe('bearerToken', () => {
  test('reads Bearer tokens, case-insensitively; no header is no token', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('BEARER   abc.def.ghi ')).toBe('abc.def.ghi');
  });

  test.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', '', 'abc.def.ghi', 'Bearer a b'])('%p is malformed', (header) => {
    let error: unknown;
    try {
      bearerToken(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).check).toBe('malformed');
    expect((error as AuthError).message).not.toContain('dXNlcjpwYXNz');
  });
});

describe('auth configuration', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c.auth).toEqual({
      jwtSecret: undefined,
      algorithms: ['HS256'],
      publicKeyFile: undefined,
      privateKeyFile: undefined,
      issuer: 'passerelle',
      audience: 'passerelle-api',
      tokenMaxTtl: 365 * 86400,
      tokenDefaultTtl: 90 * 86400,
      clockTolerance: 30,
      revocationCacheSeconds: 5,
    });
    expect(c.restrictedSources).toEqual(['soliguide']);
    expect(loadConfig({ PASSERELLE_RESTRICTED_SOURCES: '' }).restrictedSources).toEqual([]);
    expect(loadConfig({ PASSERELLE_RESTRICTED_SOURCES: 'soliguide, dora' }).restrictedSources).toEqual(['soliguide', 'dora']);
    expect(loadConfig({ PASSERELLE_TOKEN_MAX_TTL: '12h', PASSERELLE_TOKEN_DEFAULT_TTL: '30m' }).auth).toMatchObject({
      tokenMaxTtl: 12 * 3600,
      tokenDefaultTtl: 30 * 60,
    });
  });

  const { publicFile: rsaPublic, privateFile: rsaPrivate } = keyFiles('rsa');
  const { publicFile: ecPublic } = keyFiles('ec');
  test.each<[Record<string, string>, RegExp]>([
    [{ PASSERELLE_JWT_ALGORITHMS: 'none' }, /PASSERELLE_JWT_ALGORITHMS.*"none".*never accepted/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'HS256,PS256' }, /"PS256" is not an accepted algorithm/],
    [{ PASSERELLE_JWT_SECRET: 'short' }, /PASSERELLE_JWT_SECRET: must be at least 32 characters/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'RS256' }, /RS256: set PASSERELLE_JWT_PUBLIC_KEY_FILE/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'RS256', PASSERELLE_JWT_PUBLIC_KEY_FILE: '/no/such/key.pem' }, /PASSERELLE_JWT_PUBLIC_KEY_FILE: no such file: \/no\/such\/key.pem/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'ES256', PASSERELLE_JWT_PUBLIC_KEY_FILE: rsaPublic }, /ES256 needs an EC key on P-256, the file holds an RSA key/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'RS256', PASSERELLE_JWT_PUBLIC_KEY_FILE: ecPublic, PASSERELLE_JWT_PRIVATE_KEY_FILE: rsaPrivate }, /RS256 needs an RSA key/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'RS256', PASSERELLE_JWT_PUBLIC_KEY_FILE: rsaPublic, PASSERELLE_JWT_PRIVATE_KEY_FILE: keyFiles('rsa').privateFile }, /not the private key of PASSERELLE_JWT_PUBLIC_KEY_FILE/],
    [{ PASSERELLE_JWT_ALGORITHMS: 'RS256', PASSERELLE_JWT_PUBLIC_KEY_FILE: rsaPublic, PASSERELLE_JWT_SECRET: SECRET }, /PASSERELLE_JWT_SECRET is set but .* has no HS256/],
    [{ PASSERELLE_JWT_PUBLIC_KEY_FILE: rsaPublic }, /PASSERELLE_JWT_PUBLIC_KEY_FILE is set but .* has no RS256 or ES256/],
    [{ PASSERELLE_TOKEN_MAX_TTL: '3 weeks' }, /PASSERELLE_TOKEN_MAX_TTL: must be a duration/],
    [{ PASSERELLE_TOKEN_MAX_TTL: '30d' }, /PASSERELLE_TOKEN_DEFAULT_TTL \(90d\) is longer than PASSERELLE_TOKEN_MAX_TTL \(30d\)/],
    [{ PASSERELLE_RESTRICTED_SOURCES: 'soliguide,nowhere' }, /PASSERELLE_RESTRICTED_SOURCES: "nowhere" is not a source slug/],
  ].map(([env, message]) => [Object.entries(env).map(([k, v]) => `${k}=${path.basename(v)}`).join(' '), env, message] as const))(
    '%s is a ConfigError',
    (_label, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    },
  );

  test('the secret is never echoed in configuration errors', () => {
    expect(() => loadConfig({ PASSERELLE_JWT_SECRET: 'tiny-secret' })).toThrow(/^(?!.*tiny-secret).*$/);
  });
});

describe.each(ENGINES)('tokens on %s', (engine) => {
  let store: TestStore;
  const statements: string[] = [];
  const cfg = config();
  let verifier: TokenVerifier;

  beforeAll(async () => {
    store = await createTestStore(engine, { onQuery: (sql) => statements.push(sql) });
    await store.prisma.apiClient.createMany({
      data: [
        { id: 'dora-front', name: 'DORA', scopes: ['contact:read'], sources: ['soliguide'] },
        { id: 'plain', name: 'Plain', scopes: [], sources: [] },
        { id: 'gone', name: 'Gone', scopes: ['contact:read'], revokedAt: new Date() },
      ],
    });
    verifier = new TokenVerifier(store, cfg);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /** A token signed with the test secret, with sane defaults for every claim. */
  function forge(claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}): string {
    const payload = { sub: 'dora-front', jti: randomUUID(), iss: 'passerelle', aud: 'passerelle-api', iat: now(), exp: now() + 3600, ...claims };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete (payload as Record<string, unknown>)[k];
    return jwt.sign(payload, SECRET, { algorithm: 'HS256', ...options });
  }

  test('issue then verify: the viewer names the client, its scopes and its sources', async () => {
    const before = now();
    const issued = await issueToken(store, cfg, { clientId: 'dora-front', scopes: ['contact:read'], ttl: '30d' });
    expect(issued.token.split('.')).toHaveLength(3);
    const claims = jwt.decode(issued.token, { complete: true })!;
    expect(claims.header.alg).toBe('HS256');
    expect(claims.payload).toMatchObject({ sub: 'dora-front', scope: 'contact:read', jti: issued.jti, iss: 'passerelle', aud: 'passerelle-api' });
    const payload = claims.payload as jwt.JwtPayload;
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp! - payload.iat!).toBe(30 * 86400);
    expect(issued.expiresAt.getTime()).toBe(payload.exp! * 1000);

    const row = await store.prisma.apiToken.findUniqueOrThrow({ where: { jti: issued.jti } });
    expect(row).toMatchObject({ clientId: 'dora-front', scopes: ['contact:read'], revokedAt: null });
    expect(row.expiresAt).toEqual(issued.expiresAt);

    const viewer = await verifier.verify(issued.token);
    expect(viewer).toEqual({
      kind: 'client',
      clientId: 'dora-front',
      tokenId: issued.jti,
      scopes: new Set(['contact:read']),
      allowedSources: new Set(['soliguide']),
      origins: [],
    });
  });

  test('defaults: no scope, the default lifetime', async () => {
    const issued = await issueToken(store, cfg, { clientId: 'dora-front' });
    const payload = jwt.decode(issued.token) as jwt.JwtPayload;
    expect(payload.scope).toBeUndefined();
    expect(payload.exp! - payload.iat!).toBe(90 * 86400);
    const viewer = await verifier.verify(issued.token);
    expect(viewer.kind === 'client' && [...viewer.scopes]).toEqual([]);
  });

  test('a scope the client lost no longer applies to its tokens', async () => {
    await store.prisma.apiClient.create({ data: { id: 'shrinking', name: 'S', scopes: ['contact:read'] } });
    const { token } = await issueToken(store, cfg, { clientId: 'shrinking', scopes: ['contact:read'] });
    await store.prisma.apiClient.update({ where: { id: 'shrinking' }, data: { scopes: [] } });
    const viewer = await verifier.verify(token);
    expect(viewer.kind === 'client' && [...viewer.scopes]).toEqual([]);
  });

  test('issuing checks the client, its scopes and the lifetime', async () => {
    await expect(issueToken(store, cfg, { clientId: 'plain', scopes: ['contact:read'] })).rejects.toThrow(
      new InputError('client plain is not allowed the scope contact:read (allowed: none)'),
    );
    await expect(issueToken(store, cfg, { clientId: 'dora-front', ttl: '366d' })).rejects.toThrow(
      /ttl 366d is longer than the maximum 365d \(PASSERELLE_TOKEN_MAX_TTL\)/,
    );
    await expect(issueToken(store, cfg, { clientId: 'dora-front', ttl: 'forever' })).rejects.toThrow(/ttl "forever" is not a duration/);
    await expect(issueToken(store, cfg, { clientId: 'nobody' })).rejects.toThrow(/no client nobody/);
    await expect(issueToken(store, cfg, { clientId: 'gone' })).rejects.toThrow(/client gone was revoked on .*: no token can be issued/);
    for (const promise of [issueToken(store, cfg, { clientId: 'gone' }), issueToken(store, cfg, { clientId: 'nobody' })]) {
      await expect(promise).rejects.toBeInstanceOf(InputError);
    }
  });

  test('a bad signature', async () => {
    const { token } = await issueToken(store, cfg, { clientId: 'dora-front' });
    const [header, payload, signature] = token.split('.');
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectAuthError(verifier, flipped, 'signature');
    await expectAuthError(verifier, jwt.sign({ sub: 'dora-front', exp: now() + 60 }, 'another-secret-of-at-least-32-chars!!'), 'signature');
    // A valid signature over another payload.
    const other = forge({ jti: (jwt.decode(token) as jwt.JwtPayload).jti }).split('.');
    await expectAuthError(verifier, `${header}.${payload}.${other[2]}`, 'signature');
  });

  test('alg: none is refused', async () => {
    const { jti } = await issueToken(store, cfg, { clientId: 'dora-front', scopes: ['contact:read'] });
    const payload = { sub: 'dora-front', jti, scope: 'contact:read', iss: 'passerelle', aud: 'passerelle-api', iat: now(), exp: now() + 3600 };
    await expectAuthError(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, 'algorithm');
    await expectAuthError(verifier, `${b64({ alg: 'None' })}.${b64(payload)}.`, 'algorithm');
    await expectAuthError(verifier, `${b64({ typ: 'JWT' })}.${b64(payload)}.`, 'algorithm');
    // A token signed with an accepted algorithm the configuration does not list.
    await expectAuthError(verifier, forge({ jti }, { algorithm: 'HS512' }), 'algorithm');
  });

  test('malformed tokens', async () => {
    for (const token of ['', 'abc', 'a.b.c', `${b64({ alg: 'HS256' })}.not-json.x`, 'x'.repeat(10_000)]) {
      await expectAuthError(verifier, token, 'malformed');
    }
    await expectAuthError(verifier, forge({ sub: undefined }), 'malformed');
    await expectAuthError(verifier, forge({ jti: undefined }), 'malformed');
    await expectAuthError(verifier, forge({ scope: ['contact:read'] }), 'malformed');
  });

  test('time: expired, not yet valid, missing exp, too old', async () => {
    await expectAuthError(verifier, forge({ iat: now() - 7200, exp: now() - 3600 }), 'expired');
    // Within the clock tolerance (30 s), a just-expired token still passes the time checks.
    const { jti } = await issueToken(store, cfg, { clientId: 'dora-front' });
    await expect(verifier.verify(forge({ jti, exp: now() - 5 }))).resolves.toMatchObject({ kind: 'client' });
    await expectAuthError(verifier, forge({ jti, nbf: now() + 3600 }), 'not-yet-valid');
    await expect(verifier.verify(forge({ jti, nbf: now() - 10 }))).resolves.toMatchObject({ kind: 'client' });
    await expectAuthError(verifier, forge({ jti, exp: undefined }), 'missing-exp');
    // Older than the longest lifetime allowed (iat more than 365 days ago), whatever its exp says.
    await expectAuthError(verifier, forge({ jti, iat: now() - 366 * 86400, exp: now() + 3600 }), 'expired');
  });

  test('audience and issuer', async () => {
    const { jti } = await issueToken(store, cfg, { clientId: 'dora-front' });
    await expectAuthError(verifier, forge({ jti, aud: 'another-api' }), 'audience');
    await expectAuthError(verifier, forge({ jti, aud: undefined }), 'audience');
    await expectAuthError(verifier, forge({ jti, iss: 'someone-else' }), 'issuer');
    const other = new TokenVerifier(store, config({ PASSERELLE_JWT_AUDIENCE: 'other-api', PASSERELLE_JWT_ISSUER: 'other' }));
    await expectAuthError(other, (await issueToken(store, cfg, { clientId: 'dora-front' })).token, 'audience');
  });

  test('unknown client, unknown token, revoked client', async () => {
    await expectAuthError(verifier, forge({ sub: 'nobody' }), 'unknown-client');
    await expectAuthError(verifier, forge(), 'unknown-token');
    // A recorded token presented under another client's name.
    const { jti } = await issueToken(store, cfg, { clientId: 'plain' });
    await expectAuthError(verifier, forge({ jti, sub: 'dora-front' }), 'unknown-token');

    await store.prisma.apiClient.create({ data: { id: 'leaving', name: 'L', scopes: ['contact:read'] } });
    const issued = await issueToken(store, cfg, { clientId: 'leaving' });
    await expect(verifier.verify(issued.token)).resolves.toMatchObject({ clientId: 'leaving' });
    await store.prisma.apiClient.update({ where: { id: 'leaving' }, data: { revokedAt: new Date() } });
    await expectAuthError(verifier, issued.token, 'revoked-client');
  });

  test('revocation takes effect after the cache delay; one statement per cache miss', async () => {
    const cached = new TokenVerifier(store, config({ PASSERELLE_REVOCATION_CACHE_SECONDS: '1' }));
    const { token, jti } = await issueToken(store, cfg, { clientId: 'dora-front' });
    const before = statements.length;
    await cached.verify(token);
    await Promise.all([cached.verify(token), cached.verify(token)]);
    const reads = statements.slice(before).filter((sql) => /api_tokens/.test(sql));
    expect(reads).toHaveLength(1);

    await store.prisma.apiToken.update({ where: { jti }, data: { revokedAt: new Date() } });
    await expect(cached.verify(token)).resolves.toMatchObject({ tokenId: jti }); // still cached
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expectAuthError(cached, token, 'revoked-token');
    // Without a cache, immediately.
    const other = await issueToken(store, cfg, { clientId: 'dora-front' });
    await verifier.verify(other.token);
    await store.prisma.apiToken.update({ where: { jti: other.jti }, data: { revokedAt: new Date() } });
    await expectAuthError(verifier, other.token, 'revoked-token');
  });

  test.each([
    ['RS256', 'rsa'],
    ['ES256', 'ec'],
  ] as const)('%s with a generated key pair', async (algorithm, type) => {
    const { publicFile, privateFile } = keyFiles(type);
    const asymmetric = loadConfig({
      PASSERELLE_JWT_ALGORITHMS: algorithm,
      PASSERELLE_JWT_PUBLIC_KEY_FILE: publicFile,
      PASSERELLE_JWT_PRIVATE_KEY_FILE: privateFile,
      PASSERELLE_REVOCATION_CACHE_SECONDS: '0',
    });
    const issued = await issueToken(store, asymmetric, { clientId: 'dora-front', scopes: ['contact:read'] });
    expect(jwt.decode(issued.token, { complete: true })!.header.alg).toBe(algorithm);
    const rsVerifier = new TokenVerifier(store, asymmetric);
    await expect(rsVerifier.verify(issued.token)).resolves.toMatchObject({ clientId: 'dora-front', scopes: new Set(['contact:read']) });
    // An HS256 token is refused, whether signed with our secret or with the public key as an HMAC secret.
    await expectAuthError(rsVerifier, forge({ jti: issued.jti }), 'algorithm');
    const confused = jwt.sign({ sub: 'dora-front', jti: issued.jti, iss: 'passerelle', aud: 'passerelle-api', exp: now() + 60 }, fs.readFileSync(publicFile, 'utf8'), {
      algorithm: 'HS256',
      allowInvalidAsymmetricKeyTypes: true,
    } as jwt.SignOptions);
    await expectAuthError(rsVerifier, confused, 'algorithm');
    // Our HS256 verifier refuses the asymmetric token.
    await expectAuthError(verifier, issued.token, 'algorithm');
    // Without the private key, this process can verify but not issue.
    const verifyOnly = loadConfig({ PASSERELLE_JWT_ALGORITHMS: algorithm, PASSERELLE_JWT_PUBLIC_KEY_FILE: publicFile });
    await expect(issueToken(store, verifyOnly, { clientId: 'dora-front' })).rejects.toThrow(
      new InputError(`cannot use ${algorithm}: PASSERELLE_JWT_PRIVATE_KEY_FILE (needed to issue tokens) is not configured`),
    );
    await expect(new TokenVerifier(store, verifyOnly).verify(issued.token)).resolves.toMatchObject({ clientId: 'dora-front' });
  });

  test('algorithm confusion with RS256 and HS256 both accepted: the HS256 key is the secret, never the public key', async () => {
    const { publicFile, privateFile } = keyFiles('rsa');
    const mixed = config({ PASSERELLE_JWT_ALGORITHMS: 'RS256,HS256', PASSERELLE_JWT_PUBLIC_KEY_FILE: publicFile, PASSERELLE_JWT_PRIVATE_KEY_FILE: privateFile });
    const mixedVerifier = new TokenVerifier(store, mixed);
    const issued = await issueToken(store, mixed, { clientId: 'dora-front' });
    await expect(mixedVerifier.verify(issued.token)).resolves.toMatchObject({ tokenId: issued.jti });
    await expect(mixedVerifier.verify(forge({ jti: issued.jti }))).resolves.toMatchObject({ tokenId: issued.jti });
    const confused = jwt.sign({ sub: 'dora-front', jti: issued.jti, iss: 'passerelle', aud: 'passerelle-api', iat: now(), exp: now() + 60 }, fs.readFileSync(publicFile, 'utf8'), {
      algorithm: 'HS256',
      allowInvalidAsymmetricKeyTypes: true,
    } as jwt.SignOptions);
    await expectAuthError(mixedVerifier, confused, 'signature');
  });

  test('no error message contains the token', () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const { token, message } of seen) {
      if (token.length >= 8) expect(message).not.toContain(token);
      for (const part of token.split('.')) if (part.length >= 8) expect(message).not.toContain(part);
    }
  });
});

describe('the generated signing secret', () => {
  const generated = (env: Record<string, string> = {}) =>
    loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0', ...env }); // no PASSERELLE_JWT_SECRET

  test('is shared by two stores on the same PostgreSQL database', async () => {
    const a = await createTestStore('postgres');
    const b = await openStore({ databaseUrl: a.url });
    try {
      const secrets = await Promise.all([storedSecret(a), storedSecret(b), storedSecret(a), storedSecret(b)]);
      expect(new Set(secrets).size).toBe(1);
      expect(secrets[0]).toMatch(/^[A-Za-z0-9_-]{64}$/);
      await a.prisma.apiClient.create({ data: { id: 'dora-front', name: 'DORA' } });
      const { token } = await issueToken(a, generated(), { clientId: 'dora-front' });
      await expect(new TokenVerifier(b, generated()).verify(token)).resolves.toMatchObject({ clientId: 'dora-front' });
      // A configured secret takes precedence: the generated one does not verify with it.
      await expectAuthError(new TokenVerifier(b, config()), token, 'signature');
    } finally {
      await b.close();
      await a.dispose();
    }
  });

  test('persists across reopening a PGlite data folder', async () => {
    const dataDir = path.join(tmp, 'pglite');
    const first = await openStore({ dataDir });
    let token: string;
    let secret: string;
    try {
      await deployMigrations(first);
      await first.prisma.apiClient.create({ data: { id: 'dora-front', name: 'DORA' } });
      ({ token } = await issueToken(first, generated(), { clientId: 'dora-front' }));
      secret = await storedSecret(first);
    } finally {
      await first.close();
    }
    const second = await openStore({ dataDir });
    try {
      expect(await storedSecret(second)).toBe(secret);
      await expect(new TokenVerifier(second, generated()).verify(token)).resolves.toMatchObject({ clientId: 'dora-front' });
    } finally {
      await second.close();
    }
  });
});
