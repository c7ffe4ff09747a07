import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import type { LiveListRequest, StoreSide } from '../loaders/live-services';
import type { ServiceFilter, StructureFilter } from '../generated/graphql';
import { toPage, type Scope } from '../store/offer-query';
import type { OfferEntity } from '../store/offer-columns';
import type { OfferFilter } from '../store/offer-filter';
import { filterKey } from '../store/row-shape';
import type { NestedRead } from '../loaders/pages';
import type { Inlined, ServiceModel, StructureModel } from '../domain/models';
import type { ConnectionModel } from './models';
import { connection, pageArgs } from './pagination';
import { connectionRead } from './selection';

interface ConnectionArgs {
  filter?: ServiceFilter | StructureFilter | null;
  first?: number | null;
  after?: string | null;
  /** Services only: also ask the live partners. */
  live?: boolean | null;
}

type ModelOf<E extends OfferEntity> = E extends 'service' ? ServiceModel : StructureModel;

/** The filter criterion that means "in this territory". */
const TERRITORY_KEY = { commune: 'codeCommune', epci: 'codeEpci', departement: 'codeDepartement', region: 'codeRegion' } as const;

function territoryCriterion(scope: Exclude<Scope, 'structure'>, code: string): OfferFilter {
  return { [TERRITORY_KEY[scope]]: code };
}

/** The store side of a territory's connection is scoped by the loader already, not by the filter. */
function withoutTerritory(filter: OfferFilter, scope: Exclude<Scope, 'structure'>): OfferFilter {
  const { [TERRITORY_KEY[scope]]: _scoped, ...rest } = filter;
  return rest;
}

/** The same read with another filter (the store side of a live merge). */
function withFilter(read: NestedRead, filter: OfferFilter): NestedRead {
  const countKey = filterKey(filter);
  const { first, afterId } = read.request;
  return { ...read, request: { ...read.request, filter }, countKey, key: `${read.shape.key};${first};${afterId ?? ''};${countKey}` };
}

/**
 * A services connection that live partners answer too (the loaders decide who answers), or undefined when
 * none is asked. Partners that could not answer are reported on this field's path; the list is served.
 */
async function liveConnection(
  ctx: Context,
  info: GraphQLResolveInfo,
  request: LiveListRequest,
  store: StoreSide,
): Promise<ConnectionModel<ServiceModel> | undefined> {
  const list = await ctx.loaders.liveServices(request, store);
  if (!list) return undefined;
  for (const error of list.outages) ctx.outages.push({ path: responsePathAsArray(info.path), error });
  return { ...connection(list.page, (s) => s.id, list.count), countExact: list.countExact };
}

/**
 * `Query.services` / `Query.structures`: one statement for the page — its nested relations and its
 * count included, as the selection asks (src/graph/selection.ts).
 */
export async function rootConnection<E extends OfferEntity>(
  ctx: Context,
  entity: E,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionModel<ModelOf<E>>> {
  const read = connectionRead(ctx, info, entity, args);
  const { filter, first, afterId } = read.request;
  if (entity === 'service') {
    const merged = await liveConnection(ctx, info, { filter, first, afterId, live: args.live ?? false, withCount: read.withCount }, {
      page: (f) => ctx.loaders.offerPage<ServiceModel>('service', { filter: f, first, afterId }, read.shape),
      count: (f) => ctx.loaders.offerCount('service', f),
    });
    if (merged) return merged as ConnectionModel<ModelOf<E>>;
  }
  const page = await ctx.loaders.offerPage<ModelOf<E>>(entity, read.request, read.shape, read.withCount);
  const { total } = page;
  return connection(page, (r) => r.id, total === undefined ? () => ctx.loaders.offerCount(entity, filter) : () => Promise.resolve(total));
}

/**
 * A structure's services: read in its parent's statement when the parent's selection planned it (under
 * `@<response key>`), otherwise through the loaders as any nested connection.
 */
export function structureServices(
  ctx: Context,
  structure: StructureModel,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): ConnectionModel<ServiceModel> | Promise<ConnectionModel<ServiceModel>> {
  const key = `@${info.path.key}` as const;
  const inlined = (structure as Inlined)[key];
  if (!Array.isArray(inlined)) return nestedConnection(ctx, 'service', 'structure', structure.id, args, info);
  const { first } = pageArgs(args);
  const total = (structure as Inlined)[`${key}#count`];
  return connection(
    toPage(inlined as ServiceModel[], first),
    (r) => r.id,
    typeof total === 'number'
      ? () => Promise.resolve(total)
      : () => ctx.loaders.counts('service', 'structure').load({ parent: structure.id, read: connectionRead(ctx, info, 'service', args) }),
  );
}

/**
 * A connection hanging off a parent (a structure's services, a territory's structures…): through the
 * request's loaders, so the same page asked for 100 parents is one SQL statement.
 */
export async function nestedConnection<E extends OfferEntity>(
  ctx: Context,
  entity: E,
  scope: Scope,
  parent: string,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionModel<ModelOf<E>>> {
  const read = connectionRead(ctx, info, entity, args);
  const { filter, first, afterId } = read.request;
  if (entity === 'service' && scope !== 'structure') {
    // A territory's services: the live partners are asked for that territory (one query per territory,
    // cached), the store side stays one batched statement for all territories of the request.
    const territory: OfferFilter = { ...filter, ...territoryCriterion(scope, parent) };
    const merged = await liveConnection(ctx, info, { filter: territory, first, afterId, live: args.live ?? false, withCount: read.withCount }, {
      page: (f) => ctx.loaders.servicePages(scope).load({ parent, read: withFilter(read, withoutTerritory(f, scope)) }),
      count: (f) => ctx.loaders.counts('service', scope).load({ parent, read: withFilter(read, withoutTerritory(f, scope)) }),
    });
    if (merged) return merged as ConnectionModel<ModelOf<E>>;
  }
  const loader =
    entity === 'service' ? ctx.loaders.servicePages(scope) : ctx.loaders.structurePages(scope as Exclude<Scope, 'structure'>);
  const page = await loader.load({ parent, read });
  return connection(page as { items: ModelOf<E>[]; hasNextPage: boolean }, (r) => r.id, () =>
    ctx.loaders.counts(entity, scope).load({ parent, read }),
  );
}
