import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-buckets';
import { keyValueCache } from './key-value';
import { createRedis } from './redis';

/**
 * What instances share when they run side by side: rate-limit buckets, persisted queries and cached
 * responses. In this process's memory by default (each instance on its own); in Redis when `REDIS_URL`
 * is set, so that a caller meets one limit, and a query registered on one instance runs by its hash on
 * any other.
 */
export interface SharedState {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  readonly rateLimiter: RateLimiter;
  /** Automatic persisted queries (Apollo adds its `apq:` prefix to the keys). */
  readonly persistedQueries: KeyValueCache<string>;
  /** Response cache entries (src/cache/response-cache.ts). */
  readonly responses: KeyValueCache<string>;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  /** `redis://…` or `rediss://…`; absent: this process's memory. */
  redisUrl?: string;
  /** Prefix of every Redis key (PASSERELLE_REDIS_PREFIX). */
  redisPrefix?: string;
  logger: Logger;
}

const MB = 1024 * 1024;

export function createSharedState(options: SharedStateOptions): SharedState {
  const redis: Redis | undefined = options.redisUrl ? createRedis(options.redisUrl, options.redisPrefix ?? 'passerelle:', options.logger) : undefined;
  return {
    kind: redis ? 'redis' : 'memory',
    rateLimiter: redis ? new RedisRateLimiter(redis, (error) => options.logger.warn({ err: error }, 'rate limit not checked: Redis did not answer')) : new MemoryRateLimiter(),
    persistedQueries: keyValueCache(redis, '', 16 * MB),
    responses: keyValueCache(redis, '', 64 * MB),
    close: async () => {
      if (redis?.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis?.disconnect();
    },
  };
}
