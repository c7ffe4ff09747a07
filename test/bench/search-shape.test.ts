import { Client } from 'pg';
import { PEER_SQL } from '../../src/bench/bench-database';
import { FLOOR_SQL } from '../../src/bench/peers/floor-sql';
import { checkSameData, dataOf } from '../../src/bench/same-data';
import { buildShapes, SEARCH_FIRST, SEARCH_POINT, searchFromPostgraphile } from '../../src/bench/shapes';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import { syncSources, writeOffer } from '../../src/store/write';
import { createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';

/**
 * The search shape on a small database built to hit every rule of Passerelle's `searchServices`: the three
 * requests of the bench (Passerelle's GraphQL, the floor's statement, PostGraphile's `services_near` read as
 * PostGraphile reads a function connection: its count, and its first rows in the order it returns them) must
 * give the same data. PostGraphile itself answering through that function is covered by harness.test.ts.
 */

const NOW = new Date('2026-11-01T12:00:00Z');
const structure = { id: 'dora--bench-search', source: 'dora', nom: 'Structure', date_maj: '2026-10-01' } as StructureRecord;
const NUMERIQUE = 'numerique--acceder-a-une-connexion-internet';

function service(id: string, extra: Partial<ServiceRecord>): ServiceRecord {
  return {
    id: `dora--${id}`,
    source: 'dora',
    structure_id: structure.id,
    nom: `Service ${id}`,
    description: 'Un service pour comparer la recherche de Passerelle à ses pairs du banc d’essai.',
    date_maj: '2026-10-01',
    thematiques: [NUMERIQUE],
    frais: 'gratuit',
    modes_accueil: ['en-presentiel'],
    ...extra,
  } as ServiceRecord;
}

/** Kept or not, by rule; more kept services than one page, so the page and the count differ. */
const services: ServiceRecord[] = [
  // On site within 10 km, spread out: ids chosen so that byte order differs from a locale's (upper case first).
  ...Array.from({ length: 24 }, (_, i) =>
    service(`${i % 2 ? 'B' : 'a'}-on-${String(i).padStart(2, '0')}`, { latitude: SEARCH_POINT.latitude + i * 0.003, longitude: SEARCH_POINT.longitude + i * 0.002 }),
  ),
  // A tie on distance (same place), broken by id in byte order (a locale's order would put tie-a first).
  service('tie-a', { latitude: 48.86, longitude: 2.35 }),
  service('Tie-b', { latitude: 48.86, longitude: 2.35 }),
  // Hybrid within range: on site, with a distance.
  service('hybrid-near', { modes_accueil: ['en-presentiel', 'a-distance'], latitude: 48.857, longitude: 2.353 }),
  // Remote only within range: kept as remote, no distance.
  service('remote-only-near', { modes_accueil: ['a-distance'], latitude: 48.857, longitude: 2.352 }),
  // Remote, wherever, or nowhere.
  service('remote-lyon', { modes_accueil: ['a-distance', 'en-presentiel'], latitude: 45.764, longitude: 4.8357 }),
  service('remote-nowhere', { modes_accueil: ['a-distance'] }),
  // Not kept: out of range (inside the bounding box's corner, then beyond it), another thématique, other frais, no place.
  service('corner', { latitude: SEARCH_POINT.latitude + 0.085, longitude: SEARCH_POINT.longitude + 0.13 }),
  service('far', { latitude: 49.5, longitude: 2.35 }),
  service('other-thematique', { latitude: 48.857, longitude: 2.3525, thematiques: ['mobilite--preparer-un-permis'] }),
  service('payant', { latitude: 48.857, longitude: 2.3525, frais: 'payant' }),
  service('remote-payant', { modes_accueil: ['a-distance'], frais: 'payant' }),
  service('nowhere', {}),
];

describe('bench search shape', () => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let client: Client;
  const shape = buildShapes({ byidIds: [] }).search;

  beforeAll(async () => {
    store = await createTestStore('postgres');
    await syncSources(store);
    await writeOffer(store, { structures: [structure], services }, { now: NOW });
    api = await createTestApp(store);
    client = new Client({ connectionString: store.url });
    await client.connect();
    await client.query(PEER_SQL);
  });
  afterAll(async () => {
    await client?.end();
    await api?.stop();
    await store?.dispose();
  });

  /** Passerelle's answer to the shape's body, as the harness gets it. */
  async function passerelle() {
    const { query } = JSON.parse(shape.bodies.passerelle) as { query: string };
    const result = await api.query(query);
    return { status: 200, text: JSON.stringify(result) };
  }

  /** The floor's statement with the shape's variables, as floor-server.ts runs it. */
  async function floor() {
    const statement = FLOOR_SQL.search;
    const { variables } = JSON.parse(shape.bodies.floor) as { variables: Record<string, unknown> };
    const { rows } = await client.query<{ body: string }>({ text: statement.text, values: statement.values(variables) });
    return { status: 200, text: rows[0].body };
  }

  /** `services_near` read as PostGraphile's connection reads it: count(*) of the function, and its first rows as returned. */
  async function postgraphile() {
    const { variables } = JSON.parse(shape.bodies.floor) as { variables: { latitude: number; longitude: number; radiusMetres: number; thematiques: string[]; frais: string[] } };
    const args = [variables.latitude, variables.longitude, variables.radiusMetres, variables.thematiques, variables.frais];
    const count = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM services_near($1, $2, $3, $4, $5)', args);
    const page = await client.query<{ rowId: string; nom: string; distance: number | null }>(
      'SELECT f.id AS "rowId", f.nom, f.distance FROM services_near($1, $2, $3, $4, $5) f LIMIT $6',
      [...args, SEARCH_FIRST],
    );
    return { status: 200, text: JSON.stringify({ data: { servicesNear: { totalCount: count.rows[0].n, nodes: page.rows } } }) };
  }

  it('has Passerelle, the floor and PostGraphile’s function answer the same data', async () => {
    const answers = { passerelle: await passerelle(), floor: await floor(), postgraphile: await postgraphile() };
    expect(() => checkSameData(shape, answers)).not.toThrow();

    const data = dataOf(shape, 'passerelle', answers.passerelle) as { searchServices: { totalCount: number; edges: { distance: number | null; node: { id: string } }[] } };
    // 24 spread out + 2 tied + hybrid on site; remote only near, Lyon, nowhere as remote.
    expect(data.searchServices.totalCount).toBe(30);
    expect(data.searchServices.edges).toHaveLength(SEARCH_FIRST);
    const ids = data.searchServices.edges.map((e) => e.node.id);
    expect(ids.indexOf('dora--Tie-b')).toBe(ids.indexOf('dora--tie-a') - 1);
    expect(ids).toContain('dora--hybrid-near');
    expect(data.searchServices.edges.every((e) => e.distance !== null)).toBe(true);
  });

  it('keeps remote services after the on-site ones, with no distance, in id order (the rows past the first page)', async () => {
    const { rows } = await client.query<{ id: string; distance: number | null }>(
      'SELECT id, distance FROM services_near($1, $2, $3, $4, $5)',
      [SEARCH_POINT.latitude, SEARCH_POINT.longitude, 10_000, [NUMERIQUE], ['gratuit']],
    );
    expect(rows.slice(-3)).toEqual([
      { id: 'dora--remote-lyon', distance: null },
      { id: 'dora--remote-nowhere', distance: null },
      { id: 'dora--remote-only-near', distance: null },
    ]);
    const distances = rows.slice(0, -3).map((r) => r.distance!);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('maps PostGraphile’s servicesNear to Passerelle’s searchServices', () => {
    expect(searchFromPostgraphile({ servicesNear: { totalCount: 3, nodes: [{ rowId: 'a--1', nom: 'Atelier', distance: 12 }, { rowId: 'a--2', nom: 'En ligne', distance: null }] } })).toEqual({
      searchServices: { totalCount: 3, edges: [{ distance: 12, node: { id: 'a--1', nom: 'Atelier' } }, { distance: null, node: { id: 'a--2', nom: 'En ligne' } }] },
    });
  });
});
