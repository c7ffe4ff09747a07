// The public offer in Open Referral HSDS 3.0 (issue 13): the tabular package (one CSV per HSDS table, and its
// datapackage.json) and compiled services as JSON, over HTTP (`/exports/hsds/…`) and into files
// (`writeHsdsPackage`, for `passerelle export --format hsds`). Records come from `publicRecords` (no contact
// field, no restricted source); the mapping is src/exports/hsds-mapping.ts, documented in docs/hsds.md.
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { parisDate } from '../quality/freshness';
import type { Store } from '../store/database';
import { parseExportFilters, publicRecords, ExportFilterError, type ExportEntity, type ExportFilters, type PublicRecord, type PublicRecordsOptions } from './public-records';
import {
  flatten,
  hsdsTaxonomies,
  hsdsTaxonomyTerms,
  organizationFromStructure,
  serviceFromRecord,
  structureLocation,
  structureLocationId,
  type HsdsObject,
  type HsdsRows,
  type HsdsServiceInput,
  type HsdsStructureInput,
} from './hsds-mapping';
import { HSDS_TABLES, HSDS_VERSION, type HsdsTable } from './hsds-tables';

/** Where the records come from: batches of public records of one entity (the store's `publicRecords`, or fixtures in tests). */
export type HsdsRecordSource = (entity: ExportEntity) => AsyncIterable<readonly PublicRecord[]>;

export interface HsdsOptions extends Omit<PublicRecordsOptions, 'signal'> {
  filters?: ExportFilters;
  signal?: AbortSignal;
}

/** The store's public records, as the HSDS export reads them. */
export function storeSource(store: Store, options: HsdsOptions): HsdsRecordSource {
  return (entity) => publicRecords(store, entity, options.filters ?? {}, options);
}

// A PublicRecord is a v1 record minus its contact fields (public-records.ts), lists as arrays, numbers as numbers.
const asStructure = (record: PublicRecord) => record as unknown as HsdsStructureInput;
const asService = (record: PublicRecord) => record as unknown as HsdsServiceInput;

// ---- the package's descriptor ----

/** The tables a structure's rows go to, and a service's (the others are static or always empty). */
const STRUCTURE_TABLES = new Set(['organization', 'organization_identifier', 'location', 'address', 'accessibility', 'schedule', 'attribute']);
const SERVICE_TABLES = new Set(['service', 'service_at_location', 'service_area', 'location', 'address', 'schedule', 'attribute']);

export function hsdsTable(pathOrName: string): HsdsTable | undefined {
  return HSDS_TABLES.find((table) => table.path === pathOrName || table.name === pathOrName);
}

/**
 * The tabular package's descriptor (Frictionless Tabular Data Package, as HSDS's own datapackage.json): every
 * HSDS table, its columns in the specification's order with their types, keys and required flags. Tables
 * Passerelle has nothing for (phones, contacts, programs…) are in the package too, with their header only, so a
 * reader expecting HSDS's files finds all of them.
 */
export function hsdsDatapackage(generatedAt: Date = new Date()): Record<string, unknown> {
  return {
    profile: 'tabular-data-package',
    name: 'passerelle-hsds',
    title: 'Offre d’insertion (data·inclusion v1) au format Open Referral HSDS 3.0',
    description:
      'Structures et services publics de Passerelle (schéma data·inclusion v1) dans le modèle Human Services Data Specification 3.0 d’Open Referral. Sans données de contact ni source restreinte. Correspondance : docs/hsds.md.',
    version: HSDS_VERSION,
    created: generatedAt.toISOString(),
    sources: [{ title: 'Human Services Data Specification: an Open Referral resource', path: 'https://openreferral.org/' }],
    resources: HSDS_TABLES.map((table) => ({
      name: table.name,
      path: table.path,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      profile: 'tabular-data-resource',
      schema: {
        primaryKey: 'id',
        fields: table.fields.map((field) => ({ name: field.name, type: field.type, ...(field.format ? { format: field.format } : {}), constraints: { required: field.required } })),
        ...(table.foreignKeys.length ? { foreignKeys: table.foreignKeys } : {}),
      },
    })),
  };
}

// ---- rows ----

/** The ids of the structures' locations, from a first pass over the structures (a service links to its structure's). */
async function structureLocations(source: HsdsRecordSource, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const batch of source('structures')) {
    if (signal?.aborted) break;
    for (const record of batch) if (structureLocation(organizationFromStructure(asStructure(record)))) ids.add(record.id as string);
  }
  return ids;
}

/** The rows of a batch of structures, per table. */
export function structureRows(batch: readonly PublicRecord[]): HsdsRows {
  const rows: HsdsRows = new Map();
  for (const record of batch) flatten('organization', organizationFromStructure(asStructure(record)), rows);
  return rows;
}

/** The rows of a batch of services, per table; `located`: the structures (ids) that have a location. */
export function serviceRows(batch: readonly PublicRecord[], located: ReadonlySet<string>): HsdsRows {
  const rows: HsdsRows = new Map();
  for (const record of batch) {
    const service = asService(record);
    const structureId = service.structure_id;
    // The structure's location is written with its organization: here only the link to it (its id suffices).
    const at = located.has(structureId) ? { id: structureLocationId(structureId), location_type: 'physical' } : undefined;
    const skip = at && ((id: string) => id === at.id);
    flatten('service', serviceFromRecord(service, { structureLocation: at }), rows, skip);
  }
  return rows;
}

/** The static tables: the taxonomies and their terms (every nomenclature value, used or not). */
export function staticRows(): HsdsRows {
  const rows: HsdsRows = new Map();
  rows.set('taxonomy', hsdsTaxonomies().map((object) => flatten('taxonomy', object).get('taxonomy')![0]));
  rows.set('taxonomy_term', hsdsTaxonomyTerms().map((object) => flatten('taxonomy_term', object).get('taxonomy_term')![0]));
  return rows;
}

function csvHeader(table: HsdsTable): string {
  return stringify([table.fields.map((field) => field.name)]);
}

function csvRows(table: HsdsTable, rows: readonly Record<string, string | number>[] | undefined): string {
  if (!rows?.length) return '';
  return stringify(rows.map((row) => table.fields.map((field) => row[field.name] ?? '')));
}

/**
 * One table of the package as CSV, chunk by chunk: the header, then the rows of each batch of records. A table
 * a service links from (service_at_location) first reads the structures' ids that have a location.
 */
export async function* hsdsTableCsv(source: HsdsRecordSource, table: HsdsTable, signal?: AbortSignal): AsyncGenerator<string> {
  yield csvHeader(table);
  if (table.name === 'taxonomy' || table.name === 'taxonomy_term') {
    yield csvRows(table, staticRows().get(table.name));
    return;
  }
  if (STRUCTURE_TABLES.has(table.name)) {
    for await (const batch of source('structures')) {
      if (signal?.aborted) return;
      yield csvRows(table, structureRows(batch).get(table.name));
    }
  }
  if (SERVICE_TABLES.has(table.name)) {
    const located = table.name === 'service_at_location' ? await structureLocations(source, signal) : new Set<string>();
    for await (const batch of source('services')) {
      if (signal?.aborted) return;
      yield csvRows(table, serviceRows(batch, located).get(table.name));
    }
  }
}

/**
 * The services as HSDS compiled objects (`schema/compiled/service.json`: each with its organization, its
 * service_at_locations and their locations, its attributes and their taxonomy terms), as one JSON array, chunk
 * by chunk. The organizations are mapped first and kept in memory (one per structure): a service batch names
 * its structures, and the store reads the structures in id order only.
 */
export async function* hsdsServicesJson(source: HsdsRecordSource, signal?: AbortSignal): AsyncGenerator<string> {
  const organizations = new Map<string, HsdsObject>();
  for await (const batch of source('structures')) {
    if (signal?.aborted) return;
    for (const record of batch) organizations.set(record.id as string, organizationFromStructure(asStructure(record)));
  }
  yield '[';
  let first = true;
  for await (const batch of source('services')) {
    if (signal?.aborted) return;
    let chunk = '';
    for (const record of batch) {
      const service = asService(record);
      const organization = organizations.get(service.structure_id);
      const object = serviceFromRecord(service, { organization, structureLocation: organization && structureLocation(organization) });
      chunk += (first ? '\n' : ',\n') + JSON.stringify(object);
      first = false;
    }
    yield chunk;
  }
  yield '\n]\n';
}

// ---- files ----

export interface HsdsPackageResult {
  /** The directory written: `<dir>/hsds`. */
  dir: string;
  /** Rows written per table (the taxonomies included). */
  rows: Record<string, number>;
}

/**
 * Writes the HSDS package into `<dir>/hsds/`: datapackage.json, one CSV per HSDS table (header only when
 * empty) and services.json (compiled services). One pass over the structures and one over the services for the
 * CSVs (each batch's rows appended to every table's file, waiting for the disk), then one of each for the JSON.
 * For `passerelle export --format hsds --out DIR`.
 */
export async function writeHsdsPackage(store: Store, dir: string, options: HsdsOptions): Promise<HsdsPackageResult> {
  return writeHsdsPackageFrom(storeSource(store, options), dir, { generatedAt: options.now, signal: options.signal });
}

/** `writeHsdsPackage` over any record source (tests give fixtures). */
export async function writeHsdsPackageFrom(source: HsdsRecordSource, dir: string, options: { generatedAt?: Date; signal?: AbortSignal } = {}): Promise<HsdsPackageResult> {
  const out = path.join(dir, 'hsds');
  await fs.promises.mkdir(out, { recursive: true });
  await fs.promises.writeFile(path.join(out, 'datapackage.json'), `${JSON.stringify(hsdsDatapackage(options.generatedAt), null, 2)}\n`);
  const files = new Map(HSDS_TABLES.map((table) => [table.name, fs.createWriteStream(path.join(out, table.path))]));
  const counts: Record<string, number> = Object.fromEntries(HSDS_TABLES.map((table) => [table.name, 0]));
  const append = async (rows: HsdsRows) => {
    for (const table of HSDS_TABLES) {
      const list = rows.get(table.name);
      if (!list?.length) continue;
      counts[table.name] += list.length;
      await write(files.get(table.name)!, csvRows(table, list));
    }
  };
  try {
    for (const table of HSDS_TABLES) await write(files.get(table.name)!, csvHeader(table));
    await append(staticRows());
    const located = new Set<string>();
    for await (const batch of source('structures')) {
      if (options.signal?.aborted) throw new Error('the HSDS export was aborted');
      const rows = structureRows(batch);
      for (const location of rows.get('location') ?? []) located.add(String(location.external_identifier));
      await append(rows);
    }
    for await (const batch of source('services')) {
      if (options.signal?.aborted) throw new Error('the HSDS export was aborted');
      await append(serviceRows(batch, located));
    }
  } finally {
    await Promise.all([...files.values()].map((file) => new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())))));
  }
  const json = fs.createWriteStream(path.join(out, 'services.json'));
  try {
    for await (const chunk of hsdsServicesJson(source, options.signal)) await write(json, chunk);
  } finally {
    await new Promise<void>((resolve, reject) => json.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return { dir: out, rows: counts };
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (chunk && !stream.write(chunk)) await once(stream, 'drain');
}

// ---- HTTP ----

export const HSDS_PATH = '/exports/hsds';
/** The whole package (datapackage.json, every table's CSV, services.json) as one zip file. */
export const HSDS_ZIP_PATH = '/exports/hsds.zip';

/** `hsds-inclusion-2026-12-02.zip`: as the other exports' names, the day in Paris. */
export function hsdsZipName(day: string): string {
  return `hsds-inclusion-${day}.zip`;
}

/**
 * Zips the package folder `dir` (as writeHsdsPackage left it) into `out`, streaming: archiver reads one file at
 * a time and deflates it into `out`, waiting for it to drain, so memory holds a chunk, not the package.
 * Resolves once `out` has finished.
 */
export async function zipHsdsPackage(dir: string, out: Writable): Promise<void> {
  const { default: archiver } = await import('archiver');
  const zip = archiver('zip', { zlib: { level: 6 } });
  const finished = once(out, 'finish');
  const failed = new Promise<never>((_, reject) => zip.once('error', reject));
  zip.pipe(out);
  for (const file of (await fs.promises.readdir(dir)).sort()) zip.file(path.join(dir, file), { name: file });
  await Promise.race([zip.finalize(), failed]);
  await Promise.race([finished, failed]);
}

/**
 * `GET /exports/hsds.zip`: the package as one download, for a portal or a reader that wants the files together.
 * It is written to a temporary folder first (one pass over the structures and one over the services for the
 * tables, as `passerelle export --format hsds`), then streamed as a zip and the folder removed: the tables
 * cannot be zipped while they are written, since each batch adds rows to several of them.
 */
export async function serveHsdsZip(req: http.IncomingMessage, res: http.ServerResponse, store: Store, options: HsdsOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify({ error: 'the HSDS export is read with GET' }));
  }
  let filters: ExportFilters;
  try {
    filters = parseExportFilters(new URL(req.url ?? '/', 'http://localhost').searchParams);
  } catch (error) {
    if (!(error instanceof ExportFilterError)) throw error;
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify(error.toJSON()));
  }
  const generatedAt = options.now ?? new Date();
  const headers = {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${hsdsZipName(parisDate(generatedAt))}"`,
    'cache-control': 'no-cache',
    'x-export-generated-at': generatedAt.toISOString(),
  };
  if (req.method === 'HEAD') {
    res.writeHead(200, headers);
    return void res.end();
  }
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'passerelle-hsds-'));
  try {
    const written = await writeHsdsPackage(store, tmp, { ...options, filters, now: generatedAt, signal: abort.signal });
    if (abort.signal.aborted) return;
    res.writeHead(200, headers);
    await zipHsdsPackage(written.dir, res);
  } catch (error) {
    if (abort.signal.aborted) return;
    if (!res.headersSent) throw error;
    res.destroy(error as Error);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * `GET /exports/hsds/datapackage.json`, `/exports/hsds/<table>.csv` (each path of the datapackage) and
 * `/exports/hsds/services.json`, with the exports' filters (`source`, `departement`, `region`, `updatedSince`).
 * Public: the same for every caller, with or without a token (files carry no contact and no restricted source).
 */
export async function serveHsds(req: http.IncomingMessage, res: http.ServerResponse, store: Store, options: HsdsOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const file = url.pathname.slice(HSDS_PATH.length).replace(/^\//, '');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify({ error: 'the HSDS export is read with GET' }));
  }
  if (file === '' || file === 'datapackage.json') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
    return void res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(hsdsDatapackage(options.now), null, 2)}\n`);
  }
  const table = file.endsWith('.csv') ? hsdsTable(file) : undefined;
  if (!table && file !== 'services.json') {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify({ error: `no HSDS file ${file}; see ${HSDS_PATH}/datapackage.json` }));
  }
  let filters: ExportFilters;
  try {
    filters = parseExportFilters(url.searchParams);
  } catch (error) {
    if (!(error instanceof ExportFilterError)) throw error;
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify(error.toJSON()));
  }
  res.writeHead(200, {
    'content-type': table ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${table ? table.path : 'services.json'}"`,
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  // The client going away stops the read before its next batch.
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const source = storeSource(store, { ...options, filters, signal: abort.signal });
  const chunks = table ? hsdsTableCsv(source, table, abort.signal) : hsdsServicesJson(source, abort.signal);
  for await (const chunk of chunks) {
    if (abort.signal.aborted) break;
    await write(res, chunk);
  }
  res.end();
}
