import { NOMENCLATURES } from '../../domain/nomenclatures';
import { SEARCH_KEPT_SQL } from '../search-sql';
import type { ShapeName } from '../shapes';

/**
 * The floor's SQL: for each shape, one statement that builds the whole response (`{"data":{…}}`, as text)
 * inside PostgreSQL with json_build_object / json_agg. Same semantics as Passerelle: pages ordered by id
 * (ids are COLLATE "C"), nested services by id; a département is the one of the record's commune, which
 * the record keeps in `departement_code` (a trigger, migration `territory_codes`), as Passerelle reads it.
 * The search shape: Passerelle's `searchServices` semantics (search-sql.ts), its distance order, count and page.
 */

export interface FloorStatement {
  /** A prepared statement's name: parsed and planned once per connection. */
  name: string;
  text: string;
  /** The statement's parameters from the request's variables. */
  values(variables: Record<string, unknown>): unknown[];
}

/** Thématique labels from the nomenclature, as a jsonb constant of the statement (a value unknown keeps itself). */
const THEMATIQUE_LABELS = `'${JSON.stringify(Object.fromEntries(NOMENCLATURES.thematiques.map((t) => [t.value, t.label]))).replace(/'/g, "''")}'::jsonb`;

export const FLOOR_SQL: Record<ShapeName, FloorStatement> = {
  deep: {
    name: 'floor_deep',
    text: `
      SELECT json_build_object('data', json_build_object('services', json_build_object('nodes', coalesce(json_agg(
        json_build_object('id', s.id, 'nom', s.nom, 'structure', json_build_object('id', st.id, 'nom', st.nom,
          'services', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object('nom', n.nom) ORDER BY n.id), '[]'::json)
            FROM (SELECT n.id, n.nom FROM services n WHERE n.structure_id = st.id ORDER BY n.id LIMIT $2) n))))
        ORDER BY s.id), '[]'::json))))::text AS body
      FROM (SELECT id, nom, structure_id FROM services ORDER BY id LIMIT $1) s
      JOIN structures st ON st.id = s.structure_id`,
    values: (v) => [v.first, v.nested],
  },
  filtered: {
    name: 'floor_filtered',
    text: `
      WITH matching AS (
        SELECT s.id, s.nom, s.thematiques, s.structure_id FROM services s
        WHERE s.departement_code = $1 AND s.thematiques && $2::text[]
      ), page AS (SELECT * FROM matching ORDER BY id LIMIT $3)
      SELECT json_build_object('data', json_build_object('services', json_build_object(
        'totalCount', (SELECT count(*) FROM matching),
        'nodes', (
          SELECT coalesce(json_agg(json_build_object('id', p.id, 'nom', p.nom,
            'thematiques', (
              SELECT coalesce(json_agg(json_build_object('label', coalesce(${THEMATIQUE_LABELS} ->> t.v, t.v)) ORDER BY t.ord), '[]'::json)
              FROM unnest(p.thematiques) WITH ORDINALITY AS t(v, ord)),
            'structure', json_build_object('nom', st.nom)) ORDER BY p.id), '[]'::json)
          FROM page p JOIN structures st ON st.id = p.structure_id))))::text AS body`,
    values: (v) => [v.departement, v.thematiques, v.first],
  },
  byid: {
    name: 'floor_byid',
    text: `
      SELECT json_build_object('data', json_object_agg('s' || (k.ord - 1),
        CASE WHEN s.id IS NULL THEN NULL
             ELSE json_build_object('id', s.id, 'nom', s.nom, 'structure', json_build_object('nom', st.nom)) END
        ORDER BY k.ord))::text AS body
      FROM unnest($1::text[]) WITH ORDINALITY AS k(id, ord)
      LEFT JOIN services s ON s.id = k.id
      LEFT JOIN structures st ON st.id = s.structure_id`,
    values: (v) => [v.ids],
  },
  // On-site services from the (latitude, longitude) index's box, remote ones from the GIN index of modes_accueil,
  // each read once (materialised): the count is over both, the page their first rows in order.
  search: {
    name: 'floor_search',
    text: `
      WITH ${SEARCH_KEPT_SQL},
      page AS (SELECT k.id, k.nom, k.distance FROM k ORDER BY k.distance NULLS LAST, k.id LIMIT $6)
      SELECT json_build_object('data', json_build_object('searchServices', json_build_object(
        'totalCount', (SELECT count(*) FROM k),
        'edges', (
          SELECT coalesce(json_agg(json_build_object('distance', p.distance, 'node', json_build_object('id', p.id, 'nom', p.nom))
            ORDER BY p.distance NULLS LAST, p.id), '[]'::json)
          FROM page p))))::text AS body`,
    values: (v) => [v.latitude, v.longitude, v.radiusMetres, v.thematiques, v.frais, v.first],
  },
};
