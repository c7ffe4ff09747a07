import type { ConnectionModel } from './models';

/** The fields every connection type has, derived from one page model. */
export function connectionResolvers<T>() {
  return {
    totalCount: (c: ConnectionModel<T>) => c.count(),
    nodes: (c: ConnectionModel<T>) => c.items,
    edges: (c: ConnectionModel<T>) => c.items.map((node) => ({ cursor: c.cursorOf(node), node })),
    pageInfo: (c: ConnectionModel<T>) => ({
      hasNextPage: c.hasNextPage,
      startCursor: c.items.length ? c.cursorOf(c.items[0]) : null,
      endCursor: c.items.length ? c.cursorOf(c.items[c.items.length - 1]) : null,
    }),
  };
}
