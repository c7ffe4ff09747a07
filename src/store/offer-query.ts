import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Service, Structure } from '../generated/prisma/client';
import { fromRow } from './rows';

/**
 * Set-based reads of the offer: one SQL statement per page, per count, or per batch of parents
 * (a DataLoader's batch of structures, communes, départements…), whatever the number of parents.
 * Pages are keyset pages ordered by id: walking them while records change yields no gap and no repeat.
 */

/** A filter already checked and normalised (catégories expanded, `tous-publics` added) by the graph layer. */
export interface OfferFilter {
  sources?: string[];
  thematiques?: string[];
  publics?: string[];
  frais?: string[];
  modesAccueil?: string[];
  types?: string[];
  reseauxPorteurs?: string[];
  codeCommune?: string;
  codeEpci?: string;
  codeDepartement?: string;
  codeRegion?: string;
  scoreQualiteMin?: number;
  updatedSince?: Date;
  /**
   * Sources the viewer may not see (source licences): set by the access layer, never from user input.
   * Services of a structure of such a source are hidden too.
   */
  hiddenSources?: readonly string[];
}

export interface PageRequest {
  filter: OfferFilter;
  first: number;
  /** The id after which the page starts (decoded from the cursor). */
  afterId?: string;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** What a batch of nested connections hangs off. */
export type Scope = 'structure' | 'commune' | 'epci' | 'departement' | 'region';

export type OfferEntity = 'service' | 'structure';
type Row<E extends OfferEntity> = E extends 'service' ? Service : Structure;

const TABLE: Record<OfferEntity, Prisma.Sql> = {
  service: Prisma.raw('services'),
  structure: Prisma.raw('structures'),
};

export async function listPage<E extends OfferEntity>(
  prisma: PrismaClient,
  entity: E,
  request: PageRequest,
): Promise<Page<Row<E>>> {
  const where = whereClause(entity, request.filter, request.afterId);
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT x.* FROM ${TABLE[entity]} x WHERE ${where} ORDER BY x.id LIMIT ${request.first + 1}`;
  return toPage(rows.map((r) => fromRow<Row<E>>(r)), request.first);
}

export async function count(prisma: PrismaClient, entity: OfferEntity, filter: OfferFilter): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM ${TABLE[entity]} x WHERE ${whereClause(entity, filter)}`;
  return row.n;
}

/** One page per parent key, all in one statement (window function per scope key). */
export async function listPagesByScope<E extends OfferEntity>(
  prisma: PrismaClient,
  entity: E,
  scope: Scope,
  keys: readonly string[],
  request: PageRequest,
): Promise<Map<string, Page<Row<E>>>> {
  const where = whereClause(entity, request.filter, request.afterId);
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT * FROM (
      SELECT x.*, k.scope AS _scope, row_number() OVER (PARTITION BY k.scope ORDER BY x.id) AS _rn
      FROM ${TABLE[entity]} x ${scopeJoin(entity, scope)}
      WHERE k.scope = ANY(${[...keys]}::text[]) AND ${where}
    ) t
    WHERE t._rn <= ${request.first + 1}
    ORDER BY t._scope, t.id`;
  const grouped = new Map<string, Row<E>[]>();
  for (const raw of rows) {
    const key = String(raw._scope);
    const list = grouped.get(key) ?? [];
    list.push(fromRow<Row<E>>(raw));
    grouped.set(key, list);
  }
  return new Map(keys.map((k) => [k, toPage(grouped.get(k) ?? [], request.first)]));
}

export async function countByScope(
  prisma: PrismaClient,
  entity: OfferEntity,
  scope: Scope,
  keys: readonly string[],
  filter: OfferFilter,
): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<{ scope: string; n: number }[]>`
    SELECT k.scope AS scope, count(*)::int AS n
    FROM ${TABLE[entity]} x ${scopeJoin(entity, scope)}
    WHERE k.scope = ANY(${[...keys]}::text[]) AND ${whereClause(entity, filter)}
    GROUP BY k.scope`;
  const counts = new Map(rows.map((r) => [r.scope, r.n]));
  return new Map(keys.map((k) => [k, counts.get(k) ?? 0]));
}

function toPage<T>(rows: T[], first: number): Page<T> {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** The scope key(s) of each row, as a lateral `k(scope)`. */
function scopeJoin(entity: OfferEntity, scope: Scope): Prisma.Sql {
  switch (scope) {
    case 'structure':
      if (entity !== 'service') throw new Error('only services hang off a structure');
      return Prisma.sql`CROSS JOIN LATERAL (SELECT x.structure_id::text AS scope) k`;
    case 'commune':
      // An arrondissement's record also belongs to its commune (Paris, Lyon, Marseille).
      return Prisma.sql`JOIN communes c ON c.code = x.code_insee
        CROSS JOIN LATERAL unnest(ARRAY[c.code, c.parent_code]) AS k(scope)`;
    case 'epci':
      return Prisma.sql`JOIN communes c ON c.code = x.code_insee
        CROSS JOIN LATERAL (SELECT coalesce(c.epci_code,
          (SELECT p.epci_code FROM communes p WHERE p.code = c.parent_code)) AS scope) k`;
    case 'departement':
      return Prisma.sql`JOIN communes c ON c.code = x.code_insee CROSS JOIN LATERAL (SELECT c.departement_code AS scope) k`;
    case 'region':
      return Prisma.sql`JOIN communes c ON c.code = x.code_insee CROSS JOIN LATERAL (SELECT c.region_code AS scope) k`;
  }
}

function whereClause(entity: OfferEntity, f: OfferFilter, afterId?: string): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (afterId !== undefined) conditions.push(Prisma.sql`x.id > ${afterId}`);
  if (f.sources?.length) conditions.push(Prisma.sql`x.source = ANY(${f.sources}::text[])`);
  if (f.hiddenSources?.length) {
    const hidden = [...f.hiddenSources];
    conditions.push(Prisma.sql`x.source <> ALL(${hidden}::text[])`);
    if (entity === 'service') conditions.push(Prisma.sql`split_part(x.structure_id, '--', 1) <> ALL(${hidden}::text[])`);
  }
  if (f.scoreQualiteMin !== undefined) conditions.push(Prisma.sql`x.score_qualite >= ${f.scoreQualiteMin}`);
  if (f.updatedSince) conditions.push(Prisma.sql`x.updated_at >= ${f.updatedSince}`);
  const territory = territoryCondition(f);
  if (territory) conditions.push(Prisma.sql`x.code_insee IN (${territory})`);

  const serviceConditions = serviceCriteria(f);
  if (entity === 'service') {
    conditions.push(...serviceConditions);
    if (f.reseauxPorteurs?.length) {
      conditions.push(
        Prisma.sql`x.structure_id IN (SELECT st.id FROM structures st WHERE st.reseaux_porteurs && ${f.reseauxPorteurs}::text[])`,
      );
    }
  } else {
    if (f.reseauxPorteurs?.length) conditions.push(Prisma.sql`x.reseaux_porteurs && ${f.reseauxPorteurs}::text[]`);
    if (serviceConditions.length) {
      const inner = serviceCriteria(f, 'x_s');
      if (f.hiddenSources?.length) inner.push(Prisma.sql`x_s.source <> ALL(${[...f.hiddenSources]}::text[])`);
      conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM services x_s WHERE x_s.structure_id = x.id AND ${Prisma.join(inner, ' AND ')})`);
    }
  }
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

function serviceCriteria(f: OfferFilter, alias = 'x'): Prisma.Sql[] {
  const a = Prisma.raw(alias);
  const out: Prisma.Sql[] = [];
  if (f.thematiques?.length) out.push(Prisma.sql`${a}.thematiques && ${f.thematiques}::text[]`);
  if (f.publics?.length) out.push(Prisma.sql`${a}.publics && ${f.publics}::text[]`);
  if (f.modesAccueil?.length) out.push(Prisma.sql`${a}.modes_accueil && ${f.modesAccueil}::text[]`);
  if (f.frais?.length) out.push(Prisma.sql`${a}.frais = ANY(${f.frais}::text[])`);
  if (f.types?.length) out.push(Prisma.sql`${a}.type = ANY(${f.types}::text[])`);
  return out;
}

/** The communes (codes) a territory filter keeps; undefined when there is none. */
function territoryCondition(f: OfferFilter): Prisma.Sql | undefined {
  const parts: Prisma.Sql[] = [];
  if (f.codeCommune) parts.push(Prisma.sql`(code = ${f.codeCommune} OR parent_code = ${f.codeCommune})`);
  if (f.codeEpci) {
    parts.push(
      Prisma.sql`(epci_code = ${f.codeEpci} OR parent_code IN (SELECT code FROM communes WHERE epci_code = ${f.codeEpci}))`,
    );
  }
  if (f.codeDepartement) parts.push(Prisma.sql`departement_code = ${f.codeDepartement}`);
  if (f.codeRegion) parts.push(Prisma.sql`region_code = ${f.codeRegion}`);
  if (!parts.length) return undefined;
  return Prisma.sql`SELECT code FROM communes WHERE ${Prisma.join(parts, ' AND ')}`;
}
