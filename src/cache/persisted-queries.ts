import type { KeyValueCache } from '@apollo/utils.keyvaluecache';

/** Apollo Server's prefix for persisted queries in its cache (`APQ_CACHE_PREFIX`, not exported). */
const APQ_PREFIX = 'apq:';

/**
 * An automatic persisted query sent by its hash alone (`{"extensions":{"persistedQuery":{"version":1,
 * "sha256Hash":…}}}`), with its text read from the cache Apollo registered it in — the same cache, so a
 * query registered on any instance resolves here. The request as if the text had been sent (no
 * `extensions`), or undefined: unknown hash, or not such a request (Apollo answers, with
 * PERSISTED_QUERY_NOT_FOUND when the hash is unknown). Registrations (text and hash) are left to Apollo,
 * which checks the hash and stores the text.
 */
export async function resolvePersistedQuery(cache: KeyValueCache<string>, body: unknown): Promise<Record<string, unknown> | undefined> {
  if (typeof body !== 'object' || body === null) return undefined;
  const { extensions, query, ...rest } = body as Record<string, unknown>;
  if (query !== undefined || typeof extensions !== 'object' || extensions === null || Object.keys(extensions).length !== 1) return undefined;
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }).persistedQuery;
  if (persisted?.version !== 1 || typeof persisted.sha256Hash !== 'string') return undefined;
  const text = await cache.get(APQ_PREFIX + persisted.sha256Hash).catch(() => undefined);
  return text === undefined ? undefined : { ...rest, query: text };
}
