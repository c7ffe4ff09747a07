import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors';
import type { FreshnessThresholds } from '../quality/freshness';
import { ChangeCursorError, MAX_FEED_PAGE } from '../store/changes';
import { readChangeFeed } from '../exports/change-feed';
import type { Store } from '../store/database';
import { sendJson } from './graphql-handler';

/** Path of the change feed as NDJSON. */
export const CHANGES_PATH = '/exports/changes.ndjson';

/** Default page of the NDJSON feed. */
const DEFAULT_LIMIT = 10_000;

/**
 * `GET /exports/changes.ndjson?since=CURSOR&limit=N`: one page of the change feed (src/store/changes.ts), one JSON
 * object per line — `{ cursor, entity, id, source, operation, changed_at, record }` — public as the exports. The
 * response's `X-Passerelle-Changes-Cursor` is where to resume (also each line's `cursor`), and
 * `X-Passerelle-Has-More` says whether more changes are ready now. Errors: 400 `BAD_USER_INPUT` (a cursor that is
 * not one of the feed's, a bad limit), 410 `CHANGES_CURSOR_EXPIRED` (download the export again).
 */
export async function serveChangesFeed(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  options: { restrictedSources: readonly string[]; freshness: FreshnessThresholds },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { errors: [{ message: 'the change feed is read with GET', extensions: { code: ErrorCode.BAD_REQUEST } }] });
  }
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const since = params.get('since') ?? undefined;
  const limitText = params.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE) {
    return badInput(res, 'limit', `must be a whole number from 1 to ${MAX_FEED_PAGE}`);
  }
  let page;
  try {
    page = await readChangeFeed(store, { since: since === '' ? undefined : since, first: limit, hiddenSources: options.restrictedSources, freshness: options.freshness });
  } catch (error) {
    if (!(error instanceof ChangeCursorError)) throw error;
    if (error.kind === 'invalid') return badInput(res, 'since', error.message);
    return sendJson(res, 410, { errors: [{ message: `since: ${error.message}`, extensions: { code: ErrorCode.CHANGES_CURSOR_EXPIRED, argument: 'since' } }] });
  }
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-passerelle-changes-cursor': page.endCursor,
    'x-passerelle-has-more': String(page.hasMore),
  });
  if (req.method === 'HEAD') return void res.end();
  for (const change of page.changes) {
    const line = JSON.stringify({
      cursor: change.cursor,
      entity: change.entity,
      id: change.id,
      source: change.source,
      operation: change.operation,
      changed_at: change.changedAt.toISOString(),
      record: change.record,
    });
    if (!res.write(`${line}\n`)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

function badInput(res: ServerResponse, argument: string, message: string): void {
  sendJson(res, 400, { errors: [{ message: `${argument}: ${message}`, extensions: { code: ErrorCode.BAD_USER_INPUT, argument } }] });
}
