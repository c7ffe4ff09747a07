// The public offer as files leave Passerelle (issue 13): the records every export format writes, read from the
// store in keyset batches. One definition of "public" for every format (CSV, JSON, GeoJSON, Parquet, XLSX,
// NDJSON here; HSDS and the change feed build on it): what is left out is decided here, and only here.
import { Prisma } from '../generated/prisma/client';
import type { Store } from '../store/database';
import { SERVICE_FIELDS, STRUCTURE_FIELDS } from '../domain/validation';
import { ageJours, DEFAULT_FRESHNESS, parisDate, verdictOf, type FraicheurVerdict, type FreshnessThresholds } from '../quality/freshness';

export type ExportEntity = 'structures' | 'services';
export const EXPORT_ENTITIES: readonly ExportEntity[] = ['structures', 'services'];

/**
 * Contact fields never leave in a file, whatever the caller's token: a file is copied, mirrored and
 * republished, so there is no one left to check a scope against (the reference masks them too, `_has_pii`).
 */
export const CONTACT_FIELDS: readonly string[] = ['courriel', 'telephone', 'contact_nom_prenom'];

/**
 * Sets v1 requires at least one value of (`set(…, 1)` in src/domain/validation.ts): an empty one is written
 * `null`, never `[]`, so that the file validates against the reference's schema. Other sets keep `[]`.
 */
export const REQUIRED_SETS: readonly string[] = ['publics', 'zone_eligibilite', 'modes_mobilisation', 'mobilisable_par'];

/** The list (text[]) fields of each entity. */
export const LIST_FIELDS: Readonly<Record<ExportEntity, readonly string[]>> = {
  structures: ['reseaux_porteurs'],
  services: ['thematiques', 'publics', 'modes_accueil', 'zone_eligibilite', 'modes_mobilisation', 'mobilisable_par'],
};

/** Numeric fields (float8, int4 in the store). */
export const NUMBER_FIELDS: readonly string[] = ['longitude', 'latitude', 'volume_horaire_hebdomadaire', 'nombre_semaines', 'score_qualite'];

/** The columns an export has, in order: the v1 fields in the reference's order minus contacts, then the score and the verdict. */
export function exportColumns(entity: ExportEntity): string[] {
  const v1 = (entity === 'structures' ? STRUCTURE_FIELDS : SERVICE_FIELDS) as string[];
  return [...v1.filter((field) => !CONTACT_FIELDS.includes(field)), 'score_qualite', 'fraicheur'];
}

/** A public record: its `exportColumns(entity)` keys in order, lists as arrays, `date_maj` as YYYY-MM-DD. */
export type PublicRecord = Record<string, string | number | string[] | null>;

/** What a caller may narrow an export to. All optional; absent means the whole public offer. */
export interface ExportFilters {
  /** Source slugs (`?source=dora,cd35` or repeated `source`). */
  sources?: string[];
  /** A département code (01…95, 2A, 2B, 971…976): the record's commune's. */
  departement?: string;
  /** A 2-digit région code. */
  region?: string;
  /** Records changed in Passerelle (`updated_at`) at or after this instant, as the graph's `updatedSince`. */
  updatedSince?: Date;
  /** These records only (the change feed reads the records its changes name). Not an HTTP parameter. */
  ids?: readonly string[];
}

export interface PublicRecordsOptions {
  /** Sources no file ever carries (config `restrictedSources`); their records and their structures' services are left out. */
  restrictedSources: readonly string[];
  /** Thresholds of the `fraicheur` verdict; default 180 / 730 days. */
  freshness?: FreshnessThresholds;
  /** Rows per statement; default DEFAULT_BATCH_SIZE (200). */
  batchSize?: number;
  /** The instant the export is made at (the verdicts' day); default now. */
  now?: Date;
  /** Stops the read before the next batch (the client went away). */
  signal?: AbortSignal;
}

/** A filter value the caller sent that cannot be read: HTTP 400 (`BAD_USER_INPUT`), naming the parameter. */
export class ExportFilterError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }

  /** The body of the 400 response, shaped as the graph's errors. */
  toJSON() {
    return { errors: [{ message: this.message, extensions: { code: 'BAD_USER_INPUT', argument: this.argument } }] };
  }
}

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const DEPARTEMENT = /^(\d{2}|2A|2B|97\d)$/;
const REGION = /^\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
/** The query parameters the exports read; any other is ignored (a cache-buster must not break a download). */
export const FILTER_PARAMETERS = ['source', 'departement', 'region', 'updatedSince'] as const;

/** Reads `source`, `departement`, `region`, `updatedSince` from a URL's query; throws ExportFilterError. */
export function parseExportFilters(params: URLSearchParams): ExportFilters {
  const filters: ExportFilters = {};
  const sources = params.getAll('source').flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  if (params.has('source')) {
    if (sources.length === 0) throw new ExportFilterError('source', 'must be one or more source slugs (comma-separated)');
    for (const slug of sources) if (!SLUG.test(slug)) throw new ExportFilterError('source', `"${shown(slug)}" is not a source slug`);
    filters.sources = [...new Set(sources)].sort();
  }
  const departement = single(params, 'departement');
  if (departement !== undefined) {
    if (!DEPARTEMENT.test(departement)) throw new ExportFilterError('departement', `"${shown(departement)}" is not a département code (01…95, 2A, 2B, 971…976)`);
    filters.departement = departement;
  }
  const region = single(params, 'region');
  if (region !== undefined) {
    if (!REGION.test(region)) throw new ExportFilterError('region', `"${shown(region)}" is not a 2-digit région code`);
    filters.region = region;
  }
  const since = single(params, 'updatedSince');
  if (since !== undefined) {
    const instant = INSTANT.test(since) ? new Date(since.length === 10 ? `${since}T00:00:00Z` : since) : undefined;
    if (!instant || Number.isNaN(instant.getTime())) {
      throw new ExportFilterError('updatedSince', `"${shown(since)}" is not a date (YYYY-MM-DD) or an ISO 8601 instant with its offset`);
    }
    filters.updatedSince = instant;
  }
  return filters;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new ExportFilterError(name, 'must be given once');
  return values[0].trim();
}

function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** A stable text of the filters (ETag, file names in logs): `source=a,b&departement=35`. */
export function filtersKey(filters: ExportFilters): string {
  const parts: string[] = [];
  if (filters.sources) parts.push(`source=${filters.sources.join(',')}`);
  if (filters.departement) parts.push(`departement=${filters.departement}`);
  if (filters.region) parts.push(`region=${filters.region}`);
  if (filters.updatedSince) parts.push(`updatedSince=${filters.updatedSince.toISOString()}`);
  return parts.join('&');
}

const TABLE: Record<ExportEntity, string> = { structures: 'structures', services: 'services' };

/** The WHERE conditions of an export (alias `x`), restricted sources included. Shared with the export's metadata reads. */
export function exportConditions(entity: ExportEntity, filters: ExportFilters, restrictedSources: readonly string[]): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const hidden = [...restrictedSources];
  if (hidden.length > 0) {
    conditions.push(Prisma.sql`x.source <> ALL(${hidden}::text[])`);
    // A service of a restricted source's structure is that source's record too (as the graph decides it).
    if (entity === 'services') conditions.push(Prisma.sql`split_part(x.structure_id, '--', 1) <> ALL(${hidden}::text[])`);
  }
  if (filters.sources) conditions.push(Prisma.sql`x.source = ANY(${filters.sources}::text[])`);
  if (filters.departement) conditions.push(Prisma.sql`x.departement_code = ${filters.departement}`);
  if (filters.region) conditions.push(Prisma.sql`x.region_code = ${filters.region}`);
  if (filters.updatedSince) conditions.push(Prisma.sql`x.updated_at >= ${filters.updatedSince}`);
  if (filters.ids) conditions.push(Prisma.sql`x.id = ANY(${[...filters.ids]}::text[])`);
  return conditions;
}

/** The FROM … WHERE of an export (alias `x`), for statements that read the same rows (count, newest update). */
export function exportScope(entity: ExportEntity, filters: ExportFilters, restrictedSources: readonly string[]): Prisma.Sql {
  const conditions = exportConditions(entity, filters, restrictedSources);
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  return Prisma.sql`FROM ${Prisma.raw(TABLE[entity])} x ${where}`;
}

/**
 * The select list: the stored columns (v1 snake_case names) of the public fields; date_maj as text (no time zone);
 * lists as JSON (`to_json`, NULL stays NULL), which both drivers hand back through JSON.parse: measured on 180k
 * services, a quarter less CPU in this process than pg's parser of array literals, value for value the same arrays.
 */
function selectList(entity: ExportEntity): Prisma.Sql {
  const columns = exportColumns(entity).filter((column) => column !== 'fraicheur');
  const lists = LIST_FIELDS[entity];
  return Prisma.raw(
    columns
      .map((column) =>
        column === 'date_maj' ? `to_char(x.date_maj, 'YYYY-MM-DD') AS date_maj` : lists.includes(column) ? `to_json(x.${column}) AS ${column}` : `x.${column}`,
      )
      .join(', '),
  );
}

/**
 * Rows per statement by default (PostgreSQL, `npm run bench -- --parts exports`, 180k services):
 * 200-row batches cost half the CPU of 2,000-row ones (pg keeps a statement's rows until it completes, so every
 * young-generation GC during a big batch copies the rows parsed so far), hold less memory at once, and on the
 * embedded engine each statement holds the thread a tenth as long. Measured in process on 180k services:
 * 3.8 CPU-s for the CSV export at 200 rows, 6.5 at 2,000; the server's peak RSS during it +20 MB against +80.
 */
export const DEFAULT_BATCH_SIZE = 200;

/**
 * The public records of an entity, in id order, batch by batch (`batchSize` rows per statement, keyset on id):
 * memory stays that of a batch or two whatever the offer's size, and between two batches the event loop turns (on
 * the embedded engine a statement holds the thread: short statements keep the server answering).
 *
 * On PostgreSQL the next batch's statement is sent as soon as a batch arrives (its keyset is the batch's last id),
 * so the server reads the next rows while this process shapes and writes the current ones. On PGlite there is no
 * other thread to overlap with: one statement at a time.
 *
 * STABLE INTERFACE: the HSDS export (src/exports/hsds*) and other formats build on `publicRecords`, `PublicRecord`,
 * `ExportFilters`, `exportColumns` and `parseExportFilters`: extend with optional options, never change their meaning.
 *
 * Each batch is its own statement: a write committed during a long export may show in later batches only.
 */
export async function* publicRecords(
  store: Store,
  entity: ExportEntity,
  filters: ExportFilters,
  options: PublicRecordsOptions,
): AsyncGenerator<PublicRecord[], void, undefined> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const freshness = options.freshness ?? DEFAULT_FRESHNESS;
  const today = parisDate(options.now ?? new Date());
  const conditions = exportConditions(entity, filters, options.restrictedSources);
  const lists = LIST_FIELDS[entity].map((field) => ({ field, required: REQUIRED_SETS.includes(field) }));
  const select = selectList(entity);
  const prefetch = store.engine === 'postgres';
  // Many records share a date_maj: its verdict is computed once per export.
  const verdicts = new Map<string, FraicheurVerdict>();
  const read = (after: string | undefined) => {
    const keyset = after === undefined ? conditions : [...conditions, Prisma.sql`x.id > ${after}`];
    const where = keyset.length ? Prisma.sql`WHERE ${Prisma.join(keyset, ' AND ')}` : Prisma.empty;
    return store.query<PublicRecord>(Prisma.sql`SELECT ${select} FROM ${Prisma.raw(TABLE[entity])} x ${where} ORDER BY x.id LIMIT ${batchSize}`);
  };
  let next: Promise<PublicRecord[]> | undefined;
  try {
    if (options.signal?.aborted) return;
    next = read(undefined);
    for (;;) {
      const rows = await next;
      next = undefined;
      if (rows.length === 0) return;
      const last = rows[rows.length - 1].id as string;
      const more = rows.length === batchSize;
      if (more && prefetch && !options.signal?.aborted) next = read(last);
      for (const row of rows) {
        for (const { field, required } of lists) {
          const value = row[field] as string[] | null;
          if (value !== null && value.length === 0 && required) row[field] = null;
        }
        const dateMaj = row.date_maj as string;
        let verdict = verdicts.get(dateMaj);
        if (verdict === undefined) verdicts.set(dateMaj, (verdict = verdictOf(ageJours(dateMaj, today), freshness)));
        row.fraicheur = verdict;
      }
      yield rows;
      if (!more || options.signal?.aborted) return;
      // Let other requests in between two statements (setImmediate: after pending I/O callbacks).
      if (!prefetch) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) return;
      }
      next ??= read(last);
    }
  } finally {
    // A statement sent ahead and no longer wanted (the reader stopped): its rows, or its failure, are dropped.
    next?.catch(() => undefined);
  }
}
