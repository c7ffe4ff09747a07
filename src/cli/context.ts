import { loadConfig, type Config } from '../config';
import { openStore, type Store } from '../store/database';
import { acquireLock } from '../store/lock';

/** What every CLI command gets: the configuration, and a way to open the store it names. */
export interface CliContext {
  config: Config;
  /** Opens the configured store; the embedded one only if no other process holds it. */
  withStore<T>(run: (store: Store) => Promise<T>): Promise<T>;
  out(line: string): void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(env);
  return {
    config,
    out: (line) => process.stdout.write(`${line}\n`),
    async withStore(run) {
      const release = config.databaseUrl ? () => {} : acquireLock(config.dataDir);
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
      try {
        return await run(store);
      } finally {
        await store.close();
        release();
      }
    },
  };
}
