import { analyzeAfterBulkWrite } from '../store/analyze';
import { syncTerritoryCodes } from '../store/territory-codes';
import { differs, upsertStatement } from '../store/upsert';
import { InputError } from '../errors';
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Store } from '../store/database';
import { FORMER_COMMUNE_KINDS, buildTerritoriesReference, type TerritoriesReference } from './reference';

export interface TerritoriesImportResult {
  /** Rows of the reference, per table (what the tables hold for them after the import). */
  regions: number;
  departements: number;
  epcis: number;
  communes: number;
  /** Rows inserted or updated; 0 when the store already held this reference. */
  changed: number;
}

type Tx = Parameters<Parameters<Store['prisma']['$transaction']>[0]>[0];

/** Loading 35,000 communes in one transaction takes seconds; Prisma's default interactive timeout is 5 s. */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

const COMMUNE_COLUMNS = {
  code: 'text',
  nom: 'text',
  nom_recherche: 'text',
  kind: 'text',
  parent_code: 'text',
  departement_code: 'text',
  region_code: 'text',
  epci_code: 'text',
  codes_postaux: 'text[]',
  population: 'integer',
  latitude: 'double precision',
  longitude: 'double precision',
  centre_source: 'text',
  centre_approximatif: 'boolean',
};
const CENTRE_COLUMNS = ['latitude', 'longitude', 'centre_source', 'centre_approximatif'];
const OTHER_COMMUNE_COLUMNS = Object.keys(COMMUNE_COLUMNS).filter((n) => n !== 'code' && !CENTRE_COLUMNS.includes(n));

/** Centres imported from an official file (`importCentres`) outrank the derived ones: a re-import keeps them. */
const KEEP_IMPORTED = (column: string) => `CASE WHEN t.centre_source = 'import' THEN t.${column} ELSE EXCLUDED.${column} END`;

// One set-based upsert per table (src/store/upsert.ts): a second import of the same reference changes
// nothing and reports 0 changed rows.
const SQL = {
  regions: upsertStatement({ table: 'regions', key: 'code', columns: { code: 'text', nom: 'text', chef_lieu: 'text', zone: 'text', population: 'integer' } }),
  departements: upsertStatement({
    table: 'departements',
    key: 'code',
    columns: { code: 'text', nom: 'text', region_code: 'text', chef_lieu: 'text', zone: 'text', population: 'integer' },
  }),
  epcis: upsertStatement({ table: 'epcis', key: 'code', columns: { code: 'text', nom: 'text', type: 'text', population: 'integer' } }),
  communes: upsertStatement({
    table: 'communes',
    key: 'code',
    columns: COMMUNE_COLUMNS,
    update: Object.fromEntries(CENTRE_COLUMNS.map((n) => [n, KEEP_IMPORTED(n)])),
    changedWhen: `${differs(OTHER_COMMUNE_COLUMNS)} OR (t.centre_source IS DISTINCT FROM 'import' AND ${differs(CENTRE_COLUMNS)})`,
  }),
};

/**
 * Writes the territories reference (régions, départements, EPCI, communes, in that order for the foreign
 * keys) in one transaction. Idempotent. Communes that left the reference are not deleted.
 */
export async function importTerritories(
  store: Store,
  reference: TerritoriesReference = buildTerritoriesReference(),
): Promise<TerritoriesImportResult> {
  const json = {
    regions: reference.regions.map((r) => ({
      code: r.code,
      nom: r.nom,
      chef_lieu: r.chefLieu,
      zone: r.zone,
      population: r.population,
    })),
    departements: reference.departements.map((d) => ({
      code: d.code,
      nom: d.nom,
      region_code: d.regionCode,
      chef_lieu: d.chefLieu,
      zone: d.zone,
      population: d.population,
    })),
    epcis: reference.epcis.map((e) => ({ code: e.code, nom: e.nom, type: e.type, population: e.population })),
    communes: reference.communes.map((c) => ({
      code: c.code,
      nom: c.nom,
      nom_recherche: c.nomRecherche,
      kind: c.kind,
      parent_code: c.parentCode,
      departement_code: c.departementCode,
      region_code: c.regionCode,
      epci_code: c.epciCode,
      codes_postaux: c.codesPostaux,
      population: c.population,
      latitude: c.latitude,
      longitude: c.longitude,
      centre_source: c.centreSource,
      centre_approximatif: c.centreApproximatif,
    })),
  };
  const changed = await store.prisma.$transaction(async (tx: Tx) => {
    let total = 0;
    for (const table of ['regions', 'departements', 'epcis', 'communes'] as const) {
      total += await tx.$executeRawUnsafe(SQL[table], JSON.stringify(json[table]));
    }
    return { total, recoded: total ? await syncTerritoryCodes(tx) : 0 };
  }, TRANSACTION_OPTIONS);
  await analyzeAfterBulkWrite(store, ['regions', 'departements', 'epcis', 'communes'], changed.total);
  await analyzeAfterBulkWrite(store, ['structures', 'services'], changed.recoded);
  return {
    regions: reference.regions.length,
    departements: reference.departements.length,
    epcis: reference.epcis.length,
    communes: reference.communes.length,
    changed: changed.total,
  };
}

/**
 * Whether the store holds the territories: a current commune and a former one (commune déléguée or associée).
 * A store loaded before former communes were part of the reference has none, so it counts as not loaded and
 * the next start completes it (the import is idempotent and re-derives the records' territory codes).
 */
export async function territoriesLoaded(store: Store): Promise<boolean> {
  const [current, former] = await Promise.all([
    store.prisma.commune.findFirst({ where: { kind: 'commune-actuelle' }, select: { code: true } }),
    store.prisma.commune.findFirst({ where: { kind: { in: FORMER_COMMUNE_KINDS } }, select: { code: true } }),
  ]);
  return current !== null && former !== null;
}

/** A centres file that cannot be imported; `errors` lists every problem, one per line of the message. */
export class CentresFileError extends InputError {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    const shown = errors.slice(0, MAX_ERRORS_SHOWN);
    const more = errors.length > shown.length ? [`… and ${errors.length - shown.length} more`] : [];
    super(
      `centres file ${file}: ${errors.length} error${errors.length > 1 ? 's' : ''}, nothing imported\n` +
        [...shown, ...more].map((e) => `  ${e}`).join('\n'),
    );
    this.name = 'CentresFileError';
  }
}

const MAX_ERRORS_SHOWN = 100;
const CENTRE_FILE_COLUMNS = ['code_insee', 'latitude', 'longitude'] as const;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RANGES = { latitude: 90, longitude: 180 } as const;

/**
 * Imports official commune centres from a CSV file with the header `code_insee,latitude,longitude` (any
 * order). Every row is checked first; on any error nothing is written and a `CentresFileError` lists them
 * all, by row (the header is row 1, as a spreadsheet shows it) and column. Otherwise the centres are
 * written in one transaction (centreSource 'import', not approximate) and their count returned.
 */
export async function importCentres(store: Store, csvPath: string): Promise<number> {
  let records: string[][];
  try {
    records = parse(fs.readFileSync(csvPath), { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new CentresFileError(csvPath, [`not a readable CSV file: ${(error as Error).message}`]);
  }
  const errors: string[] = [];
  const header = records[0] ?? [];
  const unknown = header.filter((name) => !(CENTRE_FILE_COLUMNS as readonly string[]).includes(name));
  const missing = CENTRE_FILE_COLUMNS.filter((name) => !header.includes(name));
  for (const name of unknown) errors.push(`row 1, column ${name}: unknown column (expected ${CENTRE_FILE_COLUMNS.join(', ')})`);
  for (const name of missing) errors.push(`row 1: missing column ${name}`);
  if (new Set(header).size !== header.length) errors.push('row 1: a column appears twice');
  if (errors.length > 0) throw new CentresFileError(csvPath, errors);

  const index = Object.fromEntries(CENTRE_FILE_COLUMNS.map((name) => [name, header.indexOf(name)])) as Record<
    (typeof CENTRE_FILE_COLUMNS)[number],
    number
  >;
  const rows: { row: number; code: string; latitude: number; longitude: number }[] = [];
  const firstRowOf = new Map<string, number>();
  records.slice(1).forEach((values, i) => {
    const row = i + 2;
    if (values.length !== header.length) {
      errors.push(`row ${row}: ${values.length} values, expected ${header.length}`);
      return;
    }
    const code = values[index.code_insee];
    let ok = true;
    if (code === '') {
      errors.push(`row ${row}, column code_insee: missing value`);
      ok = false;
    } else if (firstRowOf.has(code)) {
      errors.push(`row ${row}, column code_insee: "${code}" already given on row ${firstRowOf.get(code)}`);
      ok = false;
    } else {
      firstRowOf.set(code, row);
    }
    const coordinates = { latitude: NaN, longitude: NaN };
    for (const column of ['latitude', 'longitude'] as const) {
      const raw = values[index[column]];
      if (raw === '') {
        errors.push(`row ${row}, column ${column}: missing value`);
        ok = false;
      } else if (!NUMBER.test(raw)) {
        errors.push(`row ${row}, column ${column}: "${raw}" is not a number`);
        ok = false;
      } else if (Math.abs(Number(raw)) > RANGES[column]) {
        errors.push(`row ${row}, column ${column}: ${raw} is out of range [-${RANGES[column]}, ${RANGES[column]}]`);
        ok = false;
      } else {
        coordinates[column] = Number(raw);
      }
    }
    if (ok) rows.push({ row, code, ...coordinates });
  });

  const payload = JSON.stringify(rows.map(({ code, latitude, longitude }) => ({ code, latitude, longitude })));
  const updated = await store.prisma.$transaction(async (tx: Tx) => {
    const unknownCodes = await tx.$queryRawUnsafe<{ code: string }[]>(
      `SELECT r.code FROM json_to_recordset($1::json) AS r(code text)
       WHERE NOT EXISTS (SELECT 1 FROM communes c WHERE c.code = r.code)`,
      payload,
    );
    const unknownSet = new Set(unknownCodes.map((u) => u.code));
    for (const r of rows) {
      if (unknownSet.has(r.code)) errors.push(`row ${r.row}, column code_insee: "${r.code}" is not a known commune`);
    }
    if (errors.length > 0) {
      const rowOf = (e: string) => Number(/^row (\d+)/.exec(e)?.[1] ?? 0);
      throw new CentresFileError(csvPath, errors.sort((a, b) => rowOf(a) - rowOf(b)));
    }
    return tx.$executeRawUnsafe(
      `UPDATE communes AS c
       SET latitude = r.latitude, longitude = r.longitude, centre_source = 'import', centre_approximatif = false
       FROM json_to_recordset($1::json) AS r(code text, latitude double precision, longitude double precision)
       WHERE c.code = r.code`,
      payload,
    );
  }, TRANSACTION_OPTIONS);
  await analyzeAfterBulkWrite(store, ['communes'], updated);
  return updated;
}
