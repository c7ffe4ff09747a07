import fs from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

const ROOT = path.join(__dirname, '..', '..');

export interface Operation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** The README's example queries: every ```graphql block of "Example queries", and the curl example's query. */
function readmeQueries(): Operation[] {
  const full = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const readme = full.slice(full.indexOf('## Example queries'), full.indexOf('\n## ', full.indexOf('## Example queries') + 1));
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m, i) => ({ name: `README example ${i + 1}`, query: m[1] }));
  if (blocks.length < 4) throw new Error(`expected the README's 4 example queries, found ${blocks.length}`);
  const curl = /"query":"(.*?)"}'/.exec(readme);
  if (!curl) throw new Error('no curl example in the README');
  return [...blocks, { name: 'README curl example', query: JSON.parse(`"${curl[1]}"`) as string }];
}

const EXAMPLE_VARIABLES: Record<string, Record<string, unknown>> = {
  'services-near-commune.graphql': { code: '75056', thematiques: ['numerique'] },
  'structure-with-services.graphql': { id: 'dora--paris-11' },
};

/** What the limits must let through, at their defaults. */
export function acceptedOperations(): Operation[] {
  const examplesDir = path.join(ROOT, 'graphql', 'examples');
  const examples = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => ({ name: `graphql/examples/${f}`, query: fs.readFileSync(path.join(examplesDir, f), 'utf8'), variables: EXAMPLE_VARIABLES[f] }));
  const serviceIds = fixture.services.map((s) => s.id);
  return [
    ...readmeQueries(),
    ...examples,
    { name: 'the introspection query', query: getIntrospectionQuery() },
    {
      name: "the playground's introspection query (every option)",
      query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }),
    },
    {
      name: '_entities with 100 representations',
      query: ENTITIES_QUERY,
      variables: { r: Array.from({ length: 100 }, (_, i) => ({ __typename: 'Service', id: serviceIds[i % serviceIds.length] })) },
    },
  ];
}

export const ENTITIES_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Service { id nom structure { nom } territoire { departement { region { nom } } } }
  ... on Commune { code nom }
} }`;

/** Passerelle on the embedded store with the test offer; `limits` as the App takes them. */
export async function limitsApi(options: Parameters<typeof createTestApp>[1] = {}) {
  const store: TestStore = await createTestStore('pglite', { territories: true });
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  const api = await createTestApp(store, options);
  return {
    ...api,
    /** POST with variables over real HTTP. */
    async postWithVariables(query: string, variables: Record<string, unknown>) {
      const response = await fetch(await api.url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
    },
    async dispose() {
      await api.stop();
      await store.dispose();
    },
  };
}
