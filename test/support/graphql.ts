import type { GraphQLFormattedError } from 'graphql';
import { App, type AppOptions } from '../../src/app';
import { createLogger } from '../../src/logger';
import type { Store } from '../../src/store/database';

export interface GraphQLResult<T = any> {
  data?: T;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, any>;
}

/**
 * Passerelle over a store, for tests: `query` runs in-process through Apollo (with the same context as
 * HTTP: token → viewer → access), `post` goes over real HTTP on a free loopback port.
 */
export async function createTestApp(store: Store, options: Partial<AppOptions> = {}) {
  const app = new App({ logger: createLogger('silent'), development: false, ...options });
  await app.start();
  app.attachStore(store);
  let port: number | undefined;
  return {
    app,
    /** The GraphQL endpoint over real HTTP (`http://127.0.0.1:<port>/graphql`); starts listening on first call. */
    async url(): Promise<string> {
      port ??= await app.listen(0, '127.0.0.1');
      return `http://127.0.0.1:${port}/graphql`;
    },
    async query<T = any>(query: string, variables?: Record<string, unknown>, authorization?: string): Promise<GraphQLResult<T>> {
      const contextValue = await app.contextFor(store, authorization);
      const response = await app.apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as GraphQLResult<T>;
    },
    async post(query: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; body: GraphQLResult; headers: Headers }> {
      port ??= await app.listen(0, '127.0.0.1');
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as GraphQLResult, headers: response.headers };
    },
    stop: () => app.stop(),
  };
}
