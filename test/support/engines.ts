import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore, type Engine, type Store } from '../../src/store/database';
import { deployMigrations } from '../../src/store/migrate';

/** The real PostgreSQL server tests run against (trust auth). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Every store test runs on both engines. */
export const ENGINES: Engine[] = ['pglite', 'postgres'];

export interface TestStore extends Store {
  /** Closes the store and drops its database. */
  dispose(): Promise<void>;
  /** For postgres: the URL of this test's own database. */
  url?: string;
}

/**
 * A fresh, migrated store of its own: an in-memory PGlite, or a new database on the PostgreSQL server
 * (dropped on dispose), so test files never collide.
 */
export async function createTestStore(
  engine: Engine,
  options: { onQuery?: (sql: string) => void; migrate?: boolean } = {},
): Promise<TestStore> {
  let store: Store;
  let url: string | undefined;
  let dropDatabase = async () => {};
  if (engine === 'postgres') {
    const name = `passerelle_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    store = await openStore({ databaseUrl: url, onQuery: options.onQuery });
    dropDatabase = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    store = await openStore({ onQuery: options.onQuery });
  }
  if (options.migrate !== false) await deployMigrations(store);
  return {
    ...store,
    url,
    dispose: async () => {
      await store.close();
      await dropDatabase();
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
