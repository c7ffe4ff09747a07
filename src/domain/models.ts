/**
 * The offer's plain data shapes, whoever produces or reads them: store records as Prisma returns them, live
 * partner records in the same shape with their origin, territories, sources, nomenclature items. The graph's
 * resolvers receive them as parents (codegen's mappers point here), loaders and connectors produce them;
 * nothing here knows about GraphQL (the connection pages are the graph's own: src/graph/models.ts).
 */
import type { Commune, Departement, Epci, Region, Service, Source, Structure } from '../generated/prisma/client';

/**
 * Where a record came from. Absent on store records (their provenance is derived from them); set on
 * records a live partner answered.
 */
export interface LiveOrigin {
  partner: string;
  fetchedAt: Date;
}

/**
 * Relations read in the same statement as their record, under `@<response key>` (the selection that
 * asked them decides which): a service's structure, a structure's page of services (and its count under
 * `@<key>#count`). Absent when not read that way: resolvers then ask the loaders.
 */
export type Inlined = { readonly [key: `@${string}`]: unknown };

/**
 * Store records carry the columns their selection needs (plus id, source and a service's structure id):
 * a record read for one selection is never served to another.
 */
export type StructureModel = Structure & { origin?: LiveOrigin } & Inlined;
export type ServiceModel = Service & { origin?: LiveOrigin } & Inlined;

export interface ProvenanceModel {
  source: string;
  partner: string | null;
  fetchedAt: Date;
  live: boolean;
}
export type CommuneModel = Commune;
export type DepartementModel = Departement;
export type RegionModel = Region;
export type EpciModel = Epci;
export type SourceModel = Pick<Source, 'slug' | 'nom' | 'description'>;

export interface NomenclatureItemModel {
  value: string;
  label: string;
  description?: string | null;
}

export interface CentreModel {
  latitude: number;
  longitude: number;
  approximatif: boolean;
  source: string;
}
