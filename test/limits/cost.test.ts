import { parse, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../../src/config';
import { buildSchema } from '../../src/graph';
import { CONNECTION_FLOOR, COUNT_COST, MAX_SELECTIONS, operationCost } from '../../src/limits/cost';
import { representationCount } from '../../src/limits/representations';
import { ENTITIES_QUERY, acceptedOperations, limitsApi } from './accepted';
import * as fixture from '../fixtures/offer';

const schema = buildSchema();
function cost(query: string, variables?: Record<string, unknown>, operationName?: string): number | undefined {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && (!operationName || d.name?.value === operationName),
  )!;
  return operationCost(schema, document, operation, variables);
}

const NESTED = '{ services(first: 1000) { nodes { structure { services(first: 1000) { nodes { structure { nom } } } } } } }';
const NESTED_WITH_VARIABLE = 'query Nested($n: Int) { services(first: $n) { nodes { structure { services(first: $n) { nodes { id } } } } } }';
/** 2^16 `slug` selections through 17 fragments: small to send, huge to walk. */
const EXPONENTIAL = `{ sources { ...F0 } } ${Array.from({ length: 16 }, (_, i) => `fragment F${i} on Source { ...F${i + 1} ...F${i + 1} }`).join('\n')} fragment F16 on Source { slug }`;
const representations = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'Service', id: fixture.services[i % fixture.services.length].id }));

describe('operationCost', () => {
  test.each(acceptedOperations().map((op) => [op.name, op]))('%s costs less than the maximum', (_name, op) => {
    const value = cost(op.query, op.variables);
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThan(50_000);
  });

  test('each field costs 1; a connection multiplies what it selects by first', () => {
    expect(cost('{ sources { slug nom } }')).toBe(3);
    // 1 + 20 × (totalCount 1 + nodes (1 + id 1 + nom 1)) + counting, COUNT_COST
    expect(cost('{ services(first: 20) { totalCount nodes { id nom } } }')).toBe(1 + 20 * (1 + 3) + COUNT_COST);
    // 1 + 1000 × (nodes 1 + structure 1 + services (1 + 1000 × (nodes 1 + structure (1 + nom 1))))
    expect(cost(NESTED)).toBe(1 + 1000 * (1 + 1 + (1 + 1000 * (1 + 2))));
  });

  test('totalCount costs COUNT_COST once per connection, whatever first is (first: 0 does not zero it)', () => {
    expect(COUNT_COST).toBe(100);
    expect(cost('{ services(first: 0) { totalCount } }')).toBe(1 + 1 * 1 + COUNT_COST);
    expect(cost('{ services(first: 1000) { totalCount } }')).toBe(1 + 1000 * 1 + COUNT_COST);
    expect(cost('{ services(first: 5) { a: totalCount b: totalCount } }')).toBe(1 + 5 * 2 + COUNT_COST);
    // The audit's request: 30 grouped COUNTs under 1,000 communes (32,001 under the former rule).
    const audit = `{ communes(first: 1000) { nodes { code ${Array.from({ length: 30 }, (_, i) => `a${i}: services(first: 0, filter: { scoreQualiteMin: 0.00 }) { totalCount }`).join(' ')} } } }`;
    expect(cost(audit)).toBe(1 + 1000 * (1 + 1 + 30 * (1 + 1 + COUNT_COST)));
  });

  test('a connection under a list field other than nodes/edges is multiplied by the list bound; scalars under it are not', () => {
    // Region.departements: at most 13.
    expect(cost('{ region(code: "84") { departements { code services(first: 10) { totalCount } } } }')).toBe(1 + 1 + 1 + 13 * (1 + 10 + COUNT_COST));
    expect(cost('{ region(code: "84") { departements { code nom } } }')).toBe(1 + 1 + 2);
    // Structure.doublons: no bound of its own, the default page (50).
    // Each of those 50 pages costs at least CONNECTION_FLOOR (1 + 2 × 2 = 5 is less).
    expect(cost('{ structure(id: "dora--x") { doublons { id services(first: 2) { nodes { id } } } } }')).toBe(1 + 1 + 1 + 50 * CONNECTION_FLOOR);
  });

  test('a connection costs at least CONNECTION_FLOOR each time it runs: small pages under many parents add up', () => {
    expect(CONNECTION_FLOOR).toBe(10);
    expect(cost('{ services(first: 1) { nodes { id } } }')).toBe(CONNECTION_FLOOR);
    // 15 aliased one-row pages under 1,000 communes: 47,001 without the floor (3.8 s on the embedded store), refused with it.
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: services(first: 1) { nodes { id } }`).join(' ');
    expect(cost(`{ communes(first: 1000) { nodes { code ${aliases} } } }`)).toBe(1 + 1000 * (1 + 1 + 15 * CONNECTION_FLOOR));
  });

  test('a connection without first counts its default, 50', () => {
    expect(cost('{ services { nodes { structure { services { nodes { id } } } } } }')).toBe(1 + 50 * (1 + 1 + (1 + 50 * 2)));
    expect(cost('{ commune(code: "75056") { structures { nodes { id } } } }')).toBe(1 + (1 + 50 * 2));
  });

  test("first: $n counts the variable's value, or the variable's default", () => {
    expect(cost(NESTED_WITH_VARIABLE, { n: 10 })).toBe(1 + 10 * (1 + 1 + (1 + 10 * 2)));
    expect(cost(NESTED_WITH_VARIABLE, { n: 1000 })).toBe(1 + 1000 * (1 + 1 + (1 + 1000 * 2)));
    expect(cost(NESTED_WITH_VARIABLE, {})).toBe(1 + 50 * (1 + 1 + (1 + 50 * 2)));
    expect(cost('query($n: Int = 7) { services(first: $n) { nodes { id } } }')).toBe(1 + 7 * 2);
  });

  test('_entities multiplies what it selects by the number of representations', () => {
    // Service: id, nom, structure { nom } (2), territoire { departement { region { nom } } } (4) = 8
    expect(cost(ENTITIES_QUERY, { r: representations(100) })).toBe(1 + 100 * 8);
    expect(representationCount(schema, parse(ENTITIES_QUERY), parse(ENTITIES_QUERY).definitions[0] as OperationDefinitionNode, { r: representations(100) })).toBe(100);
  });

  test('variables that do not coerce give no cost (execution refuses them)', () => {
    expect(cost(NESTED_WITH_VARIABLE, { n: 'beaucoup' })).toBeUndefined();
  });

  test(`a document spreading fragments exponentially is refused past ${MAX_SELECTIONS} selections`, () => {
    expect(() => cost(EXPONENTIAL)).toThrow(
      expect.objectContaining({
        message: `selections to evaluate (counted up to the first one past the maximum) 10,001 exceeds the maximum of 10,000: spread fragments fewer times`,
        extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' }),
      }),
    );
  });
});

describe('the cost limit over HTTP', () => {
  let api: Awaited<ReturnType<typeof limitsApi>>;
  beforeAll(async () => {
    api = await limitsApi();
  });
  afterAll(() => api?.dispose());

  test('first: 1000 inside first: 1000 is refused before it runs: 400, QUERY_TOO_COMPLEX, the cost and the maximum', async () => {
    const { status, body } = await api.post(NESTED);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: 'query cost 3,003,001 exceeds the maximum of 50,000: lower first on nested connections',
        locations: [{ line: 1, column: 1 }],
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', value: 3_003_001, maximum: 50_000 },
      },
    ]);
  });

  test('with variables: first: $n is costed with the request\'s value', async () => {
    const refused = await api.postWithVariables(NESTED_WITH_VARIABLE, { n: 1000 });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].message).toBe('query cost 2,003,001 exceeds the maximum of 50,000: lower first on nested connections');
    expect(refused.body.errors![0].extensions?.code).toBe('QUERY_TOO_COMPLEX');

    const accepted = await api.postWithVariables(NESTED_WITH_VARIABLE, { n: 10 });
    expect(accepted.status).toBe(200);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.services.nodes.length).toBeGreaterThan(0);
  });

  test('a document spreading fragments exponentially is refused: 400, QUERY_TOO_COMPLEX', async () => {
    const { status, body } = await api.post(EXPONENTIAL);
    expect(status).toBe(400);
    expect(body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
  });

  test('variables that do not coerce keep their own error (BAD_USER_INPUT)', async () => {
    const { status, body } = await api.postWithVariables(NESTED_WITH_VARIABLE, { n: 'beaucoup' });
    expect(status).toBe(400);
    expect(body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('every accepted operation runs through all the limits, with no error', async () => {
    for (const op of acceptedOperations()) {
      const { errors } = await api.query(op.query, op.variables);
      expect({ op: op.name, errors }).toEqual({ op: op.name, errors: undefined });
    }
  });

  test('_entities: 100 representations run, 1,001 are refused', async () => {
    const ok = await api.postWithVariables(ENTITIES_QUERY, { r: representations(100) });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data._entities).toHaveLength(100);

    const refused = await api.postWithVariables('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', { r: representations(1001) });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        message: '_entities representation count 1,001 exceeds the maximum of 1,000: send them in batches of at most 1,000',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'representations', value: 1001, maximum: 1000 },
      }),
    ]);
  });

  test('the maximum comes from the options (PASSERELLE_MAX_COST); a cost equal to it passes', async () => {
    const query = '{ services { nodes { structure { services { nodes { id } } } } } }'; // 5,151
    const strict = await limitsApi({ limits: { maxCost: 5151 } });
    const stricter = await limitsApi({ limits: { maxCost: 5150 } });
    try {
      expect((await strict.post(query)).status).toBe(200);
      const { status, body } = await stricter.post(query);
      expect(status).toBe(400);
      expect(body.errors![0].message).toBe('query cost 5,151 exceeds the maximum of 5,150: lower first on nested connections');
    } finally {
      await strict.dispose();
      await stricter.dispose();
    }
  });
});

describe('settings', () => {
  test('PASSERELLE_MAX_DEPTH, PASSERELLE_MAX_ALIASES, PASSERELLE_MAX_COST: positive integers, with defaults', () => {
    expect(loadConfig({}).limits).toEqual({ maxDepth: 12, maxAliases: 100, maxCost: 50_000 });
    expect(loadConfig({ PASSERELLE_MAX_DEPTH: '8', PASSERELLE_MAX_ALIASES: '5', PASSERELLE_MAX_COST: '1000' }).limits).toEqual({ maxDepth: 8, maxAliases: 5, maxCost: 1000 });
    expect(() => loadConfig({ PASSERELLE_MAX_COST: '0' })).toThrow(/PASSERELLE_MAX_COST/);
    expect(() => loadConfig({ PASSERELLE_MAX_DEPTH: '2.5' })).toThrow(/PASSERELLE_MAX_DEPTH/);
    expect(() => loadConfig({ PASSERELLE_MAX_ALIASES: 'many' })).toThrow(/PASSERELLE_MAX_ALIASES/);
  });
});
