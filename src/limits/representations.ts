/**
 * Rule: one operation may send at most `maxRepresentations` representations (default 1000) to `_entities`,
 * the federation entry point a gateway uses to fetch entities by key, counted over all its `_entities` fields
 * (aliases and fragments included).
 *
 * Checked per request, like cost.ts: the representations usually come in a variable
 * (`_entities(representations: $r)`). Variables that do not coerce are left to execution, which refuses them
 * with BAD_USER_INPUT.
 */
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { LimitDescriptor } from './limit';
import { measureOperation, requestScope, type Measure, type OperationScope } from './walk';

// `_entities` is a root field: the operation's top level (through fragments) is all there is to walk.
const representations: Measure<number> = {
  field({ definition, args }) {
    if (definition?.name !== '_entities') return 0;
    const { representations: sent } = args() ?? {};
    return Array.isArray(sent) ? sent.length : 0;
  },
  join: (parts) => parts.reduce((count, part) => count + part.value, 0),
};

function countIn(scope: OperationScope): number {
  return scope.operation.operation === 'query' ? measureOperation(scope, representations) : 0;
}

/** How many representations the operation's `_entities` fields receive, with these variables (0 when they do not coerce). */
export function representationCount(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  const scope = requestScope(schema, document, operation, variables);
  return scope ? countIn(scope) : 0;
}

export const representationsLimit = {
  name: 'representations',
  setting: 'maxRepresentations',
  phase: 'request',
  what: '_entities representation count',
  hint: (maximum) => `send them in batches of at most ${maximum.toLocaleString('en-US')}`,
  measure: countIn,
} satisfies LimitDescriptor;
