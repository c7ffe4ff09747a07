/**
 * What the resolvers of each GraphQL type receive as parent (codegen's mappers point here): store
 * records as Prisma returns them, nomenclature items, and pages.
 */
import type { Commune, Departement, Epci, Region, Service, Source, Structure } from '../generated/prisma/client';

export type StructureModel = Structure;
export type ServiceModel = Service;
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
