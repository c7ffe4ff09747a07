// The producer write API (issue 16): a producer's client pushes its own source's records through the graph
// (`upsertStructures`, `upsertServices`, `deleteServices`) or through REST (`PUT /api/v1/sources/{slug}/…`).
// Both end here, and here goes through the import's path (src/ingest/import): the same row checks, batches
// written one transaction each, upserts that leave identical rows alone (so the same payload twice reports
// `unchanged` and adds nothing to the change feed), quality scores, freshness and dedup.
//
// Why ownership is checked before anything is written, and for the whole request: a producer must never write
// or delete another source's records, and a request half refused for that reason would leave the producer
// guessing what went in. So every record's `source`, its id's `<source>--` prefix and a service's
// structure_id's are checked first; one record naming a source the client may not write refuses the request
// (FORBIDDEN_SOURCE, with the record's index and field), and nothing of it is written.
import type { Viewer } from '../auth/viewer';
import { hasScope } from '../auth/viewer';
import { ErrorCode, forbidden, payloadTooLarge, badUserInput } from '../errors';
import { isValue } from '../domain/nomenclatures';
import { parseOfferId, sourceOfId } from '../domain/ids';
import { dedupChanged } from '../dedup/run';
import type { Store } from '../store/database';
import { updateStructureScores } from '../store/write';
import { importRecords } from './import';
import type { Kind, Problem } from './import/report';
import type { PushLimits } from '../config';

/** Records and bytes per request (src/config.ts: PASSERELLE_PUSH_MAX_RECORDS, PASSERELLE_PUSH_MAX_BYTES). */
export type { PushLimits } from '../config';

/** One problem of a pushed record: `index` is its position in the request's list, from 0. */
export interface PushProblem {
  index: number | null;
  id: string | null;
  field: string | null;
  message: string;
  code: string;
}

/** What a push did: the import's report, counted as a producer reads it. */
export interface PushReport {
  source: string;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  errors: PushProblem[];
  warnings: PushProblem[];
}

/** The code of a rejected record's problem (its field and message say the rest). */
export const INVALID_RECORD = 'INVALID_RECORD';

/** The sources this viewer may write: its client's, when its token carries `import`. Anonymous or no scope: refused. */
export function writableSources(viewer: Viewer): ReadonlySet<string> {
  if (viewer.kind !== 'client') {
    throw forbidden('writing records needs a token of a producer\'s client with the scope import (`passerelle clients add … --scopes import --sources SLUG`)');
  }
  if (!hasScope(viewer, 'import')) throw forbidden(`the token of client ${viewer.clientId} does not carry the scope import: it may not write records`);
  return viewer.allowedSources;
}

/** The one source a request writes: the one named, else the client's only source. */
export function sourceToWrite(viewer: Viewer, named: string | undefined | null): string {
  const sources = writableSources(viewer);
  if (named) {
    if (!sources.has(named)) throw forbidden(`this client may not write the source ${JSON.stringify(named).slice(0, 80)} (it writes: ${[...sources].join(', ') || 'none'})`, { source: named }, 'FORBIDDEN_SOURCE');
    return named;
  }
  if (sources.size === 1) return [...sources][0];
  throw badUserInput('source', `this client writes ${sources.size ? [...sources].join(', ') : 'no source'}: name the source to write`);
}

/** Whether `slug` names a source (of the nomenclature or of the store) other than `source`. */
async function namesAnotherSource(store: Store, slug: string, source: string, known: Map<string, boolean>): Promise<boolean> {
  if (slug === source) return false;
  if (!known.has(slug)) known.set(slug, isValue('sources', slug) || (await store.prisma.source.findUnique({ where: { slug } })) !== null);
  return known.get(slug)!;
}

/** Refuses the request when a record names another source (its `source`, or an id's prefix). */
async function checkOwnership(store: Store, kind: Kind, source: string, records: readonly unknown[]): Promise<void> {
  const known = new Map<string, boolean>();
  const fields = kind === 'service' ? ['id', 'structure_id'] : ['id'];
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    if (typeof record !== 'object' || record === null) continue;
    const values = record as Record<string, unknown>;
    if (typeof values.source === 'string' && values.source !== source) {
      throw forbidden(`record ${index}: source ${JSON.stringify(values.source).slice(0, 80)} is not ${source}, the source this request writes`, { index, field: 'source' }, 'FORBIDDEN_SOURCE');
    }
    for (const field of fields) {
      const id = values[field];
      if (typeof id !== 'string') continue;
      const parts = parseOfferId(id);
      if (parts && (await namesAnotherSource(store, parts.source, source, known))) {
        throw forbidden(`record ${index}: ${field} names the source ${parts.source}, not ${source}, the source this request writes`, { index, field }, 'FORBIDDEN_SOURCE');
      }
    }
  }
}

/** Refuses a request over the limits (413), before anything is read from the store. */
export function checkCount(count: number, limits: PushLimits): void {
  if (count > limits.maxRecords) {
    throw payloadTooLarge(`${count} records in one request: at most ${limits.maxRecords} (PASSERELLE_PUSH_MAX_RECORDS); send them in several requests`, { limit: 'records', value: count, maximum: limits.maxRecords });
  }
}

const toProblem = (problem: Problem): PushProblem => ({
  index: problem.line === undefined ? null : problem.line - 1,
  id: problem.id ?? null,
  field: problem.field ?? null,
  message: problem.message,
  code: INVALID_RECORD,
});

/** Writes a producer's structures or services, as `passerelle import` writes a file's. */
export async function pushRecords(store: Store, viewer: Viewer, kind: Kind, records: readonly unknown[], options: { source?: string | null; limits: PushLimits }): Promise<PushReport> {
  checkCount(records.length, options.limits);
  const source = sourceToWrite(viewer, options.source);
  await checkOwnership(store, kind, source, records);
  const ids = records.flatMap((record) => {
    const id = typeof record === 'object' && record !== null ? (record as Record<string, unknown>).id : undefined;
    return typeof id === 'string' ? [id.startsWith(`${source}--`) ? id : `${source}--${id}`] : [];
  });
  const table = kind === 'structure' ? store.prisma.structure : store.prisma.service;
  const existing = async () => new Set((await (table as typeof store.prisma.structure).findMany({ where: { id: { in: ids } }, select: { id: true } })).map((row) => row.id));
  const before = await existing();
  const report = await importRecords(
    store,
    kind === 'structure' ? { structures: records } : { services: records },
    { source, kind, name: kind === 'structure' ? 'structures' : 'services' },
  );
  const after = await existing();
  const created = [...after].filter((id) => !before.has(id)).length;
  const counts = kind === 'structure' ? report.summary.structures : report.summary.services;
  return {
    source,
    created,
    updated: counts.written - created,
    unchanged: counts.unchanged,
    deleted: 0,
    rejected: counts.rejected,
    errors: report.errors.map(toProblem),
    warnings: report.warnings.map(toProblem),
  };
}

/** Deletes services by id; every id must belong to a source the client writes. Unknown ids are reported, not errors. */
export async function deleteServices(store: Store, viewer: Viewer, ids: readonly string[], limits: PushLimits): Promise<PushReport> {
  checkCount(ids.length, limits);
  const sources = writableSources(viewer);
  ids.forEach((id, index) => {
    if (!sources.has(sourceOfId(id))) {
      throw forbidden(`record ${index}: the id names the source ${JSON.stringify(sourceOfId(id)).slice(0, 80)}, which this client may not write`, { index, field: 'id' }, 'FORBIDDEN_SOURCE');
    }
  });
  const unique = [...new Set(ids)];
  const removed = await store.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<{ id: string; structure_id: string }[]>(
      `DELETE FROM "services" s WHERE s."id" IN (SELECT jsonb_array_elements_text($1::jsonb)) AND s."source" = ANY($2::text[]) RETURNING s."id", s."structure_id"`,
      JSON.stringify(unique),
      [...sources],
    );
    await updateStructureScores(tx, [...new Set(rows.map((row) => row.structure_id))]);
    return rows;
  });
  if (removed.length) await dedupChanged(store, [...new Set(removed.map((row) => row.structure_id))], true);
  const gone = new Set(removed.map((row) => row.id));
  const sourcesOf = [...new Set(ids.map(sourceOfId))];
  return {
    source: sourcesOf.length === 1 ? sourcesOf[0] : sourcesOf.join(','),
    created: 0,
    updated: 0,
    unchanged: unique.length - gone.size,
    deleted: gone.size,
    rejected: 0,
    errors: [],
    warnings: ids.flatMap((id, index) => (gone.has(id) || ids.indexOf(id) !== index ? [] : [{ index, id, field: 'id', message: 'no such service: nothing to delete', code: ErrorCode.NOT_FOUND }])),
  };
}
