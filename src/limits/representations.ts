/**
 * Rule: one operation may send at most `maximum` representations (default 1000) to `_entities`, the
 * federation entry point a gateway uses to fetch entities by key, counted over all its `_entities` fields
 * (aliases and fragments included).
 *
 * A plugin, like cost.ts: the representations usually come in a variable (`_entities(representations: $r)`).
 * Variables that do not coerce are left to execution, which refuses them with BAD_USER_INPUT.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  getArgumentValues,
  getVariableValues,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context';
import { queryTooComplex } from '../errors';

/** How many representations the operation's `_entities` fields receive, with these variables (0 when they do not coerce). */
export function representationCount(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  const entities = schema.getQueryType()?.getFields()._entities;
  if (!entities || operation.operation !== 'query') return 0;
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (errors || !coerced) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentCounts = new Map<string, number>(); // each fragment counted once, however often spread
  // `_entities` is a root field: only the operation's top level (through fragments) can hold it.
  const count = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '_entities') continue;
        const { representations } = getArgumentValues(entities, selection, coerced);
        if (Array.isArray(representations)) total += representations.length;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += count(selection.selectionSet, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        if (!fragmentCounts.has(name)) {
          visiting.add(name);
          fragmentCounts.set(name, count(fragment.selectionSet, visiting));
          visiting.delete(name);
        }
        total += fragmentCounts.get(name)!;
      }
    }
    return total;
  };
  return count(operation.selectionSet, new Set());
}

export function representationsPlugin(maximum = 1000): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const count = representationCount(schema, document, operation, request.variables);
          if (count > maximum) {
            throw queryTooComplex('representations', '_entities representation count', count, maximum, `send them in batches of at most ${maximum.toLocaleString('en-US')}`, operation);
          }
        },
      };
    },
  };
}
