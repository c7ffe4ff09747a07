import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { loadConfig } from '../../src/config';
import { createAuthenticator } from '../../src/auth/authenticate';
import { TokenVerifier, issueToken } from '../../src/auth/tokens';
import { runOperation } from '../../src/operations/run';
import { syncSources, writeOffer } from '../../src/store/write';
import { dedupAfterWrite, dedupStore } from '../../src/dedup/run';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';

/**
 * Dedup on a store, on both engines: clusters written by the full run and by the incremental one after a
 * write, data·inclusion's published doublons merged, the graph's `doublons`, `clusterId`, `consolide` (values
 * and provenance), contacts under @auth on every path, `excludeDuplicates` with keyset pages, the operation.
 */
const NOW = new Date('2026-11-20T12:00:00Z');

const place = {
  commune: 'Lyon',
  code_postal: '69003',
  code_insee: '69383',
  latitude: 45.7601,
  longitude: 4.8512,
};

const s = (fields: Partial<StructureRecord> & { id: string; nom: string }): StructureRecord =>
  ({ source: fields.id.split('--')[0], date_maj: '2026-10-01', ...fields }) as StructureRecord;

const STRUCTURES: StructureRecord[] = [
  // One centre social, listed by three sources (one restricted: soliguide).
  s({ ...place, id: 'dora--cs-tilleuls', nom: 'Centre social Les Tilleuls', adresse: '12 rue Victor Hugo', telephone: '+33478000001', courriel: 'accueil@cs-tilleuls.example.org', siret: '12345678900011', date_maj: '2026-09-01' }),
  s({ ...place, id: 'emplois-de-linclusion--cs-tilleuls', nom: 'CENTRE SOCIAL LES TILLEULS', adresse: '12, r. Victor-Hugo', telephone: '04 78 00 00 01', horaires_accueil: 'Mo-Fr 09:00-17:00', date_maj: '2026-11-01', latitude: null, longitude: null }),
  s({ ...place, id: 'soliguide--cs-tilleuls', nom: 'Centre social les Tilleuls', adresse: '12 rue Victor Hugo', telephone: '0478000001', courriel: 'soliguide-only@cs-tilleuls.example.org', date_maj: '2026-10-15' }),
  // A mairie and its CCAS: one building, one switchboard, two places.
  s({ ...place, id: 'dora--mairie', nom: 'Mairie de Lyon 3e', adresse: '18 rue François Garcin', telephone: '+33478000099', courriel: 'accueil@mairie3.example.org' }),
  s({ ...place, id: 'mes-aides--ccas', nom: 'CCAS de Lyon', adresse: '18 rue François Garcin', telephone: '04 78 00 00 99', courriel: 'accueil@mairie3.example.org' }),
  // Two places data·inclusion published as duplicates (names and communes our model would not link).
  s({ id: 'mes-aides--di-1', nom: 'Point accueil emploi', commune: 'Roubaix', code_insee: '59512', doublons: ['france-travail--di-2'] }),
  s({ id: 'france-travail--di-2', nom: 'Agence du Nord', commune: 'Tourcoing', code_insee: '59599', doublons: ['mes-aides--di-1'] }),
  // One network phone, two places.
  s({ id: 'dora--restos-amiens', nom: 'Les Restos du Cœur – Amiens', commune: 'Amiens', code_insee: '80021', adresse: '3 rue Jules Barni', telephone: '+33153327000' }),
  s({ id: 'dora--restos-lille', nom: 'Les Restos du Cœur – Lille', commune: 'Lille', code_insee: '59350', adresse: '9 rue Solférino', telephone: '+33153327000' }),
];

const service = (id: string, structureId: string, nom: string, thematique: string, extra: Partial<ServiceRecord> = {}): ServiceRecord =>
  ({
    id,
    source: id.split('--')[0],
    structure_id: structureId,
    nom,
    description: 'Un accompagnement de proximité pour les habitants du quartier, sur rendez-vous.',
    date_maj: '2026-10-01',
    thematiques: [thematique],
    publics: ['tous-publics'],
    ...extra,
  }) as ServiceRecord;

const SERVICES: ServiceRecord[] = [
  service('dora--numerique', 'dora--cs-tilleuls', 'Atelier numérique', 'numerique--maitriser-les-fondamentaux-du-numerique', { contact_nom_prenom: 'Camille Martin' }),
  service('emplois-de-linclusion--numerique', 'emplois-de-linclusion--cs-tilleuls', 'Atelier Numerique', 'numerique--maitriser-les-fondamentaux-du-numerique'),
  service('emplois-de-linclusion--permis', 'emplois-de-linclusion--cs-tilleuls', 'Aide au permis', 'mobilite--preparer-un-permis'),
  service('dora--mairie-etat-civil', 'dora--mairie', 'Atelier numérique', 'numerique--maitriser-les-fondamentaux-du-numerique'),
];

const TILLEULS = ['dora--cs-tilleuls', 'emplois-de-linclusion--cs-tilleuls', 'soliguide--cs-tilleuls'];

describe.each(ENGINES)('dedup in the store, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let reader: string;
  const config = loadConfig({ PASSERELLE_REVOCATION_CACHE_SECONDS: '0' });

  const clusters = async () =>
    new Map((await store.prisma.structure.findMany({ select: { id: true, clusterId: true } })).map((r) => [r.id, r.clusterId]));

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: STRUCTURES, services: SERVICES }, { now: NOW });
    await runOperation('clients.add', { id: 'reader', name: 'Reads contacts', scopes: ['contact:read'], sources: ['soliguide'] }, { store, config });
    reader = `Bearer ${(await issueToken(store, config, { clientId: 'reader', scopes: ['contact:read'] })).token}`;
    api = await createTestApp(store, { authenticate: createAuthenticator(new TokenVerifier(store, config)), restrictedSources: config.restrictedSources });
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  test('the operation clusters the same place, keeps the hard cases apart, and merges the published doublons', async () => {
    const result = await runOperation('dedup', {}, { store, config });
    expect(result.lines[0]).toMatch(/^dedup: 9 structures .* 2 clusters of 5 structures and 2 services/);
    const c = await clusters();
    expect(c.get('dora--cs-tilleuls')).toBeTruthy();
    for (const id of TILLEULS) expect(c.get(id)).toBe(c.get('dora--cs-tilleuls'));
    expect(c.get('dora--mairie')).toBeNull();
    expect(c.get('mes-aides--ccas')).toBeNull();
    expect(c.get('dora--restos-amiens')).toBeNull();
    expect(c.get('dora--restos-lille')).toBeNull();
    expect(c.get('mes-aides--di-1')).toBeTruthy();
    expect(c.get('mes-aides--di-1')).toBe(c.get('france-travail--di-2'));
    // The same service of the clustered structures; not the mairie's, nor the permis.
    const services = new Map((await store.prisma.service.findMany({ select: { id: true, clusterId: true } })).map((r) => [r.id, r.clusterId]));
    expect(services.get('dora--numerique')).toBeTruthy();
    expect(services.get('emplois-de-linclusion--numerique')).toBe(services.get('dora--numerique'));
    expect(services.get('emplois-de-linclusion--permis')).toBeNull();
    expect(services.get('dora--mairie-etat-civil')).toBeNull();
    // Idempotent.
    expect((await dedupStore(store)).written).toBe(0);
  });

  test('after a write, only the changed blocks are re-clustered: a new listing joins, a deleted one leaves', async () => {
    const added = s({ ...place, id: 'monenfant--cs-tilleuls', nom: 'Centre Social Les Tilleuls', adresse: '12 rue Victor Hugo', telephone: '04.78.00.00.01', date_maj: '2026-08-01' });
    await writeOffer(store, { structures: [added], services: [] }, { now: NOW });
    const r = await dedupAfterWrite(store, [added.id]);
    expect(r.structures).toBeLessThan(STRUCTURES.length + 1);
    let c = await clusters();
    expect(c.get(added.id)).toBe(c.get('dora--cs-tilleuls'));
    expect(c.get('dora--restos-amiens')).toBeNull();

    await store.prisma.structure.delete({ where: { id: 'france-travail--di-2' } });
    await dedupAfterWrite(store, ['france-travail--di-2']);
    c = await clusters();
    expect(c.get('mes-aides--di-1')).toBeNull();

    await store.prisma.structure.delete({ where: { id: added.id } });
    await dedupAfterWrite(store, [added.id]);
    c = await clusters();
    expect(c.get('dora--cs-tilleuls')).toBe(c.get('soliguide--cs-tilleuls'));
  });

  test('doublons: the cluster and the published ones, among what the caller may see', async () => {
    const query = `{ structure(id: "dora--cs-tilleuls") { clusterId doublons { id clusterId } } }`;
    const anonymous = await api.query(query);
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data.structure.clusterId).toBeTruthy();
    expect(anonymous.data.structure.doublons.map((d: { id: string }) => d.id)).toEqual(['emplois-de-linclusion--cs-tilleuls']);
    const licensed = await api.query(query, undefined, reader);
    expect(licensed.data.structure.doublons.map((d: { id: string }) => d.id)).toEqual(['emplois-de-linclusion--cs-tilleuls', 'soliguide--cs-tilleuls']);
    const alone = await api.query(`{ structure(id: "dora--mairie") { clusterId doublons { id } } }`);
    expect(alone.data.structure).toEqual({ clusterId: null, doublons: [] });
  });

  test('consolide: each field from the freshest member that has it, with its provenance', async () => {
    const query = `{ structure(id: "dora--cs-tilleuls") { consolide { nom adresse horairesAccueil siret latitude membres provenance { champ source id dateMaj } } } }`;
    const { data, errors } = await api.query(query, undefined, reader);
    expect(errors).toBeUndefined();
    const c = data.structure.consolide;
    // emplois (2026-11-01) is the freshest: its name, address, hours; soliguide (2026-10-15) its location; dora its SIRET.
    expect(c.membres).toEqual(['emplois-de-linclusion--cs-tilleuls', 'soliguide--cs-tilleuls', 'dora--cs-tilleuls']);
    expect(c.nom).toBe('CENTRE SOCIAL LES TILLEULS');
    expect(c.horairesAccueil).toBe('Mo-Fr 09:00-17:00');
    expect(c.siret).toBe('12345678900011');
    expect(c.latitude).toBe(place.latitude);
    const from = (champ: string) => c.provenance.find((p: { champ: string }) => p.champ === champ);
    expect(from('horairesAccueil')).toEqual({ champ: 'horairesAccueil', source: 'emplois-de-linclusion', id: 'emplois-de-linclusion--cs-tilleuls', dateMaj: '2026-11-01' });
    expect(from('latitude')).toMatchObject({ id: 'soliguide--cs-tilleuls', dateMaj: '2026-10-15' });
    expect(from('siret')).toMatchObject({ id: 'dora--cs-tilleuls', source: 'dora' });
    expect(from('description')).toBeUndefined();
  });

  test.each([
    ['direct', `{ structure(id: "dora--cs-tilleuls") { consolide { courriel telephone } doublons { courriel telephone } } }`],
    ['aliases', `{ s: structure(id: "dora--cs-tilleuls") { c: consolide { m: courriel t: telephone } d: doublons { m: courriel t: telephone } } }`],
    ['fragments', `{ structure(id: "dora--cs-tilleuls") { consolide { ...C } doublons { ...S } } } fragment C on StructureConsolidee { courriel telephone } fragment S on Structure { ... on Structure { courriel telephone } }`],
    ['lists', `{ structures(filter: { excludeDuplicates: true }) { nodes { consolide { courriel telephone } doublons { courriel telephone } } } }`],
  ])('contacts in consolide and doublons stay under @auth (%s)', async (_, query) => {
    const anonymous = await api.query(query);
    expect(anonymous.errors).toBeUndefined();
    const text = JSON.stringify(anonymous.data);
    for (const value of ['accueil@cs-tilleuls.example.org', '+33478000001', '04 78 00 00 01', '0478000001', 'soliguide-only']) expect(text).not.toContain(value);
    expect(JSON.stringify(anonymous.extensions?.withheld)).toMatch(/StructureConsolidee\.(courriel|telephone)/);
    const licensed = await api.query(query, undefined, reader);
    expect(licensed.extensions?.withheld).toBeUndefined();
    expect(JSON.stringify(licensed.data)).toContain('04 78 00 00 01');
  });

  test.each([
    ['structures', 'structure', '{}'],
    ['services', 'service', '{}'],
  ])('excludeDuplicates on %s: one per cluster, the best, over keyset pages with no gap or repeat', async (field, entity, filter) => {
    const all = (await api.query(`{ ${field}(first: 1000, filter: ${filter}) { nodes { id clusterId scoreQualite dateMaj } } }`, undefined, reader)).data[field].nodes as {
      id: string;
      clusterId: string | null;
      scoreQualite: number | null;
      dateMaj: string;
    }[];
    const best = new Map<string, (typeof all)[number]>();
    const better = (a: (typeof all)[number], b: (typeof all)[number]) =>
      (a.scoreQualite ?? -1) - (b.scoreQualite ?? -1) || a.dateMaj.localeCompare(b.dateMaj) || (a.id < b.id ? 1 : -1);
    for (const r of all) {
      const key = r.clusterId ?? r.id;
      const current = best.get(key);
      if (!current || better(r, current) > 0) best.set(key, r);
    }
    const expected = [...best.values()].map((r) => r.id).sort();
    expect(expected.length).toBeLessThan(all.length);

    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const args: string = `first: 1, filter: { ${filter.slice(1, -1)} excludeDuplicates: true }${after ? `, after: "${after}"` : ''}`;
      const page: any = (await api.query(`{ ${field}(${args}) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, undefined, reader)).data[field];
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(entity).toBeTruthy();
  });
});
