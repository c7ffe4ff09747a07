import type { Logger } from '../logger';
import { seedOffer, storeIsEmpty } from '../ingest/seed';
import { importTerritories, territoriesLoaded } from '../territories/import';
import type { Store } from './database';
import { deployMigrations } from './migrate';
import { syncSources } from './write';

export interface PrepareOptions {
  logger: Logger;
  /** Write the demo offer when the store has no structure (the embedded default on first start). */
  seedWhenEmpty: boolean;
}

/** Brings a store to a servable state: migrations, territories reference, sources, demo offer if asked. */
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
