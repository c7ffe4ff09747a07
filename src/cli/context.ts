import { loadConfig, type Config } from '../config';
import { openStore, type Store } from '../store/database';
import { acquireLock } from '../store/lock';
import { deployMigrations } from '../store/migrate';

/** What every CLI command gets: the configuration, and a way to open the store it names. */
export interface CliContext {
  config: Config;
  /**
   * Opens the configured store (the embedded one only if no other process holds it), and with
   * `migrate` first applies pending migrations, as the server does on start.
   */
  withStore<T>(run: (store: Store) => Promise<T>, options?: { migrate?: boolean }): Promise<T>;
  out(line: string): void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(env);
  return {
    config,
    out: (line) => process.stdout.write(`${line}\n`),
    async withStore(run, options = {}) {
      const release = config.databaseUrl ? () => {} : acquireLock(config.dataDir);
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
      try {
        if (options.migrate) await deployMigrations(store);
        return await run(store);
      } finally {
        await store.close();
        release();
      }
    },
  };
}
