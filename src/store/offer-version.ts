import { Prisma } from '../generated/prisma/client';
import { LRUCache } from 'lru-cache';

/**
 * The offer's version (migration `offer_version`): a number every committed transaction that wrote structures,
 * services or sources moves forward, on both engines, whichever process wrote. A figure computed from the offer
 * is fresh while the version it was computed at is still the current one; read the version in the same statement
 * as the figure (`OFFER_VERSION_SQL`), so that both come from one snapshot.
 */
export const OFFER_VERSION_SQL = Prisma.sql`(SELECT v.version FROM offer_version v WHERE v.id = 1)`;

/** A figure and the offer version it holds for. */
export interface Versioned<T> {
  version: string;
  value: T;
}

/**
 * Figures kept per key while the offer has not changed, per store (a WeakMap entry: gone with the store),
 * at most `max` keys. Keys are opaque strings chosen by the caller (e.g. a statement's SQL and values).
 */
export class VersionedCache<T extends {}> {
  private readonly caches = new WeakMap<object, LRUCache<string, Versioned<T>>>();

  constructor(private readonly max: number) {}

  private of(store: object): LRUCache<string, Versioned<T>> {
    let cache = this.caches.get(store);
    if (!cache) {
      cache = new LRUCache<string, Versioned<T>>({ max: this.max });
      this.caches.set(store, cache);
    }
    return cache;
  }

  get(store: object, key: string): Versioned<T> | undefined {
    return this.of(store).get(key);
  }

  set(store: object, key: string, entry: Versioned<T>): void {
    this.of(store).set(key, entry);
  }
}
