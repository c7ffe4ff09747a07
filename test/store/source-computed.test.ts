import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';

/**
 * What a source computed travels with its records: data·inclusion's `score_qualite` is stored and served
 * instead of Passerelle's own, its `doublons` become `Structure.doublons` (only those the caller may see),
 * and values newer than Passerelle's nomenclatures are kept when a partner brought them (`tolerant`) but
 * refused in a producer's file.
 */
const NOW = new Date('2026-11-01T12:00:00Z');

const structure = (id: string, extra: Record<string, unknown> = {}) => ({
  source: id.split('--')[0],
  id,
  nom: `Structure ${id}`,
  date_maj: '2026-10-01',
  ...extra,
});

const service = (id: string, structureId: string, extra: Record<string, unknown> = {}) => ({
  source: id.split('--')[0],
  structure_id: structureId,
  id,
  nom: `Service ${id}`,
  description: 'Un accompagnement de proximité pour les démarches du quotidien.',
  date_maj: '2026-10-01',
  ...extra,
});

describe.each(ENGINES)('source-computed fields on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(
      store,
      {
        structures: [
          structure('dora--cs-belleville', { doublons: ['emplois-de-linclusion--42', 'soliguide--4521', 'dora--gone'] }),
          structure('emplois-de-linclusion--42'),
          structure('soliguide--4521'),
        ],
        services: [service('dora--atelier', 'dora--cs-belleville', { score_qualite: 0.37 }), service('dora--permanence', 'dora--cs-belleville')],
      },
      { now: NOW },
    );
    api = await createTestApp(store, { restrictedSources: ['soliguide'] });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test("a source's score is served as is; a record without one is scored by Passerelle", async () => {
    const { data, errors } = await api.query(`{ a: service(id: "dora--atelier") { scoreQualite } b: service(id: "dora--permanence") { scoreQualite } }`);
    expect(errors).toBeUndefined();
    expect(data.a.scoreQualite).toBe(0.37);
    expect(data.b.scoreQualite).not.toBe(0.37);
    expect(data.b.scoreQualite).toEqual(expect.any(Number));
  });

  test('doublons resolve to the structures the caller may see (a restricted source stays hidden; an unknown id is absent)', async () => {
    const { data, errors } = await api.query(`{ structure(id: "dora--cs-belleville") { doublons { id nom } } other: structure(id: "emplois-de-linclusion--42") { doublons { id } } }`);
    expect(errors).toBeUndefined();
    expect(data.structure.doublons).toEqual([{ id: 'emplois-de-linclusion--42', nom: 'Structure emplois-de-linclusion--42' }]);
    expect(data.other.doublons).toEqual([]);
  });

  test('values newer than the nomenclatures: kept for a partner (tolerant), refused in a producer file', async () => {
    const newer = { structures: [structure('nouvelle-source--cs')], services: [service('nouvelle-source--s1', 'nouvelle-source--cs', { thematiques: ['sante--une-thematique-de-demain'] })] };
    await expect(writeOffer(store, newer, { now: NOW })).rejects.toThrow(/services\[0\]\.thematiques\[0\]: thematiques\[0\] is not a value of the thematiques nomenclature/);
    await writeOffer(store, newer, { now: NOW, tolerant: true });
    const { data, errors } = await api.query(`{ service(id: "nouvelle-source--s1") { source { slug nom } thematiques { value label categorie { value } } } }`);
    expect(errors).toBeUndefined();
    expect(data.service).toEqual({
      source: { slug: 'nouvelle-source', nom: 'nouvelle-source' },
      thematiques: [{ value: 'sante--une-thematique-de-demain', label: 'sante--une-thematique-de-demain', categorie: { value: 'sante' } }],
    });
  });
});
