/**
 * Rule: an operation may hold at most `maximum` aliases (default 30).
 *
 * Aliases let one request run the same field many times (`a1: service(id: …) … a500: service(id: …)`), each
 * with its own arguments: alias amplification. Every aliased field counts, at any depth; a fragment counts
 * its aliases each time it is spread (`...F` spread 3 times with 10 aliases inside: 30). Each operation of
 * the document is counted on its own. Asking for many records is what list fields are for
 * (`services(filter: …)`, `_entities(representations: […])`).
 */
import { Kind, type SelectionSetNode, type ValidationRule } from 'graphql';
import { queryTooComplex } from '../errors';

export function maxAliasesRule(maximum = 30): ValidationRule {
  return (context) => {
    const fragmentAliases = new Map<string, number>();
    const aliasesIn = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) count += 1;
          if (selection.selectionSet) count += aliasesIn(selection.selectionSet, visiting);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += aliasesIn(selection.selectionSet, visiting);
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          if (!fragment || visiting.has(name)) continue; // cycles and unknown fragments: other rules report them
          if (!fragmentAliases.has(name)) {
            visiting.add(name);
            fragmentAliases.set(name, aliasesIn(fragment.selectionSet, visiting));
            visiting.delete(name);
          }
          count += fragmentAliases.get(name)!;
        }
      }
      return count;
    };
    return {
      OperationDefinition(operation) {
        const count = aliasesIn(operation.selectionSet, new Set());
        if (count > maximum) {
          context.reportError(
            queryTooComplex('aliases', 'alias count', count, maximum, 'ask for many records with one list field (services(filter:), _entities) rather than one alias each', operation),
          );
        }
      },
    };
  };
}
