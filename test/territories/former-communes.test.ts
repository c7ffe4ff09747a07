import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { importTerritories, territoriesLoaded } from '../../src/territories/import';
import { buildTerritoriesReference, isFormerCommune } from '../../src/territories/reference';
import { syncSources, writeOffer } from '../../src/store/write';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';

/**
 * Communes déléguées and associées resolve to their commune: a record carrying such a code matches the
 * filters of its commune, EPCI, département and région, and its `territoire` is the former commune with
 * its commune as `parent`.
 * - Béon (01039), commune déléguée of Culoz-Béon (01138, Ain, Auvergne-Rhône-Alpes, CC Bugey Sud).
 * - Escaufourt (02285), commune associée of Saint-Souplet (59545): its code says Aisne, it lies in the Nord
 *   (Hauts-de-France), as its commune does.
 * Béon's records are written into a store loaded before former communes were in the reference, then the
 * territories import completes it (their territory codes re-derived); Escaufourt's are written after (the
 * trigger sets them).
 */
const NOW = new Date('2026-11-01T12:00:00Z');
const base = { date_maj: '2026-10-01' };

const structures = [
  { ...base, id: 'dora--beon', source: 'dora', nom: 'Espace de vie sociale de Béon', code_insee: '01039', commune: 'Béon' },
  { ...base, id: 'dora--escaufourt', source: 'dora', nom: 'Relais de services Escaufourt', code_insee: '02285', commune: 'Escaufourt' },
] as StructureRecord[];

const service = (id: string, structure: string, code: string): ServiceRecord =>
  ({
    ...base,
    id,
    source: 'dora',
    structure_id: structure,
    nom: 'Accompagnement numérique',
    description: 'Aide aux démarches en ligne, sur rendez-vous, pour les habitants de la commune.',
    type: 'accompagnement',
    thematiques: ['numerique--maitriser-les-fondamentaux-du-numerique'],
    frais: 'gratuit',
    publics: ['tous-publics'],
    modes_accueil: ['en-presentiel'],
    code_insee: code,
  }) as ServiceRecord;

const services = [service('dora--beon-numerique', 'dora--beon', '01039'), service('dora--escaufourt-numerique', 'dora--escaufourt', '02285')];

describe.each(ENGINES)('communes déléguées and associées on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let loadedWithoutFormerCommunes: boolean;

  beforeAll(async () => {
    store = await createTestStore(engine);
    const reference = buildTerritoriesReference();
    await importTerritories(store, { ...reference, communes: reference.communes.filter((c) => !isFormerCommune(c.kind)) });
    await syncSources(store);
    await writeOffer(store, { structures: [structures[0]], services: [services[0]] }, { now: NOW });
    loadedWithoutFormerCommunes = await territoriesLoaded(store);
    await importTerritories(store, reference);
    await writeOffer(store, { structures: [structures[1]], services: [services[1]] }, { now: NOW });
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  async function query(source: string): Promise<any> {
    const { data, errors } = await api.query(source);
    expect(errors).toBeUndefined();
    return data;
  }

  test('a store loaded before former communes counts as not loaded, so that the next start completes it', async () => {
    expect(loadedWithoutFormerCommunes).toBe(false);
    expect(await territoriesLoaded(store)).toBe(true);
  });

  test('a former commune is a commune row whose parent is its commune', async () => {
    const data = await query(`{
      beon: commune(code: "01039") { code nom kind codesPostaux population centre { approximatif source } parent { code nom kind } departement { code } region { code } epci { code } }
      escaufourt: commune(code: "02285") { kind parent { code nom } departement { code } region { code } epci { code } }
      culoz: commune(code: "01138") { kind parent { code } epci { code } }
      saintSouplet: commune(code: "59545") { epci { code } }
    }`);
    expect(data.culoz).toMatchObject({ kind: 'commune-actuelle', parent: null, epci: { code: expect.any(String) } });
    expect(data.beon).toMatchObject({
      code: '01039',
      nom: 'Béon',
      kind: 'commune-deleguee',
      codesPostaux: [],
      population: null,
      parent: { code: '01138', nom: 'Culoz-Béon', kind: 'commune-actuelle' },
      departement: { code: '01' },
      region: { code: '84' },
      epci: { code: data.culoz.epci.code },
    });
    expect(data.beon.centre).not.toBeNull();
    expect(data.escaufourt).toMatchObject({
      kind: 'commune-associee',
      parent: { code: '59545', nom: 'Saint-Souplet' },
      departement: { code: '59' },
      region: { code: '32' },
      epci: { code: data.saintSouplet.epci.code },
    });
  });

  test("a record carrying a former commune's code matches its commune's, EPCI's, département's and région's filters", async () => {
    const { culoz, saintSouplet } = await query(`{ culoz: commune(code: "01138") { epci { code } } saintSouplet: commune(code: "59545") { epci { code } } }`);
    const cases: [string, string, string][] = [
      ['dora--beon-numerique', 'codeCommune', '01138'],
      ['dora--beon-numerique', 'codeCommune', '01039'],
      ['dora--beon-numerique', 'codeEpci', culoz.epci.code],
      ['dora--beon-numerique', 'codeDepartement', '01'],
      ['dora--beon-numerique', 'codeRegion', '84'],
      ['dora--escaufourt-numerique', 'codeCommune', '59545'],
      ['dora--escaufourt-numerique', 'codeEpci', saintSouplet.epci.code],
      ['dora--escaufourt-numerique', 'codeDepartement', '59'],
      ['dora--escaufourt-numerique', 'codeRegion', '32'],
    ];
    for (const [id, filter, code] of cases) {
      const data = await query(`{
        services(filter: { ${filter}: "${code}" }) { totalCount nodes { id } }
        structures(filter: { ${filter}: "${code}" }) { totalCount nodes { id } }
      }`);
      expect({ filter, code, services: data.services.nodes.map((n: { id: string }) => n.id) }).toEqual({ filter, code, services: [id] });
      expect(data.services.totalCount).toBe(1);
      expect(data.structures.nodes.map((n: { id: string }) => n.id)).toEqual([id.replace(/-numerique$/, '')]);
    }
    // The Aisne, whose prefix Escaufourt's code bears, does not have it.
    const aisne = await query(`{ services(filter: { codeDepartement: "02" }) { totalCount } }`);
    expect(aisne.services.totalCount).toBe(0);
  });

  test("the record's territoire is the former commune, and its commune's territories list it", async () => {
    const data = await query(`{
      service(id: "dora--beon-numerique") { territoire { code kind parent { code } departement { code } region { code } } }
      structure(id: "dora--escaufourt") { territoire { code kind parent { code } departement { code } } }
      culoz: commune(code: "01138") { services { totalCount nodes { id } } structures { totalCount } }
      ain: departement(code: "01") { services { totalCount } }
      nord: departement(code: "59") { structures { nodes { id } } }
    }`);
    expect(data.service.territoire).toEqual({ code: '01039', kind: 'commune-deleguee', parent: { code: '01138' }, departement: { code: '01' }, region: { code: '84' } });
    expect(data.structure.territoire).toEqual({ code: '02285', kind: 'commune-associee', parent: { code: '59545' }, departement: { code: '59' } });
    expect(data.culoz).toEqual({ services: { totalCount: 1, nodes: [{ id: 'dora--beon-numerique' }] }, structures: { totalCount: 1 } });
    expect(data.ain.services.totalCount).toBe(1);
    expect(data.nord.structures.nodes).toEqual([{ id: 'dora--escaufourt' }]);
  });

  test('communes(search:) finds a former commune after the current communes', async () => {
    const data = await query(`{ communes(search: "beon", first: 10) { nodes { code kind parent { code } } } }`);
    const nodes = data.communes.nodes as { code: string; kind: string }[];
    expect(nodes).toContainEqual({ code: '01039', kind: 'commune-deleguee', parent: { code: '01138' } });
    const firstFormer = nodes.findIndex((n) => n.kind !== 'commune-actuelle' && n.kind !== 'arrondissement-municipal');
    expect(nodes.slice(firstFormer).every((n) => n.kind === 'commune-deleguee' || n.kind === 'commune-associee')).toBe(true);
  });
});
