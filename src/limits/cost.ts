/**
 * Rule: an operation's estimated cost may be at most `maxCost` (default 50,000), checked before it runs.
 *
 * The cost follows what execution does: the rows the store reads and the fields resolved. Computed with
 * the request's variables:
 * - every field costs 1, plus what it selects;
 * - a connection field (a field with a `first` argument returning a `…Connection` type) multiplies what it
 *   selects by `first` (its default, 50, when not given; at least 1: a page of `first: 0` still runs its
 *   statement and reads a row to know `hasNextPage`): `services(first: 1000) { nodes { structure {
 *   services(first: 1000) { nodes { id } } } } }` costs 1 + 1000 × (1 + 1 + (1 + 1000 × 2)) ≈ 2 million;
 * - `totalCount` costs what counting costs: a COUNT reads every row the connection's filter keeps, however
 *   few `first` shows, so it is charged COUNT_COST (100, as reading 100 records), once per connection
 *   and whatever `first` is (`first: 0` does not zero it): `{ services(first: 20) { totalCount nodes { id } } }`
 *   costs 1 + 20 × (1 + 2) + 100;
 * - a connection under a list field multiplies by what the list may hold: under a connection's `nodes` or
 *   `edges`, by `first` (above); under `_entities`, by the number of representations; under any other list
 *   (`Region.departements`, `Service.zoneEligibilite`, `Structure.doublons`), by its bound in LIST_BOUNDS
 *   (the default page, 50, when it has none). Only the connections inside are multiplied: a list's scalar
 *   fields cost 1 each, as before, so `nomenclatures` and introspection stay cheap;
 * - a connection costs at least CONNECTION_FLOOR (10) each time it runs, however little it selects;
 * - `_entities(representations:)` multiplies what it selects by the number of representations;
 * - where a selection's type is abstract (`_entities` returns a union), it costs what its most expensive
 *   possible type selects (`... on Service { … } ... on Commune { … }`: the larger of the two);
 * - introspection fields count like any other (the playground's introspection query costs a few hundred);
 * - a selection that `@skip`/`@include` leaves out costs nothing.
 * When an operation spreads fragments so often that more than MAX_SELECTIONS selections would be
 * evaluated, it is refused without a cost.
 *
 * Why `totalCount` is not 1: `communes(first: 1000) { nodes { a0: services(first: 0, filter: …) { totalCount }
 * … a29: … } }` cost 32,001 under the former rule and ran 30 grouped COUNTs over the offer, 11.6 s on the
 * embedded store (whose statements block its thread: /healthz waited with it). It now costs about 30 million.
 *
 * Checked per request rather than per document: validation sees no variables, and `first: $n` is the usual
 * way to ask. Variables that do not coerce are left to execution, which refuses them with BAD_USER_INPUT.
 */
import { getNamedType, getNullableType, isAbstractType, isListType, type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { queryTooComplex } from '../errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './defaults';
import type { LimitDescriptor } from './limit';
import { measureOperation, requestScope, type Measure, type OperationScope } from './walk';

/** Most selections evaluated to compute a cost (fragments count each time they are spread). */
export const MAX_SELECTIONS = 10_000;

/** Selections (fields and fragments) the operation holds once every fragment spread is expanded. */
const selections: Measure<number> = {
  field: (_field, inner) => 1 + inner(),
  join: (parts) => parts.reduce((count, part) => count + part.value + (part.kind === 'fragment' ? 1 : 0), 0),
};

/**
 * What counting a connection's rows (`totalCount`) costs: as reading 100 records. A COUNT reads the matching
 * rows' index entries but builds and sends no record; under a list of parents it is one grouped statement for
 * all of them, so a counsellor's page of 50 communes with their services' counts (≈ 5,000) stays well within
 * the limit, while 30 aliased counts under 1,000 communes (≈ 3 million) do not.
 */
export const COUNT_COST = 100;

/**
 * What a connection costs at least, each time it runs, however little it selects: its page is a statement of
 * its own (grouped per parent under a list), and such a statement's time grows with the parents it serves. On
 * the embedded store, 15 aliased `services(first: 1) { nodes { id } }` under 1,000 communes (3 per connection
 * per parent before this floor, 47,001 in all) held the server for 3.8 s; with the floor they cost 10 each, and
 * the request is refused.
 */
export const CONNECTION_FLOOR = 10;

/**
 * How many items a list field (other than a connection's `nodes`/`edges` and `_entities`) may hold, for the
 * connections it selects: a région has at most 13 départements. Lists not named here count DEFAULT_PAGE_SIZE.
 */
export const LIST_BOUNDS: Readonly<Record<string, number>> = { 'Region.departements': 13 };

/**
 * A selection's cost (`total`), the part of it that connections inside make (`connections`: what a list
 * above multiplies), and `count`: COUNT_COST when `totalCount` is selected right here (its connection adds it once).
 */
interface Cost {
  total: number;
  connections: number;
  count: number;
}

const field = (total: number, connections = 0): Cost => ({ total, connections, count: 0 });

function costMeasure(schema: GraphQLSchema): Measure<Cost> {
  return {
    field({ definition, args, parent }, inner) {
      if (!definition) return field(0);
      const returned = getNamedType(definition.type);
      const onConnection = parent?.name.endsWith('Connection') ?? false;
      if (onConnection && definition.name === 'totalCount') return { total: 1, connections: 0, count: COUNT_COST };
      const isConnection = definition.args.some((arg) => arg.name === 'first') && returned.name.endsWith('Connection');
      if (isConnection) {
        const { first } = args() ?? {};
        const rows = typeof first === 'number' ? Math.max(first, 1) : DEFAULT_PAGE_SIZE;
        const selected = inner();
        const total = Math.max(CONNECTION_FLOOR, 1 + rows * selected.total + (selected.count > 0 ? COUNT_COST : 0));
        return field(total, total);
      }
      if (definition.name === '_entities') {
        const { representations } = args() ?? {};
        const count = Array.isArray(representations) ? representations.length : 0;
        const selected = inner();
        return field(1 + count * selected.total, count * selected.connections);
      }
      const selected = inner();
      if (!onConnection && parent && isListType(getNullableType(definition.type))) {
        const bound = LIST_BOUNDS[`${parent.name}.${definition.name}`] ?? DEFAULT_PAGE_SIZE;
        return field(1 + selected.total + (bound - 1) * selected.connections, bound * selected.connections);
      }
      return field(1 + selected.total, selected.connections);
    },
    join(parts) {
      const byType = new Map<string, Cost>();
      for (const part of parts) {
        if (!part.type) continue;
        const possible = isAbstractType(part.type) ? schema.getPossibleTypes(part.type) : [part.type];
        for (const type of possible) {
          const sum = byType.get(type.name) ?? field(0);
          byType.set(type.name, { total: sum.total + part.value.total, connections: sum.connections + part.value.connections, count: sum.count + part.value.count });
        }
      }
      let most = field(0);
      for (const cost of byType.values()) if (cost.total > most.total) most = cost;
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
  return measureOperation(scope, costMeasure(scope.schema)).total;
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
