// How connectors walk their partner's pages and fetch records by id — the loops every connector used to
// write for itself: by id with bounded concurrency (a 404 is a missing record), a list's pages until it
// has what it asked for, and harvest marks across a partner's resources.
import type { ServiceRecord } from '../domain/validation';
import { PartnerError, type PartnerListQuery, type PartnerTransport } from './types';

/** Requests a connector keeps in flight at once when a partner has no batch form. */
export const MAX_CONCURRENCY = 4;

/** Records asked per harvest page. */
export const HARVEST_PAGE_SIZE = 1000;

/** Runs `fn` on every item with at most `limit` calls in flight; results in input order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** A partner's 404: the record does not exist (by-id lookups answer nothing for it). */
function isNotFound(error: unknown): boolean {
  return error instanceof PartnerError && error.status === 404;
}

/** GET one record by path; undefined when the partner answers 404. */
async function getOrMissing(transport: PartnerTransport, path: string): Promise<unknown> {
  try {
    return await transport.request(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Page marks: `<resource>:<page number>`, e.g. `services:3`. */
export function encodeMark(resource: string, page: number): string {
  return `${resource}:${page}`;
}

export function decodeMark<R extends string>(mark: string, resources: readonly R[]): { resource: R; page: number } {
  const match = /^([a-z-]+):(\d+)$/.exec(mark);
  const resource = match?.[1] as R | undefined;
  const page = match ? Number(match[2]) : NaN;
  if (!match || !resource || !resources.includes(resource) || !Number.isSafeInteger(page) || page < 1) {
    throw new TypeError(`invalid page mark ${JSON.stringify(mark)}`);
  }
  return { resource, page };
}

/** The page number a DRF `next` URL (absolute or relative) points to; `current + 1` when it says none. */
export function drfNextPage(next: string, current: number): number {
  try {
    const page = Number(new URL(next, 'http://partner.invalid').searchParams.get('page'));
    return Number.isSafeInteger(page) && page > current ? page : current + 1;
  } catch {
    return current + 1;
  }
}

/** The services of a page that a list keeps (`query.keep`: Passerelle's filter, src/store/offer-filter.ts). */
export async function kept(services: ServiceRecord[], query: PartnerListQuery): Promise<ServiceRecord[]> {
  return query.keep && services.length ? query.keep(services) : services;
}


/**
 * The payloads of `paths`, fetched one GET each (the partner has no batch form) with at most MAX_CONCURRENCY
 * in flight; a 404 is a record that does not exist and is left out. Order follows `paths`.
 */
export async function getEach(transport: PartnerTransport, paths: readonly string[]): Promise<unknown[]> {
  const payloads = await mapWithConcurrency([...new Set(paths)], MAX_CONCURRENCY, (path) => getOrMissing(transport, path));
  return payloads.filter((payload) => payload !== undefined);
}

/** One page of a partner's list: its services (mapped and validated) and the number of the next page, if any. */
export interface ListPage {
  services: ServiceRecord[];
  next?: number;
}

/**
 * A list's services: pages fetched from the first, each filtered by the list's `keep`, until `query.limit`
 * services match or the partner has no next page.
 */
export async function listServicesByPages(query: PartnerListQuery, fetchPage: (page: number) => Promise<ListPage>): Promise<ServiceRecord[]> {
  const limit = Math.max(0, Math.floor(query.limit));
  const out: ServiceRecord[] = [];
  for (let page: number | undefined = 1; page !== undefined && out.length < limit; ) {
    const body = await fetchPage(page);
    out.push(...(await kept(body.services, query)));
    page = body.next;
  }
  return out.slice(0, limit);
}

/**
 * The harvest mark after a page of `resource`: its next page, or else the first page of the resource that
 * follows it in `order` (structures before their services), or undefined after the last one.
 */
export function nextHarvestMark<R extends string>(order: readonly R[], resource: R, nextPage: number | undefined): string | undefined {
  if (nextPage !== undefined) return encodeMark(resource, nextPage);
  const following = order[order.indexOf(resource) + 1];
  return following ? encodeMark(following, 1) : undefined;
}

/** Where a harvest starts or resumes: the resource and page a mark names (the first page of `order` without one). */
export function harvestPosition<R extends string>(order: readonly R[], mark: string | undefined): { resource: R; page: number } {
  return mark ? decodeMark(mark, order) : { resource: order[0], page: 1 };
}
