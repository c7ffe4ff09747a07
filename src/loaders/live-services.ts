import type { GraphQLError } from 'graphql';
import type DataLoader from 'dataloader';
import { partnerUnavailable } from '../errors';
import type { Commune } from '../generated/prisma/client';
import { serviceFromPartner } from '../partners/models';
import type { PartnerRegistry } from '../partners/registry';
import { PartnerError, type Connector, type PartnerListQuery } from '../partners/types';
import type { ServiceRecord } from '../domain/validation';
import { isTerritorial, serviceMatches, type OfferFilter, type Page } from '../store/offer-filter';
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
  /**
   * False when a partner's list reached LIVE_LIST_LIMIT: records beyond it were not fetched, so the count
   * is a lower bound and later pages may miss that partner's records.
   */
  countExact: boolean;
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
    // What a partner's API can filter (each connector takes what its API supports); `publics` as asked, before
    // the graph added `tous-publics` (data·inclusion's API adds it itself, and would turn its filter off if sent).
    const pushed: PartnerListQuery = {
      sources,
      thematiques: filter.thematiques,
      publics: filter.publics?.filter((p) => p !== 'tous-publics'),
      frais: filter.frais,
      types: filter.types,
      modesAccueil: filter.modesAccueil,
      codeCommune: filter.codeCommune,
      codeDepartement: filter.codeDepartement,
      codeRegion: filter.codeRegion,
      limit: LIVE_LIST_LIMIT,
    };
    const partner = connector.partner;
    try {
      // What is cached is what the whole filter kept: the key holds the filter.
      return await deps.partners!.cache.getOrLoad(partner, `services:${JSON.stringify({ ...pushed, filter })}`, async () => {
        const fetchedAt = new Date();
        const toModel = (r: ServiceRecord) => serviceFromPartner(r, partner.id, fetchedAt);
        const keep = async (records: ServiceRecord[]) => {
          const models = records.map(toModel);
          const kept = new Set(await matching(deps, filter, models));
          return records.filter((_, i) => kept.has(models[i]));
        };
        return (await connector.listServices({ ...pushed, keep })).map(toModel);
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
  // Connectors keep only matching records page by page (`keep`); the filter is applied once more to whatever
  // came back, so that no connector can let a record through.
  const matchingRecords = await matching(deps, filter, fetched);
  const after = afterId === undefined ? undefined : Buffer.from(afterId);
  const byId = new Map<string, ServiceModel>();
  for (const s of storePage.items) byId.set(s.id, s);
  for (const s of matchingRecords) if (!after || Buffer.compare(Buffer.from(s.id), after) > 0) byId.set(s.id, s);
  const merged = [...byId.values()].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  return {
    page: { items: merged.slice(0, first), hasNextPage: storePage.hasNextPage || merged.length > first },
    count: async () => (storeCount ?? (await store.count(storeFilter))) + matchingRecords.length,
    countExact: answers.every((answer) => answer === undefined || answer.length < LIVE_LIST_LIMIT),
    outages,
  };
}

/** The services the filter keeps (its one definition, src/store/offer-filter.ts), with the communes and réseaux it reads. */
async function matching(deps: LiveListDeps, filter: OfferFilter, services: ServiceModel[]): Promise<ServiceModel[]> {
  const communes = isTerritorial(filter) ? await communesOf(deps, services) : new Map<string, Commune>();
  const reseaux = filter.reseauxPorteurs?.length ? await reseauxOf(deps, services) : new Map<string, string[]>();
  return services.filter((s) => serviceMatches(s, filter, (code) => communes.get(code), (id) => reseaux.get(id)));
}

/** The communes of the partners' records, and their parents' (an arrondissement takes its city's EPCI). */
async function communesOf(deps: LiveListDeps, services: ServiceModel[]): Promise<Map<string, Commune>> {
  const codes = [...new Set(services.map((s) => s.codeInsee?.trim()).filter((c): c is string => !!c))];
  const found = await deps.communeByCode.loadMany(codes);
  const parents = [...new Set(found.flatMap((c) => (c && !(c instanceof Error) && c.parentCode ? [c.parentCode] : [])))];
  const all = parents.length ? [...found, ...(await deps.communeByCode.loadMany(parents))] : found;
  return new Map(all.flatMap((c) => (c && !(c instanceof Error) ? [[c.code, c] as const] : [])));
}

async function reseauxOf(deps: LiveListDeps, services: ServiceModel[]): Promise<Map<string, string[]>> {
  const ids = [...new Set(services.map((s) => s.structureId))];
  const structures = await deps.structureById.loadMany(ids);
  return new Map(structures.flatMap((s) => (s && !(s instanceof Error) ? [[s.id, s.reseauxPorteurs] as const] : [])));
}
