import { Prisma, type Commune } from '../generated/prisma/client';
import { TABLE, type OfferEntity } from './offer-columns';
import { documentMatches, searchDocument, textMatch } from './full-text';
import type { ServiceModel } from '../domain/models';
import { sourceOfId } from '../domain/ids';
import { ageJours, verdictOf, type FraicheurVerdict, type FreshnessCriterion } from '../quality/freshness';

/**
 * What a list of the offer keeps: the one definition of each filter criterion, as SQL (every statement that
 * reads the offer: pages, counts, nested pages, inline relations) and in memory (live partner records, which a
 * partner filters only partly), side by side in one descriptor per criterion (`CRITERIA`), so that the two
 * forms cannot drift. `test/store/offer-filter.test.ts` runs one table of cases through both.
 */

/**
 * A filter already checked and normalised by the graph layer (src/graph/filters.ts): catégories expanded to
 * their thématiques; `publics` with `tous-publics` added, or absent when `tous-publics` was asked (as
 * data·inclusion's API: data-inclusion:api/src/data_inclusion/api/inclusion_data/services.py).
 */
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
  /** `fraicheur` verdicts, with the thresholds and the day they are read on (src/quality/freshness.ts). */
  fraicheur?: FreshnessCriterion;
  /**
   * One record per dedup cluster (src/dedup/): the best of the cluster's records that the rest of the filter
   * keeps — best `score_qualite` (none counts lowest), then most recent `date_maj`, then smallest id, as
   * data·inclusion's `exclure_doublons`. A record with no cluster is its own.
   */
  excludeDuplicates?: boolean;
  /**
   * Sources the viewer may not see (source licences): set by the access layer, never from user input.
   * Services of a structure of such a source are hidden too.
   */
  hiddenSources?: readonly string[];
  /**
   * French full-text search (src/store/full-text.ts): `nom`, `description`, thématique labels and
   * `publics_precisions`; already trimmed and checked (1–200 characters).
   */
  q?: string;
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

/** A criterion given a value (an empty list is no criterion). */
function active<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

/**
 * A filter with a criterion (beyond the viewer's source licences): its matching records are few enough to
 * read once for both a page and its count.
 */
export function isSelective(f: OfferFilter): boolean {
  return CRITERION_NAMES.some((name) => active(f[name]));
}

type CriterionName = Exclude<keyof OfferFilter, 'hiddenSources'>;
type CriterionValue<K extends CriterionName> = NonNullable<OfferFilter[K]>;

/**
 * The territory a record's `code_insee` gives it, as the trigger of migration `territory_codes` keeps it on
 * the record (`departement_code`, `region_code`, `epci_code`): its commune's codes, an arrondissement (or any
 * commune with a parent) taking its parent's EPCI. `communes` are the commune and its parent: the codes a
 * `codeCommune` filter matches it by. Undefined when the code is not a known commune (no territory filter keeps it).
 */
export interface TerritoryCodes {
  communes: string[];
  departement: string | null;
  region: string | null;
  epci: string | null;
}

export function territoryOf(codeInsee: string | null | undefined, communeOf: (code: string) => Commune | null | undefined): TerritoryCodes | undefined {
  const commune = codeInsee ? communeOf(codeInsee.trim()) : undefined;
  if (!commune) return undefined;
  const parent = commune.parentCode ? communeOf(commune.parentCode) : undefined;
  return {
    communes: commune.parentCode ? [commune.code, commune.parentCode] : [commune.code],
    departement: commune.departementCode,
    region: commune.regionCode,
    epci: commune.epciCode ?? parent?.epciCode ?? null,
  };
}

/** What the in-memory forms read of a service: its own columns, its structure's réseaux, its territory. */
export interface ServiceFacts {
  service: Pick<
    ServiceModel,
    'source' | 'scoreQualite' | 'updatedAt' | 'dateMaj' | 'thematiques' | 'publics' | 'modesAccueil' | 'frais' | 'type' | 'nom' | 'description' | 'publicsPrecisions'
  >;
  /** Its structure's réseaux porteurs. */
  reseauxPorteurs: readonly string[];
  territory: TerritoryCodes | undefined;
}

/**
 * One criterion: what it applies to, and what it keeps as SQL and in memory.
 * - `record`: the record itself, structure or service (its source, score, update time, territory);
 * - `service`: what a service offers; a structure is kept when at least one of its services is;
 * - `structure`: what a structure is; a service is kept when its structure is.
 */
interface Criterion<K extends CriterionName> {
  on: 'record' | 'service' | 'structure';
  /**
   * The condition on the row `x` (a `services` row, or a `structures` row for `structure` criteria). `scope`
   * (for `record` criteria) is the statement's: a criterion that compares a row with others reads it.
   */
  sql(x: Prisma.Sql, value: CriterionValue<K>, scope?: { entity: OfferEntity; filter: OfferFilter; alias: string }): Prisma.Sql;
  /** The same condition on a live service. */
  test(facts: ServiceFacts, value: CriterionValue<K>): boolean;
}

const overlaps = (values: readonly string[] | null | undefined, wanted: readonly string[]) => (values ?? []).some((v) => wanted.includes(v));
const isOneOf = (value: string | null | undefined, wanted: readonly string[]) => value != null && wanted.includes(value);

/**
 * Every criterion, in the order its SQL conditions are written. The mapped type makes the compiler ask for a
 * descriptor for each criterion of `OfferFilter`.
 */
const CRITERIA: { [K in CriterionName]: Criterion<K> } = {
  // Equality against any value (data·inclusion: `sources`, `frais`, `types`).
  sources: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.source = ANY(${v}::text[])`,
    test: ({ service }, v) => v.includes(service.source),
  },
  // `score_qualite >=` (data·inclusion's `score_qualite_minimum`); a record without a score is not kept.
  scoreQualiteMin: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.score_qualite >= ${v}`,
    test: ({ service }, v) => service.scoreQualite != null && service.scoreQualite >= v,
  },
  // Changed in Passerelle since that instant (a live record: fetched since).
  updatedSince: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.updated_at >= ${v}`,
    test: ({ service }, v) => service.updatedAt >= v,
  },
  // The record's `fraicheur` verdict is one of those asked: its date_maj against today minus the thresholds
  // (whole days, as ageJours and verdictOf; PostgreSQL's `date - integer` is that many days earlier).
  fraicheur: {
    on: 'record',
    sql: (x, v) => Prisma.sql`(${Prisma.join(v.verdicts.map((verdict) => freshnessSql(x, verdict, v)), ' OR ')})`,
    test: ({ service }, v) => v.verdicts.includes(verdictOf(ageJours(service.dateMaj, v.today), v)),
  },
  // Keyset pages stay gapless: whether a row is its cluster's best depends on the data and the filter, never
  // on the page. Live partner records have no cluster: each is its own.
  excludeDuplicates: {
    on: 'record',
    sql: (x, v, scope) => {
      if (!v || !scope) return Prisma.sql`TRUE`;
      const { entity, filter, alias } = scope;
      const y = Prisma.raw(`${alias}_d`);
      const others = whereClause(entity, { ...filter, excludeDuplicates: undefined }, undefined, `${alias}_d`);
      return Prisma.sql`(${x}.cluster_id IS NULL OR NOT EXISTS (SELECT 1 FROM ${Prisma.raw(TABLE[entity])} ${y}
        WHERE ${y}.cluster_id = ${x}.cluster_id AND ${y}.id <> ${x}.id AND ${others}
        AND (coalesce(${y}.score_qualite, -1), ${y}.date_maj, ${x}.id) > (coalesce(${x}.score_qualite, -1), ${x}.date_maj, ${y}.id)))`;
    },
    test: () => true,
  },
  // A commune keeps its own records and its arrondissements' (Paris, Lyon, Marseille: by the communes' parent code).
  codeCommune: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.code_insee IN (SELECT code FROM communes WHERE code = ${v} OR parent_code = ${v})`,
    test: ({ territory }, v) => !!territory?.communes.includes(v),
  },
  // EPCI, département and région read the codes kept on the record (indexed on (code, id)); see `territoryOf`.
  codeEpci: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.epci_code = ${v}`,
    test: ({ territory }, v) => territory?.epci === v,
  },
  codeDepartement: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.departement_code = ${v}`,
    test: ({ territory }, v) => territory?.departement === v,
  },
  codeRegion: {
    on: 'record',
    sql: (x, v) => Prisma.sql`${x}.region_code = ${v}`,
    test: ({ territory }, v) => territory?.region === v,
  },
  // Array overlap (data·inclusion: `thematiques` — catégories already expanded —, `publics`, `modes_accueil`).
  thematiques: {
    on: 'service',
    sql: (x, v) => Prisma.sql`${x}.thematiques && ${v}::text[]`,
    test: ({ service }, v) => overlaps(service.thematiques, v),
  },
  publics: {
    on: 'service',
    sql: (x, v) => Prisma.sql`${x}.publics && ${v}::text[]`,
    test: ({ service }, v) => overlaps(service.publics, v),
  },
  modesAccueil: {
    on: 'service',
    sql: (x, v) => Prisma.sql`${x}.modes_accueil && ${v}::text[]`,
    test: ({ service }, v) => overlaps(service.modesAccueil, v),
  },
  frais: {
    on: 'service',
    sql: (x, v) => Prisma.sql`${x}.frais = ANY(${v}::text[])`,
    test: ({ service }, v) => isOneOf(service.frais, v),
  },
  types: {
    on: 'service',
    sql: (x, v) => Prisma.sql`${x}.type = ANY(${v}::text[])`,
    test: ({ service }, v) => isOneOf(service.type, v),
  },
  // French full-text: the stored tsvector in SQL; live records by the documented approximation of full-text.ts.
  q: {
    on: 'service',
    sql: (x, v) => textMatch(x, v),
    test: ({ service }, v) =>
      documentMatches(
        searchDocument({ nom: service.nom, description: service.description, thematiques: service.thematiques, publics_precisions: service.publicsPrecisions }),
        v,
      ),
  },
  reseauxPorteurs: {
    on: 'structure',
    sql: (x, v) => Prisma.sql`${x}.reseaux_porteurs && ${v}::text[]`,
    test: ({ reseauxPorteurs }, v) => overlaps(reseauxPorteurs, v),
  },
};

const CRITERION_NAMES = Object.keys(CRITERIA) as CriterionName[];

/** FRESH: age < freshDays; TO_CHECK: freshDays ≤ age < staleDays; STALE: age ≥ staleDays (age = today − date_maj). */
function freshnessSql(x: Prisma.Sql, verdict: FraicheurVerdict, v: FreshnessCriterion): Prisma.Sql {
  const freshFrom = Prisma.sql`(${v.today}::date - ${v.freshDays}::int)`;
  const staleFrom = Prisma.sql`(${v.today}::date - ${v.staleDays}::int)`;
  if (verdict === 'FRESH') return Prisma.sql`${x}.date_maj > ${freshFrom}`;
  if (verdict === 'TO_CHECK') return Prisma.sql`(${x}.date_maj <= ${freshFrom} AND ${x}.date_maj > ${staleFrom})`;
  return Prisma.sql`${x}.date_maj <= ${staleFrom}`;
}

/** The criteria a filter sets, each with its value. */
function activeCriteria(f: OfferFilter): { criterion: Criterion<CriterionName>; value: never }[] {
  return CRITERION_NAMES.flatMap((name) => {
    const value = f[name];
    return active(value) ? [{ criterion: CRITERIA[name] as Criterion<CriterionName>, value: value as never }] : [];
  });
}

export function whereClause(entity: OfferEntity, f: OfferFilter, afterId?: string, alias = 'x'): Prisma.Sql {
  const x = Prisma.raw(alias);
  const xs = Prisma.raw(`${alias}_s`);
  const conditions: Prisma.Sql[] = [];
  const ofServices: Prisma.Sql[] = [];
  if (afterId !== undefined) conditions.push(Prisma.sql`${x}.id > ${afterId}`);
  const hidden = f.hiddenSources?.length ? [...f.hiddenSources] : undefined;
  if (hidden) {
    // Source licences: a hidden source's records, and the services of its structures.
    conditions.push(Prisma.sql`${x}.source <> ALL(${hidden}::text[])`);
    if (entity === 'service') conditions.push(Prisma.sql`split_part(${x}.structure_id, '--', 1) <> ALL(${hidden}::text[])`);
  }
  for (const { criterion, value } of activeCriteria(f)) {
    if (criterion.on === 'record' || criterion.on === entity) conditions.push(criterion.sql(x, value, { entity, filter: f, alias }));
    else if (criterion.on === 'service') ofServices.push(criterion.sql(xs, value));
    else conditions.push(Prisma.sql`${x}.structure_id IN (SELECT st.id FROM structures st WHERE ${criterion.sql(Prisma.raw('st'), value)})`);
  }
  if (ofServices.length) {
    if (hidden) ofServices.push(Prisma.sql`${xs}.source <> ALL(${hidden}::text[])`);
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM services ${xs} WHERE ${xs}.structure_id = ${x}.id AND ${Prisma.join(ofServices, ' AND ')})`);
  }
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

/**
 * Whether a live service is kept by the filter: the in-memory form of `whereClause('service', …)`.
 * `communeOf` gives a commune by code (the record's, and its parent's); `reseauxOf` its structure's réseaux
 * porteurs (needed only when the filter has `reseauxPorteurs`).
 */
export function serviceMatches(
  service: ServiceModel,
  f: OfferFilter,
  communeOf: (code: string) => Commune | null | undefined,
  reseauxOf: (structureId: string) => readonly string[] | undefined,
): boolean {
  if (f.hiddenSources?.length && (f.hiddenSources.includes(service.source) || f.hiddenSources.includes(sourceOfId(service.structureId)))) {
    return false;
  }
  const criteria = activeCriteria(f);
  if (!criteria.length) return true;
  const facts: ServiceFacts = {
    service,
    reseauxPorteurs: f.reseauxPorteurs?.length ? (reseauxOf(service.structureId) ?? []) : [],
    territory: territoryOf(service.codeInsee, communeOf),
  };
  return criteria.every(({ criterion, value }) => criterion.test(facts, value));
}

/** Whether a filter has a territory criterion (live records then need their communes). */
export function isTerritorial(f: OfferFilter): boolean {
  return [f.codeCommune, f.codeEpci, f.codeDepartement, f.codeRegion].some(active);
}
