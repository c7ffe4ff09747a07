import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';

/** Adds `extensions.withheld` (see Withheld) to a response from which guarded fields were withheld. */
export function withheldPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (!contextValue?.withheld || contextValue.withheld.empty || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, withheld: contextValue.withheld.toExtension() };
        },
      };
    },
  };
}
