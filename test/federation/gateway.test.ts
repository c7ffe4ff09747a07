import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { buildSchema } from '../../src/graph';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

/**
 * A partner platform composes Passerelle into its supergraph: a second subgraph, written here, adds
 * `Service.placesDisponibles` and `Structure.avis`; @apollo/composition composes both, @apollo/gateway
 * runs the supergraph in-process, and a query crosses them. Passerelle is reached over real HTTP.
 */
const partnerTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Service @key(fields: "id") {
    id: ID!
    "Places left this week, from the partner's booking system."
    placesDisponibles: Int
  }

  type Structure @key(fields: "id") {
    id: ID!
    avis: Avis
  }

  type Avis {
    note: Float
    nombre: Int
  }
`);

const partnerResolvers = {
  Service: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    placesDisponibles: (s: { id: string }) => s.id.length % 7,
  },
  Structure: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    avis: (s: { id: string }) => ({ note: 4.5, nombre: s.id.length }),
  },
};

let store: TestStore;
let passerelle: Awaited<ReturnType<typeof createTestApp>>;
let partner: ApolloServer;
let gateway: ApolloServer;

beforeAll(async () => {
  store = await createTestStore('pglite', { territories: true });
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  passerelle = await createTestApp(store);
  const passerellePort = await passerelle.app.listen(0, '127.0.0.1');

  partner = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: partnerTypeDefs, resolvers: partnerResolvers }) });
  const { url: partnerUrl } = await startStandaloneServer(partner, { listen: { port: 0, host: '127.0.0.1' } });

  const composed = composeServices([
    { name: 'passerelle', typeDefs: parse(printSubgraphSchema(buildSchema())), url: `http://127.0.0.1:${passerellePort}/graphql` },
    { name: 'partner', typeDefs: partnerTypeDefs, url: partnerUrl },
  ]);
  expect(composed.errors).toBeUndefined();
  gateway = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      buildService: ({ url }) => new RemoteGraphQLDataSource({ url }),
    }),
  });
  await gateway.start();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await partner?.stop();
  await passerelle?.stop();
  await store?.dispose();
});

test('a query crosses both subgraphs through the gateway', async () => {
  const response = await gateway.executeOperation({
    query: `{ structure(id: "dora--paris-11") {
      nom avis { note nombre } territoire { nom }
      services { nodes { nom placesDisponibles thematiques { label } } } } }`,
  });
  if (response.body.kind !== 'single') throw new Error('single result expected');
  const { data, errors } = response.body.singleResult as { data: any; errors?: unknown };
  expect(errors).toBeUndefined();
  expect(data.structure).toMatchObject({
    nom: 'Centre social Belleville',
    avis: { note: 4.5, nombre: 'dora--paris-11'.length },
    territoire: { nom: 'Paris 11e Arrondissement' },
  });
  expect(data.structure.services.nodes).toEqual([
    { nom: 'Aide au permis', placesDisponibles: 'dora--paris-11-mobilite'.length % 7, thematiques: [expect.objectContaining({ label: expect.any(String) })] },
    { nom: 'Atelier numérique', placesDisponibles: 'dora--paris-11-numerique'.length % 7, thematiques: [expect.objectContaining({ label: expect.any(String) })] },
  ]);
});

test('contact fields stay withheld through the gateway', async () => {
  const response = await gateway.executeOperation({ query: `{ structure(id: "dora--paris-11") { courriel avis { note } } }` });
  if (response.body.kind !== 'single') throw new Error('single result expected');
  const { data } = response.body.singleResult as { data: any };
  expect(data.structure).toEqual({ courriel: null, avis: { note: 4.5 } });
});
