/**
 * Rule: an operation's type (`query`, `mutation`, `subscription`) must be one the schema has.
 *
 * Passerelle's API is read-only: its schema has no Mutation nor Subscription type. graphql-js 16 validates
 * `mutation { __typename }` (its KnownOperationTypesRule comes with v17) and then fails to execute it, an error
 * without a code that Apollo Server reported as INTERNAL_SERVER_ERROR. Refused here, during validation:
 * GRAPHQL_VALIDATION_FAILED (HTTP 400), like any document that does not match the schema.
 */
import { GraphQLError, type ValidationRule } from 'graphql';

export const KnownOperationTypeRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(
      new GraphQLError(`the schema has no ${operation.operation} type: Passerelle's API is read-only (send a query)`, { nodes: operation }),
    );
  },
});
