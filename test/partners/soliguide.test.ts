import { createLogger } from '../../src/logger';
import { isValue } from '../../src/domain/nomenclatures';
import { createConnector } from '../../src/partners';
import {
  SEARCH_SORT,
  cleanName,
  htmlToText,
  mapPlace,
  mapPlaceService,
  mapPublics,
  placePhone,
  streetAddress,
} from '../../src/partners/soliguide';
import {
  DI_LABELS,
  DI_PUBLICS,
  DI_RESEAUX_PORTEURS,
  DI_THEMATIQUES,
  DI_TYPES,
  PASSERELLE_THEMATIQUES,
  labelOf,
  thematiquesOf,
  typeOf,
} from '../../src/partners/soliguide-mappings';
import { toOsmOpeningHours } from '../../src/partners/soliguide-hours';
import type { PartnerConfig } from '../../src/partners/types';
import type { ServiceRecord } from '../../src/domain/validation';
import { FakeTransport, type Init } from './fake-transport';
import * as fx from './fixtures/soliguide';

const partner: PartnerConfig = {
  id: 'soliguide',
  type: 'soliguide',
  baseUrl: 'https://api.soliguide.fr',
  token: 'secret',
  live: false,
  sources: ['soliguide'],
  cacheTtlSeconds: 60,
  timeoutMs: 1000,
};

function route(path: string, init?: Init): unknown {
  if (path === '/new-search' && init?.method === 'POST') {
    const body = init.body as { options: { page: number } };
    return fx.searchPages[body.options.page - 1] ?? { places: [], nbResults: 1004 };
  }
  const place = /^\/place\/(\d+)$/.exec(path);
  if (place) {
    const id = place[1];
    if (Number(id) >= 7000 && Number(id) < 7100) return { ...fx.placeBagagerie, lieu_id: Number(id), services_all: [] };
    return fx.placesById[id];
  }
  return undefined;
}

function setup(delayMs = 0, routes = route) {
  const logs: Record<string, any>[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transport = new FakeTransport('soliguide', routes, delayMs);
  return { logs, transport, connector: createConnector(partner, transport, logger) };
}

const RESTOS_DESCRIPTION = 'Distribution de repas et accompagnement des personnes en difficulté.\n\n- Repas chauds\n- Colis';
const RESTOS_HOURS =
  'Mo 11:30-13:30 open, Tu 11:30-13:30 open, We 11:30-13:30 open, Th 11:30-13:30 open, Fr 08:30-12:00,14:00-17:30 open, Sa closed, Su closed; PH closed';
const RESTOS_ADDRESS = {
  commune: 'Lille',
  code_postal: '59000',
  code_insee: '59350',
  adresse: '12 rue de Douai',
  complement_adresse: 'Entrée par la cour',
  longitude: 3.0712,
  latitude: 50.6229,
};

/** The 134 current codes of solinumasso/soliguide @ ef581c26 packages/common/src/categories/enums/Categories.enum.ts. */
const SOLIGUIDE_CATEGORIES = `health health_access health_coverage find_healthcare physical_health general_practitioner health_assessment
  child_care dental_care optical_care hearing_care infirmary vaccination std_testing chronic_diseases nutrition
  medical_accommodation mental_health psychological_support psychiatry support_groups mental_health_education
  therapeutic_activities addictions addiction_care addiction_prevention_and_material sexual_health
  emergency_contraception abortion contraception gynecology sti_prevention_testing hiv_prevention
  sexual_health_vaccination sexual_health_education sexual_violence_support affective_life parenthood
  pregnancy_care health_specialists allergology cardiology dermatology endocrinology gastroenterology
  kinesitherapy otorhinolaryngology speech_therapy osteopathy pedicure phlebology pneumology radiology
  rheumatology stomatology urology vet_care neurology vascular_surgery mobility transportation_mobility
  personal_vehicle_access vehicle_maintenance mobility_support driving_license mobility_financing
  training_and_jobs digital_tools_training french_course catalan_course spanish_course job_coaching
  integration_through_economic_activity tutoring hygiene_and_wellness shower laundry wellness toilets
  hygiene_products face_masks counseling legal_advice domiciliation social_accompaniment public_writer
  disability_advice administrative_assistance parent_assistance budget_advice technology
  computers_at_your_disposal wifi electrical_outlets_available telephone_at_your_disposal digital_safe food
  food_distribution food_packages social_grocery_stores fountain solidarity_fridge shared_kitchen
  cooking_workshop baby_parcel food_voucher community_garden welcome day_hosting rest_area babysitting
  family_area information_point activities sport_activities museums libraries other_activities equipment
  luggage_storage solidarity_store clothing animal_assitance accomodation_and_housing overnight_stop
  emergency_accommodation long_term_accomodation citizen_housing access_to_housing hairdresser legal_protection
  regularization cooling_space climate_refuge`.split(/\s+/);

/** Soliguide's roots (CATEGORIES.const.ts ROOT_CATEGORIES) and the two codes DI knows but leaves without thématique. */
const WITHOUT_THEMATIQUE_BY_DI = [
  'welcome', 'activities', 'food', 'counseling', 'training_and_jobs', 'accomodation_and_housing', 'hygiene_and_wellness',
  'equipment', 'health', 'technology', 'psychiatry', 'hairdresser',
];

const MISSING_FROM_DI = [
  'health_access', 'physical_health', 'mental_health', 'addictions', 'sexual_health', 'parenthood', 'neurology',
  'vascular_surgery', 'mobility', 'catalan_course', 'spanish_course', 'legal_protection', 'regularization',
  'cooling_space', 'climate_refuge',
];

describe('Soliguide connector: a realistic page, every v1 field', () => {
  it('maps a place to a structure (deep equality on the whole record)', async () => {
    const { connector } = setup();
    const page = await connector.page();
    expect(page.structures.map((s) => s.id)).toEqual(['soliguide--4521']);
    expect(page.structures[0]).toEqual({
      source: 'soliguide',
      id: 'soliguide--4521',
      // DI's name cleaning: the trailing "." goes
      nom: 'Restos du Cœur – Lille Moulins',
      // DI's date: the UTC date of the timestamp (22:30Z stays on the 2nd)
      date_maj: '2025-10-02',
      description: `Information temporaire : Pas de distribution le 24 décembre\n\n${RESTOS_DESCRIPTION}`,
      lien_source: 'https://soliguide.fr/fr/fiche/restos-du-coeur-lille-moulins-4521',
      ...RESTOS_ADDRESS,
      // entity.phones, the "Accueil" one before the longer mobile
      telephone: '03 20 11 22 33',
      courriel: 'lille.moulins@restos.example.org',
      site_web: 'https://www.restosducoeur.org',
      horaires_accueil: RESTOS_HOURS,
      reseaux_porteurs: ['restos-du-coeur'],
    });
  });

  it('maps services_all to services (deep equality on whole records); ids are soliguide--<serviceObjectId>', async () => {
    const { connector } = setup();
    const page = await connector.page();
    // aa03 (shower) has no thématique in data·inclusion's table: left out, as DI does
    expect(page.services.map((s) => s.id)).toEqual([
      'soliguide--64a1f0c2b3d4e5f60123aa01',
      'soliguide--64a1f0c2b3d4e5f60123aa02',
      'soliguide--64a1f0c2b3d4e5f60123aa04',
    ]);
    const [repas, juridique, francais] = page.services;
    const common = {
      source: 'soliguide',
      structure_id: 'soliguide--4521',
      date_maj: '2025-10-02',
      lien_source: 'https://soliguide.fr/fr/fiche/restos-du-coeur-lille-moulins-4521',
      ...RESTOS_ADDRESS,
      telephone: '03 20 11 22 33',
      courriel: 'lille.moulins@restos.example.org',
      modes_accueil: ['en-presentiel'],
      zone_eligibilite: ['59'],
    };
    expect(repas).toEqual({
      ...common,
      id: 'soliguide--64a1f0c2b3d4e5f60123aa01',
      nom: 'Distribution de repas',
      description: `Repas chauds du lundi au vendredi, de 11h30 à 13h30.\n\nAttention, la structure est très sollicitée pour ce service.\n\n${RESTOS_DESCRIPTION}`,
      type: 'aide-materielle',
      thematiques: ['equipement-et-alimentation--alimentation'],
      frais: 'gratuit',
      // accueil 0: unconditional welcome
      publics: ['tous-publics'],
      modes_mobilisation: ['envoyer-un-courriel', 'telephoner', 'se-presenter'],
      mobilisable_par: ['professionnels', 'usagers'],
      horaires_accueil: RESTOS_HOURS,
    });
    expect(juridique).toEqual({
      ...common,
      id: 'soliguide--64a1f0c2b3d4e5f60123aa02',
      nom: 'Permanence juridique',
      description: `Permanence d'un juriste bénévole,\nsur rendez-vous.\n\n${RESTOS_DESCRIPTION}`,
      type: 'accompagnement',
      thematiques: [
        'difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire',
        'difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination',
        'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits',
      ],
      frais: 'payant',
      frais_precisions: '2 € la consultation',
      // accueil 2 (exclusive): asylum/refugee, women, violence; the family dimension lists every value
      publics: ['personnes-exilees', 'femmes', 'personnes-en-situation-durgence'],
      publics_precisions: 'L’âge minimum est de 18 ans. L’âge maximum est de 25 ans. Jeunes femmes exilées victimes de violences',
      conditions_acces: 'Apporter une pièce d’identité',
      modes_mobilisation: ['envoyer-un-courriel', 'telephoner'],
      mobilisable_par: ['professionnels'],
      mobilisation_precisions: 'Prendre rendez-vous par téléphone\n\nSur orientation d’un travailleur social',
      horaires_accueil:
        'Mo closed, Tu 14:00-17:00 open, We closed, Th 09:30-12:00,14:00-17:00 open, Fr closed, Sa closed, Su closed; Sauf vacances scolaires',
    });
    expect(francais).toEqual({
      ...common,
      id: 'soliguide--64a1f0c2b3d4e5f60123aa04',
      nom: 'Cours de français',
      // no description of its own: the closure notice and the place's description
      description: `Ce service est fermé temporairement depuis le 15/06/2026.\n\n${RESTOS_DESCRIPTION}`,
      type: 'formation',
      thematiques: ['lecture-ecriture-calcul--maitriser-le-francais'],
      frais: 'gratuit',
      publics: ['tous-publics'],
      modes_mobilisation: ['envoyer-un-courriel', 'telephoner', 'se-presenter'],
      mobilisable_par: ['professionnels', 'usagers'],
      horaires_accueil: 'closed "fermeture temporaire"',
    });
  });

  it('a place on orientation, preferential, temporarily closed, without contacts (page 2)', async () => {
    const { connector } = setup();
    const page = await connector.page('places:2');
    expect(page.structures).toEqual([
      {
        source: 'soliguide',
        id: 'soliguide--9876',
        nom: 'Bagagerie solidaire de Roubaix',
        date_maj: '2025-04-10',
        description: 'Consigne gratuite pour les personnes sans domicile.',
        lien_source: 'https://soliguide.fr/fr/fiche/bagagerie-solidaire-roubaix-9876',
        commune: 'Roubaix',
        code_postal: '59100',
        code_insee: '59512',
        longitude: 3.1746,
        latitude: 50.6909,
        horaires_accueil: 'closed "fermeture temporaire"',
      },
    ]);
    expect(page.services).toEqual([
      {
        source: 'soliguide',
        structure_id: 'soliguide--9876',
        id: 'soliguide--64a1f0c2b3d4e5f60123bb02',
        nom: 'Vêtements',
        description: 'Vestiaire solidaire le mercredi.\n\nConsigne gratuite pour les personnes sans domicile.',
        date_maj: '2025-04-10',
        lien_source: 'https://soliguide.fr/fr/fiche/bagagerie-solidaire-roubaix-9876',
        type: 'aide-materielle',
        thematiques: ['equipement-et-alimentation--habillement'],
        frais: 'gratuit',
        // accueil 1 (preferential: women first, everyone welcome)
        publics: ['tous-publics'],
        commune: 'Roubaix',
        code_postal: '59100',
        code_insee: '59512',
        longitude: 3.1746,
        latitude: 50.6909,
        modes_accueil: ['en-presentiel'],
        zone_eligibilite: ['59'],
        modes_mobilisation: ['envoyer-un-courriel', 'telephoner'],
        mobilisable_par: ['professionnels'],
        horaires_accueil: 'closed "fermeture temporaire"',
      },
    ]);
    expect(page.next).toBeUndefined();
  });

  it('drops places from Dora silently and malformed places with a logged reason; no contact in logs', async () => {
    const { connector, logs } = setup();
    await connector.page();
    expect(logs.map((log) => [log.msg, log.partner, log.id])).toEqual([['partner record dropped', 'soliguide', 'soliguide--4523']]);
    expect(logs[0].errors.map((e: { field: string }) => e.field)).toEqual(['nom', 'date_maj']);
    expect(JSON.stringify(logs)).not.toContain('lille.moulins@');
  });
});

describe('Soliguide: defects of the former mapping (each failed before)', () => {
  it('phones are read from entity.phones (there is no top-level phones), as DI picks them', () => {
    expect(mapPlace({ ...fx.placeRestos, entity: { mail: null, phones: [] }, phones: [{ label: 'Accueil', phoneNumber: '01 02 03 04 05' }] }).telephone).toBeUndefined();
    const phone = (label: string | null, phoneNumber: string | null) => ({ label, phoneNumber, countryCode: 'fr', isSpecialPhoneNumber: false });
    // label ≈ "Accueil" first, then the longest, then the smallest number
    expect(placePhone({ phones: [phone('Standard', '01 40 00 00 00 00'), phone('accueil', '01 40 00 00 01')] })).toBe('01 40 00 00 01');
    expect(placePhone({ phones: [phone('Standard', '3115'), phone('Direction', '01 40 00 00 02'), phone('Secrétariat', '01 40 00 00 01')] })).toBe('01 40 00 00 01');
    // "Accueil du public" is not word-similar enough to "Accueil" (8 of its 18 trigrams: 0.44 < 0.6)
    expect(placePhone({ phones: [phone('Accueil du public', '01 40 00 00 01'), phone('Accueil', '01 40 00 00 02')] })).toBe('01 40 00 00 02');
    // PostgreSQL sorts a NULL label first under DESC; a phone without number is skipped
    expect(placePhone({ phones: [phone('Accueil', '01 40 00 00 01'), phone(null, '01 40 00 00 09'), phone(null, null)] })).toBe('01 40 00 00 09');
  });

  it('a service without its own description is kept with the place description; notices are joined', () => {
    const structure = { id: 'soliguide--4521', nom: 'Restos' };
    const mapped = mapPlaceService(
      fx.placeRestos,
      {
        ...fx.placeRestos.services_all[0],
        description: null,
        saturated: { status: 'HIGH', precision: null },
        close: { actif: true, dateDebut: '2026-07-01T00:00:00.000Z', dateFin: '2026-08-31T00:00:00.000Z' },
      },
      structure,
    );
    expect(mapped?.description).toBe(
      `Ce service est fermé temporairement du 01/07/2026 au 31/08/2026.\n\nAttention, la structure est très sollicitée pour ce service.\n\n${RESTOS_DESCRIPTION}`,
    );
  });

  it('pages are asked sorted by lieu_id (allowed by search.dto.ts): every place once, none missed', async () => {
    // 1,500 places; the fake answers in lieu_id order only when asked to sort, otherwise in an order that
    // changes between requests, as an unsorted $skip/$limit aggregation may.
    const all = Array.from({ length: 1500 }, (_, i) => ({
      ...fx.placeBagagerie,
      lieu_id: 20000 + i,
      seo_url: `lieu-${20000 + i}`,
      services_all: [],
    }));
    const shifting = (path: string, init?: Init): unknown => {
      if (path !== '/new-search') return undefined;
      const { options } = init!.body as { options: { page: number; limit: number; sortBy?: string; sortValue?: number } };
      const order = options.sortBy === 'lieu_id' && options.sortValue === 1 ? all : [...all.slice(options.page * 300), ...all.slice(0, options.page * 300)];
      return { places: order.slice((options.page - 1) * options.limit, options.page * options.limit), nbResults: all.length };
    };
    const { connector, transport } = setup(0, shifting);
    const ids: string[] = [];
    let mark: string | undefined;
    do {
      const page = await connector.page(mark);
      ids.push(...page.structures.map((s) => s.id));
      mark = page.next;
    } while (mark);
    expect(ids).toHaveLength(1500);
    expect(new Set(ids).size).toBe(1500);
    expect(SEARCH_SORT).toEqual({ sortBy: 'lieu_id', sortValue: 1 });
    expect(transport.calls.map((call) => call.init?.body)).toEqual(
      [1, 2].map((page) => ({ location: { geoType: 'pays', geoValue: 'fr' }, options: { limit: 1000, page, sortBy: 'lieu_id', sortValue: 1 } })),
    );
  });

  it('dedupes lieux as DI does: Dora, outside France, and older duplicates sharing a serviceObjectId', async () => {
    const newer = { ...fx.placeRestos, lieu_id: 62249, seo_url: 'restos-62249', updatedAt: '2025-11-05T10:00:00.000Z' };
    const spain = { ...fx.placeBagagerie, lieu_id: 777, position: { ...fx.placeBagagerie.position, country: 'es' }, country: 'es' };
    const pages: Record<number, unknown> = {
      1: { places: [fx.placeRestos, newer, fx.placeFromDora, spain], nbResults: 2004 },
      2: { places: [fx.placeBagagerie], nbResults: 2004 },
      // an older copy of 62249 on a later page: the index has seen the newer one
      3: { places: [{ ...fx.placeRestos, lieu_id: 1234, seo_url: 'restos-1234', updatedAt: '2024-01-01T10:00:00.000Z' }], nbResults: 2004 },
    };
    const { connector } = setup(0, (path, init) => pages[(init?.body as { options: { page: number } }).options.page]);
    const first = await connector.page();
    expect(first.structures.map((s) => s.id)).toEqual(['soliguide--62249']);
    expect(first.services.map((s) => [s.id, s.structure_id])).toEqual([
      ['soliguide--64a1f0c2b3d4e5f60123aa01', 'soliguide--62249'],
      ['soliguide--64a1f0c2b3d4e5f60123aa02', 'soliguide--62249'],
      ['soliguide--64a1f0c2b3d4e5f60123aa04', 'soliguide--62249'],
    ]);
    expect((await connector.page('places:2')).structures.map((s) => s.id)).toEqual(['soliguide--9876']);
    expect((await connector.page('places:3')).structures).toEqual([]);
  });

  it('servicesByIds resolves soliguide--<serviceObjectId> through the places it has read (one GET per place)', async () => {
    const { connector, transport } = setup();
    // not seen yet: not found, and nothing asked (Soliguide has no route by service)
    expect(await connector.servicesByIds(['soliguide--64a1f0c2b3d4e5f60123aa02'])).toEqual([]);
    expect(transport.calls).toEqual([]);

    await connector.page();
    await connector.page('places:2');
    transport.calls.length = 0;
    const services = await connector.servicesByIds([
      'soliguide--64a1f0c2b3d4e5f60123aa02',
      'soliguide--64a1f0c2b3d4e5f60123aa01',
      'soliguide--64a1f0c2b3d4e5f60123bb02',
      'soliguide--64a1f0c2b3d4e5f60123aa03', // shower: no thématique, not a service
      'soliguide--ffffffffffffffffffffffff', // never seen: not found
      'dora--atelier',
    ]);
    expect(transport.calls.map((call) => call.path)).toEqual(['/place/4521', '/place/9876']);
    expect(services.map((s) => s.id)).toEqual([
      'soliguide--64a1f0c2b3d4e5f60123aa01',
      'soliguide--64a1f0c2b3d4e5f60123aa02',
      'soliguide--64a1f0c2b3d4e5f60123bb02',
    ]);
  });

  it('servicesByIds still answers the former soliguide--<lieu>--<service> ids (under the id asked), and seeds the index', async () => {
    const { connector, transport } = setup();
    const old = await connector.servicesByIds(['soliguide--4521--64a1f0c2b3d4e5f60123aa01', 'soliguide--4522--64a1f0c2b3d4e5f60123aa01']);
    expect(transport.calls.map((call) => call.path)).toEqual(['/place/4521', '/place/4522']);
    expect(old.map((s) => [s.id, s.nom])).toEqual([['soliguide--4521--64a1f0c2b3d4e5f60123aa01', 'Distribution de repas']]);
    const current = await connector.servicesByIds(['soliguide--64a1f0c2b3d4e5f60123aa02']);
    expect(current.map((s) => s.id)).toEqual(['soliguide--64a1f0c2b3d4e5f60123aa02']);
  });

  it('structuresByIds: one GET per place, at most 4 in flight', async () => {
    const { connector, transport } = setup(5);
    const ids = [...Array.from({ length: 9 }, (_, i) => `soliguide--${7000 + i}`), 'soliguide--1'];
    const structures = await connector.structuresByIds(ids);
    expect(transport.calls).toHaveLength(10);
    expect(structures).toHaveLength(9);
    expect(transport.maxInFlight).toBe(4);
  });

  it("listServices walks the national search, each page filtered by the list's keep", async () => {
    const { connector } = setup();
    const all = (await connector.listServices({ limit: 100 })).map((s) => s.id);
    const seen: string[] = [];
    // A stub: what a live list keeps is src/store/offer-filter.ts's, given by the loader (src/loaders/live-services.ts).
    const keep = async (records: ServiceRecord[]) => {
      seen.push(...records.map((r) => r.id));
      return records.filter((r) => r.id === 'soliguide--64a1f0c2b3d4e5f60123bb02');
    };
    const services = await connector.listServices({ codeCommune: '59512', limit: 5, keep });
    expect(services.map((s) => s.id)).toEqual(['soliguide--64a1f0c2b3d4e5f60123bb02']);
    expect(seen).toEqual(all);
  });
});

describe('Soliguide categories: data·inclusion\'s table, as data', () => {
  it('every target is a v1 thématique / type; every thématique-bearing code has a name', () => {
    for (const table of [DI_THEMATIQUES, PASSERELLE_THEMATIQUES]) {
      for (const [code, thematiques] of Object.entries(table)) {
        for (const value of thematiques) expect([code, value, isValue('thematiques', value)]).toEqual([code, value, true]);
      }
    }
    for (const [code, type] of Object.entries(DI_TYPES)) if (type) expect([code, isValue('types_services', type)]).toEqual([code, true]);
    for (const code of [...Object.keys(DI_THEMATIQUES), ...Object.keys(PASSERELLE_THEMATIQUES)]) {
      if (thematiquesOf(code).length) expect([code, typeof labelOf(code)]).toEqual([code, 'string']);
    }
    for (const value of Object.values(DI_RESEAUX_PORTEURS)) if (value) expect(isValue('reseaux_porteurs', value)).toBe(true);
  });

  it("is DI's table: 114 codes, e.g. child_care → garde d'enfants, baby_parcel → parentalité, wifi → services en ligne", () => {
    expect(Object.keys(DI_THEMATIQUES)).toHaveLength(114);
    expect(Object.keys(DI_LABELS)).toHaveLength(126);
    expect(thematiquesOf('child_care')).toEqual(['famille--garde-denfants']);
    expect(thematiquesOf('baby_parcel')).toEqual(['famille--soutien-a-la-parentalite-et-a-leducation']);
    expect(thematiquesOf('wifi')).toEqual(['numerique--acceder-a-des-services-en-ligne']);
    expect(thematiquesOf('day_hosting')).toEqual(['logement-hebergement--rechercher-une-solution-dhebergement-temporaire', 'remobilisation--lien-social']);
    expect(thematiquesOf('shower')).toEqual([]);
    expect([labelOf('food_distribution'), labelOf('legal_advice'), labelOf('cooling_space')]).toEqual(['Distribution de repas', 'Permanence juridique', 'Espace fraîcheur']);
    expect(typeOf('food_voucher')).toBe('aide-financiere');
    // legacy codes (returned only to API users searching with legacy categories)
    expect(thematiquesOf('carpooling')).toEqual(['mobilite--mobilite-douce-partagee-collective']);
    expect(thematiquesOf('provision_of_vehicles')).toEqual(['mobilite--acceder-a-un-vehicule']);
  });

  it('covers every current Soliguide category: DI\'s, the 15 DI lacks (explicitly), DI\'s roots and omissions', () => {
    expect(SOLIGUIDE_CATEGORIES).toHaveLength(134);
    for (const code of MISSING_FROM_DI) {
      expect([code, code in DI_THEMATIQUES, code in PASSERELLE_THEMATIQUES, typeof labelOf(code)]).toEqual([code, false, true, 'string']);
    }
    for (const code of SOLIGUIDE_CATEGORIES) {
      const where = code in DI_THEMATIQUES ? 'di' : code in PASSERELLE_THEMATIQUES ? 'passerelle' : WITHOUT_THEMATIQUE_BY_DI.includes(code) ? 'none' : 'unhandled';
      expect([code, where]).not.toEqual([code, 'unhandled']);
      expect([code, typeof labelOf(code)]).toEqual([code, 'string']);
    }
  });
});

describe('Soliguide publics (DI: only an exclusive welcome restricts)', () => {
  const full = fx.placeRestos.publics;
  it.each([
    ['unconditional', { ...full, accueil: 0, gender: ['women'] }, ['tous-publics']],
    ['preferential', { ...full, accueil: 1, gender: ['women'], other: ['student'] }, ['tous-publics']],
    ['exclusive, every value of every dimension', { ...full, accueil: 2 }, ['tous-publics']],
    ['exclusive, women', { ...full, accueil: 2, gender: ['women'] }, ['femmes']],
    ['exclusive, men (no v1 public)', { ...full, accueil: 2, gender: ['men'] }, ['tous-publics']],
    ['exclusive, regular status only (no v1 public)', { ...full, accueil: 2, administrative: ['regular'] }, ['tous-publics']],
    ['exclusive, pregnant (familialle, Soliguide\'s spelling)', { ...full, accueil: 2, familialle: ['pregnant'] }, ['femmes', 'familles']],
    ['exclusive, isolated', { ...full, accueil: 2, familialle: ['isolated'] }, ['personnes-en-situation-durgence', 'seniors']],
    ['"familiale" (DI\'s misspelling) is not a dimension', { ...full, accueil: 2, familiale: ['pregnant'] }, ['tous-publics']],
    ['exclusive, students and prison', { ...full, accueil: 2, other: ['student', 'prison'] }, ['etudiants', 'personnes-en-situation-juridique-specifique']],
    ['ages are not publics', { ...full, accueil: 2, age: { min: 16, max: 25 } }, ['tous-publics']],
    ['a value named like an Object member', { ...full, accueil: 2, other: ['constructor'] }, ['tous-publics']],
  ])('%s', (_name, publics, expected) => {
    expect(mapPublics(publics)).toEqual(expected);
  });

  it('every target is a v1 public', () => {
    for (const values of Object.values(DI_PUBLICS)) for (const value of values) expect(isValue('publics', value)).toBe(true);
  });
});

describe('Soliguide opening hours → OSM (DI\'s soliguide_opening_hours UDF)', () => {
  const closedDay = { open: false, timeslot: [] };
  it("DI's own test cases", () => {
    expect(
      toOsmOpeningHours({
        friday: closedDay, monday: closedDay, sunday: closedDay, tuesday: closedDay, saturday: closedDay, thursday: closedDay, wednesday: closedDay,
        description: '',
        closedHolidays: 'UNKNOWN',
      }),
    ).toBe('Mo closed, Tu closed, We closed, Th closed, Fr closed, Sa closed, Su closed');
    const day = (start: number, end: number) => ({ day: [], open: true, timeslot: [{ end, start }] });
    expect(
      toOsmOpeningHours({
        friday: day(830, 1545), monday: day(830, 1700), sunday: { day: [], ...closedDay }, tuesday: day(830, 1700),
        saturday: { day: [], ...closedDay }, thursday: day(830, 1700), wednesday: day(830, 1700), closedHolidays: 'UNKNOWN',
      }),
    ).toBe('Mo 08:30-17:00 open, Tu 08:30-17:00 open, We 08:30-17:00 open, Th 08:30-17:00 open, Fr 08:30-15:45 open, Sa closed, Su closed');
  });

  it('split days, midnight, description, public holidays open / closed (fuzzy like difflib)', () => {
    const week = {
      monday: { open: true, timeslot: [{ start: 0, end: 600 }, { start: 2200, end: 2400 }] },
      tuesday: closedDay, wednesday: { open: true, timeslot: [{ start: 900, end: 1230 }, { start: 1330, end: 1800 }] },
      thursday: closedDay, friday: closedDay, saturday: { open: true, timeslot: [{ start: '1000', end: '1200' }] }, sunday: closedDay,
    };
    expect(toOsmOpeningHours({ ...week, description: 'Fermé en août', closedHolidays: 'OPEN' })).toBe(
      'Mo 00:00-06:00,22:00-24:00 open, Tu closed, We 09:00-12:30,13:30-18:00 open, Th closed, Fr closed, Sa 10:00-12:00 open, Su closed; Fermé en août; PH open',
    );
    expect(toOsmOpeningHours({ ...week, description: null, closedHolidays: 'CLOSE' })).toMatch(/; PH closed$/);
    // a day missing, or a time that is not an integer: DI's model rejects it; no hours
    expect(toOsmOpeningHours({ ...week, sunday: undefined })).toBeUndefined();
    expect(toOsmOpeningHours({ ...week, monday: { open: true, timeslot: [{ start: '9h', end: 1200 }] } })).toBeUndefined();
    expect(toOsmOpeningHours({})).toBeUndefined();
  });
});

describe('Soliguide: the rest of DI\'s mapping', () => {
  const structure = { id: 'soliguide--4521', nom: 'Restos' };
  it('frais from the modalities in effect; conditions_acces; zone; modes and mobilisable_par', () => {
    const paying = { ...fx.placeRestos, modalities: { ...fx.placeRestos.modalities, price: { checked: true, precisions: '1 €' }, other: 'Carte de bénéficiaire' } };
    const inherited = mapPlaceService(paying, fx.placeRestos.services_all[0], structure)!;
    expect([inherited.frais, inherited.frais_precisions, inherited.conditions_acces]).toEqual(['payant', '1 €', 'Carte de bénéficiaire']);
    const oriented = { ...fx.placeRestos, modalities: { ...fx.placeRestos.modalities, orientation: { checked: true, precisions: null } } };
    expect(mapPlaceService(oriented, fx.placeRestos.services_all[0], structure)).toMatchObject({
      modes_mobilisation: ['envoyer-un-courriel', 'telephoner'],
      mobilisable_par: ['professionnels'],
    });
    const noDepartment = { ...fx.placeRestos, position: { ...fx.placeRestos.position, departmentCode: undefined } };
    expect(mapPlaceService(noDepartment, fx.placeRestos.services_all[0], structure)?.zone_eligibilite).toBeUndefined();
  });

  it('address, name and text cleaning', () => {
    expect(streetAddress('12 rue de Douai, 59000 Lille, France')).toBe('12 rue de Douai');
    expect(streetAddress('Place de la Mairie, 75011 Paris')).toBe('Place de la Mairie');
    expect(streetAddress('1 avenue Foch')).toBe('1 avenue Foch');
    expect(streetAddress(', 59000 Lille')).toBeUndefined();
    expect([cleanName('Accueil de jour.'), cleanName('Vêtements, chaussures, etc.'), cleanName('Bientôt...')]).toEqual([
      'Accueil de jour',
      'Vêtements, chaussures, etc.',
      'Bientôt…',
    ]);
    expect(htmlToText('<p>A &amp; B&nbsp;&eacute;t&#233; &#x2014; <em>ok</em></p><p></p><br>')).toBe('A & B été — ok');
  });

  it('temporary hours of the place apply to services without their own hours', () => {
    const place = {
      ...fx.placeRestos,
      tempInfos: {
        ...fx.placeRestos.tempInfos,
        hours: { actif: true, dateDebut: '2025-12-20T00:00:00.000Z', dateFin: '2026-01-05T00:00:00.000Z', description: null, hours: { ...fx.placeRestos.newhours, friday: { open: false, timeslot: [] }, closedHolidays: 'UNKNOWN' } },
      },
    };
    expect(mapPlace(place).horaires_accueil).toBe(
      'Mo 11:30-13:30 open, Tu 11:30-13:30 open, We 11:30-13:30 open, Th 11:30-13:30 open, Fr closed, Sa closed, Su closed',
    );
    expect(mapPlaceService(place, fx.placeRestos.services_all[0], structure)?.horaires_accueil).toBe(mapPlace(place).horaires_accueil);
    // a service with its own hours keeps them
    expect(mapPlaceService(place, fx.placeRestos.services_all[1], structure)?.horaires_accueil).toMatch(/^Mo closed, Tu 14:00-17:00 open/);
  });
});
