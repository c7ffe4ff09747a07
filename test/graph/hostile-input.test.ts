import fc from 'fast-check';
import { Client } from 'pg';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { buildSchema } from '../../src/graph';
import { openStore, type Engine } from '../../src/store/database';
import { syncSources, writeOffer } from '../../src/store/write';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import * as fixture from '../fixtures/offer';

/**
 * Hostile input, argument by argument: every argument of every Query field, and of the fields those return
 * (a structure's services, a territory's structures and services), found by walking the schema, so an
 * argument added tomorrow is fed the same values. Each answer must be a clean refusal — BAD_USER_INPUT naming
 * the argument (or the variable, when graphql-js refuses it while coercing), GRAPHQL_VALIDATION_FAILED, or
 * QUERY_TOO_COMPLEX (`first: 2147483647` costs too much) —
 * or data; never INTERNAL_SERVER_ERROR, never a message that repeats a huge value.
 */

type Api = Awaited<ReturnType<typeof offerApi>>;

const cursor = (key: string) => Buffer.from(`k1:${key}`, 'utf8').toString('base64url');
const HUGE = 'x'.repeat(900_000);
const MAX_MESSAGE = 600;

async function offerApi(engine: Engine, options: Parameters<typeof createTestApp>[1] = {}) {
  const store: TestStore = await createTestStore(engine, { territories: true });
  await syncSources(store);
  await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
  const api = await createTestApp(store, options);
  return {
    store,
    async post(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(await api.url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
    },
    async dispose() {
      await api.stop();
      await store.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The schema's arguments, and the hostile values each type gets

interface HostileValue {
  value: unknown;
  /** True when the value must be refused (a NUL byte, a huge string, year 0…); else it may also be served. */
  refused: boolean;
  what: string;
}

const REPRESENTATIONS: HostileValue[] = [
  { what: 'an array as id', value: [{ __typename: 'Service', id: ['soliguide--1'] }], refused: true },
  { what: 'an object as id', value: [{ __typename: 'Service', id: { $gt: '' } }], refused: true },
  { what: 'a number as id', value: [{ __typename: 'Structure', id: 12 }], refused: true },
  { what: 'no id', value: [{ __typename: 'Service' }], refused: true },
  { what: 'no __typename', value: [{ id: 'dora--paris-11' }], refused: true },
  { what: 'an unknown __typename', value: [{ __typename: 'Utilisateur', id: 'dora--paris-11' }], refused: true },
  { what: 'a string as representation', value: ['dora--paris-11'], refused: true },
  { what: 'null as representation', value: [{ __typename: 'Commune', code: '75056' }, []], refused: true },
  { what: 'a NUL byte in id', value: [{ __typename: 'Service', id: 'dora--\u0000' }], refused: true },
  { what: 'a NUL byte in code', value: [{ __typename: 'Commune', code: '750\u000056' }], refused: true },
  { what: 'a huge id', value: [{ __typename: 'Structure', id: HUGE }], refused: true },
];

function hostileValues(type: GraphQLInputType, argument: string, depth = 0): HostileValue[] {
  const named = getNamedType(type);
  const list = isListType(getNullableType(type));
  const wrap = (values: HostileValue[]) => (list ? values.map((v) => ({ ...v, value: [v.value] })) : values);
  if (named.name === '_Any') return REPRESENTATIONS;
  if (isInputObjectType(named)) {
    if (depth > 0) return [];
    return Object.values(named.getFields()).flatMap((field) =>
      hostileValues(field.type, `${argument}.${field.name}`, depth + 1).map((v) => ({ ...v, what: `${field.name}: ${v.what}`, value: list ? [{ [field.name]: v.value }] : { [field.name]: v.value } })),
    );
  }
  if (isEnumType(named)) return wrap([{ what: 'an unknown value', value: 'PAS_UNE_VALEUR', refused: true }]);
  switch (named.name) {
    case 'String':
    case 'ID': {
      const values: HostileValue[] = [
        { what: 'a NUL byte', value: 'ab\u0000cd', refused: true },
        { what: 'a huge string', value: HUGE, refused: true },
        { what: 'a lone surrogate', value: '\ud800x', refused: false },
        { what: 'an empty string', value: '', refused: false },
      ];
      if (argument.endsWith('after')) {
        values.push(
          // A key of another list's shape is a plain id to an id-ordered list: served (nothing after it), or refused.
          { what: 'a cursor holding a NUL byte', value: cursor('dora--\u0000'), refused: true },
          { what: 'a communes cursor of 1.5e300', value: cursor('{"population":1.5e300,"code":"75056"}'), refused: false },
          { what: 'a search cursor of 1.5e300', value: cursor('[1.5e300,"dora--paris-11"]'), refused: false },
          { what: 'a ranked search cursor of 1.5e300', value: cursor('[1,"dora--paris-11",1.5e300]'), refused: false },
          { what: 'a search cursor of 2^53', value: cursor('[9007199254740991,"dora--paris-11",9007199254740991]'), refused: false },
          { what: 'a cursor of another API', value: 'bm90LWEtY3Vyc29y', refused: true },
        );
      }
      return wrap(values);
    }
    case 'Int':
      return wrap([
        { what: 'a negative number', value: -1, refused: false },
        { what: 'the largest Int', value: 2_147_483_647, refused: false },
        { what: 'a float', value: 1.5, refused: true },
        { what: 'a number past Int', value: 1.5e300, refused: true },
      ]);
    case 'Float':
      return wrap([
        { what: '1.5e300', value: 1.5e300, refused: false },
        { what: '-1.5e300', value: -1.5e300, refused: false },
        { what: 'a negative number', value: -1, refused: false },
      ]);
    case 'DateTime':
    case 'Date':
      return wrap([
        { what: 'year 0', value: named.name === 'Date' ? '0000-01-01' : '0000-01-01T00:00:00Z', refused: true },
        { what: 'year 10000', value: '+10000-01-01T00:00:00Z', refused: true },
        { what: 'a huge string', value: HUGE, refused: true },
      ]);
    case 'Boolean':
      return [];
    default:
      if (isScalarType(named)) return wrap([{ what: 'a NUL byte', value: 'ab\u0000cd', refused: true }]);
      return [];
  }
}

/** A valid value for the required arguments of the field under test. */
const VALID: Record<string, unknown> = {
  'structure.id': 'dora--paris-11',
  'service.id': 'dora--paris-11-numerique',
  'commune.code': '75056',
  'departement.code': '75',
  'region.code': '11',
  'epci.code': '200054781',
  '_entities.representations': [{ __typename: 'Service', id: 'dora--paris-11-numerique' }],
  'searchServices.near': { codeCommune: '75056' },
};

interface Case {
  name: string;
  argument: string;
  query: string;
  value: HostileValue;
}

const schema = buildSchema();

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  return isObjectType(type) || !isScalarType(type) ? '{ __typename }' : '';
}

function argumentList(field: GraphQLField<unknown, unknown>, tested: GraphQLArgument, prefix: string): { text: string; variables: string[] } {
  const variables: string[] = [];
  const parts = [`${tested.name}: $v`];
  for (const arg of field.args) {
    if (arg === tested || !isNonNullType(arg.type)) continue;
    const key = `${prefix}${field.name}.${arg.name}`;
    if (!(key in VALID)) throw new Error(`no valid value for the required argument ${key}: add one to VALID`);
    parts.push(`${arg.name}: ${JSON.stringify(VALID[key]).replace(/"(\w+)":/g, '$1:')}`);
  }
  variables.push(`$v: ${tested.type}`);
  return { text: parts.join(', '), variables };
}

/** Every argument of Query's fields, and of the fields of the types they return (one level down). */
function cases(): Case[] {
  const found: Case[] = [];
  const query = schema.getQueryType()!;
  for (const field of Object.values(query.getFields())) {
    for (const arg of field.args) {
      const { text, variables } = argumentList(field, arg, '');
      for (const value of hostileValues(arg.type, arg.name)) {
        found.push({ name: `${field.name}(${arg.name}): ${value.what}`, argument: arg.name, value, query: `query(${variables}) { ${field.name}(${text}) ${selectionOf(field)} }` });
      }
    }
    const returned = getNamedType(field.type);
    if (!isObjectType(returned) || field.name === '_entities') continue;
    const parentArgs = field.args
      .filter((arg) => isNonNullType(arg.type))
      .map((arg) => `${arg.name}: ${JSON.stringify(VALID[`${field.name}.${arg.name}`]).replace(/"(\w+)":/g, '$1:')}`)
      .join(', ');
    for (const nested of Object.values(returned.getFields())) {
      for (const arg of nested.args) {
        const { text, variables } = argumentList(nested, arg, `${returned.name}.`);
        const open = parentArgs ? `${field.name}(${parentArgs})` : field.name;
        for (const value of hostileValues(arg.type, arg.name)) {
          found.push({
            name: `${field.name} › ${returned.name}.${nested.name}(${arg.name}): ${value.what}`,
            argument: arg.name,
            value,
            query: `query(${variables}) { ${open} { ${nested.name}(${text}) ${selectionOf(nested)} } }`,
          });
        }
      }
    }
  }
  return found;
}

type Answer = Awaited<ReturnType<Api['post']>>;

function expectClean(answer: Answer, argument: string, mustRefuse: boolean): void {
  const errors = answer.body.errors ?? [];
  for (const error of errors) {
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']).toContain(error.extensions?.code);
    expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    if (error.extensions?.code === 'BAD_USER_INPUT') {
      // Ours name the argument (extensions.argument, and the message's start); graphql-js's name the variable.
      const named = String(error.extensions.argument ?? '').startsWith(argument) ? error.message.startsWith(`${error.extensions.argument}: `) : error.message.includes('"$v"');
      expect(named).toBe(true);
    }
  }
  expect(answer.text.length).toBeLessThan(20_000);
  if (mustRefuse) expect(errors.length).toBeGreaterThan(0);
}

describe('hostile values, argument by argument (the schema walked)', () => {
  let api: Api;
  beforeAll(async () => {
    api = await offerApi('pglite');
  });
  afterAll(() => api?.dispose());

  const all = cases();

  test('the walk finds every argument of the schema reachable from Query', () => {
    const names = new Set(all.map((c) => c.name.split(':')[0]));
    for (const expected of ['structure(id)', 'communes(after)', '_entities(representations)', 'searchServices(near)', 'searchServices(distanceKm)', 'structure › Structure.services(filter)', 'commune › Commune.services(after)', 'region › Region.structures(first)']) {
      expect(names).toContain(expected);
    }
  });

  test.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expectClean(await api.post(c.query, { v: c.value.value }), c.argument, c.value.refused);
  });

  test('property: any string in any string argument is answered or refused cleanly', async () => {
    const stringCases = all.filter((c) => c.value.what === 'an empty string');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...stringCases), fc.string({ unit: 'binary', maxLength: 40 }), async (c, text) => {
        const value = Array.isArray(c.value.value) ? [text] : c.value.value && typeof c.value.value === 'object' ? Object.fromEntries(Object.keys(c.value.value).map((k) => [k, text])) : text;
        expectClean(await api.post(c.query, { v: value }), c.argument, text.includes('\u0000'));
      }),
      { numRuns: 150 },
    );
  });
});

describe('the audit of issue 12, row by row', () => {
  let api: Api;
  beforeAll(async () => {
    api = await offerApi('pglite');
  });
  afterAll(() => api?.dispose());

  test.each([
    ['an id', 'query($v: ID!) { service(id: $v) { id } }', 'id'],
    ['a code', 'query($v: String!) { commune(code: $v) { code } }', 'code'],
    ['a cursor', 'query($v: String) { services(after: $v) { nodes { id } } }', 'after'],
  ])('a NUL byte in %s is BAD_USER_INPUT naming the argument, not INTERNAL_SERVER_ERROR', async (_what, query, argument) => {
    const value = argument === 'after' ? cursor('dora--\u0000') : 'dora--a\u0000b';
    const { body } = await api.post(query, { v: value });
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument }) })]);
    expect(body.errors![0].message.startsWith(`${argument}: `)).toBe(true);
  });

  test('a NUL byte in an _entities id is BAD_USER_INPUT naming representations[0].id', async () => {
    const { status, body } = await api.post('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', { r: [{ __typename: 'Service', id: 'dora--\u0000' }] });
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'representations[0].id' }) })]);
  });

  test('a cursor whose number is 1.5e300 is BAD_USER_INPUT', async () => {
    const { body } = await api.post('query($v: String) { communes(after: $v) { nodes { code } } }', { v: cursor('{"population":1.5e300,"code":"75056"}') });
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'after' }) })]);
  });

  test('updatedSince: "0000-01-01T00:00:00Z" is refused (year 0); year 0001 is served', async () => {
    const refused = await api.post('{ services(filter: { updatedSince: "0000-01-01T00:00:00Z" }) { totalCount } }');
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.body.errors?.[0].message).toContain('years 0001 to 9999');
    const asVariable = await api.post('query($t: DateTime) { structures(filter: { updatedSince: $t }) { totalCount } }', { t: '0000-01-01T00:00:00Z' });
    expect(asVariable.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const served = await api.post('{ services(filter: { updatedSince: "0001-01-01T00:00:00Z" }) { totalCount } }');
    expect(served.body).toEqual({ data: { services: { totalCount: fixture.services.length } } });
  });

  test('mutation { __typename } and subscriptions over HTTP are answered, never INTERNAL_SERVER_ERROR', async () => {
    // Issue 16 added the Mutation type (the producer write API): the typename is a valid mutation.
    const { status, body } = await api.post('mutation { __typename }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __typename: 'Mutation' } });
    const subscription = await api.post('subscription { __typename }');
    expect(subscription.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Subscriptions are served over WebSocket (graphql-ws); over HTTP, a client error, not an internal one.
    const overHttp = await api.post('subscription { offerChanged { id } }');
    expect(overHttp.body.errors?.[0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  test.each(REPRESENTATIONS.map((r) => [r.what, r.value] as const))('_entities with %s is BAD_USER_INPUT naming the representation, before any store access', async (_what, representations) => {
    const { status, body } = await api.post('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', { r: representations });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: expect.stringMatching(/^representations\[\d+\]/) }) })]);
  });

  test('an array as an _entities id no longer passes the source-licence check: refused', async () => {
    const { body } = await api.post('{ _entities(representations: [{ __typename: "Service", id: ["soliguide--1"] }]) { __typename } }');
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'representations[0].id' }) })]);
  });

  test.each([
    ['ours (a filter code)', 'query($v: String!) { services(filter: { codeCommune: $v }) { totalCount } }'],
    ["graphql-js's (a string for an Int)", 'query($v: Int) { services(first: $v) { totalCount } }'],
    ['a scalar (DateTime)', 'query($v: DateTime) { services(filter: { updatedSince: $v }) { totalCount } }'],
  ])('a 900 KB value is not repeated in the message: %s', async (_what, query) => {
    const { text, body } = await api.post(query, { v: HUGE });
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message.length).toBeLessThanOrEqual(500);
    expect(text.length).toBeLessThan(2000);
  });
});

/** The audit's request: 30 grouped COUNTs under 1,000 communes, 32,001 under the former cost rule. */
const COUNTS_UNDER_COMMUNES = `{ communes(first: 1000) { nodes { code ${Array.from(
  { length: 30 },
  (_, i) => `a${i}: services(first: 0, filter: { scoreQualiteMin: 0.00 }) { totalCount }`,
).join(' ')} } } }`;

describe.each(ENGINES)('cost follows execution (%s)', (engine) => {
  let api: Api;
  beforeAll(async () => {
    api = await offerApi(engine);
  });
  afterAll(() => api?.dispose());

  test('totalCount under 1,000 communes with first: 0 is refused before it runs (QUERY_TOO_COMPLEX), in well under a second', async () => {
    const started = performance.now();
    const { status, body } = await api.post(COUNTS_UNDER_COMMUNES);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' }) })]);
  });
});

describe('bounded time on PostgreSQL: statement_timeout', () => {
  let store: TestStore;
  let timed: Awaited<ReturnType<typeof openStore>>;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let locker: Client;
  beforeAll(async () => {
    store = await createTestStore('postgres', { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    timed = await openStore({ databaseUrl: store.url, statementTimeoutMs: 200 });
    app = await createTestApp(timed);
    locker = new Client({ connectionString: store.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await app?.stop();
    await timed?.close();
    await store?.dispose();
  });

  test('a read that runs past the timeout is QUERY_TIMEOUT (HTTP 503), not INTERNAL_SERVER_ERROR', async () => {
    // A statement waiting on a lock runs as long as the lock is held: deterministic, whatever the machine.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE services IN ACCESS EXCLUSIVE MODE');
    try {
      const started = performance.now();
      const response = await fetch(await app.url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ services(first: 5) { totalCount nodes { id } } }' }),
      });
      const body = (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
      expect(performance.now() - started).toBeLessThan(5000);
      expect(response.status).toBe(503);
      expect(body.errors?.[0].extensions?.code).toBe('QUERY_TIMEOUT');
      expect(body.errors?.[0].message).toContain('did not answer within 200 ms');
    } finally {
      await locker.query('ROLLBACK');
    }
    const after = await app.query('{ services(first: 5) { totalCount } }');
    expect(after.errors).toBeUndefined();
  });
});
