// The one way an export file is written from the store, for `GET /exports/…` and `passerelle export`: CSV on
// PostgreSQL by COPY (csv-copy.ts), every other file from the public records in batches (public-records.ts),
// encoded in this thread or, for Parquet, in a worker (encoder-thread.ts).
import type { Writable } from 'node:stream';
import type { Store } from '../store/database';
import type { FreshnessThresholds } from '../quality/freshness';
import { copiesCsv, copyCsv } from './csv-copy';
import { encodeExport } from './encoder-thread';
import type { ExportFormat } from './formats';
import { filtersKey, publicRecords, type ExportEntity, type ExportFilters } from './public-records';

export interface StoreExportOptions {
  restrictedSources: readonly string[];
  freshness?: FreshnessThresholds;
  /** When the export is made: the verdicts' day and the file's metadata. */
  generatedAt: Date;
  signal?: AbortSignal;
  /** Rows per statement of the batched read (tests, bench). */
  batchSize?: number;
}

/** Writes `entity` as `format` to `out` and ends it; returns the number of rows written. */
export async function writeStoreExport(store: Store, entity: ExportEntity, format: ExportFormat, filters: ExportFilters, out: Writable, options: StoreExportOptions): Promise<number> {
  const { restrictedSources, freshness, generatedAt, signal } = options;
  if (format === 'csv' && copiesCsv(store)) return copyCsv(store, entity, filters, out, { restrictedSources, freshness, now: generatedAt, signal });
  const batches = publicRecords(store, entity, filters, { restrictedSources, freshness, now: generatedAt, signal, batchSize: options.batchSize });
  try {
    return await encodeExport(format, batches, out, { entity, generatedAt, filters: filtersKey(filters) });
  } finally {
    await batches.return(undefined).catch(() => undefined);
  }
}
