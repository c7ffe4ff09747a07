import { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * The Redis connection shared by the rate limiter, the persisted queries and the response cache when
 * `REDIS_URL` is set. Every key it writes starts with `prefix` (ioredis' `keyPrefix`, applied to Lua
 * scripts' KEYS too), so several deployments — or test runs — can share one Redis.
 *
 * Redis is a cache here, never the source of truth: a command that cannot reach it fails fast (one
 * retry, one second) and its caller carries on without it (a miss, or an allowed request) rather than
 * making every request wait for a Redis that is down.
 */
export function createRedis(url: string, prefix: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error }, 'Redis is unreachable: rate limits fall back to allowing requests, caches miss');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis is reachable again');
    down = false;
  });
  return redis;
}
