import type { Context } from '../context';
import type { ServiceFilter, StructureFilter } from '../generated/graphql';
import { count, listPage, type OfferEntity, type OfferFilter, type Scope } from '../store/offer-query';
import { offerFilter } from './filters';
import type { ConnectionModel, ServiceModel, StructureModel } from './models';
import { connection, pageArgs } from './pagination';

interface ConnectionArgs {
  filter?: ServiceFilter | StructureFilter | null;
  first?: number | null;
  after?: string | null;
}

type ModelOf<E extends OfferEntity> = E extends 'service' ? ServiceModel : StructureModel;

/** The one place a list's filter gets the viewer's source licences. */
function visibleTo(ctx: Context, filter: OfferFilter): OfferFilter {
  return ctx.access.hiddenSources.length ? { ...filter, hiddenSources: ctx.access.hiddenSources } : filter;
}

/** `Query.services` / `Query.structures`: one page statement, plus one count if `totalCount` is asked. */
export async function rootConnection<E extends OfferEntity>(
  ctx: Context,
  entity: E,
  args: ConnectionArgs,
): Promise<ConnectionModel<ModelOf<E>>> {
  const filter = visibleTo(ctx, offerFilter(args.filter));
  const { first, afterKey } = pageArgs(args);
  const prisma = ctx.store.prisma;
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
): Promise<ConnectionModel<ModelOf<E>>> {
  const filter = visibleTo(ctx, offerFilter(args.filter));
  const { first, afterKey } = pageArgs(args);
  const request = { filter, first, afterId: afterKey };
  const loader =
    entity === 'service' ? ctx.loaders.servicePages(scope) : ctx.loaders.structurePages(scope as Exclude<Scope, 'structure'>);
  const page = await loader.load({ parent, request });
  return connection(page as { items: ModelOf<E>[]; hasNextPage: boolean }, (r) => r.id, () =>
    ctx.loaders.counts(entity, scope).load({ parent, filter }),
  );
}
