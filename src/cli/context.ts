import { loadConfig, type Config } from '../config';
import { sendOperation } from '../operations/admin-socket';
import { runOperation } from '../operations/run';
import type { OperationResult } from '../operations/types';
import { openStore } from '../store/database';
import { acquireLock, readLock, StoreInUseError } from '../store/lock';

/** What every CLI command gets: the configuration, and the one way to act on the store. */
export interface CliContext {
  config: Config;
  /**
   * Runs a named operation (src/operations) and prints its lines. On PostgreSQL, and on an embedded
   * store no process holds, it runs here; while a server holds the embedded store, it is sent to that
   * server's admin socket and runs there (PGlite allows one process per data folder).
   */
  execute(operation: string, args?: Record<string, unknown>): Promise<void>;
  out(line: string): void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(env);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const report = (result: OperationResult) => {
    for (const line of result.lines) out(line);
    if (result.exitCode) process.exitCode = result.exitCode;
  };
  return {
    config,
    out,
    async execute(operation, args = {}) {
      if (!config.databaseUrl) {
        const holder = readLock(config.dataDir);
        if (holder?.socket) return report(await sendOperation(holder.socket, operation, args));
        if (holder) throw new StoreInUseError(config.dataDir, holder);
      }
      const release = config.databaseUrl ? () => {} : acquireLock(config.dataDir);
      const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
      try {
        report(await runOperation(operation, args, { store, config }));
      } finally {
        await store.close();
        release();
      }
    },
  };
}
