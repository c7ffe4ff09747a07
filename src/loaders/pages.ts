import DataLoader from 'dataloader';
import type { PrismaClient } from '../generated/prisma/client';
import {
  countByScope,
  listPagesByScope,
  type OfferEntity,
  type OfferFilter,
  type Page,
  type PageRequest,
  type Scope,
} from '../store/offer-query';

/** A nested connection to load: the parent's key and the page asked (same arguments batch together). */
export interface ScopedPageKey {
  parent: string;
  request: PageRequest;
}

export interface ScopedCountKey {
  parent: string;
  filter: OfferFilter;
}

/**
 * Nested connections (a structure's services, a commune's structures…): all parents that ask the same
 * page arguments in one request are loaded by one SQL statement.
 */
export function scopedPagesLoader<T>(
  prisma: PrismaClient,
  entity: OfferEntity,
  scope: Scope,
): DataLoader<ScopedPageKey, Page<T>, string> {
  return new DataLoader<ScopedPageKey, Page<T>, string>(
    async (keys) => {
      const results = new Map<string, Page<T>>();
      for (const [requestKey, group] of groupBy(keys, (k) => stableKey(k.request))) {
        const pages = await listPagesByScope(prisma, entity, scope, uniqueParents(group), group[0].request);
        for (const [parent, page] of pages) results.set(`${parent}\u0000${requestKey}`, page as Page<T>);
      }
      return keys.map((k) => results.get(`${k.parent}\u0000${stableKey(k.request)}`)!);
    },
    { cacheKeyFn: (k) => `${k.parent}\u0000${stableKey(k.request)}` },
  );
}

export function scopedCountLoader(
  prisma: PrismaClient,
  entity: OfferEntity,
  scope: Scope,
): DataLoader<ScopedCountKey, number, string> {
  return new DataLoader<ScopedCountKey, number, string>(
    async (keys) => {
      const results = new Map<string, number>();
      for (const [filterKey, group] of groupBy(keys, (k) => stableKey(k.filter))) {
        const counts = await countByScope(prisma, entity, scope, uniqueParents(group), group[0].filter);
        for (const [parent, n] of counts) results.set(`${parent}\u0000${filterKey}`, n);
      }
      return keys.map((k) => results.get(`${k.parent}\u0000${stableKey(k.filter)}`) ?? 0);
    },
    { cacheKeyFn: (k) => `${k.parent}\u0000${stableKey(k.filter)}` },
  );
}

function uniqueParents(group: { parent: string }[]): string[] {
  return [...new Set(group.map((k) => k.parent))];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return groups;
}

/** JSON with sorted keys, so equal requests batch and cache together. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
