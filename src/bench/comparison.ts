import { pickServiceIds } from './bench-database';
import { measureLoad, type LoadFigures } from './load';
import { ChildServer, freePort, LAUNCHERS } from './peers';
import type { ChildServerSpec } from './peers/child-server';
import { checkSameData, dataOf, recordCount, type Answer } from './same-data';
import { buildShapes, SERVER_NAMES, type ServerName, type Shape, type ShapeName } from './shapes';
import { StatementsProxy } from './statements-proxy';

/**
 * Passerelle beside PostGraphile and the hand-written floor, on one PostgreSQL database, in two phases:
 *
 * 1. Through a statement-counting proxy (one per server): each server answers each shape; the answers must
 *    carry the same data; then `statementRequests` sequential requests per shape give SQL statements per request.
 * 2. Straight to PostgreSQL (the proxy would add a hop per statement, taxing the chattiest server): a warm-up
 *    per server and shape, then alternating rounds — in each round every server in turn, the first server of
 *    the round rotating — so that drift (CPU heat, caches, other load) falls on all servers alike.
 */

/** Passerelle's goals (issue #8): requests/s at least 1.5× PostGraphile's and half the floor's. */
export const COMPARISON_GOALS = { postgraphile: 1.5, floor: 0.5 } as const;

export interface ComparisonOptions {
  databaseUrl: string;
  shapes: readonly ShapeName[];
  rounds: number;
  /** Seconds per measurement. */
  seconds: number;
  /** Seconds of load per server and shape before the first round (not measured). */
  warmupSeconds: number;
  connections: number;
  /** Sequential requests per server and shape whose statements are counted. */
  statementRequests: number;
  /** The servers' working directory. */
  workDir: string;
  log: (line: string) => void;
}

export interface ServerFigures {
  rounds: LoadFigures[];
  /** Means over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** Sums over the rounds. */
  non2xx: number;
  errors: number;
  mismatches: number;
  /** SQL statements (simple queries + extended-protocol executes) per request, phase 1. */
  statementsPerRequest: number;
}

/** Passerelle's requests/s over a peer's, computed in each round, then averaged. */
export interface RatioFigures {
  perRound: number[];
  mean: number;
  min: number;
  max: number;
}

export interface ShapeComparison {
  shape: ShapeName;
  description: string;
  /** Objects in the answer whose equality was checked (all servers agree on them). */
  recordsCompared: number;
  servers: Record<ServerName, ServerFigures>;
  ratios: { postgraphile: RatioFigures; floor: RatioFigures };
}

export interface Comparison {
  shapes: ShapeComparison[];
  byidIds: string[];
}

export async function runComparison(options: ComparisonOptions): Promise<Comparison> {
  const byidIds = await pickServiceIds(options.databaseUrl);
  const all = buildShapes({ byidIds });
  const shapes = options.shapes.map((name) => all[name]);

  options.log('comparison, phase 1: same data, and SQL statements per request (through counting proxies)');
  const phase1 = await checkAndCountStatements(options, shapes);
  options.log('comparison, phase 2: load, alternating rounds (servers straight to PostgreSQL)');
  const loads = await measureRounds(options, shapes);

  return {
    byidIds,
    shapes: shapes.map((shape) => {
      const servers = Object.fromEntries(
        SERVER_NAMES.map((server) => [server, summarise(loads.get(shape.name)!.get(server)!, phase1.statements.get(shape.name)!.get(server)!)]),
      ) as Record<ServerName, ServerFigures>;
      return {
        shape: shape.name,
        description: shape.description,
        recordsCompared: phase1.records.get(shape.name)!,
        servers,
        ratios: {
          postgraphile: ratio(servers.passerelle.rounds, servers.postgraphile.rounds),
          floor: ratio(servers.passerelle.rounds, servers.floor.rounds),
        },
      };
    }),
  };
}

async function checkAndCountStatements(
  options: ComparisonOptions,
  shapes: Shape[],
): Promise<{ statements: Map<ShapeName, Map<ServerName, number>>; records: Map<ShapeName, number> }> {
  const database = new URL(options.databaseUrl);
  const target = { host: database.hostname, port: Number(database.port || 5432) };
  const proxies = new Map<ServerName, StatementsProxy>();
  const statements = new Map<ShapeName, Map<ServerName, number>>();
  const records = new Map<ShapeName, number>();
  try {
    for (const server of SERVER_NAMES) proxies.set(server, await StatementsProxy.start(target));
    const specs = await Promise.all(
      SERVER_NAMES.map(async (server) => LAUNCHERS[server](proxies.get(server)!.urlFor(options.databaseUrl), await freePort(), options.workDir)),
    );
    await withServers(specs, async (servers) => {
      for (const shape of shapes) {
        const answers = await answersOf(servers, shape);
        checkSameData(shape, answers);
        records.set(shape.name, recordCount(dataOf(shape, 'passerelle', answers.passerelle)));
        const perServer = new Map<ServerName, number>();
        for (const server of SERVER_NAMES) {
          const proxy = proxies.get(server)!;
          proxy.reset();
          for (let i = 0; i < options.statementRequests; i++) {
            const answer = await servers[server].post(shape.bodies[server]);
            if (answer.status !== 200) throw new Error(`${shape.name}: ${server} answered HTTP ${answer.status} while counting statements`);
          }
          await new Promise((r) => setTimeout(r, 50)); // the last messages' bytes are through the proxy
          perServer.set(server, proxy.total / options.statementRequests);
        }
        statements.set(shape.name, perServer);
        options.log(
          `  ${shape.name}: same data on all servers (${records.get(shape.name)} objects); statements per request: ` +
            SERVER_NAMES.map((s) => `${s} ${formatCount(perServer.get(s)!)}`).join(', '),
        );
      }
    });
  } finally {
    await Promise.all([...proxies.values()].map((p) => p.close()));
  }
  return { statements, records };
}

async function measureRounds(options: ComparisonOptions, shapes: Shape[]): Promise<Map<ShapeName, Map<ServerName, LoadFigures[]>>> {
  const specs = await Promise.all(SERVER_NAMES.map(async (server) => LAUNCHERS[server](options.databaseUrl, await freePort(), options.workDir)));
  const results = new Map<ShapeName, Map<ServerName, LoadFigures[]>>();
  await withServers(specs, async (servers) => {
    for (const shape of shapes) {
      // Checked again on these processes; their exact bodies are what every measured response must equal.
      const answers = await answersOf(servers, shape);
      checkSameData(shape, answers);
      const perServer = new Map<ServerName, LoadFigures[]>(SERVER_NAMES.map((s) => [s, []]));
      const load = async (server: ServerName, seconds: number, when: string) => {
        const figures = await measureLoad({
          url: `${servers[server].url}/graphql`,
          body: shape.bodies[server],
          expectBody: answers[server].text,
          connections: options.connections,
          seconds,
        });
        servers[server].assertAlive(`during ${shape.name} ${when}`);
        return figures;
      };
      if (options.warmupSeconds > 0) for (const server of SERVER_NAMES) await load(server, options.warmupSeconds, 'warm-up');
      for (let round = 0; round < options.rounds; round++) {
        const order = SERVER_NAMES.map((_, i) => SERVER_NAMES[(i + round) % SERVER_NAMES.length]);
        for (const server of order) {
          const figures = await load(server, options.seconds, `round ${round + 1}`);
          perServer.get(server)!.push(figures);
          options.log(
            `  ${shape.name} round ${round + 1}/${options.rounds} ${server}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms` +
              (figures.non2xx + figures.errors + figures.mismatches ? ` — non-2xx ${figures.non2xx}, errors ${figures.errors}, mismatches ${figures.mismatches}` : ''),
          );
        }
      }
      results.set(shape.name, perServer);
    }
  });
  return results;
}

async function answersOf(servers: Record<ServerName, ChildServer>, shape: Shape): Promise<Record<ServerName, Answer>> {
  const answers = {} as Record<ServerName, Answer>;
  for (const server of SERVER_NAMES) {
    await servers[server].post(shape.bodies[server]); // first request: plans, caches, JIT
    answers[server] = await servers[server].post(shape.bodies[server]);
  }
  return answers;
}

/** Starts every server (in parallel), runs `run`, then stops them all, whatever happened. */
async function withServers<T>(specs: ChildServerSpec[], run: (servers: Record<ServerName, ChildServer>) => Promise<T>): Promise<T> {
  const started = await Promise.allSettled(specs.map((spec) => ChildServer.start(spec)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await run(Object.fromEntries(servers.map((s) => [s.spec.name, s])) as Record<ServerName, ChildServer>);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export function summarise(rounds: LoadFigures[], statementsPerRequest: number): ServerFigures {
  const mean = (pick: (f: LoadFigures) => number) => rounds.reduce((sum, f) => sum + pick(f), 0) / Math.max(rounds.length, 1);
  const sum = (pick: (f: LoadFigures) => number) => rounds.reduce((total, f) => total + pick(f), 0);
  return {
    rounds,
    rps: mean((f) => f.rps),
    p50: mean((f) => f.p50),
    p99: mean((f) => f.p99),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    mismatches: sum((f) => f.mismatches),
    statementsPerRequest,
  };
}

export function ratio(passerelle: LoadFigures[], peer: LoadFigures[]): RatioFigures {
  const perRound = passerelle.map((f, i) => (peer[i] && peer[i].rps > 0 ? f.rps / peer[i].rps : Number.NaN));
  const valid = perRound.filter((r) => Number.isFinite(r));
  return {
    perRound,
    mean: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : Number.NaN,
    min: valid.length ? Math.min(...valid) : Number.NaN,
    max: valid.length ? Math.max(...valid) : Number.NaN,
  };
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
