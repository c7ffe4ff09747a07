import { parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../../src/graph';
import { DEFAULT_LIMITS, QUERY_LIMITS, aliasCount, operationCost, operationDepth, queryLimits } from '../../src/limits';
import { documentScope, requestScope } from '../../src/limits/walk';

// The walk every limit measures with (src/limits/walk.ts), seen through the limits that use it.
const schema = buildSchema();
const operationOf = (query: string) => {
  const document = parse(query);
  return { document, operation: document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')! };
};
const whileValidating = (query: string) => {
  const { document, operation } = operationOf(query);
  return documentScope(schema, document, operation);
};
const withVariables = (query: string, variables: Record<string, unknown> = {}) => {
  const { document, operation } = operationOf(query);
  return requestScope(schema, document, operation, variables)!;
};

describe('the walk of an operation', () => {
  test('a named fragment is measured once however often it is spread: an exponential expansion is measured at once', () => {
    // 2^60 aliased fields once expanded, 62 definitions to read.
    const query = `{ sources { ...F0 } } ${Array.from({ length: 60 }, (_, i) => `fragment F${i} on Source { ...F${i + 1} ...F${i + 1} }`).join('\n')} fragment F60 on Source { a: slug }`;
    const started = Date.now();
    expect(aliasCount(whileValidating(query))).toBe(2 ** 60);
    expect(operationDepth(whileValidating(query))).toBe(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('fragments spread inside themselves and unknown fragments are skipped (other rules report them)', () => {
    const query = '{ sources { ...A ...Missing } } fragment A on Source { a: slug ...B } fragment B on Source { b: nom ...A }';
    expect(aliasCount(whileValidating(query))).toBe(2);
  });

  test('inline fragments, with or without a type condition, add what they select', () => {
    expect(aliasCount(whileValidating('{ sources { ... { a: slug } ... on Source { b: nom } } }'))).toBe(2);
    expect(operationDepth(whileValidating('{ sources { ... { ... on Source { slug } } } }'))).toBe(2);
  });

  test("with the request's variables, what @skip or @include leaves out is not measured; while validating, everything is", () => {
    const query = 'query($full: Boolean!) { services(first: 1000) @include(if: $full) { nodes { id } } sources @skip(if: $full) { a: slug } }';
    expect(operationCost(schema, operationOf(query).document, operationOf(query).operation, { full: false })).toBe(2);
    expect(operationCost(schema, operationOf(query).document, operationOf(query).operation, { full: true })).toBe(1 + 1000 * 2);
    expect(aliasCount(withVariables(query, { full: true }))).toBe(0);
    expect(aliasCount(withVariables(query, { full: false }))).toBe(1);
    expect(aliasCount(whileValidating(query))).toBe(1);
    expect(operationDepth(whileValidating(query))).toBe(3);
  });

  test('variables that do not coerce give no scope (execution refuses them)', () => {
    const { document, operation } = operationOf('query($n: Int) { services(first: $n) { nodes { id } } }');
    expect(requestScope(schema, document, operation, { n: 'many' })).toBeUndefined();
  });
});

describe('queryLimits', () => {
  test('one descriptor per limit; the document limits become validation rules, the request limits one plugin', () => {
    expect(QUERY_LIMITS.map((limit) => [limit.name, limit.setting, limit.phase])).toEqual([
      ['depth', 'maxDepth', 'document'],
      ['aliases', 'maxAliases', 'document'],
      ['representations', 'maxRepresentations', 'request'],
      ['cost', 'maxCost', 'request'],
    ]);
    const { validationRules, plugins } = queryLimits();
    // The known-operation-type rule, then depth and aliases.
    expect(validationRules).toHaveLength(3);
    expect(plugins).toHaveLength(1);
  });

  test('defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxDepth: 12, maxAliases: 100, maxCost: 50_000, maxRepresentations: 1000 });
  });
});
