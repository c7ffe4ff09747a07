// CSV on PostgreSQL: the file is written by PostgreSQL's own CSV writer (`COPY (…) TO STDOUT WITH (FORMAT
// csv, HEADER)`), streamed to the client by pg-copy-streams; csv-stringify writes it on the embedded engine
// (formats.ts), where COPY can only hand back the whole file at once.
//
// Why: measured on 180k services through the server (2 vCPUs, the client on the same machine), the export was
// bound by this process's CPU: pg parsing each row into an object (~7 µs), csv-stringify quoting 38 fields
// (~12 µs), garbage collection. COPY does the same in C in the database, in one statement (one snapshot, so
// also a consistent file), and this process only moves bytes. The file is the same: same columns in the same
// order, lists as Python's `str(list)` (list-encoding.ts, here in SQL), the same `fraicheur` verdicts, the same
// records (exportConditions). Two differences a CSV reader does not see: PostgreSQL quotes an empty text
// (`""`, never written by Passerelle: empty values are stored as NULL) and writes a double with an exponent
// below 1e-4 (`5e-05`; no coordinate, score or weekly volume is that small). test/exports/csv-copy.test.ts
// reads both files and compares them row by row.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Prisma } from '../generated/prisma/client';
import type { Store } from '../store/database';
import { DEFAULT_FRESHNESS, parisDate, type FreshnessThresholds } from '../quality/freshness';
import { exportColumns, exportScope, LIST_FIELDS, REQUIRED_SETS, type ExportEntity, type ExportFilters } from './public-records';

/** Characters after which a list item is no longer written `'item'` as is (list-encoding.ts's NEEDS_ESCAPE). */
const NEEDS_ESCAPE = `('[\\\\''' || E'\\n\\r\\t' || ']')`;

/** Backslashes, newlines, carriage returns and tabs escaped as Python writes them; then `quote` too when asked. */
function escaped(item: string, quote: boolean): string {
  let text = `replace(${item}, '\\', '\\\\')`;
  if (quote) text = `replace(${text}, '''', '\\''')`;
  return `replace(replace(replace(${text}, E'\\n', '\\n'), E'\\r', '\\r'), E'\\t', '\\t')`;
}

/** Python's repr of one text (list-encoding.ts's `pythonString`): double quotes when it holds a `'` and no `"`. */
function pythonString(item: string): string {
  return `CASE WHEN strpos(${item}, '''') > 0 AND strpos(${item}, '"') = 0 THEN '"' || ${escaped(item, false)} || '"' ELSE '''' || ${escaped(item, true)} || '''' END`;
}

/** `['a', 'b']` for a text[] column (list-encoding.ts's `listCell`); an empty required set is NULL (REQUIRED_SETS). */
function pythonList(column: string, required: boolean): string {
  const items = `'[''' || array_to_string(${column}, ''', ''') || ''']'`;
  const each = `'[' || array_to_string(ARRAY(SELECT ${pythonString('u.item')} FROM unnest(${column}) WITH ORDINALITY AS u(item, n) ORDER BY u.n), ', ') || ']'`;
  return [
    `CASE WHEN ${column} IS NULL THEN NULL`,
    `WHEN cardinality(${column}) = 0 THEN ${required ? 'NULL' : `'[]'`}`,
    // Most lists are nomenclature slugs with nothing to escape: one join, no per-item work.
    `WHEN array_to_string(${column}, '') !~ ${NEEDS_ESCAPE} THEN ${items}`,
    `ELSE ${each} END`,
  ].join(' ');
}

/** The SELECT whose rows COPY writes: every export column, as `publicRecords` and `writeCsv` would write it. */
export function csvStatement(entity: ExportEntity, filters: ExportFilters, options: { restrictedSources: readonly string[]; freshness?: FreshnessThresholds; now?: Date }): Prisma.Sql {
  const freshness = options.freshness ?? DEFAULT_FRESHNESS;
  const today = parisDate(options.now ?? new Date());
  const lists = LIST_FIELDS[entity];
  const columns = exportColumns(entity).map((column) => {
    if (column === 'date_maj') return Prisma.raw(`to_char(x.date_maj, 'YYYY-MM-DD') AS date_maj`);
    if (column === 'fraicheur') {
      // ageJours: whole days from date_maj to the export's day in Paris; verdictOf's thresholds.
      const age = Prisma.sql`(${today}::date - x.date_maj)`;
      return Prisma.sql`CASE WHEN ${age} < ${freshness.freshDays} THEN 'FRESH' WHEN ${age} < ${freshness.staleDays} THEN 'TO_CHECK' ELSE 'STALE' END AS fraicheur`;
    }
    if (lists.includes(column)) return Prisma.raw(`${pythonList(`x.${column}`, REQUIRED_SETS.includes(column))} AS ${column}`);
    return Prisma.raw(`x.${column}`);
  });
  return Prisma.sql`SELECT ${Prisma.join(columns, ', ')} ${exportScope(entity, filters, options.restrictedSources)} ORDER BY x.id`;
}

/** True when the store can write this CSV itself (PostgreSQL). */
export function copiesCsv(store: Store): store is Store & Required<Pick<Store, 'copyOut'>> {
  return typeof store.copyOut === 'function';
}

/**
 * Writes the CSV export to `out` with COPY and ends it; returns the number of rows. Stops (and drops the
 * statement's connection) when `signal` aborts or `out` closes early.
 */
export async function copyCsv(
  store: Store & Required<Pick<Store, 'copyOut'>>,
  entity: ExportEntity,
  filters: ExportFilters,
  out: Writable,
  options: { restrictedSources: readonly string[]; freshness?: FreshnessThresholds; now?: Date; signal?: AbortSignal },
): Promise<number> {
  const copy = await store.copyOut(csvStatement(entity, filters, options), "FORMAT csv, HEADER true, ENCODING 'UTF8'");
  await pipeline(copy, out, { signal: options.signal });
  return (copy as unknown as { rowCount?: number }).rowCount ?? 0;
}
