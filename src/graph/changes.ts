import type { Resolvers } from '../generated/graphql';
import { GraphQLError } from 'graphql';
import { ErrorCode, badUserInput } from '../errors';
import { ChangeCursorError, MAX_FEED_PAGE } from '../store/changes';

/** `Query.changes`: the change feed (src/store/changes.ts), public as the exports whatever the token. */
export const changeResolvers: Resolvers = {
  Query: {
    changes: async (_, { since, first }, ctx) => {
      const size = first ?? 1000;
      if (!Number.isInteger(size) || size < 1 || size > MAX_FEED_PAGE) throw badUserInput('first', `must be from 1 to ${MAX_FEED_PAGE}, not ${size}`);
      try {
        return await ctx.changeFeed(since ?? undefined, size);
      } catch (error) {
        if (error instanceof ChangeCursorError) {
          if (error.kind === 'invalid') throw badUserInput('since', error.message);
          throw new GraphQLError(`since: ${error.message}`, { extensions: { code: ErrorCode.CHANGES_CURSOR_EXPIRED, argument: 'since' } });
        }
        throw error;
      }
    },
  },
  Change: {
    entity: (c) => (c.entity === 'structure' ? 'STRUCTURE' : 'SERVICE'),
  },
  ChangeConnection: {
    nodes: (page) => page.changes,
    pageInfo: (page) => ({ hasNextPage: page.hasMore, endCursor: page.endCursor, startCursor: page.changes[0]?.cursor ?? null }),
  },
};
