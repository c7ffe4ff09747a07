import type { GraphQLError } from 'graphql';
import { queryTooComplex, type QueryLimit } from '../errors';
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
  /** What is measured, as refusals name it (`query depth`, `alias count`…). */
  what: string;
  /** What the client can do instead, said with each refusal. */
  hint(maximum: number): string;
  /** The operation's measure, or a refusal of its own when it cannot be measured (cost's selection guard). */
  measure(scope: OperationScope): number | GraphQLError;
}

/** The one comparison of a measure with its maximum: the refusal (QUERY_TOO_COMPLEX), or undefined. */
export function refusalOf(limit: LimitDescriptor, scope: OperationScope, maximum: number): GraphQLError | undefined {
  const value = limit.measure(scope);
  if (typeof value !== 'number') return value;
  if (value <= maximum) return undefined;
  return queryTooComplex(limit.name, limit.what, value, maximum, limit.hint(maximum), scope.operation);
}
