import { Prisma } from '../generated/prisma/client';
import type { Reader } from '../store/offer-query';
import type { OfferEntity } from '../store/offer-columns';
import { whereClause, type OfferFilter } from '../store/offer-filter';
import { from } from '../store/row-shape';
import { CONTACT_FIELDS, exportColumns, LIST_FIELDS, REQUIRED_SETS, type ExportEntity } from '../exports/public-records';
import { SERVICE_FIELDS, STRUCTURE_FIELDS } from '../domain/validation';
import { sourceOfId } from '../domain/ids';
import type { Access } from '../auth/source-licences';

/**
 * The records `/api/v1` serves: data·inclusion v1 records (snake_case, the reference's field order) plus
 * `score_qualite`, read with the graph's filter (src/store/offer-filter.ts `whereClause`, source licences
 * included). The columns are the exports' (src/exports/public-records.ts) — v1 fields minus contacts, then the
 * score — and the contact fields come back, at their v1 places, only for a caller whose token carries
 * `contact:read`; for any other caller they are `null` (as the graph's), never read from the store.
 */
export type V1Record = Record<string, unknown>;

const ENTITY: Record<OfferEntity, ExportEntity> = { structure: 'structures', service: 'services' };

/** The fields of a v1 record, in order: with or without the contact values. */
export function v1Fields(entity: OfferEntity): string[] {
  const v1 = (entity === 'structure' ? STRUCTURE_FIELDS : SERVICE_FIELDS) as string[];
  const publicColumns = new Set(exportColumns(ENTITY[entity]).filter((c) => c !== 'fraicheur'));
  return [...v1.filter((f) => publicColumns.has(f) || CONTACT_FIELDS.includes(f)), 'score_qualite'];
}

function selectList(entity: OfferEntity, contacts: boolean): Prisma.Sql {
  const columns = v1Fields(entity).map((column) => {
    if (column === 'date_maj') return `to_char(x.date_maj, 'YYYY-MM-DD') AS date_maj`;
    if (CONTACT_FIELDS.includes(column) && !contacts) return `NULL::text AS ${column}`;
    return `x.${column}`;
  });
  return Prisma.raw(columns.join(', '));
}

/** Sets v1 requires one item of are `null` when empty (the exports' rule); the other sets stay arrays. */
function shaped(entity: OfferEntity, row: V1Record): V1Record {
  for (const field of LIST_FIELDS[ENTITY[entity]]) {
    const value = row[field] as string[] | null;
    if (value === null || (value.length === 0 && REQUIRED_SETS.includes(field))) row[field] = null;
  }
  return row;
}

export interface RecordPage {
  rows: V1Record[];
  total: number;
}

/**
 * One offset page in id order (the graph's keyset order) and the number of records kept, in one statement.
 * Why OFFSET rather than a keyset: the reference's clients ask for `page=N`. Pages are read in id order, so a
 * walk meets no reordering; a record added or removed before a page's start while a client walks shifts the
 * following pages by one (a repeat or a gap). README says so; `/exports/changes.ndjson` is the way to stay in sync.
 */
export async function readPage(db: Reader, entity: OfferEntity, filter: OfferFilter, offset: number, limit: number, contacts: boolean): Promise<RecordPage> {
  const where = whereClause(entity, filter);
  const [row] = await db.query<{ rows: V1Record[]; total: number }>(Prisma.sql`
    SELECT coalesce((SELECT json_agg(r ORDER BY r.id) FROM (
      SELECT ${selectList(entity, contacts)}${entity === 'structure' ? Prisma.sql`, x.cluster_id AS "@cluster", x.doublons AS "@doublons"` : Prisma.empty}
      FROM ${from(entity, 'x')} WHERE ${where} ORDER BY x.id OFFSET ${offset} LIMIT ${limit}
    ) r), '[]'::json) AS rows,
    (SELECT count(*)::int FROM ${from(entity, 'x')} WHERE ${where}) AS total`);
  return { rows: row.rows.map((r) => shaped(entity, r)), total: row.total };
}

/** Records by id that the filter (the caller's licences) keeps, in id order; `extra` adds a condition on `x`. */
export async function readWhere(db: Reader, entity: OfferEntity, filter: OfferFilter, condition: Prisma.Sql, contacts: boolean): Promise<V1Record[]> {
  const [row] = await db.query<{ rows: V1Record[] }>(Prisma.sql`
    SELECT coalesce((SELECT json_agg(r ORDER BY r.id) FROM (
      SELECT ${selectList(entity, contacts)}${entity === 'structure' ? Prisma.sql`, x.cluster_id AS "@cluster", x.doublons AS "@doublons"` : Prisma.empty}
      FROM ${from(entity, 'x')} WHERE ${whereClause(entity, filter)} AND ${condition}
    ) r), '[]'::json) AS rows`);
  return row.rows.map((r) => shaped(entity, r));
}

export function byIds(ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`x.id = ANY(${[...ids]}::text[])`;
}

/**
 * The ids of each structure's duplicates the caller may see, as the graph's `Structure.doublons`
 * (src/graph/dedup.ts): the other members of its cluster, and the doublons its producer published.
 */
export async function duplicateIds(db: Reader, rows: readonly V1Record[], access: Access): Promise<Map<string, string[]>> {
  const clusters = [...new Set(rows.map((r) => r['@cluster']).filter((c): c is string => typeof c === 'string'))];
  const published = [...new Set(rows.flatMap((r) => (r['@doublons'] as string[] | null) ?? []))];
  const found = clusters.length || published.length
    ? await db.query<{ id: string; cluster_id: string | null }>(
        Prisma.sql`SELECT id, cluster_id FROM structures WHERE cluster_id = ANY(${clusters}::text[]) OR id = ANY(${published}::text[])`,
      )
    : [];
  const existing = new Set(found.map((m) => m.id));
  const byCluster = new Map<string, string[]>();
  for (const m of found) if (m.cluster_id) byCluster.set(m.cluster_id, [...(byCluster.get(m.cluster_id) ?? []), m.id]);
  const result = new Map<string, string[]>();
  for (const r of rows) {
    const id = r.id as string;
    const ids = new Set<string>(((r['@doublons'] as string[] | null) ?? []).filter((other) => existing.has(other)));
    for (const m of byCluster.get(r['@cluster'] as string) ?? []) ids.add(m);
    ids.delete(id);
    result.set(id, [...ids].filter((other) => access.canSee(other)).sort());
  }
  return result;
}

/** A record without the columns read for bookkeeping (`@…`). */
export function publicPart(row: V1Record): V1Record {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('@')));
}

export function doublonRef(id: string): { source: string; id: string } {
  return { source: sourceOfId(id), id };
}
