import { App } from '../app';
import { createLogger } from '../logger';
import { Prisma } from '../generated/prisma/client';
import { openStore } from '../store/database';

/**
 * The `search` part: `searchServices` latency on the national-scale demo set on PostgreSQL, in process
 * (Apollo's executeOperation: parsing, validation, resolvers and the store's statements; no HTTP), one request
 * at a time, after a warm-up. p50 and p95 per scenario; each answer is checked to hold no error.
 */

export interface SearchScenarioFigures {
  name: string;
  /** The answer's totalCount (the same every request). */
  totalCount: number;
  requests: number;
  p50: number;
  p95: number;
  /**
   * p50 of requests each made just after a write to the offer (a figure kept under the offer's version, such as
   * the number of remote services per filter, is then computed again): what the first search after an import
   * or a harvest costs.
   */
  coldP50: number;
}

const SEARCH = `query ($near: SearchNear!, $distanceKm: Float, $filter: ServiceFilter) {
  searchServices(near: $near, distanceKm: $distanceKm, filter: $filter, first: 20) {
    totalCount pageInfo { hasNextPage endCursor } edges { distance node { id nom } }
  }
}`;

/** A rural commune of the set: the first commune of the Creuse (23) of 200 to 500 inhabitants with a centre. */
async function ruralCommune(query: <T>(statement: Prisma.Sql) => Promise<T[]>): Promise<string> {
  const [row] = await query<{ code: string }>(Prisma.sql`
    SELECT code FROM communes WHERE kind = 'commune-actuelle' AND departement_code = '23'
      AND population BETWEEN 200 AND 500 AND latitude IS NOT NULL ORDER BY code LIMIT 1`);
  if (!row) throw new Error('no rural commune in the Creuse: are the territories imported?');
  return row.code;
}

export async function measureSearch(options: { databaseUrl: string; requests: number; log: (line: string) => void }): Promise<SearchScenarioFigures[]> {
  const store = await openStore({ databaseUrl: options.databaseUrl });
  const app = new App({ logger: createLogger('silent'), development: false });
  await app.start();
  try {
    app.attachStore(store);
    const rural = await ruralCommune((statement) => store.query(statement));
    const scenarios = [
      {
        name: '10 km around a Paris point, 2 filters',
        variables: { near: { latitude: 48.8566, longitude: 2.3522 }, distanceKm: 10, filter: { thematiques: ['numerique'], frais: ['gratuit'] } },
      },
      { name: `living in a rural commune (${rural}): 50 km + eligibility + remote`, variables: { near: { codeCommune: rural } } },
      { name: 'q "accompagnement emploi", living in Lyon (69123): 50 km + eligibility + remote', variables: { near: { codeCommune: '69123' }, filter: { q: 'accompagnement emploi' } } },
      {
        name: 'the same with excludeDuplicates',
        variables: { near: { codeCommune: '69123' }, filter: { q: 'accompagnement emploi', excludeDuplicates: true } },
      },
    ];
    const figures: SearchScenarioFigures[] = [];
    for (const scenario of scenarios) {
      const run = async () => {
        const contextValue = await app.contextFor(store, undefined);
        const response = await app.apollo.executeOperation({ query: SEARCH, variables: scenario.variables }, { contextValue });
        if (response.body.kind !== 'single' || response.body.singleResult.errors) {
          throw new Error(`${scenario.name}: ${JSON.stringify(response.body.kind === 'single' ? response.body.singleResult.errors : response.body.kind)}`);
        }
        return (response.body.singleResult.data as { searchServices: { totalCount: number } }).searchServices.totalCount;
      };
      for (let i = 0; i < Math.min(20, options.requests); i++) await run();
      const times: number[] = [];
      let totalCount = 0;
      for (let i = 0; i < options.requests; i++) {
        const started = performance.now();
        totalCount = await run();
        times.push(performance.now() - started);
      }
      const cold: number[] = [];
      for (let i = 0; i < Math.min(20, options.requests); i++) {
        // A write that changes no value still moves the offer's version (migration offer_version).
        await store.query(Prisma.sql`UPDATE sources SET nom = nom WHERE slug = (SELECT min(slug) FROM sources)`);
        const started = performance.now();
        await run();
        cold.push(performance.now() - started);
      }
      const at = (list: number[], q: number) => {
        const sorted = [...list].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
      };
      const result = { name: scenario.name, totalCount, requests: options.requests, p50: at(times, 0.5), p95: at(times, 0.95), coldP50: at(cold, 0.5) };
      options.log(
        `  search: ${result.name}: ${totalCount} services, p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms; just after a write: p50 ${result.coldP50.toFixed(1)} ms`,
      );
      figures.push(result);
    }
    return figures;
  } finally {
    await app.stop();
    await store.close();
  }
}
