import { Client } from 'pg';
import { seedOffer } from '../ingest/seed';
import { openStore } from '../store/database';
import { deployMigrations, migrationStatus } from '../store/migrate';
import { importTerritories } from '../territories/import';
import { SEARCH_KEPT_SQL } from './search-sql';
import { evenlySpaced } from './shapes';

/**
 * The comparison's database on a PostgreSQL server: dropped and recreated, migrated, territories imported,
 * the deterministic demo offer seeded (the project's own functions, as `passerelle migrate deploy`,
 * `territories import` and `seed --structures N` do), the peers' SQL installed, then ANALYZE.
 */

export const SERVICES_PER_STRUCTURE = 3;

export interface BenchDatabaseOptions {
  /** A URL of the server to create the database from (any existing database, e.g. …/postgres). */
  adminUrl: string;
  /** The bench database's name. */
  name: string;
  structures: number;
  /**
   * Keep the database when it already holds that set (same numbers of structures and services) and its
   * migration history is sound; pending migrations are then applied. Otherwise it is recreated.
   */
  reuse: boolean;
  log: (line: string) => void;
}

export interface BenchDatabase {
  url: string;
  structures: number;
  services: number;
  /** Seconds spent seeding (absent when reused). */
  seedSeconds?: number;
  reused: boolean;
}

/**
 * What PostGraphile needs for the search shape: no range filter out of the box (no connection-filter plugin),
 * so Passerelle's `searchServices` semantics (src/store/search-query.ts: on site within the radius, or remote;
 * thématiques and frais; see search-sql.ts) as a set-returning function of a composite type, which PostGraphile
 * exposes as `servicesNear(latitude:, longitude:, radiusM:, thematiques:, frais:)`, a connection with
 * `totalCount` whose nodes are `{ rowId nom distance }` (amber names an `id` attribute `rowId`). Its rows come
 * in Passerelle's order: PostGraphile pages a function's rows in the order it returns them (its cursor is their
 * row number, no ORDER BY of its own), so `first: 20` is Passerelle's first page.
 */
const SEARCH_PEER_SQL = `
DO $do$ BEGIN
  CREATE TYPE service_near AS (id text COLLATE "C", nom text, distance integer);
EXCEPTION WHEN duplicate_object THEN NULL;
END $do$;
CREATE OR REPLACE FUNCTION services_near(latitude float8, longitude float8, radius_m float8, thematiques text[], frais text[])
RETURNS SETOF service_near LANGUAGE sql STABLE AS $$
  WITH ${SEARCH_KEPT_SQL}
  SELECT k.id, k.nom, k.distance FROM k ORDER BY k.distance NULLS LAST, k.id
$$`;

/**
 * What PostGraphile needs for the filtered shape: it has no territory or catégorie filter of its own, so
 * the same criteria as Passerelle's store query (src/store/offer-filter.ts) as a set-returning function,
 * which PostGraphile exposes as `servicesInDepartement(departement:, thematiques:)`, a connection with
 * `totalCount`. STABLE and in SQL, so PostgreSQL can inline it into PostGraphile's statement. Like Passerelle
 * (and the floor), it reads the record's own `departement_code` — its commune's département, kept on the record
 * by a trigger (migration `territory_codes`) — with its (departement_code, id) index.
 */
export const PEER_SQL = `
CREATE OR REPLACE FUNCTION services_in_departement(departement text, thematiques text[]) RETURNS SETOF services
LANGUAGE sql STABLE AS $$
  SELECT s.* FROM services s
  WHERE s.departement_code = $1 AND s.thematiques && $2
  ORDER BY s.id
$$;
${SEARCH_PEER_SQL}`;

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Whether a PostgreSQL server answers at this URL (within 5 s); the reason when it does not. */
export async function postgresReachable(adminUrl: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { ok: true, version: rows[0].v };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message || error.constructor.name : String(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function prepareBenchDatabase(options: BenchDatabaseOptions): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.name)) throw new Error(`database name ${JSON.stringify(options.name)}: use lower-case letters, digits and _`);
  const url = databaseUrl(options.adminUrl, options.name);
  const expected = { structures: options.structures, services: Math.round(options.structures * SERVICES_PER_STRUCTURE) };

  if (options.reuse) {
    const counts = await offerCounts(url);
    const sameSet = counts !== undefined && counts.structures === expected.structures && counts.services === expected.services;
    const problems = sameSet ? await migrateForReuse(url) : [];
    if (sameSet && !problems.length) {
      options.log(`database ${options.name}: reused (${counts.structures} structures, ${counts.services} services)`);
      await withClient(url, async (client) => {
        await client.query(PEER_SQL);
        await client.query('ANALYZE');
      });
      return { url, ...counts, reused: true };
    }
    const why = !counts
      ? 'absent or not a Passerelle store'
      : !sameSet
        ? `holds ${counts.structures} structures, ${counts.services} services`
        : `its migration history has problems (${problems.join('; ')})`;
    options.log(`database ${options.name}: ${why}; recreating it with ${expected.structures} structures`);
  }

  await withClient(options.adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${options.name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${options.name}`);
  });
  const store = await openStore({ databaseUrl: url });
  let seedSeconds: number;
  try {
    await deployMigrations(store);
    await importTerritories(store);
    options.log(`database ${options.name}: seeding ${expected.structures} structures (about 100 s for 60,000)…`);
    const started = performance.now();
    const seeded = await seedOffer(store, { structures: expected.structures, servicesPerStructure: SERVICES_PER_STRUCTURE });
    seedSeconds = (performance.now() - started) / 1000;
    options.log(`database ${options.name}: ${seeded.structures} structures, ${seeded.services} services in ${seedSeconds.toFixed(0)} s`);
  } finally {
    await store.close();
  }
  await withClient(url, async (client) => {
    await client.query(PEER_SQL);
    // After a bulk load the planner has no statistics: nested pages would be sequential scans until then.
    await client.query('ANALYZE');
  });
  return { url, ...expected, seedSeconds, reused: false };
}

/** Every service id in byte order, then BYID_COUNT of them evenly spaced: the byid shape's ids. */
export async function pickServiceIds(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM services ORDER BY id');
    return evenlySpaced(rows.map((r) => r.id));
  });
}

/** Applies pending migrations to a database kept for reuse; returns its history's problems (none: reusable). */
async function migrateForReuse(url: string): Promise<string[]> {
  const store = await openStore({ databaseUrl: url });
  try {
    const status = await migrationStatus(store);
    if (!status.problems.length && status.pending.length) await deployMigrations(store);
    return status.problems;
  } finally {
    await store.close();
  }
}

async function offerCounts(url: string): Promise<{ structures: number; services: number } | undefined> {
  try {
    return await withClient(url, async (client) => {
      const { rows } = await client.query<{ structures: number; services: number }>(
        'SELECT (SELECT count(*) FROM structures)::int AS structures, (SELECT count(*) FROM services)::int AS services',
      );
      return rows[0];
    });
  } catch {
    return undefined;
  }
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
