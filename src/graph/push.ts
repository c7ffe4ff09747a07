import type { Resolvers } from '../generated/graphql';

/**
 * The producer write API's mutations: thin, as every resolver — the request's `writes` (src/context.ts →
 * src/ingest/push.ts) checks the token's `import` scope, the sources and the limits, and writes as the import does.
 * Apollo Server runs no mutation sent with GET (its own rule), so a link or an <img> cannot write.
 */
export const pushResolvers: Resolvers = {
  Mutation: {
    upsertStructures: (_, { input, source }, ctx) => ctx.writes.push('structure', input, source),
    upsertServices: (_, { input, source }, ctx) => ctx.writes.push('service', input, source),
    deleteServices: (_, { ids }, ctx) => ctx.writes.deleteServices(ids),
  },
};
