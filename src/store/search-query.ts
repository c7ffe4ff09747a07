import { Prisma } from '../generated/prisma/client';
import type { ServiceModel } from '../domain/models';
import type { Reader } from './offer-query';
import { toPage } from './offer-query';
import { whereClause, type OfferFilter, type Page } from './offer-filter';
import { textRank } from './full-text';
import { OFFER_VERSION_SQL, VersionedCache } from './offer-version';
import { from, hydrate, projection, type RowShape } from './row-shape';

/**
 * "What can a person living here use": data·inclusion's `/search/services`
 * (data-inclusion:api/src/data_inclusion/api/inclusion_data/services.py), as one statement per page.
 * - Eligibility: `zone_eligibilite` empty, or overlapping the person's zones (`searchOrigin`).
 * - Place: within the radius of the point (great-circle distance, haversine in plain SQL: the same on
 *   PostgreSQL and PGlite, no extension), or remote (`modes_accueil` ∋ `a-distance`).
 * - Order: distance in whole metres, then id; services kept only as remote (no distance) after, by id. With
 *   `filter.q`, the French full-text rank first (best first).
 * - `excludeDuplicates`: the best service of each cluster among the services the search keeps.
 * Two branches, each served by an index: on-site services read a bounding box of the circle on the
 * (latitude, longitude) btree (migration `search_indexes`), then the exact distance; remote ones read the
 * GIN index of `modes_accueil`. Every criterion of the filter applies through `whereClause`, source
 * licences included.
 */

/** Mean Earth radius (IUGG), metres. Paris–Lyon comes out at ≈ 392 km. */
export const EARTH_RADIUS_M = 6_371_008.8;

/** The point searched from and, when the person's commune is known, the zones that make a service eligible. */
export interface SearchOrigin {
  latitude: number;
  longitude: number;
  /** Codes a `zone_eligibilite` must hold one of (or be empty); undefined: no eligibility criterion. */
  zones?: string[];
}

export interface SearchRequest {
  origin: SearchOrigin;
  radiusMetres: number;
  filter: OfferFilter;
  first: number;
  /** The (distance, id) after which the page starts; distance null: among the remote services. */
  after?: SearchKey;
}

export interface SearchKey {
  /** With `filter.q`: the relevance, as `SearchHit.rank`. */
  rank?: number;
  distance: number | null;
  id: string;
}

export interface SearchHit {
  service: ServiceModel;
  /** Metres, rounded; null for a service kept because it is remote. */
  distance: number | null;
  /** With `filter.q`: its relevance (`ts_rank` × 10⁶, rounded), the first sort key, higher first. */
  rank?: number;
}

/**
 * Where a person living in this commune searches from, or undefined when the code is no commune. Its centre
 * (an arrondissement's or commune déléguée's own, else its parent's); its zones, as the reference: the
 * commune and the commune it belongs to (parent), its EPCI's SIREN, its département, every département of
 * its région, `france` and the COG code of France (`99100`).
 */
export async function searchOrigin(db: Reader, codeCommune: string): Promise<SearchOrigin | null | undefined> {
  const [row] = await db.query<{ latitude: number | null; longitude: number | null; zones: string[] }>(Prisma.sql`
    SELECT
      CASE WHEN c.latitude IS NOT NULL AND c.longitude IS NOT NULL THEN c.latitude ELSE p.latitude END AS latitude,
      CASE WHEN c.latitude IS NOT NULL AND c.longitude IS NOT NULL THEN c.longitude ELSE p.longitude END AS longitude,
      array_remove(ARRAY[c.code, p.code, coalesce(p.epci_code, c.epci_code), 'france', '99100']::text[], NULL)
        || ARRAY(SELECT d.code::text FROM departements d WHERE d.region_code = coalesce(p.region_code, c.region_code)
                 OR d.code = coalesce(p.departement_code, c.departement_code) ORDER BY d.code) AS zones
    FROM communes c LEFT JOIN communes p ON p.code = c.parent_code
    WHERE c.code = ${codeCommune}`);
  if (!row) return undefined;
  if (row.latitude === null || row.longitude === null) return null;
  return { latitude: row.latitude, longitude: row.longitude, zones: row.zones };
}

/**
 * One page of hits, in order, and the number of services kept when `withCount` (one statement either way).
 * The services kept (on site, then remote; each read once through its index and materialised: the planner's
 * guess that walking the id index finds a page of remote services soon is wrong when a filter is selective)
 * become `k`, one row per service with its sort key (rank, distance, id); with `excludeDuplicates`, only
 * the best of each duplicate cluster *among the services this search keeps* (a cluster's best service may lie
 * out of range: its nearest duplicate then stands for it). The page is `k`'s first rows after the cursor.
 */
export async function searchPage(db: Reader, request: SearchRequest, shape: RowShape, withCount = false): Promise<Page<SearchHit> & { total?: number }> {
  if (request.filter.q === undefined && !request.filter.excludeDuplicates) return distancePage(db, request, shape, withCount);
  const limit = request.first + 1;
  const { after } = request;
  const afterKey =
    after === undefined
      ? Prisma.sql`TRUE`
      : Prisma.sql`(-k.r, coalesce(k.d, ${REMOTE_DISTANCE}::int), k.id) > (${-(after.rank ?? 0)}::int, ${after.distance ?? REMOTE_DISTANCE}::int, ${after.id})`;
  const [row] = await db.query<{ rows: Record<string, unknown>[]; total?: number }>(Prisma.sql`
    WITH ${kept(request)},
    o AS (SELECT k.id, k.d, k.r FROM k WHERE ${afterKey} ORDER BY k.r DESC, k.d NULLS LAST, k.id LIMIT ${limit})
    ${pageRows(shape, Prisma.sql`o.r`)}
    ${withCount ? Prisma.sql`, (SELECT count(*) FROM k)::int AS total` : Prisma.empty}`);
  const page = toPage(hitsOf(row.rows, shape, request.filter.q !== undefined), request.first);
  return withCount ? { ...page, total: row.total } : page;
}

/** The page's services (`o`: id, distance d) as JSON rows in order, each with its "@distance" and "@rank". */
function pageRows(shape: RowShape, rank: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT coalesce((SELECT json_agg(r ORDER BY r."@rank" DESC, r."@distance" NULLS LAST, r."id") FROM (
      SELECT ${projection('service', 'x', shape)}, o.d AS "@distance", ${rank} AS "@rank" FROM o JOIN ${from('service', 'x')} ON x.id = o.id
    ) r), '[]'::json) AS rows`;
}

function hitsOf(rows: Record<string, unknown>[], shape: RowShape, ranked: boolean): SearchHit[] {
  return rows.map((r) => {
    const distance = r['@distance'] as number | null;
    const rank = r['@rank'] as number;
    delete r['@distance'];
    delete r['@rank'];
    return { service: hydrate<ServiceModel>(r, 'service', shape), distance, ...(ranked ? { rank } : {}) };
  });
}

/** Remote services matching a filter (and zones), per statement and store: their number while the offer is unchanged. */
const remoteCounts = new VersionedCache<number>(1000);

/**
 * A page in distance order (no `q`, no `excludeDuplicates`), built so that a page reads only what it shows:
 * - the on-site services in range (`s`, the bounding box's index) give the page's first rows;
 * - remote services are read only when the on-site ones after the cursor do not fill the page (a one-time
 *   filter: PostgreSQL skips the branch otherwise);
 * - the count is |on site| + |remote services matching the filter| − |on-site services that are remote too|.
 *   The middle term does not depend on the place: it is kept per filter under the offer's version
 *   (src/store/offer-version.ts), computed in the same statement as that version, and recomputed only once
 *   the offer has changed. On the national set this is most of a city search's cost (a city's remote offer
 *   is the whole country's).
 */
async function distancePage(db: Reader, request: SearchRequest, shape: RowShape, withCount: boolean): Promise<Page<SearchHit> & { total?: number }> {
  const limit = request.first + 1;
  const { after } = request;
  const onSiteAfter =
    after === undefined
      ? Prisma.sql`TRUE`
      : after.distance === null
        ? Prisma.sql`FALSE`
        : Prisma.sql`(s.d > ${after.distance}::int OR (s.d = ${after.distance}::int AND s.id > ${after.id}))`;
  const remoteAfter = after === undefined || after.distance !== null ? Prisma.sql`TRUE` : Prisma.sql`rm.id > ${after.id}`;
  const all = remoteAll(request);
  const key = JSON.stringify([all.sql, all.values]);
  const cached = withCount ? remoteCounts.get(db, key) : undefined;
  const [row] = await db.query<{ rows: Record<string, unknown>[]; on_site?: number; hybrid?: number; version?: string; remote_all?: number | null }>(Prisma.sql`
    WITH s AS MATERIALIZED (SELECT x.id, g.d, x.modes_accueil @> ARRAY['a-distance']::text[] AS h FROM ${onSite(request)}),
    p AS (SELECT s.id, s.d FROM s WHERE ${onSiteAfter} ORDER BY s.d, s.id LIMIT ${limit}),
    rm AS MATERIALIZED (SELECT x.id FROM ${remote(request)}),
    o AS (SELECT u.id, u.d FROM (
        SELECT p.id, p.d FROM p
        UNION ALL
        (SELECT rm.id, NULL::int AS d FROM rm WHERE ${remoteAfter} AND (SELECT count(*) FROM p) < ${limit} ORDER BY rm.id LIMIT ${limit})
      ) u ORDER BY u.d NULLS LAST, u.id LIMIT ${limit})
    ${pageRows(shape, Prisma.sql`0`)}
    ${
      withCount
        ? Prisma.sql`, (SELECT count(*) FROM s)::int AS on_site, (SELECT count(*) FROM s WHERE s.h)::int AS hybrid,
          ${OFFER_VERSION_SQL}::text AS version,
          CASE WHEN ${OFFER_VERSION_SQL}::text = ${cached?.version ?? ''} THEN NULL
               ELSE (SELECT count(*) FROM ${all})::int END AS remote_all`
        : Prisma.empty
    }`);
  const page = toPage(hitsOf(row.rows, shape, false), request.first);
  if (!withCount) return page;
  let remoteTotal: number;
  if (row.remote_all === null || row.remote_all === undefined) {
    remoteTotal = cached!.value;
  } else {
    remoteTotal = row.remote_all;
    remoteCounts.set(db, key, { version: row.version!, value: remoteTotal });
  }
  return { ...page, total: row.on_site! + remoteTotal - row.hybrid! };
}

/** How many services the search keeps, across all pages. */
export async function searchCount(db: Reader, request: Omit<SearchRequest, 'first' | 'after'>): Promise<number> {
  const [row] = await db.query<{ n: number }>(Prisma.sql`WITH ${kept(request)} SELECT count(*)::int AS n FROM k`);
  return row.n;
}

/** The sort key of a remote service's missing distance: after every on-site one (distances stay under 1,000 km). */
const REMOTE_DISTANCE = 2_147_483_647;

/**
 * The CTEs `c` (every service kept, on site or remote, with `d` its distance and `r` its rank) and `k` (the
 * rows of the result: `c`, or with `excludeDuplicates` the first of each cluster in `c` by score, date_maj,
 * id — the order of `services(filter: { excludeDuplicates })`).
 */
function kept(request: Search): Prisma.Sql {
  const { excludeDuplicates, ...filter } = request.filter;
  const search = { ...request, filter };
  const rank = filter.q === undefined ? Prisma.sql`0` : Prisma.sql`round(${textRank('x', filter.q)} * ${RANK_SCALE}::float8)::int`;
  const extra = excludeDuplicates ? Prisma.sql`, x.cluster_id, x.score_qualite, x.date_maj` : Prisma.empty;
  const c = Prisma.sql`c AS MATERIALIZED (
      SELECT x.id, g.d, ${rank} AS r ${extra} FROM ${onSite(search)}
      UNION ALL
      SELECT x.id, NULL::int AS d, ${rank} AS r ${extra} FROM ${remote(search)})`;
  if (!excludeDuplicates) return Prisma.sql`${c}, k AS (SELECT c.id, c.d, c.r FROM c)`;
  return Prisma.sql`${c}, k AS (SELECT z.id, z.d, z.r FROM (
      SELECT c.id, c.d, c.r, row_number() OVER (PARTITION BY coalesce(c.cluster_id, c.id)
        ORDER BY coalesce(c.score_qualite, -1) DESC, c.date_maj DESC NULLS LAST, c.id) AS n FROM c) z WHERE z.n = 1)`;
}

/** `ts_rank` (a float under 1 for most documents) kept as a whole number for the keyset: 6 decimals. */
const RANK_SCALE = 1_000_000;

type Search = Pick<SearchRequest, 'origin' | 'radiusMetres' | 'filter'>;

/** The great-circle distance in metres from the origin to the service `x` (haversine; null without coordinates). */
function distance(origin: SearchOrigin): Prisma.Sql {
  const lat = Prisma.sql`${origin.latitude}::float8`;
  const lon = Prisma.sql`${origin.longitude}::float8`;
  return Prisma.sql`(2 * ${EARTH_RADIUS_M}::float8 * asin(least(1::float8, sqrt(
      power(sin(radians(x.latitude - ${lat}) / 2), 2)
      + cos(radians(${lat})) * cos(radians(x.latitude)) * power(sin(radians(x.longitude - ${lon}) / 2), 2)))))`;
}

/** The service `x` lies in the circle's bounding box: what the (latitude, longitude) index serves. */
function inBox(search: Search): Prisma.Sql {
  const box = boundingBox(search.origin.latitude, search.origin.longitude, search.radiusMetres);
  const lonRange = box.longitude
    ? Prisma.sql`x.longitude BETWEEN ${box.longitude[0]}::float8 AND ${box.longitude[1]}::float8`
    : Prisma.sql`x.longitude IS NOT NULL`;
  return Prisma.sql`(x.latitude BETWEEN ${box.latitude[0]}::float8 AND ${box.latitude[1]}::float8 AND ${lonRange})`;
}

/**
 * `services x` with its distance `g.m` (metres) and `g.d` (whole metres), kept on site: coordinates in the
 * circle's bounding box (the index), then in the circle, and not remote only (`a-distance` without
 * `en-presentiel`: the reference gives such services no distance).
 */
function onSite(search: Search): Prisma.Sql {
  return Prisma.sql`${from('service', 'x')} CROSS JOIN LATERAL (SELECT m, round(m)::int AS d FROM (SELECT ${distance(search.origin)} AS m) h) g
    WHERE ${inBox(search)} AND g.m <= ${search.radiusMetres}::float8 AND NOT ${remoteOnly()}
    AND ${criteria(search)}`;
}

/** `services x` kept because remote, and not already kept on site. */
function remote(search: Search): Prisma.Sql {
  return Prisma.sql`${remoteAll(search)}
    AND NOT coalesce(${inBox(search)} AND ${distance(search.origin)} <= ${search.radiusMetres}::float8 AND NOT ${remoteOnly()}, FALSE)`;
}

/** `services x` that are remote and match the filter and zones, wherever they are (what does not depend on the place). */
function remoteAll(search: Search): Prisma.Sql {
  return Prisma.sql`${from('service', 'x')} WHERE x.modes_accueil @> ARRAY['a-distance']::text[] AND ${criteria(search)}`;
}

function remoteOnly(): Prisma.Sql {
  return Prisma.sql`(x.modes_accueil @> ARRAY['a-distance']::text[] AND NOT x.modes_accueil @> ARRAY['en-presentiel']::text[])`;
}

/** The filter's criteria (and source licences), and eligibility. */
function criteria(search: Search): Prisma.Sql {
  const conditions = [whereClause('service', search.filter, undefined, 'x')];
  const zones = search.origin.zones;
  // Both forms are served by the GIN index of zone_eligibilite; the writer stores an absent zone as `{}`, never null.
  if (zones) conditions.push(Prisma.sql`(x.zone_eligibilite && ${zones}::text[] OR x.zone_eligibilite <@ '{}'::text[])`);
  return Prisma.join(conditions, ' AND ');
}

/**
 * The latitude and longitude ranges that hold every point within `radius` metres of the centre (the
 * great-circle bounding box, slightly widened against rounding); no longitude range near a pole or across
 * the antimeridian.
 */
export function boundingBox(latitude: number, longitude: number, radius: number): { latitude: [number, number]; longitude?: [number, number] } {
  const angle = radius / EARTH_RADIUS_M;
  const dLat = (angle * 180) / Math.PI;
  const margin = 1e-6;
  const lat: [number, number] = [latitude - dLat - margin, latitude + dLat + margin];
  if (Math.abs(latitude) + dLat >= 89) return { latitude: lat };
  const dLon = (Math.asin(Math.min(1, Math.sin(angle) / Math.cos((latitude * Math.PI) / 180))) * 180) / Math.PI;
  const lon: [number, number] = [longitude - dLon - margin, longitude + dLon + margin];
  if (lon[0] < -180 || lon[1] > 180) return { latitude: lat };
  return { latitude: lat, longitude: lon };
}
