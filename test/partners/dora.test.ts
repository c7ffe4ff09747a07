import { createLogger } from '../../src/logger';
import { isValue } from '../../src/domain/nomenclatures';
import { createConnector } from '../../src/partners';
import { mapService, mapStructure } from '../../src/partners/dora';
import {
  LABEL_NATIONAL_TO_RESEAU_PORTEUR,
  MODES_ORIENTATION_TO_MOBILISATION,
  MODE_MOBILISATION_FROM_LIENS,
  TYPES_TO_TYPE,
  TYPOLOGIE_TO_RESEAU_PORTEUR,
} from '../../src/partners/dora-mappings';
import type { PartnerConfig } from '../../src/partners/types';
import type { ServiceRecord } from '../../src/domain/validation';
import { scoreService } from '../../src/quality/score';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/dora';

const partner: PartnerConfig = {
  id: 'dora',
  type: 'dora',
  baseUrl: 'https://api.dora.inclusion.gouv.fr',
  token: 'secret',
  live: true,
  sources: ['dora'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

function route(extra: Record<string, unknown>) {
  return (path: string, init?: Init): unknown => {
    const page = Number(init?.query?.page ?? 1);
    if (path === '/api/v2/structures/') return fx.structuresPages[page - 1];
    if (path === '/api/v2/services/') return fx.servicesPages[page - 1];
    const service = /^\/api\/v2\/services\/([^/]+)\/$/.exec(path);
    if (service) {
      const id = decodeURIComponent(service[1]);
      if (id.startsWith('genere-')) return { ...fx.serviceEpicerie, id };
      return extra[id] ?? fx.servicesById[id];
    }
    const structure = /^\/api\/v2\/structures\/([^/]+)\/$/.exec(path);
    if (structure) {
      const id = decodeURIComponent(structure[1]);
      return extra[id] ?? fx.structuresById[id];
    }
    return undefined;
  };
}

/** A connector over the fixtures; `extra` adds payloads served by id (`/api/v2/{services,structures}/{id}/`). */
function setup(delayMs = 0, extra: Record<string, unknown> = {}) {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transport = new FakeTransport('dora', route(extra), delayMs);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

/** The mapped, validated services for payloads derived from the fixtures (each given its own id). */
async function services(...payloads: Record<string, unknown>[]): Promise<ServiceRecord[]> {
  const extra = Object.fromEntries(payloads.map((payload, i) => [`variante-${i}`, { ...payload, id: `variante-${i}` }]));
  return setup(0, extra).connector.servicesByIds(payloads.map((_, i) => `dora--variante-${i}`));
}
async function service(payload: Record<string, unknown>): Promise<ServiceRecord> {
  const [record] = await services(payload);
  expect(record).toBeDefined();
  return record;
}
async function structure(payload: Record<string, unknown>) {
  const { connector } = setup(0, { variante: { ...payload, id: 'variante' } });
  const [record] = await connector.structuresByIds(['dora--variante']);
  expect(record).toBeDefined();
  return record;
}

const ML = `dora--${fx.structureMissionLocale.id}`;
const JEUNES = `dora--${fx.serviceJeunes.id}`;
const EPICERIE = `dora--${fx.serviceEpicerie.id}`;
const VELO = `dora--${fx.serviceVelo.id}`;

describe('Dora connector: a realistic page, every v1 field', () => {
  it('maps a structure (typologie and labels through data·inclusion’s tables, horaires_ouverture kept)', async () => {
    const { connector } = setup();
    const page = await connector.page();
    expect(page.structures[0]).toEqual({
      source: 'dora',
      id: ML,
      nom: 'Mission locale de Lille',
      // 08:15Z is 10:15 in Paris
      date_maj: '2025-09-01',
      description: 'La Mission locale accueille les jeunes de 16 à 25 ans sortis du système scolaire : emploi, formation, logement, santé.',
      lien_source: 'https://dora.inclusion.gouv.fr/structures/mission-locale-de-li',
      siret: '41234567800017',
      commune: 'Lille',
      code_postal: '59000',
      code_insee: '59350',
      adresse: '7 rue Gustave Delory',
      complement_adresse: '2e étage',
      longitude: 3.0631,
      latitude: 50.6348,
      telephone: '03 20 00 00 01',
      courriel: 'contact@ml-lille.example.org',
      site_web: 'https://www.ml-lille.example.org',
      // int_dora__structures_v1.sql keeps horaires_ouverture
      horaires_accueil: 'Mo-Fr 09:00-12:00,13:30-17:30; "Fermé le jeudi après-midi"',
      accessibilite_lieu: 'https://acceslibre.beta.gouv.fr/app/59-lille/a/mission-locale/erp/ml-lille/',
      // typologie ML + labels mission-locale, conseiller-numerique; apec is NULL in the labels table
      reseaux_porteurs: ['conseillers-numeriques', 'mission-locale'],
    });
    expect(page.structures[1]).toEqual({
      source: 'dora',
      id: `dora--${fx.structureCcas.id}`,
      nom: 'CCAS de Roubaix',
      date_maj: '2025-03-11',
      description: 'Action sociale de la ville de Roubaix.',
      lien_source: 'https://dora.inclusion.gouv.fr/structures/ccas-de-roubaix',
      commune: 'Roubaix',
      code_postal: '59100',
      code_insee: '59512',
      adresse: '17 Grand-Place',
      longitude: 3.1746,
      latitude: 50.6909,
      reseaux_porteurs: ['ccas-cias'],
    });
  });

  it('maps a service whose contacts are not public: scored with them, then without them', async () => {
    const { connector } = setup();
    const [jeunes] = await connector.servicesByIds([JEUNES]);
    const withContacts = { ...jeunes, telephone: '03 20 00 00 02', courriel: 'camille.martin@ml-lille.example.org' };
    expect(jeunes).toEqual({
      source: 'dora',
      id: JEUNES,
      structure_id: ML,
      nom: 'Accompagnement vers l’emploi des jeunes',
      // presentation_detail is null: presentation_resume
      description: 'Un conseiller vous accompagne dans votre recherche d’emploi ou de formation.',
      // 21:25Z is 23:25 in Paris, still the 14th
      date_maj: '2025-09-14',
      lien_source: 'https://dora.inclusion.gouv.fr/services/accompagnement-vers-lemploi-des-jeunes',
      type: 'accompagnement',
      thematiques: ['choisir-un-metier--confirmer-son-choix-de-metier', 'trouver-un-emploi--repondre-a-des-offres-demploi'],
      frais: 'gratuit',
      frais_precisions: 'Adhésion annuelle de 5 €',
      publics: ['demandeurs-emploi', 'jeunes'],
      publics_precisions: 'De 16 à 25 ans',
      conditions_acces: 'Avoir entre 16 et 25 ans\nPièce d’identité\nJustificatif de domicile',
      commune: 'Lille',
      code_postal: '59000',
      code_insee: '59350',
      adresse: '7 rue Gustave Delory',
      longitude: 3.0631,
      latitude: 50.6348,
      // contact_public: false → no telephone, courriel, contact_nom_prenom
      modes_accueil: ['a-distance', 'en-presentiel'],
      // région 32 (Hauts-de-France) → its départements
      zone_eligibilite: ['02', '59', '60', '62', '80'],
      // prise_rdv blank → formulaire_en_ligne
      lien_mobilisation: 'https://ml-lille.example.org/inscription',
      // telephoner, se-presenter (bénéficiaire; autre → nothing); fiche de prescription → courriel and
      // formulaire d'adhésion → lien (accompagnateur); formulaire_en_ligne → lien
      modes_mobilisation: ['envoyer-un-courriel', 'se-presenter', 'telephoner', 'utiliser-lien-mobilisation'],
      mobilisable_par: ['usagers', 'professionnels'],
      mobilisation_precisions: 'Permanence au lycée le mercredi',
      volume_horaire_hebdomadaire: 3,
      nombre_semaines: 12,
      // recurrence is not horaires_accueil (data·inclusion leaves it NULL)
      score_qualite: scoreService(withContacts),
    });
  });

  it('maps a service with public contacts, tous-publics, payant and a rendez-vous link', async () => {
    const { connector } = setup();
    const [epicerie] = await connector.servicesByIds([EPICERIE]);
    expect(epicerie).toEqual({
      source: 'dora',
      id: EPICERIE,
      structure_id: `dora--${fx.structureCcas.id}`,
      nom: 'Épicerie solidaire',
      description: 'Produits alimentaires et d’hygiène à 10 % du prix, sur orientation d’un travailleur social.',
      date_maj: '2025-05-05',
      lien_source: 'https://dora.inclusion.gouv.fr/services/epicerie-solidaire',
      type: 'aide-materielle',
      thematiques: ['equipement-et-alimentation--alimentation'],
      frais: 'payant',
      frais_precisions: '10 % du prix public',
      publics: ['tous-publics'],
      commune: 'Roubaix',
      code_postal: '59100',
      code_insee: '59512',
      adresse: '17 Grand-Place',
      longitude: 3.1746,
      latitude: 50.6909,
      telephone: '03 20 00 00 03',
      courriel: 'epicerie@ccas-roubaix.example.org',
      contact_nom_prenom: 'Accueil CCAS',
      modes_accueil: ['en-presentiel'],
      zone_eligibilite: ['59512'],
      lien_mobilisation: 'https://ccas-roubaix.example.org/rdv',
      modes_mobilisation: ['envoyer-un-courriel', 'utiliser-lien-mobilisation'],
      mobilisable_par: ['professionnels'],
    });
  });
});

describe('Dora connector: the defects of the v0-era mapping (issue 9)', () => {
  it('frais is one v1 string (a legacy list still yields its v1 value; anything else nothing)', async () => {
    const [gratuit, payant, legacy, unknown] = await services(
      fx.serviceJeunes,
      fx.serviceEpicerie,
      { ...fx.serviceEpicerie, frais: ['adhesion', 'payant'] },
      { ...fx.serviceEpicerie, frais: 'adhesion' },
    );
    expect([gratuit.frais, payant.frais, legacy.frais, unknown.frais]).toEqual(['gratuit', 'payant', 'payant', undefined]);
  });

  it('publics and publics_precisions are read; [] or every public is tous-publics; profils is ignored', async () => {
    const every = ['actifs', 'beneficiaires-des-minimas-sociaux', 'demandeurs-emploi', 'etudiants', 'familles', 'femmes', 'jeunes', 'personnes-en-situation-de-handicap', 'personnes-en-situation-durgence', 'personnes-en-situation-juridique-specifique', 'personnes-exilees', 'residents-qpv-frr', 'seniors'];
    const [velo, none, all, mixed, profilsOnly] = await services(
      fx.serviceVelo,
      { ...fx.serviceVelo, publics: [] },
      { ...fx.serviceVelo, publics: every },
      { ...fx.serviceVelo, publics: ['femmes', 'tous-publics'] },
      { ...fx.serviceVelo, publics: undefined, profils: ['jeunes-16-26'], profils_precisions: 'Jeunes' },
    );
    expect(velo.publics).toEqual(['beneficiaires-des-minimas-sociaux', 'personnes-en-situation-durgence']);
    expect(none.publics).toEqual(['tous-publics']);
    expect(all.publics).toEqual(['tous-publics']);
    expect(mixed.publics).toEqual(['tous-publics']);
    expect(profilsOnly.publics).toBeUndefined();
    expect(profilsOnly.publics_precisions).toBeUndefined();
    const [jeunes] = await services(fx.serviceJeunes);
    expect(jeunes.publics_precisions).toBe('De 16 à 25 ans');
  });

  it('typologie → reseaux_porteurs follows data·inclusion’s table (the 17 codes it maps, its 4 differences)', async () => {
    const reseaux = (typologie: string, labels: string[] = []) =>
      mapStructure({ ...fx.structureCcas, typologie, labels_nationaux: labels }).reseaux_porteurs;
    const expected: Record<string, string[]> = {
      ACIPHC: ['aci'],
      CC: ['ccas-cias'],
      CDAS: ['departements'],
      CS: ['fcsf'],
      CSC: ['fcsf'],
      DEETS: ['regions'],
      ENM: ['espaces-publics-numeriques'],
      EPCI: ['communes'],
      EPI: ['espaces-publics-numeriques'],
      EVS: ['caf'],
      FAIS: ['federation-des-acteurs-de-la-solidarite'],
      MDEF: ['maisons-de-l-emploi'],
      MQ: ['communes'],
      PREF: ['regions'],
      RFS: ['france-service'],
      UDAF: ['departements'],
      // the four the hand-written table had otherwise
      AI: [],
      EA: ['unea'],
      EATT: ['unea'],
      RESSOURCERIE: [],
      ASSO: [],
      INCONNU: [],
    };
    expect(Object.fromEntries(Object.keys(expected).map((code) => [code, reseaux(code)]))).toEqual(expected);
    // labels: only the table (la-ressourcerie is NULL there; a label spelt like a réseau is not enough)
    expect(reseaux('ASSO', ['la-ressourcerie', 'ressourceries', 'bge', 'aptic'])).toEqual(['reseau-bge', 'ressourceries']);
    expect((await structure(fx.structureAsso)).reseaux_porteurs).toEqual(['wimoov']);
  });

  it('modes_mobilisation follow _map_dora__modes_mobilisation.sql, plus the link mode whenever a link is set', async () => {
    const modes = (beneficiaire: string[], accompagnateur: string[], links: { prise_rdv?: string; formulaire_en_ligne?: string | null } = {}) =>
      mapService({ ...fx.serviceEpicerie, prise_rdv: '', formulaire_en_ligne: null, ...links, modes_orientation_beneficiaire: beneficiaire, modes_orientation_accompagnateur: accompagnateur }).modes_mobilisation;
    expect(modes(['prendre-rdv'], [])).toEqual(['envoyer-un-courriel', 'utiliser-lien-mobilisation']);
    expect(modes([], ['prendre-rdv'])).toEqual(['envoyer-un-courriel', 'utiliser-lien-mobilisation']);
    expect(modes([], ['completer-le-formulaire-dadhesion'])).toEqual(['utiliser-lien-mobilisation']);
    expect(modes(['se-presenter'], [], { formulaire_en_ligne: 'https://example.org/f' })).toEqual(['se-presenter', 'utiliser-lien-mobilisation']);
    expect(modes(['telephoner'], [], { prise_rdv: 'https://example.org/rdv' })).toEqual(['telephoner', 'utiliser-lien-mobilisation']);
    // se-presenter is a bénéficiaire mode only; autre maps to nothing; `professionnel` is dropped as a bénéficiaire mode
    expect(modes(['autre'], ['se-presenter', 'autre'])).toEqual([]);
    expect(mapService({ ...fx.serviceEpicerie, modes_orientation_beneficiaire: ['professionnel'] }).mobilisable_par).toEqual(['professionnels']);
  });

  it('services have no horaires_accueil (recurrence is not OSM opening hours); structures keep horaires_ouverture', async () => {
    const jeunes = await service({ ...fx.serviceJeunes, recurrence: 'Mo-Fr 09:00-17:00' });
    expect(jeunes).not.toHaveProperty('horaires_accueil');
    expect((await structure(fx.structureMissionLocale)).horaires_accueil).toBe('Mo-Fr 09:00-12:00,13:30-17:30; "Fermé le jeudi après-midi"');
  });

  it('long names and descriptions are cut, not dropped; trailing dots are cleaned as data·inclusion does', async () => {
    const longName = `Atelier ${'très '.repeat(40)}long`;
    const longText = 'é'.repeat(12000);
    const exactly = 'a'.repeat(10000);
    const [long, tenThousand, dot, dots, etc] = await services(
      { ...fx.serviceEpicerie, nom: longName, presentation_detail: longText },
      { ...fx.serviceEpicerie, presentation_detail: exactly },
      { ...fx.serviceEpicerie, nom: 'Atelier CV.' },
      { ...fx.serviceEpicerie, nom: 'Atelier CV...' },
      { ...fx.serviceEpicerie, nom: 'Aides, conseils, etc.' },
    );
    expect(long.nom).toBe(`${[...longName].slice(0, 149).join('')}…`);
    expect([...long.nom].length).toBe(150);
    expect(long.description).toBe(`${'é'.repeat(9999)}…`);
    // LENGTH >= 10000: a description of exactly 10000 characters is cut too
    expect(tenThousand.description).toBe(`${'a'.repeat(9999)}…`);
    expect([dot.nom, dots.nom, etc.nom]).toEqual(['Atelier CV', 'Atelier CV…', 'Aides, conseils, etc.']);
    const longStructure = await structure({ ...fx.structureCcas, nom: `Centre ${'x'.repeat(250)}...`, presentation_detail: longText });
    expect(longStructure.nom).toBe(`Centre ${'x'.repeat(142)}…`);
    expect(longStructure.description).toBe(`${'é'.repeat(9999)}…`);
    expect((await structure({ ...fx.structureCcas, nom: 'CCAS de Roubaix..' })).nom).toBe('CCAS de Roubaix');
  });

  it('contact_public false: the score is the one of the same service with its contacts, and no contact is served', async () => {
    const [hidden, shown] = await services(fx.serviceJeunes, { ...fx.serviceJeunes, contact_public: true });
    expect(shown).toMatchObject({ telephone: '03 20 00 00 02', courriel: 'camille.martin@ml-lille.example.org', contact_nom_prenom: 'Camille Martin' });
    expect(shown).not.toHaveProperty('score_qualite');
    expect(hidden.score_qualite).toBe(scoreService(shown));
    // without contacts the score would be lower (telephone_bien_defini, courriel_bien_defini)
    expect(scoreService(hidden)).toBeLessThan(hidden.score_qualite!);
    for (const field of ['telephone', 'courriel', 'contact_nom_prenom']) expect(hidden).not.toHaveProperty(field);
    const text = JSON.stringify(hidden);
    for (const value of ['03 20 00 00 02', 'camille.martin', 'Camille Martin']) expect(text).not.toContain(value);
  });

  it('zone_eligibilite and the other fields data·inclusion computes', async () => {
    const zone = (type: string | null, code: string | null, codeInsee = '59599') =>
      mapService({ ...fx.serviceVelo, zone_diffusion_type: type, zone_diffusion_code: code, code_insee: codeInsee }).zone_eligibilite;
    expect(zone('region', '32')).toEqual(['02', '59', '60', '62', '80']);
    expect(zone('region', '94')).toEqual(['2A', '2B']);
    expect(zone('pays', null)).toEqual(['france']);
    expect(zone('epci', '200093201')).toEqual(['200093201']);
    expect(zone('departement', '59')).toEqual(['59']);
    // data·inclusion takes the code whatever the type
    expect(zone(null, '59599')).toEqual(['59599']);
    // Passerelle's own fallbacks when the code is blank (data·inclusion leaves the zone empty)
    expect(zone('commune', '')).toEqual(['59599']);
    expect(zone('departement', '', '97411')).toEqual(['974']);
    expect(zone('region', '')).toBeUndefined();
    // both texts: data·inclusion's `a || ' ' || b`; one alone is kept (data·inclusion's SQL gives NULL)
    const precisions = (beneficiaire: string, accompagnateur: string) =>
      mapService({ ...fx.serviceVelo, modes_orientation_beneficiaire_autres: beneficiaire, modes_orientation_accompagnateur_autres: accompagnateur }).mobilisation_precisions;
    expect(precisions('Sur place', 'Par courriel')).toBe('Sur place Par courriel');
    expect(precisions('', 'Par courriel')).toBe('Par courriel');
    expect(precisions('', '')).toBeUndefined();
    // a service without a type; weeks as integers ≥ 1
    const velo = await service({ ...fx.serviceVelo, temps_passe_semaines: 0, temps_passe_duree_hebdomadaire: 2 });
    expect(velo).not.toHaveProperty('type');
    expect(velo).not.toHaveProperty('nombre_semaines');
    expect(velo.volume_horaire_hebdomadaire).toBe(2);
  });

  it('thématiques: v1 values pass through (sorted); --autre and stale v0 values are dropped, not converted', async () => {
    const velo = await service({
      ...fx.serviceVelo,
      thematiques: [
        'mobilite--mobilite-douce-partagee-collective',
        'mobilite--autre',
        'mobilite--acheter-un-velo',
        'numerique--prendre-en-main-un-ordinateur',
        'mobilite--entretenir-reparer-son-vehicule',
      ],
    });
    expect(velo.thematiques).toEqual(['mobilite--entretenir-reparer-son-vehicule', 'mobilite--mobilite-douce-partagee-collective']);
  });

  it('data·inclusion’s tables are transcribed whole and target only v1 values', () => {
    expect(Object.keys(TYPOLOGIE_TO_RESEAU_PORTEUR)).toHaveLength(93);
    expect(Object.values(TYPOLOGIE_TO_RESEAU_PORTEUR).filter(Boolean)).toHaveLength(66);
    expect(Object.keys(LABEL_NATIONAL_TO_RESEAU_PORTEUR)).toHaveLength(86);
    const targets = (values: readonly (string | null)[]) => values.filter((value): value is string => !!value);
    for (const value of targets([...Object.values(TYPOLOGIE_TO_RESEAU_PORTEUR), ...Object.values(LABEL_NATIONAL_TO_RESEAU_PORTEUR)])) {
      expect([value, isValue('reseaux_porteurs', value)]).toEqual([value, true]);
    }
    const modes = [
      ...Object.values(MODES_ORIENTATION_TO_MOBILISATION.beneficiaire),
      ...Object.values(MODES_ORIENTATION_TO_MOBILISATION.accompagnateur),
    ].flatMap((list) => list ?? []);
    for (const value of [...modes, MODE_MOBILISATION_FROM_LIENS]) expect([value, isValue('modes_mobilisation', value)]).toEqual([value, true]);
    for (const [, type] of TYPES_TO_TYPE) expect([type, isValue('types_services', type)]).toEqual([type, true]);
  });
});

describe('Dora connector: API calls', () => {
  it('walks structures then services with page(mark) until no next, dropping malformed records with a logged reason', async () => {
    const { connector, transport, logs } = setup();
    const seen: { structures: string[]; services: string[]; next?: string }[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      seen.push({ structures: page.structures.map((s) => s.id), services: page.services.map((s) => s.id), next: page.next });
      mark = page.next;
    } while (mark);
    expect(seen).toEqual([
      { structures: [ML, `dora--${fx.structureCcas.id}`], services: [], next: 'structures:2' },
      // the association has no presentation → no description (optional on structures); the malformed one is dropped
      { structures: [`dora--${fx.structureAsso.id}`], services: [], next: 'services:1' },
      { structures: [], services: [JEUNES, EPICERIE, VELO], next: undefined },
    ]);
    expect(transport.calls).toEqual([
      { path: '/api/v2/structures/', init: { query: { page: 1, page_size: 1000, o: 'creation_date' } } },
      { path: '/api/v2/structures/', init: { query: { page: 2, page_size: 1000, o: 'creation_date' } } },
      { path: '/api/v2/services/', init: { query: { page: 1, page_size: 1000, o: 'creation_date' } } },
    ]);
    expect(logs.filter((log) => log.msg === 'partner record dropped').map((log) => [log.partner, log.id])).toEqual([
      ['dora', `dora--${fx.structureMalformed.id}`],
      ['dora', `dora--${fx.serviceMalformed.id}`],
    ]);
    const dropped = logs.filter((log) => log.msg === 'partner record dropped');
    expect(dropped[0].errors.map((e: { field: string }) => e.field)).toEqual(['nom', 'date_maj']);
    expect(dropped[1].errors).toEqual([
      { field: 'description', message: 'description is required' },
      { field: 'courriel', message: 'courriel must be an e-mail address' },
    ]);
    expect(JSON.stringify(logs)).not.toContain('pas-une-adresse');
    const { structures } = await connector.page('structures:2');
    expect(structures[0]).not.toHaveProperty('description');
  });

  it('servicesByIds: one GET /api/v2/services/{id}/ per Dora id, at most 4 in flight', async () => {
    const { connector, transport } = setup(5);
    const ids = [
      EPICERIE,
      'soliguide--4521', // not a Dora id: not asked
      'dora--inconnu',
      ...Array.from({ length: 8 }, (_, i) => `dora--genere-${i}`),
    ];
    const records = await connector.servicesByIds(ids);
    expect(transport.calls.map((call) => call.path)).toEqual([
      `/api/v2/services/${fx.serviceEpicerie.id}/`,
      '/api/v2/services/inconnu/',
      ...Array.from({ length: 8 }, (_, i) => `/api/v2/services/genere-${i}/`),
    ]);
    expect(records).toHaveLength(9);
    expect(transport.maxInFlight).toBe(4);
  });

  it('structuresByIds: GET /api/v2/structures/{id}/', async () => {
    const { connector, transport } = setup();
    const structures = await connector.structuresByIds([`dora--${fx.structureCcas.id}`, `dora--${fx.structureMalformed.id}`]);
    expect(structures.map((s) => s.id)).toEqual([`dora--${fx.structureCcas.id}`]);
    expect(transport.calls.map((call) => call.path)).toEqual([
      `/api/v2/structures/${fx.structureCcas.id}/`,
      `/api/v2/structures/${fx.structureMalformed.id}/`,
    ]);
  });

  it('listServices walks the pages, each filtered by the list\'s keep (Dora has no filters)', async () => {
    const { connector } = setup();
    const all = (await connector.listServices({ limit: 100 })).map((s) => s.id);
    const seen: string[] = [];
    // A stub: what a live list keeps is src/store/offer-filter.ts's, given by the loader (src/loaders/live-services.ts).
    const keep = async (records: ServiceRecord[]) => {
      seen.push(...records.map((r) => r.id));
      return records.filter((r) => r.id === VELO);
    };
    const kept = await connector.listServices({ thematiques: ['mobilite'], codeDepartement: '59', limit: 10, keep });
    expect(kept.map((s) => s.id)).toEqual([VELO]);
    expect(seen).toEqual(all);
    expect((await connector.listServices({ limit: 1, keep: async (records) => records })).map((s) => s.id)).toEqual(all.slice(0, 1));
    expect(await connector.listServices({ sources: ['soliguide'], limit: 10 })).toEqual([]);
  });
});
