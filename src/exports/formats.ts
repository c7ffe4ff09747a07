// One writer per export format. Each takes the public records batch by batch (src/exports/public-records.ts)
// and writes bytes to a Node stream (an HTTP response, a gzip stream, a file), waiting for it to drain: what
// is in memory is one batch and what the stream buffers, whatever the offer's size.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { exportColumns, LIST_FIELDS, type ExportEntity, type PublicRecord } from './public-records';
import { listCell } from './list-encoding';

export type ExportFormat = 'csv' | 'json' | 'geojson' | 'parquet' | 'xlsx' | 'ndjson';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'geojson', 'parquet', 'xlsx', 'ndjson'];

export interface FormatInfo {
  contentType: string;
  /** Text formats are gzipped for a client that accepts it; Parquet and XLSX are compressed already. */
  text: boolean;
}

export const FORMAT_INFO: Readonly<Record<ExportFormat, FormatInfo>> = {
  csv: { contentType: 'text/csv; charset=utf-8', text: true },
  json: { contentType: 'application/json; charset=utf-8', text: true },
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', text: true },
  geojson: { contentType: 'application/geo+json; charset=utf-8', text: true },
  parquet: { contentType: 'application/vnd.apache.parquet', text: false },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', text: false },
};

/** What a file says about itself, where its format has room for it. */
export interface ExportMetadata {
  entity: ExportEntity;
  /** When the export was produced (also the response's `X-Export-Generated-At`). */
  generatedAt: Date;
  /** The filters, as `filtersKey` writes them ('' for none). */
  filters: string;
}

/** `services-inclusion-2026-03-02.csv`, the reference's names; the date is the day of the export in Paris. */
export function exportFileName(entity: ExportEntity, format: ExportFormat, day: string): string {
  return `${entity}-inclusion-${day}.${format}`;
}

/** Writes `chunk`; when the stream's buffer is full, waits for it to drain (or to close: the reader went away). */
export async function put(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.destroyed) throw new ExportAborted();
  if (!out.write(chunk)) await drained(out);
}

/** Resolves once `out` has room again; rejects with ExportAborted when it closes first. */
export async function drained(out: Writable): Promise<void> {
  if (!needsDrain(out)) return;
  if (out.destroyed) throw new ExportAborted();
  // Both listeners go when either fires: an export waits thousands of times on one stream, and a listener
  // left behind at each wait would stay until the stream closes.
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      out.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      out.off('drain', onDrain);
      reject(new ExportAborted());
    };
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}

/**
 * Whether `out` asked its writers to wait for 'drain'. Node's streams say it as `writableNeedDrain`; the
 * `readable-stream` 2 copies inside archiver (the zip entries of exceljs) only in their `_writableState`.
 */
function needsDrain(out: Writable): boolean {
  return out.writableNeedDrain ?? (out as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain === true;
}

/** The destination closed before the export was written (a client that disconnected). */
export class ExportAborted extends Error {
  constructor() {
    super('the export destination closed');
  }
}

async function finish(out: Writable): Promise<void> {
  if (out.writableFinished) return;
  out.end();
  await once(out, 'finish');
}

type Batches = AsyncIterable<PublicRecord[]>;

/** Writes every batch in `format` to `out`, then ends it. Returns the number of rows written. */
export async function writeExport(format: ExportFormat, batches: Batches, out: Writable, meta: ExportMetadata): Promise<number> {
  switch (format) {
    case 'csv':
      return writeCsv(batches, out, meta);
    case 'json':
      return writeJson(batches, out);
    case 'ndjson':
      return writeNdjson(batches, out);
    case 'geojson':
      return writeGeojson(batches, out, meta);
    case 'parquet':
      return (await import('./parquet')).writeParquet(batches, out, meta);
    case 'xlsx':
      return writeXlsx(batches, out, meta);
  }
}

/** A record's text cells (CSV, XLSX): lists as the reference writes them, nulls as empty cells. */
function textRow(record: PublicRecord, columns: readonly string[], isList: readonly boolean[]): (string | number | null)[] {
  const cells = new Array<string | number | null>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const value = record[columns[i]];
    cells[i] = isList[i] ? listCell(value as string[] | null) : (value as string | number | null);
  }
  return cells;
}

/**
 * One csv-stringify Stringifier for the whole file, fed a row array per record. Its output is read back after
 * each batch (one Buffer, written with backpressure): the readable side never pauses the writable side (a high
 * water mark no batch reaches), so a batch's rows are all turned into bytes before `read()`. Measured on 180k
 * services: one long-lived stringifier is 3× faster than the sync `stringify()` per batch (which joins the
 * batch's record strings again and normalises its options at each call), and reading Buffers (each record
 * encoded as it is pushed) is 9 % cheaper than reading one string per batch and encoding it whole.
 */
async function writeCsv(batches: Batches, out: Writable, meta: ExportMetadata): Promise<number> {
  const columns = exportColumns(meta.entity);
  const lists = new Set(LIST_FIELDS[meta.entity]);
  const isList = columns.map((column) => lists.has(column));
  const csv = stringify({ readableHighWaterMark: 1 << 30 });
  // A record it cannot write fails the export (as the sync function threw), never the process.
  let failed: Error | undefined;
  csv.on('error', (error) => (failed ??= error));
  const bytes = (): Buffer => {
    if (failed) throw failed;
    return (csv.read() as Buffer | null) ?? Buffer.alloc(0);
  };
  // The header is written even for an empty export: a reuser's parser learns the columns.
  csv.write(columns);
  await put(out, bytes());
  let rows = 0;
  for await (const batch of batches) {
    for (const record of batch) csv.write(textRow(record, columns, isList));
    rows += batch.length;
    await put(out, bytes());
  }
  csv.end();
  await finish(out);
  return rows;
}

async function writeJson(batches: Batches, out: Writable): Promise<number> {
  let rows = 0;
  await put(out, '[');
  for await (const batch of batches) {
    let text = '';
    for (const record of batch) text += `${rows++ === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
    await put(out, text);
  }
  await put(out, rows === 0 ? ']\n' : '\n]\n');
  await finish(out);
  return rows;
}

async function writeNdjson(batches: Batches, out: Writable): Promise<number> {
  let rows = 0;
  for await (const batch of batches) {
    let text = '';
    for (const record of batch) text += `${JSON.stringify(record)}\n`;
    rows += batch.length;
    await put(out, text);
  }
  await finish(out);
  return rows;
}

/**
 * A FeatureCollection of points (longitude, latitude; WGS 84, RFC 7946's only CRS, the reference's EPSG:4326),
 * every column in `properties` (the coordinates included, as the reference's GeoPandas file has them); a record
 * without coordinates has a null geometry. `generated_at` and `filters` are foreign members (RFC 7946 §6.1).
 */
async function writeGeojson(batches: Batches, out: Writable, meta: ExportMetadata): Promise<number> {
  let rows = 0;
  const head = { type: 'FeatureCollection', generated_at: meta.generatedAt.toISOString(), filters: meta.filters };
  await put(out, `${JSON.stringify(head).slice(0, -1)},"features":[`);
  for await (const batch of batches) {
    let text = '';
    for (const record of batch) {
      const { longitude, latitude } = record;
      const geometry = typeof longitude === 'number' && typeof latitude === 'number' ? { type: 'Point', coordinates: [longitude, latitude] } : null;
      text += `${rows++ === 0 ? '\n' : ',\n'}${JSON.stringify({ type: 'Feature', geometry, properties: record })}`;
    }
    await put(out, text);
  }
  await put(out, '\n]}\n');
  await finish(out);
  return rows;
}

/** Sheet names: the ones `passerelle import` reads (the reference's own file has pandas' `Sheet1`). */
export const XLSX_SHEETS: Readonly<Record<ExportEntity, string>> = { structures: 'Structures', services: 'Services' };

/**
 * exceljs's streaming writer: each row is committed as it comes (its XML goes into the zip stream), no shared
 * strings table (it would hold every distinct text until the end). Cells are text or numbers; `date_maj` is its
 * YYYY-MM-DD text, lists as in CSV. The workbook's `created` date is the export's time.
 */
async function writeXlsx(batches: Batches, out: Writable, meta: ExportMetadata): Promise<number> {
  const columns = exportColumns(meta.entity);
  const lists = new Set(LIST_FIELDS[meta.entity]);
  const isList = columns.map((column) => lists.has(column));
  // Loaded when an XLSX file is written (≈ 19 MB of RSS for a module most processes never need).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  workbook.creator = 'Passerelle';
  workbook.created = meta.generatedAt;
  workbook.modified = meta.generatedAt;
  workbook.title = `${meta.entity}-inclusion`;
  workbook.description = `Passerelle export of ${meta.entity}, generated at ${meta.generatedAt.toISOString()}${meta.filters ? ` (${meta.filters})` : ''}`;
  const sheet = workbook.addWorksheet(XLSX_SHEETS[meta.entity]);
  sheet.addRow(columns).commit();
  // Why the wait on the sheet's own pipe: exceljs's sheet stream (its StreamBuf) writes each 64 KB of row XML
  // into the PassThrough archiver reads the zip entry from, ignoring that stream's `false`; archiver deflates
  // more slowly than rows are turned into XML, so without this wait every row's XML queues there until the
  // end (measured: 443–476 MB peak RSS for 180k services; +57 MB in process with the wait). `pipes` is
  // StreamBuf's list of its destinations; they are readable-stream 2 PassThroughs (see `needsDrain`).
  const entries = (sheet as unknown as { stream: { pipes?: Writable[] } }).stream.pipes ?? [];
  let rows = 0;
  for await (const batch of batches) {
    for (const record of batch) sheet.addRow(textRow(record, columns, isList)).commit();
    rows += batch.length;
    for (const entry of entries) await drained(entry);
    // exceljs pipes its zip into `out` without waiting: wait here for `out` to take what it was given.
    await drained(out);
  }
  sheet.commit();
  const ended = once(out, 'finish');
  await workbook.commit();
  await ended;
  return rows;
}
