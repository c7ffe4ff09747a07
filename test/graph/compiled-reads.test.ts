import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { generateOffer } from '../../src/ingest/seed';
import type { Viewer } from '../../src/auth/viewer';

const NOW = new Date('2026-11-01T12:00:00Z');

/** A token-free stand-in for the token check: `Bearer reader` may read contacts and the restricted source. */
async function authenticate(authorization: string | undefined): Promise<Viewer> {
  if (!authorization) return { kind: 'anonymous' };
  return { kind: 'client', clientId: 'reader', tokenId: 't', scopes: new Set(['contact:read']), allowedSources: new Set(['soliguide']) } as Viewer;
}

/**
 * Compiled reads (src/graph/compiled-reads.ts) answer some operations with one statement building the
 * response: every answer here is compared with graphql-js execution of the same request on the same store
 * (a second server with compiled reads off), over HTTP, for an anonymous caller and a reader with scopes.
 */
describe.each(ENGINES)('compiled reads answer as execution does, on %s', (engine) => {
  let store: TestStore;
  let compiled: Awaited<ReturnType<typeof createTestApp>>;
  let executed: Awaited<ReturnType<typeof createTestApp>>;
  let statements = 0;
  let ids: { service: string; restricted: string; structure: string };

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true, onQuery: () => (statements += 1) });
    await syncSources(store);
    const offer = generateOffer({ structures: 60, servicesPerStructure: 3, seed: 'compiled', now: NOW });
    // A restricted source among them (soliguide is restricted by default here).
    const structure = { ...offer.structures[0], id: 'soliguide--lieu-1', source: 'soliguide' };
    offer.structures.push(structure);
    offer.services.push({ ...offer.services[0], id: 'soliguide--lieu-1--s1', source: 'soliguide', structure_id: structure.id });
    await writeOffer(store, offer, { now: NOW });
    compiled = await createTestApp(store, { authenticate, restrictedSources: ['soliguide'] });
    executed = await createTestApp(store, { authenticate, restrictedSources: ['soliguide'], compiledReads: false });
    const first = await store.prisma.service.findFirstOrThrow({ where: { source: { not: 'soliguide' } }, orderBy: { id: 'asc' } });
    ids = { service: first.id, restricted: 'soliguide--lieu-1--s1', structure: first.structureId };
  });
  afterAll(async () => {
    await compiled?.stop();
    await executed?.stop();
    await store?.dispose();
  });

  async function post(app: typeof compiled, body: object, authorization?: string) {
    const response = await fetch(await app.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown; extensions?: unknown } };
  }

  /** Posts to both servers; returns the compiled side's statement count. */
  async function same(body: object, authorization?: string): Promise<number> {
    const expected = await post(executed, body, authorization);
    statements = 0;
    const actual = await post(compiled, body, authorization);
    const count = statements;
    expect(expected.body.errors).toBeUndefined();
    expect(actual).toEqual(expected);
    return count;
  }

  const ALL_SERVICE_FIELDS = `id nom description dateMaj lienSource type { value label description } thematiques { value label description categorie { value label description __typename } __typename }
    frais { value label } fraisPrecisions publics { value label } publicsPrecisions conditionsAcces commune codePostal codeInsee adresse complementAdresse
    longitude latitude modesAccueil { value label } zoneEligibiliteCodes lienMobilisation modesMobilisation { label } mobilisablePar { label } mobilisationPrecisions
    volumeHoraireHebdomadaire nombreSemaines horairesAccueil scoreQualite createdAt updatedAt __typename`;
  const ALL_STRUCTURE_FIELDS = `id nom dateMaj description lienSource siret commune codePostal codeInsee adresse complementAdresse longitude latitude
    siteWeb horairesAccueil accessibiliteLieu reseauxPorteurs { value label description } scoreQualite createdAt updatedAt __typename`;

  test.each([
    ['the deep front-end query', `{ services(first: 100) { nodes { id nom structure { id nom services(first: 5) { nodes { nom } } } } } }`],
    ['every column and nomenclature of a page', `{ services(first: 30) { totalCount nodes { ${ALL_SERVICE_FIELDS} structure { ${ALL_STRUCTURE_FIELDS} } } } }`],
    ['edges, cursors and page info', `{ __typename structures(first: 7) { __typename totalCount edges { __typename cursor node { id services(first: 2) { totalCount pageInfo { hasNextPage startCursor endCursor __typename } edges { cursor node { id } } } } } pageInfo { hasNextPage endCursor startCursor } } }`],
    ['filters', `{ services(first: 20, filter: { thematiques: ["mobilite", "numerique"], codeDepartement: "75" }) { totalCount nodes { id thematiques { value } } }
       structures(first: 5, filter: { publics: ["jeunes"], frais: ["gratuit"] }) { totalCount nodes { id a: services(filter: { publics: ["jeunes"] }, first: 3) { totalCount nodes { id publics { value } } } } } }`],
    ['an empty page', `{ services(first: 5, filter: { codeDepartement: "976", thematiques: ["sante"] }) { totalCount nodes { id } pageInfo { hasNextPage startCursor endCursor } edges { cursor } } }`],
    ['aliases, fragments and merged fields', `query Q { a: services(first: 3) { ...P } b: services(first: 3) { nodes { n: nom } } a: services(first: 3) { nodes { id } }
       d: structures(first: 2) { k: nodes { r: id x: services(first: 1) { p: nodes { one: nom } } } } }
       fragment P on ServiceConnection { nodes { ... on Service { id structure { nom } } ...S } }
       fragment S on Service { structure { id } }`],
  ])('%s', async (_, query) => {
    for (const authorization of [undefined, 'Bearer reader']) expect(await same({ query }, authorization)).toBe(1);
  });

  test('records by id, with variables: present, missing, restricted (absent for the anonymous)', async () => {
    const query = `query($a: ID!, $b: ID!, $c: ID!, $d: ID!) { a: service(id: $a) { id nom structure { nom } } b: service(id: $b) { id } c: service(id: $c) { id nom }
      d: structure(id: $d) { id services(first: 2) { nodes { id } } } }`;
    const variables = { a: ids.service, b: 'dora--nothing-here', c: ids.restricted, d: ids.structure };
    for (const authorization of [undefined, 'Bearer reader']) expect(await same({ query, variables }, authorization)).toBe(1);
    const anonymous = await post(compiled, { query, variables });
    expect((anonymous.body.data as any).c).toBeNull();
    expect(((await post(compiled, { query, variables }, 'Bearer reader')).body.data as any).c).toEqual(expect.objectContaining({ id: ids.restricted }));
  });

  test('the next page through a cursor, and a nested page after a cursor', async () => {
    const first = await post(compiled, { query: `{ services(first: 4) { pageInfo { endCursor } } }` });
    const after = (first.body.data as any).services.pageInfo.endCursor;
    expect(await same({ query: `query($after: String) { services(first: 4, after: $after) { nodes { id } pageInfo { hasNextPage } } }`, variables: { after } })).toBe(1);
    expect(await same({ query: `{ structure(id: "${ids.structure}") { services(first: 1, after: "${after}") { nodes { id } } } }` })).toBe(1);
  });

  test('what it does not answer goes to execution: contacts for the anonymous, territories, provenance, bad arguments', async () => {
    const contacts = `{ services(first: 3) { nodes { id courriel telephone structure { courriel } } } }`;
    const anonymous = await post(compiled, { query: contacts });
    expect(anonymous.body.extensions).toEqual({ withheld: expect.objectContaining({ fields: expect.any(Array) }) });
    expect(JSON.stringify(anonymous.body.data)).not.toContain('@');
    // With the scope, contacts are plain columns: compiled, and equal.
    expect(await same({ query: contacts }, 'Bearer reader')).toBe(1);

    for (const query of [
      `{ services(first: 3) { nodes { id territoire { nom } provenance { live } source { nom } } } }`,
      `{ services(first: 3, filter: { thematiques: ["cuisine"] }) { nodes { id } } }`,
      `{ services(first: 3) { nodes { id @include(if: true) } } }`,
    ]) {
      const expected = await post(executed, { query });
      expect(await post(compiled, { query })).toEqual(expected);
    }
    const refused = await post(compiled, { query: `{ services(first: 3, filter: { thematiques: ["cuisine"] }) { nodes { id } } }` });
    expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });
});
