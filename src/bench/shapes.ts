import { expandThematiques, lookup } from '../domain/nomenclatures';

/**
 * The query shapes the harness measures, each as every server asks it: Passerelle's GraphQL,
 * PostGraphile's nearest equivalent (amber naming), and the floor's operation name with its variables.
 * One descriptor per shape, so adding a shape means adding one entry here (and its SQL in peers/floor-sql.ts).
 */

export const SERVER_NAMES = ['passerelle', 'postgraphile', 'floor'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export const SHAPE_NAMES = ['deep', 'filtered', 'byid', 'search'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** What the floor gets: it routes on `operationName` and reads its parameters from `variables`. */
export interface FloorRequest {
  operationName: ShapeName;
  variables: Record<string, unknown>;
}

export interface Shape {
  name: ShapeName;
  /** One line saying what it asks. */
  description: string;
  /** The POST body each server gets, identical for every request of a run. */
  bodies: Record<ServerName, string>;
  /** A server's `data` in Passerelle's field names and values (identity for Passerelle and the floor). */
  normalise: Record<ServerName, (data: unknown) => unknown>;
}

/** The filtered shape's criteria: département 59 and the catégorie `mobilite` (all its thématiques). */
export const FILTER_DEPARTEMENT = '59';
export const FILTER_CATEGORIE = 'mobilite';
export const BYID_COUNT = 50;

/**
 * The search shape's request: 10 km around a point in Paris (Hôtel de Ville), the catégorie `numerique` (all
 * its thématiques) and frais `gratuit`, a first page of 20 with totalCount.
 */
export const SEARCH_POINT = { latitude: 48.8566, longitude: 2.3522 } as const;
export const SEARCH_DISTANCE_KM = 10;
export const SEARCH_CATEGORIE = 'numerique';
export const SEARCH_FRAIS = 'gratuit';
export const SEARCH_FIRST = 20;

export interface ShapeInputs {
  /** The services the byid shape asks for (BYID_COUNT existing ids). */
  byidIds: readonly string[];
}

export function buildShapes(inputs: ShapeInputs): Record<ShapeName, Shape> {
  const thematiques = expandThematiques([FILTER_CATEGORIE]);
  const aliases = (field: (id: string) => string) => inputs.byidIds.map((id, i) => `s${i}: ${field(JSON.stringify(id))}`).join(' ');
  const shapes: Shape[] = [
    {
      name: 'deep',
      description: 'services(first: 100) with each one’s structure and its first 5 services',
      bodies: {
        passerelle: graphqlBody('{ services(first: 100) { nodes { id nom structure { id nom services(first: 5) { nodes { nom } } } } } }'),
        postgraphile: graphqlBody(
          '{ allServices(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { rowId nom structureByStructureId { rowId nom ' +
            'servicesByStructureId(first: 5, orderBy: PRIMARY_KEY_ASC) { nodes { nom } } } } } }',
        ),
        floor: floorBody({ operationName: 'deep', variables: { first: 100, nested: 5 } }),
      },
      normalise: { passerelle: same, floor: same, postgraphile: fromPostgraphile },
    },
    {
      name: 'filtered',
      description: `services(first: 50) of département ${FILTER_DEPARTEMENT} in catégorie ${FILTER_CATEGORIE}, with totalCount, thématique labels and structure`,
      bodies: {
        passerelle: graphqlBody(
          `{ services(first: 50, filter: { codeDepartement: "${FILTER_DEPARTEMENT}", thematiques: ["${FILTER_CATEGORIE}"] }) ` +
            '{ totalCount nodes { id nom thematiques { label } structure { nom } } } }',
        ),
        // No filter of that kind out of the box: a SQL function (see bench-database.ts) exposed as a connection.
        // It gets the catégorie already expanded into its thématiques, as Passerelle's graph layer expands it.
        postgraphile: graphqlBody(
          `{ servicesInDepartement(departement: "${FILTER_DEPARTEMENT}", thematiques: ${JSON.stringify(thematiques)}, first: 50) ` +
            '{ totalCount nodes { rowId nom thematiques structureByStructureId { nom } } } }',
        ),
        floor: floorBody({ operationName: 'filtered', variables: { departement: FILTER_DEPARTEMENT, thematiques, first: 50 } }),
      },
      normalise: { passerelle: same, floor: same, postgraphile: fromPostgraphile },
    },
    {
      name: 'byid',
      description: `${inputs.byidIds.length} services by id in one request (aliases s0…s${inputs.byidIds.length - 1}), each with its structure’s name`,
      bodies: {
        passerelle: graphqlBody(`{ ${aliases((id) => `service(id: ${id}) { id nom structure { nom } }`)} }`),
        postgraphile: graphqlBody(`{ ${aliases((id) => `serviceByRowId(rowId: ${id}) { rowId nom structureByStructureId { nom } }`)} }`),
        floor: floorBody({ operationName: 'byid', variables: { ids: inputs.byidIds } }),
      },
      normalise: { passerelle: same, floor: same, postgraphile: fromPostgraphile },
    },
    searchShape(),
  ];
  return Object.fromEntries(shapes.map((s) => [s.name, s])) as Record<ShapeName, Shape>;
}

/**
 * `searchServices` near a point with two filters. PostGraphile has no range filter of its own: a SQL function
 * (`services_near`, bench-database.ts) with the same semantics, exposed as a connection whose nodes carry the
 * distance; it gets the radius in metres and the catégorie expanded, as Passerelle's graph layer computes them.
 */
function searchShape(): Shape {
  const thematiques = expandThematiques([SEARCH_CATEGORIE]);
  const { latitude, longitude } = SEARCH_POINT;
  const radiusMetres = SEARCH_DISTANCE_KM * 1000;
  return {
    name: 'search',
    description:
      `searchServices(first: ${SEARCH_FIRST}) within ${SEARCH_DISTANCE_KM} km of (${latitude}, ${longitude}) or remote, catégorie ${SEARCH_CATEGORIE}, ` +
      `frais ${SEARCH_FRAIS}, with totalCount and each one’s distance`,
    bodies: {
      passerelle: graphqlBody(
        `{ searchServices(near: { latitude: ${latitude}, longitude: ${longitude} }, distanceKm: ${SEARCH_DISTANCE_KM}, ` +
          `filter: { thematiques: ["${SEARCH_CATEGORIE}"], frais: ["${SEARCH_FRAIS}"] }, first: ${SEARCH_FIRST}) ` +
          '{ totalCount edges { distance node { id nom } } } }',
      ),
      postgraphile: graphqlBody(
        `{ servicesNear(latitude: ${latitude}, longitude: ${longitude}, radiusM: ${radiusMetres}, thematiques: ${JSON.stringify(thematiques)}, ` +
          `frais: ["${SEARCH_FRAIS}"], first: ${SEARCH_FIRST}) { totalCount nodes { rowId nom distance } } }`,
      ),
      floor: floorBody({ operationName: 'search', variables: { latitude, longitude, radiusMetres, thematiques, frais: [SEARCH_FRAIS], first: SEARCH_FIRST } }),
    },
    normalise: { passerelle: same, floor: same, postgraphile: searchFromPostgraphile },
  };
}

/**
 * PostGraphile's `servicesNear` (nodes `{ rowId nom distance }`: amber names a composite type's `id` attribute
 * `rowId`, as a table's) as Passerelle's `searchServices` (edges `{ distance node { id nom } }`).
 */
export function searchFromPostgraphile(data: unknown): unknown {
  const { servicesNear } = data as { servicesNear?: { totalCount: number; nodes: { rowId: string; nom: string; distance: number | null }[] } | null };
  if (!servicesNear) return data;
  return {
    searchServices: {
      totalCount: servicesNear.totalCount,
      edges: servicesNear.nodes.map((n) => ({ distance: n.distance, node: { id: n.rowId, nom: n.nom } })),
    },
  };
}

function graphqlBody(query: string): string {
  return JSON.stringify({ query });
}

function floorBody(request: FloorRequest): string {
  return JSON.stringify(request);
}

const same = (data: unknown): unknown => data;

/** PostGraphile's (amber) field names → Passerelle's. */
const POSTGRAPHILE_NAMES: Record<string, string> = {
  rowId: 'id',
  structureByStructureId: 'structure',
  servicesByStructureId: 'services',
  allServices: 'services',
  servicesInDepartement: 'services',
};

/**
 * PostGraphile's answer in Passerelle's names. Its `thematiques` are the raw stored values (a `[String]`
 * column); Passerelle resolves them to nomenclature items: they are mapped to `{ label }` here, the one
 * stated difference between the two answers.
 */
export function fromPostgraphile(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(fromPostgraphile);
  if (data === null || typeof data !== 'object') return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      if (key === 'thematiques' && Array.isArray(value)) {
        return [key, value.map((v) => ({ label: typeof v === 'string' ? (lookup('thematiques', v)?.label ?? v) : v }))];
      }
      return [POSTGRAPHILE_NAMES[key] ?? key, fromPostgraphile(value)];
    }),
  );
}

/** `count` values spread evenly over ids sorted in byte order (deterministic for a given data set). */
export function evenlySpaced(sortedIds: readonly string[], count: number = BYID_COUNT): string[] {
  if (sortedIds.length <= count) return [...sortedIds];
  const step = sortedIds.length / count;
  return Array.from({ length: count }, (_, i) => sortedIds[Math.floor(i * step)]);
}
