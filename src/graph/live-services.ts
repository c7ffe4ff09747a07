import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { Context } from '../context';
import { partnerUnavailable } from '../errors';
import type { Commune } from '../generated/prisma/client';
import { serviceFromPartner } from '../partners/models';
import { serviceMatches } from '../partners/record-filter';
import { PartnerError, type Connector } from '../partners/types';
import type { OfferFilter, Page } from '../store/offer-query';
import type { ConnectionModel, ServiceModel } from './models';
import { connection } from './pagination';

/** Most records asked of one partner for one list query (its answers are cached for its TTL). */
export const LIVE_LIST_LIMIT = 1000;

interface StoreSide {
  page(filter: OfferFilter): Promise<Page<ServiceModel>>;
  count(filter: OfferFilter): Promise<number>;
}

/**
 * A services connection that live partners answer too. Each partner answers for its sources — the
 * store's copy of those sources (harvested records) is left out of the store side, so no record comes
 * twice — and their records are merged with the store's page by id, the order of every keyset cursor
 * (ids sort in byte order on both sides: the ids' "C" collation in SQL, Buffer.compare here).
 * Returns undefined when no live partner is asked: the caller serves the store alone.
 */
export async function liveServicesConnection(
  ctx: Context,
  info: GraphQLResolveInfo,
  filter: OfferFilter,
  first: number,
  afterKey: string | undefined,
  live: boolean,
  store: StoreSide,
): Promise<ConnectionModel<ServiceModel> | undefined> {
  const asked = ctx.partners?.liveFor(filter.sources, live) ?? [];
  if (!asked.length) return undefined;
  const storeFilterWithout = (sources: string[]): OfferFilter => ({ ...filter, hiddenSources: [...(filter.hiddenSources ?? []), ...sources] });
  let storeFilter = storeFilterWithout(asked.flatMap((a) => a.sources));

  let [storePage, ...answers] = await Promise.all([
    store.page(storeFilter),
    ...asked.map(({ connector, sources }) => fetchLive(ctx, info, connector, sources, filter)),
  ]);
  if (answers.includes(undefined)) {
    // A partner that could not answer leaves its sources to the store: records harvested from it keep
    // being served while it is down.
    storeFilter = storeFilterWithout(asked.filter((_, i) => answers[i] !== undefined).flatMap((a) => a.sources));
    storePage = await store.page(storeFilter);
  }
  const fetched = answers.flatMap((a) => a ?? []);
  const communes = await communesOf(ctx, fetched);
  const reseaux = filter.reseauxPorteurs?.length ? await reseauxOf(ctx, fetched) : new Map<string, string[]>();
  const matching = fetched.filter((s) => serviceMatches(s, filter, (code) => communes.get(code), (id) => reseaux.get(id)));

  const after = afterKey === undefined ? undefined : Buffer.from(afterKey);
  const byId = new Map<string, ServiceModel>();
  for (const s of storePage.items) byId.set(s.id, s);
  for (const s of matching) if (!after || Buffer.compare(Buffer.from(s.id), after) > 0) byId.set(s.id, s);
  const merged = [...byId.values()].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  return connection(
    { items: merged.slice(0, first), hasNextPage: storePage.hasNextPage || merged.length > first },
    (s) => s.id,
    async () => (await store.count(storeFilter)) + matching.length,
  );
}

/** The partner's matching services, or undefined when it could not answer (outage noted on the path). */
async function fetchLive(
  ctx: Context,
  info: GraphQLResolveInfo,
  connector: Connector,
  sources: string[],
  f: OfferFilter,
): Promise<ServiceModel[] | undefined> {
  const query = {
    sources,
    thematiques: f.thematiques,
    codeCommune: f.codeCommune,
    codeDepartement: f.codeDepartement,
    limit: LIVE_LIST_LIMIT,
  };
  const partner = connector.partner;
  try {
    return await ctx.partners!.cache.getOrLoad(partner, `services:${JSON.stringify(query)}`, async () => {
      const fetchedAt = new Date();
      return (await connector.listServices(query)).map((r) => serviceFromPartner(r, partner.id, fetchedAt));
    });
  } catch (error) {
    if (!(error instanceof PartnerError)) throw error;
    // The list is still served (store and other partners); the outage is reported on its path.
    ctx.outages.push({ path: responsePathAsArray(info.path), error: partnerUnavailable(partner.id, error) });
    return undefined;
  }
}

async function communesOf(ctx: Context, services: ServiceModel[]): Promise<Map<string, Commune>> {
  const codes = [...new Set(services.map((s) => s.codeInsee?.trim()).filter((c): c is string => !!c))];
  const found = await ctx.loaders.communeByCode.loadMany(codes);
  const parents = [...new Set(found.flatMap((c) => (c && !(c instanceof Error) && c.parentCode ? [c.parentCode] : [])))];
  const all = [...found, ...(await ctx.loaders.communeByCode.loadMany(parents))];
  return new Map(all.flatMap((c) => (c && !(c instanceof Error) ? [[c.code, c] as const] : [])));
}

async function reseauxOf(ctx: Context, services: ServiceModel[]): Promise<Map<string, string[]>> {
  const ids = [...new Set(services.map((s) => s.structureId))];
  const structures = await ctx.loaders.structureById.loadMany(ids);
  return new Map(structures.flatMap((s) => (s && !(s instanceof Error) ? [[s.id, s.reseauxPorteurs] as const] : [])));
}
