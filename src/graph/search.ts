import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import type { QuerySearchServicesArgs, Resolvers } from '../generated/graphql';
import type { ServiceModel } from '../domain/models';
import { badUserInput } from '../errors';
import type { SearchHit, SearchKey, SearchOrigin } from '../store/search-query';
import { connectionResolvers } from './connection';
import { searchArgs, type SearchPlace } from './filters';
import type { ConnectionModel } from './models';
import { encodeCursor } from './pagination';
import { connectionRead } from './selection';

/** A page of `searchServices`: its hits (a service and its distance). */
export type SearchConnectionModel = ConnectionModel<SearchHit>;

export interface SearchEdgeModel {
  cursor: string;
  node: ServiceModel;
  distance: number | null;
}

/**
 * A cursor of this list carries its sort key as JSON inside the API's cursor envelope: (distance, id), and
 * with `filter.q` the rank first.
 */
function cursorOf(hit: SearchHit): string {
  return encodeCursor(JSON.stringify(hit.rank === undefined ? [hit.distance, hit.service.id] : [hit.distance, hit.service.id, hit.rank]));
}

/** A whole number the store's `int` sort keys hold (distance in metres, rank): `1.5e300` must not reach SQL. */
const isKeyNumber = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2_147_483_647;
const isDistance = (value: unknown) => value === null || isKeyNumber(value);

/** The key a cursor carries; a cursor of a search with `q` only continues a search with `q`, and the reverse. */
function searchKey(key: string | undefined, ranked: boolean): SearchKey | undefined {
  if (key === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === (ranked ? 3 : 2) && isDistance(parsed[0]) && typeof parsed[1] === 'string') {
    if (!ranked) return { distance: parsed[0] as number | null, id: parsed[1] };
    if (isKeyNumber(parsed[2])) return { distance: parsed[0] as number | null, id: parsed[1], rank: parsed[2] as number };
  }
  throw badUserInput('after', `is not a cursor of searchServices${ranked ? ' with filter.q' : ' without filter.q'} (use its pageInfo.endCursor)`);
}

async function originOf(ctx: Context, place: SearchPlace): Promise<SearchOrigin> {
  if (!('codeCommune' in place)) return place;
  const origin = await ctx.loaders.searchOrigin(place.codeCommune);
  if (origin === undefined) throw badUserInput('near.codeCommune', `"${place.codeCommune}" is not a known commune`);
  if (origin === null) throw badUserInput('near.codeCommune', `"${place.codeCommune}" has no known centre: search from latitude and longitude`);
  return origin;
}

/** `Query.searchServices`: arguments checked, then one store statement for the page and, when asked, its count. */
async function searchServices(ctx: Context, args: QuerySearchServicesArgs, info: GraphQLResolveInfo): Promise<SearchConnectionModel> {
  const { place, radiusMetres } = searchArgs(args.near, args.distanceKm);
  const read = connectionRead(ctx, info, 'service', args);
  const { filter, first, afterId } = read.request;
  const after = searchKey(afterId, filter.q !== undefined);
  const origin = await originOf(ctx, place);
  const { total, ...page } = await ctx.loaders.searchPage({ origin, radiusMetres, filter, first, after }, read.shape, read.withCount);
  return { ...page, cursorOf, count: () => (total === undefined ? ctx.loaders.searchCount({ origin, radiusMetres, filter }) : Promise.resolve(total)) };
}

export const searchResolvers: Resolvers = {
  Query: {
    searchServices: (_, args, ctx, info) => searchServices(ctx, args, info),
  },
  ServiceSearchConnection: {
    ...connectionResolvers<SearchHit>(),
    nodes: (c) => c.items.map((hit) => hit.service),
    edges: (c) => c.items.map((hit) => ({ cursor: c.cursorOf(hit), node: hit.service, distance: hit.distance })),
  },
};
