// Connector for the Dora API v2 (reference: data-inclusion.md §6 "dora", §2.4–2.5, §7).
//   GET /api/v2/structures/?page_size=1000&o=creation_date   DRF pages {count?, next, results}
//   GET /api/v2/services/?page_size=1000&o=creation_date
//   GET /api/v2/services/{id}/, GET /api/v2/structures/{id}/  one record, or 404 (no batch form)
// Dora answers in data·inclusion v0 shape (presentation_*, typologie, labels_nationaux, profils,
// modes_orientation_*, zone_diffusion_*, contact_public…); this module maps it to v1 as the
// data·inclusion pipeline does (§7), and validates every record. Ids are `dora--<Dora id>` (uuid or slug).
import fs from 'node:fs';
import type { Logger } from '../logger';
import { offerId, producerIdIn } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import { isValue } from '../domain/nomenclatures';
import type { Connector, PartnerConfig, PartnerListQuery, PartnerPage, PartnerTransport } from './types';
import {
  HARVEST_PAGE_SIZE,
  MAX_CONCURRENCY,
  acceptService,
  acceptStructure,
  decodeMark,
  drfNextPage,
  acceptAll,
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

export const SOURCE = 'dora';

// ---------------------------------------------------------------------------------------------
// Mapping tables (v0 → v1). Sources: data-inclusion.md §2.4–2.5 (v0 fields, v0→v1 changes), §7 (Dora
// mapping examples), nomenclatures.json (v0 values: profils, thematiques_v0, frais_v0,
// typologies_structures, labels_nationaux, modes_orientation_*; v1 values). Every target is a v1 value
// (checked by test/partners/dora.test.ts).
// ---------------------------------------------------------------------------------------------

/**
 * v0 `profils` (28) → v1 `publics` (14). A profil with no v1 counterpart (adultes, locataires,
 * proprietaires, personnes-en-situation-illettrisme) is dropped; when `tous-publics` results, it is
 * kept alone (v1 forbids combining it).
 */
export const PROFILS_TO_PUBLICS: Readonly<Record<string, string>> = {
  adultes: '', // no v1 public: dropped
  alternants: 'etudiants', // apprentices and work-study students
  'beneficiaires-rsa': 'beneficiaires-des-minimas-sociaux',
  'deficience-visuelle': 'personnes-en-situation-de-handicap',
  'demandeurs-demploi': 'demandeurs-emploi',
  etudiants: 'etudiants',
  'familles-enfants': 'familles',
  femmes: 'femmes',
  'handicaps-mentaux': 'personnes-en-situation-de-handicap',
  'handicaps-psychiques': 'personnes-en-situation-de-handicap',
  jeunes: 'jeunes',
  'jeunes-16-26': 'jeunes',
  locataires: '', // §7: a condition of access, not a public: dropped
  'personnes-de-nationalite-etrangere': 'personnes-exilees',
  'personnes-en-situation-de-handicap': 'personnes-en-situation-de-handicap',
  'personnes-en-situation-durgence': 'personnes-en-situation-durgence',
  'personnes-en-situation-illettrisme': '', // no v1 public (the thématique lecture-ecriture-calcul says it)
  'personnes-handicapees': 'personnes-en-situation-de-handicap',
  proprietaires: '', // §7: a condition of access, not a public: dropped
  'public-langues-etrangeres': 'personnes-exilees',
  retraites: 'seniors',
  salaries: 'actifs',
  'sans-domicile-fixe': 'personnes-en-situation-durgence',
  'seniors-65': 'seniors',
  'sortants-de-detention': 'personnes-en-situation-juridique-specifique',
  surdite: 'personnes-en-situation-de-handicap',
  'tous-publics': 'tous-publics',
  victimes: 'personnes-en-situation-durgence',
};

/**
 * v0 thématique categories renamed in v1 (§2.5): `<v0 category>--<sub>` is tried as
 * `<v1 category>--<sub>`. Categories absent here keep their name (most did not change).
 */
export const THEMATIQUE_CATEGORIES_V0_TO_V1: Readonly<Record<string, string>> = {
  'acces-aux-droits-et-citoyennete': 'difficultes-administratives-ou-juridiques',
  'apprendre-francais': 'lecture-ecriture-calcul',
  illettrisme: 'lecture-ecriture-calcul',
  'creation-activite': 'creer-une-entreprise',
  'gestion-financiere': 'difficultes-financieres',
};

/**
 * v0 thématiques whose v1 counterpart has another name (sub-theme renamed or merged). Resolution order:
 * this table; else the value itself when it is a v1 thématique; else the category rename above when the
 * result is a v1 thématique; else dropped (bare v0 categories such as `mobilite` have no v1 value).
 */
export const THEMATIQUES_V0_TO_V1: Readonly<Record<string, string>> = {
  'acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives':
    'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives',
  'acces-aux-droits-et-citoyennete--accompagnement-juridique':
    'difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire',
  'acces-aux-droits-et-citoyennete--connaitre-ses-droits':
    'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits',
  'acces-aux-droits-et-citoyennete--faciliter-laction-citoyenne':
    'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete',
  'apprendre-francais--communiquer-vie-tous-les-jours': 'lecture-ecriture-calcul--maitriser-le-francais',
  'apprendre-francais--suivre-formation': 'lecture-ecriture-calcul--maitriser-le-francais',
  'apprendre-francais--accompagnement-insertion-pro': 'lecture-ecriture-calcul--maitriser-le-francais',
  'illettrisme--ameliorer-vocabulaire': 'lecture-ecriture-calcul--maitriser-le-francais',
  'illettrisme--etre-autonome': 'lecture-ecriture-calcul--maitriser-le-francais',
  'illettrisme--reperer-situation-illettrisme': 'lecture-ecriture-calcul--maitriser-le-francais',
  'illettrisme--valider-certification-clea': 'lecture-ecriture-calcul--maitriser-le-francais',
  'illettrisme--utiliser-numerique': 'numerique--maitriser-les-fondamentaux-du-numerique',
  'illettrisme--permis-conduire': 'mobilite--preparer-un-permis',
  'gestion-financiere--apprendre-a-gerer-son-budget': 'difficultes-financieres--ameliorer-sa-gestion-budgetaire',
  'gestion-financiere--accompagnement-aux-personnes-en-difficultes-financieres':
    'difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere',
  'gestion-financiere--prevention-et-gestion-du-surendettement': 'difficultes-financieres--situation-dendettement-surendettement',
  'gestion-financiere--obtenir-une-aide-alimentaire': 'equipement-et-alimentation--alimentation',
  'equipement-et-alimentation--acces-a-du-materiel-informatique': 'numerique--acquerir-un-equipement',
  'famille--soutien-a-la-parentalite': 'famille--soutien-a-la-parentalite-et-a-leducation',
  'famille--information-et-accompagnement-des-parents': 'famille--soutien-a-la-parentalite-et-a-leducation',
  'famille--violences-intrafamiliales': 'famille--surmonter-conflits-separation-violence',
  'handicap--faire-reconnaitre-un-handicap': 'sante--constituer-un-dossier-mdph-invalidite',
  'handicap--favoriser-le-retour-et-le-maintien-dans-lemploi': 'trouver-un-emploi--maintien-dans-lemploi',
  'logement-hebergement--mal-loges-sans-logis': 'logement-hebergement--rechercher-une-solution-dhebergement-temporaire',
  'logement-hebergement--probleme-avec-son-logement': 'logement-hebergement--se-maintenir-dans-le-logement',
  'logement-hebergement--etre-accompagne-en cas-de-difficultes-financieres': 'logement-hebergement--reduire-les-impayes-de-loyer',
  'logement-hebergement--demenagement': 'logement-hebergement--changer-de-logement',
  'mobilite--preparer-un-permis-de-conduire': 'mobilite--preparer-un-permis',
  'mobilite--preparer-son-permis-de-conduire-se-reentrainer-a-la-conduite': 'mobilite--preparer-un-permis',
  'mobilite--acheter-un-velo': 'mobilite--mobilite-douce-partagee-collective',
  'mobilite--apprendre-a-utiliser-un-deux-roues': 'mobilite--mobilite-douce-partagee-collective',
  'mobilite--comprendre-et-utiliser-les-transports-en-commun': 'mobilite--mobilite-douce-partagee-collective',
  'mobilite--louer-un-vehicule': 'mobilite--acceder-a-un-vehicule',
  'mobilite--acheter-un-vehicule-motorise': 'mobilite--acceder-a-un-vehicule',
  'mobilite--financer-mon-projet-mobilite': 'mobilite--financer-ma-mobilite',
  'mobilite--aides-a-la-reprise-demploi-ou-a-la-formation': 'mobilite--financer-ma-mobilite',
  'numerique--prendre-en-main-un-ordinateur': 'numerique--maitriser-les-fondamentaux-du-numerique',
  'numerique--prendre-en-main-un-smartphone-ou-une-tablette': 'numerique--maitriser-les-fondamentaux-du-numerique',
  'numerique--utiliser-le-numerique-au-quotidien': 'numerique--maitriser-les-fondamentaux-du-numerique',
  'numerique--approfondir-ma-culture-numerique': 'numerique--maitriser-les-fondamentaux-du-numerique',
  'numerique--devenir-autonome-dans-les-demarches-administratives': 'numerique--acceder-a-des-services-en-ligne',
  'numerique--realiser-des-demarches-administratives-avec-un-accompagnement': 'numerique--acceder-a-des-services-en-ligne',
  'numerique--accompagner-les-demarches-de-sante': 'numerique--acceder-a-des-services-en-ligne',
  'numerique--acceder-a-du-materiel': 'numerique--acquerir-un-equipement',
  'numerique--s-equiper-en-materiel-informatique': 'numerique--acquerir-un-equipement',
  'remobilisation--bien-etre': 'remobilisation--bien-etre-confiance-en-soi',
  'remobilisation--restaurer-sa-confiance-son-image-de-soi': 'remobilisation--bien-etre-confiance-en-soi',
  'remobilisation--participer-a-des-actions-solidaires-ou-de-benevolat': 'remobilisation--benevolat-action-citoyenne',
  'remobilisation--decouvrir-son-potentiel-via-le-sport-et-la-culture': 'remobilisation--activites-sportives-et-culturelles',
  'sante--faire-face-a-une-situation-daddiction': 'sante--addictions',
  'sante--bien-etre-psychologique': 'sante--sante-mentale',
  'sante--accompagner-les-traumatismes': 'sante--sante-mentale',
  'sante--prevention-et-acces-aux-soins': 'sante--acces-aux-soins',
  'sante--se-soigner-et-prevenir-la-maladie': 'sante--acces-aux-soins',
  'sante--obtenir-la-prise-en-charge-de-frais-medicaux': 'sante--acces-aux-soins',
  'sante--vie-relationnelle-et-affective': 'sante--sante-sexuelle',
  'se-former--utiliser-le-numerique': 'numerique--maitriser-les-fondamentaux-du-numerique',
};

/**
 * v0 structure `typologie` (92 codes) → v1 `reseaux_porteurs`, where a v1 value names the same network
 * or kind of structure. Codes absent here (ASSO, Autre, OF, ETABL_PRI…) are dropped.
 */
export const TYPOLOGIE_TO_RESEAUX: Readonly<Record<string, string>> = {
  ACI: 'aci',
  AFPA: 'afpa',
  AI: 'ai',
  ASE: 'ase',
  AVIP: 'creches-avip',
  CAARUD: 'caarud',
  CADA: 'cada',
  CAF: 'caf',
  CAP_EMPLOI: 'cap-emploi-reseau-cheops',
  CAVA: 'cava',
  CCAS: 'ccas-cias',
  CCONS: 'chambres-consulaires',
  CD: 'departements',
  CHRS: 'chrs',
  CHU: 'chu',
  CIAS: 'ccas-cias',
  CIDFF: 'cidff',
  CMP: 'cmp',
  CMS: 'cms',
  CPAM: 'cpam',
  CPH: 'cph',
  CSAPA: 'csapa',
  DEPT: 'departements',
  E2C: 'ecoles-de-la-deuxieme-chance',
  EA: 'ea',
  EATT: 'eatt',
  EI: 'ei',
  EITI: 'eiti',
  EPIDE: 'epide',
  EPN: 'espaces-publics-numeriques',
  ETTI: 'etti',
  FT: 'france-travail',
  GEIQ: 'geiq',
  HUDA: 'huda',
  LA_POSTE: 'la-poste',
  MDA: 'maison-departementale-de-lautonomie',
  MDE: 'maisons-de-l-emploi',
  MDPH: 'mdph',
  MDS: 'maisons-des-solidarites',
  MJC: 'mjc',
  ML: 'mission-locale',
  MSA: 'mutualite-sociale-agricole',
  MSAP: 'msap',
  MUNI: 'communes',
  PIJ_BIJ: 'reseau-information-jeunesse',
  PIMMS: 'pimms-mediation',
  PJJ: 'pjj',
  PLIE: 'plie',
  REG: 'regions',
  RESSOURCERIE: 'ressourceries',
  RS_FJT: 'residences-fjt',
  SPIP: 'spip',
};

/**
 * v0 `labels_nationaux` (85) whose v1 `reseaux_porteurs` value is spelt differently. A label spelt
 * the same in v1 (caf, emmaus, france-travail, mission-locale…) is kept as is; the others are dropped.
 */
export const LABELS_TO_RESEAUX: Readonly<Record<string, string>> = {
  bge: 'reseau-bge',
  cci: 'chambres-consulaires',
  'conseiller-numerique': 'conseillers-numeriques',
  'fede-pro-fem': 'federation-professionnelle-femmes',
  'la-ressourcerie': 'ressourceries',
  'maisons-de-lemploi': 'maisons-de-l-emploi',
  'point-conseil-budget': 'points-conseil-budget',
  'point-justice': 'points-justice',
  sinca: 'singa',
  'tous-tes-possible': 'tous-tes-possibles',
  unccas: 'ccas-cias',
};

/** v0 `frais` (list) → v1 `frais` (single): gratuit if any gratuit*, else payant if any paying kind. */
export const FRAIS_GRATUITS = ['gratuit', 'gratuit-sous-conditions'];
export const FRAIS_PAYANTS = ['payant', 'adhesion', 'pass-numerique'];

// v0 `types` (11) → v1 `type` (single, 6): the first of the v0 list that is a v1 type; the others are dropped.

/**
 * v0 `modes_orientation_beneficiaire` / `_accompagnateur` → v1 `modes_mobilisation`. `autre` is dropped
 * (its `_autres` text goes to `mobilisation_precisions`); modes that need a link map to
 * `utiliser-lien-mobilisation` only when the service has a lien_mobilisation.
 */
export const MODES_ORIENTATION_TO_MOBILISATION: Readonly<Record<string, string>> = {
  'se-presenter': 'se-presenter',
  telephoner: 'telephoner',
  'envoyer-un-mail': 'envoyer-un-courriel',
  'envoyer-un-mail-avec-une-fiche-de-prescription': 'envoyer-un-courriel',
  'prendre-rdv': 'utiliser-lien-mobilisation', // only with a lien_mobilisation
  'completer-le-formulaire-dadhesion': 'utiliser-lien-mobilisation', // only with a lien_mobilisation
};

// ---------------------------------------------------------------------------------------------
// Mapping functions
// ---------------------------------------------------------------------------------------------

let departementsByRegion: Map<string, string[]> | undefined;

/** The départements of a région (INSEE COG, @etalab/decoupage-administratif departements.json). */
export function departementsOfRegion(code: string): string[] {
  if (!departementsByRegion) {
    const file = require.resolve('@etalab/decoupage-administratif/data/departements.json');
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as { code: string; region: string }[];
    departementsByRegion = new Map();
    for (const row of rows) {
      const list = departementsByRegion.get(row.region) ?? [];
      list.push(row.code);
      departementsByRegion.set(row.region, list);
    }
  }
  return departementsByRegion.get(code) ?? [];
}

export function mapPublics(profils: readonly string[]): string[] {
  const publics = unique(profils.map((profil) => PROFILS_TO_PUBLICS[profil]).filter((value): value is string => !!value));
  return publics.includes('tous-publics') ? ['tous-publics'] : publics;
}

/** Whether a string is a v1 thématique (a plain boolean, so that `value` keeps its type after it). */
const isThematique = (value: string): boolean => isValue('thematiques', value);

export function mapThematique(value: string): string | undefined {
  const renamed = THEMATIQUES_V0_TO_V1[value];
  if (renamed) return renamed;
  if (isThematique(value)) return value;
  const separator = value.indexOf('--');
  if (separator > 0) {
    const category = THEMATIQUE_CATEGORIES_V0_TO_V1[value.slice(0, separator)];
    const candidate = category && `${category}${value.slice(separator)}`;
    if (candidate && isThematique(candidate)) return candidate;
  }
  return undefined;
}

export function mapThematiques(values: readonly string[]): string[] {
  return unique(values.map(mapThematique).filter((value): value is string => value !== undefined));
}

export function mapReseaux(typologie: string | undefined, labels: readonly string[]): string[] {
  const out: string[] = [];
  if (typologie && TYPOLOGIE_TO_RESEAUX[typologie]) out.push(TYPOLOGIE_TO_RESEAUX[typologie]);
  for (const label of labels) {
    const value = LABELS_TO_RESEAUX[label] ?? label;
    if (isValue('reseaux_porteurs', value)) out.push(value);
  }
  return unique(out);
}

export function mapFrais(frais: readonly string[]): string | undefined {
  if (frais.some((value) => FRAIS_GRATUITS.includes(value))) return 'gratuit';
  if (frais.some((value) => FRAIS_PAYANTS.includes(value))) return 'payant';
  return undefined;
}

function departementOf(codeInsee: string | undefined): string | undefined {
  if (!codeInsee) return undefined;
  return codeInsee.startsWith('97') ? codeInsee.slice(0, 3) : codeInsee.slice(0, 2);
}

/** `zone_diffusion_type` / `_code` → `zone_eligibilite` (§7): a région becomes its départements. */
export function mapZone(type: string | undefined, code: string | undefined, codeInsee: string | undefined): string[] | undefined {
  switch (type) {
    case 'commune': {
      const commune = code ?? codeInsee;
      return commune ? [commune] : undefined;
    }
    case 'epci':
      return code ? [code] : undefined;
    case 'departement': {
      const departement = code ?? departementOf(codeInsee);
      return departement ? [departement] : undefined;
    }
    case 'region': {
      const departements = code ? departementsOfRegion(code) : [];
      return departements.length ? departements : undefined;
    }
    case 'pays':
      return ['france'];
    default:
      return undefined;
  }
}

function joinText(parts: readonly (string | undefined)[]): string | undefined {
  const text = parts.filter((part): part is string => !!part).join('\n');
  return text || undefined;
}

export function mapStructure(raw: Json): Json {
  const doraId = str(raw.id);
  return {
    source: SOURCE,
    id: doraId ? offerId(SOURCE, doraId) : undefined,
    nom: str(raw.nom),
    date_maj: toDate(raw.date_maj),
    description: str(raw.presentation_detail) ?? str(raw.presentation_resume),
    lien_source: toUrl(raw.lien_source),
    siret: str(raw.siret),
    commune: str(raw.commune),
    code_postal: str(raw.code_postal),
    code_insee: str(raw.code_insee),
    adresse: str(raw.adresse),
    complement_adresse: str(raw.complement_adresse),
    longitude: num(raw.longitude),
    latitude: num(raw.latitude),
    telephone: str(raw.telephone),
    courriel: str(raw.courriel),
    site_web: toUrl(raw.site_web),
    horaires_accueil: str(raw.horaires_ouverture),
    accessibilite_lieu: toUrl(raw.accessibilite),
    reseaux_porteurs: mapReseaux(str(raw.typologie), strings(raw.labels_nationaux)),
  };
}

export function mapService(raw: Json): Json {
  const doraId = str(raw.id);
  const structureId = str(raw.structure) ?? str(raw.structure_id);
  const lienMobilisation = toUrl(raw.prise_rdv) ?? toUrl(raw.formulaire_en_ligne) ?? toUrl(raw.page_web);
  const beneficiaire = strings(raw.modes_orientation_beneficiaire);
  const accompagnateur = strings(raw.modes_orientation_accompagnateur);
  const modes = unique(
    [...beneficiaire, ...accompagnateur]
      .map((mode) => MODES_ORIENTATION_TO_MOBILISATION[mode])
      .filter((mode): mode is string => !!mode && (mode !== 'utiliser-lien-mobilisation' || !!lienMobilisation)),
  );
  const mobilisablePar = [
    ...(beneficiaire.length ? ['usagers'] : []),
    ...(accompagnateur.length ? ['professionnels'] : []),
  ];
  const types = strings(raw.types);
  const codeInsee = str(raw.code_insee);
  // contact_public false: the producer asked that the contacts not be published (§3.2 "what is hidden").
  const contactsPublic = raw.contact_public !== false;
  return {
    source: SOURCE,
    structure_id: structureId ? offerId(SOURCE, structureId) : undefined,
    id: doraId ? offerId(SOURCE, doraId) : undefined,
    nom: str(raw.nom),
    description: str(raw.presentation_detail) ?? str(raw.presentation_resume),
    date_maj: toDate(raw.date_maj),
    lien_source: toUrl(raw.lien_source),
    type: types.find((value) => isValue('types_services', value)),
    thematiques: mapThematiques(strings(raw.thematiques)),
    frais: mapFrais(strings(raw.frais)),
    frais_precisions: str(raw.frais_autres),
    publics: mapPublics(strings(raw.profils)),
    publics_precisions: str(raw.profils_precisions),
    conditions_acces: joinText([...strings(raw.pre_requis), ...strings(raw.justificatifs)]),
    commune: str(raw.commune),
    code_postal: str(raw.code_postal),
    code_insee: codeInsee,
    adresse: str(raw.adresse),
    complement_adresse: str(raw.complement_adresse),
    longitude: num(raw.longitude),
    latitude: num(raw.latitude),
    telephone: contactsPublic ? str(raw.telephone) : undefined,
    courriel: contactsPublic ? str(raw.courriel) : undefined,
    contact_nom_prenom: contactsPublic ? str(raw.contact_nom_prenom) : undefined,
    modes_accueil: unique(strings(raw.modes_accueil).filter((mode) => isValue('modes_accueil', mode))),
    zone_eligibilite: mapZone(str(raw.zone_diffusion_type), str(raw.zone_diffusion_code), codeInsee),
    lien_mobilisation: lienMobilisation,
    modes_mobilisation: modes,
    mobilisable_par: mobilisablePar,
    mobilisation_precisions: joinText([
      str(raw.modes_orientation_beneficiaire_autres),
      str(raw.modes_orientation_accompagnateur_autres),
    ]),
    volume_horaire_hebdomadaire: num(raw.volume_horaire_hebdomadaire) ?? num(raw.temps_passe_duree_hebdomadaire),
    nombre_semaines: num(raw.nombre_semaines) ?? num(raw.temps_passe_semaines),
    horaires_accueil: str(raw.recurrence),
  };
}

// ---------------------------------------------------------------------------------------------
// Connector
// ---------------------------------------------------------------------------------------------

const PATHS = { structures: '/api/v2/structures/', services: '/api/v2/services/' } as const;
type Resource = keyof typeof PATHS;
const HARVEST_ORDER: readonly Resource[] = ['structures', 'services'];

interface DrfPage {
  results: unknown[];
  /** The next page number, from DRF's `next` URL; undefined on the last page. */
  next?: number;
}

export class DoraConnector implements Connector {
  private readonly ctx: MappingContext;

  constructor(
    readonly partner: PartnerConfig,
    private readonly transport: PartnerTransport,
    logger: Logger,
  ) {
    this.ctx = { partner: partner.id, logger };
  }

  async servicesByIds(ids: readonly string[]): Promise<ServiceRecord[]> {
    // Dora has no batch form: one GET per id, at most MAX_CONCURRENCY in flight.
    const doraIds = unique(ids.map((id) => producerIdIn(id, SOURCE)).filter((id): id is string => id !== undefined));
    const payloads = await mapWithConcurrency(doraIds, MAX_CONCURRENCY, (id) =>
      getOrMissing(this.transport, `${PATHS.services}${encodeURIComponent(id)}/`),
    );
    return this.toServices(payloads.filter((payload) => payload !== undefined));
  }

  async structuresByIds(ids: readonly string[]): Promise<StructureRecord[]> {
    const doraIds = unique(ids.map((id) => producerIdIn(id, SOURCE)).filter((id): id is string => id !== undefined));
    const payloads = await mapWithConcurrency(doraIds, MAX_CONCURRENCY, (id) =>
      getOrMissing(this.transport, `${PATHS.structures}${encodeURIComponent(id)}/`),
    );
    return this.toStructures(payloads.filter((payload) => payload !== undefined));
  }

  /** Dora's API has no filters: pages are walked, each filtered by `query.keep`, until `limit` services match. */
  async listServices(query: PartnerListQuery): Promise<ServiceRecord[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0 || (query.sources?.length && !query.sources.includes(SOURCE))) return [];
    const out: ServiceRecord[] = [];
    for (let page: number | undefined = 1; page !== undefined && out.length < limit; ) {
      const body = await this.fetchPage('services', page);
      out.push(...(await kept(this.toServices(body.results), query)));
      page = body.next;
    }
    return out.slice(0, limit);
  }

  async page(mark?: string): Promise<PartnerPage> {
    const { resource, page } = mark ? decodeMark(mark, HARVEST_ORDER) : { resource: HARVEST_ORDER[0], page: 1 };
    const body = await this.fetchPage(resource, page);
    const result: PartnerPage =
      resource === 'structures'
        ? { structures: this.toStructures(body.results), services: [] }
        : { structures: [], services: this.toServices(body.results) };
    if (body.next !== undefined) {
      result.next = encodeMark(resource, body.next);
    } else {
      const following = HARVEST_ORDER[HARVEST_ORDER.indexOf(resource) + 1];
      if (following) result.next = encodeMark(following, 1);
    }
    return result;
  }

  private async fetchPage(resource: Resource, page: number): Promise<DrfPage> {
    const body = await this.transport.request(PATHS[resource], {
      query: { page, page_size: HARVEST_PAGE_SIZE, o: 'creation_date' },
    });
    if (!isObject(body) || !Array.isArray(body.results)) throw malformed(this.partner.id, `${PATHS[resource]} without results`);
    const next = str(body.next);
    return { results: body.results, next: next && body.results.length > 0 ? drfNextPage(next, page) : undefined };
  }

  private toStructures(items: readonly unknown[]): StructureRecord[] {
    return acceptAll(this.ctx, items, mapStructure, acceptStructure);
  }

  private toServices(items: readonly unknown[]): ServiceRecord[] {
    return acceptAll(this.ctx, items, mapService, acceptService);
  }
}

export function createDoraConnector(partner: PartnerConfig, transport: PartnerTransport, logger: Logger): Connector {
  return new DoraConnector(partner, transport, logger);
}
