import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { startFakePartner, reply } from '../partners/fake-server';
import { PartnerRegistry } from '../../src/partners/registry';
import { createLogger } from '../../src/logger';
import { syncSources, writeOffer } from '../../src/store/write';
import type { PartnerConfig } from '../../src/partners/types';
import { parisDate } from '../../src/quality/freshness';
import { round2 } from '../../src/quality/score';
import type { ServiceRecord, StructureRecord } from '../../src/domain/validation';
import * as fixture from '../fixtures/offer';

/**
 * `qualite` and `fraicheur` on stored records, on records relayed from data·inclusion (stored or live), and
 * on a live partner's records; the thresholds from the app's options; no contact value through `qualite`.
 */
const TODAY = parisDate(new Date());
const daysAgo = (days: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/** A structure and its service relayed from data·inclusion: its score kept, marked as its connector marks it. */
const relayedStructure = { id: 'emplois-de-linclusion--relayee', source: 'emplois-de-linclusion', nom: 'Structure relayée', date_maj: daysAgo(400), score_qualite: 0.5, score_origine: 'data-inclusion' } as StructureRecord;
const relayedService = {
  id: 'emplois-de-linclusion--relaye',
  source: 'emplois-de-linclusion',
  structure_id: relayedStructure.id,
  nom: 'Service relayé',
  description: 'Un service relayé par l’API data·inclusion, avec son score.',
  date_maj: daysAgo(400),
  telephone: '+33100000009',
  modes_mobilisation: ['telephoner'],
  score_qualite: 0.42,
  score_origine: 'data-inclusion',
} as ServiceRecord;

/** A stored structure of Passerelle's with two services, contacts included (a source no live partner answers for). */
const storedStructure = { id: 'emplois-de-linclusion--qualite', source: 'emplois-de-linclusion', nom: 'Structure notée', date_maj: daysAgo(10), courriel: 'accueil@notee.example.org' } as StructureRecord;
const storedServices = [
  {
    id: 'emplois-de-linclusion--qualite-1',
    source: 'emplois-de-linclusion',
    structure_id: storedStructure.id,
    nom: 'Service complet',
    description: 'Un service bien décrit. '.repeat(12),
    date_maj: daysAgo(10),
    thematiques: ['mobilite--preparer-un-permis'],
    publics: ['jeunes'],
    frais: 'payant',
    modes_accueil: ['en-presentiel'],
    adresse: '1 rue de la Paix',
    modes_mobilisation: ['telephoner', 'envoyer-un-courriel'],
    mobilisable_par: ['usagers'],
    telephone: '+33100000001',
    courriel: 'service@notee.example.org',
  },
  {
    id: 'emplois-de-linclusion--qualite-2',
    source: 'emplois-de-linclusion',
    structure_id: storedStructure.id,
    nom: 'Service succinct',
    description: 'Court.',
    date_maj: daysAgo(200),
    modes_mobilisation: ['envoyer-un-courriel'],
    contact_nom_prenom: 'Camille Martin',
  },
] as ServiceRecord[];

const liveStructure = { id: 'dora--st1', source: 'dora', nom: 'Structure en direct', date_maj: daysAgo(20), courriel: 'direct@structure.example.org', score_qualite: 0.8 };
const liveService = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  source: 'dora',
  structure_id: 'dora--st1',
  nom: 'Permis en direct',
  description: 'Un service servi en direct par le partenaire.',
  date_maj: daysAgo(800),
  thematiques: ['mobilite--preparer-un-permis'],
  frais: 'gratuit',
  courriel: 'service@structure.example.org',
  modes_mobilisation: ['envoyer-un-courriel'],
  ...extra,
});

const QUALITE = `qualite { score origine criteres { nom valeur applicable } } fraicheur { ageJours verdict }`;

describe.each(ENGINES)('qualite and fraicheur, on %s', (engine) => {
  let store: TestStore;
  let fake: Awaited<ReturnType<typeof startFakePartner>>;
  let api: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: [...fixture.structures, relayedStructure, storedStructure], services: [...fixture.services, relayedService, ...storedServices] }, { now: fixture.NOW });
    fake = await startFakePartner((req) => {
      if (req.path === '/api/v1/structures/dora--st1') return liveStructure;
      if (req.path === '/api/v1/services/dora--s1') return liveService('dora--s1', { score_qualite: 0.33 });
      if (req.path === '/api/v1/services/dora--s2') return liveService('dora--s2');
      if (req.path.startsWith('/api/v1/')) return reply(404, { detail: 'Not found' });
      return undefined;
    });
    const partner: PartnerConfig = { id: 'di-national', type: 'data-inclusion', baseUrl: fake.url, token: 'secret-token', live: true, sources: ['dora'], cacheTtlSeconds: 60, timeoutMs: 500 };
    const partners = new PartnerRegistry([partner], createLogger('silent'), { transport: { retries: 1, backoffMs: 1, breaker: { failures: 100, openMs: 1000 } } });
    api = await createTestApp(store, { partners, freshness: { freshDays: 30, staleDays: 365 } });
  });
  afterAll(async () => {
    await api?.stop();
    await fake?.close();
    await store?.dispose();
  });

  type Critere = { nom: string; valeur: number | null; applicable: boolean };
  const meanOf = (criteres: Critere[]) => {
    const values = criteres.filter((c) => c.applicable).map((c) => c.valeur!);
    return round2(values.reduce((sum, v) => sum + v, 0) / values.length);
  };

  test('a stored service: Passerelle’s score, its criteria giving it back, its age against the configured thresholds', async () => {
    const { data, errors } = await api.query(`{ service(id: "emplois-de-linclusion--qualite-1") { scoreQualite dateMaj ${QUALITE} } }`);
    expect(errors).toBeUndefined();
    const { qualite, fraicheur, scoreQualite } = data.service;
    expect(qualite.origine).toBe('PASSERELLE');
    expect(qualite.score).toBe(scoreQualite);
    expect(qualite.criteres.map((c: Critere) => c.nom)).toHaveLength(10);
    expect(meanOf(qualite.criteres)).toBe(qualite.score);
    for (const c of qualite.criteres as Critere[]) expect(c.applicable).toBe(c.valeur !== null);
    const age = Math.round((Date.parse(`${TODAY}T00:00:00Z`) - Date.parse(`${data.service.dateMaj}T00:00:00Z`)) / 86_400_000);
    expect(fraicheur).toEqual({ ageJours: age, verdict: age < 30 ? 'FRESH' : age < 365 ? 'TO_CHECK' : 'STALE' });
  });

  test('a stored structure: the mean of its services’ scores; per criterion, the mean over its services', async () => {
    const { data, errors } = await api.query(`{ structure(id: "${storedStructure.id}") { scoreQualite ${QUALITE} services { nodes { ${QUALITE} } } } }`);
    expect(errors).toBeUndefined();
    const { qualite, services } = data.structure;
    expect(qualite).toMatchObject({ score: data.structure.scoreQualite, origine: 'PASSERELLE' });
    expect(services.nodes).toHaveLength(2);
    expect(services.nodes.map((n: { fraicheur: { verdict: string } }) => n.fraicheur.verdict)).toEqual(['FRESH', 'TO_CHECK']);
    // 200 days old (counted on the day it was scored): (730 − 200) / 550 = 0.9636…, given rounded as the score uses it.
    const dated = services.nodes[1].qualite.criteres.find((c: Critere) => c.nom === 'date_maj_recente');
    expect(dated).toEqual({ nom: 'date_maj_recente', valeur: 0.96, applicable: true });
    const ofServices = services.nodes.map((s: { qualite: { criteres: Critere[] } }) => s.qualite.criteres);
    for (const [i, critere] of (qualite.criteres as Critere[]).entries()) {
      const values = ofServices.map((criteres: Critere[]) => criteres[i]).filter((c: Critere) => c.applicable).map((c: Critere) => c.valeur!);
      expect(critere.applicable).toBe(values.length > 0);
      expect(critere.valeur).toBe(values.length ? round2(values.reduce((a: number, b: number) => a + b, 0) / values.length) : null);
    }
  });

  test('a record relayed from data·inclusion keeps its score, says so, and so does a structure all of whose scores are', async () => {
    const { data, errors } = await api.query(
      `{ service(id: "${relayedService.id}") { scoreQualite ${QUALITE} } structure(id: "${relayedStructure.id}") { scoreQualite qualite { score origine } fraicheur { verdict } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.service.qualite).toMatchObject({ score: 0.42, origine: 'DATA_INCLUSION' });
    expect(data.service.scoreQualite).toBe(0.42);
    // Passerelle's own reading of the record: the criteria are there, and need not give 0.42 back.
    expect(data.service.qualite.criteres.find((c: Critere) => c.nom === 'telephone_bien_defini')).toEqual({ nom: 'telephone_bien_defini', valeur: 1, applicable: true });
    expect(data.service.fraicheur).toEqual({ ageJours: 400, verdict: 'STALE' });
    expect(data.structure.qualite).toEqual({ score: 0.42, origine: 'DATA_INCLUSION' });
    expect(data.structure.fraicheur).toEqual({ verdict: 'STALE' });
    const stored = await store.prisma.service.findUnique({ where: { id: relayedService.id }, select: { scoreOrigine: true } });
    expect(stored?.scoreOrigine).toBe('data-inclusion');
  });

  test('live records: data·inclusion’s published score is DATA_INCLUSION, one Passerelle computes is PASSERELLE', async () => {
    const { data, errors } = await api.query(
      `{ s1: service(id: "dora--s1") { provenance { live } ${QUALITE} } s2: service(id: "dora--s2") { scoreQualite ${QUALITE} } structure(id: "dora--st1") { qualite { score origine } fraicheur { ageJours verdict } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.s1.provenance.live).toBe(true);
    expect(data.s1.qualite).toMatchObject({ score: 0.33, origine: 'DATA_INCLUSION' });
    expect(data.s1.fraicheur).toEqual({ ageJours: 800, verdict: 'STALE' });
    expect(data.s2.qualite.origine).toBe('PASSERELLE');
    expect(data.s2.qualite.score).toBe(data.s2.scoreQualite);
    expect(meanOf(data.s2.qualite.criteres)).toBe(data.s2.qualite.score);
    expect(data.structure).toEqual({ qualite: { score: 0.8, origine: 'DATA_INCLUSION' }, fraicheur: { ageJours: 20, verdict: 'FRESH' } });
  });

  test('criteria name contact criteria but hold no contact value, without any scope', async () => {
    const { data, errors } = await api.query(
      `{ s1: service(id: "dora--s1") { qualite { criteres { nom valeur applicable } } } a: service(id: "emplois-de-linclusion--qualite-1") { qualite { criteres { nom valeur applicable } } } b: service(id: "emplois-de-linclusion--qualite-2") { qualite { criteres { nom valeur applicable } } } structure(id: "${storedStructure.id}") { qualite { criteres { nom valeur } } } }`,
    );
    expect(errors).toBeUndefined();
    const text = JSON.stringify(data);
    for (const contact of ['service@structure.example.org', 'service@notee.example.org', '+33100000001', 'Camille', 'accueil@notee.example.org']) {
      expect(text).not.toContain(contact);
    }
    expect(data.s1.qualite.criteres.find((c: Critere) => c.nom === 'courriel_bien_defini')).toEqual({ nom: 'courriel_bien_defini', valeur: 1, applicable: true });
    expect(data.b.qualite.criteres.find((c: Critere) => c.nom === 'courriel_bien_defini')).toEqual({ nom: 'courriel_bien_defini', valeur: 0, applicable: true });
    expect(data.structure.qualite.criteres.find((c: Critere) => c.nom === 'courriel_bien_defini')).toEqual({ nom: 'courriel_bien_defini', valeur: 0.5 });
  });

  test('lists filter on fraicheur with the configured thresholds (here 30 / 365 days)', async () => {
    const { data, errors } = await api.query(`{ stale: services(filter: { fraicheur: [STALE] }) { nodes { id fraicheur { verdict } } } structures(filter: { fraicheur: [STALE] }) { nodes { id } } }`);
    expect(errors).toBeUndefined();
    expect(data.stale.nodes.map((n: { id: string }) => n.id)).toContain(relayedService.id);
    for (const node of data.stale.nodes) expect(node.fraicheur.verdict).toBe('STALE');
    expect(data.structures.nodes.map((n: { id: string }) => n.id)).toContain(relayedStructure.id);
  });

  test('over HTTP (compiled reads take neither field nor filter: Apollo answers, the same)', async () => {
    const query = `{ services(filter: { fraicheur: [STALE, TO_CHECK, FRESH] }, first: 3) { nodes { id qualite { score origine } fraicheur { verdict } } } }`;
    const response = await fetch(await api.url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = await response.json();
    expect(body).toEqual({ data: (await api.query(query)).data });
    expect(body.data.services.nodes).toHaveLength(3);
  });
});
