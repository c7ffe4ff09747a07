/**
 * What the resolvers of the GraphQL-only types receive as parent (codegen's mappers point here): pages of
 * connections, and the empty parent of `Query.nomenclatures`. The records, territories and nomenclature
 * items themselves are plain data shapes, in src/domain/models.ts.
 */

/** `Query.nomenclatures` has nothing to carry: its fields read the project's nomenclature copy. */
export type NomenclaturesModel = Record<string, never>;

/** A page of a connection; `count` runs only when `totalCount` is selected. */
export interface ConnectionModel<T> {
  items: T[];
  hasNextPage: boolean;
  cursorOf(item: T): string;
  count(): Promise<number>;
  /** False when `count` is a lower bound (a live partner's list was cut at its cap); true when absent. */
  countExact?: boolean;
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
