import type { GraphQLError } from 'graphql';
import type DataLoader from 'dataloader';
import { partnerUnavailable } from '../errors';
import type { Commune } from '../generated/prisma/client';
import { serviceFromPartner } from '../partners/models';
import { serviceMatches } from '../partners/record-filter';
import type { PartnerRegistry } from '../partners/registry';
import { PartnerError, type Connector } from '../partners/types';
import type { OfferFilter, Page } from '../store/offer-filter';
import type { ServiceModel, StructureModel } from '../domain/models';
import type { OfferByIdLoader } from './offer-by-id';

/** Most records asked of one partner for one list query (its answers are cached for its TTL). */
export const LIVE_LIST_LIMIT = 1000;

/** The store's side of a list: its page and its count, for a filter (the live partners' sources left out). */
export interface StoreSide {
  page(filter: OfferFilter): Promise<Page<ServiceModel>>;
  count(filter: OfferFilter): Promise<number>;
}

export interface LiveListRequest {
  filter: OfferFilter;
  first: number;
  afterId?: string;
  /** Ask every live partner (`live: true`), not only those answering for a source the filter names. */
  live: boolean;
  /** `totalCount` is asked: the store's count runs beside its page and the partners' calls. */
  withCount?: boolean;
}

/** A list that live partners answered too: the merged page, its count, and the partners that could not answer. */
export interface LiveList {
  page: Page<ServiceModel>;
  count(): Promise<number>;
  outages: GraphQLError[];
}

interface LiveListDeps {
  partners?: PartnerRegistry;
  communeByCode: DataLoader<string, Commune | null>;
  structureById: OfferByIdLoader<StructureModel>;
}

/**
 * A services list that live partners answer too. Each partner answers for its sources — the store's
 * copy of those sources (harvested records) is left out of the store side, so no record comes twice —
 * and their records are merged with the store's page by id, the order of every keyset cursor (ids sort
 * in byte order on both sides: the ids' "C" collation in SQL, Buffer.compare here).
 * Returns undefined when no live partner is asked: the caller serves the store alone.
 */
export async function liveServicesList(deps: LiveListDeps, request: LiveListRequest, store: StoreSide): Promise<LiveList | undefined> {
  const { filter, first, afterId, live } = request;
  const asked = deps.partners?.liveFor(filter.sources, live) ?? [];
  if (!asked.length) return undefined;
  const storeFilterWithout = (sources: string[]): OfferFilter => ({ ...filter, hiddenSources: [...(filter.hiddenSources ?? []), ...sources] });
  let storeFilter = storeFilterWithout(asked.flatMap((a) => a.sources));

  const outages: GraphQLError[] = [];
  const fetchLive = async (connector: Connector, sources: string[]): Promise<ServiceModel[] | undefined> => {
    const query = { sources, thematiques: filter.thematiques, codeCommune: filter.codeCommune, codeDepartement: filter.codeDepartement, limit: LIVE_LIST_LIMIT };
    const partner = connector.partner;
    try {
      return await deps.partners!.cache.getOrLoad(partner, `services:${JSON.stringify(query)}`, async () => {
        const fetchedAt = new Date();
        return (await connector.listServices(query)).map((r) => serviceFromPartner(r, partner.id, fetchedAt));
      });
    } catch (error) {
      if (!(error instanceof PartnerError)) throw error;
      // The list is still served (store and other partners); the outage is reported on its path.
      outages.push(partnerUnavailable(partner.id, error));
      return undefined;
    }
  };

  // Everything that does not wait on a partner's answer runs while the partners answer.
  const storeSide = () => Promise.all([store.page(storeFilter), request.withCount ? store.count(storeFilter) : undefined]);
  const [firstSide, answers] = await Promise.all([storeSide(), Promise.all(asked.map(({ connector, sources }) => fetchLive(connector, sources)))]);
  let [storePage, storeCount] = firstSide;
  if (answers.includes(undefined)) {
    // A partner that could not answer leaves its sources to the store: records harvested from it keep
    // being served while it is down.
    storeFilter = storeFilterWithout(asked.filter((_, i) => answers[i] !== undefined).flatMap((a) => a.sources));
    [storePage, storeCount] = await storeSide();
  }
  const fetched = answers.flatMap((a) => a ?? []);
  const territorial = !!(filter.codeCommune || filter.codeEpci || filter.codeDepartement || filter.codeRegion);
  const communes = territorial ? await communesOf(deps, fetched, !!filter.codeEpci) : new Map<string, Commune>();
  const reseaux = filter.reseauxPorteurs?.length ? await reseauxOf(deps, fetched) : new Map<string, string[]>();
  const matching = fetched.filter((s) => serviceMatches(s, filter, (code) => communes.get(code), (id) => reseaux.get(id)));

  const after = afterId === undefined ? undefined : Buffer.from(afterId);
  const byId = new Map<string, ServiceModel>();
  for (const s of storePage.items) byId.set(s.id, s);
  for (const s of matching) if (!after || Buffer.compare(Buffer.from(s.id), after) > 0) byId.set(s.id, s);
  const merged = [...byId.values()].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  return {
    page: { items: merged.slice(0, first), hasNextPage: storePage.hasNextPage || merged.length > first },
    count: async () => (storeCount ?? (await store.count(storeFilter))) + matching.length,
    outages,
  };
}

/** The communes of the partners' records (and their parents' when an EPCI is asked: arrondissements). */
async function communesOf(deps: LiveListDeps, services: ServiceModel[], withParents: boolean): Promise<Map<string, Commune>> {
  const codes = [...new Set(services.map((s) => s.codeInsee?.trim()).filter((c): c is string => !!c))];
  const found = await deps.communeByCode.loadMany(codes);
  const parents = withParents ? [...new Set(found.flatMap((c) => (c && !(c instanceof Error) && c.parentCode ? [c.parentCode] : [])))] : [];
  const all = parents.length ? [...found, ...(await deps.communeByCode.loadMany(parents))] : found;
  return new Map(all.flatMap((c) => (c && !(c instanceof Error) ? [[c.code, c] as const] : [])));
}

async function reseauxOf(deps: LiveListDeps, services: ServiceModel[]): Promise<Map<string, string[]>> {
  const ids = [...new Set(services.map((s) => s.structureId))];
  const structures = await deps.structureById.loadMany(ids);
  return new Map(structures.flatMap((s) => (s && !(s instanceof Error) ? [[s.id, s.reseauxPorteurs] as const] : [])));
}
