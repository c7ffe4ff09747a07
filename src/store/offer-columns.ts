import { Prisma } from '../generated/prisma/client';

/**
 * The columns of the offer's tables, by model field: derived from Prisma's generated field lists, so a
 * column added to `schema.prisma` is known here without a second list. Every column is the field's
 * snake_case (the schema maps each field that way; a test compares this table with the database's).
 */
export type OfferEntity = 'service' | 'structure';

export interface ColumnInfo {
  /** The model field (camelCase), as rows are served. */
  field: string;
  /** The SQL column. */
  column: string;
  /** Read as text in JSON, turned back into a Date for the model. */
  date: boolean;
}

const DATE_FIELDS = new Set(['dateMaj', 'createdAt', 'updatedAt']);

function columnsOf(fields: Record<string, string>): ReadonlyMap<string, ColumnInfo> {
  return new Map(
    Object.keys(fields).map((field) => [
      field,
      { field, column: field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), date: DATE_FIELDS.has(field) },
    ]),
  );
}

export const COLUMNS: Record<OfferEntity, ReadonlyMap<string, ColumnInfo>> = {
  service: columnsOf(Prisma.ServiceScalarFieldEnum),
  structure: columnsOf(Prisma.StructureScalarFieldEnum),
};

export const TABLE: Record<OfferEntity, string> = { service: 'services', structure: 'structures' };
