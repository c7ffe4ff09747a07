// The harvest's bookkeeping in the store (src/partners/harvest.ts decides, this module holds the SQL):
// harvest_state, one row per partner — its run, the mark of the next page, the complete passes counted —
// and harvest_seen, the last pass that listed each record, from which deletion is decided.
import type { Store } from './database';
import type { Tx } from './write';

export interface RunState {
  runId: string;
  mark: string | null;
}

type Counts = { structures: number; services: number };
type Entity = 'structure' | 'service';
const TABLE: Record<Entity, string> = { structure: 'structures', service: 'services' };

/** The partner's state row, locked for the transaction; undefined when there is none. */
export async function lockRunState(tx: Tx, partnerId: string): Promise<RunState | undefined> {
  const rows = await tx.$queryRawUnsafe<{ run_id: string; mark: string | null }[]>(
    `SELECT "run_id", "mark" FROM "harvest_state" WHERE "partner_id" = $1 FOR UPDATE`,
    partnerId,
  );
  return rows[0] && { runId: rows[0].run_id, mark: rows[0].mark };
}

/** A page stored: the run moves to the next mark and counts the page and its records. */
export async function advanceRun(tx: Tx, partnerId: string, next: string | null, records: number, at: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE "harvest_state" SET "mark" = $2, "pages" = "pages" + 1, "records" = "records" + $3, "updated_at" = $4::timestamptz, "last_error" = NULL
     WHERE "partner_id" = $1`,
    partnerId,
    next,
    records,
    at.toISOString(),
  );
}

/** The pass is complete: the run is marked so, its mark cleared, and `passes` set. */
export async function completeRun(tx: Tx, partnerId: string, passes: number, at: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE "harvest_state" SET "completed_at" = $2::timestamptz, "updated_at" = $2::timestamptz, "mark" = NULL, "last_error" = NULL,
       "passes" = $3
     WHERE "partner_id" = $1`,
    partnerId,
    at.toISOString(),
    passes,
  );
}

/** Keeps a failure on the run (its mark is untouched); never fails itself. */
export async function recordRunError(store: Store, partnerId: string, runId: string, message: string, at: Date): Promise<void> {
  await store.prisma.harvestState
    .updateMany({ where: { partnerId, runId }, data: { lastError: message.slice(0, 2000), updatedAt: at } })
    .catch(() => undefined);
}

/** Records the ids as listed by this pass. */
export async function markListed(tx: Tx, partnerId: string, pass: number, listed: readonly { entity: Entity; id: string }[]): Promise<void> {
  for (let start = 0; start < listed.length; start += 5000) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "harvest_seen" ("partner_id", "entity", "record_id", "last_pass")
       SELECT $1, r."entity", r."record_id", $2 FROM jsonb_to_recordset($3::jsonb) AS r("entity" text, "record_id" text)
       ON CONFLICT ("partner_id", "entity", "record_id") DO UPDATE SET "last_pass" = EXCLUDED."last_pass"
       WHERE "harvest_seen"."last_pass" IS DISTINCT FROM EXCLUDED."last_pass"`,
      partnerId,
      pass,
      JSON.stringify(listed.slice(start, start + 5000).map(({ entity, id }) => ({ entity, record_id: id }))),
    );
  }
}

/** How many records this pass listed. */
export async function listedBy(tx: Tx, partnerId: string, pass: number): Promise<number> {
  const [{ count }] = await tx.$queryRawUnsafe<{ count: number }[]>(
    `SELECT count(*)::int AS "count" FROM "harvest_seen" WHERE "partner_id" = $1 AND "last_pass" = $2`,
    partnerId,
    pass,
  );
  return Number(count);
}

/**
 * Records of these sources that no pass listed yet (stored before the partner's first harvest, or by
 * another writer) are counted as last listed by `pass`.
 */
export async function trackUnlisted(tx: Tx, partnerId: string, sources: readonly string[], pass: number): Promise<void> {
  for (const entity of ['structure', 'service'] as const) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "harvest_seen" ("partner_id", "entity", "record_id", "last_pass")
       SELECT $2, '${entity}', x."id", $3 FROM "${TABLE[entity]}" x
       WHERE x."source" IN (SELECT jsonb_array_elements_text($1::jsonb))
         AND NOT EXISTS (SELECT 1 FROM "harvest_seen" h WHERE h."partner_id" = $2 AND h."entity" = '${entity}' AND h."record_id" = x."id")`,
      JSON.stringify(sources),
      partnerId,
      pass,
    );
  }
}

/**
 * Deletes the records of these sources last listed by pass `lastListed` or before — services first (with
 * those of the structures about to go), then structures. Returns the deleted structures' ids and the
 * structures that lost services.
 */
export async function deleteListedNoLater(
  tx: Tx,
  partnerId: string,
  sources: readonly string[],
  lastListed: number,
): Promise<{ structures: string[]; servicesOf: string[] }> {
  const missed = (alias: string, entity: Entity) =>
    `EXISTS (SELECT 1 FROM "harvest_seen" h WHERE h."partner_id" = $2 AND h."entity" = '${entity}' AND h."record_id" = ${alias}."id" AND h."last_pass" <= $3)`;
  const goneStructures = `SELECT st."id" FROM "structures" st WHERE st."source" IN (SELECT jsonb_array_elements_text($1::jsonb)) AND ${missed('st', 'structure')}`;
  const sourcesJson = JSON.stringify(sources);
  const services = await tx.$queryRawUnsafe<{ structure_id: string }[]>(
    `DELETE FROM "services" sv
     WHERE (sv."source" IN (SELECT jsonb_array_elements_text($1::jsonb)) AND ${missed('sv', 'service')})
        OR sv."structure_id" IN (${goneStructures})
     RETURNING sv."structure_id"`,
    sourcesJson,
    partnerId,
    lastListed,
  );
  const structures = await tx.$queryRawUnsafe<{ id: string }[]>(
    `DELETE FROM "structures" st0 WHERE st0."id" IN (${goneStructures}) RETURNING st0."id"`,
    sourcesJson,
    partnerId,
    lastListed,
  );
  return { structures: structures.map((row) => row.id), servicesOf: services.map((row) => row.structure_id) };
}

/** Forgets the records no longer stored as these sources' (deleted, or of a source the partner no longer declares). */
export async function forgetUnstored(tx: Tx, partnerId: string, sources: readonly string[]): Promise<void> {
  await tx.$executeRawUnsafe(
    `DELETE FROM "harvest_seen" h WHERE h."partner_id" = $2 AND NOT (
       (h."entity" = 'structure' AND EXISTS (SELECT 1 FROM "structures" x WHERE x."id" = h."record_id" AND x."source" IN (SELECT jsonb_array_elements_text($1::jsonb))))
       OR (h."entity" = 'service' AND EXISTS (SELECT 1 FROM "services" x WHERE x."id" = h."record_id" AND x."source" IN (SELECT jsonb_array_elements_text($1::jsonb)))))`,
    JSON.stringify(sources),
    partnerId,
  );
}

/** Records last listed before pass `pass` (still stored, missed since). */
export async function listedBefore(tx: Tx, partnerId: string, pass: number): Promise<Counts> {
  const rows = await tx.$queryRawUnsafe<{ entity: string; count: number }[]>(
    `SELECT "entity", count(*)::int AS "count" FROM "harvest_seen" WHERE "partner_id" = $1 AND "last_pass" < $2 GROUP BY "entity"`,
    partnerId,
    pass,
  );
  const counts = { structures: 0, services: 0 };
  for (const row of rows) {
    if (row.entity === 'structure') counts.structures = Number(row.count);
    else if (row.entity === 'service') counts.services = Number(row.count);
  }
  return counts;
}
