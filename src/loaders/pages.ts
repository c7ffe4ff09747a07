import DataLoader from 'dataloader';
import { countByScope, listPagesByScope, type Reader, type Scope } from '../store/offer-query';
import type { OfferEntity } from '../store/offer-columns';
import type { OfferFilter, Page, PageRequest } from '../store/offer-filter';
import type { RowShape } from '../store/row-shape';

/**
 * A nested connection's read, the same for every parent of one request (arguments and variables do not
 * change between parents): made once per field, with its key, so that loading it for 100 parents does
 * not serialise it 100 times.
 */
export interface NestedRead {
  request: PageRequest;
  shape: RowShape;
  /** Names request and shape: reads with equal keys batch together. */
  key: string;
  /** Names the filter alone (counts). */
  countKey: string;
}

/** A nested connection to load: the parent's key and the read asked. */
export interface ScopedPageKey {
  parent: string;
  read: NestedRead;
}

export interface ScopedCountKey {
  parent: string;
  read: NestedRead;
}

/**
 * Nested connections (a structure's services, a commune's structures…): all parents that ask the same
 * read in one request are loaded by one SQL statement.
 */
export function scopedPagesLoader<T>(db: Reader, entity: OfferEntity, scope: Scope): DataLoader<ScopedPageKey, Page<T>, string> {
  return new DataLoader<ScopedPageKey, Page<T>, string>(
    async (keys) => {
      const results = new Map<string, Page<T>>();
      for (const group of groupBy(keys, (k) => k.read.key).values()) {
        const { read } = group[0];
        const pages = await listPagesByScope<T>(db, entity, scope, uniqueParents(group), read.request, read.shape);
        for (const [parent, page] of pages) results.set(`${parent}\u0000${read.key}`, page);
      }
      return keys.map((k) => results.get(`${k.parent}\u0000${k.read.key}`)!);
    },
    { cacheKeyFn: (k) => `${k.parent}\u0000${k.read.key}` },
  );
}

export function scopedCountLoader(db: Reader, entity: OfferEntity, scope: Scope): DataLoader<ScopedCountKey, number, string> {
  return new DataLoader<ScopedCountKey, number, string>(
    async (keys) => {
      const results = new Map<string, number>();
      for (const group of groupBy(keys, (k) => k.read.countKey).values()) {
        const filter: OfferFilter = group[0].read.request.filter;
        const counts = await countByScope(db, entity, scope, uniqueParents(group), filter);
        for (const [parent, n] of counts) results.set(`${parent}\u0000${group[0].read.countKey}`, n);
      }
      return keys.map((k) => results.get(`${k.parent}\u0000${k.read.countKey}`) ?? 0);
    },
    { cacheKeyFn: (k) => `${k.parent}\u0000${k.read.countKey}` },
  );
}

function uniqueParents(group: { parent: string }[]): string[] {
  return [...new Set(group.map((k) => k.parent))];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
