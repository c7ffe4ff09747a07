import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis server tests run against (`.ci/run` starts one when none answers). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this test run's own, and a way to delete every key under it. */
export function redisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `passerelle-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  return {
    prefix,
    cleanup: async () => {
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Keys under a prefix (the prefix removed). */
export async function redisKeys(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    return (await redis.keys(`${prefix}*`)).map((k) => k.slice(prefix.length)).sort();
  } finally {
    redis.disconnect();
  }
}
