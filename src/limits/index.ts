/**
 * Query limits: what one request may ask of a public API, and what its arguments may hold. Each limit is a module of its own, with its rule
 * in its header, described once (`LimitDescriptor`: its name, its setting, its phase, its check) and
 * measured by the one walk of walk.ts. `queryLimits()` turns the list into what Apollo Server takes: the
 * `document` limits (depth, aliases) as graphql-js validation rules, the `request` limits
 * (representations, cost), which need the request's variables, as one plugin. Every refusal is a
 * QUERY_TOO_COMPLEX error (HTTP 400). Two checks that are not limits run beside them: the operation's type
 * must exist (operation-type.ts, a validation rule: the API has no mutation) and every argument value must be
 * well-formed (arguments.ts, with the request's variables, after the limits: BAD_USER_INPUT, HTTP 400).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, ValidationRule } from 'graphql';
import type { QueryLimit } from '../errors';
import { argumentRefusal } from './arguments';
import { aliasesLimit } from './aliases';
import { costLimit } from './cost';
import { DEFAULT_LIMITS, type QueryLimits } from './defaults';
import { depthLimit } from './depth';
import { KnownOperationTypeRule } from './operation-type';
import { refusalOf, type LimitDescriptor } from './limit';
import { representationsLimit } from './representations';
import { requestScope, validationScope } from './walk';

/** Every query limit, in the order they are checked (within a phase: the first refusal is the one reported). */
export const QUERY_LIMITS = [depthLimit, aliasesLimit, representationsLimit, costLimit] as const satisfies readonly LimitDescriptor[];

// The compiler keeps the list in step with errors.ts's limit names and with the settings: one limit for each.
type Listed = (typeof QUERY_LIMITS)[number];
const everyLimitListed: [Exclude<QueryLimit, Listed['name']>, Exclude<keyof QueryLimits, Listed['setting']>] extends [never, never] ? true : never = true;
void everyLimitListed;

/** A `document` limit as a graphql-js validation rule: each operation of the document is measured on its own. */
export function validationRule(limit: LimitDescriptor, maximum: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const refusal = refusalOf(limit, validationScope(context, operation), maximum);
      if (refusal) context.reportError(refusal);
    },
  });
}

type RequestLimits = readonly { limit: LimitDescriptor; maximum: number }[];

/**
 * The first refusal of the `request` limits for one operation and its variables, or else of its argument
 * values (arguments.ts), or undefined. Variables that do not coerce are left to execution, which refuses
 * them (BAD_USER_INPUT).
 */
export function requestLimitRefusal(
  limits: RequestLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | undefined {
  const scope = requestScope(schema, document, operation, variables);
  if (!scope) return undefined;
  for (const { limit, maximum } of limits) {
    const refusal = refusalOf(limit, scope, maximum);
    if (refusal) return refusal;
  }
  return argumentRefusal(scope);
}

/** The `request` limits as one Apollo Server plugin: checked once the operation is resolved, before it runs. */
export function requestLimitsPlugin(limits: RequestLimits): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const refusal = requestLimitRefusal(limits, schema, document, operation, request.variables);
          if (refusal) throw refusal;
        },
      };
    },
  };
}

/**
 * What Apollo Server needs to apply every query limit (`validationRules`, `plugins`), and the same limits
 * for a caller that runs an operation outside Apollo's pipeline (`requestRefusal`); a setting not given
 * takes its default (DEFAULT_LIMITS).
 */
export function queryLimits(settings: Partial<QueryLimits> = {}): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<BaseContext>[];
  requestRefusal(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): GraphQLError | undefined;
} {
  const maxima = { ...DEFAULT_LIMITS, ...settings };
  const limits = QUERY_LIMITS.map((limit) => ({ limit, maximum: maxima[limit.setting] }));
  const requestLimits = limits.filter(({ limit }) => limit.phase === 'request');
  return {
    validationRules: [
      KnownOperationTypeRule,
      ...limits.filter(({ limit }) => limit.phase === 'document').map(({ limit, maximum }) => validationRule(limit, maximum)),
    ],
    plugins: [requestLimitsPlugin(requestLimits)],
    requestRefusal: (schema, document, operation, variables) => requestLimitRefusal(requestLimits, schema, document, operation, variables),
  };
}

export { depthLimit, operationDepth } from './depth';
export { aliasesLimit, aliasCount } from './aliases';
export { costLimit, operationCost, MAX_SELECTIONS, COUNT_COST } from './cost';
export { argumentRefusal, MAX_LIST_LENGTH, MAX_STRING_LENGTH } from './arguments';
export { representationsLimit, representationCount } from './representations';
export type { LimitDescriptor } from './limit';
export { DEFAULT_LIMITS, type QueryLimits } from './defaults';
