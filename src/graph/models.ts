/**
 * What the resolvers of each GraphQL type receive as parent (codegen's mappers point here): store
 * records as Prisma returns them, nomenclature items, and pages.
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

export type StructureModel = Structure & { origin?: LiveOrigin };
export type ServiceModel = Service & { origin?: LiveOrigin };

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

/** `Query.nomenclatures` has nothing to carry: its fields read the project's nomenclature copy. */
export type NomenclaturesModel = Record<string, never>;

export interface CentreModel {
  latitude: number;
  longitude: number;
  approximatif: boolean;
  source: string;
}

/** A page of a connection; `count` runs only when `totalCount` is selected. */
export interface ConnectionModel<T> {
  items: T[];
  hasNextPage: boolean;
  cursorOf(item: T): string;
  count(): Promise<number>;
}

export interface EdgeModel<T> {
  cursor: string;
  node: T;
}

export interface PageInfoModel {
  hasNextPage: boolean;
  endCursor: string | null;
  startCursor: string | null;
}
