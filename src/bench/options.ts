import { parseArgs } from 'node:util';
import { SHAPE_NAMES, type ShapeName } from './shapes';

/** `npm run bench -- [options]`: every option, its default, and what it changes. */

export const PART_NAMES = ['comparison', 'pglite', 'partner', 'search', 'exports'] as const;
export type PartName = (typeof PART_NAMES)[number];

export interface BenchOptions {
  /** A URL of the PostgreSQL server the bench database is created on. */
  postgresUrl: string;
  /** The bench database's name on that server (dropped and recreated unless reused). */
  database: string;
  structures: number;
  reuse: boolean;
  /** Seconds per measurement. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  shapes: ShapeName[];
  statementRequests: number;
  /** Structures of the embedded (PGlite) run; 2,000 is the set the server seeds itself. */
  pgliteStructures: number;
  parts: PartName[];
  /** Also print the results as Markdown tables (for docs/benchmarks.md). */
  markdown: boolean;
}

export const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export function defaultOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  return {
    postgresUrl: env.BENCH_POSTGRES_URL || env.TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL,
    database: 'passerelle_bench',
    structures: 60_000,
    reuse: false,
    seconds: 10,
    rounds: 3,
    warmupSeconds: 2,
    connections: 10,
    shapes: [...SHAPE_NAMES],
    statementRequests: 20,
    pgliteStructures: 2000,
    parts: [...PART_NAMES],
    markdown: false,
  };
}

export const USAGE = `npm run bench -- [options]

  --postgres URL            PostgreSQL server to create the bench database on
                            (default: $BENCH_POSTGRES_URL, $TEST_POSTGRES_URL, or ${DEFAULT_POSTGRES_URL})
  --database NAME           the bench database (default passerelle_bench); dropped and recreated unless --reuse
  --structures N            demo structures to seed, 3 services each (default 60000)
  --reuse                   keep the database if it holds N structures, 3N services and a sound migration history
  --duration S              seconds per measurement (default 10)
  --rounds N                alternating rounds per shape (default 3)
  --warmup S                seconds of unmeasured load per server and shape first (default 2; 0: none)
  --connections N           autocannon connections (default 10)
  --shapes a,b              among ${SHAPE_NAMES.join(', ')} (default all)
  --statement-requests N    sequential requests whose SQL statements are counted (default 20)
  --pglite-structures N     structures of the embedded-store run (default 2000, which the server seeds itself;
                            any other number is seeded with the CLI first: about 75 s for 60000)
  --parts a,b               among ${PART_NAMES.join(', ')} (default all)
  --markdown                also print the results as Markdown tables
  --help`;

export class UsageError extends Error {}

/** Parses the command line (without node and the script); throws UsageError with a message for the user. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        postgres: { type: 'string' },
        database: { type: 'string' },
        structures: { type: 'string' },
        reuse: { type: 'boolean' },
        duration: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        shapes: { type: 'string' },
        'statement-requests': { type: 'string' },
        'pglite-structures': { type: 'string' },
        parts: { type: 'string' },
        markdown: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const defaults = defaultOptions(env);
  return {
    postgresUrl: v.postgres ?? defaults.postgresUrl,
    database: v.database ?? defaults.database,
    structures: integer('structures', v.structures, defaults.structures, 1),
    reuse: v.reuse ?? false,
    seconds: number('duration', v.duration, defaults.seconds),
    rounds: integer('rounds', v.rounds, defaults.rounds, 1),
    warmupSeconds: number('warmup', v.warmup, defaults.warmupSeconds, 0),
    connections: integer('connections', v.connections, defaults.connections, 1),
    shapes: list('shapes', v.shapes, SHAPE_NAMES) ?? defaults.shapes,
    statementRequests: integer('statement-requests', v['statement-requests'], defaults.statementRequests, 1),
    pgliteStructures: integer('pglite-structures', v['pglite-structures'], defaults.pgliteStructures, 1),
    parts: list('parts', v.parts, PART_NAMES) ?? defaults.parts,
    markdown: v.markdown ?? false,
  };
}

/** A number ≥ min; without min, a number > 0. */
function number(name: string, value: string | undefined, fallback: number, min?: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  const ok = Number.isFinite(n) && (min === undefined ? n > 0 : n >= min);
  if (!ok) throw new UsageError(`--${name} must be a number ${min === undefined ? '> 0' : `≥ ${min}`}`);
  return n;
}

function integer(name: string, value: string | undefined, fallback: number, min: number): number {
  const n = number(name, value, fallback, min);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length || !items.length) throw new UsageError(`--${name}: ${unknown.length ? `unknown ${unknown.join(', ')}; ` : ''}choose among ${allowed.join(', ')}`);
  return items as T[];
}
