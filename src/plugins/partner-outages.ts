import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';

/**
 * A live partner that could not answer a list does not fail it: the list is served from the store and
 * the other partners, and this plugin adds one PARTNER_UNAVAILABLE error per outage on the list's path.
 */
export function partnerOutagesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (!contextValue?.outages?.length || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.errors = [
            ...(result.errors ?? []),
            ...contextValue.outages.map(({ path, error }) => ({ message: error.message, path, extensions: error.extensions })),
          ];
        },
      };
    },
  };
}
