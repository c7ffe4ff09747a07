import { repoPath } from '../../paths';
import type { ChildServerSpec } from './child-server';

/** Where Passerelle keeps its data for a run: a PostgreSQL database, or an embedded PGlite folder. */
export type PasserelleStore = { databaseUrl: string } | { dataDir: string };

/**
 * Passerelle as `npm start` runs it (`node dist/src/server.js`), answering every request by execution (it has
 * no response cache). Bench settings: logs at `warn`; up to 100 aliases (the byid shape has 50); no restricted
 * source, so that it serves the same rows as its peers, which know nothing of source licences (by default
 * `soliguide` records are hidden from anonymous callers).
 */
export function passerelleSpec(store: PasserelleStore, port: number, cwd: string): ChildServerSpec {
  const storeEnv: Record<string, string> =
    'databaseUrl' in store ? { DATABASE_URL: store.databaseUrl } : { PASSERELLE_DATA_DIR: store.dataDir, PASSERELLE_SEED_ON_EMPTY: 'true' };
  return {
    name: 'passerelle',
    nodeArgs: [repoPath('dist', 'src', 'server.js')],
    env: {
      ...storeEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PASSERELLE_MAX_ALIASES: '100',
      PASSERELLE_RESTRICTED_SOURCES: '',
      // The load comes from one IP, anonymous: measured, not rate limited.
      PASSERELLE_RATE_ANONYMOUS: '0',
    },
    cwd,
    port,
    ready: { method: 'GET', path: '/readyz' },
    // The embedded store migrates, loads territories and seeds its demo offer before /readyz says 200.
    startTimeoutMs: 'databaseUrl' in store ? 60_000 : 300_000,
  };
}
