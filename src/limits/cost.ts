/**
 * Rule: an operation's estimated cost may be at most `maxCost` (default 50,000), checked before it runs.
 *
 * Cost, computed with the request's variables:
 * - every field costs 1, plus what it selects;
 * - a connection field (a field with a `first` argument returning a `…Connection` type) multiplies what it
 *   selects by `first` (its default, 50, when not given): `services(first: 1000) { nodes { structure {
 *   services(first: 1000) { nodes { id } } } } }` costs 1 + 1000 × (1 + 1 + (1 + 1000 × 2)) ≈ 2 million;
 * - `_entities(representations:)` multiplies what it selects by the number of representations;
 * - where a selection's type is abstract (`_entities` returns a union), it costs what its most expensive
 *   possible type selects (`... on Service { … } ... on Commune { … }`: the larger of the two);
 * - introspection fields count like any other (the playground's introspection query costs a few hundred);
 * - a selection that `@skip`/`@include` leaves out costs nothing.
 * When an operation spreads fragments so often that more than MAX_SELECTIONS selections would be
 * evaluated, it is refused without a cost.
 *
 * Checked per request rather than per document: validation sees no variables, and `first: $n` is the usual
 * way to ask. Variables that do not coerce are left to execution, which refuses them with BAD_USER_INPUT.
 */
import { getNamedType, isAbstractType, type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { queryTooComplex } from '../errors';
import { DEFAULT_PAGE_SIZE } from './defaults';
import type { LimitDescriptor } from './limit';
import { measureOperation, requestScope, type Measure, type OperationScope } from './walk';

/** Most selections evaluated to compute a cost (fragments count each time they are spread). */
export const MAX_SELECTIONS = 10_000;

/** Selections (fields and fragments) the operation holds once every fragment spread is expanded. */
const selections: Measure<number> = {
  field: (_field, inner) => 1 + inner(),
  join: (parts) => parts.reduce((count, part) => count + part.value + (part.kind === 'fragment' ? 1 : 0), 0),
};

function costMeasure(schema: GraphQLSchema): Measure<number> {
  return {
    field({ definition, args }, inner) {
      if (!definition) return 0;
      const values = args() ?? {};
      const returned = getNamedType(definition.type);
      if (definition.args.some((arg) => arg.name === 'first') && returned.name.endsWith('Connection')) {
        const first = typeof values.first === 'number' ? Math.max(values.first, 0) : DEFAULT_PAGE_SIZE;
        return 1 + first * inner();
      }
      if (definition.name === '_entities' && Array.isArray(values.representations)) return 1 + values.representations.length * inner();
      return 1 + inner();
    },
    join(parts) {
      const byType = new Map<string, number>();
      for (const part of parts) {
        if (!part.type) continue;
        const possible = isAbstractType(part.type) ? schema.getPossibleTypes(part.type) : [part.type];
        for (const type of possible) byType.set(type.name, (byType.get(type.name) ?? 0) + part.value);
      }
      let most = 0;
      for (const cost of byType.values()) most = Math.max(most, cost);
      return most;
    },
  };
}

/** The cost of the operation in this scope, or the refusal of an operation with too many selections to evaluate. */
function costOrRefusal(scope: OperationScope): number | GraphQLError {
  if (measureOperation(scope, selections) > MAX_SELECTIONS) {
    return queryTooComplex(
      'cost',
      'selections to evaluate (counted up to the first one past the maximum)',
      MAX_SELECTIONS + 1,
      MAX_SELECTIONS,
      'spread fragments fewer times',
    );
  }
  return measureOperation(scope, costMeasure(scope.schema));
}

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
  const scope = requestScope(schema, document, operation, variables);
  if (!scope) return undefined;
  const cost = costOrRefusal(scope);
  if (typeof cost !== 'number') throw cost;
  return cost;
}

export const costLimit = {
  name: 'cost',
  setting: 'maxCost',
  phase: 'request',
  what: 'query cost',
  hint: () => 'lower first on nested connections',
  measure: costOrRefusal,
} satisfies LimitDescriptor;
