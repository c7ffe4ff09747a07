import { distance } from 'fastest-levenshtein';
import { metres, type Features } from './features';

/**
 * The pairwise comparison: a log-odds score (Fellegi–Sunter style, weights set by hand on the labelled
 * evaluation set, src/dedup/eval-set.ts) turned into a match probability, accepted at THRESHOLD, and a few
 * rules that forbid a link whatever the score. The policy is the reference's: a missed duplicate is better
 * than a false merge, so every rule below errs towards "distinct".
 */

/** A pair is a duplicate when its match probability is at least this. */
export const THRESHOLD = 0.8;
/** Two members of one cluster must at least be this compatible (the guard against chaining, cluster.ts). */
export const COMPATIBLE = 0.5;
/**
 * A phone or e-mail carried by more structures than this is a network's (a national number, one switchboard
 * for all antennes): it says little about the place, and weighs almost nothing.
 */
export const SHARED_CONTACT = 4;

/** Prior log-odds that two records of one block are the same place: most records of a block are not. */
const PRIOR = -6;

const WEIGHTS = {
  name: { same: 5.5, contained: 2.5, close: -2, different: -5 },
  informativeName: 1,
  siret: 7,
  contact: { rare: 3, shared: 0.5, differs: -0.5 },
  location: [
    [60, 2],
    [250, 1],
    [1000, 0],
    [10_000, -1.5],
  ] as [number, number][],
  farAway: -3,
  address: { same: 2.5, differs: -3 },
  commune: { same: 1, differs: -2 },
};

export type NameAgreement = keyof typeof WEIGHTS.name;

/** How many structures carry a phone or an e-mail (the caller counts them over the records compared). */
export interface ContactCounts {
  phone: Map<string, number>;
  email: Map<string, number>;
}

export interface PairScore {
  /** Match probability (0–1). */
  probability: number;
  /** A rule forbids the link (different SIRET, different kinds of organisation, unrelated names). */
  forbidden: string | null;
  name: NameAgreement;
}

/** Words that name a site of an organisation (its antenne, its annexe): another place. */
const SITE_WORDS = new Set(['antenne', 'annexe', 'permanence', 'agence', 'site', 'relais', 'bureau', 'unite', 'delegation', 'point', 'espace']);

/** Tokens that are the same word: equal, a typo apart, or one the abbreviation of the other. Numbers and kinds must be equal. */
function sameToken(a: string, b: string): boolean {
  if (a === b) return true;
  if (/\d/.test(a) || /\d/.test(b)) return false;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4) return false;
  if (a.startsWith(b) || b.startsWith(a)) return true;
  return distance(a, b) <= (shorter >= 6 ? 2 : 1);
}

/** How two names agree, token by token. */
export function compareNames(a: readonly string[], b: readonly string[]): NameAgreement {
  if (!a.length || !b.length) return 'different';
  // A word cut or glued by a typo (`arc en ciel`, `arce n ciel`): the names without spaces, a typo or two apart.
  const joinedA = a.join('');
  const joinedB = b.join('');
  const digits = (s: string) => s.replace(/\D/g, '');
  if (Math.min(joinedA.length, joinedB.length) >= 10 && digits(joinedA) === digits(joinedB) && distance(joinedA, joinedB) <= 2) return 'same';
  const used = new Array<boolean>(b.length).fill(false);
  let matched = 0;
  for (const token of a) {
    const j = b.findIndex((other, k) => !used[k] && sameToken(token, other));
    if (j >= 0) {
      used[j] = true;
      matched++;
    }
  }
  const leftA = a.length - matched;
  const leftB = b.length - matched;
  const dice = (2 * matched) / (a.length + b.length);
  if (leftA === 0 && leftB === 0) return 'same';
  // `X – antenne Y` is another place than `X`: a name that adds a site word is not contained in the other.
  const left = [...a.filter((t) => !b.some((o) => sameToken(t, o))), ...b.filter((t) => !a.some((o) => sameToken(t, o)))];
  if (left.some((t) => SITE_WORDS.has(t))) return dice >= 0.6 ? 'close' : 'different';
  if ((leftA === 0 || leftB === 0) && matched >= 1 && dice >= 0.5) return 'contained';
  if (dice >= 0.6) return 'close';
  return 'different';
}

function similarity(a: string, b: string): number {
  if (a === b) return 1;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/** `12 bis rue x` → [`12bis`, `rue x`]. */
function splitNumber(address: string): [string | null, string] {
  const m = /^(\d+)(?: ?(bis|ter|quater|[a-d]))?\b ?(.*)$/.exec(address);
  return m ? [`${m[1]}${m[2] ?? ''}`, m[3]] : [null, address];
}

const rare = (counts: Map<string, number>, value: string) => (counts.get(value) ?? 1) <= SHARED_CONTACT;

/** The score of a pair, and the rule that forbids it if one does. */
export function scorePair(a: Features, b: Features, counts: ContactCounts): PairScore {
  let name = compareNames(a.tokens, b.tokens);
  // Names that differ only by a legal form or the commune's name (`Association X`, `X – Lyon`) are the same name.
  const sameCommune = !(a.insee && b.insee) || a.insee === b.insee;
  if ((name === 'contained' || name === 'close') && sameCommune && a.core.length && b.core.length && compareNames(a.core, b.core) === 'same') name = 'same';
  const sameSiret = a.siret !== null && a.siret === b.siret;
  let forbidden: string | null = null;
  if (a.siret && b.siret && a.siret !== b.siret) forbidden = 'different SIRET (two establishments)';
  else if (!sameSiret && a.kinds.size && b.kinds.size && ![...a.kinds].some((k) => b.kinds.has(k))) {
    forbidden = 'different kinds of organisation (a mairie and its CCAS)';
  }

  let logit = PRIOR + WEIGHTS.name[name];
  // The same name that names one place (not only a kind, a network and a commune) says more.
  if (name === 'same' && a.informative && b.informative) logit += WEIGHTS.informativeName;
  if (sameSiret) logit += WEIGHTS.siret;

  const samePhone = a.phone !== null && a.phone === b.phone;
  const sameEmail = a.email !== null && a.email === b.email;
  const rarePhone = samePhone && rare(counts.phone, a.phone!);
  const rareEmail = sameEmail && rare(counts.email, a.email!);
  if (samePhone) logit += rarePhone ? WEIGHTS.contact.rare : WEIGHTS.contact.shared;
  else if (a.phone && b.phone) logit += WEIGHTS.contact.differs;
  if (sameEmail) logit += rareEmail ? WEIGHTS.contact.rare : WEIGHTS.contact.shared;
  else if (a.email && b.email) logit += WEIGHTS.contact.differs;

  let near = false;
  if (a.location && b.location) {
    const d = metres(a.location, b.location);
    near = d <= 60;
    const band = WEIGHTS.location.find(([max]) => d <= max);
    logit += band ? band[1] : WEIGHTS.farAway;
  }
  let sameAddress = false;
  if (a.address && b.address) {
    // The house number must be the same (`40 rue X` and `50 rue X` are two buildings); the street, a typo apart.
    const [numberA, streetA] = splitNumber(a.address);
    const [numberB, streetB] = splitNumber(b.address);
    const s = similarity(streetA, streetB);
    const numbersDiffer = numberA !== null && numberB !== null && numberA !== numberB;
    sameAddress = !numbersDiffer && s >= 0.9;
    if (sameAddress) logit += WEIGHTS.address.same;
    else if (numbersDiffer || s < 0.7) logit += WEIGHTS.address.differs;
  }
  if ((a.insee && a.insee === b.insee) || (!(a.insee && b.insee) && a.postal && a.postal === b.postal)) logit += WEIGHTS.commune.same;
  else if (a.insee && b.insee) logit += WEIGHTS.commune.differs;

  // A renamed structure: its SIRET, or both its own phone and e-mail at the same place, say it is the same.
  if (!forbidden && name === 'different' && !sameSiret && !(rarePhone && rareEmail && (sameAddress || near))) {
    forbidden = 'unrelated names without a shared SIRET, phone and e-mail';
  }
  return { probability: 1 / (1 + Math.exp(-logit)), forbidden, name };
}

/** The pair is a duplicate. */
export const accepted = (s: PairScore) => !s.forbidden && s.probability >= THRESHOLD;
/** The pair may sit in one cluster. */
export const compatible = (s: PairScore) => !s.forbidden && s.probability >= COMPATIBLE;
