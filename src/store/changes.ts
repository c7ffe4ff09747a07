import { Prisma } from '../generated/prisma/client';
import type { Store } from './database';

/**
 * The change feed's store side (migration `change_feed`): triggers write a row per write of a structure or a
 * service, carrying the writing transaction's id (`xid`). Why a reader never misses a change: it reads only the
 * changes of transactions older than the oldest transaction still running (`pg_snapshot_xmin` of its snapshot),
 * in (xid, id) order. Every transaction below that horizon has ended, so nothing will ever be added before the
 * horizon; a transaction still running will have its changes at or after it, that is after the reader's cursor.
 * A long write (an import's batch) only delays the feed by its own length. Both engines run the same SQL.
 *
 * A change names a record; the feed gives the record's state when read (or a tombstone when it is gone), so
 * replaying changes in order converges on the store whatever happened in between.
 */

/** Where a reader stands in the feed: after the change (xid, id). */
export interface ChangePosition {
  xid: bigint;
  id: bigint;
}

export type ChangeEntity = 'structure' | 'service';

/** One change as stored: which record, whether it was a deletion, when. */
export interface StoredChange {
  position: ChangePosition;
  entity: ChangeEntity;
  recordId: string;
  source: string;
  deleted: boolean;
  /** The write inserted the record (false: an update, or a deletion). */
  created: boolean;
  changedAt: Date;
}

/** The settings key holding the position before which tombstones were pruned (older cursors are expired). */
const EXPIRED_THROUGH = 'changes.expired_through';

/** The changes after `after` (from the start when undefined), below the horizon, at most `first`, sources hidden left out. */
export async function readStoredChanges(
  store: Store,
  options: { after?: ChangePosition; first: number; hiddenSources: readonly string[] },
): Promise<{ changes: StoredChange[]; hasMore: boolean }> {
  const after = options.after ?? { xid: -1n, id: -1n };
  const rows = await store.query<{ xid: string; id: string; entity: ChangeEntity; record_id: string; source: string; deleted: boolean; created: boolean; changed_at: string }>(Prisma.sql`
    SELECT c.xid::text AS xid, c.id::text AS id, c.entity, c.record_id, c.source, c.deleted, c.created, c.changed_at
    FROM changes c
    WHERE (c.xid, c.id) > (${after.xid.toString()}::bigint, ${after.id.toString()}::bigint)
      AND c.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      AND NOT (c.source = ANY(${[...options.hiddenSources]}::text[]))
    ORDER BY c.xid, c.id
    LIMIT ${options.first + 1}`);
  const changes = rows.slice(0, options.first).map((row) => ({
    position: { xid: BigInt(row.xid), id: BigInt(row.id) },
    entity: row.entity,
    recordId: row.record_id,
    source: row.source,
    deleted: row.deleted,
    created: row.created,
    changedAt: new Date(row.changed_at),
  }));
  return { changes, hasMore: rows.length > options.first };
}

/**
 * The position a reader starting now would stand at once caught up with everything committed: just before the
 * horizon. An export made after taking it holds every change before it; the feed from it gives the rest.
 */
export async function currentPosition(store: Store): Promise<ChangePosition> {
  const [row] = await store.query<{ xid: string }>(Prisma.sql`SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1)::text AS xid`);
  return { xid: BigInt(row.xid), id: BigInt(Number.MAX_SAFE_INTEGER) };
}

/** The position before which history was pruned (a cursor at or before it has missed tombstones), if any. */
export async function expiredThrough(store: Store): Promise<ChangePosition | undefined> {
  const row = await store.prisma.setting.findUnique({ where: { key: EXPIRED_THROUGH } });
  if (!row) return undefined;
  const [xid, id] = row.value.split(':');
  return { xid: BigInt(xid), id: BigInt(id) };
}

export function isBefore(a: ChangePosition, b: ChangePosition): boolean {
  return a.xid < b.xid || (a.xid === b.xid && a.id < b.id);
}

/**
 * Keeps the feed small without breaking it: drops every change a later change of the same record supersedes
 * (the later one gives the record's state), then the tombstones older than `retentionDays` — and records
 * their last position: a cursor before it may have missed a deletion, so the reader is told to download the
 * export again. Only changes below the horizon are touched. Returns what was removed.
 */
export async function pruneChanges(store: Store, retentionDays: number, now: Date = new Date()): Promise<{ superseded: number; tombstones: number }> {
  return store.prisma.$transaction(async (tx) => {
    const superseded = await tx.$executeRaw(Prisma.sql`
      DELETE FROM changes c USING changes d
      WHERE d.entity = c.entity AND d.record_id = c.record_id AND (d.xid, d.id) > (c.xid, c.id)
        AND d.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`);
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const removed = await tx.$queryRaw<{ xid: string; id: string }[]>(Prisma.sql`
      DELETE FROM changes c WHERE c.deleted AND c.changed_at < ${cutoff}
        AND c.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      RETURNING c.xid::text AS xid, c.id::text AS id`);
    if (removed.length) {
      const last = removed.map((r) => ({ xid: BigInt(r.xid), id: BigInt(r.id) })).reduce((a, b) => (isBefore(a, b) ? b : a));
      const previous = await tx.setting.findUnique({ where: { key: EXPIRED_THROUGH } });
      const before = previous ? { xid: BigInt(previous.value.split(':')[0]), id: BigInt(previous.value.split(':')[1]) } : undefined;
      if (!before || isBefore(before, last)) {
        const value = `${last.xid}:${last.id}`;
        await tx.setting.upsert({ where: { key: EXPIRED_THROUGH }, create: { key: EXPIRED_THROUGH, value }, update: { value } });
      }
    }
    return { superseded, tombstones: removed.length };
  });
}

// ---- Cursors -----------------------------------------------------------------------------------------------

const CURSOR_PREFIX = 'chg1:';

/** A position as an opaque cursor (base64url of its xid and id). */
export function encodeChangeCursor(position: ChangePosition): string {
  return Buffer.from(`${CURSOR_PREFIX}${position.xid}:${position.id}`).toString('base64url');
}

/** The position of a cursor, or undefined when the text is not one of the feed's cursors. */
export function decodeChangeCursor(cursor: string): ChangePosition | undefined {
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const match = /^chg1:(-?\d{1,20}):(-?\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  return { xid: BigInt(match[1]), id: BigInt(match[2]) };
}

/** The feed refuses a cursor it cannot read (BAD_USER_INPUT) or one older than its pruned history. */
export class ChangeCursorError extends Error {
  constructor(
    readonly kind: 'invalid' | 'expired',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Largest page of the feed. */
export const MAX_FEED_PAGE = 10_000;

