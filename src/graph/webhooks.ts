import { InputError, badUserInput } from '../errors';
import type { Resolvers } from '../generated/graphql';

/** A client's own webhooks (src/webhooks/endpoints.ts through the request's `webhooks`). */
export const webhookResolvers: Resolvers = {
  Query: {
    webhooks: (_, __, ctx) => ctx.webhooks.list(),
  },
  Mutation: {
    createWebhook: async (_, { url, filter }, ctx) => {
      const given = Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null && value !== undefined));
      if (Array.isArray(given.entities)) given.entities = (given.entities as string[]).map((e) => e.toLowerCase());
      try {
        return await ctx.webhooks.create(url, given);
      } catch (error) {
        if (error instanceof InputError) throw badUserInput(error.message.startsWith('filter') ? 'filter' : 'url', error.message.replace(/^(url|filter): /, ''));
        throw error;
      }
    },
    deleteWebhook: (_, { id }, ctx) => ctx.webhooks.remove(id),
  },
  Webhook: {
    filter: (hook) => hook.filter as Record<string, unknown>,
  },
};
