import fs from 'node:fs';
import path from 'node:path';
import {
  Kind,
  TypeInfo,
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isObjectType,
  isInterfaceType,
  parse,
  print,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type SelectionSetNode,
} from 'graphql';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { createLogger } from '../../src/logger';
import { prepareStore } from '../../src/operations/prepare';
import { PLAYGROUND_TABS } from '../../src/http/playground';

/**
 * Every GraphQL example a reader is shown — each ```graphql operation of the README, each curl example's
 * query, each operation of graphql/examples/ and each playground tab — runs against the demo store (prepared
 * as the server prepares it on first start: territories, sources, the deterministic demo offer) and returns
 * data: no error, and every leaf it asks for has a value somewhere in the answer. An anonymous caller runs
 * them, so a contact field may instead be named in `extensions.withheld`.
 */
const ROOT = path.join(__dirname, '..', '..');

/** A structure of the demo offer, the one the README, the playground and these variables show. */
const DEMO_STRUCTURE = 'emplois-de-linclusion--10066';

/** Variables of the operations of graphql/examples/ that declare required ones. */
const EXAMPLE_VARIABLES: Record<string, Record<string, unknown>> = {
  'services-near-commune.graphql': { code: '75056', thematiques: ['numerique'] },
  'structure-with-services.graphql': { id: DEMO_STRUCTURE },
};

/** Leaves that may be null in every answer from the store, and why. */
const MAY_BE_EMPTY: Record<string, string> = {
  'Provenance.partner': 'null for a record of the store (no live partner in the demo)',
};

const SDL_KEYWORDS = new Set(['type', 'extend', 'schema', 'interface', 'enum', 'input', 'union', 'scalar', 'directive']);

interface Example {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

function readmeExamples(): { operations: Example[]; partnerFields: Set<string> } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const operations: Example[] = [];
  const partnerFields = new Set<string>();
  for (const [index, match] of [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].entries()) {
    const text = match[1];
    const firstWord = /^\s*(?:#[^\n]*\n\s*)*([A-Za-z_]+)/.exec(text)?.[1];
    const line = readme.slice(0, match.index).split('\n').length;
    if (firstWord && SDL_KEYWORDS.has(firstWord)) {
      // SDL, not an operation. A partner subgraph's (it links the federation spec) names the fields a
      // supergraph query of the README may ask beside Passerelle's.
      if (/extend schema/.test(text)) {
        for (const definition of parse(text).definitions) {
          if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
          for (const field of definition.fields ?? []) partnerFields.add(`${definition.name.value}.${field.name.value}`);
        }
      }
      continue;
    }
    operations.push({ name: `README.md:${line} (graphql block ${index + 1})`, query: text });
  }
  for (const match of readme.matchAll(/-d '(\{"query":.*?\})'/g)) {
    const line = readme.slice(0, match.index).split('\n').length;
    operations.push({ name: `README.md:${line} (curl)`, query: (JSON.parse(match[1]) as { query: string }).query });
  }
  return { operations, partnerFields };
}

function exampleFiles(): Example[] {
  const dir = path.join(ROOT, 'graphql', 'examples');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ name: `graphql/examples/${f}`, query: fs.readFileSync(path.join(dir, f), 'utf8'), variables: EXAMPLE_VARIABLES[f] }));
}

function playgroundTabs(): Example[] {
  return PLAYGROUND_TABS.map((query, i) => ({ name: `playground tab ${i + 1}`, query }));
}

/** The operation without the fields only a partner subgraph has (a supergraph query, run here on Passerelle alone). */
function withoutPartnerFields(schema: GraphQLSchema, document: DocumentNode, partnerFields: Set<string>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!typeInfo.getFieldDef() && parent && partnerFields.has(`${parent.name}.${node.name.value}`)) return null;
        return undefined;
      },
    }),
  );
}

interface Leaf {
  /** Response keys from the root, lists flattened. */
  path: string[];
  /** `Type.field`, as `extensions.withheld` names it. */
  coordinate: string;
}

/** Every leaf field the operation selects, following fragments. */
function leavesOf(schema: GraphQLSchema, document: DocumentNode): Leaf[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const leaves: Leaf[] = [];
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined | null, at: string[]) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        const key = selection.alias?.value ?? name;
        const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[name] : undefined;
        if (selection.selectionSet) walk(selection.selectionSet, field && getNamedType(field.type), [...at, key]);
        else leaves.push({ path: [...at, key], coordinate: `${type?.name ?? '?'}.${name}` });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type, at);
      } else {
        const fragment = fragments.get(selection.name.value)!;
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), at);
      }
    }
  };
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, schema.getRootType(d.operation), []);
  }
  return leaves;
}

function valuesAt(value: unknown, at: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, at));
  if (at.length === 0) return [value];
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[at[0]], at.slice(1));
}

const hasValue = (v: unknown) => v !== null && v !== undefined && v !== '';

let store: TestStore;
let api: Awaited<ReturnType<typeof createTestApp>>;
let schema: GraphQLSchema;

beforeAll(async () => {
  store = await createTestStore('pglite', { territories: true });
  await prepareStore(store, { logger: createLogger('silent'), seedWhenEmpty: true });
  api = await createTestApp(store);
  const introspection = await api.query<IntrospectionQuery>(getIntrospectionQuery());
  schema = buildClientSchema(introspection.data!);
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await store?.dispose();
});

const readme = readmeExamples();
const examples = [...readme.operations, ...exampleFiles(), ...playgroundTabs()];

test('the examples are found', () => {
  // README: 4 example queries, the federation query; curl: 3 (example, token, _service); files: 3; tabs: 3.
  expect(readme.operations.length).toBeGreaterThanOrEqual(8);
  expect(readme.partnerFields).toContain('Structure.avis');
  expect(examples.length).toBeGreaterThanOrEqual(14);
});

test.each(examples.map((e) => [e.name, e] as const))('%s runs on the demo store and returns data', async (_name, example) => {
  const document = withoutPartnerFields(schema, parse(example.query), readme.partnerFields);
  const result = await api.query(print(document), example.variables);
  expect(result.errors).toBeUndefined();
  expect(result.data).toBeTruthy();
  const withheld = new Set<string>(((result.extensions?.withheld?.fields ?? []) as { field: string }[]).map((f) => f.field));
  const empty = leavesOf(schema, document)
    .filter((leaf) => !valuesAt(result.data, leaf.path).some(hasValue))
    .filter((leaf) => !withheld.has(leaf.coordinate) && !(leaf.coordinate in MAY_BE_EMPTY))
    .map((leaf) => `${leaf.path.join('.')} (${leaf.coordinate})`);
  expect(empty).toEqual([]);
});
