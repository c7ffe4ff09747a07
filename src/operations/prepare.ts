import type { Logger } from '../logger';
import { seedOffer, storeIsEmpty } from '../ingest/seed';
import { importTerritories, territoriesLoaded } from '../territories/import';
import type { Store } from '../store/database';
import { deployMigrations } from '../store/migrate';
import { syncSources } from '../store/write';

export interface PrepareOptions {
  logger: Logger;
  /** Write the demo offer when the store has no structure (the embedded default on first start). */
  seedWhenEmpty: boolean;
}

/**
 * Brings a store to a servable state, as the server does on start: migrations, territories reference,
 * sources, demo offer if asked (the steps the operators' commands also run one by one). Here rather than in
 * store/: it composes the territories import and the seed, which write through the store.
 */
export async function prepareStore(store: Store, options: PrepareOptions): Promise<void> {
  const { logger } = options;
  const applied = await deployMigrations(store);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (!(await territoriesLoaded(store))) {
    const counts = await importTerritories(store);
    logger.info(counts, 'territories reference imported');
  }
  await syncSources(store);
  if (options.seedWhenEmpty && (await storeIsEmpty(store))) {
    const counts = await seedOffer(store, {});
    logger.info(counts, 'demo offer written (the store was empty)');
  }
}
