import { Prisma } from '../generated/prisma/client';
import type { OfferEntity } from './offer-columns';

/**
 * What a list of the offer keeps, as SQL: one definition of each criterion, used by every statement that
 * reads the offer (pages, counts, nested pages, inline relations).
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

/**
 * A filter with a criterion (beyond the viewer's source licences): its matching records are few enough to
 * read once for both a page and its count.
 */
export function isSelective(f: OfferFilter): boolean {
  return Object.entries(f).some(([name, value]) => name !== 'hiddenSources' && value !== undefined && (!Array.isArray(value) || value.length > 0));
}

export function whereClause(entity: OfferEntity, f: OfferFilter, afterId?: string, alias = 'x'): Prisma.Sql {
  const x = Prisma.raw(alias);
  const conditions: Prisma.Sql[] = [];
  if (afterId !== undefined) conditions.push(Prisma.sql`${x}.id > ${afterId}`);
  if (f.sources?.length) conditions.push(Prisma.sql`${x}.source = ANY(${f.sources}::text[])`);
  if (f.hiddenSources?.length) {
    const hidden = [...f.hiddenSources];
    conditions.push(Prisma.sql`${x}.source <> ALL(${hidden}::text[])`);
    if (entity === 'service') conditions.push(Prisma.sql`split_part(${x}.structure_id, '--', 1) <> ALL(${hidden}::text[])`);
  }
  if (f.scoreQualiteMin !== undefined) conditions.push(Prisma.sql`${x}.score_qualite >= ${f.scoreQualiteMin}`);
  if (f.updatedSince) conditions.push(Prisma.sql`${x}.updated_at >= ${f.updatedSince}`);
  conditions.push(...territoryConditions(f, x));

  const serviceConditions = serviceCriteria(f, alias);
  if (entity === 'service') {
    conditions.push(...serviceConditions);
    if (f.reseauxPorteurs?.length) {
      conditions.push(
        Prisma.sql`${x}.structure_id IN (SELECT st.id FROM structures st WHERE st.reseaux_porteurs && ${f.reseauxPorteurs}::text[])`,
      );
    }
  } else {
    if (f.reseauxPorteurs?.length) conditions.push(Prisma.sql`${x}.reseaux_porteurs && ${f.reseauxPorteurs}::text[]`);
    if (serviceConditions.length) {
      const inner = serviceCriteria(f, `${alias}_s`);
      const xs = Prisma.raw(`${alias}_s`);
      if (f.hiddenSources?.length) inner.push(Prisma.sql`${xs}.source <> ALL(${[...f.hiddenSources]}::text[])`);
      conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM services ${xs} WHERE ${xs}.structure_id = ${x}.id AND ${Prisma.join(inner, ' AND ')})`);
    }
  }
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

function serviceCriteria(f: OfferFilter, alias: string): Prisma.Sql[] {
  const a = Prisma.raw(alias);
  const out: Prisma.Sql[] = [];
  if (f.thematiques?.length) out.push(Prisma.sql`${a}.thematiques && ${f.thematiques}::text[]`);
  if (f.publics?.length) out.push(Prisma.sql`${a}.publics && ${f.publics}::text[]`);
  if (f.modesAccueil?.length) out.push(Prisma.sql`${a}.modes_accueil && ${f.modesAccueil}::text[]`);
  if (f.frais?.length) out.push(Prisma.sql`${a}.frais = ANY(${f.frais}::text[])`);
  if (f.types?.length) out.push(Prisma.sql`${a}.type = ANY(${f.types}::text[])`);
  return out;
}

/**
 * A territory filter. Département, région and EPCI read the codes kept on the record (migration
 * `territory_codes`: an index on (code, id) each); a commune keeps its own records and, for Paris, Lyon and
 * Marseille, its arrondissements' (by the communes' parent code).
 */
function territoryConditions(f: OfferFilter, x: Prisma.Sql): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (f.codeCommune) {
    parts.push(Prisma.sql`${x}.code_insee IN (SELECT code FROM communes WHERE code = ${f.codeCommune} OR parent_code = ${f.codeCommune})`);
  }
  if (f.codeEpci) parts.push(Prisma.sql`${x}.epci_code = ${f.codeEpci}`);
  if (f.codeDepartement) parts.push(Prisma.sql`${x}.departement_code = ${f.codeDepartement}`);
  if (f.codeRegion) parts.push(Prisma.sql`${x}.region_code = ${f.codeRegion}`);
  return parts;
}
