import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Bucket } from '../config';

/**
 * Token buckets, in this process's memory or in Redis (shared by instances): a bucket holds up to `burst`
 * requests and refills at `rate` per second; a request takes one, and finding it empty is told how many
 * seconds to wait. Who gets which bucket, and the HTTP answer, are src/http/rate-limit.ts's.
 */
export interface Verdict {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  retryAfter: number;
}

export interface RateLimiter {
  /** Takes one request from the bucket `key`. */
  take(key: string, bucket: Bucket): Promise<Verdict>;
}

/** The refill arithmetic, shared by both limiters (the Lua script below does the same). */
function refill(tokens: number, elapsedMs: number, bucket: Bucket): number {
  return Math.min(bucket.burst, tokens + (elapsedMs / 1000) * bucket.rate);
}

function retryAfter(tokens: number, bucket: Bucket): number {
  return Math.max(1, Math.ceil((1 - tokens) / bucket.rate));
}

/** Buckets in this process's memory: each instance counts on its own. */
export class MemoryRateLimiter implements RateLimiter {
  // Least recently seen callers go first past `max`; a forgotten bucket comes back full, which only
  // happens to callers idle long enough that theirs would have refilled anyway.
  private readonly buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 100_000 });

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, bucket: Bucket): Promise<Verdict> {
    const now = this.now();
    const state = this.buckets.get(key);
    const tokens = state ? refill(state.tokens, now - state.at, bucket) : bucket.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { allowed: false, retryAfter: retryAfter(tokens, bucket) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return { allowed: true, retryAfter: 0 };
  }
}

/**
 * The same bucket in Redis, shared by every instance. Read, refill, take and write run as one Lua
 * script, which Redis runs atomically: two instances taking at once cannot both spend the last token.
 * The clock is Redis' own (`TIME`), so instances whose clocks disagree still refill one bucket alike.
 */
const TAKE_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if state[1] then
  tokens = math.min(burst, tonumber(state[1]) + (now - tonumber(state[2])) / 1000 * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

type TakeCommand = (key: string, rate: number, burst: number) => Promise<[number, string]>;

export class RedisRateLimiter implements RateLimiter {
  private readonly takeToken: TakeCommand;

  constructor(
    redis: Redis,
    /** Called when Redis cannot answer; the request is then allowed. */
    private readonly onError: (error: unknown) => void,
  ) {
    redis.defineCommand('passerelleTakeToken', { numberOfKeys: 1, lua: TAKE_LUA });
    this.takeToken = (redis as unknown as { passerelleTakeToken: TakeCommand }).passerelleTakeToken.bind(redis);
  }

  async take(key: string, bucket: Bucket): Promise<Verdict> {
    try {
      const [allowed, tokens] = await this.takeToken(`rate:${key}`, bucket.rate, bucket.burst);
      return allowed === 1 ? { allowed: true, retryAfter: 0 } : { allowed: false, retryAfter: retryAfter(Number(tokens), bucket) };
    } catch (error) {
      // Fail open: a Redis outage must not turn into an outage of the API. Each instance's requests
      // are still bounded by the store's pool and the query limits.
      this.onError(error);
      return { allowed: true, retryAfter: 0 };
    }
  }
}
