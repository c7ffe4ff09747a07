// `GET /exports/{structures,services}.{csv,json,geojson,parquet,xlsx,ndjson}`: the public offer as files.
//
// Why the token is not read here: an export is public (README "Open data exports"). Whatever the caller sends,
// no contact field and no record of a restricted source is written (src/exports/public-records.ts decides it),
// so a file fetched with a reuser's token can be republished without leaking what that token unlocks, and the
// same URL gives the same bytes to everyone (one ETag, cacheable by any proxy).
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { currentPosition, encodeChangeCursor } from '../store/changes';
import { Prisma } from '../generated/prisma/client';
import type { Store } from '../store/database';
import { OFFER_VERSION_SQL } from '../store/offer-version';
import { DEFAULT_FRESHNESS, parisDate, type FreshnessThresholds } from '../quality/freshness';
import { EXPORT_FORMATS, exportFileName, ExportAborted, FORMAT_INFO, type ExportFormat } from './formats';
import { writeStoreExport } from './store-export';
import {
  ExportFilterError,
  exportScope,
  filtersKey,
  parseExportFilters,
  type ExportEntity,
  type ExportFilters,
} from './public-records';

/** The paths this module answers; `/exports/changes.ndjson`, `/exports/hsds/…` and the rest are others'. */
export const EXPORT_PATH = /^\/exports\/(structures|services)\.([a-z]+)$/;

/** Bumped when what a file holds changes for the same data (columns, encodings): old ETags stop matching. */
const EXPORT_LAYOUT = 1;

export interface ExportDeps {
  store?: Store;
  restrictedSources: readonly string[];
  freshness?: FreshnessThresholds;
  logger: Logger;
  /** Rows per statement (tests, bench). */
  batchSize?: number;
}

/** True when `path` is one of this module's (so `route()` can hand it over and leave the others alone). */
export function isPublicExportPath(path: string): boolean {
  const match = EXPORT_PATH.exec(path);
  return match !== null;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** What identifies an export's bytes: the offer's version, the day (verdicts), the format, the filters, the settings. */
export function exportEtag(parts: { version: string; day: string; entity: ExportEntity; format: ExportFormat; filters: ExportFilters; restrictedSources: readonly string[]; freshness: FreshnessThresholds }): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([EXPORT_LAYOUT, parts.day, filtersKey(parts.filters), [...parts.restrictedSources].sort(), parts.freshness.freshDays, parts.freshness.staleDays]))
    .digest('base64url')
    .slice(0, 16);
  return `"${parts.entity}.${parts.format}-v${parts.version}-${hash}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  // A gzipped response's ETag carries no suffix here, but proxies may add `-gzip` or W/: compare the opaque part.
  const opaque = etag.slice(1, -1);
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '').replace(/-gzip$/, '') === opaque);
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Answers an export path. Unknown names under `/exports/(structures|services).*` get 404; a bad filter 400
 * (`BAD_USER_INPUT`, naming the parameter); a matching `If-None-Match` 304.
 */
export async function serveExport(req: http.IncomingMessage, res: http.ServerResponse, deps: ExportDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = EXPORT_PATH.exec(url.pathname);
  if (!match) return sendJson(res, 404, { error: `no export ${url.pathname}` });
  const entity = match[1] as ExportEntity;
  const format = match[2] as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    return sendJson(res, 404, { error: `no export ${url.pathname}; formats: ${EXPORT_FORMATS.join(', ')}` });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'exports are read with GET' });
  }
  let filters: ExportFilters;
  try {
    filters = parseExportFilters(url.searchParams);
  } catch (error) {
    if (error instanceof ExportFilterError) return sendJson(res, 400, error.toJSON());
    throw error;
  }
  const store = deps.store;
  if (!store) {
    return sendJson(res, 503, { errors: [{ message: 'the store is not ready yet; retry in a few seconds', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  }

  const generatedAt = new Date();
  const day = parisDate(generatedAt);
  const freshness = deps.freshness ?? DEFAULT_FRESHNESS;
  // One statement: the offer's version and the newest change among the exported rows, from one snapshot.
  const [head] = await store.query<{ version: string | number; newest: Date | string | null }>(
    Prisma.sql`SELECT ${OFFER_VERSION_SQL}::text AS version, (SELECT max(x.updated_at) ${exportScope(entity, filters, deps.restrictedSources)}) AS newest`,
  );
  const etag = exportEtag({ version: String(head.version), day, entity, format, filters, restrictedSources: deps.restrictedSources, freshness });
  const lastModified = head.newest ? new Date(head.newest) : generatedAt;
  const info = FORMAT_INFO[format];
  const gzip = info.text && acceptsGzip(req.headers['accept-encoding']);
  const headers: http.OutgoingHttpHeaders = {
    etag,
    'last-modified': lastModified.toUTCString(),
    'cache-control': 'public, no-cache',
    vary: 'Accept-Encoding',
  };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const filtersText = filtersKey(filters);
  // Where a copy made from this file resumes the change feed: every change before it is in the file.
  const changesCursor = encodeChangeCursor(await currentPosition(store));
  Object.assign(headers, {
    'x-passerelle-changes-cursor': changesCursor,
    'content-type': info.contentType,
    'content-disposition': `attachment; filename="${exportFileName(entity, format, day)}"`,
    'x-export-generated-at': generatedAt.toISOString(),
    'x-content-type-options': 'nosniff',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();

  // The read stops when the client goes away: the generator is asked for no more batches.
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const options = { restrictedSources: deps.restrictedSources, freshness, generatedAt, signal: abort.signal, batchSize: deps.batchSize };
  const started = performance.now();
  try {
    let rows: number;
    if (gzip) {
      const compressor = createGzip({ level: zlib.Z_DEFAULT_COMPRESSION });
      const sent = pipeline(compressor, res);
      rows = await writeStoreExport(store, entity, format, filters, compressor as Writable, options);
      await sent;
    } else {
      rows = await writeStoreExport(store, entity, format, filters, res, options);
    }
    deps.logger.info({ export: `${entity}.${format}`, filters: filtersText, rows, ms: Math.round(performance.now() - started) }, 'export sent');
  } catch (error) {
    if (abort.signal.aborted || error instanceof ExportAborted || res.destroyed) {
      deps.logger.info({ export: `${entity}.${format}`, filters: filtersText }, 'export abandoned by the client');
      return;
    }
    // Headers are gone: cut the connection so the client sees a broken transfer, never a short "complete" file.
    deps.logger.error({ err: error, export: `${entity}.${format}` }, 'export failed');
    res.destroy(error as Error);
  }
}
