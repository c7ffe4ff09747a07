// Harvest: pull a partner's whole dataset into the store, page by page (`passerelle harvest <partner-id>`).
//
// - Resumable: harvest_state keeps, per partner, the run and the mark of the next page. Each page is
//   stored in ONE transaction with the state's new mark, so a crash or a partner failure mid-run leaves
//   the mark of the first page not stored, and the next harvest continues from there.
// - Idempotent: records go through writeOffer's upsert (unchanged rows are not rewritten and keep their
//   updated_at), so harvesting unchanged data writes nothing.
// - Deletion only after N consecutive complete passes missed a record (`deleteAfterPasses`, default 2):
//   partners page over data that shifts between requests (data·inclusion reloads hourly under its offset
//   pages; Soliguide's pages are unsorted), so one pass can miss a record that is still there. harvest_seen
//   keeps, per partner and record, the last pass that listed it; once the last page of a pass is stored,
//   the partner's records (of its sources) that the last N passes did not list are deleted, in the same
//   transaction as that last page. A record listed again is safe again.
// - Rate limits: a partner answering 429 is waited for as it asks (Retry-After; data·inclusion's own
//   extractor waits 120 s for Emplois), up to `maxRateLimitWaitMs` per page, then the same page is asked again.
import { analyzeAfterBulkWrite } from '../store/analyze';
import { dedupChanged } from '../dedup/run';
import { randomUUID } from 'node:crypto';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import { createLogger, type Logger } from '../logger';
import type { Store } from '../store/database';
import {
  advanceRun,
  completeRun,
  deleteListedNoLater,
  forgetUnstored,
  listedBefore,
  listedBy,
  lockRunState,
  markListed,
  recordRunError,
  trackUnlisted,
} from '../store/harvest-state';
import { storedStructureIds, updateStructureScores, writeOfferIn, type Tx } from '../store/write';
import { PartnerRateLimitError } from './http';
import { PartnerError, type Connector, type PartnerPage } from './types';

export interface HarvestOptions {
  logger?: Logger;
  /** Stop after this many pages (the run stays incomplete and resumable). Default: until the last page. */
  maxPages?: number;
  /** Clock for the state's timestamps and the quality score's reference date. Default: the current time. */
  now?: () => Date;
  /**
   * Delete a record once this many consecutive complete passes have not listed it. Default 2
   * (DEFAULT_DELETE_AFTER_PASSES); 1 deletes what the first complete pass misses.
   */
  deleteAfterPasses?: number;
  /**
   * Longest wait, in all, on one page the partner rate-limits (HTTP 429); past it the run stops, resumable.
   * Default 10 minutes.
   */
  maxRateLimitWaitMs?: number;
  /** Waits on a rate limit. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called once each page is stored, with this call's totals so far (progress on a terminal). */
  onPage?: (progress: { pages: number; records: number }) => void;
}

export const DEFAULT_DELETE_AFTER_PASSES = 2;
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 10 * 60_000;
/** The wait on a 429 without Retry-After: data·inclusion's extractor's backoff for Emplois' throttle. */
const RATE_LIMIT_WAIT_MS = 120_000;

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
  /** Records deleted because the last `deleteAfterPasses` complete passes did not list them (0 unless `complete`). */
  deleted: { structures: number; services: number };
  /**
   * Records the partner's complete passes have stopped listing, but fewer than `deleteAfterPasses` of them
   * in a row: kept for now, deleted if the next passes do not list them either (0 unless `complete`).
   */
  pendingDeletion: { structures: number; services: number };
  /** The number of this run's pass (1 for the partner's first). */
  pass: number;
  /** Waits on the partner's rate limit (HTTP 429) during this call, and their total. */
  rateLimited: { waits: number; ms: number };
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


const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    setTimeout(resolve, ms);
  });

/** Pulls the partner's whole dataset into the store, resuming an interrupted run if there is one. */
export async function harvest(store: Store, connector: Connector, options: HarvestOptions = {}): Promise<HarvestResult> {
  const partner = connector.partner;
  const partnerId = partner.id;
  const sources = new Set(partner.sources);
  const clock = options.now ?? (() => new Date());
  const logger = (options.logger ?? createLogger('silent')).child({ partner: partnerId, harvest: true });
  const maxPages = options.maxPages ?? Infinity;
  const deleteAfterPasses = options.deleteAfterPasses ?? DEFAULT_DELETE_AFTER_PASSES;
  if (!Number.isSafeInteger(deleteAfterPasses) || deleteAfterPasses < 1) {
    throw new RangeError(`deleteAfterPasses must be a positive integer (got ${deleteAfterPasses})`);
  }
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
  const sleep = options.sleep ?? defaultSleep;

  // The run: the interrupted one, or a new one.
  const existing = await store.prisma.harvestState.findUnique({ where: { partnerId } });
  let runId: string;
  let mark: string | undefined;
  let runPages: number;
  let runRecords: number;
  const resumed = existing !== null && existing.completedAt === null;
  // Only the completion of a pass changes `passes`, so a resumed run keeps its number.
  const pass = (existing?.passes ?? 0) + 1;
  if (existing && resumed) {
    runId = existing.runId;
    mark = existing.mark ?? undefined;
    runPages = existing.pages;
    runRecords = existing.records;
    logger.info({ runId, pass, mark: mark ?? null, pages: runPages }, 'harvest resumed');
  } else {
    runId = randomUUID();
    mark = undefined;
    runPages = 0;
    runRecords = 0;
    const at = clock();
    const fresh = { runId, mark: null, pages: 0, records: 0, startedAt: at, updatedAt: at, completedAt: null, lastError: null };
    // harvest_seen is kept: it holds the passes that last listed each record.
    await store.prisma.harvestState.upsert({ where: { partnerId }, create: { partnerId, ...fresh }, update: fresh });
    logger.info({ runId, pass }, 'harvest started');
  }

  const dedupIds = new Set<string>();
  const result: HarvestResult = {
    runId,
    pages: 0,
    structures: 0,
    services: 0,
    written: { structures: 0, services: 0 },
    skipped: { otherSource: 0, missingStructure: 0 },
    deleted: { structures: 0, services: 0 },
    pendingDeletion: { structures: 0, services: 0 },
    pass,
    rateLimited: { waits: 0, ms: 0 },
    resumed,
    complete: false,
    run: { pages: runPages, records: runRecords },
  };
  if (mark !== undefined) result.startMark = mark;

  while (result.pages < maxPages) {
    let page: PartnerPage;
    try {
      page = await fetchPage(mark);
    } catch (error) {
      await recordError(store, partnerId, runId, error, clock());
      if (error instanceof PartnerError) throw new HarvestStoppedError(partnerId, runPages + 1, mark, error);
      throw error;
    }

    const stored = await store.prisma
      .$transaction(async (tx) => {
        await lockState(tx, partnerId, runId, mark);
        const kept = await keepStorable(tx, page, sources, logger);
        // The connector accepted these records tolerantly (values newer than our nomenclatures kept and reported).
        const written = await writeOfferIn(tx, { structures: kept.structures, services: kept.services }, { now: clock(), tolerant: true });
        await markSeen(tx, partnerId, pass, kept.structures, kept.services);
        const records = kept.structures.length + kept.services.length;
        await advanceRun(tx, partnerId, page.next ?? null, records, clock());
        const finished =
          page.next === undefined ? await finishRun(tx, partnerId, pass, deleteAfterPasses, [...sources], clock(), logger) : undefined;
        return { kept, written, finished, records };
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
    // Dedup re-clusters the blocks of the structures a page changed (or whose services it changed).
    if (stored.written.structuresWritten) for (const structure of stored.kept.structures) dedupIds.add(structure.id);
    if (stored.written.servicesWritten) for (const service of stored.kept.services) dedupIds.add(service.structure_id);
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
    options.onPage?.({ pages: result.pages, records: result.structures + result.services });
    if (stored.finished) {
      result.deleted = stored.finished.deleted;
      result.pendingDeletion = stored.finished.pending;
      result.complete = true;
      logger.info(
        { runId, pass, pages: runPages, records: runRecords, deleted: result.deleted, pendingDeletion: result.pendingDeletion },
        'harvest complete',
      );
      break;
    }
    mark = page.next;
  }
  const changed = result.written.structures + result.written.services + result.deleted.structures + result.deleted.services;
  await dedupChanged(store, [...dedupIds], result.deleted.structures + result.deleted.services > 0);
  await analyzeAfterBulkWrite(store, ['structures', 'services'], changed);
  return result;

  /**
   * The page at `mark`. On a rate limit, waits as the partner asks (a live request gives up past a few
   * seconds; a harvest can afford minutes), then asks for the same page again, until the waits on this
   * page would pass `maxRateLimitWaitMs`.
   */
  async function fetchPage(at: string | undefined): Promise<PartnerPage> {
    let waited = 0;
    for (;;) {
      try {
        return await connector.page(at);
      } catch (error) {
        if (!(error instanceof PartnerError) || error.status !== 429) throw error;
        const asked = error instanceof PartnerRateLimitError ? error.retryAfterMs : undefined;
        const wait = asked ?? RATE_LIMIT_WAIT_MS;
        if (waited + wait > maxRateLimitWaitMs) {
          throw new PartnerError(
            partnerId,
            `rate limited (HTTP 429), ${asked === undefined ? 'without Retry-After' : `asked to wait ${seconds(asked)}`}; ` +
              `a harvest waits at most ${seconds(maxRateLimitWaitMs)} on one page${waited > 0 ? ` (${seconds(waited)} waited already)` : ''}`,
            'http',
            429,
          );
        }
        logger.warn({ mark: at ?? null, waitMs: wait, retryAfterMs: asked ?? null }, 'harvest: partner rate limited, waiting before asking the page again');
        await sleep(wait);
        waited += wait;
        result.rateLimited.waits += 1;
        result.rateLimited.ms += wait;
      }
    }
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Locks the partner's state row and checks the run is still ours and at the expected mark. */
async function lockState(tx: Tx, partnerId: string, runId: string, mark: string | undefined): Promise<void> {
  const state = await lockRunState(tx, partnerId);
  if (!state || state.runId !== runId || (state.mark ?? undefined) !== mark) throw new HarvestConflictError(partnerId);
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
  const known = await storedStructureIds(tx, outside);
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

/** Records the page's ids as listed by this pass. */
function markSeen(tx: Tx, partnerId: string, pass: number, structures: StructureRecord[], services: ServiceRecord[]): Promise<void> {
  return markListed(tx, partnerId, pass, [
    ...structures.map((structure) => ({ entity: 'structure' as const, id: structure.id })),
    ...services.map((service) => ({ entity: 'service' as const, id: service.id })),
  ]);
}

type Counts = { structures: number; services: number };

/**
 * The end of a complete pass. Records of the partner's sources that no pass listed yet (stored before its
 * first harvest, or by another writer) count as last listed by the previous pass. Then the records the
 * last `deleteAfterPasses` passes did not list are deleted — services first (with those of the structures
 * about to go), then structures —, the structures that lost services are rescored, harvest_seen forgets the
 * records no longer stored, and the pass is counted and the run marked complete.
 */
async function finishRun(
  tx: Tx,
  partnerId: string,
  pass: number,
  deleteAfterPasses: number,
  sources: string[],
  at: Date,
  logger: Logger,
): Promise<{ deleted: Counts; pending: Counts }> {
  const deleted = { structures: 0, services: 0 };
  // A partner answering an empty dataset is far more likely broken than empty: such a pass neither deletes
  // nor counts (the records it did not list are not one pass closer to deletion).
  const counted = (await listedBy(tx, partnerId, pass)) > 0;
  if (!counted) {
    logger.warn('harvest: the complete pass listed no record; nothing deleted, and the pass does not count');
  } else {
    await trackUnlisted(tx, partnerId, sources, pass - 1);
    // Listed last by pass `pass - deleteAfterPasses` or before: missed by the last `deleteAfterPasses` passes.
    const gone = await deleteListedNoLater(tx, partnerId, sources, pass - deleteAfterPasses);
    deleted.services = gone.servicesOf.length;
    deleted.structures = gone.structures.length;
    const goneIds = new Set(gone.structures);
    const rescore = [...new Set(gone.servicesOf)].filter((id) => !goneIds.has(id));
    if (rescore.length > 0) await updateStructureScores(tx, rescore);
    if (deleted.services || deleted.structures) {
      logger.info({ deleted, deleteAfterPasses }, 'harvest: records the partner no longer lists deleted');
    }
    await forgetUnstored(tx, partnerId, sources);
  }
  // Still stored, not listed by the last counted pass: missed by fewer than `deleteAfterPasses` passes.
  const lastCounted = counted ? pass : pass - 1;
  const pending = await listedBefore(tx, partnerId, lastCounted);
  if (pending.structures || pending.services) {
    logger.info({ pendingDeletion: pending, deleteAfterPasses }, 'harvest: records not listed by this pass kept until more passes miss them');
  }
  await completeRun(tx, partnerId, lastCounted, at);
  return { deleted, pending };
}

/** Keeps the failure on the run (its mark is untouched). */
function recordError(store: Store, partnerId: string, runId: string, error: unknown, at: Date): Promise<void> {
  return recordRunError(store, partnerId, runId, error instanceof Error ? error.message : String(error), at);
}
