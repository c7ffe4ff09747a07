import { printSubgraphSchema } from '@apollo/subgraph';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { buildSchema } from '../../src/graph';
import { generateOffer } from '../../src/ingest/seed';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';

// The federated contract: a change to it must be deliberate (update the snapshot with `npx jest -u`).
test('the printed subgraph schema', () => {
  expect(printSubgraphSchema(buildSchema())).toMatchSnapshot();
});

describe.each(ENGINES)('Passerelle as a federation subgraph, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let statements: string[] = [];
  let readerToken: string;
  let serviceIds: string[];

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true, onQuery: (sql) => statements.push(sql) });
    await syncSources(store);
    const now = new Date('2026-11-01T12:00:00Z');
    const offer = generateOffer({ structures: 150, servicesPerStructure: 2, seed: 'federation', now });
    await writeOffer(store, offer, { now });
    serviceIds = offer.services.filter((s) => s.source !== 'soliguide').map((s) => s.id);
    const config = loadConfig({});
    await runOperation('clients.add', { id: 'reader', name: 'Reader', scopes: ['contact:read'] }, { store, config });
    readerToken = (await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: ['soliguide'] });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('_service { sdl } declares the entities and their keys', async () => {
    const { data } = await api.query(`{ _service { sdl } }`);
    for (const [type, key] of [['Structure', 'id'], ['Service', 'id'], ['Commune', 'code'], ['Departement', 'code'], ['Region', 'code'], ['Epci', 'code']]) {
      expect(data._service.sdl).toMatch(new RegExp(`type ${type}(?: implements \\w+)?\\s+@key\\(fields: "${key}"\\)`));
    }
    expect(data._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
  });

  const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Service { id nom courriel structure { nom } territoire { departement { region { nom } } } }
    ... on Commune { code nom }
  } }`;

  test('_entities resolves through the loaders: 100 representations cost the same few statements as 10', async () => {
    const run = async (n: number) => {
      statements = [];
      const representations = serviceIds.slice(0, n).map((id) => ({ __typename: 'Service', id }));
      const { data, errors } = await api.query(entitiesQuery, { r: representations });
      expect(errors).toBeUndefined();
      expect(data._entities.map((e: { id: string }) => e.id)).toEqual(serviceIds.slice(0, n));
      return statements.length;
    };
    const ten = await run(10);
    const hundred = await run(100);
    expect(hundred).toBe(ten);
    expect(ten).toBeLessThanOrEqual(5);
  });

  test('_entities is no way around the auth directive or the source licences', async () => {
    const withContact = (await store.prisma.service.findFirstOrThrow({ where: { courriel: { not: null }, NOT: { source: 'soliguide' } } }));
    const soliguide = await store.prisma.service.findFirstOrThrow({ where: { source: 'soliguide' } });
    const r = [
      { __typename: 'Service', id: withContact.id },
      { __typename: 'Service', id: soliguide.id },
      { __typename: 'Structure', id: soliguide.structureId },
    ];
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Service { id courriel } ... on Structure { id telephone } } }`;
    const anon = await api.query(query, { r });
    expect(anon.errors).toBeUndefined();
    expect(anon.data._entities).toEqual([{ id: withContact.id, courriel: null }, null, null]);
    expect(anon.extensions?.withheld.fields).toEqual([{ field: 'Service.courriel', requires: ['contact:read'] }]);
    expect(JSON.stringify(anon)).not.toContain(withContact.courriel!);

    const reader = await api.query(query, { r }, `Bearer ${readerToken}`);
    expect(reader.data._entities).toEqual([{ id: withContact.id, courriel: withContact.courriel }, null, null]);
  });
});
