import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import { serviceMatches } from '../../src/store/offer-filter';
import { offerFilter } from '../../src/graph/filters';
import { serviceFromPartner } from '../../src/partners/models';
import type { ServiceFilter } from '../../src/generated/graphql';
import type { Commune } from '../../src/generated/prisma/client';
import type { ServiceRecord } from '../../src/domain/validation';
import * as fixture from '../fixtures/offer';
import { DEFAULT_FRESHNESS, parisDate } from '../../src/quality/freshness';

/**
 * One filter semantics (src/store/offer-filter.ts): one table of cases, run through the SQL path (a store on
 * each engine, queried through GraphQL, executed and compiled) and through the in-memory path that filters
 * live partner records (`serviceMatches` on the same records as partner models), with the same expected ids.
 * Upstream semantics: data-inclusion:api/src/data_inclusion/api/inclusion_data/services.py (publics with
 * `tous-publics`, catégories expanding to their thématiques, `score_qualite_minimum` as `>=`).
 */

const description = (text: string) => `${text} ${'Accueil, information et orientation des personnes du territoire.'.repeat(4)}`;

/** Two more services beside the shared fixture's three: the city code of Paris, and a commune of the MEL. */
const services: ServiceRecord[] = [
  ...fixture.services,
  {
    date_maj: '2026-10-01',
    id: 'dora--paris-centre-sante',
    source: 'dora',
    structure_id: 'dora--paris-11',
    nom: 'Accès aux soins',
    description: description('Aide à l’ouverture des droits de santé.'),
    type: 'information',
    thematiques: ['sante--acces-aux-soins'],
    publics: ['femmes', 'familles'],
    modes_accueil: ['a-distance'],
    code_insee: '75056',
    telephone: '+33140000003',
  } as ServiceRecord,
  {
    date_maj: '2026-10-01',
    id: 'emplois-de-linclusion--roubaix-insertion',
    source: 'emplois-de-linclusion',
    structure_id: 'emplois-de-linclusion--roubaix',
    nom: 'Chantier d’insertion',
    description: 'Chantier d’insertion en espaces verts, contrats de six mois.',
    type: 'formation',
    thematiques: ['trouver-un-emploi--faire-des-candidatures-spontanees'],
    frais: 'gratuit',
    publics: ['jeunes', 'personnes-en-situation-de-handicap'],
    modes_accueil: ['en-presentiel'],
    adresse: '3 rue de l’Épeule',
    mobilisable_par: ['usagers'],
    code_insee: '59512',
  } as ServiceRecord,
];

// Short names for the table. Scores (v1, at fixture.NOW): N 0.81, R 0.75, C 0.71, M 0.56, L 0.5.
const M = 'dora--paris-11-mobilite'; // 75111 (Paris 11e), jeunes, payant, accompagnement, présentiel + à distance
const N = 'dora--paris-11-numerique'; // 75111, tous-publics, gratuit, atelier, présentiel
const C = 'dora--paris-centre-sante'; // 75056 (Paris), femmes + familles, no frais, information, à distance
const R = 'emplois-de-linclusion--roubaix-insertion'; // 59512 (Roubaix, MEL, Hauts-de-France), jeunes + handicap, gratuit, formation
const L = 'france-travail--lyon-3-emploi'; // 69383 (Lyon 3e), demandeurs-emploi, gratuit, accompagnement
const ALL = [M, N, C, R, L];

/** When each record last changed in Passerelle (set on the store's rows, and on the partner models). */
const UPDATED_AT: Record<string, string> = { [C]: '2026-11-20T00:00:00.000Z' };
const updatedAt = (id: string) => new Date(UPDATED_AT[id] ?? fixture.NOW.toISOString());

/**
 * How many days before today (Europe/Paris) each record's date_maj is set (on the store's rows and the partner
 * models), at the `fraicheur` thresholds (defaults: FRESH under 180 days, STALE from 730).
 */
const TODAY = parisDate(new Date());
const AGE: Record<string, number> = { [M]: 10, [N]: 179, [C]: 180, [R]: 729, [L]: 730 };
const dateMajOf = (id: string) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - AGE[id] * 86_400_000);

/** The filter as a client sends it (GraphQL variables), and the ids it keeps, in id order. */
const CASES: [string, Record<string, unknown>, string[]][] = [
  ['no criterion', {}, ALL],
  ['publics: services for tous-publics match any public', { publics: ['jeunes'] }, [M, N, R]],
  ['publics: another public', { publics: ['femmes'] }, [N, C]],
  ['publics: tous-publics turns the filter off', { publics: ['tous-publics'] }, ALL],
  ['publics: tous-publics among others turns it off too', { publics: ['jeunes', 'tous-publics'] }, ALL],
  ['thematiques: a catégorie expands to its thématiques', { thematiques: ['trouver-un-emploi'] }, [R, L]],
  ['thematiques: catégories', { thematiques: ['mobilite', 'sante'] }, [M, C]],
  ['thematiques: a thématique', { thematiques: ['numerique--maitriser-les-fondamentaux-du-numerique'] }, [N]],
  ['codeCommune: Paris covers its arrondissements', { codeCommune: '75056' }, [M, N, C]],
  ['codeCommune: an arrondissement alone', { codeCommune: '75111' }, [M, N]],
  ['codeCommune: Lyon covers its arrondissements', { codeCommune: '69123' }, [L]],
  ['codeCommune: a commune', { codeCommune: '59512' }, [R]],
  ['codeCommune: a commune without records', { codeCommune: '13055' }, []],
  ['codeEpci: an arrondissement is in its city’s EPCI (Métropole du Grand Paris)', { codeEpci: '200054781' }, [M, N, C]],
  ['codeEpci: Métropole de Lyon', { codeEpci: '200046977' }, [L]],
  ['codeEpci: Métropole européenne de Lille', { codeEpci: '200093201' }, [R]],
  ['codeDepartement', { codeDepartement: '75' }, [M, N, C]],
  ['codeDepartement: another', { codeDepartement: '59' }, [R]],
  ['codeRegion: Île-de-France', { codeRegion: '11' }, [M, N, C]],
  ['codeRegion: Hauts-de-France', { codeRegion: '32' }, [R]],
  ['codeRegion: Auvergne-Rhône-Alpes', { codeRegion: '84' }, [L]],
  ['scoreQualiteMin: >=', { scoreQualiteMin: 0.75 }, [N, R]],
  ['scoreQualiteMin: equal to the lowest score', { scoreQualiteMin: 0.5 }, ALL],
  ['scoreQualiteMin: above every score', { scoreQualiteMin: 0.9 }, []],
  ['updatedSince', { updatedSince: '2026-11-10T00:00:00.000Z' }, [C]],
  ['updatedSince: the instant itself', { updatedSince: '2026-11-20T00:00:00.000Z' }, [C]],
  ['updatedSince: long ago', { updatedSince: '2000-01-01T00:00:00.000Z' }, ALL],
  // Dedup (src/dedup/): none of these records is clustered, so each is its own cluster's best.
  ['excludeDuplicates: a record with no cluster is its own', { excludeDuplicates: true }, ALL],
  ['frais: gratuit (a service without frais matches no frais)', { frais: ['gratuit'] }, [N, R, L]],
  ['frais: payant', { frais: ['payant'] }, [M]],
  ['modesAccueil: overlap', { modesAccueil: ['a-distance'] }, [M, C]],
  ['types', { types: ['accompagnement'] }, [M, L]],
  ['types: any of several', { types: ['information', 'formation'] }, [C, R]],
  ['sources', { sources: ['france-travail', 'emplois-de-linclusion'] }, [R, L]],
  ['reseauxPorteurs: of the service’s structure', { reseauxPorteurs: ['caf'] }, [M, N, C]],
  ['criteria combine: région and publics', { codeRegion: '11', publics: ['jeunes'] }, [M, N]],
  ['criteria combine: département, frais, tous-publics', { codeDepartement: '75', frais: ['gratuit'], publics: ['tous-publics'] }, [N]],
  ['criteria combine: catégorie and EPCI', { thematiques: ['trouver-un-emploi'], codeEpci: '200093201' }, [R]],
  ['fraicheur: FRESH under 180 days (179 is fresh)', { fraicheur: ['FRESH'] }, [M, N]],
  ['fraicheur: TO_CHECK from 180 to 729 days', { fraicheur: ['TO_CHECK'] }, [C, R]],
  ['fraicheur: STALE from 730 days', { fraicheur: ['STALE'] }, [L]],
  ['fraicheur: any of several', { fraicheur: ['FRESH', 'STALE'] }, [M, N, L]],
  ['fraicheur: all three is no criterion', { fraicheur: ['STALE', 'TO_CHECK', 'FRESH'] }, ALL],
  ['criteria combine: fraicheur and département', { fraicheur: ['TO_CHECK'], codeDepartement: '75' }, [C]],
  // French full-text (src/store/full-text.ts): nom, description, thématique labels, publics_precisions.
  ['q: accents and plural ignored', { q: 'NUMERIQUES' }, [N]],
  ['q: words of the description, a stop word ignored', { q: 'permis de conduire' }, [M]],
  ['q: a word of two services', { q: 'accompagnement' }, [M, L]],
  ['q: hyphen and elision read as spaces', { q: 'chantier-d’insertion' }, [R]],
  ['q: a word only in thématique labels (singular asked, plural stored)', { q: 'candidature' }, [R, L]],
  ['q: a word only in a label, with its accent', { q: 'Maîtriser' }, [N]],
  ['q: -word excludes', { q: 'accompagnement -permis' }, [L]],
  ['q: only stop words matches nothing', { q: 'le des' }, []],
  ['criteria combine: q and région', { q: 'accompagnement', codeRegion: '84' }, [L]],
];

const SERVICES = `query ($filter: ServiceFilter) { services(filter: $filter, first: 100) { totalCount nodes { id } } }`;

describe.each(ENGINES)('one filter semantics, SQL and in memory, on %s', (engine) => {
  let store: TestStore;
  let api: Awaited<ReturnType<typeof createTestApp>>;
  const communes = new Map<string, Commune>();

  beforeAll(async () => {
    store = await createTestStore(engine, { territories: true });
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services }, { now: fixture.NOW });
    for (const s of services) {
      await store.prisma.$executeRaw`UPDATE services SET updated_at = ${updatedAt(s.id)}, date_maj = ${dateMajOf(s.id)} WHERE id = ${s.id}`;
    }
    // The communes the in-memory path looks up: the records' and their parents'.
    const own = await store.prisma.commune.findMany({ where: { code: { in: services.map((s) => s.code_insee!) } } });
    const parents = await store.prisma.commune.findMany({ where: { code: { in: own.flatMap((c) => (c.parentCode ? [c.parentCode] : [])) } } });
    for (const c of [...own, ...parents]) communes.set(c.code, c);
    api = await createTestApp(store);
  });
  afterAll(async () => {
    await api?.stop();
    await store?.dispose();
  });

  /** Over HTTP, where read queries are compiled into one statement (src/graph/compiled-reads.ts). */
  const overHttp = async (query: string, filter: Record<string, unknown>) => {
    const response = await fetch(await api.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { filter } }),
    });
    expect(response.status).toBe(200);
    return response.json();
  };

  /** The in-memory path: the same records as a live partner's models, filtered as live lists filter them. */
  const inMemory = (input: Record<string, unknown>): string[] => {
    const filter = offerFilter(
      {
        ...input,
        ...(input.updatedSince ? { updatedSince: new Date(input.updatedSince as string) } : {}),
      } as ServiceFilter,
      'filter',
      { thresholds: DEFAULT_FRESHNESS, now: new Date() },
    );
    const reseaux = new Map(fixture.structures.map((s) => [s.id, s.reseaux_porteurs ?? []]));
    return services
      .map((record) => ({ ...serviceFromPartner(record, 'fixture-partner', fixture.NOW), updatedAt: updatedAt(record.id), dateMaj: dateMajOf(record.id) }))
      .filter((model) => serviceMatches(model, filter, (code) => communes.get(code), (id) => reseaux.get(id)))
      .map((model) => model.id)
      .sort();
  };

  test('the partner models carry the scores the store computed', async () => {
    const stored = await store.prisma.service.findMany({ select: { id: true, scoreQualite: true }, orderBy: { id: 'asc' } });
    const live = services.map((r) => serviceFromPartner(r, 'fixture-partner', fixture.NOW)).sort((a, b) => a.id.localeCompare(b.id));
    expect(live.map((s) => [s.id, s.scoreQualite])).toEqual(stored.map((s) => [s.id, s.scoreQualite]));
    expect(stored.map((s) => s.scoreQualite)).toEqual([0.56, 0.81, 0.71, 0.75, 0.5]);
  });

  test.each(CASES)('%s', async (_, filter, expected) => {
    // SQL, executed (resolvers and loaders)…
    const executed = await api.query(SERVICES, { filter });
    expect(executed.errors).toBeUndefined();
    expect(executed.data.services.nodes.map((n: { id: string }) => n.id)).toEqual(expected);
    expect(executed.data.services.totalCount).toBe(expected.length);
    // …and compiled (one statement over HTTP)…
    expect(await overHttp(SERVICES, filter)).toEqual({ data: executed.data });
    // …and in memory, as live partner records.
    expect(inMemory(filter)).toEqual(expected);
  });

  test.each([
    ['publics: tous-publics turns the service criterion off', { publics: ['tous-publics'] }, ['dora--paris-11', 'emplois-de-linclusion--roubaix', 'france-travail--lyon-3']],
    ['publics: a structure offering a tous-publics service matches any public', { publics: ['demandeurs-emploi'] }, ['dora--paris-11', 'france-travail--lyon-3']],
    ['publics with tous-publics among others', { publics: ['femmes', 'tous-publics'], codeRegion: '32' }, ['emplois-de-linclusion--roubaix']],
    // A structure's own date_maj (set below: Lyon 800 days old, the others 10).
    ['fraicheur: a structure’s own verdict', { fraicheur: ['STALE'] }, ['france-travail--lyon-3']],
    ['fraicheur: FRESH', { fraicheur: ['FRESH'] }, ['dora--paris-11', 'emplois-de-linclusion--roubaix']],
  ])('structures: %s', async (_, filter, expected) => {
    const query = `query ($filter: StructureFilter) { structures(filter: $filter) { totalCount nodes { id } } }`;
    const daysAgo = (days: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - days * 86_400_000);
    await store.prisma.$executeRaw`UPDATE structures SET date_maj = CASE WHEN id = 'france-travail--lyon-3' THEN ${daysAgo(800)}::date ELSE ${daysAgo(10)}::date END`;
    const executed = await api.query(query, { filter });
    expect(executed.errors).toBeUndefined();
    expect(executed.data.structures.nodes.map((n: { id: string }) => n.id)).toEqual(expected);
    expect(executed.data.structures.totalCount).toBe(expected.length);
    expect(await overHttp(query, filter)).toEqual({ data: executed.data });
  });
});
