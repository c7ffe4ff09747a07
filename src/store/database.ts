import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, escapeLiteral, Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client';
import { StatementTimeoutError } from '../errors';

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
  /**
   * PostgreSQL only: the graph's reads (`query`) are cancelled past this many milliseconds (`statement_timeout`)
   * and fail with a StatementTimeoutError (QUERY_TIMEOUT). Absent: no limit. PGlite runs in this thread and
   * cannot be interrupted: there, the cost limit is what keeps statements short.
   */
  statementTimeoutMs?: number;
  /** Embedded, in memory only: start from this dump of another PGlite (`dumpDataDir`), as tests do to skip a long setup. */
  loadDataDir?: Blob;
}

/** An open store: the Prisma client plus what migrations need to drive the same database. */
export interface Store {
  engine: Engine;
  prisma: PrismaClient;
  /** A driver adapter factory for Prisma's schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** The PGlite instance, when embedded. */
  pglite?: PGlite;
  /** The PostgreSQL URL, when not embedded (migrations and LISTEN open connections of their own). */
  databaseUrl?: string;
  /**
   * Runs one read statement straight on the driver (pg's pool or PGlite), rows as the driver parses them.
   * The graph's hot reads go here rather than through Prisma's `$queryRaw`: they ask PostgreSQL for rows
   * already in the shape they are served in (JSON), and Prisma's runtime would walk every value again.
   * Writes, migrations and the rest still go through Prisma.
   */
  query<T>(statement: Statement): Promise<T[]>;
  /**
   * PostgreSQL only: `COPY (<statement>) TO STDOUT WITH (<options>)`, its bytes as a stream (pg-copy-streams),
   * on a connection of its own without the reads' time limit (an export may take minutes). COPY takes no
   * bind parameters, so the statement's values are written into it as literals (`inlineValues`). Destroying
   * the stream before its end drops the connection, which ends the statement on the server.
   */
  copyOut?(statement: Statement, options: string): Promise<Readable>;
  /**
   * Calls `onNotify` on every NOTIFY of `channel` (PostgreSQL: on a connection of its own, outside the pool, so
   * every instance on the database hears every commit; PGlite: its own in-process LISTEN). Resolves with the
   * function that stops listening.
   */
  listen(channel: string, onNotify: () => void, onError?: (error: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * `$1`, `$2`… of a statement replaced by its values as SQL literals (pg's `escapeLiteral`): text, numbers,
 * booleans, instants (ISO 8601) and arrays of text (`ARRAY[…]`, the statement casts them). For COPY, which
 * cannot bind parameters. A value of another kind is refused rather than guessed.
 */
export function inlineValues(statement: Statement): string {
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'string') return escapeLiteral(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (value instanceof Date) return escapeLiteral(value.toISOString());
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.length ? `ARRAY[${value.map(literal).join(', ')}]` : `'{}'`;
    throw new TypeError(`cannot write ${Object.prototype.toString.call(value)} as an SQL literal`);
  };
  return statement.text.replace(/\$(\d+)/g, (_, n: string) => literal(statement.values[Number(n) - 1]));
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
    // The graph's reads get a pool of their own when they are time-bound: migrations, imports and other
    // writes (Prisma, on `pool`) may rightly run longer than any request should.
    const timeout = options.statementTimeoutMs;
    const reads = timeout ? new Pool({ connectionString: options.databaseUrl, max: 10, statement_timeout: timeout }) : pool;
    if (reads !== pool) reads.on('error', (error) => options.onPoolError?.(error));
    return {
      engine: 'postgres',
      prisma,
      adapterFactory,
      databaseUrl: options.databaseUrl,
      query: async <T>(statement: Statement) => {
        const text = statement.text;
        options.onQuery?.(text);
        const query = { name: preparedName(text), text, values: statement.values as unknown[] };
        try {
          return (await reads.query(query)).rows as T[];
        } catch (error) {
          // 57014 query_canceled: the statement_timeout (a cancel request from elsewhere reads the same).
          if (timeout && (error as { code?: string }).code === '57014') throw new StatementTimeoutError(timeout, { cause: error });
          throw error;
        }
      },
      copyOut: async (statement: Statement, copyOptions: string) => {
        const text = `COPY (${inlineValues(statement)}) TO STDOUT WITH (${copyOptions})`;
        options.onQuery?.(text);
        const client = await pool.connect();
        let released = false;
        const release = (error?: Error) => {
          if (released) return;
          released = true;
          client.release(error);
        };
        const stream = client.query(copyTo(text));
        stream.once('end', () => release());
        stream.once('error', (error) => release(error));
        // Closed before its end (the reader went away): the connection is dropped, not reused mid-COPY.
        stream.once('close', () => release(new Error('COPY abandoned before its end')));
        return stream;
      },
      listen: async (channel, onNotify, onError) => {
        const client = new Client({ connectionString: options.databaseUrl });
        client.on('error', (error) => onError?.(error));
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify();
        });
        await client.connect();
        await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
        return async () => {
          await client.end().catch(() => undefined);
        };
      },
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
        if (reads !== pool) await reads.end();
      },
    };
  }
  if (options.dataDir) restrictToOwner(path.resolve(options.dataDir));
  const pglite = await openPGlite(options.dataDir, options.loadDataDir);
  if (options.dataDir) restrictToOwner(path.resolve(options.dataDir));
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
    listen: async (channel, onNotify) => {
      const unsubscribe = await pglite.listen(channel, () => onNotify());
      return async () => {
        if (!pglite.closed) await unsubscribe();
      };
    },
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
      if (options.dataDir) restrictToOwner(path.resolve(options.dataDir));
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

/**
 * The embedded store's folder holds the whole offer (contacts included) and its own pg_hba.conf: owner-only
 * (folder and sub-folders 0700, files 0600). PGlite's file system writes files 0666 whatever the umask
 * (found by an audit: 969 of 1,062 files world-writable), so modes are fixed after the fact: when the store
 * opens (an existing folder too), once PGlite has initialised, and when it closes (files created while
 * running). In between, the 0700 folder keeps everyone else out of what lies below it.
 */
export function restrictToOwner(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fix = (file: string, stat: fs.Stats) => {
    // Group and others lose everything; a file keeps its owner's bits, a folder gets rwx.
    const mode = stat.isDirectory() ? 0o700 : stat.mode & 0o700;
    if ((stat.mode & 0o777) !== mode) fs.chmodSync(file, mode);
  };
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.isSymbolicLink()) return;
    fix(current, stat);
    if (!stat.isDirectory()) return;
    for (const entry of fs.readdirSync(current)) {
      try {
        walk(path.join(current, entry));
      } catch (error) {
        // A file PGlite removed meanwhile.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  walk(dir);
}

async function openPGlite(dataDir?: string, loadDataDir?: Blob): Promise<PGlite> {
  // Sub-folders PGlite creates honour the umask.
  const umask = dataDir ? process.umask(0o077) : undefined;
  try {
    if (!dataDir && loadDataDir) return await PGlite.create({ loadDataDir });
    return await PGlite.create(dataDir ? path.resolve(dataDir) : undefined);
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the embedded store in ${dataDir ?? 'memory'}: ${cause}`, { cause: error });
  } finally {
    if (umask !== undefined) process.umask(umask);
  }
}

function attachQueryListener(prisma: PrismaClient, onQuery?: (sql: string) => void): void {
  if (!onQuery) return;
  (prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) =>
    onQuery(e.query),
  );
}
