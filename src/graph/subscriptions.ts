import { GraphQLError } from 'graphql';
import { ErrorCode, badUserInput } from '../errors';
import type { Resolvers } from '../generated/graphql';
import type { FeedChange } from '../exports/change-feed';
import type { Context } from '../context';
import { matchesFilter, parseChangeFilter } from '../webhooks/filter';

const OVER_WEBSOCKET = 'subscriptions are served over WebSocket (the graphql-ws protocol) at /graphql';

/**
 * `offerChanged`: the process's change stream (src/live/change-stream.ts), filtered as webhooks are. Each event
 * renews the subscription's loaders (records as they are now) and withheld set, and its `service` / `structure`
 * go through the same loaders and auth directive as any query.
 */
export const subscriptionResolvers: Resolvers = {
  Subscription: {
    offerChanged: {
      subscribe: (_, { filter }, ctx) => {
        if (!ctx.liveChanges) throw new GraphQLError(OVER_WEBSOCKET, { extensions: { code: ErrorCode.BAD_REQUEST } });
        const given = Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null && value !== undefined));
        if (Array.isArray(given.entities)) given.entities = (given.entities as string[]).map((e) => e.toLowerCase());
        const parsed = parseChangeFilter(given);
        if (!parsed.ok) throw badUserInput('filter', parsed.message);
        return ctx.liveChanges((change) => matchesFilter(parsed.filter, change));
      },
      resolve: (change: FeedChange | undefined, _args: unknown, ctx: Context) => {
        // Executed as a query (a subscription POSTed over HTTP): there is no event.
        if (!change) throw new GraphQLError(OVER_WEBSOCKET, { extensions: { code: ErrorCode.BAD_REQUEST } });
        ctx.renew();
        return change;
      },
    },
  },
  OfferChange: {
    id: (c) => c.id,
    entity: (c) => (c.entity === 'structure' ? 'STRUCTURE' : 'SERVICE'),
    action: (c) => (c.action === 'created' ? 'CREATED' : c.action === 'updated' ? 'UPDATED' : 'DELETED'),
    service: (c, _, ctx) => (c.entity === 'service' && c.operation === 'UPSERT' ? ctx.loaders.serviceById.load(c.id) : null),
    structure: (c, _, ctx) => (c.entity === 'structure' && c.operation === 'UPSERT' ? ctx.loaders.structureById.load(c.id) : null),
  },
};
