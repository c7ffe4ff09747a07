import { Prisma } from '../../src/generated/prisma/client';
import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';

/**
 * `Query.searchServices` (issue 11): eligibility zones, distance, remote services, order and keyset pages,
 * input checks, on both engines with the same answers.
 */

const NOW = new Date('2026-11-01T12:00:00Z');
const PARIS = { latitude: 48.8566, longitude: 2.3522 };
const LYON = { latitude: 45.764, longitude: 4.8357 };

const structure: StructureRecord = { id: 'dora--search', source: 'dora', nom: 'Structure de recherche', date_maj: '2026-10-01' } as StructureRecord;

function service(id: string, extra: Partial<ServiceRecord>): ServiceRecord {
  return {
    id: `dora--${id}`,
    source: 'dora',
    structure_id: structure.id,
    nom: `Service ${id}`,
    description: 'Un service pour tester la recherche de ce qu’une personne peut utiliser près de chez elle.',
    date_maj: '2026-10-01',
    thematiques: ['numerique--maitriser-les-fondamentaux-du-numerique'],
    ...extra,
  } as ServiceRecord;
}

const onSite = ['en-presentiel'];
const remote = ['a-distance'];

/** On-site services around Paris (two at the very same place: a tie on distance), one in Lyon, remote ones. */
const placed: ServiceRecord[] = [
  service('p-tie-b', { modes_accueil: onSite, latitude: 48.86, longitude: 2.35 }),
  service('p-tie-a', { modes_accueil: onSite, latitude: 48.86, longitude: 2.35 }),
  service('p-near', { modes_accueil: onSite, latitude: 48.857, longitude: 2.3525, thematiques: ['mobilite--preparer-un-permis'] }),
  service('p-far', { modes_accueil: onSite, latitude: 48.95, longitude: 2.45 }),
  service('p-nomode', { latitude: 48.87, longitude: 2.36 }),
  service('p-out', { modes_accueil: onSite, latitude: 49.5, longitude: 2.35 }),
  service('p-lyon', { modes_accueil: onSite, ...LYON }),
  service('p-lyon-hybrid', { modes_accueil: ['en-presentiel', 'a-distance'], ...LYON }),
  service('p-remote-only-near', { modes_accueil: remote, latitude: 48.857, longitude: 2.352 }),
  service('p-remote-1', { modes_accueil: remote }),
  service('p-remote-2', { modes_accueil: remote }),
  service('p-nocoord', { modes_accueil: onSite }),
  // Full-text: the nearer one mentions the word once, the farther one in its name and twice more.
  service('q-weak', { modes_accueil: onSite, latitude: 48.8567, longitude: 2.3523, nom: 'Atelier de quartier', description: 'Un atelier ouvert à côté du garage de la rue.' }),
  service('q-strong', { modes_accueil: onSite, latitude: 48.95, longitude: 2.45, nom: 'Garage solidaire', description: 'Garages solidaires : réparer sa voiture au garage à petit prix.' }),
  service('q-remote', { modes_accueil: remote, nom: 'Conseil à distance', description: 'Un garage vous répond.' }),
];

interface Edge {
  distance: number | null;
  cursor: string;
  node: { id: string };
}

describe.each(ENGINES)('searchServices on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  /** Codes read from the territories reference. */
  let ajaccio: string;
  let epciOfAjaccio: string;
  let deleguee: { code: string; parent: string };

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    const [a] = await store.query<{ epci: string }>(Prisma.sql`SELECT epci_code AS epci FROM communes WHERE code = '2A004'`);
    ajaccio = '2A004';
    epciOfAjaccio = a.epci;
    const [d] = await store.query<{ code: string; parent: string }>(Prisma.sql`
      SELECT code, parent_code AS parent FROM communes WHERE kind = 'commune-deleguee' AND latitude IS NOT NULL ORDER BY code LIMIT 1`);
    deleguee = d;
    // Eligibility: remote services (no place), one per zone.
    const zoned: ServiceRecord[] = [
      service('z-empty', { modes_accueil: remote }),
      service('z-france', { modes_accueil: remote, zone_eligibilite: ['france'] }),
      service('z-ajaccio', { modes_accueil: remote, zone_eligibilite: [ajaccio] }),
      service('z-2a', { modes_accueil: remote, zone_eligibilite: ['2A'] }),
      service('z-2b', { modes_accueil: remote, zone_eligibilite: ['2B'] }),
      service('z-epci', { modes_accueil: remote, zone_eligibilite: [epciOfAjaccio] }),
      service('z-971', { modes_accueil: remote, zone_eligibilite: ['971'] }),
      service('z-972', { modes_accueil: remote, zone_eligibilite: ['972'] }),
      service('z-75', { modes_accueil: remote, zone_eligibilite: ['75'] }),
      service('z-parent', { modes_accueil: remote, zone_eligibilite: [deleguee.parent] }),
      service('z-other-commune', { modes_accueil: remote, zone_eligibilite: ['13055'] }),
      service('z-zones', { zone_eligibilite: ['france', epciOfAjaccio, '2A', ajaccio, '99999', '99100'] }),
    ];
    await writeOffer(store, { structures: [structure], services: [...placed, ...zoned] }, { now: NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  const SEARCH = `query ($near: SearchNear!, $distanceKm: Float, $filter: ServiceFilter, $first: Int, $after: String) {
    searchServices(near: $near, distanceKm: $distanceKm, filter: $filter, first: $first, after: $after) {
      totalCount edges { distance cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor }
    }
  }`;

  async function search(variables: Record<string, unknown>) {
    const { data, errors } = await api.query(SEARCH, variables);
    expect(errors).toBeUndefined();
    return data.searchServices as { totalCount: number; edges: Edge[]; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }

  const only = (prefix: string, edges: Edge[]) => edges.filter((e) => e.node.id.startsWith(`dora--${prefix}`));

  test('Paris–Lyon is about 392 km (within 0.5 %)', async () => {
    const result = await search({ near: PARIS, distanceKm: 500, first: 1000 });
    const lyon = result.edges.find((e) => e.node.id === 'dora--p-lyon')!;
    expect(lyon.distance).toBeGreaterThan(392_000 * 0.995);
    expect(lyon.distance).toBeLessThan(392_000 * 1.005);
    // A hybrid service within range is on site, with its distance.
    expect(result.edges.find((e) => e.node.id === 'dora--p-lyon-hybrid')!.distance).toBe(lyon.distance);
  });

  test('on-site services within range by distance then id, remote ones after by id', async () => {
    const result = await search({ near: PARIS, first: 1000 });
    const edges = only('p-', result.edges);
    expect(edges.map((e) => e.node.id)).toEqual([
      'dora--p-near',
      'dora--p-tie-a',
      'dora--p-tie-b',
      'dora--p-nomode',
      'dora--p-far',
      'dora--p-lyon-hybrid',
      'dora--p-remote-1',
      'dora--p-remote-2',
      'dora--p-remote-only-near',
    ]);
    const distances = edges.map((e) => e.distance);
    expect(distances.slice(0, 5).every((d) => typeof d === 'number' && d >= 0 && d <= 50_000)).toBe(true);
    expect(distances[1]).toBe(distances[2]);
    expect(distances.slice(5)).toEqual([null, null, null, null]);
    expect(result.nodes.map((n) => n.id)).toEqual(result.edges.map((e) => e.node.id));
    expect(result.totalCount).toBe(result.edges.length);
    // A radius of 10 km leaves p-far (about 13 km) out; it is not remote.
    const near = only('p-', (await search({ near: PARIS, distanceKm: 10, first: 1000 })).edges).map((e) => e.node.id);
    expect(near).not.toContain('dora--p-far');
    expect(near).toContain('dora--p-nomode');
  });

  test('walking every page with first: 3 gives the same list, no gap, no repeat', async () => {
    const whole = await search({ near: PARIS, first: 1000 });
    const walked: Edge[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = await search({ near: PARIS, first: 3, after });
      walked.push(...page.edges);
      expect(page.totalCount).toBe(whole.totalCount);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked.map((e) => [e.node.id, e.distance])).toEqual(whole.edges.map((e) => [e.node.id, e.distance]));
  });

  test('the count follows every write: a remote service added, then removed', async () => {
    const before = (await search({ near: PARIS, first: 1 })).totalCount;
    await writeOffer(store, { structures: [], services: [service('p-remote-new', { modes_accueil: remote })] }, { now: NOW });
    try {
      expect((await search({ near: PARIS, first: 1 })).totalCount).toBe(before + 1);
      expect((await search({ near: LYON, first: 1 })).totalCount).toBeGreaterThan(0);
    } finally {
      await store.query(Prisma.sql`DELETE FROM services WHERE id = 'dora--p-remote-new'`);
    }
    expect((await search({ near: PARIS, first: 1 })).totalCount).toBe(before);
  });

  test('the filter applies to the search', async () => {
    const result = await search({ near: PARIS, first: 1000, filter: { thematiques: ['mobilite'] } });
    expect(result.edges.map((e) => e.node.id)).toEqual(['dora--p-near']);
    expect(result.totalCount).toBe(1);
  });

  test('the full-text criterion (filter.q) applies like any other', async () => {
    const result = await search({ near: PARIS, first: 1000, filter: { q: 'permis' } });
    expect(result.edges.map((e) => e.node.id)).toEqual(['dora--p-near']);
  });

  test('with filter.q, the most relevant first, then distance; pages walk the same order', async () => {
    const whole = await search({ near: PARIS, first: 1000, filter: { q: 'garages' } });
    expect(whole.edges.map((e) => e.node.id)).toEqual(['dora--q-strong', 'dora--q-weak', 'dora--q-remote']);
    // The farther service comes first: relevance before distance.
    expect(whole.edges[0].distance!).toBeGreaterThan(whole.edges[1].distance!);
    expect(whole.totalCount).toBe(3);
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await search({ near: PARIS, first: 1, after, filter: { q: 'garages' } });
      walked.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(whole.edges.map((e) => e.node.id));
    // A cursor of a search with q does not continue one without (their orders differ), and the reverse.
    const { errors } = await api.query(SEARCH, { near: PARIS, first: 1, after: whole.pageInfo.endCursor ?? whole.edges[0].cursor });
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
  });

  test('source licences: a restricted source is hidden from a viewer without it', async () => {
    const restricted = await createTestApp(store, { restrictedSources: ['dora'] });
    try {
      const { data, errors } = await restricted.query(SEARCH, { near: PARIS, first: 1000 });
      expect(errors).toBeUndefined();
      expect(data.searchServices).toMatchObject({ totalCount: 0, edges: [] });
    } finally {
      await restricted.stop();
    }
  });

  test('excludeDuplicates keeps one service per cluster', async () => {
    await store.query(Prisma.sql`UPDATE services SET cluster_id = 'search-cluster' WHERE id IN ('dora--p-tie-a', 'dora--p-tie-b')`);
    try {
      const ids = (await search({ near: PARIS, first: 1000, filter: { excludeDuplicates: true } })).edges.map((e) => e.node.id);
      expect(ids).toContain('dora--p-tie-a');
      expect(ids).not.toContain('dora--p-tie-b');
      expect(ids).toContain('dora--p-near');
    } finally {
      await store.query(Prisma.sql`UPDATE services SET cluster_id = NULL WHERE cluster_id = 'search-cluster'`);
    }
  });

  test('excludeDuplicates chooses among the services the search keeps: a better duplicate out of range does not hide one in range', async () => {
    const [before] = await store.query<{ score: number | null }>(Prisma.sql`SELECT score_qualite AS score FROM services WHERE id = 'dora--p-near'`);
    await store.query(Prisma.sql`UPDATE services SET cluster_id = 'search-range', score_qualite = CASE id WHEN 'dora--p-out' THEN 1 ELSE 0.1 END
      WHERE id IN ('dora--p-near', 'dora--p-out')`);
    try {
      const near = (await search({ near: PARIS, first: 1000, filter: { excludeDuplicates: true } })).edges.map((e) => e.node.id);
      expect(near).toContain('dora--p-near');
      expect(near).not.toContain('dora--p-out');
      // Far enough to reach both: the best one stands for the cluster.
      const wide = (await search({ near: PARIS, distanceKm: 200, first: 1000, filter: { excludeDuplicates: true } })).edges.map((e) => e.node.id);
      expect(wide).toContain('dora--p-out');
      expect(wide).not.toContain('dora--p-near');
    } finally {
      await store.query(Prisma.sql`UPDATE services SET cluster_id = NULL, score_qualite = ${before.score} WHERE cluster_id = 'search-range'`);
    }
  });

  test('Service.zoneEligibilite resolves to territory nodes; zoneEligibiliteCodes keeps the record', async () => {
    const { data, errors } = await api.query(`{
      service(id: "dora--z-zones") {
        zoneEligibiliteCodes
        zoneEligibilite { __typename code nom ... on Departement { region { code } } ... on Commune { departement { code } } }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data.service.zoneEligibiliteCodes).toEqual(['france', epciOfAjaccio, '2A', ajaccio, '99999', '99100']);
    expect(data.service.zoneEligibilite).toEqual([
      { __typename: 'Pays', code: '99100', nom: 'France' },
      { __typename: 'Epci', code: epciOfAjaccio, nom: expect.any(String) },
      { __typename: 'Departement', code: '2A', nom: 'Corse-du-Sud', region: { code: '94' } },
      { __typename: 'Commune', code: ajaccio, nom: 'Ajaccio', departement: { code: '2A' } },
    ]);
  });

  const zoneIds = async (codeCommune: string) =>
    only('z-', (await search({ near: { codeCommune }, first: 1000 })).edges)
      .map((e) => e.node.id.replace('dora--', ''))
      .sort();

  test('eligibility: commune, EPCI by SIREN, département, région (Corsica: 2A and 2B), france, empty zone', async () => {
    expect(await zoneIds(ajaccio)).toEqual(['z-2a', 'z-2b', 'z-ajaccio', 'z-empty', 'z-epci', 'z-france'].sort());
  });

  test('eligibility: an overseas département (971)', async () => {
    expect(await zoneIds('97101')).toEqual(['z-971', 'z-empty', 'z-france']);
  });

  test('eligibility: an arrondissement resolves to its commune and département', async () => {
    expect(await zoneIds('75111')).toEqual(['z-75', 'z-empty', 'z-france']);
  });

  test('eligibility: a commune déléguée resolves to its commune', async () => {
    expect(await zoneIds(deleguee.code)).toContain('z-parent');
    expect(await zoneIds(deleguee.code)).not.toContain('z-other-commune');
  });

  test('with codeCommune, distance is from its centre and eligibility applies to on-site services too', async () => {
    const result = await search({ near: { codeCommune: '75056' }, first: 1000 });
    const ids = result.edges.map((e) => e.node.id);
    expect(ids).toContain('dora--p-near');
    expect(ids).toContain('dora--z-75');
    expect(ids).not.toContain('dora--z-2a');
  });

  test.each([
    [{ near: { latitude: 91, longitude: 2 } }, 'near.latitude'],
    [{ near: { latitude: 48, longitude: -181 } }, 'near.longitude'],
    [{ near: { latitude: 48 } }, 'near.longitude'],
    [{ near: { codeCommune: '99999' } }, 'near.codeCommune'],
    [{ near: { codeCommune: 'paris' } }, 'near.codeCommune'],
    [{ near: { codeCommune: '75056', latitude: 48, longitude: 2 } }, 'near'],
    [{ near: {} }, 'near'],
    [{ near: PARIS, distanceKm: -1 }, 'distanceKm'],
    [{ near: PARIS, distanceKm: 0 }, 'distanceKm'],
    [{ near: PARIS, distanceKm: 1001 }, 'distanceKm'],
    [{ near: PARIS, after: 'bm90LWEtY3Vyc29y' }, 'after'],
    [{ near: PARIS, filter: { thematiques: ['nope'] } }, 'filter.thematiques'],
  ])('bad input %j → BAD_USER_INPUT naming %s', async (variables, argument) => {
    const { data, errors } = await api.query(SEARCH, variables);
    expect(data?.searchServices ?? null).toBeNull();
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument } });
    expect(errors?.[0].message.startsWith(`${argument}: `)).toBe(true);
  });
});

describe('searchServices answers the same on both engines', () => {
  test('the same pages', async () => {
    const answers: unknown[] = [];
    for (const engine of ENGINES) {
      const store = await createTestStore(engine, { territories: true });
      try {
        await syncSources(store);
        await writeOffer(store, { structures: [structure], services: placed }, { now: NOW });
        const api = await createTestApp(store);
        const queries = [
          { near: PARIS, first: 1000 },
          { near: LYON, distanceKm: 1000, first: 1000 },
          { near: { codeCommune: '69383' }, distanceKm: 400, first: 1000 },
        ];
        const results = [];
        for (const variables of queries) {
          results.push(
            await api.query(
              `query ($near: SearchNear!, $distanceKm: Float, $first: Int) {
                searchServices(near: $near, distanceKm: $distanceKm, first: $first) { totalCount edges { distance cursor node { id nom } } }
              }`,
              variables,
            ),
          );
        }
        answers.push(results);
        await api.stop();
      } finally {
        await store.dispose();
      }
    }
    expect(answers[1]).toEqual(answers[0]);
  });
});
