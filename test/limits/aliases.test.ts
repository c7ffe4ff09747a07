import { parse, validate } from 'graphql';
import { buildSchema } from '../../src/graph';
import { aliasesLimit, validationRule } from '../../src/limits';
import { acceptedOperations, limitsApi } from './accepted';

const schema = buildSchema();
const aliasErrors = (query: string, maximum = 100) => validate(schema, parse(query), [validationRule(aliasesLimit, maximum)]);

/** `{ a1: service(id: "…") { id } … an: … }`: alias amplification. */
const amplified = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i + 1}: service(id: "dora--paris-11-numerique") { id nom }`).join(' ')} }`;

describe('the alias rule', () => {
  test.each(acceptedOperations().map((op) => [op.name, op.query]))('accepts %s', (_name, query) => {
    expect(aliasErrors(query)).toEqual([]);
  });

  test('100 aliases pass (a page of 50 records by id fits), 101 fail with the count and the maximum', () => {
    expect(aliasErrors(amplified(50))).toEqual([]);
    expect(aliasErrors(amplified(100))).toEqual([]);
    const errors = aliasErrors(amplified(101));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe(
      'alias count 101 exceeds the maximum of 100: ask for many records with one list field (services(filter:), _entities) rather than one alias each',
    );
    expect(errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', value: 101, maximum: 100 });
  });

  test('aliases count at any depth, and a fragment counts each time it is spread', () => {
    const fragment = `fragment Card on Service { n1: nom n2: nom n3: nom n4: nom n5: nom n6: nom n7: nom n8: nom }`;
    // 2 top-level aliases + 4 spreads × 8 = 34
    const query = `{ s: services { nodes { ...Card } } t: services { nodes { ...Card ... on Service { ...Card } } } service(id: "x") { ...Card } } ${fragment}`;
    expect(aliasErrors(query, 33)[0]?.extensions).toMatchObject({ value: 34 });
    expect(aliasErrors(query, 34)).toEqual([]);
  });

  test('each operation is counted on its own', () => {
    expect(aliasErrors(`query A ${amplified(60)} query B ${amplified(60)}`)).toEqual([]);
    const errors = aliasErrors(`query A ${amplified(60)} query B ${amplified(101)}`);
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions).toMatchObject({ value: 101 });
  });
});

describe('the alias limit over HTTP', () => {
  let api: Awaited<ReturnType<typeof limitsApi>>;
  beforeAll(async () => {
    api = await limitsApi();
  });
  afterAll(() => api?.dispose());

  test('alias amplification is refused before it runs: 400, QUERY_TOO_COMPLEX', async () => {
    const { status, body } = await api.post(amplified(500));
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^alias count 500 exceeds the maximum of 100: /),
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', value: 500, maximum: 100 },
      }),
    ]);
  });

  test('100 aliases run; 101 are refused', async () => {
    const { status, body } = await api.post(amplified(100));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.a100).toEqual({ id: 'dora--paris-11-numerique', nom: expect.any(String) });
    const refused = await api.post(amplified(101));
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', value: 101, maximum: 100 } }),
    ]);
  });

  test('the maximum comes from the options (PASSERELLE_MAX_ALIASES)', async () => {
    const strict = await limitsApi({ limits: { maxAliases: 2 } });
    try {
      expect((await strict.post(amplified(2))).status).toBe(200);
      const { status, body } = await strict.post(amplified(3));
      expect(status).toBe(400);
      expect(body.errors![0].message).toMatch(/^alias count 3 exceeds the maximum of 2:/);
    } finally {
      await strict.dispose();
    }
  });
});
