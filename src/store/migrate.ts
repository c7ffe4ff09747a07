import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import { Prisma } from '../generated/prisma/client';
import { repoPath } from '../paths';
import type { Store } from './database';
import { backfillSearchDocuments } from './full-text';

/**
 * Passerelle's migrations, on Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`)
 * driven through the store's own driver adapter: the native engine the Prisma CLI wants for `migrate`
 * cannot be downloaded here. The engine keeps Prisma's `_prisma_migrations` table and folder layout
 * (`prisma/migrations/<timestamp>_<name>/migration.sql`), so `prisma migrate deploy` works on the same
 * database wherever the native CLI is available.
 */

export const defaultMigrationsDir = (): string => repoPath('prisma', 'migrations');
export const defaultSchemaPath = (): string => repoPath('prisma', 'schema.prisma');

export interface MigrationStatus {
  /** Migrations recorded as finished in `_prisma_migrations`, oldest first. */
  applied: string[];
  /** Local migrations not yet applied. */
  pending: string[];
  /** Failed, edited or unknown migrations: anything that needs an operator. */
  problems: string[];
}

/** Applies the pending migrations; returns the names applied (none when up to date). Throws if one fails. */
export async function deployMigrations(store: Store, migrationsDir: string = defaultMigrationsDir()): Promise<string[]> {
  const migrationsList = readMigrations(migrationsDir);
  if (await historyMatches(store, migrationsList)) {
    await backfillSearchDocuments(store);
    return [];
  }
  const applied = await withMigrationAdapter(store, (factory) =>
    withEngine(factory, DATASOURCE_ONLY, async (engine) => {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
      return appliedMigrationNames;
    }),
  );
  // Rows written before migration `full_text` get their search document (src/store/full-text.ts).
  await backfillSearchDocuments(store);
  return applied;
}

/**
 * True when `_prisma_migrations` records exactly the local migrations, each finished, none failed, each with the
 * checksum of its file as it is (SHA-256, as Prisma writes it). Then there is nothing to apply and the schema
 * engine is not loaded: its WebAssembly instance costs ~85 MB of RSS that the process never gives back (measured
 * on a server at rest: 254 MB with it, 170 MB without), which every start on an up-to-date store would pay.
 * Anything else (a pending, edited, failed or unknown migration) goes to the engine, which applies or reports.
 */
async function historyMatches(store: Store, list: MigrationList): Promise<boolean> {
  const [table] = await store.query<{ name: string | null }>(Prisma.sql`SELECT to_regclass('_prisma_migrations')::text AS name`);
  if (!table?.name) return false;
  const rows = await store.query<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }>(
    Prisma.sql`SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations`,
  );
  const applied = new Map<string, string>();
  for (const row of rows) {
    if (row.rolled_back) continue;
    if (!row.finished || applied.has(row.migration_name)) return false;
    applied.set(row.migration_name, row.checksum);
  }
  if (applied.size !== list.migrationDirectories.length) return false;
  return list.migrationDirectories.every((directory) => {
    const content = directory.migrationFile.content;
    return content.tag === 'ok' && applied.get(directory.path) === createHash('sha256').update(content.value).digest('hex');
  });
}

/** Where the store's migration history stands relative to the migrations folder. */
export async function migrationStatus(
  store: Store,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<MigrationStatus> {
  const migrationsList = readMigrations(migrationsDir);
  const local = migrationsList.migrationDirectories.map((d) => d.path);
  const diagnostic = await withMigrationAdapter(store, (factory) =>
    withEngine(factory, DATASOURCE_ONLY, (engine) =>
      engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS }),
    ),
  );
  if (!diagnostic.hasMigrationsTable) return { applied: [], pending: local, problems: [] };

  const rows = await store.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM _prisma_migrations
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
      ORDER BY started_at, migration_name`,
  );
  const applied = [...new Set(rows.map((r) => r.migration_name))];
  const problems: string[] = [];
  for (const name of diagnostic.failedMigrationNames) problems.push(`${name}: failed (fix it, then mark it rolled back)`);
  for (const name of diagnostic.editedMigrationNames) problems.push(`${name}: edited after it was applied`);
  let pending: string[] = [];
  const history = diagnostic.history;
  if (history?.diagnostic === 'databaseIsBehind') pending = history.unappliedMigrationNames;
  else if (history?.diagnostic === 'migrationsDirectoryIsBehind') {
    for (const name of history.unpersistedMigrationNames) problems.push(`${name}: applied but missing from ${migrationsDir}`);
  } else if (history?.diagnostic === 'historiesDiverge') {
    pending = history.unappliedMigrationNames;
    for (const name of history.unpersistedMigrationNames) problems.push(`${name}: applied but missing from ${migrationsDir}`);
  }
  return { applied, pending, problems };
}

export interface CreateMigrationOptions {
  schemaPath?: string;
  migrationsDir?: string;
  /** The time in the folder name (tests); default now. */
  now?: Date;
}

/**
 * Writes `<migrationsDir>/<YYYYMMDDHHMMSS>_<name>/migration.sql` with what the schema adds to the
 * committed migrations (diffed on an in-memory PGlite shadow database); returns the folder name, or
 * undefined when the migrations already match the schema.
 */
export async function createMigration(name: string, options: CreateMigrationOptions = {}): Promise<string | undefined> {
  const slug = name.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!slug) throw new Error(`invalid migration name: ${JSON.stringify(name)}`);
  const schemaPath = path.resolve(options.schemaPath ?? defaultSchemaPath());
  const migrationsDir = path.resolve(options.migrationsDir ?? defaultMigrationsDir());
  const schema = { path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') };
  const migrationsList = readMigrations(migrationsDir);
  // The engine needs the lock file to know the connector, even for the first migration.
  migrationsList.lockfile.content ??= MIGRATION_LOCK;

  const { factory, close } = memoryPGliteFactory();
  let script: string;
  try {
    script = await withEngine(factory, [schema], async (engine) => {
      const result = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      return result.stdout ?? '';
    });
  } finally {
    await close();
  }
  if (isEmptyScript(script)) return undefined;

  let folder = `${timestamp(options.now ?? new Date())}_${slug}`;
  // Two migrations created in the same second must still sort in creation order.
  const existing = migrationsList.migrationDirectories.map((d) => d.path).sort();
  const last = existing[existing.length - 1];
  if (last && folder <= last) {
    const bumped = String(Number(last.slice(0, 14)) + 1);
    folder = `${bumped}_${slug}`;
  }
  fs.mkdirSync(path.join(migrationsDir, folder), { recursive: true });
  fs.writeFileSync(path.join(migrationsDir, folder, 'migration.sql'), script.endsWith('\n') ? script : `${script}\n`);
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  if (!fs.existsSync(lockPath)) fs.writeFileSync(lockPath, MIGRATION_LOCK);
  return folder;
}

// ---------------------------------------------------------------------------------------------------

const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

const MIGRATION_LOCK =
  '# Please do not edit this file manually\n' +
  '# It should be added in your version-control system (e.g., Git)\n' +
  'provider = "postgresql"\n';

/** Deploy and status only need the provider, not the models: no schema file needed at run time. */
const DATASOURCE_ONLY = [{ path: 'schema.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' }];

/** The migrations of the folder, oldest first (what a migrated store has applied). */
export function localMigrationNames(migrationsDir: string = defaultMigrationsDir()): string[] {
  return readMigrations(migrationsDir).migrationDirectories.map((d) => d.path);
}

/** Migrations the store records as finished (and not rolled back): a plain read, no schema engine. */
export async function appliedMigrationNames(store: Store): Promise<string[]> {
  try {
    const rows = await store.query<{ migration_name: string }>({
      text: `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      values: [],
    });
    return rows.map((r) => r.migration_name);
  } catch (error) {
    // undefined_table: never migrated.
    if ((error as { code?: unknown }).code === '42P01') return [];
    throw error;
  }
}

function readMigrations(migrationsDir: string): MigrationList {
  const baseDir = path.resolve(migrationsDir);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const names = fs.existsSync(baseDir)
    ? fs
        .readdirSync(baseDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file)
            ? { tag: 'ok' as const, value: fs.readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} not found` },
        },
      };
    }),
  };
}

function isEmptyScript(script: string): boolean {
  return (
    script
      .split('\n')
      .map((line) => line.replace(/--.*$/, '').trim())
      .join('') === ''
  );
}

function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`
  );
}

// --- driver adapters --------------------------------------------------------------------------------

/**
 * The store's adapter factory, with `executeScript` running a migration as one simple-protocol query
 * (an implicit transaction, as the native engine does), awaited so that a failure reaches the engine:
 * - pglite-prisma-adapter 0.7.2 calls `pglite.exec(script)` without awaiting it, so a failing
 *   migration would be recorded as applied;
 * - @prisma/adapter-pg 7.10.1 splits the script on every `;` (even in strings or function bodies)
 *   and runs the pieces one by one, leaving a half-applied migration behind on failure.
 */
/**
 * Runs `run` with the adapter factory migrations use. On PostgreSQL it is a pool of ONE connection of its own,
 * ended afterwards. Why: the engine takes a session advisory lock (`pg_advisory_lock`) and releases it with a
 * later statement; through the store's shared pool the two could run on different connections, leaving the lock
 * on a pooled connection that any busy reader (the webhook dispatcher, the change stream) kept from ever going
 * idle — and a second instance starting on the same database then waited for it forever. One connection takes
 * and releases it, and ending the pool ends the session, lock included, whatever happened.
 */
async function withMigrationAdapter<T>(store: Store, run: (factory: SqlMigrationAwareDriverAdapterFactory) => Promise<T>): Promise<T> {
  if (!store.databaseUrl) return run(migrationAdapterFactory(store, store.adapterFactory));
  const pool = new Pool({ connectionString: store.databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  try {
    return await run(migrationAdapterFactory(store, new PrismaPg(pool)));
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function migrationAdapterFactory(store: Store, base: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const pglite = store.pglite;
  const fix = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    if (pglite) return withScriptRunner(adapter, (script) => pglite.exec(script));
    const pool = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.() as
      | { query(sql: string): Promise<unknown> }
      | undefined;
    return withScriptRunner(adapter, (script) => (pool ? pool.query(script) : adapter.executeScript(script)));
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => fix(await base.connect()),
    connectToShadowDb: async () => fix(await base.connectToShadowDb()),
  };
}

/** An in-memory PGlite for the engine to work on, with a fresh in-memory PGlite per shadow database. */
function memoryPGliteFactory(): { factory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> } {
  const opened: PGlite[] = [];
  const connect = async (): Promise<SqlDriverAdapter> => {
    const pglite = await PGlite.create();
    opened.push(pglite);
    const adapter = await new PrismaPGlite(pglite).connect();
    return withScriptRunner(adapter, (script) => pglite.exec(script), async () => {
      if (!pglite.closed) await pglite.close();
    });
  };
  // The factory's names, from an instance that never connects (PGlite instances are made per connection).
  const { provider, adapterName } = new PrismaPGlite(undefined as unknown as PGlite);
  return {
    factory: { provider, adapterName, connect, connectToShadowDb: connect },
    close: async () => {
      await Promise.all(opened.map((p) => (p.closed ? undefined : p.close())));
    },
  };
}

function withScriptRunner(
  adapter: SqlDriverAdapter,
  run: (script: string) => Promise<unknown>,
  afterDispose?: () => Promise<void>,
): SqlDriverAdapter {
  const executeScript = async (script: string): Promise<void> => {
    try {
      await run(script);
    } catch (error) {
      // The adapters turn driver errors into DriverAdapterErrors the engine understands.
      const onError = (adapter as { onError?: (e: unknown) => never }).onError;
      if (onError) onError.call(adapter, error);
      throw error;
    }
  };
  let disposed: Promise<void> | undefined;
  // Idempotent: the engine disposes shadow databases itself, withEngine() disposes everything after it.
  const dispose = (): Promise<void> =>
    (disposed ??= (async () => {
      await adapter.dispose();
      await afterDispose?.();
    })());
  return new Proxy(adapter, {
    get(target, property) {
      if (property === 'executeScript') return executeScript;
      if (property === 'dispose') return dispose;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// --- the WebAssembly schema engine --------------------------------------------------------------------

type EngineModule = typeof import('@prisma/schema-engine-wasm');

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

let engineModule: EngineModule | undefined;

/**
 * Loads the engine once per process: its wasm-bindgen glue (`schema_engine_bg.js`), then its `.wasm`,
 * instantiated against the glue, handed to the glue (`__wbg_set_wasm`) and started (`__wbindgen_start`).
 *
 * The glue is an ES module of top-level `export function` / `export class` declarations. It is
 * evaluated here as a function body returning those declarations, in the caller's realm, rather than
 * through `require`: Jest's CommonJS runtime refuses to require an ES module on Node 20 (even through
 * `createRequire`), and the glue checks `instanceof Promise` / `Uint8Array` / `Map` on what the driver
 * adapters return, which a module loaded by Node outside Jest's realm would get wrong.
 */
function loadEngine(): EngineModule {
  if (engineModule) return engineModule;
  const nodeRequire = createRequire(__filename);
  const gluePath = nodeRequire.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const source = fs.readFileSync(gluePath, 'utf8');
  const exported: string[] = [];
  const body = source.replace(/^export (function|class) ([A-Za-z_$][\w$]*)/gm, (_match, kind: string, name: string) => {
    exported.push(name);
    return `${kind} ${name}`;
  });
  if (/^\s*(export|import)\b/m.test(body) || !exported.includes('__wbg_set_wasm') || !exported.includes('SchemaEngine')) {
    throw new Error(`unexpected layout of ${gluePath}: update loadEngine() in src/store/migrate.ts`);
  }
  const evaluate = new Function('module', 'require', 'setTimeout', `'use strict';\n${body}\nreturn { ${exported.join(', ')} };`) as (
    module: { require: NodeJS.Require },
    require: NodeJS.Require,
    setTimeout: (fn: () => void, ms: number) => NodeJS.Timeout,
  ) => EngineModule & { __wbg_set_wasm(exports: object): void };
  // The engine arms timers (its lock wait, 10 s) that it leaves pending after the call returns: unref
  // them, or every CLI command and test process would stay alive 10 s after its work is done.
  const unrefTimeout = (fn: () => void, ms: number): NodeJS.Timeout => setTimeout(fn, ms).unref();
  const glue = evaluate({ require: nodeRequire }, nodeRequire, unrefTimeout);
  const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
  // lib has no DOM here, so no WebAssembly typings: the little used of it is typed locally.
  const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };
  const instance = new wasm.Instance(new wasm.Module(fs.readFileSync(wasmPath)), { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  engineModule = glue;
  return glue;
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: { path: string; content: string }[],
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine: Engine } = loadEngine();
  // The engine never disposes the adapters it connects (only its shadow databases), and frees none on
  // free(): without this, every call would leak a pg pool whose connection keeps holding the engine's
  // session advisory lock, making the next call wait 10 s for it.
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>): Promise<SqlDriverAdapter> => {
    const adapter = await connecting;
    opened.push(adapter);
    return adapter;
  };
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(factory.connect()),
    connectToShadowDb: () => track(factory.connectToShadowDb()),
  };
  let engine: SchemaEngine | undefined;
  try {
    engine = await Engine.new(
      { datamodels: datamodels.map((d) => [d.path, d.content] as [string, string]) },
      (line: string) => {
        if (process.env.PASSERELLE_DEBUG_MIGRATE) process.stderr.write(`schema-engine: ${line}\n`);
      },
      bindMigrationAwareSqlAdapterFactory(tracking),
    );
    return await run(engine);
  } catch (error) {
    throw migrationError(error);
  } finally {
    engine?.free();
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
  }
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** The engine rejects with plain objects or errors carrying a user-facing message; make one Error of it. */
function migrationError(error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  const e = error as { message?: unknown; error_code?: unknown; meta?: unknown } | undefined;
  // Drop the engine's Rust span trace ("   0: sql_schema_connector::…") from the message; it stays in the cause.
  const message = (typeof e?.message === 'string' ? e.message : String(error)).replace(/\n\s*0: \w+::[\s\S]*$/, '');
  return new MigrationError(message, { cause: error });
}
