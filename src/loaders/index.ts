import DataLoader from 'dataloader';
import type { Commune, Departement, Epci, Region, Source } from '../generated/prisma/client';
import type { Store } from '../store/database';
import { count, listPage, readByIds, type Scope } from '../store/offer-query';
import { countCommunes, listSources, readReference, searchCommunes, type CommuneKey } from '../store/territory-query';
import type { OfferEntity } from '../store/offer-columns';
import type { OfferFilter, Page, PageRequest } from '../store/offer-filter';
import { fullRow, type RowShape } from '../store/row-shape';
import { readClusterMembers } from '../store/clusters';
import { searchCount, searchOrigin, searchPage, type SearchHit, type SearchOrigin, type SearchRequest } from '../store/search-query';
import type { Access } from '../auth/source-licences';
import { dashboardFigures, type DashboardFigures } from '../store/quality-dashboard';
import type { FreshnessThresholds } from '../quality/freshness';
import { byKeyLoader } from './by-key';
import { offerByIdLoader, type OfferByIdLoader } from './offer-by-id';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { ServiceModel, StructureModel } from '../domain/models';
import { serviceFromPartner, structureFromPartner } from '../partners/models';
import type { PartnerRegistry } from '../partners/registry';
import { liveServicesList, type LiveList, type LiveListRequest, type StoreSide } from './live-services';
import { scopedCountLoader, scopedPagesLoader, type ScopedCountKey, type ScopedPageKey } from './pages';

/** Per-request loaders: every relation of the graph resolves through one of these. */
export interface Loaders {
  structureById: OfferByIdLoader<StructureModel>;
  serviceById: OfferByIdLoader<ServiceModel>;
  /** The store answers for this record (no live partner answers for its source). */
  storeAnswers(id: string): boolean;
  /** A top-level page of the offer (its count in the same statement when asked). */
  offerPage<M>(entity: OfferEntity, request: PageRequest, shape: RowShape, withCount?: boolean): Promise<Page<M> & { total?: number }>;
  offerCount(entity: OfferEntity, filter: OfferFilter): Promise<number>;
  /** `searchServices`: the store answers (no live partner is asked); src/store/search-query.ts. */
  searchOrigin(codeCommune: string): Promise<SearchOrigin | null | undefined>;
  searchPage(request: SearchRequest, shape: RowShape, withCount?: boolean): Promise<Page<SearchHit> & { total?: number }>;
  searchCount(request: Omit<SearchRequest, 'first' | 'after'>): Promise<number>;
  /** Communes by name, INSEE or postal code, largest first. */
  communes(search: string | undefined, first: number, after?: CommuneKey): Promise<Page<Commune>>;
  communeCount(search: string | undefined): Promise<number>;
  sources(): Promise<Source[]>;
  /** The data-quality dashboard's figures over what this access may see, restricted sources always left out. */
  dashboard(options: { restrictedSources: readonly string[]; today: string; thresholds: FreshnessThresholds }): Promise<DashboardFigures>;
  /**
   * A services list that live partners answer too, merged with the store's side; undefined when no live
   * partner is asked (the store alone answers).
   */
  liveServices(request: LiveListRequest, store: StoreSide): Promise<LiveList | undefined>;
  communeByCode: DataLoader<string, Commune | null>;
  departementByCode: DataLoader<string, Departement | null>;
  regionByCode: DataLoader<string, Region | null>;
  epciByCode: DataLoader<string, Epci | null>;
  departementsByRegion: DataLoader<string, Departement[]>;
  sourceBySlug: DataLoader<string, Source | null>;
  /** The member ids of dedup clusters (src/store/clusters.ts), by cluster id; members load through `structureById`. */
  clusterMembers: DataLoader<string, { id: string; clusterId: string }[]>;
  servicePages(scope: Scope): DataLoader<ScopedPageKey, Page<ServiceModel>, string>;
  structurePages(scope: Exclude<Scope, 'structure'>): DataLoader<ScopedPageKey, Page<StructureModel>, string>;
  counts(entity: OfferEntity, scope: Scope): DataLoader<ScopedCountKey, number, string>;
}

export function createLoaders(store: Store, access: Access, partners?: PartnerRegistry): Loaders {
  const prisma = store.prisma;
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const loaders: Loaders = {
    structureById: offerByIdLoader<StructureModel, StructureRecord>({
      kind: 'structure',
      access,
      partners,
      fullShape: fullRow('structure'),
      fromStore: (ids, shape) => readByIds<StructureModel>(store, 'structure', ids, shape),
      fromPartner: (connector, ids) => connector.structuresByIds(ids),
      toModel: structureFromPartner,
    }),
    // A service also needs its structure's source visible to this viewer.
    serviceById: offerByIdLoader<ServiceModel, ServiceRecord>({
      kind: 'service',
      access,
      partners,
      fullShape: fullRow('service'),
      fromStore: (ids, shape) => readByIds<ServiceModel>(store, 'service', ids, shape),
      fromPartner: (connector, ids) => connector.servicesByIds(ids),
      toModel: serviceFromPartner,
      visible: (service) => access.canSee(service.structureId),
    }),
    storeAnswers: (id) => !partners?.answererOf(id),
    offerPage: (entity, request, shape, withCount) => listPage(store, entity, request, shape, withCount),
    offerCount: (entity, filter) => count(store, entity, filter),
    searchOrigin: (codeCommune) => searchOrigin(store, codeCommune),
    searchPage: (request, shape, withCount) => searchPage(store, request, shape, withCount),
    searchCount: (request) => searchCount(store, request),
    communes: (search, first, after) => searchCommunes(prisma, search, first, after),
    communeCount: (search) => countCommunes(prisma, search),
    sources: () => listSources(prisma),
    // Public figures: every restricted source is left out, even for a client allowed one (one cached answer).
    dashboard: ({ restrictedSources, today, thresholds }) =>
      dashboardFigures(store, { hidden: [...new Set([...access.hiddenSources, ...restrictedSources])], today, thresholds }),
    liveServices: (request, storeSide) => liveServicesList({ partners, communeByCode: loaders.communeByCode, structureById: loaders.structureById }, request, storeSide),
    communeByCode: byKeyLoader((codes) => readReference(store, 'commune', 'code', codes), (r) => r.code),
    departementByCode: byKeyLoader((codes) => readReference(store, 'departement', 'code', codes), (r) => r.code),
    regionByCode: byKeyLoader((codes) => readReference(store, 'region', 'code', codes), (r) => r.code),
    epciByCode: byKeyLoader((codes) => readReference(store, 'epci', 'code', codes), (r) => r.code),
    departementsByRegion: groupedLoader((codes) => readReference(store, 'departement', 'regionCode', codes), (r) => r.regionCode),
    sourceBySlug: byKeyLoader((slugs) => readReference(store, 'source', 'slug', slugs), (r) => r.slug),
    clusterMembers: groupedLoader((clusterIds) => readClusterMembers(store, clusterIds), (r) => r.clusterId),
    servicePages: (scope) => once(`service:${scope}`, () => scopedPagesLoader<ServiceModel>(store, 'service', scope)),
    structurePages: (scope) => once(`structure:${scope}`, () => scopedPagesLoader<StructureModel>(store, 'structure', scope)),
    counts: (entity, scope) => once(`count:${entity}:${scope}`, () => scopedCountLoader(store, entity, scope)),
  };
  return loaders;
}

function groupedLoader<T>(fetch: (keys: string[]) => Promise<T[]>, keyOf: (r: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const records = await fetch([...new Set(keys)]);
    return keys.map((k) => records.filter((r) => keyOf(r) === k));
  });
}
