import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client';

export type Engine = 'pglite' | 'postgres';

/** A statement with `$n` placeholders and their values (a `Prisma.sql` template is one). */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export interface StoreOptions {
  /** postgresql://… : run on PostgreSQL. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; absent (and no databaseUrl): an in-memory PGlite (tests). */
  dataDir?: string;
  /** Called with every SQL statement Prisma sends (tests count them). */
  onQuery?: (sql: string) => void;
  /** Called when an idle PostgreSQL connection fails (the pool replaces it). */
  onPoolError?: (error: Error) => void;
}

/** An open store: the Prisma client plus what migrations need to drive the same database. */
export interface Store {
  engine: Engine;
  prisma: PrismaClient;
  /** A driver adapter factory for Prisma's schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** The PGlite instance, when embedded. */
  pglite?: PGlite;
  /**
   * Runs one read statement straight on the driver (pg's pool or PGlite), rows as the driver parses them.
   * The graph's hot reads go here rather than through Prisma's `$queryRaw`: they ask PostgreSQL for rows
   * already in the shape they are served in (JSON), and Prisma's runtime would walk every value again.
   * Writes, migrations and the rest still go through Prisma.
   */
  query<T>(statement: Statement): Promise<T[]>;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const log = options.onQuery ? [{ emit: 'event' as const, level: 'query' as const }] : [];
  if (options.databaseUrl) {
    // Our own pool, so that close() ends its connections (the adapter leaves an external pool open).
    const pool = new Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server ends (restart, failover, a forced drop) is an 'error' event on the
    // pool; unhandled, it would crash the process. The pool has already discarded that client and the
    // next query opens a new one, so it is reported, not fatal.
    pool.on('error', (error) => options.onPoolError?.(error));
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory, log });
    attachQueryListener(prisma, options.onQuery);
    return {
      engine: 'postgres',
      prisma,
      adapterFactory,
      query: async <T>(statement: Statement) => {
        const text = statement.text;
        options.onQuery?.(text);
        const query = { name: preparedName(text), text, values: statement.values as unknown[] };
        return (await pool.query(query)).rows as T[];
      },
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  if (options.dataDir) fs.mkdirSync(path.resolve(options.dataDir), { recursive: true });
  const pglite = await openPGlite(options.dataDir);
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory, log });
  attachQueryListener(prisma, options.onQuery);
  return {
    engine: 'pglite',
    prisma,
    adapterFactory,
    pglite,
    query: async <T>(statement: Statement) => {
      const text = statement.text;
      options.onQuery?.(text);
      return (await pglite.query<T>(text, statement.values as unknown[])).rows;
    },
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * Read statements are prepared once per connection under a name (pg sends Bind/Execute only after the
 * first time): the graph's statements are few distinct texts, long ones with nested sub-selects, and
 * parsing and planning them again on every request was a share of PostgreSQL's time per request. A
 * bounded table: past it, statements run unnamed (as any other query).
 */
const PREPARED = new Map<string, string>();
const MAX_PREPARED = 500;
function preparedName(text: string): string | undefined {
  let name = PREPARED.get(text);
  if (name === undefined && PREPARED.size < MAX_PREPARED) {
    name = `passerelle_${PREPARED.size + 1}`;
    PREPARED.set(text, name);
  }
  return name;
}

async function openPGlite(dataDir?: string): Promise<PGlite> {
  try {
    return await PGlite.create(dataDir ? path.resolve(dataDir) : undefined);
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the embedded store in ${dataDir ?? 'memory'}: ${cause}`, { cause: error });
  }
}

function attachQueryListener(prisma: PrismaClient, onQuery?: (sql: string) => void): void {
  if (!onQuery) return;
  (prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) =>
    onQuery(e.query),
  );
}
