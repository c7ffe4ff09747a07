/**
 * Rule: an operation's selections may nest at most `maximum` fields deep (default 12).
 *
 * `{ services { nodes { id } } }` is 3 deep. Fragments (named and inline) are followed and add no level of
 * their own. Introspection fields (`__schema`, `__type`, `__typename`) are exempt, with all they select: the
 * schema's own shape bounds them, and the playground's introspection query (`getIntrospectionQuery()`, whose
 * `ofType` chain alone is 9 deep) must pass. Each operation of the document is measured on its own.
 */
import { Kind, type SelectionSetNode, type ValidationRule } from 'graphql';
import { queryTooComplex } from '../errors';

export function maxDepthRule(maximum = 12): ValidationRule {
  return (context) => {
    // Depth of each fragment's selections, measured once however many times it is spread.
    const fragmentDepths = new Map<string, number>();
    const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        let depth = 0;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          depth = depthOf(selection.selectionSet, visiting);
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          // A fragment cycle is NoFragmentCyclesRule's to report; an unknown fragment, KnownFragmentNamesRule's.
          if (!fragment || visiting.has(name)) continue;
          if (!fragmentDepths.has(name)) {
            visiting.add(name);
            fragmentDepths.set(name, depthOf(fragment.selectionSet, visiting));
            visiting.delete(name);
          }
          depth = fragmentDepths.get(name)!;
        }
        deepest = Math.max(deepest, depth);
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > maximum) {
          context.reportError(
            queryTooComplex('depth', 'query depth', depth, maximum, 'select fewer nested levels, or follow the links in a second request', operation),
          );
        }
      },
    };
  };
}
