import { Prisma } from '../generated/prisma/client';
import type { Store } from './database';
import type { OfferEntity } from './offer-columns';
import { isSelective, whereClause, type OfferFilter, type Page, type PageRequest } from './offer-filter';
import { from, hydrate, projection, type RowShape } from './row-shape';

/**
 * Set-based reads of the offer: one SQL statement per page (with its count when asked), per batch of
 * parents (a DataLoader's batch of structures, communes, départements…) or per batch of ids, whatever
 * their number. Each statement reads the columns and inline relations of its RowShape and returns them
 * as JSON built by PostgreSQL, so the rows arrive in the shape they are served in.
 * Pages are keyset pages ordered by id: walking them while records change yields no gap and no repeat.
 */

export type Reader = Pick<Store, 'query'>;

/** What a batch of nested connections hangs off. */
export type Scope = 'structure' | 'commune' | 'epci' | 'departement' | 'region';

type JsonRow = Record<string, unknown>;

/** One page, and the number of records the filter keeps when `withCount` (one statement either way). */
export async function listPage<T>(
  db: Reader,
  entity: OfferEntity,
  request: PageRequest,
  shape: RowShape,
  withCount = false,
): Promise<Page<T> & { total?: number }> {
  const limit = request.first + 1;
  // As compiled reads do (src/store/response-json.ts): a filtered list with its count reads its matching ids
  // once; a list without criteria counts on the index and walks it in id order.
  const statement =
    withCount && isSelective(request.filter)
      ? Prisma.sql`
        WITH m AS MATERIALIZED (SELECT x.id FROM ${from(entity, 'x')} WHERE ${whereClause(entity, request.filter)})
        SELECT coalesce((SELECT json_agg(r ORDER BY r."id") FROM (
          SELECT ${projection(entity, 'x', shape)}
          FROM (SELECT id FROM m ${request.afterId === undefined ? Prisma.empty : Prisma.sql`WHERE id > ${request.afterId}`} ORDER BY id LIMIT ${limit}) k
          JOIN ${from(entity, 'x')} ON x.id = k.id
        ) r), '[]'::json) AS rows, (SELECT count(*)::int FROM m) AS total`
      : Prisma.sql`
        SELECT coalesce((SELECT json_agg(r ORDER BY r."id") FROM (
          SELECT ${projection(entity, 'x', shape)} FROM ${from(entity, 'x')} WHERE ${whereClause(entity, request.filter, request.afterId)}
          ORDER BY x.id LIMIT ${limit}
        ) r), '[]'::json) AS rows
        ${withCount ? Prisma.sql`, (SELECT count(*)::int FROM ${from(entity, 'x')} WHERE ${whereClause(entity, request.filter)}) AS total` : Prisma.empty}`;
  const [row] = await db.query<{ rows: JsonRow[]; total?: number }>(statement);
  const page = toPage<T>(row.rows.map((r) => hydrate<T>(r, entity, shape)), request.first);
  return withCount ? { ...page, total: row.total } : page;
}

export async function count(db: Reader, entity: OfferEntity, filter: OfferFilter): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM ${from(entity, 'x')} WHERE ${whereClause(entity, filter)}`,
  );
  return row.n;
}

/** Records by id (those that exist), in one statement. */
export async function readByIds<T>(db: Reader, entity: OfferEntity, ids: readonly string[], shape: RowShape): Promise<T[]> {
  const [row] = await db.query<{ rows: JsonRow[] }>(Prisma.sql`
    SELECT coalesce((SELECT json_agg(r) FROM (
      SELECT ${projection(entity, 'x', shape)} FROM ${from(entity, 'x')} WHERE x.id = ANY(${[...ids]}::text[])
    ) r), '[]'::json) AS rows`);
  return row.rows.map((r) => hydrate<T>(r, entity, shape));
}

/**
 * One page per parent key, all in one statement. A structure's services: a keyset page per structure on
 * the (structure_id, id) index. A territory's records: numbered per territory, then only the rows kept
 * are projected (the inline relations of a large département are not read for rows left out).
 */
export async function listPagesByScope<T>(
  db: Reader,
  entity: OfferEntity,
  scope: Scope,
  keys: readonly string[],
  request: PageRequest,
  shape: RowShape,
): Promise<Map<string, Page<T>>> {
  const where = whereClause(entity, request.filter, request.afterId);
  const limit = request.first + 1;
  const statement =
    scope === 'structure'
      ? Prisma.sql`
        SELECT k.scope, coalesce((SELECT json_agg(r ORDER BY r."id") FROM (
          SELECT ${projection(entity, 'x', shape)} FROM ${from(entity, 'x')}
          WHERE x.structure_id = k.scope AND ${where} ORDER BY x.id LIMIT ${limit}
        ) r), '[]'::json) AS rows
        FROM unnest(${[...keys]}::text[]) AS k(scope)`
      : Prisma.sql`
        SELECT p._scope AS scope, json_agg(r ORDER BY r."id") AS rows
        FROM (
          SELECT k.scope AS _scope, x.id AS _id, row_number() OVER (PARTITION BY k.scope ORDER BY x.id) AS _rn
          FROM ${from(entity, 'x')} ${scopeJoin(entity, scope)}
          WHERE k.scope = ANY(${[...keys]}::text[]) AND ${where}
        ) p
        CROSS JOIN LATERAL (SELECT ${projection(entity, 'x', shape)} FROM ${from(entity, 'x')} WHERE x.id = p._id) r
        WHERE p._rn <= ${limit}
        GROUP BY p._scope`;
  const rows = await db.query<{ scope: string; rows: JsonRow[] }>(statement);
  const grouped = new Map(rows.map((r) => [r.scope, r.rows]));
  return new Map(
    keys.map((k) => [k, toPage<T>((grouped.get(k) ?? []).map((r) => hydrate<T>(r, entity, shape)), request.first)]),
  );
}

export async function countByScope(
  db: Reader,
  entity: OfferEntity,
  scope: Scope,
  keys: readonly string[],
  filter: OfferFilter,
): Promise<Map<string, number>> {
  const rows = await db.query<{ scope: string; n: number }>(Prisma.sql`
    SELECT k.scope AS scope, count(*)::int AS n
    FROM ${from(entity, 'x')} ${scopeJoin(entity, scope)}
    WHERE k.scope = ANY(${[...keys]}::text[]) AND ${whereClause(entity, filter)}
    GROUP BY k.scope`);
  const counts = new Map(rows.map((r) => [r.scope, r.n]));
  return new Map(keys.map((k) => [k, counts.get(k) ?? 0]));
}

export function toPage<T>(rows: T[], first: number): Page<T> {
  return rows.length > first ? { items: rows.slice(0, first), hasNextPage: true } : { items: rows, hasNextPage: false };
}

/** The scope key(s) of each row, as a lateral `k(scope)`. */
function scopeJoin(entity: OfferEntity, scope: Scope): Prisma.Sql {
  switch (scope) {
    case 'structure':
      if (entity !== 'service') throw new Error('only services hang off a structure');
      return Prisma.sql`CROSS JOIN LATERAL (SELECT x.structure_id::text AS scope) k`;
    case 'commune':
      // An arrondissement's record also belongs to its commune (Paris, Lyon, Marseille): the `codeCommune`
      // criterion's rule (offer-filter.ts, `TerritoryCodes.communes`), as a grouping.
      return Prisma.sql`JOIN communes c ON c.code = x.code_insee
        CROSS JOIN LATERAL unnest(ARRAY[c.code, c.parent_code]) AS k(scope)`;
    case 'epci':
      return Prisma.sql`CROSS JOIN LATERAL (SELECT x.epci_code AS scope) k`;
    case 'departement':
      return Prisma.sql`CROSS JOIN LATERAL (SELECT x.departement_code AS scope) k`;
    case 'region':
      return Prisma.sql`CROSS JOIN LATERAL (SELECT x.region_code AS scope) k`;
  }
}
