/**
 * What dedup compares of a structure: the reference's features (data·inclusion's dedup notebook,
 * `../shared/reference/upstream-fidelity.md` §5), normalised once per record — name, commune (INSEE code,
 * arrondissements folded into their city as data·inclusion's geocoding does), postal code, address,
 * location, SIREN and SIRET, phone in national format, e-mail.
 */

import type { DedupRecord } from '../domain/dedup';

export type { DedupRecord };

export interface Features {
  record: DedupRecord;
  /** Name tokens: lower case, no accents, stop words out, abbreviations expanded. */
  tokens: string[];
  /** The tokens joined (typos are compared on it). */
  name: string;
  /** Kinds of organisation the name says it is (`mairie`, `ccas`, `france-travail`…). */
  kinds: Set<string>;
  /** Blocking words: the first 4 letters of each word of the name that is not generic nor the commune's. */
  blockingWords: string[];
  /** The tokens without the legal form and the commune's name (`Association X – Lyon` is `X`). */
  core: string[];
  /** The name says more than a kind, a network and a commune (`Centre social Les Tilleuls`, not `Restos du cœur Lyon`). */
  informative: boolean;
  insee: string | null;
  postal: string | null;
  /** Street address, normalised (abbreviations expanded, no punctuation). */
  address: string | null;
  location: { lat: number; lon: number } | null;
  siret: string | null;
  siren: string | null;
  /** National format, 10 digits (`0123456789`). */
  phone: string | null;
  email: string | null;
}

const STOP = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'et', 'a', 'au', 'aux', 'en', 'pour', 'sur', 'par', 'un', 'une', 'the']);

/** Abbreviations producers write, to the word (names). */
const NAME_WORDS: Record<string, string> = {
  asso: 'association', assoc: 'association', ass: 'association', ctre: 'centre', cent: 'centre', ste: 'sainte', st: 'saint',
  dept: 'departemental', dep: 'departemental', dpt: 'departemental', intercom: 'intercommunal', cial: 'social', soc: 'social',
  fr: 'france', serv: 'services', svc: 'services', nat: 'national', reg: 'regional', ml: 'mission locale',
};

/** Multi-word kinds, first (so that `centre communal d'action sociale` and `ccas` are the same kind). */
const KIND_PHRASES: [RegExp, string][] = [
  [/\bcentre communal (?:d )?action sociale\b/g, 'ccas'],
  [/\bcentre intercommunal (?:d )?action sociale\b/g, 'cias'],
  [/\bpole emploi\b/g, 'france-travail'],
  [/\bfrance travail\b/g, 'france-travail'],
  [/\bmission locale\b/g, 'mission-locale'],
  [/\bmaison (?:de )?services au public\b/g, 'france-services'],
  [/\bmsap\b/g, 'france-services'],
  [/\bfrance services\b/g, 'france-services'],
  [/\bcentre social\b/g, 'centre-social'],
  [/\bhotel de ville\b/g, 'mairie'],
  [/\bcaisse (?:d )?allocations familiales\b/g, 'caf'],
  [/\bconseil departemental\b/g, 'conseil-departemental'],
  [/\bespace departemental (?:des )?solidarites\b/g, 'eds'],
  [/\bmaison departementale (?:des )?solidarites\b/g, 'mds'],
  [/\bplan local (?:pour )?(?:l )?insertion (?:et )?(?:l )?emploi\b/g, 'plie'],
  [/\bcentre medico social\b/g, 'cms'],
];
/** One-word kinds. */
const KIND_WORDS = new Set(['mairie', 'ccas', 'cias', 'caf', 'cpam', 'cms', 'eds', 'mds', 'plie', 'france-travail', 'mission-locale', 'france-services', 'centre-social', 'conseil-departemental', 'cap-emploi', 'apec', 'msa', 'epicerie', 'restos', 'secours']);

/** Words of kinds, networks and generic nouns: a name made of these and its commune names no one place. */
const GENERIC = new Set([
  'association', 'centre', 'social', 'sociale', 'communal', 'intercommunal', 'action', 'mairie', 'mission', 'locale', 'france', 'travail', 'services',
  'caisse', 'allocations', 'familiales', 'espace', 'maison', 'departemental', 'departementale', 'solidarites', 'medico', 'plan', 'local', 'insertion',
  'emploi', 'antenne', 'agence', 'accueil', 'point', 'restos', 'coeur', 'secours', 'populaire', 'catholique', 'francais', 'croix', 'rouge', 'emmaus',
  'conseil', 'cap', 'epicerie', 'solidaire', 'permanence', 'quartier', 'centre', 'ville', 'agglomeration', 'communaute', 'communes', 'pole', 'unite', 'delegation',
]);

/** Words of a legal form, which one producer writes and another leaves out. */
const LEGAL_FORMS = new Set(['association', 'sarl', 'sas', 'scic', 'scop', 'eurl', 'gip', 'gie', 'fondation']);

/** Kinds whose one-word form is not their words. */
const KIND_TEXT: Record<string, string> = {
  ccas: 'centre communal action sociale',
  cias: 'centre intercommunal action sociale',
  caf: 'caisse allocations familiales',
  eds: 'espace departemental solidarites',
  mds: 'maison departementale solidarites',
  cms: 'centre medico social',
  plie: 'plan local insertion emploi',
};

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Name tokens and kinds. */
export function nameTokens(nom: string): { tokens: string[]; kinds: Set<string> } {
  let text = fold(nom)
    .split(' ')
    .map((w) => NAME_WORDS[w] ?? w)
    .join(' ');
  text = text.replace(/\bcap emploi\b/g, 'cap-emploi');
  for (const [pattern, kind] of KIND_PHRASES) text = text.replace(pattern, kind);
  const kinded = text.split(' ').filter((t) => t && !STOP.has(t));
  // Tokens are words (a kind written its one way: `ccas` and `centre communal d'action sociale` alike), so
  // that a typo inside a kind's name is still a typo.
  const tokens = kinded.flatMap((t) => (KIND_WORDS.has(t) ? t.split('-') : [t])).map((t) => KIND_TEXT[t] ?? t).flatMap((t) => t.split(' '));
  return { tokens, kinds: new Set(kinded.filter((t) => KIND_WORDS.has(t))) };
}

const ADDRESS_WORDS: Record<string, string> = {
  r: 'rue', bd: 'boulevard', bld: 'boulevard', boul: 'boulevard', av: 'avenue', ave: 'avenue', pl: 'place', all: 'allee', che: 'chemin', chem: 'chemin',
  rte: 'route', imp: 'impasse', fg: 'faubourg', fbg: 'faubourg', sq: 'square', crs: 'cours', qu: 'quai', res: 'residence', st: 'saint', ste: 'sainte',
  gal: 'general', gen: 'general', mal: 'marechal', pdt: 'president', prof: 'professeur', dr: 'docteur', bis: 'bis', ter: 'ter',
};

export function normalAddress(adresse: string | null): string | null {
  if (!adresse) return null;
  const words = fold(adresse)
    .split(' ')
    .map((w) => ADDRESS_WORDS[w] ?? w)
    .filter((w) => w && !STOP.has(w));
  return words.length ? words.join(' ') : null;
}

/** A French number in national format (10 digits, `0…`); null when it is not one (short numbers, foreign). */
export function nationalPhone(telephone: string | null): string | null {
  if (!telephone) return null;
  let digits = telephone.replace(/\D/g, '');
  if (digits.startsWith('0033')) digits = `0${digits.slice(4)}`;
  else if (digits.startsWith('33') && digits.length === 11) digits = `0${digits.slice(2)}`;
  else if (digits.length === 9 && !telephone.trim().startsWith('0')) digits = `0${digits}`;
  // DROM numbers written +262…, +590…: the same 9 digits after the 0.
  else if (/^(262|590|594|596|269)\d{9}$/.test(digits)) digits = `0${digits.slice(3)}`;
  return /^0[1-9]\d{8}$/.test(digits) ? digits : null;
}

/** Paris, Lyon and Marseille arrondissements, folded into the city (as data·inclusion's geocoding does). */
export function foldInsee(code: string | null): string | null {
  if (!code) return null;
  const c = code.trim().toUpperCase();
  if (/^751(0[1-9]|1\d|20)$/.test(c)) return '75056';
  if (/^6938[1-9]$/.test(c)) return '69123';
  if (/^132(0[1-9]|1[0-6])$/.test(c)) return '13055';
  return c || null;
}

export function features(record: DedupRecord): Features {
  const { tokens, kinds } = nameTokens(record.nom);
  const siret = record.siret && /^\d{14}$/.test(record.siret.trim()) ? record.siret.trim() : null;
  const lat = record.latitude;
  const lon = record.longitude;
  // Missing or (0, 0) coordinates are no location (data·inclusion's 0.0 for missing would make them all neighbours).
  const location = lat != null && lon != null && !(lat === 0 && lon === 0) ? { lat, lon } : null;
  const email = record.courriel?.trim().toLowerCase() || null;
  const communeWords = new Set(fold(record.commune ?? '').split(' '));
  return {
    record,
    tokens,
    name: tokens.join(' '),
    kinds,
    blockingWords: [...new Set(tokens.filter((t) => t.length >= 3 && !GENERIC.has(t) && !LEGAL_FORMS.has(t) && !communeWords.has(t)).map((t) => t.slice(0, 4)))],
    core: tokens.filter((t) => !LEGAL_FORMS.has(t) && !communeWords.has(t)),
    informative: tokens.some((t) => t.length >= 3 && !GENERIC.has(t) && !communeWords.has(t) && !/\d/.test(t)),
    insee: foldInsee(record.codeInsee),
    postal: record.codePostal?.trim() || null,
    address: normalAddress(record.adresse),
    location,
    siret,
    siren: siret ? siret.slice(0, 9) : null,
    phone: nationalPhone(record.telephone),
    email,
  };
}

/** Distance in metres (equirectangular: exact enough under a few km). */
export function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const x = ((b.lon - a.lon) * Math.PI) / 180 * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  const y = ((b.lat - a.lat) * Math.PI) / 180;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}
