// Connector for the Soliguide (Solinum) API (reference: data-inclusion.md §6 "soliguide").
//   POST /new-search  {"location":{"geoType":"pays","geoValue":"fr"},"options":{"limit":N,"page":P}}
//                     → {places: [...], nbResults}
//   GET  /place/{lieu_id}  one place, or 404
// A place is a structure `soliguide--<lieu_id>`; each entry of its `services_all` is a service
// `soliguide--<lieu_id>--<serviceObjectId>`. Places whose `sources` say they come from Dora are dropped
// (Dora is harvested directly), as data·inclusion does.
import type { Logger } from '../logger';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import type { Connector, PartnerConfig, PartnerListQuery, PartnerPage, PartnerTransport } from './types';
import {
  HARVEST_PAGE_SIZE,
  MAX_CONCURRENCY,
  acceptService,
  acceptStructure,
  decodeMark,
  dropNonObject,
  encodeMark,
  getOrMissing,
  isObject,
  malformed,
  mapWithConcurrency,
  kept,
  num,
  str,
  strings,
  toDate,
  toUrl,
  unique,
  type Json,
  type MappingContext,
} from './common';

export const SOURCE = 'soliguide';

// ---------------------------------------------------------------------------------------------
// Mapping tables. Sources: Soliguide's service categories (`services_all[].category`, the category
// codes of the Solinum "Solidarity API"), v1 thématiques from nomenclatures.json. A category with no
// reasonable v1 thématique (showers, toilets, luggage storage…) gets none; the service is kept with its
// label as name. Every target is a v1 value (checked by test/partners/soliguide.test.ts).
// ---------------------------------------------------------------------------------------------

export const CATEGORIES: Readonly<Record<string, { label: string; thematiques: readonly string[] }>> = {
  // santé
  health: { label: 'Santé', thematiques: ['sante--acces-aux-soins'] },
  addiction: { label: 'Addiction', thematiques: ['sante--addictions'] },
  std_testing: { label: 'Dépistage', thematiques: ['sante--sante-sexuelle'] },
  psychological_support: { label: 'Soutien psychologique', thematiques: ['sante--sante-mentale'] },
  child_care: { label: 'Soins enfants', thematiques: ['sante--acces-aux-soins'] },
  general_practitioner: { label: 'Médecin généraliste', thematiques: ['sante--acces-aux-soins'] },
  dental_care: { label: 'Dentaire', thematiques: ['sante--acces-aux-soins'] },
  pregnancy_care: { label: 'Suivi de grossesse', thematiques: ['sante--acces-aux-soins'] },
  vaccination: { label: 'Vaccination', thematiques: ['sante--acces-aux-soins'] },
  infirmary: { label: 'Infirmerie', thematiques: ['sante--acces-aux-soins'] },
  health_specialists: { label: 'Spécialistes de santé', thematiques: ['sante--acces-aux-soins'] },
  // formation et emploi
  training_and_jobs: { label: 'Formation et emploi', thematiques: [] },
  digital_tools_training: { label: 'Formation au numérique', thematiques: ['numerique--maitriser-les-fondamentaux-du-numerique'] },
  french_course: { label: 'Cours de français', thematiques: ['lecture-ecriture-calcul--maitriser-le-francais'] },
  job_coaching: {
    label: "Accompagnement vers l'emploi",
    thematiques: ['preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi'],
  },
  integration_through_economic_activity: { label: "Insertion par l'activité économique", thematiques: [] },
  tutoring: { label: 'Soutien scolaire', thematiques: ['famille--soutien-a-la-parentalite-et-a-leducation'] },
  // alimentation
  food_distribution: { label: 'Distribution alimentaire', thematiques: ['equipement-et-alimentation--alimentation'] },
  food_packages: { label: 'Colis alimentaires', thematiques: ['equipement-et-alimentation--alimentation'] },
  social_grocery_stores: { label: 'Épicerie sociale et solidaire', thematiques: ['equipement-et-alimentation--alimentation'] },
  solidarity_fridge: { label: 'Frigo solidaire', thematiques: ['equipement-et-alimentation--alimentation'] },
  food_voucher: { label: 'Bons alimentaires', thematiques: ['equipement-et-alimentation--alimentation'] },
  baby_parcel: { label: 'Colis bébé', thematiques: ['equipement-et-alimentation--alimentation'] },
  // conseil
  legal_advice: {
    label: 'Conseil juridique',
    thematiques: ['difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire'],
  },
  domiciliation: {
    label: 'Domiciliation',
    thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  },
  administrative_assistance: {
    label: 'Accompagnement administratif',
    thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  },
  public_writer: {
    label: 'Écrivain public',
    thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  },
  social_accompaniment: {
    label: 'Accompagnement social',
    thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'],
  },
  disability_advice: { label: 'Conseil handicap', thematiques: ['sante--constituer-un-dossier-mdph-invalidite'] },
  budget_advice: { label: 'Conseil budget', thematiques: ['difficultes-financieres--ameliorer-sa-gestion-budgetaire'] },
  parent_assistance: { label: 'Conseil aux parents', thematiques: ['famille--soutien-a-la-parentalite-et-a-leducation'] },
  // numérique
  computers_at_your_disposal: { label: 'Ordinateur à disposition', thematiques: ['numerique--acceder-a-des-services-en-ligne'] },
  wifi: { label: 'Wifi', thematiques: ['numerique--acceder-a-une-connexion-internet'] },
  // équipement
  clothing: { label: 'Vêtements', thematiques: ['equipement-et-alimentation--habillement'] },
  // accueil et activités
  babysitting: { label: "Garde d'enfants", thematiques: ['famille--garde-denfants'] },
  sport_activities: { label: 'Activités sportives', thematiques: ['remobilisation--activites-sportives-et-culturelles'] },
  museums: { label: 'Musées', thematiques: ['remobilisation--activites-sportives-et-culturelles'] },
  libraries: { label: 'Bibliothèques', thematiques: ['remobilisation--activites-sportives-et-culturelles'] },
  other_activities: { label: 'Activités', thematiques: ['remobilisation--activites-sportives-et-culturelles'] },
  wellness: { label: 'Bien-être', thematiques: ['remobilisation--bien-etre-confiance-en-soi'] },
  // mobilité
  carpooling: { label: 'Covoiturage', thematiques: ['mobilite--mobilite-douce-partagee-collective'] },
  provision_of_vehicles: { label: 'Mise à disposition de véhicules', thematiques: ['mobilite--acceder-a-un-vehicule'] },
  chauffeur_driven_transport: { label: 'Transport avec chauffeur', thematiques: ['mobilite--mobilite-douce-partagee-collective'] },
  mobility_assistance: { label: 'Aide à la mobilité', thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'] },
  // hébergement et logement
  emergency_accommodation: {
    label: "Hébergement d'urgence",
    thematiques: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'],
  },
  overnight_stop: { label: 'Halte de nuit', thematiques: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'] },
  citizen_housing: { label: 'Hébergement citoyen', thematiques: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'] },
  long_term_accomodation: { label: 'Hébergement à long terme', thematiques: ['logement-hebergement--louer-un-logement'] },
  access_to_housing: {
    label: 'Conseil logement',
    thematiques: ['logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement'],
  },
  // no v1 thématique
  shower: { label: 'Douche', thematiques: [] },
  laundry: { label: 'Laverie', thematiques: [] },
  toilets: { label: 'Toilettes', thematiques: [] },
  hygiene_products: { label: "Produits d'hygiène", thematiques: [] },
  day_hosting: { label: 'Accueil de jour', thematiques: [] },
  rest_area: { label: 'Espace de repos', thematiques: [] },
  luggage_storage: { label: 'Bagagerie', thematiques: [] },
  information_point: { label: "Point d'information", thematiques: [] },
  fountain: { label: 'Fontaine à eau', thematiques: [] },
};

/**
 * Place (or service) `publics` → v1 `publics`, only where obvious: `accueil: 0` (unconditional welcome)
 * is `tous-publics`; otherwise a dimension that really restricts the public (a strict subset of its
 * values) gives the v1 public below. Nothing obvious: `publics` is left out.
 */
export const PUBLICS_OTHER: Readonly<Record<string, string>> = {
  handicap: 'personnes-en-situation-de-handicap',
  prison: 'personnes-en-situation-juridique-specifique',
  student: 'etudiants',
  violence: 'personnes-en-situation-durgence',
};
/** `administrative` without `regular`: only asylum seekers, refugees, undocumented people. */
export const PUBLICS_ADMINISTRATIVE_EXILES = ['asylum', 'refugee', 'undocumented'];
/** `familialle` without `isolated`: families, couples, pregnant women. */
export const PUBLICS_FAMILY = ['family', 'pregnant'];

// ---------------------------------------------------------------------------------------------
// Mapping functions
// ---------------------------------------------------------------------------------------------

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', eacute: 'é', egrave: 'è', ecirc: 'ê',
  agrave: 'à', acirc: 'â', ccedil: 'ç', ocirc: 'ô', ucirc: 'û', ugrave: 'ù', icirc: 'î', iuml: 'ï',
  euml: 'ë', rsquo: '’', lsquo: '‘', laquo: '«', raquo: '»', hellip: '…', ndash: '–', mdash: '—', euro: '€',
};

/** Soliguide's HTML descriptions as plain text: blocks and line breaks become new lines, list items `- `. */
export function htmlToText(html: unknown): string | undefined {
  if (typeof html !== 'string') return undefined;
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|ul|ol|h[1-6]|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, code: string) => {
      if (code[0] === '#') {
        const point = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
        return Number.isFinite(point) && point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : entity;
      }
      return ENTITIES[code.toLowerCase()] ?? entity;
    })
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text || undefined;
}

/** Whether Soliguide says the place comes from Dora (its `sources` name Dora). */
export function comesFromDora(place: Json): boolean {
  return Array.isArray(place.sources) && place.sources.some((source) => isObject(source) && /^dora$/i.test(str(source.name) ?? ''));
}

export function mapPublics(publics: unknown): string[] {
  if (!isObject(publics)) return [];
  if (publics.accueil === 0) return ['tous-publics'];
  const out: string[] = [];
  for (const value of strings(publics.other)) if (PUBLICS_OTHER[value]) out.push(PUBLICS_OTHER[value]);
  const administrative = strings(publics.administrative);
  if (administrative.length && !administrative.includes('regular') && administrative.every((v) => PUBLICS_ADMINISTRATIVE_EXILES.includes(v))) {
    out.push('personnes-exilees');
  }
  const familialle = strings(publics.familialle);
  if (familialle.length && !familialle.includes('isolated') && familialle.some((v) => PUBLICS_FAMILY.includes(v))) out.push('familles');
  const gender = strings(publics.gender);
  if (gender.length === 1 && gender[0] === 'women') out.push('femmes');
  const age = isObject(publics.age) ? publics.age : {};
  const max = num(age.max);
  const min = num(age.min);
  if (max !== undefined && max <= 25) out.push('jeunes');
  if (min !== undefined && min >= 60) out.push('seniors');
  return unique(out);
}

function checked(value: unknown): boolean | undefined {
  return isObject(value) && typeof value.checked === 'boolean' ? value.checked : undefined;
}

function precisions(value: unknown): string | undefined {
  return isObject(value) ? htmlToText(value.precisions) : undefined;
}

function placeId(place: Json): string | undefined {
  return str(place.lieu_id);
}

export function mapPlace(place: Json): Json {
  const id = placeId(place);
  const position = isObject(place.position) ? place.position : {};
  const coordinates = isObject(position.location) && Array.isArray(position.location.coordinates) ? position.location.coordinates : [];
  const entity = isObject(place.entity) ? place.entity : {};
  const phone = Array.isArray(place.phones) && isObject(place.phones[0]) ? str(place.phones[0].phoneNumber) : undefined;
  const seoUrl = str(place.seo_url);
  return {
    source: SOURCE,
    id: id ? offerId(SOURCE, id) : undefined,
    nom: str(place.name),
    date_maj: toDate(place.updatedAt),
    description: htmlToText(place.description),
    lien_source: seoUrl ? `https://soliguide.fr/fr/fiche/${encodeURI(seoUrl)}` : undefined,
    commune: str(position.city),
    code_postal: str(position.postalCode),
    code_insee: str(position.cityCode),
    adresse: str(position.address),
    complement_adresse: str(position.additionalInformation),
    longitude: num(coordinates[0]),
    latitude: num(coordinates[1]),
    telephone: phone,
    courriel: str(entity.mail),
    site_web: toUrl(entity.website),
  };
}

export function mapPlaceService(place: Json, service: Json, structure: Json): Json {
  const category = str(service.category);
  const known = category ? CATEGORIES[category] : undefined;
  const serviceObjectId = str(service.serviceObjectId);
  const modalities = service.differentModalities === true && isObject(service.modalities) ? service.modalities : isObject(place.modalities) ? place.modalities : {};
  const publics = service.differentPublics === true && isObject(service.publics) ? service.publics : place.publics;
  const price = checked(modalities.price);
  const appointment = checked(modalities.appointment);
  const orientation = checked(modalities.orientation);
  const unconditional = modalities.inconditionnel === true;
  const modes = [
    ...(unconditional ? ['se-presenter'] : []),
    ...(appointment && structure.telephone ? ['telephoner'] : []),
  ];
  const mobilisablePar = [...(unconditional || appointment ? ['usagers'] : []), ...(orientation ? ['professionnels'] : [])];
  const structureId = structure.id as string | undefined;
  return {
    source: SOURCE,
    structure_id: structureId,
    id: structureId && serviceObjectId ? `${structureId}--${serviceObjectId}` : undefined,
    nom: known?.label ?? structure.nom,
    description: htmlToText(service.description),
    date_maj: structure.date_maj,
    lien_source: structure.lien_source,
    thematiques: known ? [...known.thematiques] : [],
    frais: price === true ? 'payant' : price === false ? 'gratuit' : undefined,
    frais_precisions: precisions(modalities.price),
    publics: mapPublics(publics),
    publics_precisions: isObject(publics) ? htmlToText(publics.description) : undefined,
    commune: structure.commune,
    code_postal: structure.code_postal,
    code_insee: structure.code_insee,
    adresse: structure.adresse,
    complement_adresse: structure.complement_adresse,
    longitude: structure.longitude,
    latitude: structure.latitude,
    telephone: structure.telephone,
    courriel: structure.courriel,
    modes_accueil: ['en-presentiel'],
    modes_mobilisation: modes,
    mobilisable_par: mobilisablePar,
    mobilisation_precisions: [precisions(modalities.appointment), precisions(modalities.inscription), precisions(modalities.orientation)]
      .filter((text): text is string => !!text)
      .join('\n') || undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Connector
// ---------------------------------------------------------------------------------------------

type Resource = 'places';
const RESOURCES: readonly Resource[] = ['places'];

export class SoliguideConnector implements Connector {
  private readonly ctx: MappingContext;

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
  ) {
    this.ctx = { partner: partner.id, logger };
  }

  /** Service ids `soliguide--<lieu_id>--<serviceObjectId>`: each place is fetched once. */
  async servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]> {
    const wanted = new Set(ids);
    const lieux = unique(
      ids
        .map((id) => producerIdIn(id, SOURCE))
        .map((rest) => (rest && rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : undefined))
        .filter((lieu): lieu is string => !!lieu),
    );
    const places = await this.places(lieux);
    return places.flatMap((place) => this.map(place).services).filter((service) => wanted.has(service.id));
  }

  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    const lieux = unique(ids.map((id) => producerIdIn(id, SOURCE)).filter((lieu): lieu is string => !!lieu && !lieu.includes('--')));
    const places = await this.places(lieux);
    return places.flatMap((place) => this.map(place).structures);
  }

  /** The search is national: pages are walked, each filtered by `query.keep`, until `limit` services match. */
  async listServices(query: PartnerListQuery): Promise<ServiceRecord[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0 || (query.sources?.length && !query.sources.includes(SOURCE))) return [];
    const out: ServiceRecord[] = [];
    for (let page: number | undefined = 1; page !== undefined && out.length < limit; ) {
      const body = await this.search(page);
      out.push(...(await kept(this.mapAll(body.places).services, query)));
      page = body.next;
    }
    return out.slice(0, limit);
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { page } = mark ? decodeMark(mark, RESOURCES) : { page: 1 };
    const body = await this.search(page);
    const result: PartnerPage = this.mapAll(body.places);
    if (body.next !== undefined) result.next = encodeMark('places', body.next);
    return result;
  }

  private async search(page: number): Promise<{ places: unknown[]; next?: number }> {
    const body = await this.transport.request('/new-search', {
      method: 'POST',
      body: { location: { geoType: 'pays', geoValue: 'fr' }, options: { limit: HARVEST_PAGE_SIZE, page } },
    });
    if (!isObject(body) || !Array.isArray(body.places)) throw malformed(this.partner.id, '/new-search without places');
    const total = num(body.nbResults) ?? 0;
    const more = body.places.length > 0 && page * HARVEST_PAGE_SIZE < total;
    return { places: body.places, next: more ? page + 1 : undefined };
  }

  /** Places by lieu id, at most MAX_CONCURRENCY requests in flight; a 404 is a missing place. */
  private async places(lieux: readonly string[]): Promise<unknown[]> {
    const payloads = await mapWithConcurrency(lieux, MAX_CONCURRENCY, (lieu) =>
      getOrMissing(this.transport, `/place/${encodeURIComponent(lieu)}`),
    );
    return payloads.filter((payload) => payload !== undefined);
  }

  private mapAll(places: readonly unknown[]): PartnerPage {
    const page: PartnerPage = { structures: [], services: [] };
    places.forEach((place, index) => {
      if (!isObject(place)) return dropNonObject(this.ctx, index);
      const mapped = this.map(place);
      page.structures.push(...mapped.structures);
      page.services.push(...mapped.services);
    });
    return page;
  }

  /** One place: its structure and services, or nothing when the place comes from Dora or is invalid. */
  private map(place: unknown): PartnerPage {
    if (!isObject(place) || comesFromDora(place)) return { structures: [], services: [] };
    const raw = mapPlace(place);
    const structure = acceptStructure(this.ctx, raw);
    if (!structure) return { structures: [], services: [] };
    const services: ServiceRecord[] = [];
    const all = Array.isArray(place.services_all) ? place.services_all : [];
    for (const [index, item] of all.entries()) {
      if (!isObject(item)) {
        dropNonObject(this.ctx, index, `services_all of place ${structure.id}`);
        continue;
      }
      const service = acceptService(this.ctx, mapPlaceService(place, item, { ...structure }));
      if (service) services.push(service);
    }
    return { structures: [structure], services };
  }
}

export function createSoliguideConnector(partner: PartnerConfig, transport: PartnerTransport, logger: Logger): Connector {
  return new SoliguideConnector(partner, transport, logger);
}
