/**
 * Rule: an operation's selections may nest at most `maxDepth` fields deep (default 12).
 *
 * `{ services { nodes { id } } }` is 3 deep. Fragments (named and inline) are followed and add no level of
 * their own. Introspection fields (`__schema`, `__type`, `__typename`) are exempt, with all they select: the
 * schema's own shape bounds them, and the playground's introspection query (`getIntrospectionQuery()`, whose
 * `ofType` chain alone is 9 deep) must pass. Each operation of the document is measured on its own.
 */
import type { LimitDescriptor } from './limit';
import { measureOperation, type Measure, type OperationScope } from './walk';

const depth: Measure<number> = {
  field: ({ node }, selections) => (node.name.value.startsWith('__') ? 0 : 1 + selections()),
  join: (parts) => parts.reduce((deepest, part) => Math.max(deepest, part.value), 0),
};

export function operationDepth(scope: OperationScope): number {
  return measureOperation(scope, depth);
}

export const depthLimit = {
  name: 'depth',
  setting: 'maxDepth',
  phase: 'document',
  what: 'query depth',
  hint: () => 'select fewer nested levels, or follow the links in a second request',
  measure: operationDepth,
} satisfies LimitDescriptor;
