import type { Store } from './database';

/** Rows changed by one bulk write from which its tables' statistics are refreshed at once. */
export const ANALYZE_THRESHOLD = 1000;

/**
 * After a bulk write (seed, import, harvest, territories), PostgreSQL plans with the tables' old
 * statistics until autovacuum gets to them (a minute or more): right after a national seed, the nested
 * page statement was a parallel sequential scan of every service (80 ms) instead of an index scan (3 ms).
 * Every bulk writer calls this once its transaction has committed, so the next read is planned on what
 * the tables now hold. VACUUM too: a bulk write leaves the GIN indexes' pending lists long (thématiques,
 * publics…), and a bitmap scan of one read them all — 15 ms instead of 2 for a thématique filter on the
 * national set. Small writes leave it to autovacuum.
 */
export async function analyzeAfterBulkWrite(store: Store, tables: readonly string[], changedRows: number): Promise<void> {
  if (changedRows < ANALYZE_THRESHOLD) return;
  for (const table of tables) {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  }
  await store.prisma.$executeRawUnsafe(`VACUUM (ANALYZE) ${tables.join(', ')}`);
}
