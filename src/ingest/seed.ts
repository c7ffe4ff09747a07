// A deterministic, realistic demonstration offer in the data·inclusion v1 schema: structures spread over
// real communes (weighted by population, placed near the commune centre), named by kind, from several
// sources, with services whose thématiques, publics and modes fit the kind. Every record validates.
import seedrandom from 'seedrandom';
import type { Store } from '../store/database';
import { syncSources, writeOffer, type WriteResult } from '../store/write';
import { offerId } from '../domain/ids';
import type { ServiceRecord, StructureRecord } from '../domain/validation';
import { buildTerritoriesReference } from '../territories/reference';
import { dedupStore } from '../dedup/run';

export interface GenerateOptions {
  structures?: number;
  /** Mean number of services per structure (total = round(structures × this)). */
  servicesPerStructure?: number;
  seed?: string;
  /** The reference date: every date_maj is within the 3 years before it. Defaults to today. */
  now?: Date;
}

export interface GeneratedOffer {
  structures: StructureRecord[];
  services: ServiceRecord[];
}

// ---------------------------------------------------------------------------------------------------
// Communes and their centres

interface SeedCommune {
  code: string;
  nom: string;
  departement: string;
  region: string;
  population: number;
  codesPostaux: string[];
  epci?: string;
  latitude: number;
  longitude: number;
}

let communesCache: { communes: SeedCommune[]; cumulative: number[]; departements: Map<string, string> } | undefined;

/**
 * The communes a demo structure may be placed in: those of the territories reference whose centre is a
 * GeoNames town centre (not an approximation), so that records sit where people live.
 */
export function seedCommunes(): { communes: SeedCommune[]; cumulative: number[]; departements: Map<string, string> } {
  if (communesCache) return communesCache;
  const reference = buildTerritoriesReference();
  const communes: SeedCommune[] = [];
  for (const commune of reference.communes) {
    if (commune.kind !== 'commune-actuelle' || commune.centreSource !== 'geonames' || !commune.population) continue;
    if (commune.latitude == null || commune.longitude == null || !commune.codesPostaux.length) continue;
    communes.push({
      code: commune.code,
      nom: commune.nom,
      departement: commune.departementCode,
      region: commune.regionCode,
      population: commune.population,
      codesPostaux: commune.codesPostaux,
      epci: commune.epciCode ?? undefined,
      longitude: commune.longitude,
      latitude: commune.latitude,
    });
  }
  communes.sort((a, b) => (a.code < b.code ? -1 : 1));
  const cumulative: number[] = [];
  let total = 0;
  for (const commune of communes) cumulative.push((total += commune.population));
  communesCache = { communes, cumulative, departements: new Map(reference.departements.map((d) => [d.code, d.nom])) };
  return communesCache;
}

// ---------------------------------------------------------------------------------------------------
// Random helpers

type Rng = () => number;

class Random {
  constructor(readonly next: Rng) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let draw = this.next() * total;
    for (const [item, weight] of items) {
      if ((draw -= weight) < 0) return item;
    }
    return items[items.length - 1][0];
  }
  /** `count` distinct items, in pool order. */
  some<T>(pool: readonly T[], count: number): T[] {
    const chosen = new Set<number>();
    const n = Math.min(count, pool.length);
    while (chosen.size < n) chosen.add(Math.floor(this.next() * pool.length));
    return [...chosen].sort((a, b) => a - b).map((index) => pool[index]);
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }
  hex(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}

function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** "de Lyon", "du Havre", "des Mureaux", "d'Orléans", "de La Rochelle". */
function deCommune(nom: string): string {
  if (/^Le /.test(nom)) return `du ${nom.slice(3)}`;
  if (/^Les /.test(nom)) return `des ${nom.slice(4)}`;
  if (/^[AEIOUYÉÈÊÂÎÔ]/i.test(nom)) return `d’${nom}`;
  return `de ${nom}`;
}

/** A valid SIRET (Luhn key). */
function siret(random: Random): string {
  const body = `${random.int(1, 9)}${random.digits(12)}`;
  for (let key = 0; key < 10; key++) {
    const candidate = body + key;
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let digit = Number(candidate[13 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  return `${body}0`;
}

const LANDLINE_PREFIX: Record<string, string> = {
  '11': '1', '24': '2', '28': '2', '52': '2', '53': '2', '27': '3', '32': '3', '44': '3', '84': '4', '93': '4', '94': '4', '75': '5', '76': '5',
};
const DROM_PREFIX: Record<string, string> = { '971': '590590', '972': '596596', '973': '594594', '974': '262262', '976': '262269' };

function telephone(random: Random, commune: SeedCommune): string {
  const drom = DROM_PREFIX[commune.departement];
  if (drom) return `+${drom}${random.digits(6)}`;
  if (random.chance(0.15)) return `+33${random.pick(['6', '7'])}${random.digits(8)}`;
  return `+33${LANDLINE_PREFIX[commune.region] ?? '9'}${random.digits(8)}`;
}

const PRENOMS = ['Camille', 'Nadia', 'Julien', 'Sophie', 'Mohamed', 'Isabelle', 'Thomas', 'Fatou', 'Claire', 'Karim', 'Élodie', 'Nicolas', 'Aurélie', 'Yacine', 'Marion', 'Pierre', 'Léa', 'Samir', 'Hélène', 'Antoine', 'Mélanie', 'Sébastien', 'Inès', 'Laurent', 'Chloé', 'Youssef', 'Nathalie', 'David', 'Amandine', 'François'];
const NOMS = ['Martin', 'Bernard', 'Dubois', 'Durand', 'Lefebvre', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Garcia', 'Roux', 'Fournier', 'Benali', 'Girard', 'Bonnet', 'Mercier', 'Diallo', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Chevalier', 'Nguyen', 'Haddad', 'Blanc', 'Guerin', 'Perrin', 'Morel', 'Traoré'];
const VOIES = ['rue de la République', 'avenue Jean Jaurès', 'rue Victor Hugo', 'place de la Mairie', 'rue du Général de Gaulle', 'boulevard Gambetta', 'rue Pasteur', 'avenue de la Gare', 'rue Jules Ferry', 'place du Marché', 'rue de l’Église', 'rue des Écoles', 'allée des Tilleuls', 'rue Émile Zola', 'avenue Léon Blum', 'rue Jean Moulin', 'chemin des Vignes', 'rue Paul Bert', 'rue de la Paix', 'cours Carnot'];
const COMPLEMENTS = ['Bâtiment B', '1er étage', 'Rez-de-chaussée', 'Espace Simone Veil', 'Maison des associations', 'Hôtel de ville', 'Centre social'];
const HORAIRES = ['Mo-Fr 09:00-12:00,14:00-17:00', 'Mo-Fr 08:30-12:30; PH off', 'Mo-Th 09:00-12:30,13:30-17:00; Fr 09:00-12:30', 'Tu,Th 14:00-18:00', 'Mo-Fr 09:00-17:00', 'We 09:00-12:00; Sa 10:00-12:00', 'Mo,We,Fr 09:00-12:00'];
const ASSO_NOMS = ['Le Relais', 'Les Jardins de Cocagne', 'Tremplin', 'Passerelles', 'L’Escale', 'Horizons', 'Solidarité Partage', 'Entraide', 'La Boussole', 'Élan', 'Le Pont', 'Cap Avenir', 'Agir Ensemble', 'Envol', 'Les Ateliers du Lien', 'Rebond', 'Val’Emploi', 'Les Compagnons', 'Trait d’Union', 'Initiatives Solidaires'];

// ---------------------------------------------------------------------------------------------------
// The catalogue of structure kinds and their services

interface ServiceTemplate {
  nom: string;
  type: string;
  thematiques: string[];
  publics: string[];
  /** Chance of `tous-publics` instead of publics. */
  tousPublics?: number;
  texte: string;
  payant?: { chance: number; precisions: string };
  /** Mostly remote (a-distance). */
  distance?: boolean;
  formation?: boolean;
}

interface Kind {
  key: string;
  weight: number;
  sources: (c: SeedCommune) => (readonly [string, number])[];
  reseaux: (random: Random) => string[];
  nom: (random: Random, c: SeedCommune, departement: string, reseaux: string[]) => string;
  intro: string;
  /** Eligibility zone: commune, département, EPCI or France. */
  zones: (readonly ['commune' | 'departement' | 'epci' | 'france', number])[];
  services: ServiceTemplate[];
  domaine: string;
}

const local = (c: SeedCommune, base: (readonly [string, number])[]): (readonly [string, number])[] => {
  if (c.departement === '35') return [...base, ['cd35', 3]];
  if (c.departement === '974') return [...base, ['fredo', 3]];
  return base;
};

const KINDS: Kind[] = [
  {
    key: 'ccas',
    weight: 14,
    sources: (c) => local(c, [['dora', 4], ['soliguide', 2], ['ma-boussole-aidants', 3]]),
    reseaux: () => ['ccas-cias'],
    nom: (r, c) => r.pick([`CCAS ${deCommune(c.nom)}`, `Centre communal d’action sociale ${deCommune(c.nom)}`]),
    intro: 'Le centre communal d’action sociale accueille les habitants de la commune',
    zones: [['commune', 8], ['epci', 1]],
    domaine: 'ccas',
    services: [
      { nom: 'Aide alimentaire d’urgence', type: 'aide-materielle', thematiques: ['equipement-et-alimentation--alimentation'], publics: ['personnes-en-situation-durgence', 'familles', 'beneficiaires-des-minimas-sociaux'], texte: 'Délivrance de bons alimentaires et orientation vers l’épicerie sociale après un entretien avec un travailleur social.' },
      { nom: 'Domiciliation administrative', type: 'accompagnement', thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'], publics: ['personnes-en-situation-durgence', 'personnes-exilees'], texte: 'Une adresse pour recevoir son courrier et faire valoir ses droits quand on n’a pas de domicile stable.' },
      { nom: 'Aides financières facultatives', type: 'aide-financiere', thematiques: ['difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere', 'difficultes-financieres--situation-dendettement-surendettement'], publics: ['beneficiaires-des-minimas-sociaux', 'familles', 'seniors'], texte: 'Secours ponctuels pour faire face à une facture d’énergie, un loyer ou une dépense imprévue, attribués en commission.' },
      { nom: 'Accompagnement des bénéficiaires du RSA', type: 'accompagnement', thematiques: ['remobilisation--lien-social', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'trouver-un-emploi--repondre-a-des-offres-demploi'], publics: ['beneficiaires-des-minimas-sociaux'], texte: 'Un référent unique construit avec la personne son contrat d’engagement et l’accompagne vers l’emploi.' },
      { nom: 'Soutien aux proches aidants', type: 'information', thematiques: ['famille--soutien-aidants', 'famille--prise-en-charge-personne-dependante'], publics: ['seniors', 'familles'], texte: 'Information, écoute et solutions de répit pour les personnes qui accompagnent un proche âgé ou malade.' },
      { nom: 'Aide au maintien à domicile', type: 'aide-materielle', thematiques: ['equipement-et-alimentation--aide-menagere', 'famille--prise-en-charge-personne-dependante'], publics: ['seniors', 'personnes-en-situation-de-handicap'], texte: 'Portage de repas, aide ménagère et téléassistance pour rester chez soi en sécurité.', payant: { chance: 0.5, precisions: 'Participation calculée selon les ressources.' } },
    ],
  },
  {
    key: 'mission-locale',
    weight: 6,
    sources: () => [['mission-locale', 6], ['dora', 4]],
    reseaux: () => ['mission-locale'],
    nom: (r, c) => r.pick([`Mission locale ${deCommune(c.nom)}`, `Mission locale ${deCommune(c.nom)} et environs`, `Antenne de la mission locale ${deCommune(c.nom)}`]),
    intro: 'La mission locale accompagne les jeunes de 16 à 25 ans dans leur insertion professionnelle et sociale',
    zones: [['epci', 5], ['departement', 2], ['commune', 2]],
    domaine: 'mission-locale',
    services: [
      { nom: 'Contrat d’engagement jeune (CEJ)', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'choisir-un-metier--identifier-ses-points-forts-et-ses-competences', 'se-former--trouver-sa-formation'], publics: ['jeunes'], texte: 'Un accompagnement intensif de 15 à 20 heures par semaine, avec une allocation selon les ressources.' },
      { nom: 'Accompagnement à la recherche d’emploi', type: 'accompagnement', thematiques: ['preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation', 'trouver-un-emploi--convaincre-un-recruteur-en-entretien'], publics: ['jeunes', 'demandeurs-emploi'], texte: 'Rendez-vous réguliers avec un conseiller pour définir un projet, préparer ses candidatures et ses entretiens.' },
      { nom: 'Aide à la mobilité des jeunes', type: 'aide-financiere', thematiques: ['mobilite--financer-ma-mobilite', 'mobilite--preparer-un-permis'], publics: ['jeunes'], texte: 'Financement partiel du permis de conduire et aides au transport pour accéder à un emploi ou une formation.' },
      { nom: 'Point santé jeunes', type: 'information', thematiques: ['sante--acces-aux-soins', 'sante--sante-mentale'], publics: ['jeunes'], texte: 'Permanence d’une psychologue et aide à l’ouverture des droits à l’assurance maladie et à la complémentaire santé.' },
      { nom: 'Accès au logement des jeunes', type: 'information', thematiques: ['logement-hebergement--louer-un-logement', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement'], publics: ['jeunes', 'etudiants'], texte: 'Information sur les résidences jeunes, la garantie Visale et les aides au premier logement.' },
    ],
  },
  {
    key: 'france-travail',
    weight: 8,
    sources: () => [['france-travail', 1]],
    reseaux: () => ['france-travail'],
    nom: (r, c) => r.pick([`France Travail ${c.nom}`, `Agence France Travail ${c.nom}`, `France Travail ${c.nom} ${r.pick(['Centre', 'Nord', 'Sud', 'Est', 'Ouest'])}`]),
    intro: 'L’agence France Travail accueille les demandeurs d’emploi et les entreprises du bassin',
    zones: [['departement', 3], ['epci', 3], ['france', 1]],
    domaine: 'francetravail',
    services: [
      { nom: 'Accompagnement global', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'logement-hebergement--se-maintenir-dans-le-logement'], publics: ['demandeurs-emploi'], texte: 'Un conseiller France Travail et un travailleur social du département accompagnent ensemble les freins à l’emploi.' },
      { nom: 'Atelier CV et lettre de motivation', type: 'atelier', thematiques: ['preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation'], publics: ['demandeurs-emploi'], texte: 'Atelier collectif de trois heures pour construire ou actualiser son CV et rédiger une lettre ciblée.' },
      { nom: 'Activ’Créa', type: 'accompagnement', thematiques: ['creer-une-entreprise--definir-son-projet-de-creation-dentreprise', 'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise'], publics: ['demandeurs-emploi'], texte: 'Trois mois pour explorer l’idée de créer son entreprise et vérifier la faisabilité de son projet.' },
      { nom: 'Aide à la mobilité', type: 'aide-financiere', thematiques: ['mobilite--financer-ma-mobilite'], publics: ['demandeurs-emploi'], texte: 'Prise en charge de frais de déplacement, de repas ou d’hébergement pour une reprise d’emploi ou une formation éloignée.' },
      { nom: 'Prestation d’orientation et de découverte des métiers', type: 'accompagnement', thematiques: ['choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite', 'choisir-un-metier--confirmer-son-choix-de-metier'], publics: ['demandeurs-emploi', 'jeunes'], texte: 'Immersions en entreprise et rencontres de professionnels pour confirmer un projet de reconversion.' },
      { nom: 'Valoriser son image professionnelle', type: 'atelier', thematiques: ['preparer-sa-candidature--valoriser-ses-competences', 'remobilisation--bien-etre-confiance-en-soi'], publics: ['demandeurs-emploi'], texte: 'Atelier pour reprendre confiance, travailler sa présentation et son pitch avant un entretien.' },
    ],
  },
  {
    key: 'siae',
    weight: 12,
    sources: () => [['emplois-de-linclusion', 6], ['dora', 4]],
    reseaux: (r) => [r.weighted([['aci', 5], ['ei', 3], ['ai', 2], ['etti', 1], ['eiti', 1]] as const)],
    nom: (r, c, _d, [reseau]) =>
      reseau === 'aci'
        ? r.pick([`Atelier chantier d’insertion ${r.pick(ASSO_NOMS)}`, `Ressourcerie ${deCommune(c.nom)}`, `Jardins solidaires ${deCommune(c.nom)}`])
        : reseau === 'ei'
          ? r.pick([`Entreprise d’insertion ${r.pick(ASSO_NOMS)}`, `${r.pick(ASSO_NOMS)} ${c.nom}`])
          : reseau === 'ai'
            ? `Association intermédiaire ${r.pick(ASSO_NOMS)}`
            : `${reseau === 'etti' ? 'Intérim d’insertion' : 'EITI'} ${r.pick(ASSO_NOMS)} ${c.nom}`,
    intro: 'Structure de l’insertion par l’activité économique, elle propose des contrats de travail accompagnés',
    zones: [['departement', 4], ['epci', 3], ['commune', 2]],
    domaine: 'insertion',
    services: [
      { nom: 'Contrat à durée déterminée d’insertion', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'preparer-sa-candidature--valoriser-ses-competences', 'remobilisation--bien-etre-confiance-en-soi'], publics: ['demandeurs-emploi', 'beneficiaires-des-minimas-sociaux'], texte: 'Un emploi de 20 à 35 heures par semaine dans nos activités, avec un accompagnement socioprofessionnel et des formations.' },
      { nom: 'Mise à disposition de personnel', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi'], publics: ['demandeurs-emploi'], texte: 'Missions de travail auprès de particuliers, collectivités et entreprises, pour reprendre pied dans l’emploi.' },
      { nom: 'Atelier remobilisation', type: 'atelier', thematiques: ['remobilisation--bien-etre-confiance-en-soi', 'remobilisation--lien-social'], publics: ['beneficiaires-des-minimas-sociaux', 'demandeurs-emploi'], texte: 'Ateliers collectifs pour retrouver un rythme, reprendre confiance et préparer un parcours vers l’emploi.', formation: true },
      { nom: 'Boutique solidaire', type: 'aide-materielle', thematiques: ['equipement-et-alimentation--habillement', 'equipement-et-alimentation--electromenager'], publics: ['beneficiaires-des-minimas-sociaux'], tousPublics: 0.5, texte: 'Vêtements, meubles et électroménager de seconde main à petits prix, remis en état par nos salariés.', payant: { chance: 0.8, precisions: 'Prix solidaires, réduction de 50 % sur présentation d’une attestation CAF.' } },
    ],
  },
  {
    key: 'mediation-numerique',
    weight: 12,
    sources: () => [['mediation-numerique', 8], ['dora', 2]],
    reseaux: (r) => r.weighted([[['conseillers-numeriques'], 4], [['france-service'], 3], [['espaces-publics-numeriques'], 2], [['conseillers-numeriques', 'aidants-connect'], 2]] as const).slice(),
    nom: (r, c, _d, reseaux) =>
      reseaux.includes('france-service')
        ? `France services ${c.nom}`
        : r.pick([`Espace numérique ${deCommune(c.nom)}`, `Médiathèque ${deCommune(c.nom)}`, `Conseiller numérique — Mairie ${deCommune(c.nom)}`]),
    intro: 'Lieu de médiation numérique ouvert à tous pour gagner en autonomie avec les outils numériques',
    zones: [['commune', 5], ['epci', 3]],
    domaine: 'numerique',
    services: [
      { nom: 'Accompagnement aux démarches en ligne', type: 'accompagnement', thematiques: ['numerique--acceder-a-des-services-en-ligne', 'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'], publics: ['seniors', 'personnes-exilees'], tousPublics: 0.5, texte: 'Aide pour créer ses comptes en ligne (CAF, impôts, ameli, France Travail) et réaliser ses démarches administratives.' },
      { nom: 'Initiation à l’informatique', type: 'atelier', thematiques: ['numerique--maitriser-les-fondamentaux-du-numerique'], publics: ['seniors'], tousPublics: 0.6, texte: 'Ateliers en petit groupe pour prendre en main un ordinateur, une tablette ou un smartphone.', formation: true },
      { nom: 'Accès libre au matériel informatique', type: 'aide-materielle', thematiques: ['numerique--acceder-a-une-connexion-internet'], publics: [], tousPublics: 1, texte: 'Postes informatiques, wifi et imprimante en accès libre pendant les horaires d’ouverture.' },
      { nom: 'Acquérir un équipement reconditionné', type: 'aide-materielle', thematiques: ['numerique--acquerir-un-equipement'], publics: ['beneficiaires-des-minimas-sociaux', 'etudiants'], texte: 'Ordinateurs reconditionnés à prix solidaire pour les personnes aux revenus modestes.', payant: { chance: 1, precisions: 'À partir de 50 € sur justificatif de ressources.' } },
    ],
  },
  {
    key: 'action-logement',
    weight: 3,
    sources: () => [['action-logement', 1]],
    reseaux: () => ['action-logement'],
    nom: (r, c, departement) => r.pick([`Action Logement Services ${c.nom}`, `Action Logement — délégation ${departement}`]),
    intro: 'Action Logement aide les salariés à se loger pour faciliter l’accès à l’emploi',
    zones: [['departement', 3], ['france', 2]],
    domaine: 'actionlogement',
    services: [
      { nom: 'Aide Mobili-Jeune', type: 'aide-financiere', thematiques: ['logement-hebergement--louer-un-logement'], publics: ['jeunes', 'actifs'], texte: 'Une aide mensuelle pour alléger le loyer des jeunes de moins de 30 ans en alternance.', distance: true },
      { nom: 'Garantie Visale', type: 'aide-financiere', thematiques: ['logement-hebergement--louer-un-logement', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement'], publics: ['jeunes', 'actifs', 'etudiants'], texte: 'Une caution gratuite qui garantit au bailleur le paiement des loyers et charges en cas d’impayé.', distance: true },
      { nom: 'Accompagnement des salariés en difficulté', type: 'accompagnement', thematiques: ['logement-hebergement--reduire-les-impayes-de-loyer', 'logement-hebergement--se-maintenir-dans-le-logement'], publics: ['actifs'], texte: 'Un conseiller étudie la situation et mobilise des aides pour éviter l’expulsion ou la perte du logement.' },
      { nom: 'Avance Loca-Pass', type: 'aide-financiere', thematiques: ['logement-hebergement--changer-de-logement'], publics: ['actifs', 'jeunes'], texte: 'Une avance sans intérêt du dépôt de garantie, remboursable sur 25 mois.', distance: true },
    ],
  },
  {
    key: 'solidarite',
    weight: 12,
    sources: (c) => local(c, [['soliguide', 6], ['dora', 3]]),
    reseaux: (r) => [r.weighted([['restos-du-coeur', 3], ['secours-populaire', 3], ['croix-rouge', 3], ['emmaus', 1], ['banques-alimentaires', 1]] as const)],
    nom: (r, c, _d, [reseau]) =>
      ({
        'restos-du-coeur': `Restos du Cœur — centre ${deCommune(c.nom)}`,
        'secours-populaire': `Secours populaire — comité ${deCommune(c.nom)}`,
        'croix-rouge': `Croix-Rouge française — unité locale ${deCommune(c.nom)}`,
        emmaus: `Emmaüs ${c.nom}`,
        'banques-alimentaires': `Épicerie solidaire ${deCommune(c.nom)}`,
      })[reseau] ?? `Association ${r.pick(ASSO_NOMS)}`,
    intro: 'Association de solidarité animée par des bénévoles, elle accueille les personnes en difficulté',
    zones: [['commune', 5], ['epci', 3], ['departement', 1]],
    domaine: 'solidarite',
    services: [
      { nom: 'Distribution alimentaire', type: 'aide-materielle', thematiques: ['equipement-et-alimentation--alimentation'], publics: ['personnes-en-situation-durgence', 'familles', 'beneficiaires-des-minimas-sociaux'], tousPublics: 0.2, texte: 'Colis alimentaires et produits d’hygiène, sur inscription pendant la campagne d’hiver et toute l’année.' },
      { nom: 'Vestiaire solidaire', type: 'aide-materielle', thematiques: ['equipement-et-alimentation--habillement'], publics: [], tousPublics: 1, texte: 'Vêtements pour adultes et enfants, gratuits ou à prix symbolique.' },
      { nom: 'Accueil de jour', type: 'accompagnement', thematiques: ['remobilisation--lien-social', 'logement-hebergement--rechercher-une-solution-dhebergement-temporaire'], publics: ['personnes-en-situation-durgence'], texte: 'Café, douche, laverie et écoute, avec orientation vers le 115 et les services d’hébergement.' },
      { nom: 'Aide aux devoirs', type: 'accompagnement', thematiques: ['famille--soutien-a-la-parentalite-et-a-leducation'], publics: ['familles', 'jeunes'], texte: 'Des bénévoles accompagnent les enfants du CP à la 3e deux soirs par semaine.' },
      { nom: 'Permanence d’accès aux droits', type: 'information', thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'], publics: ['personnes-exilees', 'personnes-en-situation-durgence'], texte: 'Écoute et aide pour ouvrir ses droits (CSS, AME, CAF) et constituer ses dossiers.' },
    ],
  },
  {
    key: 'cap-emploi',
    weight: 3,
    sources: () => [['agefiph', 6], ['dora', 4]],
    reseaux: () => ['cap-emploi-reseau-cheops'],
    nom: (r, c, departement) => r.pick([`Cap emploi ${departement}`, `Cap emploi ${c.nom}`]),
    intro: 'Cap emploi accompagne les personnes en situation de handicap et leurs employeurs',
    zones: [['departement', 4], ['france', 1]],
    domaine: 'capemploi',
    services: [
      { nom: 'Maintien dans l’emploi des travailleurs handicapés', type: 'accompagnement', thematiques: ['trouver-un-emploi--maintien-dans-lemploi'], publics: ['personnes-en-situation-de-handicap', 'actifs'], texte: 'Étude de poste, aménagements et solutions de reclassement pour conserver son emploi malgré la maladie ou le handicap.' },
      { nom: 'Accompagnement vers l’emploi', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'choisir-un-metier--identifier-ses-points-forts-et-ses-competences'], publics: ['personnes-en-situation-de-handicap', 'demandeurs-emploi'], texte: 'Un conseiller spécialisé accompagne le projet professionnel en tenant compte des restrictions de santé.' },
      { nom: 'Aide à la constitution du dossier RQTH', type: 'information', thematiques: ['sante--constituer-un-dossier-mdph-invalidite'], publics: ['personnes-en-situation-de-handicap'], texte: 'Information sur la reconnaissance de la qualité de travailleur handicapé et aide à la constitution du dossier MDPH.', distance: true },
    ],
  },
  {
    key: 'fle',
    weight: 5,
    sources: (c) => (c.region === '11' ? [['reseau-alpha', 7], ['dora', 3]] : [['carif-oref', 6], ['dora', 4]]),
    reseaux: (r) => (r.chance(0.3) ? ['anlci'] : []),
    nom: (r, c) => r.pick([`${r.pick(ASSO_NOMS)} — cours de français`, `Centre social ${deCommune(c.nom)}`, `Association Lire et écrire ${c.nom}`, `Organisme de formation ${r.pick(ASSO_NOMS)}`]),
    intro: 'Organisme proposant des cours de français et des formations aux savoirs de base',
    zones: [['commune', 3], ['epci', 3], ['departement', 3]],
    domaine: 'formation',
    services: [
      { nom: 'Cours de français langue étrangère', type: 'formation', thematiques: ['lecture-ecriture-calcul--maitriser-le-francais'], publics: ['personnes-exilees'], texte: 'Cours de FLE du niveau A1 au B1, en groupe de 12 personnes maximum, après un test de positionnement.', formation: true, payant: { chance: 0.3, precisions: 'Adhésion annuelle de 20 €.' } },
      { nom: 'Atelier sociolinguistique', type: 'atelier', thematiques: ['lecture-ecriture-calcul--maitriser-le-francais', 'remobilisation--lien-social'], publics: ['personnes-exilees', 'femmes'], texte: 'Apprendre le français à partir des situations de la vie quotidienne : école, santé, transports, administration.', formation: true },
      { nom: 'Remise à niveau en calcul et écriture', type: 'formation', thematiques: ['lecture-ecriture-calcul--maitriser-le-calcul', 'lecture-ecriture-calcul--maitriser-le-francais'], publics: ['demandeurs-emploi', 'actifs'], texte: 'Formation aux savoirs de base pour préparer une formation qualifiante ou un concours.', formation: true },
    ],
  },
  {
    key: 'creche',
    weight: 5,
    sources: () => [['monenfant', 8], ['dora', 2]],
    reseaux: (r) => (r.chance(0.4) ? ['creches-avip'] : []),
    nom: (r, c) => r.pick([`Crèche ${r.pick(['Les Petits Loups', 'Les Lutins', 'Pomme d’Api', 'Les Câlins', 'Arc-en-ciel', 'Les Coccinelles'])}`, `Multi-accueil ${deCommune(c.nom)}`, `Crèche à vocation d’insertion professionnelle ${deCommune(c.nom)}`]),
    intro: 'Établissement d’accueil du jeune enfant, il réserve des places aux parents en parcours d’insertion',
    zones: [['commune', 8], ['epci', 1]],
    domaine: 'creche',
    services: [
      { nom: 'Accueil du jeune enfant', type: 'aide-materielle', thematiques: ['famille--garde-denfants'], publics: ['familles', 'demandeurs-emploi'], texte: 'Accueil régulier ou occasionnel des enfants de 10 semaines à 3 ans, du lundi au vendredi.', payant: { chance: 0.9, precisions: 'Tarif horaire selon le barème national de la CNAF.' } },
      { nom: 'Places réservées aux parents en recherche d’emploi', type: 'aide-materielle', thematiques: ['famille--garde-denfants', 'trouver-un-emploi--repondre-a-des-offres-demploi'], publics: ['demandeurs-emploi', 'familles', 'beneficiaires-des-minimas-sociaux'], texte: 'Une place en crèche pour permettre aux parents de chercher un emploi ou suivre une formation.', payant: { chance: 0.7, precisions: 'Tarif selon le barème CNAF, à partir de 0,50 € de l’heure.' } },
    ],
  },
  {
    key: 'esat',
    weight: 3,
    sources: () => [['finess', 7], ['dora', 3]],
    reseaux: () => ['esat'],
    nom: (r, c) => r.pick([`ESAT ${deCommune(c.nom)}`, `ESAT ${r.pick(ASSO_NOMS)}`, `Établissement et service d’aide par le travail ${deCommune(c.nom)}`]),
    intro: 'Établissement médico-social qui permet aux personnes handicapées d’exercer une activité professionnelle adaptée',
    zones: [['departement', 6], ['epci', 1]],
    domaine: 'esat',
    services: [
      { nom: 'Travail en milieu protégé', type: 'accompagnement', thematiques: ['trouver-un-emploi--maintien-dans-lemploi', 'remobilisation--bien-etre-confiance-en-soi'], publics: ['personnes-en-situation-de-handicap'], texte: 'Activités de blanchisserie, espaces verts et conditionnement, avec un soutien médico-social, sur orientation de la CDAPH.' },
      { nom: 'Stage de découverte', type: 'accompagnement', thematiques: ['choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite'], publics: ['personnes-en-situation-de-handicap', 'jeunes'], texte: 'Stages de quelques semaines pour découvrir nos ateliers avant une admission.' },
    ],
  },
  {
    key: 'mobilite',
    weight: 4,
    sources: () => [['mes-aides', 5], ['dora', 5]],
    reseaux: (r) => (r.chance(0.4) ? ['wimoov'] : []),
    nom: (r, c, _d, reseaux) =>
      reseaux.includes('wimoov')
        ? `Wimoov ${c.nom}`
        : r.pick([`Garage solidaire ${deCommune(c.nom)}`, `Plateforme mobilité ${deCommune(c.nom)}`, `Auto-école sociale ${r.pick(ASSO_NOMS)}`]),
    intro: 'Acteur de la mobilité solidaire, il aide à lever les freins de déplacement vers l’emploi',
    zones: [['departement', 4], ['epci', 4]],
    domaine: 'mobilite',
    services: [
      { nom: 'Réparation de véhicules à tarif solidaire', type: 'aide-materielle', thematiques: ['mobilite--entretenir-reparer-son-vehicule'], publics: ['beneficiaires-des-minimas-sociaux', 'demandeurs-emploi'], texte: 'Entretien et réparation de voitures et deux-roues, pièces au prix coûtant et main d’œuvre réduite.', payant: { chance: 0.9, precisions: 'Main d’œuvre à 15 € de l’heure sur orientation d’un prescripteur.' } },
      { nom: 'Location de véhicules à petit prix', type: 'aide-materielle', thematiques: ['mobilite--acceder-a-un-vehicule'], publics: ['demandeurs-emploi', 'actifs'], texte: 'Voitures, scooters et vélos électriques loués pour quelques euros par jour le temps d’une reprise d’emploi.', payant: { chance: 0.8, precisions: 'De 3 à 8 € par jour selon le véhicule.' } },
      { nom: 'Bilan de compétences mobilité', type: 'accompagnement', thematiques: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'], publics: ['demandeurs-emploi', 'beneficiaires-des-minimas-sociaux', 'jeunes'], texte: 'Un conseiller mobilité évalue les besoins et construit un plan d’action : transports, permis, véhicule.' },
      { nom: 'Préparation au permis de conduire', type: 'formation', thematiques: ['mobilite--preparer-un-permis'], publics: ['jeunes', 'demandeurs-emploi'], texte: 'Code et conduite avec une pédagogie adaptée, pour les personnes en parcours d’insertion.', formation: true, payant: { chance: 0.6, precisions: 'Reste à charge de 10 % du coût, financement possible par la mission locale.' } },
    ],
  },
  {
    key: 'mds',
    weight: 6,
    sources: (c) => local(c, [['dora', 1]]),
    reseaux: (r) => (r.chance(0.6) ? ['departements', 'maisons-des-solidarites'] : ['departements']),
    nom: (r, c) => r.pick([`Maison départementale des solidarités ${deCommune(c.nom)}`, `Espace départemental des solidarités ${deCommune(c.nom)}`, `Centre médico-social ${deCommune(c.nom)}`]),
    intro: 'Service du conseil départemental, il regroupe travailleurs sociaux, PMI et insertion',
    zones: [['departement', 2], ['epci', 4], ['commune', 2]],
    domaine: 'departement',
    services: [
      { nom: 'Accompagnement social global', type: 'accompagnement', thematiques: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'logement-hebergement--se-maintenir-dans-le-logement', 'difficultes-financieres--ameliorer-sa-gestion-budgetaire'], publics: [], tousPublics: 0.7, texte: 'Un travailleur social évalue la situation et accompagne les démarches liées au logement, au budget et aux droits.' },
      { nom: 'Protection maternelle et infantile', type: 'accompagnement', thematiques: ['famille--soutien-a-la-parentalite-et-a-leducation', 'sante--acces-aux-soins'], publics: ['familles'], texte: 'Consultations de puériculture, suivi de grossesse et vaccinations gratuites pour les enfants de moins de 6 ans.' },
      { nom: 'Mesure d’accompagnement social personnalisé', type: 'accompagnement', thematiques: ['difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere', 'difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte'], publics: ['beneficiaires-des-minimas-sociaux'], texte: 'Accompagnement contractualisé pour les personnes dont la santé ou la sécurité est menacée par des difficultés à gérer leurs prestations.' },
      { nom: 'Orientation des bénéficiaires du RSA', type: 'information', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'remobilisation--lien-social'], publics: ['beneficiaires-des-minimas-sociaux'], texte: 'Information collective et orientation vers le référent le plus adapté au parcours.' },
    ],
  },
  {
    key: 'creation',
    weight: 4,
    sources: () => [['dora', 1]],
    reseaux: (r) => [r.weighted([['adie', 3], ['reseau-bge', 3], ['initiative-france', 2], ['france-active', 2]] as const)],
    nom: (_r, c, _d, [reseau]) =>
      ({ adie: `Adie ${c.nom}`, 'reseau-bge': `BGE ${c.nom}`, 'initiative-france': `Initiative ${c.nom}` })[reseau] ??
      `France Active — antenne ${deCommune(c.nom)}`,
    intro: 'Réseau d’accompagnement et de financement des créateurs d’entreprise',
    zones: [['departement', 5], ['epci', 2]],
    domaine: 'creation',
    services: [
      { nom: 'Microcrédit professionnel', type: 'aide-financiere', thematiques: ['creer-une-entreprise--developper-son-entreprise'], publics: ['demandeurs-emploi', 'beneficiaires-des-minimas-sociaux'], texte: 'Prêt jusqu’à 12 000 € pour créer ou développer une activité, pour les personnes qui n’ont pas accès au crédit bancaire.' },
      { nom: 'Accompagnement à la création d’entreprise', type: 'accompagnement', thematiques: ['creer-une-entreprise--definir-son-projet-de-creation-dentreprise', 'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise'], publics: ['demandeurs-emploi', 'actifs'], texte: 'Étude de marché, prévisionnel financier et choix du statut avec un conseiller création.' },
      { nom: 'Formation « Entreprendre »', type: 'formation', thematiques: ['creer-une-entreprise--structurer-son-projet-de-creation-dentreprise'], publics: ['demandeurs-emploi'], texte: 'Formation collective de quatre semaines pour bâtir son business plan.', formation: true },
    ],
  },
  {
    key: 'budget',
    weight: 2,
    sources: () => [['dora', 1]],
    reseaux: (r) => (r.chance(0.5) ? ['points-conseil-budget', 'cresus'] : ['points-conseil-budget']),
    nom: (r, c, _d, reseaux) =>
      reseaux.includes('cresus') ? `Crésus ${c.nom}` : r.pick([`Point conseil budget ${deCommune(c.nom)}`, `UDAF — point conseil budget ${deCommune(c.nom)}`]),
    intro: 'Point conseil budget labellisé, il aide gratuitement les personnes confrontées à des difficultés financières',
    zones: [['departement', 5], ['epci', 2]],
    domaine: 'budget',
    services: [
      { nom: 'Conseil budgétaire', type: 'accompagnement', thematiques: ['difficultes-financieres--ameliorer-sa-gestion-budgetaire', 'difficultes-financieres--acquerir-une-autonomie-budgetaire'], publics: [], tousPublics: 0.8, texte: 'Diagnostic confidentiel du budget et conseils pour équilibrer ses dépenses.' },
      { nom: 'Aide au dossier de surendettement', type: 'accompagnement', thematiques: ['difficultes-financieres--situation-dendettement-surendettement'], publics: ['beneficiaires-des-minimas-sociaux', 'actifs', 'seniors'], texte: 'Accompagnement pour constituer le dossier auprès de la Banque de France et négocier avec les créanciers.' },
    ],
  },
  {
    key: 'cidff',
    weight: 2,
    sources: () => [['dora', 1]],
    reseaux: () => ['cidff'],
    nom: (r, c, departement) => r.pick([`CIDFF ${departement}`, `CIDFF — permanence ${deCommune(c.nom)}`]),
    intro: 'Le centre d’information sur les droits des femmes et des familles informe et accompagne gratuitement',
    zones: [['departement', 1]],
    domaine: 'cidff',
    services: [
      { nom: 'Information juridique', type: 'information', thematiques: ['difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination', 'famille--surmonter-conflits-separation-violence'], publics: ['femmes', 'familles'], texte: 'Juristes à l’écoute sur le droit de la famille, le droit du travail et les violences, sur rendez-vous.' },
      { nom: 'Accompagnement des victimes de violences', type: 'accompagnement', thematiques: ['famille--surmonter-conflits-separation-violence', 'difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire'], publics: ['femmes'], texte: 'Écoute, information sur les démarches de plainte et orientation vers l’hébergement et le soin.' },
      { nom: 'Bureau d’accompagnement individualisé vers l’emploi', type: 'accompagnement', thematiques: ['trouver-un-emploi--repondre-a-des-offres-demploi', 'choisir-un-metier--identifier-ses-points-forts-et-ses-competences'], publics: ['femmes', 'demandeurs-emploi'], texte: 'Accompagnement vers l’emploi qui tient compte des contraintes familiales et de la situation des femmes.' },
    ],
  },
];

const GENERIC_SENTENCES = [
  'L’accueil se fait sans rendez-vous aux heures de permanence, ou sur rendez-vous en dehors.',
  'Les professionnels peuvent orienter les personnes par courriel ou par téléphone.',
  'Merci de vous munir d’une pièce d’identité et d’un justificatif de domicile.',
  'Le service est accessible aux personnes à mobilité réduite.',
  'Un interprète peut être sollicité pour les personnes non francophones.',
  'Les informations échangées restent confidentielles.',
  'Des permanences sont aussi assurées dans les communes voisines.',
  'L’équipe travaille en lien avec les partenaires sociaux et les entreprises du territoire.',
  'Le premier entretien permet de faire le point sur la situation et les besoins.',
];

const SOURCE_LINKS: Record<string, (slug: string, id: string) => string> = {
  dora: (slug) => `https://dora.inclusion.beta.gouv.fr/structures/${slug}`,
  soliguide: (slug) => `https://soliguide.fr/fr/fiche/${slug}`,
  'emplois-de-linclusion': (_slug, id) => `https://emplois.inclusion.beta.gouv.fr/company/${id}/card`,
  'mediation-numerique': (slug) => `https://cartographie.societenumerique.gouv.fr/cartographie/${slug}/details`,
  'france-travail': (_slug, id) => `https://www.francetravail.fr/annuaire/${id.toLowerCase()}`,
  'action-logement': (slug) => `https://www.actionlogement.fr/implantations/${slug}`,
  agefiph: (slug) => `https://www.agefiph.fr/annuaire/${slug}`,
  monenfant: (_slug, id) => `https://monenfant.fr/que-recherchez-vous/mode-d-accueil/${id}`,
  'reseau-alpha': (slug) => `https://www.reseau-alpha.org/structure/apprentissage-du-francais/${slug}`,
};

// ---------------------------------------------------------------------------------------------------
// Generation

function toDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function description(random: Random, first: string, min: number, max: number): string {
  const target = random.int(min, max);
  let text = first;
  for (const sentence of random.some(GENERIC_SENTENCES, GENERIC_SENTENCES.length)) {
    if ([...text].length >= target) break;
    if ([...text].length + sentence.length + 1 > max) continue;
    text += ` ${sentence}`;
  }
  if ([...text].length > max) text = `${[...text].slice(0, max - 1).join('').trimEnd()}…`;
  return text;
}

function producerId(random: Random, source: string, counter: number): string {
  switch (source) {
    case 'dora':
      return `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
    case 'soliguide':
    case 'emplois-de-linclusion':
    case 'monenfant':
      return String(10_000 + counter);
    case 'france-travail':
      return `${random.pick(['IDF', 'ARA', 'OCC', 'NAQ', 'HDF', 'GES', 'BRE', 'PDL', 'NOR', 'BFC', 'CVL', 'PAC'])}${String(counter).padStart(4, '0')}`;
    case 'finess':
      return `${random.digits(9)}`;
    default:
      return `${random.hex(6)}${counter.toString(36)}`;
  }
}

/** A deterministic demonstration offer: same options → same records. */
export function generateOffer(options: GenerateOptions = {}): GeneratedOffer {
  const count = options.structures ?? 2000;
  const perStructure = options.servicesPerStructure ?? 3;
  const random = new Random(seedrandom(options.seed ?? 'passerelle'));
  const today = Math.floor((options.now ?? new Date()).getTime() / 86_400_000);
  const { communes, cumulative, departements } = seedCommunes();
  const totalPopulation = cumulative[cumulative.length - 1];

  const pickCommune = (): SeedCommune => {
    const draw = random.next() * totalPopulation;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] > draw) high = mid;
      else low = mid + 1;
    }
    return communes[low];
  };
  const kinds = KINDS.map((kind) => [kind, kind.weight] as const);
  const usedIds = new Set<string>();
  const counters = new Map<string, number>();
  const newId = (source: string): string => {
    for (;;) {
      const counter = (counters.get(source) ?? 0) + 1;
      counters.set(source, counter);
      const id = offerId(source, producerId(random, source, counter));
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };

  interface Placed {
    record: StructureRecord;
    kind: Kind;
    commune: SeedCommune;
    departement: string;
  }
  const placed: Placed[] = [];
  for (let index = 0; index < count; index++) {
    const kind = random.weighted(kinds);
    const commune = pickCommune();
    const departement = departements.get(commune.departement) ?? commune.departement;
    const source = random.weighted(kind.sources(commune));
    const id = newId(source);
    const reseaux = kind.reseaux(random);
    const nom = kind.nom(random, commune, departement, reseaux).slice(0, 150);
    const slug = slugify(`${nom}-${id.slice(-6)}`);
    const domaine = `${kind.domaine}-${slugify(commune.nom)}`.slice(0, 50).replace(/-$/, '');
    const [latitude, longitude] = jitter(random, commune);
    const complete = random.chance(0.85);
    const record: StructureRecord = {
      source,
      id,
      nom,
      date_maj: toDate(today - random.int(0, 3 * 365)),
      description: random.chance(0.75) ? description(random, `${kind.intro}.`, 50, 600) : null,
      lien_source: SOURCE_LINKS[source]?.(slug, id.slice(source.length + 2)) ?? null,
      siret: random.chance(0.7) ? siret(random) : null,
      commune: commune.nom,
      code_postal: random.pick(commune.codesPostaux),
      code_insee: commune.code,
      adresse: `${random.int(1, 120)} ${random.pick(VOIES)}`,
      complement_adresse: random.chance(0.2) ? random.pick(COMPLEMENTS) : null,
      longitude,
      latitude,
      telephone: complete || random.chance(0.5) ? telephone(random, commune) : null,
      courriel: complete && random.chance(0.9) ? `${random.pick(['contact', 'accueil', 'secretariat', 'info'])}@${domaine}.fr` : null,
      site_web: random.chance(0.5) ? `https://www.${domaine}.fr` : null,
      horaires_accueil: random.chance(0.7) ? random.pick(HORAIRES) : null,
      accessibilite_lieu: random.chance(0.2) ? `https://acceslibre.beta.gouv.fr/app/${commune.departement}-${slugify(commune.nom)}/a/${random.hex(8)}/` : null,
      reseaux_porteurs: reseaux,
    };
    placed.push({ record, kind, commune, departement });
  }

  // Services: one per structure first, the rest spread at random (exactly round(count × perStructure)).
  const totalServices = Math.round(count * perStructure);
  const perPlaced = placed.map(() => 0);
  if (placed.length > 0) {
    for (let i = 0; i < totalServices; i++) {
      if (i < placed.length) perPlaced[i]++;
      else perPlaced[random.int(0, placed.length - 1)]++;
    }
  }

  const services: ServiceRecord[] = [];
  placed.forEach((structure, index) => {
    // Each structure offers its own subset of its kind's services, in its own order.
    const templates = random.shuffle(structure.kind.services);
    for (let n = 0; n < perPlaced[index]; n++) {
      const template = templates[n % templates.length];
      const round = Math.floor(n / templates.length);
      services.push(service(random, structure.record, structure.kind, structure.commune, template, round, today, newId));
    }
  });

  listedTwice(placed, services, options.seed ?? 'passerelle');
  return { structures: placed.map((p) => p.record), services };
}

/**
 * The same place listed by two producers, as in the real offer (what dedup finds: src/dedup/): one structure
 * in DUPLICATE_EVERY becomes another source's listing of the structure before it — its name written another
 * way, its address abbreviated, its phone and e-mail the same, coordinates a few metres off —, and its services
 * move with it. From its own random stream, after everything else is drawn: the other records are unchanged.
 */
const DUPLICATE_EVERY = 200;

function listedTwice(placed: { record: StructureRecord; commune: SeedCommune }[], services: ServiceRecord[], seed: string): void {
  const random = new Random(seedrandom(`${seed}:doublons`));
  const byStructure = new Map<string, ServiceRecord[]>();
  for (const service of services) byStructure.set(service.structure_id, [...(byStructure.get(service.structure_id) ?? []), service]);
  for (let i = DUPLICATE_EVERY - 1; i < placed.length; i += DUPLICATE_EVERY) {
    const original = placed[i - 1].record;
    const copy = placed[i].record;
    const before = { telephone: copy.telephone, courriel: copy.courriel };
    Object.assign(copy, {
      nom: random.chance(0.5) ? original.nom.toUpperCase() : original.nom.normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
      siret: copy.siret ? original.siret : null,
      commune: original.commune,
      code_postal: original.code_postal,
      code_insee: original.code_insee,
      adresse: original.adresse?.replace(/\brue\b/, 'r.').replace(/\bavenue\b/, 'av.').replace(/\bboulevard\b/, 'bd') ?? null,
      complement_adresse: original.complement_adresse,
      latitude: original.latitude == null ? null : Math.round((original.latitude + (random.next() - 0.5) * 0.0002) * 1e6) / 1e6,
      longitude: original.longitude == null ? null : Math.round((original.longitude + (random.next() - 0.5) * 0.0002) * 1e6) / 1e6,
      telephone: original.telephone ?? copy.telephone,
      courriel: copy.courriel && original.courriel ? original.courriel : copy.courriel,
    });
    placed[i].commune = placed[i - 1].commune;
    for (const service of byStructure.get(copy.id) ?? []) {
      Object.assign(service, {
        commune: copy.commune,
        code_postal: copy.code_postal,
        code_insee: copy.code_insee,
        adresse: service.adresse ? copy.adresse : null,
        complement_adresse: copy.complement_adresse,
        latitude: copy.latitude,
        longitude: copy.longitude,
        telephone: service.telephone && service.telephone === before.telephone ? copy.telephone : service.telephone,
        courriel: service.courriel && service.courriel === before.courriel ? copy.courriel : service.courriel,
      });
    }
  }
}

function jitter(random: Random, commune: SeedCommune): [number, number] {
  const distanceKm = Math.sqrt(random.next()) * 0.9;
  const angle = random.next() * 2 * Math.PI;
  const latitude = commune.latitude + (distanceKm * Math.cos(angle)) / 111.32;
  const longitude = commune.longitude + (distanceKm * Math.sin(angle)) / (111.32 * Math.cos((commune.latitude * Math.PI) / 180));
  return [Math.round(latitude * 1e6) / 1e6, Math.round(longitude * 1e6) / 1e6];
}

function service(
  random: Random,
  structure: StructureRecord,
  kind: Kind,
  commune: SeedCommune,
  template: ServiceTemplate,
  round: number,
  today: number,
  newId: (source: string) => string,
): ServiceRecord {
  const source = structure.source;
  const variants = ['session de printemps', 'session d’automne', 'groupe du soir'];
  const nom = round === 0 ? template.nom : `${template.nom} (${variants[round - 1] ?? `groupe ${round + 1}`})`;
  const thematiques = random.some(template.thematiques, random.int(1, Math.min(3, template.thematiques.length)));
  const publics =
    template.publics.length === 0 || random.chance(template.tousPublics ?? 0.05)
      ? ['tous-publics']
      : random.some(template.publics, random.int(1, template.publics.length));
  const modesAccueil = template.distance
    ? random.weighted([[['a-distance'], 7], [['a-distance', 'en-presentiel'], 3]] as const).slice()
    : random.weighted([[['en-presentiel'], 6], [['a-distance', 'en-presentiel'], 3], [['a-distance'], 1]] as const).slice();
  const modesMobilisation = random.chance(0.9)
    ? random.some(['envoyer-un-courriel', 'se-presenter', 'telephoner', 'utiliser-lien-mobilisation'], random.int(1, 3))
    : null;
  const mobilisablePar = random.chance(0.88)
    ? random.weighted([[['professionnels', 'usagers'], 5], [['usagers'], 3], [['professionnels'], 2]] as const).slice()
    : null;
  const has = (mode: string) => modesMobilisation?.includes(mode) ?? false;
  const payant = template.payant && random.chance(template.payant.chance);
  const frais = random.chance(0.05) ? null : payant ? 'payant' : 'gratuit';
  const zoneKind = random.weighted(kind.zones);
  const zone =
    zoneKind === 'france' ? ['france'] : zoneKind === 'departement' ? [commune.departement] : zoneKind === 'epci' && commune.epci ? [commune.epci] : [commune.code];
  const complete = random.chance(0.85);
  const prenom = random.pick(PRENOMS);
  const nomFamille = random.pick(NOMS);
  const short = random.chance(0.2);
  return {
    source,
    structure_id: structure.id,
    id: newId(source),
    nom,
    description: description(random, template.texte, short ? 50 : 200, short ? 199 : 600),
    date_maj: toDate(today - random.int(0, 3 * 365)),
    lien_source: structure.lien_source ? `${structure.lien_source.replace(/\/$/, '')}/services/${random.hex(6)}` : null,
    type: random.chance(0.95) ? template.type : null,
    thematiques,
    frais,
    frais_precisions: frais === 'payant' && random.chance(0.8) ? template.payant?.precisions ?? null : null,
    publics,
    publics_precisions: publics.includes('jeunes') && random.chance(0.5) ? 'Jeunes de 16 à 25 ans révolus, 29 ans pour les personnes en situation de handicap.' : null,
    conditions_acces: random.chance(0.4) ? random.pick(['Sur orientation d’un prescripteur.', 'Résider dans le périmètre d’intervention.', 'Être inscrit comme demandeur d’emploi.', 'Justificatif de ressources de moins de trois mois.']) : null,
    commune: structure.commune,
    code_postal: structure.code_postal,
    code_insee: structure.code_insee,
    adresse: has('se-presenter') || modesAccueil.includes('en-presentiel') ? (random.chance(0.93) ? structure.adresse : null) : structure.adresse,
    complement_adresse: structure.complement_adresse,
    longitude: structure.longitude,
    latitude: structure.latitude,
    telephone: (has('telephoner') && random.chance(0.92)) || (complete && random.chance(0.6)) ? structure.telephone ?? telephone(random, commune) : null,
    courriel: (has('envoyer-un-courriel') && random.chance(0.9)) || (complete && random.chance(0.4)) ? structure.courriel ?? `contact@${kind.domaine}-${slugify(commune.nom).slice(0, 40).replace(/-$/, '')}.fr` : null,
    modes_accueil: modesAccueil,
    zone_eligibilite: zone,
    contact_nom_prenom: complete && random.chance(0.7) ? `${prenom} ${nomFamille}` : null,
    lien_mobilisation: has('utiliser-lien-mobilisation') ? `https://rdv.${kind.domaine}.fr/prendre-rdv/${random.hex(10)}` : null,
    modes_mobilisation: modesMobilisation,
    mobilisable_par: mobilisablePar,
    mobilisation_precisions: random.chance(0.2) ? 'Prendre rendez-vous de préférence en début de semaine.' : null,
    volume_horaire_hebdomadaire: template.formation ? random.pick([2, 3, 4.5, 6, 9, 12, 20]) : null,
    nombre_semaines: template.formation ? random.int(4, 36) : null,
    horaires_accueil: random.chance(0.4) ? structure.horaires_accueil ?? random.pick(HORAIRES) : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// Writing the demonstration offer

export interface SeedOptions extends GenerateOptions {
  /** Structures per write transaction (with their services). */
  batchSize?: number;
  /** Called after each committed batch with the structures written so far, out of the whole offer's. */
  onBatch?(progress: { structures: number; total: number }): void;
}

export interface SeedResult extends WriteResult {
  structures: number;
  services: number;
  milliseconds: number;
}

/** Writes the sources and a generated offer into the store (idempotent for the same options). */
export async function seedOffer(store: Store, options: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const now = options.now ?? new Date();
  await syncSources(store);
  const offer = generateOffer({ ...options, now });
  const batchSize = options.batchSize ?? 1000;
  const byStructure = new Map<string, ServiceRecord[]>();
  for (const service of offer.services) {
    const list = byStructure.get(service.structure_id);
    if (list) list.push(service);
    else byStructure.set(service.structure_id, [service]);
  }
  const totals: WriteResult = { structuresWritten: 0, servicesWritten: 0, structuresUnchanged: 0, servicesUnchanged: 0 };
  for (let start = 0; start < offer.structures.length; start += batchSize) {
    const structures = offer.structures.slice(start, start + batchSize);
    const services = structures.flatMap((structure) => byStructure.get(structure.id) ?? []);
    const result = await writeOffer(store, { structures, services }, { now });
    totals.structuresWritten += result.structuresWritten;
    totals.servicesWritten += result.servicesWritten;
    totals.structuresUnchanged += result.structuresUnchanged;
    totals.servicesUnchanged += result.servicesUnchanged;
    options.onBatch?.({ structures: start + structures.length, total: offer.structures.length });
  }
  // Its duplicates clustered, as an import or a harvest leaves them (the whole store: a seed writes everywhere).
  if (totals.structuresWritten || totals.servicesWritten) await dedupStore(store);
  return { ...totals, structures: offer.structures.length, services: offer.services.length, milliseconds: Date.now() - started };
}

/** True when the store holds no structure (a new store, to seed on first start). */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  const first = await store.prisma.structure.findFirst({ select: { id: true } });
  return first === null;
}
