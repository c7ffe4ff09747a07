import DataLoader from 'dataloader';
import type { PrismaClient } from '../generated/prisma/client';
import type { Commune, Departement, Epci, Region, Service, Source, Structure } from '../generated/prisma/client';
import type { OfferEntity, Page, Scope } from '../store/offer-query';
import type { Access } from '../auth/source-licences';
import { byKeyLoader } from './by-key';
import { offerByIdLoader } from './offer-by-id';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { ServiceModel, StructureModel } from '../graph/models';
import { serviceFromPartner, structureFromPartner } from '../partners/models';
import type { PartnerRegistry } from '../partners/registry';
import { scopedCountLoader, scopedPagesLoader, type ScopedCountKey, type ScopedPageKey } from './pages';

/** Per-request loaders: every relation of the graph resolves through one of these. */
export interface Loaders {
  structureById: DataLoader<string, StructureModel | null>;
  serviceById: DataLoader<string, ServiceModel | null>;
  communeByCode: DataLoader<string, Commune | null>;
  departementByCode: DataLoader<string, Departement | null>;
  regionByCode: DataLoader<string, Region | null>;
  epciByCode: DataLoader<string, Epci | null>;
  departementsByRegion: DataLoader<string, Departement[]>;
  sourceBySlug: DataLoader<string, Source | null>;
  servicePages(scope: Scope): DataLoader<ScopedPageKey, Page<Service>, string>;
  structurePages(scope: Exclude<Scope, 'structure'>): DataLoader<ScopedPageKey, Page<Structure>, string>;
  counts(entity: OfferEntity, scope: Scope): DataLoader<ScopedCountKey, number, string>;
}

export function createLoaders(prisma: PrismaClient, access: Access, partners?: PartnerRegistry): Loaders {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  return {
    structureById: offerByIdLoader<StructureModel, StructureRecord>({
      kind: 'structure',
      access,
      partners,
      fromStore: (ids) => prisma.structure.findMany({ where: { id: { in: ids } } }),
      fromPartner: (connector, ids) => connector.structuresByIds(ids),
      toModel: structureFromPartner,
    }),
    // A service also needs its structure's source visible to this viewer.
    serviceById: offerByIdLoader<ServiceModel, ServiceRecord>({
      kind: 'service',
      access,
      partners,
      fromStore: (ids) => prisma.service.findMany({ where: { id: { in: ids } } }),
      fromPartner: (connector, ids) => connector.servicesByIds(ids),
      toModel: serviceFromPartner,
      visible: (service) => access.canSee(service.structureId),
    }),
    communeByCode: byKeyLoader((codes) => prisma.commune.findMany({ where: { code: { in: codes } } }), (r) => r.code),
    departementByCode: byKeyLoader(
      (codes) => prisma.departement.findMany({ where: { code: { in: codes } } }),
      (r) => r.code,
    ),
    regionByCode: byKeyLoader((codes) => prisma.region.findMany({ where: { code: { in: codes } } }), (r) => r.code),
    epciByCode: byKeyLoader((codes) => prisma.epci.findMany({ where: { code: { in: codes } } }), (r) => r.code),
    departementsByRegion: groupedLoader(
      (codes) => prisma.departement.findMany({ where: { regionCode: { in: codes } }, orderBy: { code: 'asc' } }),
      (r) => r.regionCode,
    ),
    sourceBySlug: byKeyLoader((slugs) => prisma.source.findMany({ where: { slug: { in: slugs } } }), (r) => r.slug),
    servicePages: (scope) => once(`service:${scope}`, () => scopedPagesLoader<Service>(prisma, 'service', scope)),
    structurePages: (scope) => once(`structure:${scope}`, () => scopedPagesLoader<Structure>(prisma, 'structure', scope)),
    counts: (entity, scope) => once(`count:${entity}:${scope}`, () => scopedCountLoader(prisma, entity, scope)),
  };
}

function groupedLoader<T>(fetch: (keys: string[]) => Promise<T[]>, keyOf: (r: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const records = await fetch([...new Set(keys)]);
    return keys.map((k) => records.filter((r) => keyOf(r) === k));
  });
}
