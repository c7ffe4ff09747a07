import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

describe.each(ENGINES)('the offer graph on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('a structure by id, with labels, territory chain, services and source', async () => {
    const { data, errors } = await api.query(`{
      structure(id: "dora--paris-11") {
        id nom dateMaj siret codeInsee courriel scoreQualite
        source { slug nom }
        reseauxPorteurs { value label }
        territoire { code nom kind parent { code nom } departement { code nom region { code nom } } epci { code type } }
        services { totalCount nodes { id type { value label } frais { value label } thematiques { value label categorie { value label } } } }
      }
    }`);
    expect(errors).toBeUndefined();
    const s = data.structure;
    expect(s).toMatchObject({
      id: 'dora--paris-11',
      nom: 'Centre social Belleville',
      dateMaj: '2026-10-01',
      siret: '12345678901234',
      codeInsee: '75111',
      source: { slug: 'dora', nom: 'DORA' },
      reseauxPorteurs: [{ value: 'caf', label: expect.any(String) }],
      territoire: {
        code: '75111',
        kind: 'arrondissement-municipal',
        parent: { code: '75056', nom: 'Paris' },
        departement: { code: '75', nom: 'Paris', region: { code: '11', nom: 'Île-de-France' } },
        epci: { code: '200054781', type: 'METRO' },
      },
    });
    expect(s.services.totalCount).toBe(2);
    expect(s.services.nodes.map((n: { id: string }) => n.id)).toEqual(['dora--paris-11-mobilite', 'dora--paris-11-numerique']);
    const numerique = s.services.nodes[1];
    expect(numerique.type).toEqual({ value: 'atelier', label: expect.any(String) });
    expect(numerique.thematiques[0].categorie).toEqual({ value: 'numerique', label: expect.any(String) });
    expect(s.scoreQualite).toBeGreaterThan(0);
  });

  test('absent ids give null, not an error', async () => {
    const { data, errors } = await api.query(`{ structure(id: "dora--nope") { id } service(id: "x--y") { id } commune(code: "99999") { code } }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ structure: null, service: null, commune: null });
  });

  test('a service links to its structure and commune', async () => {
    const { data } = await api.query(`{ service(id: "france-travail--lyon-3-emploi") {
      nom provenance { source { slug } partner live fetchedAt } structure { id nom } territoire { code parent { code } region { code } } publics { value label } modesAccueil { value } } }`);
    expect(data.service).toMatchObject({
      nom: 'Accompagnement intensif',
      provenance: { source: { slug: 'france-travail' }, partner: null, live: false, fetchedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
      structure: { id: 'france-travail--lyon-3' },
      territoire: { code: '69383', parent: { code: '69123' }, region: { code: '84' } },
      publics: [{ value: 'demandeurs-emploi', label: expect.any(String) }],
      modesAccueil: [{ value: 'en-presentiel' }],
    });
  });

  const ids = (conn: { nodes: { id: string }[] }) => conn.nodes.map((n) => n.id);

  test.each([
    ['a whole catégorie', '{ thematiques: ["mobilite"] }', ['dora--paris-11-mobilite']],
    ['a thématique', '{ thematiques: ["numerique--maitriser-les-fondamentaux-du-numerique"] }', ['dora--paris-11-numerique']],
    ['publics also match tous-publics', '{ publics: ["jeunes"] }', ['dora--paris-11-mobilite', 'dora--paris-11-numerique']],
    // As data·inclusion's API (inclusion_data/services.py): asking tous-publics turns the publics filter off.
    ['tous-publics turns the filter off', '{ publics: ["tous-publics"] }', ['dora--paris-11-mobilite', 'dora--paris-11-numerique', 'france-travail--lyon-3-emploi']],
    ['frais', '{ frais: ["payant"] }', ['dora--paris-11-mobilite']],
    ['types', '{ types: ["accompagnement"] }', ['dora--paris-11-mobilite', 'france-travail--lyon-3-emploi']],
    ['modes d’accueil', '{ modesAccueil: ["a-distance"] }', ['dora--paris-11-mobilite']],
    ['sources', '{ sources: ["france-travail"] }', ['france-travail--lyon-3-emploi']],
    ['réseaux porteurs of the structure', '{ reseauxPorteurs: ["caf"] }', ['dora--paris-11-mobilite', 'dora--paris-11-numerique']],
    ['a commune covers its arrondissements', '{ codeCommune: "75056" }', ['dora--paris-11-mobilite', 'dora--paris-11-numerique']],
    ['an arrondissement', '{ codeCommune: "69383" }', ['france-travail--lyon-3-emploi']],
    ['a département', '{ codeDepartement: "69" }', ['france-travail--lyon-3-emploi']],
    ['a région', '{ codeRegion: "11" }', ['dora--paris-11-mobilite', 'dora--paris-11-numerique']],
    ['an EPCI (Métropole de Lyon)', '{ codeEpci: "200046977" }', ['france-travail--lyon-3-emploi']],
    ['criteria combine', '{ codeRegion: "11", frais: ["gratuit"] }', ['dora--paris-11-numerique']],
    ['updatedSince in the future', '{ updatedSince: "2999-01-01T00:00:00Z" }', []],
  ])('services filter: %s', async (_, filter, expected) => {
    const { data, errors } = await api.query(`{ services(filter: ${filter}) { totalCount nodes { id } } }`);
    expect(errors).toBeUndefined();
    expect(ids(data.services)).toEqual(expected);
    expect(data.services.totalCount).toBe(expected.length);
  });

  test.each([
    ['service criteria keep structures offering a match', '{ thematiques: ["trouver-un-emploi"] }', ['france-travail--lyon-3']],
    ['réseaux porteurs', '{ reseauxPorteurs: ["france-travail"] }', ['france-travail--lyon-3']],
    ['territory', '{ codeDepartement: "59" }', ['emplois-de-linclusion--roubaix']],
  ])('structures filter: %s', async (_, filter, expected) => {
    const { data, errors } = await api.query(`{ structures(filter: ${filter}) { totalCount nodes { id } } }`);
    expect(errors).toBeUndefined();
    expect(ids(data.structures)).toEqual(expected);
    expect(data.structures.totalCount).toBe(expected.length);
  });

  test.each([
    ['{ services(filter: { thematiques: ["numerique", "cuisine"] }) { totalCount } }', 'filter.thematiques', '"cuisine"'],
    ['{ services(filter: { publics: ["enfants"] }) { totalCount } }', 'filter.publics', '"enfants"'],
    ['{ structures(filter: { reseauxPorteurs: ["nope"] }) { totalCount } }', 'filter.reseauxPorteurs', '"nope"'],
    ['{ services(filter: { codeDepartement: "100" }) { totalCount } }', 'filter.codeDepartement', '"100"'],
    ['{ services(first: 1001) { totalCount } }', 'first', '1000'],
    ['{ services(first: -1) { totalCount } }', 'first', '-1'],
    ['{ services(after: "garbage") { totalCount } }', 'after', '"garbage"'],
    ['{ structure(id: "dora--paris-11") { services(filter: { frais: ["cher"] }) { totalCount } } }', 'filter.frais', '"cher"'],
  ])('bad input %s is a BAD_USER_INPUT error naming the argument', async (query, argument, value) => {
    const { errors } = await api.query(query);
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errors![0].message).toContain(argument);
    expect(errors![0].message).toContain(value);
    expect(errors![0].extensions).not.toHaveProperty('stacktrace');
  });

  test('territories list their offer; Paris includes its arrondissements', async () => {
    const { data, errors } = await api.query(`{
      paris: commune(code: "75056") { nom population centre { latitude longitude approximatif source } services { totalCount } structures { nodes { id } } }
      dep: departement(code: "69") { nom chefLieu { nom } region { nom } services { totalCount nodes { id } } }
      region(code: "32") { nom departements { code } structures { totalCount nodes { id } } }
      epci(code: "200046977") { nom services { totalCount } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.paris).toMatchObject({ nom: 'Paris', services: { totalCount: 2 }, structures: { nodes: [{ id: 'dora--paris-11' }] } });
    expect(data.paris.population).toBeGreaterThan(2_000_000);
    expect(data.paris.centre.latitude).toBeCloseTo(48.86, 1);
    expect(data.dep).toMatchObject({ nom: 'Rhône', chefLieu: { nom: 'Lyon' }, services: { totalCount: 1 } });
    expect(data.region.departements.map((d: { code: string }) => d.code)).toEqual(['02', '59', '60', '62', '80']);
    expect(data.region.structures.nodes).toEqual([{ id: 'emplois-de-linclusion--roubaix' }]);
    expect(data.epci.services.totalCount).toBe(1);
  });

  test('nomenclatures and sources', async () => {
    const { data } = await api.query(`{ nomenclatures { thematiques { value categorie { value } } categories { value } publics { value label }
      frais { value } typesServices { value } modesAccueil { value } modesMobilisation { value } personnesMobilisatrices { value } reseauxPorteurs { value } }
      sources { slug nom description } }`);
    const n = data.nomenclatures;
    expect([n.thematiques.length, n.categories.length, n.publics.length, n.frais.length, n.typesServices.length]).toEqual([69, 16, 14, 2, 6]);
    expect([n.modesAccueil.length, n.modesMobilisation.length, n.personnesMobilisatrices.length, n.reseauxPorteurs.length]).toEqual([2, 4, 2, 108]);
    expect(data.sources).toHaveLength(16);
    expect(data.sources.find((s: { slug: string }) => s.slug === 'soliguide')).toMatchObject({ nom: expect.stringContaining('Soliguide') });
  });

  test('communes search: by name (accents ignored), by postal code, paged by population', async () => {
    const byName = await api.query(`{ communes(search: "saint etienne", first: 3) { totalCount nodes { code nom } pageInfo { hasNextPage endCursor } } }`);
    expect(byName.data.communes.nodes[0]).toEqual({ code: '42218', nom: 'Saint-Étienne' });
    expect(byName.data.communes.totalCount).toBeGreaterThan(3);
    const next = await api.query(`{ communes(search: "saint etienne", first: 3, after: "${byName.data.communes.pageInfo.endCursor}") { nodes { code } } }`);
    const first = byName.data.communes.nodes.map((c: { code: string }) => c.code);
    for (const c of next.data.communes.nodes) expect(first).not.toContain(c.code);
    const byPostal = await api.query(`{ communes(search: "69003") { nodes { code } } }`);
    expect(byPostal.data.communes.nodes.map((c: { code: string }) => c.code)).toContain('69383');
  });
});
