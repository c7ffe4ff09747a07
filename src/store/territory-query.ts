import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Commune, Departement, Epci, Region, Source } from '../generated/prisma/client';
import type { Store } from './database';
import { normaliserNom } from '../domain/names';
import type { Page } from './offer-filter';
import { fromRow } from './rows';

/** Communes are paged by population (largest first), then code: the key a cursor carries. */
export interface CommuneKey {
  population: number;
  code: string;
}

export function communeKey(commune: Pick<Commune, 'population' | 'code'>): CommuneKey {
  return { population: commune.population ?? 0, code: commune.code };
}

export async function searchCommunes(
  prisma: PrismaClient,
  search: string | undefined,
  first: number,
  after?: CommuneKey,
): Promise<Page<Commune>> {
  const where = communeSearchWhere(search);
  const conditions = [where];
  if (after) {
    conditions.push(
      Prisma.sql`(coalesce(population, 0) < ${after.population} OR (coalesce(population, 0) = ${after.population} AND code > ${after.code}))`,
    );
  }
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT * FROM communes WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY coalesce(population, 0) DESC, code LIMIT ${first + 1}`;
  const ordered = rows.map((r) => fromRow<Commune>(r));
  return { items: ordered.slice(0, first), hasNextPage: ordered.length > first };
}

export async function countCommunes(prisma: PrismaClient, search: string | undefined): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM communes WHERE ${communeSearchWhere(search)}`;
  return row.n;
}

function communeSearchWhere(search: string | undefined): Prisma.Sql {
  const text = search?.trim();
  if (!text) return Prisma.sql`TRUE`;
  const name = normaliserNom(text);
  const conditions: Prisma.Sql[] = [];
  if (name) {
    // A name matches from its start or from the start of any of its words ("champagne" finds Châlons-en-Champagne).
    conditions.push(Prisma.sql`nom_recherche LIKE ${`${escapeLike(name)}%`}`);
    conditions.push(Prisma.sql`nom_recherche LIKE ${`% ${escapeLike(name)}%`}`);
  }
  if (/^[0-9AB]{2,5}$/i.test(text)) {
    const prefix = `${escapeLike(text.toUpperCase())}%`;
    conditions.push(Prisma.sql`code LIKE ${prefix}`);
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM unnest(codes_postaux) cp WHERE cp LIKE ${prefix})`);
  }
  return conditions.length ? Prisma.sql`(${Prisma.join(conditions, ' OR ')})` : Prisma.sql`FALSE`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function listSources(prisma: PrismaClient): Promise<Source[]> {
  return prisma.source.findMany({ orderBy: { slug: 'asc' } });
}

/** The reference tables read by key, with the model each row is served as (columns from Prisma's field lists). */
const REFERENCE = {
  commune: { table: 'communes', fields: Prisma.CommuneScalarFieldEnum },
  departement: { table: 'departements', fields: Prisma.DepartementScalarFieldEnum },
  region: { table: 'regions', fields: Prisma.RegionScalarFieldEnum },
  epci: { table: 'epcis', fields: Prisma.EpciScalarFieldEnum },
  source: { table: 'sources', fields: Prisma.SourceScalarFieldEnum },
} as const;

type ReferenceRow = { commune: Commune; departement: Departement; region: Region; epci: Epci; source: Source };

const snake = (field: string) => field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

/**
 * Rows of a reference table whose `by` field is one of `keys`, in one statement straight on the driver,
 * as JSON in the model's shape (the territories' loaders; territories have no dates to convert).
 */
export async function readReference<K extends keyof ReferenceRow>(
  db: Pick<Store, 'query'>,
  kind: K,
  by: keyof ReferenceRow[K] & string,
  keys: readonly string[],
): Promise<ReferenceRow[K][]> {
  const { table, fields } = REFERENCE[kind];
  const columns = Object.keys(fields).map((field) => `t.${snake(field)} AS "${field}"`).join(', ');
  const [row] = await db.query<{ rows: ReferenceRow[K][] }>(Prisma.sql`
    SELECT coalesce((SELECT json_agg(r ORDER BY r.${Prisma.raw(`"${Object.keys(fields)[0]}"`)}) FROM (
      SELECT ${Prisma.raw(columns)} FROM ${Prisma.raw(table)} t WHERE t.${Prisma.raw(snake(by))} = ANY(${[...keys]}::text[])
    ) r), '[]'::json) AS rows`);
  return row.rows;
}
