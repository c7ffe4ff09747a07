import { badUserInput, shown } from '../errors';
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

/** Longest sort key a cursor carries (an id, a commune's key, a search's distance, id and rank). */
const MAX_KEY_LENGTH = 500;

/**
 * The sort key a cursor carries. A cursor is the client's to send back, not ours to trust: one that does
 * not decode to our envelope, or whose key holds a control character (a NUL byte would fail the statement)
 * or is longer than any key we issue, is a BAD_USER_INPUT, never a statement.
 */
export function decodeCursor(cursor: string, argument = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = decoded.slice(CURSOR_PREFIX.length);
  // eslint-disable-next-line no-control-regex
  if (!decoded.startsWith(CURSOR_PREFIX) || key.length === 0 || key.length > MAX_KEY_LENGTH || /[\u0000-\u001f\u007f\ufffd]/.test(key)) {
    throw badUserInput(argument, `${shown(cursor)} is not a cursor of this API (use a pageInfo.endCursor)`);
  }
  return key;
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
