import { ErrorsAreMissesCache, InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';

/**
 * Apollo's `KeyValueCache` over Redis (strings; `ttl` in seconds, as Apollo passes it). The keys carry the
 * connection's prefix (see redis.ts).
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    /** A namespace inside the connection's prefix (`apq:` is added by Apollo itself). */
    private readonly namespace = '',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.namespace + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    if (ttl) await this.redis.set(this.namespace + key, value, 'EX', Math.max(1, Math.ceil(ttl)));
    else await this.redis.set(this.namespace + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.namespace + key)) > 0;
  }
}

/**
 * A cache of strings: Redis when one is configured (every instance shares it), else this process's
 * memory, bounded to `maxBytes` (least recently used entries go first). A Redis error is a miss.
 */
export function keyValueCache(redis: Redis | undefined, namespace: string, maxBytes: number): KeyValueCache<string> {
  if (redis) return new ErrorsAreMissesCache(new RedisKeyValueCache(redis, namespace));
  return new InMemoryLRUCache<string>({ maxSize: maxBytes });
}
