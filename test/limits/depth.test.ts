import { parse, validate } from 'graphql';
import { buildSchema } from '../../src/graph';
import { depthLimit, validationRule } from '../../src/limits';
import { acceptedOperations, limitsApi } from './accepted';

const schema = buildSchema();
const depthErrors = (query: string, maximum = 12) => validate(schema, parse(query), [validationRule(depthLimit, maximum)]);

/** `services { nodes { structure { services { nodes { structure { … } } } } } }`, `levels` connections deep: 3 × levels + 1 fields. */
function nested(levels: number): string {
  let inner = 'nom';
  for (let i = 0; i < levels; i++) inner = `services(first: 1) { nodes { structure { ${inner} } } }`;
  return `{ ${inner} }`;
}

describe('the depth rule', () => {
  test.each(acceptedOperations().map((op) => [op.name, op.query]))('accepts %s', (_name, query) => {
    expect(depthErrors(query)).toEqual([]);
  });

  test('measures fields, not fragments: a depth of exactly the maximum passes, one more fails', () => {
    // nested(3): 3 × 3 + `nom` = 10 deep; service → structure → … → nom: 12 deep; nested(4): 13 deep.
    expect(depthErrors(nested(3))).toEqual([]);
    expect(depthErrors('{ service(id: "x") { structure { services { nodes { structure { services { nodes { structure { services { nodes { structure { nom } } } } } } } } } } } }')).toEqual([]);
    const errors = depthErrors(nested(4));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('query depth 13 exceeds the maximum of 12: select fewer nested levels, or follow the links in a second request');
    expect(errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', value: 13, maximum: 12 });
  });

  test('follows named and inline fragments', () => {
    const query = `
      query { services { ...Level } }
      fragment Level on ServiceConnection { nodes { ... on Service { structure { ...Deeper } } } }
      fragment Deeper on Structure { services { nodes { structure { services { nodes { structure { services { nodes { structure { nom } } } } } } } } } }`;
    // services nodes structure | services nodes structure ×3 | nom = 3 + 9 + 1 = 13
    expect(depthErrors(query)[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', value: 13 });
    expect(depthErrors(query, 13)).toEqual([]);
  });

  test('introspection fields are exempt, whatever they select', () => {
    const deepIntrospection = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } }`;
    expect(depthErrors(deepIntrospection)).toEqual([]);
  });

  test('each operation is measured on its own', () => {
    const errors = depthErrors(`query A { sources { slug } } query B ${nested(4)}`);
    expect(errors).toHaveLength(1);
    expect(errors[0].nodes?.[0]).toMatchObject({ kind: 'OperationDefinition', name: { value: 'B' } });
  });
});

describe('the depth limit over HTTP', () => {
  let api: Awaited<ReturnType<typeof limitsApi>>;
  beforeAll(async () => {
    api = await limitsApi();
  });
  afterAll(() => api?.dispose());

  test('a query too deep is refused before it runs: 400, QUERY_TOO_COMPLEX, the depth and the maximum', async () => {
    const { status, body } = await api.post(nested(4));
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].message).toBe('query depth 13 exceeds the maximum of 12: select fewer nested levels, or follow the links in a second request');
    expect(body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', value: 13, maximum: 12 });
  });

  test('a query at the maximum runs', async () => {
    const { status, body } = await api.post(nested(3));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  test('the maximum comes from the options (PASSERELLE_MAX_DEPTH)', async () => {
    const strict = await limitsApi({ limits: { maxDepth: 3 } });
    try {
      expect((await strict.post('{ services { nodes { id } } }')).status).toBe(200);
      const { status, body } = await strict.post('{ services { nodes { structure { nom } } } }');
      expect(status).toBe(400);
      expect(body.errors![0].message).toMatch(/^query depth 4 exceeds the maximum of 3:/);
    } finally {
      await strict.dispose();
    }
  });
});
