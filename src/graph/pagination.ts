import { badUserInput } from '../errors';
import type { Page } from '../store/offer-filter';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits/defaults';
import type { ConnectionModel } from './models';

/**
 * Cursors are opaque to clients: base64url of a versioned sort key. Pages are ordered by a unique,
 * immutable key (the id, or the code), so a cursor stays valid while records change.
 */
const CURSOR_PREFIX = 'k1:';

export function encodeCursor(key: string): string {
  return Buffer.from(CURSOR_PREFIX + key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, argument = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX) || decoded.length === CURSOR_PREFIX.length) {
    throw badUserInput(argument, `"${cursor}" is not a cursor of this API (use a pageInfo.endCursor)`);
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

export interface PageArgs {
  first: number;
  afterKey?: string;
}

export function pageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be between 0 and ${MAX_PAGE_SIZE} (got ${first})`);
  }
  return { first, afterKey: args.after == null ? undefined : decodeCursor(args.after) };
}

export function connection<T>(page: Page<T>, keyOf: (item: T) => string, count: () => Promise<number>): ConnectionModel<T> {
  return { items: page.items, hasNextPage: page.hasNextPage, cursorOf: (item) => encodeCursor(keyOf(item)), count };
}
