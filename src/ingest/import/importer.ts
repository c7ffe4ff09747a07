// `passerelle import <file> --source SLUG`: a producer's file into the store, row by row validated,
// written in batches.
//
// - Two passes over the file, structures then services, so that a service may name a structure that comes
//   later in the file, without holding the file in memory: each pass streams it again and keeps only the
//   current batch. What grows with the file is the set of its ids (duplicates, and services' structures
//   checked against the file's structures even on a dry run): about a hundred bytes per record.
// - A batch (1,000 rows by default) is written in ONE transaction (writeOfferIn), with the registration of
//   a new source in the first one: a crash mid-file leaves the store as before that batch. Writes are
//   upserts that leave identical rows alone, so running the same file again writes nothing, and re-running
//   after a crash writes only what the crash lost: no bookkeeping of where it stopped is needed.
// - Invalid rows are never written; a service whose structure is neither a valid structure of the file nor
//   in the store is rejected too.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors';
import { isValue, lookup } from '../../domain/nomenclatures';
import type { ServiceRecord, StructureRecord } from '../../domain/validation';
import { dedupChanged } from '../../dedup/run';
import { analyzeAfterBulkWrite } from '../../store/analyze';
import type { Store } from '../../store/database';
import { writeOfferIn, type WriteResult } from '../../store/write';
import { checkRow, type CheckContext } from './check';
import { unknownZoneCodes } from '../../store/territory-codes';
import { formatOf, type RawRow, type ReadOptions } from './readers';
import { ReportBuilder, shownValue, type ImportReport, type Kind, type Problem } from './report';

export interface ImportOptions {
  /** The producer's source slug: every row's `source` (filled when absent) and the ids' prefix. */
  source: string;
  /** The name under which an unknown source is registered (required for one). */
  sourceName?: string;
  /** Validate and report; write nothing (not even the source). */
  dryRun?: boolean;
  /** The kind of every record of a CSV or NDJSON file; default: told by the records (`structure_id`). */
  kind?: Kind;
  /** json, ndjson, csv or xlsx; default: by the file's extension. */
  format?: string;
  /** Rows per transaction. */
  batchSize?: number;
  /** The quality score's reference date and date_maj's upper bound; default: now. */
  now?: Date;
  /** Progress: bytes read over the passes, out of `total`, and rows read. */
  onProgress?(progress: { done: number; total: number; rows: number }): void;
  /** Called once a batch has committed (tests stop a process there). */
  afterBatch?(batch: { kind: Kind; rows: number; committed: number }): void | Promise<void>;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 };

interface Pending {
  record: StructureRecord | ServiceRecord;
  id: string;
  producerId?: string;
  sheet?: string;
  line?: number;
}

export async function importFile(store: Store, file: string, options: ImportOptions): Promise<ImportReport> {
  checkSlug(options.source);
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch {
    throw new InputError(`cannot read ${file}: no such file`);
  }
  const format = formatOf(file, options.format);
  return importRows(store, { name: path.basename(file), format: format.name, size, read: (readOptions) => format.read(file, readOptions) }, options);
}

/**
 * Records already in memory (the producer write API: a GraphQL mutation's input, a PUT's JSON array or NDJSON
 * body) through the same checks, batches, report, scores and dedup as a file. `line` in the report is the
 * record's position in the list, from 1.
 */
export async function importRecords(
  store: Store,
  records: { structures?: readonly unknown[]; services?: readonly unknown[] },
  options: ImportOptions & { name?: string },
): Promise<ImportReport> {
  checkSlug(options.source);
  const read = (readOptions: ReadOptions): AsyncIterable<RawRow> => {
    const list = (readOptions.want === 'structure' ? records.structures : records.services) ?? [];
    return (async function* () {
      for (let index = 0; index < list.length; index++) {
        const value = list[index];
        const line = index + 1;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          yield { kind: readOptions.want, line, values: {}, typed: true, problems: [{ severity: 'error', kind: readOptions.want, line, message: 'a record must be a JSON object' }] };
        } else {
          yield { kind: readOptions.want, line, values: value as Record<string, unknown>, typed: true, problems: [] };
        }
      }
    })();
  };
  return importRows(store, { name: options.name ?? 'push', format: 'json', size: 0, read }, options);
}

function checkSlug(source: string): void {
  if (!SLUG.test(source)) throw new InputError(`--source "${source}" is not a slug (lowercase letters, digits and single hyphens, e.g. "cd35")`);
}

interface RowInput {
  name: string;
  format: string;
  size: number;
  read(options: ReadOptions): AsyncIterable<RawRow>;
}

async function importRows(store: Store, input: RowInput, options: ImportOptions): Promise<ImportReport> {
  const startedAt = new Date();
  const now = options.now ?? startedAt;
  const source = options.source;
  const size = input.size;
  const batchSize = options.batchSize ?? 1000;

  const known = await store.prisma.source.findUnique({ where: { slug: source } });
  // A source of the reference that the store lacks (syncSources not run yet) is registered under the reference's name.
  const reference = lookup('sources', source);
  if (!known && !options.sourceName && !reference) {
    throw new InputError(`unknown source "${source}": give --source-name "Its name" to register it with this import`);
  }
  const registerSource = known
    ? undefined
    : { slug: source, nom: options.sourceName ?? reference!.label, description: options.sourceName ? null : (reference!.description ?? null) };
  // writeOfferIn checks slugs against Passerelle's nomenclature; rows were already checked strictly here
  // (every rule, nomenclature values included) except the source slug, which the store now knows.
  const tolerant = !isValue('sources', source);

  const builder = new ReportBuilder();
  const context: CheckContext = { source, today: undefined, reportedKeys: new Set() };
  if (options.now) context.today = options.now.toISOString().slice(0, 10);
  const validStructures = new Map<string, number>(); // id → line
  const rejectedStructures = new Set<string>();
  const serviceIds = new Map<string, number>();
  let sourceWritten = false;
  let rows = 0;
  let passBytes = 0;
  const passes = 2;
  let pass = 0;
  const progress = () => options.onProgress?.({ done: Math.min(size * passes, pass * size + passBytes), total: size * passes, rows });

  const reject = (kind: Kind, problems: Problem[]) => {
    builder.counts[kind].rejected += 1;
    for (const problem of problems) builder.add(problem);
  };

  const touched = new Set<string>();
  const flush = async (kind: Kind, batch: Pending[]) => {
    if (batch.length === 0) return;
    let items = batch;
    if (kind === 'service') items = await withKnownStructures(batch);
    if (items.length === 0) return;
    if (kind === 'service') await reportUnknownZones(items);
    builder.counts[kind].valid += items.length;
    if (options.dryRun) return;
    const offer = kind === 'structure'
      ? { structures: items.map((item) => item.record), services: [] }
      : { structures: [], services: items.map((item) => item.record) };
    const result: WriteResult = await store.prisma.$transaction(async (tx) => {
      if (registerSource && !sourceWritten) {
        await tx.source.upsert({ where: { slug: registerSource.slug }, create: registerSource, update: {} });
      }
      return writeOfferIn(tx, offer, { now, tolerant });
    }, TX_OPTIONS);
    sourceWritten = true;
    const written = kind === 'structure' ? result.structuresWritten : result.servicesWritten;
    // Duplicates are looked for again around the structures a batch wrote (or those its services belong to).
    if (written > 0) for (const item of items) touched.add(kind === 'structure' ? item.id : (item.record as ServiceRecord).structure_id);
    builder.counts[kind].written += written;
    builder.counts[kind].unchanged += items.length - written;
    await options.afterBatch?.({ kind, rows: items.length, committed: builder.counts[kind].written + builder.counts[kind].unchanged });
  };

  /** A warning for each eligibility zone code that names no territory: kept as given, it matches no one's search. */
  const reportUnknownZones = async (items: Pending[]) => {
    const unknown = await unknownZoneCodes(store.prisma, items.flatMap((item) => (item.record as ServiceRecord).zone_eligibilite ?? []));
    if (!unknown.size) return;
    for (const item of items) {
      for (const code of (item.record as ServiceRecord).zone_eligibilite ?? []) {
        if (!unknown.has(code)) continue;
        builder.add({
          severity: 'warning', kind: 'service', sheet: item.sheet, line: item.line, id: item.producerId, field: 'zone_eligibilite',
          value: shownValue('zone_eligibilite', code),
          message: `"${code}" names no commune, EPCI (SIREN) or département of the territories reference: no one's search matches it`,
        });
      }
    }
  };

  /** The batch's services whose structure is a valid structure of the file or in the store; the others rejected. */
  const withKnownStructures = async (batch: Pending[]): Promise<Pending[]> => {
    const outside = [...new Set(batch.map((item) => (item.record as ServiceRecord).structure_id).filter((id) => !validStructures.has(id)))];
    const inStore = new Set<string>();
    for (let start = 0; start < outside.length; start += 5000) {
      const found = await store.prisma.structure.findMany({ where: { id: { in: outside.slice(start, start + 5000) } }, select: { id: true } });
      for (const row of found) inStore.add(row.id);
    }
    const kept: Pending[] = [];
    for (const item of batch) {
      const structureId = (item.record as ServiceRecord).structure_id;
      if (validStructures.has(structureId) || inStore.has(structureId)) {
        kept.push(item);
        continue;
      }
      const message = rejectedStructures.has(structureId)
        ? 'structure_id names a structure of this file that was rejected (see its errors)'
        : 'structure_id names no structure of this file or of the store';
      reject('service', [{ severity: 'error', kind: 'service', sheet: item.sheet, line: item.line, id: item.producerId, field: 'structure_id', value: shownValue('structure_id', structureId), message }]);
    }
    return kept;
  };

  for (const kind of ['structure', 'service'] as const) {
    passBytes = 0;
    const rowsOf = input.read({
      want: kind,
      kind: options.kind,
      report: (problem) => builder.add({ kind: problem.kind ?? kind, ...problem }),
      ignored: () => (builder.ignored += 1),
      onBytes: (bytes) => {
        passBytes = bytes;
      },
    });
    let batch: Pending[] = [];
    for await (const row of rowsOf as AsyncIterable<RawRow>) {
      rows += 1;
      if (rows % 500 === 0) progress();
      const checked = checkRow(row, context);
      if (checked.ignored) {
        builder.ignored += 1;
        continue;
      }
      builder.counts[kind].read += 1;
      const problems = checked.problems;
      const id = checked.id;
      const producerId = typeof row.values.id === 'string' ? row.values.id : undefined;
      const ids = kind === 'structure' ? validStructures : serviceIds;
      if (checked.record && id !== undefined && ids.has(id)) {
        problems.push({ severity: 'error', kind, sheet: row.sheet, line: row.line, id: producerId, field: 'id', value: shownValue('id', producerId), message: `the id is already used by the ${kind} on line ${ids.get(id)}` });
      }
      if (!checked.record || problems.some((problem) => problem.severity === 'error')) {
        if (kind === 'structure' && id !== undefined && !validStructures.has(id)) rejectedStructures.add(id);
        reject(kind, problems);
        continue;
      }
      for (const problem of problems) builder.add({ id: producerId, ...problem });
      ids.set(id!, row.line ?? 0);
      batch.push({ record: checked.record, id: id!, producerId, sheet: row.sheet, line: row.line });
      if (batch.length >= batchSize) {
        await flush(kind, batch);
        batch = [];
      }
    }
    await flush(kind, batch);
    pass += 1;
    passBytes = 0;
    progress();
  }

  const summary = builder.summary();
  if (!options.dryRun) {
    await analyzeAfterBulkWrite(store, ['structures', 'services'], summary.written);
    await dedupChanged(store, [...touched]);
  }
  return {
    file: input.name,
    format: input.format,
    source,
    sourceRegistered: registerSource !== undefined,
    dryRun: options.dryRun ?? false,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    summary,
    errors: sorted(builder.errors),
    warnings: sorted(builder.warnings),
    unlisted: builder.unlisted,
  };
}

/** Problems in the order a producer reads the file: structures, then services; by sheet and line. */
function sorted(problems: Problem[]): Problem[] {
  const rank = (problem: Problem) => (problem.kind === 'service' ? 1 : 0);
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => rank(a.problem) - rank(b.problem) || (a.problem.line ?? 0) - (b.problem.line ?? 0) || a.index - b.index)
    .map(({ problem }) => problem);
}
