// Harvest: pull a partner's whole dataset into the store, page by page (`passerelle harvest <partner-id>`).
//
// - Resumable: harvest_state keeps, per partner, the run and the mark of the next page. Each page is
//   stored in ONE transaction with the state's new mark, so a crash or a partner failure mid-run leaves
//   the mark of the first page not stored, and the next harvest continues from there.
// - Idempotent: records go through writeOffer's upsert (unchanged rows are not rewritten and keep their
//   updated_at), so harvesting unchanged data writes nothing.
// - Deletion only after a complete pass: the ids listed by the run are kept in harvest_seen; once the last
//   page is stored, the partner's records (of its sources) the run did not list are deleted, in the same
//   transaction as that last page.
import { analyzeAfterBulkWrite } from '../store/analyze';
import { randomUUID } from 'node:crypto';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import { createLogger, type Logger } from '../logger';
import type { Store } from '../store/database';
import { updateStructureScores, writeOfferIn, type Tx } from '../store/write';
import { PartnerError, type Connector, type PartnerPage } from './types';

export interface HarvestOptions {
  logger?: Logger;
  /** Stop after this many pages (the run stays incomplete and resumable). Default: until the last page. */
  maxPages?: number;
  /** Clock for the state's timestamps and the quality score's reference date. Default: the current time. */
  now?: () => Date;
}

export interface HarvestResult {
  runId: string;
  /** Pages stored by this call. */
  pages: number;
  /** Records of the partner's sources received by this call (written or unchanged). */
  structures: number;
  services: number;
  /** Of those, the ones inserted or updated because they differed. */
  written: { structures: number; services: number };
  /** Records left out by this call: of a source the partner does not declare, or services of an unknown structure. */
  skipped: { otherSource: number; missingStructure: number };
  /** Records deleted because the complete pass did not list them (0 unless `complete`). */
  deleted: { structures: number; services: number };
  /** This call continued an interrupted run. */
  resumed: boolean;
  /** The mark this call started from (undefined: the first page). */
  startMark?: string;
  /** The run reached the partner's last page (false when stopped by `maxPages`). */
  complete: boolean;
  /** Pages and records stored by the whole run, earlier calls included. */
  run: { pages: number; records: number };
}

/** A harvest stopped by its partner (or the store): the run keeps its mark and the next harvest resumes it. */
export class HarvestStoppedError extends Error {
  constructor(
    readonly partnerId: string,
    /** The run's page number that failed (1-based). */
    readonly page: number,
    readonly mark: string | undefined,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `harvest of ${partnerId} stopped at page ${page} (${mark === undefined ? 'first page' : `mark ${mark}`}): ${reason} — run the command again to resume`,
    );
    this.name = 'HarvestStoppedError';
  }
}

/** Another harvest of the same partner moved the run while this one was working. */
export class HarvestConflictError extends Error {
  constructor(partnerId: string) {
    super(`harvest of ${partnerId}: another harvest of this partner is running (its state moved); this one stopped`);
    this.name = 'HarvestConflictError';
  }
}

const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 };

interface StateRow {
  run_id: string;
  mark: string | null;
  pages: number;
  records: number;
}

/** Pulls the partner's whole dataset into the store, resuming an interrupted run if there is one. */
export async function harvest(store: Store, connector: Connector, options: HarvestOptions = {}): Promise<HarvestResult> {
  const partner = connector.partner;
  const partnerId = partner.id;
  const sources = new Set(partner.sources);
  const clock = options.now ?? (() => new Date());
  const logger = (options.logger ?? createLogger('silent')).child({ partner: partnerId, harvest: true });
  const maxPages = options.maxPages ?? Infinity;

  // The run: the interrupted one, or a new one.
  const existing = await store.prisma.harvestState.findUnique({ where: { partnerId } });
  let runId: string;
  let mark: string | undefined;
  let runPages: number;
  let runRecords: number;
  const resumed = existing !== null && existing.completedAt === null;
  if (existing && resumed) {
    runId = existing.runId;
    mark = existing.mark ?? undefined;
    runPages = existing.pages;
    runRecords = existing.records;
    logger.info({ runId, mark: mark ?? null, pages: runPages }, 'harvest resumed');
  } else {
    runId = randomUUID();
    mark = undefined;
    runPages = 0;
    runRecords = 0;
    const at = clock();
    const fresh = { runId, mark: null, pages: 0, records: 0, startedAt: at, updatedAt: at, completedAt: null, lastError: null };
    await store.prisma.$transaction([
      store.prisma.harvestSeen.deleteMany({ where: { partnerId } }),
      store.prisma.harvestState.upsert({ where: { partnerId }, create: { partnerId, ...fresh }, update: fresh }),
    ]);
    logger.info({ runId }, 'harvest started');
  }

  const result: HarvestResult = {
    runId,
    pages: 0,
    structures: 0,
    services: 0,
    written: { structures: 0, services: 0 },
    skipped: { otherSource: 0, missingStructure: 0 },
    deleted: { structures: 0, services: 0 },
    resumed,
    complete: false,
    run: { pages: runPages, records: runRecords },
  };
  if (mark !== undefined) result.startMark = mark;

  while (result.pages < maxPages) {
    let page: PartnerPage;
    try {
      page = await connector.page(mark);
    } catch (error) {
      await recordError(store, partnerId, runId, error, clock());
      if (error instanceof PartnerError) throw new HarvestStoppedError(partnerId, runPages + 1, mark, error);
      throw error;
    }

    const stored = await store.prisma
      .$transaction(async (tx) => {
        await lockState(tx, partnerId, runId, mark);
        const kept = await keepStorable(tx, page, sources, logger);
        const written = await writeOfferIn(tx, { structures: kept.structures, services: kept.services }, { now: clock() });
        await markSeen(tx, partnerId, runId, kept.structures, kept.services);
        const records = kept.structures.length + kept.services.length;
        await tx.$executeRawUnsafe(
          `UPDATE "harvest_state" SET "mark" = $2, "pages" = "pages" + 1, "records" = "records" + $3, "updated_at" = $4::timestamptz, "last_error" = NULL
           WHERE "partner_id" = $1`,
          partnerId,
          page.next ?? null,
          records,
          clock().toISOString(),
        );
        const deleted = page.next === undefined ? await finishRun(tx, partnerId, runId, [...sources], clock(), logger) : undefined;
        return { kept, written, deleted, records };
      }, TX_OPTIONS)
      .catch(async (error: unknown) => {
        if (!(error instanceof HarvestConflictError)) await recordError(store, partnerId, runId, error, clock());
        throw error;
      });

    runPages += 1;
    runRecords += stored.records;
    result.pages += 1;
    result.structures += stored.kept.structures.length;
    result.services += stored.kept.services.length;
    result.written.structures += stored.written.structuresWritten;
    result.written.services += stored.written.servicesWritten;
    result.skipped.otherSource += stored.kept.otherSource;
    result.skipped.missingStructure += stored.kept.missingStructure;
    result.run = { pages: runPages, records: runRecords };
    logger.info(
      {
        page: runPages,
        mark: mark ?? null,
        structures: stored.kept.structures.length,
        services: stored.kept.services.length,
        structuresWritten: stored.written.structuresWritten,
        servicesWritten: stored.written.servicesWritten,
      },
      'harvest page stored',
    );
    if (stored.deleted) {
      result.deleted = stored.deleted;
      result.complete = true;
      logger.info({ runId, pages: runPages, records: runRecords, deleted: stored.deleted }, 'harvest complete');
      break;
    }
    mark = page.next;
  }
  const changed = result.written.structures + result.written.services + result.deleted.structures + result.deleted.services;
  await analyzeAfterBulkWrite(store, ['structures', 'services'], changed);
  return result;
}

/** Locks the partner's state row and checks the run is still ours and at the expected mark. */
async function lockState(tx: Tx, partnerId: string, runId: string, mark: string | undefined): Promise<StateRow> {
  const rows = await tx.$queryRawUnsafe<StateRow[]>(
    `SELECT "run_id", "mark", "pages", "records" FROM "harvest_state" WHERE "partner_id" = $1 FOR UPDATE`,
    partnerId,
  );
  const row = rows[0];
  if (!row || row.run_id !== runId || (row.mark ?? undefined) !== mark) throw new HarvestConflictError(partnerId);
  return row;
}

interface Kept {
  structures: StructureRecord[];
  services: ServiceRecord[];
  otherSource: number;
  missingStructure: number;
}

/**
 * The page's records that belong in the store: of the partner's sources, one per id (the last one), and
 * services whose structure is in the page or already in the store (structures come before services across
 * pages, so a service whose structure is in neither is skipped with a logged reason, not failing the page).
 */
async function keepStorable(tx: Tx, page: PartnerPage, sources: ReadonlySet<string>, logger: Logger): Promise<Kept> {
  let otherSource = 0;
  const byId = <T extends { id: string; source: string }>(records: readonly T[]): T[] => {
    const map = new Map<string, T>();
    for (const record of records) {
      if (!sources.has(record.source)) {
        otherSource += 1;
        continue;
      }
      map.delete(record.id);
      map.set(record.id, record);
    }
    return [...map.values()];
  };
  const structures = byId(page.structures);
  const candidates = byId(page.services);
  if (otherSource > 0) logger.debug({ count: otherSource }, 'harvest: records of sources the partner does not declare left out');

  const inPage = new Set(structures.map((structure) => structure.id));
  const outside = [...new Set(candidates.map((service) => service.structure_id).filter((id) => !inPage.has(id)))];
  let known = new Set<string>();
  if (outside.length > 0) {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT s."id" FROM "structures" s WHERE s."id" IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      JSON.stringify(outside),
    );
    known = new Set(rows.map((row) => row.id));
  }
  const services: ServiceRecord[] = [];
  let missingStructure = 0;
  for (const service of candidates) {
    if (inPage.has(service.structure_id) || known.has(service.structure_id)) {
      services.push(service);
      continue;
    }
    missingStructure += 1;
    logger.warn(
      { id: service.id, structure_id: service.structure_id },
      'harvest: service skipped, its structure is neither in the page nor in the store',
    );
  }
  return { structures, services, otherSource, missingStructure };
}

/** Records the page's ids as listed by this run. */
async function markSeen(tx: Tx, partnerId: string, runId: string, structures: StructureRecord[], services: ServiceRecord[]): Promise<void> {
  const rows = [
    ...structures.map((structure) => ({ entity: 'structure', record_id: structure.id })),
    ...services.map((service) => ({ entity: 'service', record_id: service.id })),
  ];
  for (let start = 0; start < rows.length; start += 5000) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "harvest_seen" ("partner_id", "run_id", "entity", "record_id")
       SELECT $1, $2, r."entity", r."record_id" FROM jsonb_to_recordset($3::jsonb) AS r("entity" text, "record_id" text)
       ON CONFLICT ("partner_id", "entity", "record_id") DO UPDATE SET "run_id" = EXCLUDED."run_id"
       WHERE "harvest_seen"."run_id" IS DISTINCT FROM EXCLUDED."run_id"`,
      partnerId,
      runId,
      JSON.stringify(rows.slice(start, start + 5000)),
    );
  }
}

/**
 * The end of a complete pass: deletes the partner's records (of its sources) the run did not list —
 * services first (with those of the structures about to go), then structures — rescores the structures
 * that lost services, marks the run complete and clears its seen ids.
 */
async function finishRun(
  tx: Tx,
  partnerId: string,
  runId: string,
  sources: string[],
  at: Date,
  logger: Logger,
): Promise<{ structures: number; services: number }> {
  const deleted = { structures: 0, services: 0 };
  const [{ count }] = await tx.$queryRawUnsafe<{ count: number }[]>(
    `SELECT count(*)::int AS "count" FROM "harvest_seen" WHERE "partner_id" = $1 AND "run_id" = $2`,
    partnerId,
    runId,
  );
  if (Number(count) === 0) {
    // A partner answering an empty dataset is far more likely broken than empty: never wipe a source on that.
    logger.warn('harvest: the complete pass listed no record; nothing deleted');
  } else {
    const notSeen = (alias: string, entity: string) =>
      `NOT EXISTS (SELECT 1 FROM "harvest_seen" h WHERE h."partner_id" = $2 AND h."run_id" = $3 AND h."entity" = '${entity}' AND h."record_id" = ${alias}."id")`;
    const goneStructures = `SELECT st."id" FROM "structures" st WHERE st."source" IN (SELECT jsonb_array_elements_text($1::jsonb)) AND ${notSeen('st', 'structure')}`;
    const services = await tx.$queryRawUnsafe<{ structure_id: string }[]>(
      `DELETE FROM "services" sv
       WHERE (sv."source" IN (SELECT jsonb_array_elements_text($1::jsonb)) AND ${notSeen('sv', 'service')})
          OR sv."structure_id" IN (${goneStructures})
       RETURNING sv."structure_id"`,
      JSON.stringify(sources),
      partnerId,
      runId,
    );
    const structures = await tx.$queryRawUnsafe<{ id: string }[]>(
      `DELETE FROM "structures" st0 WHERE st0."id" IN (${goneStructures}) RETURNING st0."id"`,
      JSON.stringify(sources),
      partnerId,
      runId,
    );
    deleted.services = services.length;
    deleted.structures = structures.length;
    const gone = new Set(structures.map((row) => row.id));
    const rescore = [...new Set(services.map((row) => row.structure_id))].filter((id) => !gone.has(id));
    if (rescore.length > 0) await updateStructureScores(tx, rescore);
    if (deleted.services || deleted.structures) logger.info({ deleted }, 'harvest: records the partner no longer lists deleted');
  }
  await tx.$executeRawUnsafe(
    `UPDATE "harvest_state" SET "completed_at" = $2::timestamptz, "updated_at" = $2::timestamptz, "mark" = NULL, "last_error" = NULL
     WHERE "partner_id" = $1`,
    partnerId,
    at.toISOString(),
  );
  await tx.$executeRawUnsafe(`DELETE FROM "harvest_seen" WHERE "partner_id" = $1`, partnerId);
  return deleted;
}

/** Keeps the failure on the run (its mark is untouched). */
async function recordError(store: Store, partnerId: string, runId: string, error: unknown, at: Date): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  await store.prisma.harvestState
    .updateMany({ where: { partnerId, runId }, data: { lastError: message, updatedAt: at } })
    .catch(() => undefined);
}
