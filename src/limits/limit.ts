import type { GraphQLError } from 'graphql';
import type { QueryLimit } from '../errors';
import type { QueryLimits } from './defaults';
import type { OperationScope } from './walk';

/** One query limit, described once; `queryLimits()` (index.ts) derives the validation rules and the plugin from the list. */
export interface LimitDescriptor {
  /** `extensions.limit` of its refusals. */
  name: QueryLimit;
  /** The setting that holds its maximum. */
  setting: keyof QueryLimits;
  /**
   * `document`: a validation rule — the document alone decides, and Apollo validates a document once per
   * server and caches the verdict. `request`: it needs the request's variables (`first: $n`,
   * `representations: $r`), so it is checked once the operation is resolved, before it runs.
   */
  phase: 'document' | 'request';
  /** The refusal (QUERY_TOO_COMPLEX) when the operation exceeds `maximum`; undefined when it does not. */
  check(scope: OperationScope, maximum: number): GraphQLError | undefined;
}
