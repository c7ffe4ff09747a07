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

  /**
   * The values of many keys: cached ones at once, the others through ONE `loadMissing` call for all of
   * them (a partner's batch form). Keys already loading elsewhere share that load. A key the batch does
   * not answer is cached as null (no such record); a failed batch is not cached.
   */
  async getMany<T>(
    partner: PartnerConfig,
    keys: readonly string[],
    loadMissing: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T | null>> {
    const results = new Map<string, Promise<T | null>>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const cacheKey = `${partner.id}:${key}`;
      const cached = this.lru.get(cacheKey);
      const pending = this.inFlight.get(cacheKey);
      if (cached) results.set(key, Promise.resolve(cached.value as T | null));
      else if (pending) results.set(key, pending as Promise<T | null>);
      else missing.push(key);
      if (cached || pending) this.hits += 1;
    }
    if (missing.length) {
      const batch = loadMissing(missing);
      for (const key of missing) {
        results.set(key, this.getOrLoad(partner, key, async () => (await batch).get(key) ?? null));
      }
    }
    const entries = await Promise.all([...results].map(async ([key, value]) => [key, await value] as const));
    return new Map(entries);
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
