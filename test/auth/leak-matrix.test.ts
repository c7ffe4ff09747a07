import jwt from 'jsonwebtoken';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { storedSecret } from '../../src/auth/signing-key';
import { createLogger } from '../../src/logger';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import * as fixture from '../fixtures/offer';
import { CONTACT_VALUES, soliguideStructure, soliguideService } from '../fixtures/offer';

/**
 * The leak matrix: for each caller and each query path, exactly what is visible. Contact values are
 * unique strings, so "not in the body" is checked on the raw response text and on the server's logs.
 */

const CONTACTS = CONTACT_VALUES;

const PATHS: Record<string, string> = {
  direct: `{ structure(id: "dora--paris-11") { courriel telephone } }`,
  alias: `{ s: structure(id: "dora--paris-11") { mail: courriel tel: telephone } }`,
  fragment: `{ structure(id: "dora--paris-11") { ...C } } fragment C on Structure { courriel telephone }`,
  inlineFragment: `{ service(id: "dora--paris-11-numerique") { ... on Service { courriel telephone contactNomPrenom } } }`,
  nested: `{ structures(first: 10) { nodes { courriel services { nodes { courriel telephone contactNomPrenom } } } } }`,
  territory: `{ commune(code: "75056") { services { nodes { id courriel telephone contactNomPrenom } } structures { nodes { id courriel } } } }`,
  list: `{ services(first: 100) { edges { node { courriel contactNomPrenom structure { telephone } } } } }`,
};

describe.each(ENGINES)('who sees what, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  const logs: string[] = [];
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(
      store,
      { structures: [...fixture.structures, soliguideStructure], services: [...fixture.services, soliguideService] },
      { now: fixture.NOW },
    );
    const op = (name: string, args: Record<string, unknown>) => runOperation(name, args, { store, config });
    await op('clients.add', { id: 'front', name: 'A front end' });
    await op('clients.add', { id: 'reader', name: 'Reads contacts', scopes: ['contact:read'] });
    await op('clients.add', { id: 'partner', name: 'Partner', scopes: ['contact:read'], sources: ['soliguide'] });
    await op('clients.add', { id: 'gone', name: 'Revoked client', scopes: ['contact:read'] });
    tokens.front = (await issueToken(store, config, { clientId: 'front' })).token;
    tokens.reader = (await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token;
    tokens.partner = (await issueToken(store, config, { clientId: 'partner', scopes: ['contact:read'] })).token;
    tokens.gone = (await issueToken(store, config, { clientId: 'gone', scopes: ['contact:read'] })).token;
    const revoked = await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] });
    tokens.revokedToken = revoked.token;
    await op('tokens.revoke', { jti: revoked.jti });
    await op('clients.revoke', { id: 'gone' });

    const secret = await storedSecret(store);
    const claims = { sub: 'reader', scope: 'contact:read', jti: 'forged', iss: config.auth.issuer, aud: config.auth.audience };
    tokens.badSignature = jwt.sign(claims, 'not-the-secret-not-the-secret-not-the-secret', { expiresIn: '1h' });
    tokens.algNone = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url')}.`;
    tokens.expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }, secret);
    tokens.notYetValid = jwt.sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }, secret, { expiresIn: '2h' });
    tokens.wrongAudience = jwt.sign({ ...claims, aud: 'someone-else' }, secret, { expiresIn: '1h' });
    tokens.wrongIssuer = jwt.sign({ ...claims, iss: 'someone-else' }, secret, { expiresIn: '1h' });
    tokens.unknownClient = jwt.sign({ ...claims, sub: 'nobody' }, secret, { expiresIn: '1h' });

    const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
    api = await createTestApp(store, {
      logger,
      authenticate: createAuthenticator(new TokenVerifier(store, config)),
      restrictedSources: config.restrictedSources,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  const bearer = (name: string) => ({ authorization: `Bearer ${tokens[name]}` });

  describe.each([
    ['anonymous', undefined],
    ['a token without contact:read', 'front'],
  ])('%s', (_, who) => {
    test.each(Object.entries(PATHS))('path %s: contacts are null, one withheld notice, no contact value anywhere', async (_path, query) => {
      const { status, text, body } = await api.post(query, who ? bearer(who) : {});
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      for (const value of CONTACTS) expect(text).not.toContain(value);
      expect(body.extensions?.withheld.fields.length).toBeGreaterThan(0);
      expect(body.extensions?.withheld.message).toContain('contact:read');
      for (const f of body.extensions!.withheld.fields) expect(f.requires).toEqual(['contact:read']);
      expect(text.match(/"withheld"/g)).toHaveLength(1);
    });

    test('restricted source: absent by id, in lists, counts, nested and territory paths', async () => {
      const { text, body } = await api.post(
        `{ structure(id: "soliguide--4242") { id } service(id: "soliguide--4242-douche") { id }
           structures(filter: { sources: ["soliguide"] }) { totalCount }
           services { totalCount nodes { id } }
           commune(code: "75056") { structures { totalCount } services { totalCount } } }`,
        who ? bearer(who) : {},
      );
      expect(body.errors).toBeUndefined();
      expect(body.data).toMatchObject({
        structure: null,
        service: null,
        structures: { totalCount: 0 },
        services: { totalCount: 3 },
        commune: { structures: { totalCount: 1 }, services: { totalCount: 2 } },
      });
      expect(text).not.toContain('soliguide--');
    });
  });

  test('a token with contact:read sees contacts on every path, but not the restricted source', async () => {
    for (const query of Object.values(PATHS)) {
      const { body } = await api.post(query, bearer('reader'));
      expect(body.errors).toBeUndefined();
      expect(body.extensions?.withheld).toBeUndefined();
    }
    const { body } = await api.post(PATHS.alias, bearer('reader'));
    expect(body.data.s).toEqual({ mail: 'accueil@cs-belleville.example.org', tel: '+33140000001' });
    const restricted = await api.post(`{ structure(id: "soliguide--4242") { id } services { totalCount } }`, bearer('reader'));
    expect(restricted.body.data).toEqual({ structure: null, services: { totalCount: 3 } });
  });

  test('a client allowed the restricted source sees it, with its contacts', async () => {
    const { body } = await api.post(
      `{ structure(id: "soliguide--4242") { courriel services { nodes { contactNomPrenom } } } services { totalCount }
         commune(code: "75056") { services { totalCount } } }`,
      bearer('partner'),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      structure: { courriel: 'lieu@soliguide-accueil.example.org', services: { nodes: [{ contactNomPrenom: 'Dominique Soliguide' }] } },
      services: { totalCount: 4 },
      commune: { services: { totalCount: 3 } },
    });
  });

  test.each([
    ['badSignature', 'signature'],
    ['algNone', 'algorithm'],
    ['expired', 'expired'],
    ['notYetValid', 'not-yet-valid'],
    ['wrongAudience', 'audience'],
    ['wrongIssuer', 'issuer'],
    ['unknownClient', 'unknown-client'],
    ['revokedToken', 'revoked-token'],
    ['gone', 'revoked-client'],
  ])('an invalid token (%s) is rejected with 401 UNAUTHENTICATED naming the check, never served as anonymous', async (name, check) => {
    const { status, text, body, headers } = await api.post(PATHS.direct, bearer(name));
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain('Bearer');
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(body.errors![0].message).toContain(check);
    expect(text).not.toContain(tokens[name].split('.')[1]);
    for (const value of CONTACTS) expect(text).not.toContain(value);
  });

  test('a malformed Authorization header is rejected too', async () => {
    const { status, body } = await api.post(PATHS.direct, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(status).toBe(401);
    expect(body.errors![0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  test('no contact value and no token ever reached the logs', () => {
    const all = logs.join('\n');
    // The logs did see these requests: who asked, and what was withheld or refused.
    expect(all).toContain('"client":"partner"');
    expect(all).toContain('"withheld":["Structure.courriel"');
    expect(all).toContain('"errors":["UNAUTHENTICATED"]');
    for (const value of CONTACTS) expect(all).not.toContain(value);
    for (const token of Object.values(tokens)) expect(all).not.toContain(token);
  });
});
