import type { FreshnessThresholds } from '../quality/freshness';
import type { Store } from '../store/database';
import {
  ChangeCursorError,
  decodeChangeCursor,
  encodeChangeCursor,
  expiredThrough,
  isBefore,
  readStoredChanges,
  type ChangeEntity,
  type ChangePosition,
  type StoredChange,
} from '../store/changes';
import { publicRecords, type PublicRecord } from './public-records';

/**
 * The change feed as readers get it (GraphQL `changes`, `GET /exports/changes.ndjson`): the stored changes
 * (src/store/changes.ts) with each record's public state read now, as the exports write it.
 */

/** One change as the feed gives it: the record's public state now, or a tombstone. */
export interface FeedChange {
  cursor: string;
  entity: ChangeEntity;
  id: string;
  source: string;
  operation: 'UPSERT' | 'DELETE';
  /** What this change was: the record created, updated, or deleted (deleted also when it is gone since). */
  action: 'created' | 'updated' | 'deleted';
  changedAt: Date;
  record: PublicRecord | null;
}

export interface FeedPage {
  changes: FeedChange[];
  /** Where to resume: the last change's cursor, or the `since` given when the page is empty. */
  endCursor: string;
  hasMore: boolean;
}

/**
 * A page of the feed after `since` (an encoded cursor; the start when undefined): the stored changes below the
 * horizon, each with its record's public state read now (or a tombstone when the record is gone). Hidden
 * sources are left out entirely, tombstones included.
 */
export async function readChangeFeed(
  store: Store,
  options: { since?: string; first: number; hiddenSources: readonly string[]; freshness: FreshnessThresholds; now?: Date },
): Promise<FeedPage> {
  let after: ChangePosition | undefined;
  if (options.since !== undefined) {
    after = decodeChangeCursor(options.since);
    if (!after) throw new ChangeCursorError('invalid', 'is not a cursor of the change feed (use a cursor it gave, or none to start)');
  }
  const expired = await expiredThrough(store);
  if (expired && (!after || isBefore(after, expired))) {
    throw new ChangeCursorError(
      'expired',
      after
        ? 'is older than the change feed keeps (tombstones are pruned after the retention period): download the export again and resume from its X-Passerelle-Changes-Cursor'
        : 'the change feed no longer holds the whole history (tombstones were pruned): download the export and resume from its X-Passerelle-Changes-Cursor',
    );
  }
  const { changes, hasMore } = await readStoredChanges(store, { after, first: options.first, hiddenSources: options.hiddenSources });
  const records: Record<ChangeEntity, Map<string, PublicRecord>> = {
    structure: await recordsById(store, 'structure', idsOf(changes, 'structure'), options),
    service: await recordsById(store, 'service', idsOf(changes, 'service'), options),
  };
  return {
    changes: changes.map((change) => {
      const record = records[change.entity].get(change.recordId) ?? null;
      return {
        cursor: encodeChangeCursor(change.position),
        entity: change.entity,
        id: change.recordId,
        source: change.source,
        operation: record ? 'UPSERT' : 'DELETE',
        action: !record ? 'deleted' : change.created ? 'created' : 'updated',
        changedAt: change.changedAt,
        record,
      };
    }),
    endCursor: changes.length ? encodeChangeCursor(changes[changes.length - 1].position) : (options.since ?? encodeChangeCursor({ xid: -1n, id: -1n })),
    hasMore,
  };
}

/** The public records (as the exports write them) of these ids that exist and may be shown, by id. */
async function recordsById(
  store: Store,
  entity: ChangeEntity,
  ids: string[],
  options: { hiddenSources: readonly string[]; freshness: FreshnessThresholds; now?: Date },
): Promise<Map<string, PublicRecord>> {
  const found = new Map<string, PublicRecord>();
  if (!ids.length) return found;
  const batches = publicRecords(store, entity === 'structure' ? 'structures' : 'services', { ids }, {
    restrictedSources: options.hiddenSources,
    freshness: options.freshness,
    now: options.now,
    batchSize: ids.length,
  });
  for await (const batch of batches) for (const record of batch) found.set(String(record.id), record);
  return found;
}

function idsOf(changes: StoredChange[], entity: ChangeEntity): string[] {
  return [...new Set(changes.filter((c) => c.entity === entity).map((c) => c.recordId))];
}
