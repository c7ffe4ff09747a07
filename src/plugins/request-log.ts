import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { errorCode } from '../errors';
import type { Logger } from '../logger';
import { observeGraphQLRequest } from '../metrics';
import { currentRequest } from '../request-scope';
import type { Viewer } from '../auth/viewer';

/**
 * One report per GraphQL request: a log line (request id, operation, caller, duration, error codes, withheld
 * fields, SQL statements and partner calls) and the same figures in the metrics; a refused request with the
 * reason. Never variables, results or tokens: those may carry contact data (courriel, telephone,
 * contact_nom_prenom), and a log is read by more people than the offer's contacts agreed to.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    // A request refused before it started (a token that failed a check): its code and the failed check,
    // never the token.
    async contextCreationDidFail({ error }) {
      const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      const scope = currentRequest();
      observeGraphQLRequest({ operation: null, client: 'anonymous', seconds: 0, errors: [code], sqlStatements: scope?.sqlStatements ?? 0, partnerCalls: scope?.partnerCalls ?? 0 });
      logger.info({ errors: [code], reason: error.message }, 'graphql request refused');
    },
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, operationName, response, errors }) {
          logGraphQLRequest(logger, {
            operation: operationName ?? null,
            viewer: contextValue?.viewer,
            started,
            errors: errors?.map(errorCode),
            withheld: contextValue?.withheld && !contextValue.withheld.empty ? contextValue.withheld.toExtension().fields.map((f) => f.field) : undefined,
            status: response.http.status ?? 200,
          });
        },
      };
    },
  };
}

/** The one report per GraphQL request, whoever answered it (Apollo Server or a compiled read). */
export function logGraphQLRequest(
  logger: Logger,
  request: { operation: string | null; viewer?: Viewer; started: number; errors?: string[]; withheld?: string[]; status: number },
): void {
  const { viewer } = request;
  const scope = currentRequest();
  const client = viewer?.kind === 'client' ? viewer.clientId : 'anonymous';
  const ms = performance.now() - request.started;
  const sqlStatements = scope?.sqlStatements ?? 0;
  const partnerCalls = scope?.partnerCalls ?? 0;
  observeGraphQLRequest({ operation: request.operation, client, seconds: ms / 1000, errors: request.errors, sqlStatements, partnerCalls });
  logger.info(
    {
      operation: request.operation,
      client,
      ms: Math.round(ms),
      errors: request.errors,
      withheld: request.withheld,
      status: request.status,
      sql: sqlStatements,
      partnerCalls,
    },
    'graphql request',
  );
}
