/**
 * Rule: an operation may hold at most `maxAliases` aliases (default 100).
 *
 * Aliases let one request run the same field many times (`a1: service(id: …) … a500: service(id: …)`), each
 * with its own arguments: alias amplification. Every aliased field counts, at any depth; a fragment counts
 * its aliases each time it is spread (`...F` spread 3 times with 10 aliases inside: 30). Each operation of
 * the document is counted on its own. The default lets a front end fetch a page of records by id in one
 * request (50 aliases of `service(id:)`), the cost limit bounding what each one selects; asking for many
 * more records is what list fields are for (`services(filter: …)`, `_entities(representations: […])`).
 */
import type { LimitDescriptor } from './limit';
import { measureOperation, type Measure, type OperationScope } from './walk';

const aliases: Measure<number> = {
  field: ({ node }, selections) => (node.alias ? 1 : 0) + selections(),
  join: (parts) => parts.reduce((count, part) => count + part.value, 0),
};

export function aliasCount(scope: OperationScope): number {
  return measureOperation(scope, aliases);
}

export const aliasesLimit = {
  name: 'aliases',
  setting: 'maxAliases',
  phase: 'document',
  what: 'alias count',
  hint: () => 'ask for many records with one list field (services(filter:), _entities) rather than one alias each',
  measure: aliasCount,
} satisfies LimitDescriptor;
