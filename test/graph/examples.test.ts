import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { NomenclaturesDocument, ServicesNearCommuneDocument, StructureWithServicesDocument } from '../../src/generated/client';
import * as fixture from '../fixtures/offer';

/**
 * The example operations of graphql/examples/, through their generated typed documents, run against
 * the server with the README's example client: they stay valid and typed as the schema evolves.
 */
let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let url: string;

beforeAll(async () => {
  store = await createTestStore('pglite', { territories: true });
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  api = await createTestApp(store);
  url = `http://127.0.0.1:${await api.app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(async () => {
  await api?.stop();
  await store?.dispose();
});

// The README's example client, verbatim.
async function request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables, token?: string): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

test('ServicesNearCommune', async () => {
  const data = await request(ServicesNearCommuneDocument, { code: '75056', thematiques: ['numerique'] });
  expect(data.commune?.services.nodes.map((s) => s.nom)).toEqual(['Atelier numérique']);
  expect(data.commune?.departement.services.totalCount).toBe(1);
});

test('StructureWithServices', async () => {
  const data = await request(StructureWithServicesDocument, { id: 'dora--paris-11' });
  expect(data.structure?.services.totalCount).toBe(2);
  expect(data.structure?.provenance.live).toBe(false);
});

test('Nomenclatures', async () => {
  const data = await request(NomenclaturesDocument, {});
  expect(data.nomenclatures.thematiques).toHaveLength(69);
  expect(data.sources).toHaveLength(16);
});
