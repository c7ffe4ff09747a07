import type { GraphQLFormattedError } from 'graphql';
import { App } from '../../src/app';
import { createContext } from '../../src/context';
import { createLogger } from '../../src/logger';
import type { Store } from '../../src/store/database';

export interface GraphQLResult<T = any> {
  data?: T;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** An in-process Passerelle over a store: queries run through Apollo, no port. */
export async function createTestApp(store: Store, options: { development?: boolean } = {}) {
  const app = new App({ logger: createLogger('silent'), development: options.development ?? false });
  await app.start();
  app.attachStore(store);
  return {
    app,
    async query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
      const response = await app.apollo.executeOperation({ query, variables }, { contextValue: createContext(store) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as GraphQLResult<T>;
    },
    stop: () => app.stop(),
  };
}
