/**
 * Rule: an operation's estimated cost may be at most `maximum` (default 50,000), checked before it runs.
 *
 * Cost, computed by graphql-query-complexity's getComplexity() with the request's variables:
 * - every field costs 1, plus what it selects;
 * - a connection field (a field with a `first` argument returning a `…Connection` type) multiplies what it
 *   selects by `first` (its default, 50, when not given): `services(first: 1000) { nodes { structure {
 *   services(first: 1000) { nodes { id } } } } }` costs 1 + 1000 × (1 + 1 + (1 + 1000 × 2)) ≈ 2 million;
 * - `_entities(representations:)` multiplies what it selects by the number of representations;
 * - introspection fields count like any other (the playground's introspection query costs a few hundred).
 * When an operation spreads fragments so often that more than MAX_SELECTIONS selections would be
 * evaluated, it is refused without a cost.
 *
 * A plugin rather than a validation rule: validation sees no variables, and `first: $n` is the usual way to
 * ask. It runs at `didResolveOperation` (after validation, before execution). Variables that do not coerce
 * are left to execution, which refuses them with BAD_USER_INPUT.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, getVariableValues, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Context } from '../context';
import { queryTooComplex } from '../errors';
import { DEFAULT_PAGE_SIZE } from '../graph/pagination';

/** Most selections evaluated to compute a cost (fragments count each time they are spread). */
export const MAX_SELECTIONS = 10_000;

const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === 'first') || !getNamedType(field.type).name.endsWith('Connection')) return undefined;
  const first = typeof args.first === 'number' ? Math.max(args.first, 0) : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

const entitiesEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name !== '_entities' || !Array.isArray(args.representations)) return undefined;
  return 1 + args.representations.length * childComplexity;
};

const ESTIMATORS = [connectionEstimator, entitiesEstimator, simpleEstimator({ defaultComplexity: 1 })];

/**
 * The operation's cost with these variables; undefined when the variables do not coerce (execution will
 * say why). Throws QUERY_TOO_COMPLEX when the operation has more than MAX_SELECTIONS selections to evaluate.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number | undefined {
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return undefined;
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      operationName: operation.name?.value,
      estimators: ESTIMATORS,
      // The library throws once this many selections were evaluated: one more than ours.
      maxQueryNodes: MAX_SELECTIONS + 1,
    });
  } catch (error) {
    if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) {
      throw queryTooComplex(
        'cost',
        'selections to evaluate (counted up to the first one past the maximum)',
        MAX_SELECTIONS + 1,
        MAX_SELECTIONS,
        'spread fragments fewer times',
      );
    }
    throw error;
  }
}

export function costPlugin(maximum = 50_000): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables);
          if (cost !== undefined && cost > maximum) {
            throw queryTooComplex('cost', 'query cost', cost, maximum, 'lower first on nested connections', operation);
          }
        },
      };
    },
  };
}
