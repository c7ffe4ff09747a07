import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { liveServicesConnection } from './live-services';
import type { ServiceFilter, StructureFilter } from '../generated/graphql';
import { count, listPage, type OfferEntity, type OfferFilter, type Scope } from '../store/offer-query';
import { offerFilter } from './filters';
import type { ConnectionModel, ServiceModel, StructureModel } from './models';
import { connection, pageArgs } from './pagination';

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

/** The one place a list's filter gets the viewer's source licences. */
function visibleTo(ctx: Context, filter: OfferFilter): OfferFilter {
  return ctx.access.hiddenSources.length ? { ...filter, hiddenSources: ctx.access.hiddenSources } : filter;
}

/** `Query.services` / `Query.structures`: one page statement, plus one count if `totalCount` is asked. */
export async function rootConnection<E extends OfferEntity>(
  ctx: Context,
  entity: E,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionModel<ModelOf<E>>> {
  const filter = visibleTo(ctx, offerFilter(args.filter));
  const { first, afterKey } = pageArgs(args);
  const prisma = ctx.store.prisma;
  if (entity === 'service') {
    const merged = await liveServicesConnection(ctx, info, filter, first, afterKey, args.live ?? false, {
      page: (f) => listPage(prisma, 'service', { filter: f, first, afterId: afterKey }),
      count: (f) => count(prisma, 'service', f),
    });
    if (merged) return merged as ConnectionModel<ModelOf<E>>;
  }
  const page = await listPage(prisma, entity, { filter, first, afterId: afterKey });
  return connection(page as { items: ModelOf<E>[]; hasNextPage: boolean }, (r) => r.id, () => count(prisma, entity, filter));
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
  const filter = visibleTo(ctx, offerFilter(args.filter));
  const { first, afterKey } = pageArgs(args);
  const request = { filter, first, afterId: afterKey };
  if (entity === 'service' && scope !== 'structure') {
    // A territory's services: the live partners are asked for that territory (one query per territory,
    // cached), the store side stays one batched statement for all territories of the request.
    const territory: OfferFilter = { ...filter, ...territoryCriterion(scope, parent) };
    const merged = await liveServicesConnection(ctx, info, territory, first, afterKey, args.live ?? false, {
      page: (f) => ctx.loaders.servicePages(scope).load({ parent, request: { ...request, filter: withoutTerritory(f, scope) } }),
      count: (f) => ctx.loaders.counts('service', scope).load({ parent, filter: withoutTerritory(f, scope) }),
    });
    if (merged) return merged as ConnectionModel<ModelOf<E>>;
  }
  const loader =
    entity === 'service' ? ctx.loaders.servicePages(scope) : ctx.loaders.structurePages(scope as Exclude<Scope, 'structure'>);
  const page = await loader.load({ parent, request });
  return connection(page as { items: ModelOf<E>[]; hasNextPage: boolean }, (r) => r.id, () =>
    ctx.loaders.counts(entity, scope).load({ parent, filter }),
  );
}
