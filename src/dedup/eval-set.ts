import seedrandom from 'seedrandom';
import type { DedupRecord } from './features';

/**
 * The labelled evaluation set of dedup (`npm run eval:dedup`): structures with known truth (`entity`: records
 * of one entity are the same place). Generated variants of realistic French structures — the same place
 * listed by several sources with typos, abbreviations, other phone and address formats, missing fields,
 * coordinates a few metres apart or missing —, distinct structures that look alike (same kind in the same
 * commune), and hand-written hard cases: a mairie and its CCAS, two antennes of one association, a renamed
 * structure, a moved one, missing coordinates, one phone shared by a whole network. Deterministic.
 */
export interface LabelledRecord extends DedupRecord {
  entity: string;
  dateMaj: Date;
  scoreQualite: number | null;
  horairesAccueil: string | null;
  /** Which hard case this record belongs to (absent: generated). */
  hardCase?: string;
}

interface Commune {
  nom: string;
  insee: string;
  postal: string;
  lat: number;
  lon: number;
}

const COMMUNES: Commune[] = [
  { nom: 'Lyon', insee: '69123', postal: '69003', lat: 45.7578, lon: 4.832 },
  { nom: 'Marseille', insee: '13055', postal: '13001', lat: 43.2965, lon: 5.3698 },
  { nom: 'Lille', insee: '59350', postal: '59000', lat: 50.6292, lon: 3.0573 },
  { nom: 'Amiens', insee: '80021', postal: '80000', lat: 49.894, lon: 2.2958 },
  { nom: 'Rennes', insee: '35238', postal: '35000', lat: 48.1173, lon: -1.6778 },
  { nom: 'Saint-Étienne', insee: '42218', postal: '42000', lat: 45.4397, lon: 4.3872 },
  { nom: 'Besançon', insee: '25056', postal: '25000', lat: 47.238, lon: 6.0243 },
  { nom: 'Roubaix', insee: '59512', postal: '59100', lat: 50.6942, lon: 3.1746 },
  { nom: 'Montreuil', insee: '93048', postal: '93100', lat: 48.8638, lon: 2.4485 },
  { nom: 'Perpignan', insee: '66136', postal: '66000', lat: 42.6887, lon: 2.8948 },
  { nom: 'Limoges', insee: '87085', postal: '87000', lat: 45.8336, lon: 1.2611 },
  { nom: 'Châteauroux', insee: '36044', postal: '36000', lat: 46.8103, lon: 1.6913 },
];

const VOIES = ['rue Victor Hugo', 'avenue Jean Jaurès', 'boulevard Gambetta', 'place de la République', 'rue du Général Leclerc', 'rue Pasteur', 'allée des Tilleuls', 'rue Saint-Exupéry', 'avenue de la Libération', 'rue Émile Zola', 'chemin des Vignes', 'rue de l’Hôpital', 'place du Marché', 'rue Jules Ferry', 'faubourg Saint-Antoine'];
const ASSOS = ['Le Relais', 'Tremplin Solidaire', 'Passerelles pour l’Emploi', 'L’Escale', 'Horizons Nouveaux', 'Solidarité Partage', 'La Boussole', 'Cap Avenir', 'Agir Ensemble', 'Les Ateliers du Lien', 'Trait d’Union', 'Initiatives Solidaires', 'Le Pont des Savoirs', 'Envol Jeunesse', 'Rebond Insertion', 'Jardins de Cocagne', 'Entraide Familiale', 'Les Compagnons Bâtisseurs', 'Accueil et Partage', 'Familles Rurales'];
const HOSTED = ['Lire et Faire Lire', 'Parents Solidaires', 'Alpha Savoirs', 'Chemins de Traverse', 'Bricol’Aide', 'Femmes Relais', 'Toit et Joie', 'Mosaïque', 'Les Petits Frères', 'Coup de Pouce Numérique'];
const CENTRES = ['Les Tilleuls', 'La Source', 'Le Colombier', 'Bel Air', 'Les Hauts de Saint-Jean', 'Pierre Sémard', 'Arc-en-Ciel', 'La Roseraie', 'Le Mail', 'Champfleury'];

type Namer = (c: Commune, pick: <T>(xs: readonly T[]) => T) => string;
const KINDS: Namer[] = [
  (c) => `Mission locale de ${c.nom}`,
  (c, pick) => `Centre social ${pick(CENTRES)}`,
  (c, pick) => `Association ${pick(ASSOS)}`,
  (c, pick) => `Épicerie solidaire ${pick(CENTRES)}`,
  (c) => `France Services ${c.nom}`,
  (c, pick) => `${pick(ASSOS)} – chantier d’insertion`,
  (c) => `PLIE de l’agglomération de ${c.nom}`,
  (c, pick) => `Maison de quartier ${pick(CENTRES)}`,
];
const SOURCES = ['dora', 'emplois-de-linclusion', 'soliguide', 'france-travail', 'mes-aides', 'action-logement', 'monenfant'];
const HORAIRES = ['Mo-Fr 09:00-12:00,14:00-17:00', 'Mo-Th 09:00-17:00', 'Tu,Th 14:00-18:00', null, null];

class Rng {
  private readonly next: () => number;
  constructor(seed: string) {
    this.next = seedrandom(seed);
  }
  float = () => this.next();
  chance = (p: number) => this.next() < p;
  int = (min: number, max: number) => min + Math.floor(this.next() * (max - min + 1));
  pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.next() * xs.length)];
  digits = (n: number) => Array.from({ length: n }, () => this.int(0, 9)).join('');
}

/** A place as its "true" record; sources list variants of it. */
interface Place {
  entity: string;
  nom: string;
  commune: Commune;
  adresse: string;
  lat: number;
  lon: number;
  siret: string | null;
  phone: string | null;
  email: string | null;
  horaires: string | null;
}

function luhnSiret(rng: Rng, siren?: string): string {
  const body = (siren ?? `${rng.int(1, 9)}${rng.digits(8)}`) + rng.digits(4);
  for (let key = 0; key < 10; key++) {
    const candidate = body + key;
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let d = Number(candidate[13 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return candidate;
  }
  return `${body}0`;
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Phone written as one producer or another writes it. */
function phoneFormat(rng: Rng, national: string): string {
  const pairs = national.match(/\d{2}/g)!;
  switch (rng.int(0, 4)) {
    case 0:
      return national;
    case 1:
      return pairs.join(' ');
    case 2:
      return pairs.join('.');
    case 3:
      return `+33${national.slice(1)}`;
    default:
      return `+33 ${national[1]} ${pairs.slice(1).join(' ')}`;
  }
}

const NAME_ABBREVIATIONS: [RegExp, string][] = [
  [/\bAssociation\b/, 'Asso'],
  [/\bSaint\b/, 'St'],
  [/\bCentre\b/, 'Ctre'],
  [/\bMission locale\b/, 'ML'],
];
const ADDRESS_ABBREVIATIONS: [RegExp, string][] = [
  [/\brue\b/, 'r.'],
  [/\bavenue\b/, 'av.'],
  [/\bboulevard\b/, 'bd'],
  [/\bplace\b/, 'pl.'],
  [/\bGénéral\b/, 'Gal'],
  [/\bSaint\b/, 'St'],
  [/\bfaubourg\b/, 'fg'],
];

function typo(rng: Rng, text: string): string {
  const words = text.split(' ');
  const candidates = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 6);
  if (!candidates.length) return text;
  const [word, at] = rng.pick(candidates);
  const k = rng.int(1, word.length - 2);
  const changed = rng.chance(0.5) ? word.slice(0, k) + word.slice(k + 1) : word.slice(0, k) + word[k + 1] + word[k] + word.slice(k + 2);
  words[at] = changed;
  return words.join(' ');
}

function nameVariant(rng: Rng, nom: string): string {
  let out = nom;
  if (rng.chance(0.3)) for (const [from, to] of NAME_ABBREVIATIONS) out = out.replace(from, to);
  if (rng.chance(0.25)) out = typo(rng, out);
  if (rng.chance(0.2)) out = out.toUpperCase();
  if (rng.chance(0.2)) out = out.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  if (rng.chance(0.15)) out = out.replace(/[–’-]/g, ' ').replace(/\s+/g, ' ');
  return out;
}

function addressVariant(rng: Rng, adresse: string): string {
  let out = adresse;
  if (rng.chance(0.4)) for (const [from, to] of ADDRESS_ABBREVIATIONS) out = out.replace(from, to);
  if (rng.chance(0.2)) out = out.replace(/^(\d+) /, '$1, ');
  if (rng.chance(0.15)) out = out.toUpperCase();
  if (rng.chance(0.1)) out = out.replace(/-/g, ' ');
  return out;
}

const jitter = (rng: Rng, metres: number) => ((rng.float() * 2 - 1) * metres) / 111_000;

let counter = 0;
function listing(rng: Rng, place: Place, source: string, options: { full?: boolean } = {}): LabelledRecord {
  counter++;
  const full = options.full ?? false;
  // Noise producers really have: a centre geocoded on the commune only, an old phone, a name with its
  // commune or its legal form added.
  const centred = !full && rng.chance(0.12);
  const oldPhone = !full && rng.chance(0.08);
  let nom = full ? place.nom : nameVariant(rng, place.nom);
  if (!full && rng.chance(0.1)) nom = `${nom} – ${place.commune.nom}`;
  else if (!full && rng.chance(0.08)) nom = nom.startsWith('Association ') ? nom.slice('Association '.length) : `Association ${nom}`;
  const record = {
    id: `${source}--eval-${counter}`,
    source,
    entity: place.entity,
    nom,
    siret: place.siret && (full || rng.chance(0.5)) ? place.siret : null,
    commune: rng.chance(0.2) ? place.commune.nom.toUpperCase() : place.commune.nom,
    codePostal: place.commune.postal,
    codeInsee: full || rng.chance(0.9) ? place.commune.insee : null,
    adresse: full || rng.chance(0.85) ? (full ? place.adresse : addressVariant(rng, place.adresse)) : null,
    latitude: full || rng.chance(0.75) ? place.lat + jitter(rng, 25) : null,
    longitude: full || rng.chance(0.75) ? place.lon + jitter(rng, 25) : null,
    telephone: place.phone && (full || rng.chance(0.65)) ? phoneFormat(rng, place.phone) : null,
    courriel: place.email && (full || rng.chance(0.55)) ? (rng.chance(0.2) ? place.email.toUpperCase() : place.email) : null,
    horairesAccueil: place.horaires && rng.chance(0.5) ? place.horaires : null,
    doublons: [],
    dateMaj: new Date(Date.UTC(2026, rng.int(0, 10), rng.int(1, 28))),
    scoreQualite: Math.round(rng.float() * 100) / 100,
  };
  if (centred && record.latitude !== null) {
    record.latitude = place.commune.lat;
    record.longitude = place.commune.lon;
  }
  if (oldPhone && record.telephone) record.telephone = `0${rng.int(1, 5)}${rng.digits(8)}`;
  return record;
}

function newPlace(rng: Rng, entity: string, nom: string, commune: Commune, extra: Partial<Place> = {}): Place {
  const lat = commune.lat + jitter(rng, 2500);
  const lon = commune.lon + jitter(rng, 2500);
  return {
    entity,
    nom,
    commune,
    adresse: `${rng.int(1, 140)} ${rng.pick(VOIES)}`,
    lat,
    lon,
    siret: rng.chance(0.6) ? luhnSiret(rng) : null,
    phone: rng.chance(0.85) ? `0${rng.pick(['1', '2', '3', '4', '5', '9'])}${rng.digits(8)}` : null,
    email: rng.chance(0.7) ? `${rng.pick(['contact', 'accueil', 'secretariat'])}@${slug(nom).slice(0, 24)}-${slug(commune.nom)}.fr` : null,
    horaires: rng.pick(HORAIRES),
    ...extra,
  };
}

/** The evaluation set: ~700 records. */
export function evaluationSet(seed = 'dedup-eval'): LabelledRecord[] {
  counter = 0;
  const rng = new Rng(seed);
  const records: LabelledRecord[] = [];
  let entities = 0;
  const entity = () => `e${++entities}`;

  // Generated places: 1 to 4 listings each, from different sources.
  const names = new Set<string>();
  for (let n = 0; n < 300; n++) {
    const commune = rng.pick(COMMUNES);
    const nom = rng.pick(KINDS)(commune, rng.pick);
    // Distinct places of one commune with the very same name are not a case producers have: one per name.
    if (names.has(`${commune.insee}:${nom}`)) continue;
    names.add(`${commune.insee}:${nom}`);
    const place = newPlace(rng, entity(), nom, commune);
    const copies = rng.pick([1, 1, 2, 2, 2, 3, 3, 4]);
    const sources = [...SOURCES].sort(() => rng.float() - 0.5).slice(0, copies);
    for (const source of sources) records.push(listing(rng, place, source));
  }

  // Look-alikes, generated: an antenne of a place (its name plus a quarter, another address, often its phone
  // and e-mail), and associations hosted at one address (a maison des associations, one switchboard).
  const places = [...new Set(records.map((r) => r.entity))].slice(0, 60);
  for (const e of places) {
    const r = records.find((x) => x.entity === e)!;
    const commune = COMMUNES.find((x) => x.insee === (r.codeInsee ?? '') || x.postal === r.codePostal)!;
    const antenne = newPlace(rng, entity(), `${r.nom.replace(/^(.{0,80}).*$/, '$1')} – antenne ${rng.pick(CENTRES)}`, commune, {
      phone: rng.chance(0.6) ? r.telephone?.replace(/\D/g, '').replace(/^33/, '0') ?? null : null,
      email: rng.chance(0.5) ? r.courriel?.toLowerCase() ?? null : null,
    });
    records.push(listing(rng, antenne, rng.pick(SOURCES)));
    if (rng.chance(0.4)) records.push(listing(rng, antenne, rng.pick(SOURCES)));
  }
  for (const commune of COMMUNES) {
    const building = newPlace(rng, 'building', 'Maison des associations', commune, { adresse: `${rng.int(1, 40)} rue des Écoles`, phone: `0${rng.int(1, 5)}${rng.digits(8)}` });
    for (const nom of [...HOSTED].sort(() => rng.float() - 0.5).slice(0, 4)) {
      const hosted = newPlace(rng, entity(), `Association ${nom} ${commune.nom}`, commune, { adresse: building.adresse, lat: building.lat, lon: building.lon, phone: rng.chance(0.5) ? building.phone : null });
      records.push(listing(rng, hosted, rng.pick(SOURCES)));
      if (rng.chance(0.5)) records.push(listing(rng, hosted, rng.pick(SOURCES)));
    }
  }

  // Hard cases, written by hand.
  const hard = (label: string, list: LabelledRecord[]) => {
    for (const r of list) records.push({ ...r, hardCase: label });
  };
  const c = (nom: string) => COMMUNES.find((x) => x.nom === nom)!;

  // 1. A mairie and its CCAS: same building, same switchboard; each listed twice.
  for (const ville of ['Amiens', 'Limoges', 'Perpignan']) {
    const commune = c(ville);
    const mairie = newPlace(rng, entity(), `Mairie de ${ville}`, commune, { adresse: '1 place de l’Hôtel de Ville', phone: `03${rng.digits(8)}` });
    const ccas = newPlace(rng, entity(), `CCAS de ${ville}`, commune, { adresse: mairie.adresse, lat: mairie.lat, lon: mairie.lon, phone: mairie.phone, email: mairie.email });
    hard('mairie and CCAS', [listing(rng, mairie, 'dora', { full: true }), listing(rng, mairie, 'soliguide'), listing(rng, ccas, 'emplois-de-linclusion', { full: true }), listing(rng, { ...ccas, nom: `Centre communal d’action sociale de ${ville}` }, 'soliguide')]);
  }

  // 2. Two antennes of one association: one SIREN, one phone and e-mail, two establishments.
  for (const ville of ['Lille', 'Rennes']) {
    const commune = c(ville);
    const siren = `${rng.int(1, 9)}${rng.digits(8)}`;
    const shared = { phone: `0${rng.int(1, 5)}${rng.digits(8)}`, email: `contact@spf-${slug(ville)}.org` };
    const nord = newPlace(rng, entity(), `Secours populaire français – antenne ${ville} Nord`, commune, { ...shared, siret: luhnSiret(rng, siren) });
    const sud = newPlace(rng, entity(), `Secours populaire français – antenne ${ville} Sud`, commune, { ...shared, siret: luhnSiret(rng, siren) });
    hard('two antennes', [listing(rng, nord, 'dora', { full: true }), listing(rng, nord, 'soliguide'), listing(rng, sud, 'dora', { full: true }), listing(rng, { ...sud, siret: null }, 'emplois-de-linclusion', { full: true })]);
  }

  // 3. A renamed structure: same SIRET (and phone), new name.
  for (const [ville, before, after] of [
    ['Roubaix', 'Maison de l’emploi de Roubaix', 'Cap Métiers Roubaix'],
    ['Besançon', 'Association Tremplin', 'Envol Insertion Besançon'],
  ] as const) {
    const place = newPlace(rng, entity(), before, c(ville), { siret: luhnSiret(rng) });
    hard('renamed', [listing(rng, place, 'dora', { full: true }), listing(rng, { ...place, nom: after }, 'emplois-de-linclusion', { full: true })]);
  }

  // 4. A moved structure: same name, SIRET, phone and e-mail; an address 2 km away.
  for (const ville of ['Montreuil', 'Saint-Étienne']) {
    const place = newPlace(rng, entity(), `Atelier chantier d’insertion Les Compagnons ${ville}`, c(ville), { siret: luhnSiret(rng), phone: `0${rng.int(1, 5)}${rng.digits(8)}`, email: `accueil@compagnons-${slug(ville)}.fr` });
    const moved = { ...place, adresse: `${rng.int(1, 99)} avenue de la Gare`, lat: place.lat + 0.018, lon: place.lon };
    hard('moved', [listing(rng, place, 'soliguide', { full: true }), listing(rng, moved, 'dora', { full: true })]);
  }

  // 5. Missing coordinates: the same place, neither listing geocoded.
  for (const ville of ['Lyon', 'Marseille', 'Châteauroux']) {
    const place = newPlace(rng, entity(), `Épicerie sociale du quartier ${rng.pick(CENTRES)}`, c(ville));
    hard('missing coordinates', [
      { ...listing(rng, place, 'dora', { full: true }), latitude: null, longitude: null },
      { ...listing(rng, place, 'mes-aides', { full: true }), latitude: null, longitude: null, nom: nameVariant(rng, place.nom) },
    ]);
  }

  // 6. One phone and one e-mail for a whole network: eight centres, each its own place (one listed twice).
  const network = { phone: '0153327000', email: 'contact@restosducoeur.org' };
  COMMUNES.slice(0, 8).forEach((commune, i) => {
    const place = newPlace(rng, entity(), `Les Restos du Cœur – centre de ${commune.nom}`, commune, { ...network, siret: null });
    hard('network phone', i === 0 ? [listing(rng, place, 'soliguide', { full: true }), listing(rng, place, 'dora', { full: true })] : [listing(rng, place, 'soliguide', { full: true })]);
  });
  // …and two centres of that network in one commune, at two addresses.
  const lyon = c('Lyon');
  hard('network phone', [
    listing(rng, newPlace(rng, entity(), 'Les Restos du Cœur – Lyon 3e', lyon, { ...network, siret: null }), 'soliguide', { full: true }),
    listing(rng, newPlace(rng, entity(), 'Les Restos du Cœur – Lyon 8e', lyon, { ...network, siret: null }), 'soliguide', { full: true }),
  ]);
  return records;
}
