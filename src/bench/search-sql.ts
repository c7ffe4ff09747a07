import { EARTH_RADIUS_M } from '../store/search-query';

/**
 * The search shape's SQL, shared by PostGraphile's function (bench-database.ts `PEER_SQL`) and the floor's
 * statement (peers/floor-sql.ts): Passerelle's `searchServices` semantics (src/store/search-query.ts,
 * `distancePage`, `onSite`, `remote`, `distance`, `inBox`, `remoteOnly`) in plain SQL, with the request's
 * values as parameters `$1` latitude, `$2` longitude, `$3` radius in metres, `$4` thématiques (already
 * expanded), `$5` frais, each cast where it is read (the floor prepares the statement: nothing else types them).
 */

const LAT = '$1::float8';
const LON = '$2::float8';
const RADIUS = '$3::float8';
const THEMATIQUES = '$4::text[]';
const FRAIS = '$5::text[]';

/**
 * The circle's bounding box in SQL, from `$1` latitude, `$2` longitude and `$3` radius (metres), as the columns
 * lat_min, lat_max, lon_min, lon_max: the same box as Passerelle's `boundingBox` (src/store/search-query.ts),
 * widened by 1e-6°; no longitude range (±infinity, which still excludes a null longitude) near a pole or across
 * the antimeridian. Shared by PostGraphile's `services_near` and the floor's statement.
 */
export const SEARCH_BOX_SQL = `
  SELECT ${LAT} - degrees(${RADIUS} / ${EARTH_RADIUS_M}::float8) - 1e-6::float8 AS lat_min,
         ${LAT} + degrees(${RADIUS} / ${EARTH_RADIUS_M}::float8) + 1e-6::float8 AS lat_max,
         CASE WHEN z.wide THEN '-infinity'::float8 ELSE ${LON} - z.dlon - 1e-6::float8 END AS lon_min,
         CASE WHEN z.wide THEN 'infinity'::float8 ELSE ${LON} + z.dlon + 1e-6::float8 END AS lon_max
  FROM (SELECT y.dlon, abs(${LAT}) + y.dlat >= 89 OR ${LON} - y.dlon - 1e-6::float8 < -180 OR ${LON} + y.dlon + 1e-6::float8 > 180 AS wide
        FROM (SELECT degrees(${RADIUS} / ${EARTH_RADIUS_M}::float8) AS dlat,
                     CASE WHEN abs(${LAT}) + degrees(${RADIUS} / ${EARTH_RADIUS_M}::float8) >= 89 THEN 0::float8
                          ELSE degrees(asin(least(1::float8, sin(${RADIUS} / ${EARTH_RADIUS_M}::float8) / cos(radians(${LAT}))))) END AS dlon) y) z`;

/**
 * The great-circle distance in metres from (`$1`, `$2`) to the service `s`: Passerelle's haversine
 * (search-query.ts `distance`), term for term, so that both round to the same whole metres.
 */
export const SEARCH_DISTANCE_SQL = `(2 * ${EARTH_RADIUS_M}::float8 * asin(least(1::float8, sqrt(
      power(sin(radians(s.latitude - ${LAT}) / 2), 2)
      + cos(radians(${LAT})) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ${LON}) / 2), 2)))))`;

/** The service `s` is remote only (`a-distance` without `en-presentiel`): never kept on site (search-query.ts `remoteOnly`). */
const REMOTE_ONLY_SQL = `(s.modes_accueil @> ARRAY['a-distance']::text[] AND NOT s.modes_accueil @> ARRAY['en-presentiel']::text[])`;

/**
 * The search shape's services, with `$4` thématiques (overlap) and `$5` frais (any of), as rows (id, nom,
 * distance), unordered: the CTEs `b` (the box), `s_on` (on site: in the box, then in the circle, and not remote only),
 * `s_remote` (remote, and not already kept on site) and `k` (both). Order them by distance NULLS LAST, id (id is
 * COLLATE "C": byte order, as Passerelle's). Shared by PostGraphile's `services_near` and the floor (which adds
 * the count and the page).
 */
export const SEARCH_KEPT_SQL = `
  b AS (${SEARCH_BOX_SQL}),
  s_on AS MATERIALIZED (
    SELECT s.id, s.nom, round(g.m)::int AS distance
    FROM b, services s CROSS JOIN LATERAL (SELECT ${SEARCH_DISTANCE_SQL} AS m) g
    WHERE s.latitude BETWEEN b.lat_min AND b.lat_max AND s.longitude BETWEEN b.lon_min AND b.lon_max
      AND g.m <= ${RADIUS} AND NOT ${REMOTE_ONLY_SQL}
      AND s.thematiques && ${THEMATIQUES} AND s.frais = ANY(${FRAIS})),
  s_remote AS MATERIALIZED (
    SELECT s.id, s.nom, NULL::int AS distance
    FROM b, services s
    WHERE s.modes_accueil @> ARRAY['a-distance']::text[] AND s.thematiques && ${THEMATIQUES} AND s.frais = ANY(${FRAIS})
      AND NOT coalesce(s.latitude BETWEEN b.lat_min AND b.lat_max AND s.longitude BETWEEN b.lon_min AND b.lon_max
        AND ${SEARCH_DISTANCE_SQL} <= ${RADIUS} AND NOT ${REMOTE_ONLY_SQL}, FALSE)),
  k AS (SELECT id, nom, distance FROM s_on UNION ALL SELECT id, nom, distance FROM s_remote)`;
