import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql } from 'graphql';
import { authDirectiveTransformer } from '../../src/auth/directive';
import { Withheld } from '../../src/auth/withheld';
import type { Viewer } from '../../src/auth/viewer';

// The directive on its own: any field or type becomes guarded by adding it to the SDL.
const typeDefs = /* GraphQL */ `
  directive @auth(requires: [AuthScope!]!) on FIELD_DEFINITION | OBJECT
  enum AuthScope { CONTACT_READ }
  type Query { lieu: Lieu, secret: Secret }
  type Lieu { nom: String, courriel: String @auth(requires: [CONTACT_READ]) }
  type Secret @auth(requires: [CONTACT_READ]) { code: String }
`;
const resolvers = {
  Query: { lieu: () => ({ nom: 'Lieu', courriel: 'a@b.example' }), secret: () => ({ code: '42' }) },
};

function run(viewer: Viewer) {
  const schema = authDirectiveTransformer(makeExecutableSchema({ typeDefs, resolvers }));
  const contextValue = { viewer, withheld: new Withheld() };
  return graphql({ schema, source: '{ lieu { nom courriel } secret { code } }', contextValue }).then((r) => ({ ...r, withheld: contextValue.withheld }));
}

const reader: Viewer = { kind: 'client', clientId: 'c', tokenId: 't', scopes: new Set(['contact:read']), allowedSources: new Set() };

test('a guarded field and a guarded type give null to a caller without the scope, and are noted once', async () => {
  const result = await run({ kind: 'anonymous' });
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ lieu: { nom: 'Lieu', courriel: null }, secret: null });
  expect(result.withheld.toExtension().fields).toEqual([
    { field: 'Lieu.courriel', requires: ['contact:read'] },
    { field: 'Query.secret', requires: ['contact:read'] },
  ]);
});

test('the scope unlocks them', async () => {
  const result = await run(reader);
  expect(result.data).toEqual({ lieu: { nom: 'Lieu', courriel: 'a@b.example' }, secret: { code: '42' } });
  expect(result.withheld.empty).toBe(true);
});

test('a non-null guarded field is refused when the schema is built', () => {
  const bad = typeDefs.replace('courriel: String @auth', 'courriel: String! @auth');
  expect(() => authDirectiveTransformer(makeExecutableSchema({ typeDefs: bad, resolvers }))).toThrow(/Lieu.courriel: a guarded field must be nullable/);
});
