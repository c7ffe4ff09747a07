import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { errorCode } from '../errors';
import type { Logger } from '../logger';
import type { Viewer } from '../auth/viewer';

/**
 * One log line per GraphQL request: operation, caller (client id or anonymous), duration, error codes and
 * withheld fields; a refused request with the reason. Never variables, results or tokens: those may carry contact data.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    // A request refused before it started (a token that failed a check): its code and the failed check,
    // never the token.
    async contextCreationDidFail({ error }) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR';
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

/** The one line logged per GraphQL request, whoever answered it (Apollo Server or a compiled read). */
export function logGraphQLRequest(
  logger: Logger,
  request: { operation: string | null; viewer?: Viewer; started: number; errors?: string[]; withheld?: string[]; status: number },
): void {
  const { viewer } = request;
  logger.info(
    {
      operation: request.operation,
      client: viewer?.kind === 'client' ? viewer.clientId : 'anonymous',
      ms: Math.round(performance.now() - request.started),
      errors: request.errors,
      withheld: request.withheld,
      status: request.status,
    },
    'graphql request',
  );
}
