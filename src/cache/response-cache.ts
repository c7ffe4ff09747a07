import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { Prisma } from '../generated/prisma/client';
import type { Context } from '../context';
import { responseCacheRequests } from '../metrics';
import { parisDate } from '../quality/freshness';
import { OFFER_VERSION_SQL } from '../store/offer-version';
import type { Store } from '../store/database';

/** A complete GraphQL response over HTTP, as the cache keeps it. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What src/http/graphql-handler.ts asks of the cache for one request. */
export interface RequestCache {
  /** A response to send as is (headers included), or undefined: Apollo answers. */
  lookup(): Promise<StoredResponse | undefined>;
  /** Apollo's response: kept when it may be reused. Returns the caching headers to send with it. */
  offer(response: StoredResponse): Record<string, string>;
}

/**
 * Responses to GET queries, kept for `ttlSeconds` and reused for the same request by a caller with the
 * same rights. What makes reuse safe is the key, so every input of the response is in it:
 *
 * - the caller's **rights**, not its identity: the scopes its token carries (they decide which guarded
 *   fields are withheld, and the `extensions.withheld` notice) and the restricted sources it may not
 *   see. A response computed for an entitled caller (contact values, a restricted source's records) has
 *   another key than the anonymous one and can never be served to an anonymous caller, and an
 *   anonymous response with its withheld notice is only served to callers who would get the same notice;
 * - the **offer's version** (src/store/offer-version.ts), read from the store for each request (one
 *   primary-key row, and concurrent requests share one read): a committed write to structures, services
 *   or sources, by any process, moves it, so the next request after a write misses and old entries are
 *   never read again (they fall out by TTL or LRU). The TTL bounds what the version does not see: live
 *   partners' records and the day `fraicheur` is computed on (the day is in the key too);
 * - the request itself: `query`, `variables`, `operationName`, `extensions` (a persisted query's hash)
 *   and the `Accept` header (it decides the response's content type).
 *
 * Only `200` responses without `errors` are kept. Cache-Control says the same to HTTP caches: an
 * anonymous GET response is `public, max-age` (what is left of its TTL) with `Vary: Accept,
 * Authorization`; a response to a token is `private, no-store`; anything with errors is `no-store`.
 */
export class ResponseCache {
  private versionRead?: Promise<string>;

  constructor(
    private readonly cache: KeyValueCache<string>,
    readonly ttlSeconds: number,
  ) {}

  /** The cache of one GET request, or undefined when it cannot be answered from cache; `onHit` reports a hit (the request log). */
  forRequest(req: IncomingMessage, context: Context, store: Store, onHit?: (operationName: string | null) => void): RequestCache | undefined {
    if (req.method !== 'GET' || !passesCsrfCheck(req)) return undefined;
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (!params.has('query') && !params.has('extensions')) return undefined;
    const anonymous = context.viewer.kind === 'anonymous';
    const scopes = context.viewer.kind === 'client' ? [...context.viewer.scopes].sort() : [];
    const request = ['query', 'variables', 'operationName', 'extensions'].map((name) => params.get(name));
    const rights = JSON.stringify([scopes, [...context.access.hiddenSources].sort()]);
    const digest = createHash('sha256')
      .update(JSON.stringify([rights, parisDate(context.now), req.headers.accept ?? '', request]))
      .digest('base64url');
    let key: string | undefined;
    return {
      lookup: async () => {
        key = `response:${await this.version(store)}:${digest}`;
        const hit = await this.cache.get(key).catch(() => undefined);
        if (!hit) {
          responseCacheRequests.inc({ result: 'miss' });
          return undefined;
        }
        responseCacheRequests.inc({ result: 'hit' });
        onHit?.(params.get('operationName'));
        const { storedAt, ...stored } = JSON.parse(hit) as StoredResponse & { storedAt: number };
        const age = Math.max(0, Math.floor((Date.now() - storedAt) / 1000));
        return {
          ...stored,
          headers: {
            ...stored.headers,
            ...cacheHeaders(anonymous, Math.max(0, this.ttlSeconds - age)),
            age: String(age),
            'x-cache': 'HIT',
          },
        };
      },
      offer: (response): Record<string, string> => {
        if (response.status !== 200 || !key || hasErrors(response.body)) return { 'cache-control': 'no-store', 'x-cache': 'MISS' };
        const headers = { 'content-type': response.headers['content-type'] ?? 'application/json; charset=utf-8' };
        void this.cache
          .set(key, JSON.stringify({ ...response, headers, storedAt: Date.now() }), { ttl: this.ttlSeconds })
          .catch(() => undefined);
        return { ...cacheHeaders(anonymous, this.ttlSeconds), 'x-cache': 'MISS' };
      },
    };
  }

  /** The offer's version now; concurrent requests share one read. */
  private version(store: Store): Promise<string> {
    this.versionRead ??= store
      .query<{ version: string }>(Prisma.sql`SELECT ${OFFER_VERSION_SQL}::text AS version`)
      .then((rows) => rows[0]?.version ?? '0')
      .finally(() => (this.versionRead = undefined));
    return this.versionRead;
  }
}

function cacheHeaders(anonymous: boolean, maxAge: number): Record<string, string> {
  return anonymous
    ? { 'cache-control': `public, max-age=${maxAge}`, vary: 'Accept, Authorization' }
    : { 'cache-control': 'private, no-store' };
}

function hasErrors(body: string): boolean {
  try {
    return (JSON.parse(body) as { errors?: unknown }).errors !== undefined;
  } catch {
    return true;
  }
}

/**
 * Apollo Server refuses a GET without a CSRF preflight (a non-simple content type, or an
 * `apollo-require-preflight` / `x-apollo-operation-name` header); a cached answer must not be an
 * easier way in, so only requests that surely pass that check are looked up (others go to Apollo,
 * which accepts or refuses them).
 */
function passesCsrfCheck(req: IncomingMessage): boolean {
  if (req.headers['apollo-require-preflight'] || req.headers['x-apollo-operation-name']) return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}
