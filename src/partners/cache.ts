import { LRUCache } from 'lru-cache';
import type { PartnerConfig } from './types';

export interface PartnerCacheOptions {
  /** Most entries kept, all partners together. Default 10,000. */
  max?: number;
  /** Clock in ms (tests); default performance.now. */
  now?: () => number;
}

/** Partner answers (a record, null for "no such record", a list) cached per partner TTL. */
export class PartnerCache {
  private readonly lru: LRUCache<string, { value: unknown }>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private hits = 0;
  private misses = 0;

  constructor(options: PartnerCacheOptions = {}) {
    this.lru = new LRUCache<string, { value: unknown }>({
      max: options.max ?? 10_000,
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  /**
   * The cached value of `key` for this partner, or `load()`'s (then cached for the partner's
   * `cacheTtlSeconds`). Concurrent calls for the same key share one load; a failed load is not cached.
   */
  async getOrLoad<T>(partner: PartnerConfig, key: string, load: () => Promise<T>): Promise<T> {
    const cacheKey = `${partner.id}:${key}`;
    const cached = this.lru.get(cacheKey);
    if (cached) {
      this.hits += 1;
      return cached.value as T;
    }
    const pending = this.inFlight.get(cacheKey);
    if (pending) {
      this.hits += 1;
      return pending as Promise<T>;
    }
    this.misses += 1;
    // Started on the next microtask, so the in-flight entry exists before `load` runs (even if it throws at once).
    const promise = Promise.resolve()
      .then(load)
      .then(
        (value) => {
          this.inFlight.delete(cacheKey);
          const ttl = Math.round(partner.cacheTtlSeconds * 1000);
          if (ttl > 0) this.lru.set(cacheKey, { value }, { ttl });
          return value;
        },
        (error: unknown) => {
          this.inFlight.delete(cacheKey);
          throw error;
        },
      );
    this.inFlight.set(cacheKey, promise);
    return promise;
  }

  /** Forget one key, or every key of a partner. */
  invalidate(partner: PartnerConfig, key?: string): void {
    if (key !== undefined) {
      this.lru.delete(`${partner.id}:${key}`);
      return;
    }
    const prefix = `${partner.id}:`;
    for (const k of [...this.lru.keys()]) if (k.startsWith(prefix)) this.lru.delete(k);
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  stats(): { hits: number; misses: number } {
    return { hits: this.hits, misses: this.misses };
  }
}
