import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { errorCode } from '../errors';
import type { Logger } from '../logger';

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
          const viewer = contextValue?.viewer;
          logger.info(
            {
              operation: operationName ?? null,
              client: viewer?.kind === 'client' ? viewer.clientId : 'anonymous',
              ms: Math.round(performance.now() - started),
              errors: errors?.map(errorCode),
              withheld: contextValue?.withheld && !contextValue.withheld.empty ? contextValue.withheld.toExtension().fields.map((f) => f.field) : undefined,
              status: response.http.status ?? 200,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
